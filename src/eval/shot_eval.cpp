#include "eval/shot_eval.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>
#include <utility>

namespace clipdex {
namespace {

// ordered_json keeps the file's key order, so skip reasons list keys as the author wrote them.
using Json = nlohmann::ordered_json;

constexpr std::string_view kSidecarSuffix = ".gt.json";

// Keys that carry shot-boundary labels. "cut_frames" is the spelling used by the VFR sidecar
// (fmt_vfr.mkv.gt.json) for the same thing as "cuts".
constexpr std::string_view kBoundaryKeys[] = {"cuts",     "cut_frames", "fade_in",    "fade_out",
                                              "dissolve", "wipe",       "transitions"};

// Keys that describe a video without labelling anything. An entry made only of these (plus
// "frames") is an annotated video with no boundaries. Every other key is assumed to be a label
// of some kind we cannot read; being conservative here keeps a video whose boundaries are
// labelled in an unknown way from being scored as "zero boundaries expected".
constexpr std::string_view kMetadataKeys[] = {
    "fps",         "frames", "content", "verified", "note",  "notes",      "comment",
    "description", "source", "width",   "height",   "codec", "resolution", "duration"};

bool Contains(const auto& list, std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

bool IsComment(std::string_view key) { return !key.empty() && key.front() == '_'; }

Status Malformed(const std::string& where, const std::string& what) {
  return Status::Error(where + ": " + what);
}

bool ParseFrame(const Json& value, long* out) {
  if (!value.is_number_integer() || value.get<long>() < 0) return false;
  *out = value.get<long>();
  return true;
}

// A [start, end) range: two non-negative integers with start < end.
bool ParseRange(const Json& value, long* start, long* end) {
  return value.is_array() && value.size() == 2 && ParseFrame(value[0], start) &&
         ParseFrame(value[1], end) && *start < *end;
}

Transition MakeCut(long frame) { return Transition::CutAt(frame); }

// [start, end) -> inclusive last blended frame.
Transition MakeGradual(TransitionType type, long start, long end) {
  return Transition::Span(type, start, end - 1);
}

Status ParseCutList(const std::string& where, const Json& value, std::vector<Transition>* out) {
  if (!value.is_array()) return Malformed(where, "expected an array of frame numbers");
  for (size_t i = 0; i < value.size(); ++i) {
    long frame = 0;
    if (!ParseFrame(value[i], &frame)) {
      return Malformed(where + "[" + std::to_string(i) + "]", "expected a frame number >= 0");
    }
    out->push_back(MakeCut(frame));
  }
  return Status::Ok();
}

Status ParseRangeList(const std::string& where, TransitionType type, const Json& value,
                      std::vector<Transition>* out) {
  if (!value.is_array()) return Malformed(where, "expected an array of [start, end) ranges");
  for (size_t i = 0; i < value.size(); ++i) {
    long start = 0;
    long end = 0;
    if (!ParseRange(value[i], &start, &end)) {
      return Malformed(where + "[" + std::to_string(i) + "]",
                       "expected [start, end) with 0 <= start < end");
    }
    out->push_back(MakeGradual(type, start, end));
  }
  return Status::Ok();
}

// "transitions": [{"type": "dissolve", "start": 75, "end": 100}, {"type": "cut", "frame": 325}]
Status ParseTransitionList(const std::string& where, const Json& value,
                           std::vector<Transition>* out) {
  if (!value.is_array()) return Malformed(where, "expected an array of objects");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item_where = where + "[" + std::to_string(i) + "]";
    const Json& item = value[i];
    if (!item.is_object()) return Malformed(item_where, "expected an object");
    auto type_it = item.find("type");
    if (type_it == item.end() || !type_it->is_string()) {
      return Malformed(item_where, "missing \"type\"");
    }
    const std::string type_name = type_it->get<std::string>();
    TransitionType type;
    if (!ParseTransitionType(type_name, &type)) {
      return Malformed(item_where, "unknown transition type \"" + type_name + "\"");
    }
    if (type == TransitionType::kCut) {
      // A cut is a single frame; accept "start" too since some tools write every item alike.
      auto frame_it = item.find("frame");
      if (frame_it == item.end()) frame_it = item.find("start");
      long frame = 0;
      if (frame_it == item.end() || !ParseFrame(*frame_it, &frame)) {
        return Malformed(item_where, "cut needs \"frame\" >= 0");
      }
      out->push_back(MakeCut(frame));
      continue;
    }
    auto start_it = item.find("start");
    auto end_it = item.find("end");
    long start = 0;
    long end = 0;
    if (start_it == item.end() || end_it == item.end() || !ParseFrame(*start_it, &start) ||
        !ParseFrame(*end_it, &end) || start >= end) {
      return Malformed(item_where, "needs \"start\" < \"end\", both >= 0");
    }
    out->push_back(MakeGradual(type, start, end));
  }
  return Status::Ok();
}

Result<GroundTruthVideo> ParseEntry(const std::string& key, const Json& entry) {
  GroundTruthVideo video;
  video.key = key;
  bool has_labels = false;
  bool has_frames = false;
  std::vector<std::string> foreign;
  for (const auto& [name, value] : entry.items()) {
    if (IsComment(name)) continue;
    const std::string where = key + ": " + name;
    if (name == "frames") has_frames = true;
    if (Contains(kMetadataKeys, name)) continue;
    if (!Contains(kBoundaryKeys, name)) {
      foreign.push_back(name);
      continue;
    }
    has_labels = true;
    Status status;
    if (name == "cuts" || name == "cut_frames") {
      status = ParseCutList(where, value, &video.boundaries);
    } else if (name == "fade_in") {
      status = ParseRangeList(where, TransitionType::kFadeIn, value, &video.boundaries);
    } else if (name == "fade_out") {
      status = ParseRangeList(where, TransitionType::kFadeOut, value, &video.boundaries);
    } else if (name == "dissolve") {
      status = ParseRangeList(where, TransitionType::kDissolve, value, &video.boundaries);
    } else if (name == "wipe") {
      status = ParseRangeList(where, TransitionType::kWipe, value, &video.boundaries);
    } else {
      status = ParseTransitionList(where, value, &video.boundaries);
    }
    if (!status.ok()) return status;
  }

  if (has_labels) {
    // The same cut may be listed both in "cuts" and in "transitions"; count it once.
    auto order = [](const Transition& a, const Transition& b) {
      return std::tie(a.first_frame, a.last_frame, a.type) <
             std::tie(b.first_frame, b.last_frame, b.type);
    };
    auto same = [](const Transition& a, const Transition& b) {
      return a.first_frame == b.first_frame && a.last_frame == b.last_frame && a.type == b.type;
    };
    std::sort(video.boundaries.begin(), video.boundaries.end(), order);
    video.boundaries.erase(std::unique(video.boundaries.begin(), video.boundaries.end(), same),
                           video.boundaries.end());
  } else if (!foreign.empty()) {
    video.skip_reason = "labels in a foreign format: ";
    for (size_t i = 0; i < foreign.size(); ++i) {
      video.skip_reason += (i ? ", " : "") + foreign[i];
    }
  } else if (!has_frames) {
    // Without a frame count nothing says the annotator looked at the whole video (e.g. a
    // benchmark file carrying only a "note"), so "no labels" must not mean "no boundaries".
    video.skip_reason = "no shot-boundary labels and no frame count";
  }
  return video;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::vector<GroundTruthVideo>> LoadShotGroundTruth(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::Error(file.string() + ": cannot open");
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::parse_error& e) {
    return Status::Error(file.string() + ": invalid JSON: " + e.what());
  }
  if (!root.is_object()) return Status::Error(file.string() + ": expected a JSON object");

  std::vector<GroundTruthVideo> videos;
  const std::string name = file.filename().string();
  bool root_has_labels = false;
  for (const auto& [key, value] : root.items()) {
    if (Contains(kBoundaryKeys, key)) root_has_labels = true;
  }
  if (EndsWith(name, kSidecarSuffix) || root_has_labels) {
    // A sidecar labels one video, named by the sidecar's own file name.
    std::string key = name;
    if (EndsWith(key, kSidecarSuffix)) {
      key.resize(key.size() - kSidecarSuffix.size());
    } else if (EndsWith(key, ".json")) {
      key.resize(key.size() - 5);
    }
    Result<GroundTruthVideo> video = ParseEntry(key, root);
    if (!video.ok()) return Status::Error(file.string() + ": " + video.status().message());
    videos.push_back(std::move(*video));
    return videos;
  }

  for (const auto& [key, value] : root.items()) {
    if (IsComment(key)) continue;
    if (!value.is_object()) {
      return Status::Error(file.string() + ": entry \"" + key + "\" is not an object");
    }
    Result<GroundTruthVideo> video = ParseEntry(key, value);
    if (!video.ok()) return Status::Error(file.string() + ": " + video.status().message());
    videos.push_back(std::move(*video));
  }
  return videos;
}

const GroundTruthVideo* MatchGroundTruth(const std::vector<GroundTruthVideo>& gt,
                                         const std::string& video_path) {
  const GroundTruthVideo* best = nullptr;
  for (const GroundTruthVideo& entry : gt) {
    const std::string& key = entry.key;
    if (key.empty()) continue;
    const bool match =
        video_path == key || (video_path.size() > key.size() && EndsWith(video_path, key) &&
                              video_path[video_path.size() - key.size() - 1] == '/');
    if (match && (best == nullptr || key.size() > best->key.size())) best = &entry;
  }
  return best;
}

double PRF::precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp); }

