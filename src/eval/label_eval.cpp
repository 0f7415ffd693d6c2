#include "eval/label_eval.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "util/ascii_case.h"

namespace clipdex {
namespace {

// ordered_json keeps the file's key order, so entries and skip reasons come out as written.
using Json = nlohmann::ordered_json;

constexpr std::string_view kSidecarSuffix = ".gt.json";

bool IsComment(std::string_view key) { return !key.empty() && key.front() == '_'; }

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "video/x.mp4 (0.03 px)" -> "video/x.mp4": label maps annotate paths with free-text notes.
std::string StripNote(std::string_view entry) {
  const size_t paren = entry.find(" (");
  return Trim(paren == std::string_view::npos ? entry : entry.substr(0, paren));
}

void Appendf(std::string* out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Appendf(std::string* out, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  if (n > 0) {
    const size_t old = out->size();
    out->resize(old + n + 1);  // vsnprintf writes the terminating NUL too
    std::vsnprintf(out->data() + old, n + 1, fmt, again);
    out->resize(old + n);
  }
  va_end(again);
}

// Removes the padding a fixed-width last column leaves at the end of a line.
void TrimLineEnd(std::string* out) {
  while (!out->empty() && out->back() == ' ') out->pop_back();
}

Result<Json> ReadJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::Error("cannot read ground truth");
  Json root = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Error("invalid JSON");
  if (!root.is_object()) return Status::Error("expected a JSON object");
  return root;
}

// The videos a sidecar describes: its "files" array (one sidecar for several encodes of the same
// content, e.g. pan_4k.gt.json), else its own name minus ".gt.json".
Result<std::vector<std::string>> SidecarKeys(const std::filesystem::path& file, const Json& root) {
  std::vector<std::string> keys;
  if (root.contains("files")) {
    const Json& files = root["files"];
    if (!files.is_array()) return Status::Error("\"files\": expected an array of file names");
    for (const Json& f : files) {
      if (!f.is_string()) return Status::Error("\"files\": expected an array of file names");
      keys.push_back(f.get<std::string>());
    }
    return keys;
  }
  std::string name = file.filename().string();
  if (name.size() > kSidecarSuffix.size() && name.ends_with(kSidecarSuffix)) {
    name.resize(name.size() - kSidecarSuffix.size());
  }
  keys.push_back(name);
  return keys;
}

// Calls add(label, key) for every entry of a {label: ["path (note)", ...]} label map.
template <typename AddFn>
Status ForEachMapEntry(const std::string& section, const Json& map, AddFn add) {
  for (const auto& [label, list] : map.items()) {
    if (IsComment(label)) continue;
    const std::string where = "\"" + section + "\".\"" + label + "\"";
    if (!list.is_array()) return Status::Error(where + ": expected an array of video paths");
    for (const Json& entry : list) {
      if (!entry.is_string()) return Status::Error(where + ": expected an array of video paths");
      const std::string key = StripNote(entry.get<std::string>());
      if (key.empty()) return Status::Error(where + ": empty video path");
      add(label, key);
    }
  }
  return Status::Ok();
}

Result<std::vector<LabelSegment>> ParseFrameSegments(const Json& root, std::string* skip_reason) {
  const Json& segs = root["segments"];
  if (!root.contains("fps") || !root["fps"].is_number() || root["fps"].get<double>() <= 0) {
    return Status::Error("\"segments\" needs a positive \"fps\" to convert frames to seconds");
  }
  const double fps = root["fps"].get<double>();
  if (!segs.is_array() || segs.empty()) {
    return Status::Error("\"segments\": expected [[start_frame, end_frame, label], ...]");
  }
  std::vector<LabelSegment> out;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Json& s = segs[i];
    const std::string where = "\"segments\"[" + std::to_string(i) + "]";
    if (!s.is_array() || s.size() < 3 || !s[0].is_number() || !s[1].is_number() ||
        !s[2].is_string() || s[0].get<double>() < 0 || s[0].get<double>() >= s[1].get<double>()) {
      return Status::Error(where + ": expected [start_frame, end_frame, label] with start < end");
    }
    const std::string raw = s[2].get<std::string>();
    const std::string label = NormalizeCameraLabel(raw);
    if (label.empty() && skip_reason->empty()) {
      *skip_reason = "segment label '" + raw + "' is not a camera.movement label";
    }
    // Frame ranges are [start, end): frame n starts at n / fps, so end / fps closes the range.
    out.push_back({label, s[0].get<double>() / fps, s[1].get<double>() / fps});
  }
  std::sort(out.begin(), out.end(),
            [](const LabelSegment& a, const LabelSegment& b) { return a.start < b.start; });
  return out;
}

Result<std::vector<CameraTruth>> LoadCameraSidecar(const std::filesystem::path& file,
                                                   const Json& root) {
  auto keys = SidecarKeys(file, root);
  if (!keys.ok()) return keys.status();
  CameraTruth proto;
  if (root.contains("segments")) {
    auto segs = ParseFrameSegments(root, &proto.skip_reason);
    if (!segs.ok()) return segs.status();
    proto.label = "mixed";
    proto.segments = std::move(segs.value());
  } else if (root.contains("motion")) {
    if (!root["motion"].is_string()) return Status::Error("\"motion\": expected a label");
    const std::string raw = root["motion"].get<std::string>();
    proto.label = NormalizeCameraLabel(raw);
    if (proto.label.empty()) proto.skip_reason = "'" + raw + "' is not a camera.movement label";
  } else {
    proto.skip_reason = "no camera labels (\"motion\" or \"segments\")";
  }
  std::vector<CameraTruth> out;
  for (const auto& key : keys.value()) {
    CameraTruth t = proto;
    t.key = key;
    out.push_back(std::move(t));
  }
  return out;
}

std::string SkipForShotScale(const std::string& text, const std::vector<std::string>& labels) {
  return labels.empty() ? "'" + text + "' names no shot scale" : "";
}

}  // namespace

