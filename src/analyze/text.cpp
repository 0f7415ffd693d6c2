#include "analyze/text.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

#include "analyze/watermark.h"

namespace clipdex {
namespace {

// A text line seen at about the same place in several samples.
struct TextTrack {
  cv::Rect rect;                     // of its first sighting (analysis pixels)
  std::vector<int> samples;          // sample indices where it was seen
  std::map<std::string, int> texts;  // recognised text -> how often
  double first_time = 0, last_time = 0;
  std::string BestText() const {
    std::string best;
    int n = 0;
    for (const auto& [t, c] : texts) {
      if (c > n || (c == n && t.size() > best.size())) best = t, n = c;
    }
    return best;
  }
};

double Iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

double CoveredFraction(const std::vector<cv::Rect>& rects, cv::Size size) {
  if (rects.empty()) return 0;
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  for (const cv::Rect& r : rects) mask(r & cv::Rect(0, 0, size.width, size.height)).setTo(255);
  return static_cast<double>(cv::countNonZero(mask)) / size.area();
}

// Levenshtein distance over bytes; lines are short (< 100 characters).
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// Cuts `s` to at most `max_bytes` without splitting a UTF-8 character.
std::string TruncateUtf8(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

cv::Rect ToSource(const cv::Rect& r, cv::Size analysed, const ClipSpan& clip) {
  if (clip.width <= 0 || clip.height <= 0) return r;
  const double sx = static_cast<double>(clip.width) / analysed.width;
  const double sy = static_cast<double>(clip.height) / analysed.height;
  return {cvRound(r.x * sx), cvRound(r.y * sy), cvRound(r.width * sx), cvRound(r.height * sy)};
}

// A sample's picture in miniature (grey, 64x36, area-averaged: each cell the mean of ~10x10
// pixels of the 640 px sample), to tell a repeat of an already-read sample from a new picture.
cv::Mat Miniature(const cv::Mat& bgr) {
  cv::Mat grey, small;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::resize(grey, small, cv::Size(64, 36), 0, 0, cv::INTER_AREA);
  return small;
}

// Whether two samples show the same picture: no cell of their miniatures differs by more than
// `max_diff` grey levels. Compression noise averages out in a cell (1-3 levels); a text line
// appearing, a digit of a clock changing or any movement moves some cell by tens of levels.
bool SamePicture(const cv::Mat& a, const cv::Mat& b, double max_diff) {
  if (a.size() != b.size()) return false;
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  double most = 0;
  cv::minMaxLoc(diff, nullptr, &most);
  return most <= max_diff;
}

}  // namespace

TextAnalyzer::TextAnalyzer(const TextModelFiles& models, TextOptions options)
    : options_(std::move(options)) {
  auto reader = TextReader::Load(models.det, models.rec, models.dictionary, options_.reader);
  if (reader.ok()) {
    reader_ = std::move(reader.value());
  } else {
    load_status_ = reader.status();
  }
}

TextAnalyzer::TextAnalyzer(std::shared_ptr<TextReader> reader, TextOptions options)
    : options_(std::move(options)), reader_(std::move(reader)) {
  if (!reader_) load_status_ = Status::Error("no text reader");
}

FrameNeed TextAnalyzer::need() const {
  FrameNeed n;
  n.sample_fps = options_.sample_fps;
  n.long_side = options_.long_side;
  n.gray = false;
  return n;
}

Result<FrameText> TextAnalyzer::ReadFrame(const cv::Mat& bgr) {
  if (!reader_) return load_status_;
  auto lines = reader_->Read(bgr);
  if (!lines.ok()) return lines.status();
  FrameText ft;
  ft.lines = std::move(lines.value());
  std::vector<cv::Rect> all, bottom;
  for (const TextLine& l : ft.lines) {
    all.push_back(l.rect);
    const double cx = l.rect.x + l.rect.width / 2.0, cy = l.rect.y + l.rect.height / 2.0;
    if (cy >= options_.bottom_band * bgr.rows &&
        std::abs(cx - bgr.cols / 2.0) <= options_.centre_band * bgr.cols) {
      bottom.push_back(l.rect);
    }
  }
  ft.area_ratio = CoveredFraction(all, bgr.size());
  ft.subtitle_ratio = CoveredFraction(bottom, bgr.size());
  return ft;
}

void TextAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                           std::vector<Attribute>* out) {
  if (!reader_ || frames.empty()) return;
  // ONNX Runtime runs without its arena (bounded memory), so every run mallocs and frees
  // tensors of varying sizes (the recogniser's width follows each text line); glibc keeps the
  // freed pages, and a long video grew peak RSS by ~50 MB over 260 clips. Hand them back every
  // 16 clips: trimming after every clip cost ~5 % CPU in page faults on the next clip.
  struct TrimEvery16 {
    int* count;
    ~TrimEvery16() {
#ifdef __GLIBC__
      if (++*count % 16 == 0) malloc_trim(0);
#endif
    }
  } trim{&clips_analyzed_};
  // At most max_samples, spread evenly over the clip.
  std::vector<const AnalysisFrame*> picked;
  const size_t n = std::min(frames.size(), static_cast<size_t>(std::max(1, options_.max_samples)));
  for (size_t k = 0; k < n; ++k) {
    picked.push_back(&frames[n == 1 ? frames.size() / 2 : k * (frames.size() - 1) / (n - 1)]);
  }
  // OCR is the costliest analysis per sample, and most clips carry no text: read a few probe
  // samples first and read the rest only when a probe finds any text line.
  std::vector<size_t> order;
  const size_t probes = std::min(picked.size(), static_cast<size_t>(std::max(1, options_.probes)));
  for (size_t k = 0; k < probes; ++k) order.push_back((2 * k + 1) * picked.size() / (2 * probes));
  std::vector<std::optional<FrameText>> read(picked.size());
  // A sample showing the same picture as one already read (a title card, a still shot, a held
  // frame) gets that sample's text instead of another OCR run: the same pixels, up to
  // compression noise, give the same lines (the text of the ingest benchmark's 24 clips is the
  // same with 50 OCR runs as with 60; box sizes move by OCR's own jitter of a few pixels).
  std::vector<cv::Mat> minis(picked.size());
  auto read_sample = [&](size_t k) -> Result<FrameText> {
    minis[k] = Miniature(picked[k]->image);
    for (size_t j = 0; j < picked.size(); ++j) {
      if (j != k && read[j] && SamePicture(minis[j], minis[k], options_.repeat_max_diff)) {
        ++repeats_reused_;
        return *read[j];
      }
    }
    return ReadFrame(picked[k]->image);
  };
  bool any_text = false;
  for (size_t at : order) {
    auto ft = read_sample(at);
    if (!ft.ok()) return;  // a model failure: no attributes rather than wrong ones
    any_text = any_text || !ft->lines.empty();
    read[at] = std::move(ft.value());
  }
  std::vector<FrameText> texts;
  std::vector<cv::Mat> grey;
  std::vector<const AnalysisFrame*> used;
  for (size_t k = 0; k < picked.size(); ++k) {
    if (!read[k]) {
      if (!any_text) continue;  // textless probes: the clip is textless at this sampling
      auto ft = read_sample(k);
      if (!ft.ok()) return;
      read[k] = std::move(ft.value());
    }
    texts.push_back(*read[k]);  // a copy: later samples may reuse read[k] (read_sample)
    cv::Mat g;
    cv::cvtColor(picked[k]->image, g, cv::COLOR_BGR2GRAY);
    grey.push_back(g);
    used.push_back(picked[k]);
  }
  picked = std::move(used);
  const cv::Size size = picked[0]->image.size();

  // Tracks: a line joins the track whose first box overlaps it most (IoU >= 0.5).
  std::vector<TextTrack> tracks;
  for (size_t s = 0; s < texts.size(); ++s) {
    for (const TextLine& l : texts[s].lines) {
      TextTrack* best = nullptr;
      double best_iou = 0.5;
      for (TextTrack& t : tracks) {
        const double iou = Iou(t.rect, l.rect);
        if (iou >= best_iou && (t.samples.empty() || t.samples.back() != static_cast<int>(s))) {
          best = &t;
          best_iou = iou;
        }
      }
      if (best == nullptr) {
        tracks.push_back({l.rect, {}, {}, picked[s]->time, picked[s]->time});
        best = &tracks.back();
      }
      best->samples.push_back(static_cast<int>(s));
      best->last_time = picked[s]->time;
      if (!l.text.empty()) best->texts[l.text]++;
    }
  }

  // Watermark: a fixed OCR line in most samples while the picture changes around it.
  const int samples = static_cast<int>(texts.size());
  std::vector<bool> is_watermark(tracks.size(), false);
  std::optional<cv::Rect> watermark;
  std::string evidence;
  bool decidable = samples >= 3 && PictureChanges(grey);
  if (decidable) {
    for (size_t t = 0; t < tracks.size(); ++t) {
      if (tracks[t].samples.size() >= options_.watermark_presence * samples &&
          PictureChanges(grey, tracks[t].rect)) {
        is_watermark[t] = true;
        if (!watermark || tracks[t].rect.area() > watermark->area()) watermark = tracks[t].rect;
        evidence = "ocr";
      }
    }
    if (!watermark) {
      watermark = FindPersistentEdgeOverlay(grey);
      if (watermark) evidence = "edges";
    }
  }

  // Subtitle: bottom-centre lines that are not a watermark, in >= 2 samples.
  int subtitle_samples = 0;
  for (int s = 0; s < samples; ++s) {
    bool found = false;
    for (const TextLine& l : texts[s].lines) {
      const double cx = l.rect.x + l.rect.width / 2.0, cy = l.rect.y + l.rect.height / 2.0;
      if (cy < options_.bottom_band * size.height ||
          std::abs(cx - size.width / 2.0) > options_.centre_band * size.width) {
        continue;
      }
      bool fixed = false;
      for (size_t t = 0; t < tracks.size(); ++t) {
        fixed = fixed || (is_watermark[t] && Iou(tracks[t].rect, l.rect) >= 0.5);
      }
      found = found || !fixed;
    }
    subtitle_samples += found;
  }

  double max_ratio = 0, sum_ratio = 0;
  for (const FrameText& ft : texts) {
    max_ratio = std::max(max_ratio, ft.area_ratio);
    sum_ratio += ft.area_ratio;
  }
  out->push_back(Attribute::Num("text.area_ratio", max_ratio));
  out->push_back(Attribute::Num("text.area_ratio_mean", sum_ratio / samples));
  out->push_back(Attribute::Num("text.subtitle", subtitle_samples >= 2 ? 1 : 0));

  // Content: every reading in order of first appearance, near-duplicates (edit distance <= 25 %
  // of the longer) merged into the longer reading. Readings, not tracks: successive subtitles
  // share one place on screen.
  std::vector<std::string> content;
  for (const FrameText& ft : texts) {
    for (const TextLine& l : ft.lines) {
      if (l.text.empty()) continue;
      bool duplicate = false;
      for (std::string& c : content) {
        if (EditDistance(c, l.text) * 4 <= std::max(c.size(), l.text.size())) {
          if (l.text.size() > c.size()) c = l.text;
          duplicate = true;
          break;
        }
      }
      if (!duplicate) content.push_back(l.text);
    }
  }
  std::vector<const TextTrack*> ordered;
  for (const TextTrack& t : tracks) ordered.push_back(&t);
  std::string joined;
  for (const std::string& c : content) joined += (joined.empty() ? "" : " | ") + c;
  if (!joined.empty()) {
    out->push_back(
        Attribute::Text("text.content", TruncateUtf8(joined, options_.max_content_bytes)));
  }

  if (!tracks.empty()) {
    nlohmann::json boxes = nlohmann::json::array();
    std::vector<const TextTrack*> by_presence = ordered;
    std::stable_sort(by_presence.begin(), by_presence.end(),
                     [](auto* a, auto* b) { return a->samples.size() > b->samples.size(); });
    for (const TextTrack* t : by_presence) {
      if (static_cast<int>(boxes.size()) >= options_.max_tracks_json) break;
      const cv::Rect r = ToSource(t->rect, size, clip);
      boxes.push_back({{"rect", {r.x, r.y, r.width, r.height}},
                       {"text", t->BestText()},
                       {"samples", t->samples.size()},
                       {"first", t->first_time},
                       {"last", t->last_time}});
    }
    out->push_back(Attribute::Text("text.boxes", boxes.dump()));
  }

  if (decidable) {
    out->push_back(Attribute::Num("watermark.present", watermark ? 1 : 0));
    if (watermark) {
      const cv::Rect r = ToSource(*watermark, size, clip);
      out->push_back(
          Attribute::Text("watermark.rect", nlohmann::json({r.x, r.y, r.width, r.height}).dump()));
      out->push_back(Attribute::Text("watermark.evidence", evidence));
    }
  }
}

}  // namespace clipdex