double PRF::recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }

double PRF::f1() const {
  const double p = precision();
  const double r = recall();
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

PRF& PRF::operator+=(const PRF& other) {
  tp += other.tp;
  fp += other.fp;
  fn += other.fn;
  return *this;
}

namespace {

struct Candidate {
  long cost;  // lower is matched first
  size_t gt;
  size_t pred;
};

// Greedy one-to-one assignment: cheapest pairs first, ties broken by frame order (the inputs are
// sorted by frame) so the outcome does not depend on input order. Marks the used items.
int GreedyMatch(std::vector<Candidate> candidates, std::vector<bool>* gt_used,
                std::vector<bool>* pred_used, std::vector<Candidate>* matched = nullptr) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.cost, a.gt, a.pred) < std::tie(b.cost, b.gt, b.pred);
  });
  int count = 0;
  for (const Candidate& c : candidates) {
    if ((*gt_used)[c.gt] || (*pred_used)[c.pred]) continue;
    (*gt_used)[c.gt] = true;
    (*pred_used)[c.pred] = true;
    if (matched) matched->push_back(c);
    ++count;
  }
  return count;
}

// Frames outside [first, last] between `frame` and the interval; 0 inside.
long DistanceToInterval(long frame, const Transition& t) {
  if (frame < t.first_frame) return t.first_frame - frame;
  if (frame > t.last_frame) return frame - t.last_frame;
  return 0;
}