const std::vector<std::string>& EvalShotScaleLabels() {
  static const std::vector<std::string> kLabels = [] {
    std::vector<std::string> labels = ShotScaleLabels();
    labels.push_back("extreme_long");
    return labels;
  }();
  return kLabels;
}

std::string NormalizeCameraLabel(std::string_view label) {
  std::string s = AsciiLower(Trim(label));
  for (char& c : s) {
    if (c == '-' || c == ' ') c = '_';
  }
  return Contains(CameraMovementLabels(), s) ? s : "";
}

std::vector<std::string> ParseShotScaleText(std::string_view text) {
  // Drop "(remarks)": they describe the picture ("whole body small in frame") and would
  // otherwise be read as scales.
  std::string plain;
  int depth = 0;
  for (char c : text) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0) {
      plain += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  std::vector<std::string> words;
  std::string word;
  for (char c : plain + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  auto is_close = [](const std::string& w) { return w == "close" || w == "closeup"; };
  auto is_long = [](const std::string& w) { return w == "long" || w == "wide"; };
  std::vector<std::string> out;
  auto add = [&out](const std::string& label) {
    if (!Contains(out, label)) out.push_back(label);
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string next = i + 1 < words.size() ? words[i + 1] : "";
    // "close up" spelled as two words: swallow the "up" that belongs to a "close".
    auto skip_close = [&](size_t at) {
      if (words[at] == "close" && at + 1 < words.size() && words[at + 1] == "up") return at + 1;
      return at;
    };
    if (w == "extreme" || w == "extra") {
      if (is_close(next)) {
        add("extreme_close_up");
        i = skip_close(i + 1);
      } else if (is_long(next)) {
        add("extreme_long");
        ++i;
      }
    } else if (w == "medium" || w == "mid") {
      if (is_close(next)) {
        add("medium_close_up");
        i = skip_close(i + 1);
      } else if (is_long(next) || next == "full") {
        // "medium full" (the American shot, knees up) sits between medium and full too.
        add("medium_long");
        ++i;
      } else {
        add("medium");
      }
    } else if (is_close(w)) {
      add("close_up");
      i = skip_close(i);
    } else if (is_long(w)) {
      add("long");
    } else if (w == "full") {
      add("full");
    } else if (w == "ecu") {
      add("extreme_close_up");
    } else if (w == "cu") {
      add("close_up");
    } else if (w == "mcu") {
      add("medium_close_up");
    } else if (w == "els" || w == "ews") {
      add("extreme_long");
    }
  }
  return out;
}

Result<std::vector<CameraTruth>> LoadCameraGroundTruth(const std::filesystem::path& file) {
  auto root = ReadJson(file);
  if (!root.ok()) return root.status();
  const Json& j = root.value();
  if (!j.contains("camera_motion") || !j["camera_motion"].is_object()) {
    return LoadCameraSidecar(file, j);
  }
  std::vector<CameraTruth> out;
  Status st = ForEachMapEntry("camera_motion", j["camera_motion"],
                              [&out](const std::string& raw, const std::string& key) {
                                CameraTruth t;
                                t.key = key;
                                t.label = NormalizeCameraLabel(raw);
                                // Labels such as "zoom" or "slow_pan_or_drift" lack the direction
                                // or the certainty a camera.movement value states; scoring them
                                // either way would be arbitrary.
                                if (t.label.empty())
                                  t.skip_reason = "'" + raw + "' is not a camera.movement label";
                                out.push_back(std::move(t));
                              });
  if (!st.ok()) return st;
  return out;
}

namespace {

// One entry of a {"points": [...]} label file.
Result<FramingTruth> ParseFramingPoint(const Json& p, size_t index) {
  const std::string where = "\"points\"[" + std::to_string(index) + "]";
  if (!p.is_object() || !p.contains("video") || !p["video"].is_string() || !p.contains("time") ||
      !p["time"].is_number() || p["time"].get<double>() < 0 || !p.contains("accept") ||
      !p["accept"].is_array() || p["accept"].empty()) {
    return Status::Error(where + ": expected {\"video\", \"time\" >= 0, \"accept\": [labels]}");
  }
  FramingTruth t;
  t.key = p["video"].get<std::string>();
  t.time = p["time"].get<double>();
  for (const Json& a : p["accept"]) {
    if (!a.is_string()) return Status::Error(where + ": \"accept\": expected label names");
    const std::string label = a.get<std::string>();
    if (!Contains(EvalShotScaleLabels(), label)) {
      return Status::Error(where + ": '" + label + "' is not a shot-scale label");
    }
    if (!Contains(t.acceptable, label)) t.acceptable.push_back(label);
  }
  if (p.contains("split")) {
    if (!p["split"].is_string()) return Status::Error(where + ": \"split\": expected text");
    t.split = p["split"].get<std::string>();
  }
  if (p.contains("crop") || p.contains("from")) {
    const Json& c = p.contains("crop") ? p["crop"] : Json();
    if (!p.contains("from") || !p["from"].is_string() || !c.is_array() || c.size() != 4) {
      return Status::Error(where + ": a crop needs \"from\" and \"crop\": [x, y, w, h]");
    }
    for (const Json& v : c) {
      if (!v.is_number()) return Status::Error(where + ": \"crop\": expected 4 numbers");
      t.crop.push_back(v.get<double>());
    }
    const double x = t.crop[0], y = t.crop[1], w = t.crop[2], h = t.crop[3];
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > 1.0001 || y + h > 1.0001) {
      return Status::Error(where + ": \"crop\": fractions of the photo, inside it");
    }
    t.crop_from = p["from"].get<std::string>();
  }
  return t;
}

}  // namespace

