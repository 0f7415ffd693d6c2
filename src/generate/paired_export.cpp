#include "generate/paired_export.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "media/frame_grabber.h"
#include "media/jpeg.h"
#include "util/stable_hash.h"

namespace clipdex {
namespace {

// Black lines on white: Canny on the blurred luma with thresholds around its median (0.66x and
// 1.33x), the usual automatic setting, then inverted.
cv::Mat Sketch(const cv::Mat& bgr) {
  cv::Mat gray, blurred, edges;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(gray, blurred, cv::Size(5, 5), 1.2);
  std::vector<uchar> values(blurred.begin<uchar>(), blurred.end<uchar>());
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  const double median = values.empty() ? 128 : values[values.size() / 2];
  cv::Canny(blurred, edges, std::max(0.0, 0.66 * median), std::min(255.0, 1.33 * median));
  cv::Mat out;
  cv::bitwise_not(edges, out);
  return out;
}

// The degradation for `key`, applied to `clean`; its description goes into `info`.
Result<std::vector<uint8_t>> Degrade(const cv::Mat& clean, const std::string& key,
                                     nlohmann::ordered_json* info) {
  cv::Mat out;
  switch (StableHash(key) % 4) {
    case 0:
      cv::GaussianBlur(clean, out, cv::Size(0, 0), 3.0);
      (*info)["degradation"] = {{"kind", "blur"}, {"sigma", 3.0}};
      break;
    case 1: {
      cv::Mat noise(clean.size(), CV_16SC3);
      cv::RNG rng(StableHash(key));  // seeded by the key: the same noise every run
      rng.fill(noise, cv::RNG::NORMAL, 0, 20);
      cv::Mat wide;
      clean.convertTo(wide, CV_16SC3);
      cv::add(wide, noise, wide);
      wide.convertTo(out, CV_8UC3);
      (*info)["degradation"] = {{"kind", "noise"}, {"sigma", 20}};
      break;
    }
    case 2:
      (*info)["degradation"] = {{"kind", "jpeg"}, {"quality", 12}};
      return EncodeJpeg(clean, 12);
    default: {
      cv::Mat small;
      cv::resize(clean, small, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
      cv::resize(small, out, clean.size(), 0, 0, cv::INTER_LINEAR);
      (*info)["degradation"] = {{"kind", "downscale"}, {"factor", 4}};
      break;
    }
  }
  return EncodeJpeg(out, 95);
}

// Binary PGM (P5): lossless for line art, no image-codec library needed (the engine links none
// but libjpeg), and read by WebDataset's decoders (PIL) and OpenCV alike.
std::string Pgm(const cv::Mat& gray) {
  std::string out = "P5\n" + std::to_string(gray.cols);
  out += ' ';
  out += std::to_string(gray.rows);
  out += "\n255\n";
  for (int y = 0; y < gray.rows; ++y) {
    out.append(reinterpret_cast<const char*>(gray.ptr<uchar>(y)), static_cast<size_t>(gray.cols));
  }
  return out;
}

// The sample of one clip, or the reason it has none.
Status AddSample(const VideoRecord& v, const ClipRecord& c, const std::string& kind, int long_side,
                 WebDatasetWriter* writer) {
  const bool at_start = kind == "first-frame" || kind == "camera";
  const double duration = std::max(0.0, c.end_time - c.start_time);
  // A little inside the clip: its very first frame time may fall on the previous shot after a
  // seek rounds (as captioning's keyframes do).
  const double time =
      at_start ? c.start_time + std::min(0.05, duration / 4) : c.start_time + duration / 2;
  auto grabbed = GrabFrames(v.path, v.probe, {time}, long_side, /*deadline_seconds=*/60);
  if (!grabbed.ok()) return grabbed.status();
  if (grabbed->pictures.empty() || grabbed->pictures[0].empty()) {
    return Status::Error("no picture at " + std::to_string(time) + " s");
  }
  const cv::Mat& picture = grabbed->pictures[0];
  const std::string key = SampleKey(v, c);
  nlohmann::ordered_json info = {{"key", key},
                                 {"kind", kind},
                                 {"video", v.path},
                                 {"clip_index", c.index},
                                 {"start", c.start_time},
                                 {"end", c.end_time},
                                 {"time", time}};
  auto clean = EncodeJpeg(picture, 95);
  if (!clean.ok()) return clean.status();
  std::vector<SampleMember> members;
  members.push_back({"jpg", {}, std::string(clean->begin(), clean->end())});
  if (kind == "sketch") {
    members.push_back({"sketch.pgm", {}, Pgm(Sketch(picture))});
    info["sketch"] = "canny, thresholds 0.66x / 1.33x the blurred luma's median, inverted";
  } else if (kind == "degraded") {
    auto degraded = Degrade(picture, key, &info);
    if (!degraded.ok()) return degraded.status();
    members.push_back({"degraded.jpg", {}, std::string(degraded->begin(), degraded->end())});
  } else if (kind == "first-frame") {
    const Attribute* caption = FindAttribute(c, "caption.text");
    members.push_back({"txt", {}, caption ? caption->text : ""});
  } else {  // camera
    const Attribute* segs = FindAttribute(c, "camera.segments");
    info["trajectory"] =
        segs ? nlohmann::json::parse(segs->text, nullptr, false) : nlohmann::json::array();
    if (info["trajectory"].is_discarded()) info["trajectory"] = nlohmann::json::array();
    const Attribute* movement = FindAttribute(c, "camera.movement");
    info["movement"] = movement ? movement->text : "";
  }
  members.push_back({"json", {}, info.dump()});
  return writer->Add(key, members);
}

}  // namespace

bool IsPairKind(const std::string& kind) {
  return kind == "sketch" || kind == "degraded" || kind == "first-frame" || kind == "camera";
}

Result<ExportCounts> ExportPairs(Catalog& catalog, const ExportSelection& selection,
                                 const std::string& kind, int long_side, WebDatasetWriter* writer,
                                 const ClipFailureFn& on_failure) {
  if (!IsPairKind(kind)) {
    return Status::Error("--pairs: unknown kind '" + kind +
                         "' (sketch, degraded, first-frame, camera)");
  }
  ExportCounts counts;
  long seen = 0;
  Status walk = catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        if (selection.limit >= 0 && seen >= selection.limit) return false;
        ++seen;
        if (v.status != "ok") return true;
        Status s = AddSample(v, c, kind, long_side, writer);
        if (s.ok()) {
          ++counts.written;
        } else {
          ++counts.failed;
          on_failure(v, c, s);
        }
        return true;
      },
      selection.clip_table);
  if (!walk.ok()) return walk;
  if (Status s = writer->Finish(); !s.ok()) return s;
  return counts;
}

}  // namespace clipdex