std::string Describe(const Transition& t) {
  if (t.type == TransitionType::kCut) return "cut at " + std::to_string(t.first_frame);
  return std::string(ToString(t.type)) + " " + std::to_string(t.first_frame) + "-" +
         std::to_string(t.last_frame);
}

std::vector<Transition> Select(const std::vector<Transition>& all, bool gradual) {
  std::vector<Transition> out;
  for (const Transition& t : all) {
    if (IsGradual(t.type) == gradual) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Transition& a, const Transition& b) {
    return std::tie(a.first_frame, a.last_frame) < std::tie(b.first_frame, b.last_frame);
  });
  return out;
}

}  // namespace

ShotEvalResult EvaluateVideo(const std::string& video, const std::vector<Transition>& gt,
                             const std::vector<Transition>& predicted, int tol) {
  tol = std::max(tol, 0);
  const std::vector<Transition> gt_cuts = Select(gt, false);
  const std::vector<Transition> gt_grad = Select(gt, true);
  const std::vector<Transition> pred_cuts = Select(predicted, false);
  const std::vector<Transition> pred_grad = Select(predicted, true);
  std::vector<bool> gt_cut_used(gt_cuts.size());
  std::vector<bool> gt_grad_used(gt_grad.size());
  std::vector<bool> pred_cut_used(pred_cuts.size());
  std::vector<bool> pred_grad_used(pred_grad.size());

  std::vector<Candidate> candidates;
  for (size_t g = 0; g < gt_cuts.size(); ++g) {
    for (size_t p = 0; p < pred_cuts.size(); ++p) {
      const long distance = std::labs(gt_cuts[g].first_frame - pred_cuts[p].first_frame);
      if (distance <= tol) candidates.push_back({distance, g, p});
    }
  }
  const int cut_matches = GreedyMatch(std::move(candidates), &gt_cut_used, &pred_cut_used);

  candidates.clear();
  for (size_t g = 0; g < gt_grad.size(); ++g) {
    for (size_t p = 0; p < pred_grad.size(); ++p) {
      const long lo = std::max(gt_grad[g].first_frame - tol, pred_grad[p].first_frame);
      const long hi = std::min(gt_grad[g].last_frame + tol, pred_grad[p].last_frame);
      if (hi >= lo) candidates.push_back({-(hi - lo + 1), g, p});  // largest overlap first
    }
  }
  const int grad_matches = GreedyMatch(std::move(candidates), &gt_grad_used, &pred_grad_used);

  // Cross-class leftovers: right place, wrong kind. Run after the per-class passes so that a
  // correct-kind match is never displaced by a wrong-kind one.
  // Candidates pairing each unused point (a cut frame) with each unused interval within tol.
  auto point_in_interval = [tol](const std::vector<Transition>& points,
                                 const std::vector<bool>& points_used,
                                 const std::vector<Transition>& intervals,
                                 const std::vector<bool>& intervals_used, bool gt_is_point) {
    std::vector<Candidate> out;
    for (size_t i = 0; i < points.size(); ++i) {
      if (points_used[i]) continue;
      for (size_t j = 0; j < intervals.size(); ++j) {
        if (intervals_used[j]) continue;
        const long distance = DistanceToInterval(points[i].first_frame, intervals[j]);
        if (distance <= tol)
          out.push_back(gt_is_point ? Candidate{distance, i, j} : Candidate{distance, j, i});
      }
    }
    return out;
  };
  std::vector<Candidate> grad_as_cut;  // gt = cut index, pred = gradual index
  GreedyMatch(point_in_interval(gt_cuts, gt_cut_used, pred_grad, pred_grad_used, true),
              &gt_cut_used, &pred_grad_used, &grad_as_cut);
  std::vector<Candidate> cut_as_grad;  // gt = gradual index, pred = cut index
  GreedyMatch(point_in_interval(pred_cuts, pred_cut_used, gt_grad, gt_grad_used, false),
              &gt_grad_used, &pred_cut_used, &cut_as_grad);

  ShotEvalResult result;
  result.video = video;
  result.cuts = {cut_matches, static_cast<int>(pred_cuts.size()) - cut_matches,
                 static_cast<int>(gt_cuts.size()) - cut_matches};
  result.gradual = {grad_matches, static_cast<int>(pred_grad.size()) - grad_matches,
                    static_cast<int>(gt_grad.size()) - grad_matches};
  const int total_matches = cut_matches + grad_matches + static_cast<int>(grad_as_cut.size()) +
                            static_cast<int>(cut_as_grad.size());
  result.total = {total_matches,
                  static_cast<int>(pred_cuts.size() + pred_grad.size()) - total_matches,
                  static_cast<int>(gt_cuts.size() + gt_grad.size()) - total_matches};

  // Notes, ordered by the frame they are about.
  std::vector<std::pair<long, std::string>> notes;
  for (const Candidate& c : grad_as_cut) {
    notes.emplace_back(
        gt_cuts[c.gt].first_frame,
        Describe(gt_cuts[c.gt]) + " found as " + Describe(pred_grad[c.pred]) + " (total only)");
  }
  for (const Candidate& c : cut_as_grad) {
    notes.emplace_back(
        gt_grad[c.gt].first_frame,
        Describe(gt_grad[c.gt]) + " found as " + Describe(pred_cuts[c.pred]) + " (total only)");
  }
  // Cross-matched items are marked used, so only true misses and false alarms remain here.
  auto add_unmatched = [&notes](const std::vector<Transition>& items, const std::vector<bool>& used,
                                const char* prefix) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (!used[i]) notes.emplace_back(items[i].first_frame, prefix + Describe(items[i]));
    }
  };
  add_unmatched(gt_cuts, gt_cut_used, "missed ");
  add_unmatched(gt_grad, gt_grad_used, "missed ");
  add_unmatched(pred_cuts, pred_cut_used, "false ");
  add_unmatched(pred_grad, pred_grad_used, "false ");
  std::stable_sort(notes.begin(), notes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& note : notes) result.notes.push_back(std::move(note.second));
  return result;
}