std::string LabelAtTime(const std::vector<ClipLabel>& clips, double time) {
  const ClipLabel* nearest = nullptr;
  double best = std::numeric_limits<double>::infinity();
  for (const ClipLabel& c : clips) {
    if (time >= c.start && time < c.end) return c.label;
    const double d = time < c.start ? c.start - time : time - c.end;
    if (d < best) {
      best = d;
      nearest = &c;
    }
  }
  return nearest == nullptr ? "" : nearest->label;
}

Result<std::vector<FramingTruth>> LoadFramingGroundTruth(const std::filesystem::path& file) {
  auto root = ReadJson(file);
  if (!root.ok()) return root.status();
  const Json& j = root.value();
  std::vector<FramingTruth> out;
  if (j.contains("points")) {
    if (!j["points"].is_array()) return Status::Error("\"points\": expected an array");
    for (size_t i = 0; i < j["points"].size(); ++i) {
      auto t = ParseFramingPoint(j["points"][i], i);
      if (!t.ok()) return t.status();
      out.push_back(std::move(t.value()));
    }
    return out;
  }
  if (j.contains("shot_scale") && j["shot_scale"].is_object()) {
    Status st = ForEachMapEntry("shot_scale", j["shot_scale"],
                                [&out](const std::string& raw, const std::string& key) {
                                  FramingTruth t;
                                  t.key = key;
                                  t.acceptable = ParseShotScaleText(raw);
                                  t.skip_reason = SkipForShotScale(raw, t.acceptable);
                                  out.push_back(std::move(t));
                                });
    if (!st.ok()) return st;
    return out;
  }
  auto keys = SidecarKeys(file, j);
  if (!keys.ok()) return keys.status();
  FramingTruth proto;
  if (!j.contains("shot_scale")) {
    proto.skip_reason = "no \"shot_scale\" label";
  } else if (!j["shot_scale"].is_string()) {
    return Status::Error("\"shot_scale\": expected text or a label map");
  } else {
    const std::string raw = j["shot_scale"].get<std::string>();
    proto.acceptable = ParseShotScaleText(raw);
    proto.skip_reason = SkipForShotScale(raw, proto.acceptable);
  }
  for (const auto& key : keys.value()) {
    FramingTruth t = proto;
    t.key = key;
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<LabelSegment>> ParseCameraSegments(const std::string& json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return Status::Error("camera.segments: invalid JSON");
  std::vector<LabelSegment> out;
  for (const Json& s : j) {
    if (!s.is_object() || !s.contains("label") || !s["label"].is_string() || !s.contains("start") ||
        !s["start"].is_number() || !s.contains("end") || !s["end"].is_number()) {
      return Status::Error("camera.segments: expected {\"label\", \"start\", \"end\"} objects");
    }
    out.push_back(
        {s["label"].get<std::string>(), s["start"].get<double>(), s["end"].get<double>()});
  }
  return out;
}

bool KeyMatchesPath(const std::string& key, const std::string& video_path) {
  if (key.empty()) return false;
  return video_path == key || video_path.ends_with("/" + key);
}

ConfusionMatrix::ConfusionMatrix(std::vector<std::string> label_order)
    : order_(std::move(label_order)) {}

void ConfusionMatrix::Add(const std::string& truth, const std::string& predicted, bool correct) {
  ++counts_[{truth, predicted}];
  ++total_;
  if (correct) ++correct_;
}

int ConfusionMatrix::Count(const std::string& truth, const std::string& predicted) const {
  auto it = counts_.find({truth, predicted});
  return it == counts_.end() ? 0 : it->second;
}

double ConfusionMatrix::accuracy() const {
  return total_ == 0 ? 0.0 : static_cast<double>(correct_) / total_;
}

std::vector<std::string> ConfusionMatrix::Labels() const {
  std::set<std::string> seen;
  for (const auto& [pair, n] : counts_) {
    seen.insert(pair.first);
    seen.insert(pair.second);
  }
  std::vector<std::string> out;
  for (const auto& l : order_) {
    if (seen.erase(l) > 0) out.push_back(l);
  }
  out.insert(out.end(), seen.begin(), seen.end());  // std::set: already sorted
  return out;
}

std::string ConfusionMatrix::Format() const {
  const std::vector<std::string> labels = Labels();
  int row_w = static_cast<int>(std::string_view("truth \\ predicted").size());
  for (const auto& l : labels) row_w = std::max(row_w, static_cast<int>(l.size()));
  std::string out;
  Appendf(&out, "%-*s", row_w, "truth \\ predicted");
  for (const auto& l : labels) Appendf(&out, "  %*s", std::max(5, int(l.size())), l.c_str());
  out += "\n";
  for (const auto& truth : labels) {
    bool any = false;
    for (const auto& p : labels) any = any || Count(truth, p) > 0;
    if (!any) continue;  // a label only ever predicted needs a column, not a row of zeros
    Appendf(&out, "%-*s", row_w, truth.c_str());
    for (const auto& p : labels) {
      Appendf(&out, "  %*d", std::max(5, int(p.size())), Count(truth, p));
    }
    out += "\n";
  }
  return out;
}

double SegmentIoU(const LabelSegment& gt, const std::vector<LabelSegment>& predicted) {
  std::vector<std::pair<double, double>> spans;
  for (const LabelSegment& p : predicted) {
    if (p.label != gt.label || p.end <= gt.start || p.start >= gt.end) continue;
    spans.push_back({p.start, p.end});
  }
  if (spans.empty()) return 0.0;
  // Predicted spans may overlap each other: measure their union, then intersect with gt.
  std::sort(spans.begin(), spans.end());
  double inter = 0, uni_pred = 0;
  double cur_s = spans[0].first, cur_e = spans[0].second;
  auto flush = [&](double s, double e) {
    uni_pred += e - s;
    inter += std::max(0.0, std::min(e, gt.end) - std::max(s, gt.start));
  };
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].first <= cur_e) {
      cur_e = std::max(cur_e, spans[i].second);
    } else {
      flush(cur_s, cur_e);
      cur_s = spans[i].first;
      cur_e = spans[i].second;
    }
  }
  flush(cur_s, cur_e);
  const double uni = (gt.end - gt.start) + uni_pred - inter;
  return uni <= 0 ? 0.0 : inter / uni;
}

double SegmentScore::mean_boundary_error() const {
  if (boundary_errors.empty()) return 0.0;
  double s = 0;
  for (double e : boundary_errors) s += e;
  return s / boundary_errors.size();
}

double SegmentScore::max_boundary_error() const {
  double m = 0;
  for (double e : boundary_errors) m = std::max(m, e);
  return m;
}

SegmentScore ScoreSegments(const std::vector<LabelSegment>& gt,
                           const std::vector<LabelSegment>& predicted) {
  SegmentScore score;
  score.gt_segments = static_cast<int>(gt.size());
  double sum = 0;
  for (const LabelSegment& g : gt) sum += SegmentIoU(g, predicted);
  score.mean_iou = gt.empty() ? 0.0 : sum / gt.size();

  for (size_t i = 1; i < gt.size(); ++i) {
    if (gt[i].label != gt[i - 1].label) score.gt_boundaries.push_back(gt[i].start);
  }
  std::vector<LabelSegment> sorted = predicted;
  std::sort(sorted.begin(), sorted.end(),
            [](const LabelSegment& a, const LabelSegment& b) { return a.start < b.start; });
  std::vector<double> changes;
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].label != sorted[i - 1].label) changes.push_back(sorted[i].start);
  }
  if (changes.empty()) return score;
  for (double b : score.gt_boundaries) {
    double best = std::numeric_limits<double>::infinity();
    for (double c : changes) best = std::min(best, std::fabs(b - c));
    score.boundary_errors.push_back(best);
  }
  return score;
}