ShotEvalResult SumResults(const std::vector<ShotEvalResult>& rows) {
  ShotEvalResult sum;
  sum.video = "TOTAL";
  for (const ShotEvalResult& row : rows) {
    sum.cuts += row.cuts;
    sum.gradual += row.gradual;
    sum.total += row.total;
  }
  return sum;
}

namespace {

std::string FormatPRF(const PRF& prf) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "  %5.3f %5.3f %5.3f %4d %4d %4d", prf.precision(),
                prf.recall(), prf.f1(), prf.tp, prf.fp, prf.fn);
  return buffer;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

}  // namespace

std::string FormatShotEvalTable(const std::vector<ShotEvalResult>& rows,
                                const std::vector<std::string>& skipped_lines) {
  size_t width = 5;  // "video" / "TOTAL"
  for (const ShotEvalResult& row : rows) width = std::max(width, row.video.size());
  // Each PRF group is 2 + 3 * 6 - 1 + 3 * 5 = 34 characters wide.
  const std::string group = "      P     R    F1   tp   fp   fn";
  std::string out = Pad("", width) + "  " + Pad("cuts", 34) + Pad("gradual", 34) + "total\n";
  out += Pad("video", width) + group + group + group + "\n";
  auto add_row = [&](const ShotEvalResult& row) {
    out += Pad(row.video, width) + FormatPRF(row.cuts) + FormatPRF(row.gradual) +
           FormatPRF(row.total) + "\n";
  };
  for (const ShotEvalResult& row : rows) add_row(row);
  if (rows.empty()) {
    // An all-zero TOTAL would read as a perfect score under the 0/0 conventions.
    out += "(no videos scored)\n";
  } else {
    add_row(SumResults(rows));
  }
  if (!skipped_lines.empty()) {
    out += "skipped (" + std::to_string(skipped_lines.size()) + "):\n";
    for (const std::string& line : skipped_lines) out += "  " + line + "\n";
  }
  return out;
}

}  // namespace clipdex