CameraEvalRow EvaluateCamera(const CameraTruth& truth, const std::string& predicted,
                             const std::vector<LabelSegment>& predicted_segments) {
  CameraEvalRow row;
  row.video = truth.key;
  row.expected = truth.label;
  row.predicted = predicted;
  row.has_segments = !truth.segments.empty();
  if (row.has_segments) row.segments = ScoreSegments(truth.segments, predicted_segments);
  return row;
}

bool FramingEvalRow::correct() const { return Contains(acceptable, predicted); }

namespace {

int VideoWidth(const auto& rows) {
  int w = 5;
  for (const auto& r : rows) w = std::max(w, static_cast<int>(r.video.size()));
  return w;
}

void AppendSkipped(std::string* out, const std::vector<std::string>& skipped) {
  if (skipped.empty()) return;
  Appendf(out, "\nskipped (%zu):\n", skipped.size());
  for (const auto& s : skipped) Appendf(out, "  %s\n", s.c_str());
}

}  // namespace

std::string FormatCameraEvalReport(const std::vector<CameraEvalRow>& rows,
                                   const std::vector<std::string>& skipped) {
  const int vw = VideoWidth(rows);
  std::string out;
  Appendf(&out, "%-*s  %-10s  %-10s  %-3s  %7s  %s\n", vw, "video", "expected", "predicted", "ok",
          "seg IoU", "boundary err (s)");
  ConfusionMatrix matrix(CameraMovementLabels());
  int segs = 0, boundaries = 0, missed = 0, seg_videos = 0;
  double iou_sum = 0;
  std::vector<double> errors;
  for (const CameraEvalRow& r : rows) {
    const bool ok = r.expected == r.predicted;
    matrix.Add(r.expected, r.predicted, ok);
    Appendf(&out, "%-*s  %-10s  %-10s  %-3s", vw, r.video.c_str(), r.expected.c_str(),
            r.predicted.c_str(), ok ? "yes" : "NO");
    if (r.has_segments) {
      const SegmentScore& s = r.segments;
      ++seg_videos;
      segs += s.gt_segments;
      iou_sum += s.mean_iou * s.gt_segments;
      boundaries += static_cast<int>(s.gt_boundaries.size());
      errors.insert(errors.end(), s.boundary_errors.begin(), s.boundary_errors.end());
      if (s.boundary_errors.empty()) missed += static_cast<int>(s.gt_boundaries.size());
      Appendf(&out, "  %7.3f", s.mean_iou);
      if (s.gt_boundaries.empty()) {
        Appendf(&out, "  -");
      } else if (s.boundary_errors.empty()) {
        Appendf(&out, "  no predicted change");
      } else {
        Appendf(&out, "  mean %.2f, max %.2f", s.mean_boundary_error(), s.max_boundary_error());
      }
    }
    TrimLineEnd(&out);
    out += "\n";
  }
  Appendf(&out, "\naccuracy %d/%d = %.3f\n", matrix.correct(), matrix.total(), matrix.accuracy());
  Appendf(&out, "\nconfusion (rows truth, columns predicted):\n%s", matrix.Format().c_str());
  if (seg_videos > 0) {
    double err_sum = 0, err_max = 0;
    for (double e : errors) {
      err_sum += e;
      err_max = std::max(err_max, e);
    }
    Appendf(&out, "\nsegments: %d video(s), %d GT segments, mean IoU %.3f\n", seg_videos, segs,
            segs > 0 ? iou_sum / segs : 0.0);
    if (!errors.empty()) {
      Appendf(&out, "boundaries: %d GT, mean error %.2f s, max %.2f s", boundaries,
              err_sum / errors.size(), err_max);
    } else {
      Appendf(&out, "boundaries: %d GT", boundaries);
    }
    if (missed > 0) Appendf(&out, ", %d with no predicted label change", missed);
    out += "\n";
  }
  AppendSkipped(&out, skipped);
  return out;
}

std::string FormatFramingEvalReport(const std::vector<FramingEvalRow>& rows,
                                    const std::vector<std::string>& skipped) {
  const int vw = VideoWidth(rows);
  auto join = [](const std::vector<std::string>& labels) {
    std::string s;
    for (const auto& l : labels) s += (s.empty() ? "" : "/") + l;
    return s;
  };
  int ew = static_cast<int>(std::string_view("expected (any of)").size());
  for (const auto& r : rows) ew = std::max(ew, static_cast<int>(join(r.acceptable).size()));
  std::string out;
  Appendf(&out, "%-*s  %-*s  %-16s  %s\n", vw, "video", ew, "expected (any of)", "predicted", "ok");
  ConfusionMatrix matrix(EvalShotScaleLabels());
  for (const FramingEvalRow& r : rows) {
    const std::string truth = r.acceptable.empty() ? "" : r.acceptable.front();
    matrix.Add(truth, r.predicted, r.correct());
    Appendf(&out, "%-*s  %-*s  %-16s  %s\n", vw, r.video.c_str(), ew, join(r.acceptable).c_str(),
            r.predicted.c_str(), r.correct() ? "yes" : "NO");
  }
  Appendf(&out, "\naccuracy %d/%d = %.3f\n", matrix.correct(), matrix.total(), matrix.accuracy());
  Appendf(&out,
          "\nconfusion (rows truth = first acceptable label, columns predicted; a prediction in "
          "the acceptable set counts as correct):\n%s",
          matrix.Format().c_str());
  AppendSkipped(&out, skipped);
  return out;
}

}  // namespace clipdex
