// Cost of the near-duplicate signature's hashing (analyze/dup_signature.h), per sample, against
// the two earlier implementations kept here as references:
//   v1  5 pHashes per sample (cv::img_hash::PHash after an INTER_AREA resize each): the
//       signature before window hashes;
//   v2  v1 + 13 window pHashes the same way (the signature of 2026-12-04, 18 hashes);
//   now SignatureOfSamples: 32 hashes (v2's 18 + 14 gradient hashes) from one integral image
//       and a direct 8x8-output DCT, plus (format 4) the motion maps;
//   motion  the motion maps' own part alone (median background, 8x8 cells; the 32x32 reductions
//       are the hashing's), so that now - motion is the format-3 cost.
// Input: clips of 64 grey 160x90 frames panning and zooming over photos of ../shared/media (the
// analysis pictures an ingest hands the analyzer). Prints medians over repeats and the ratios.
//
//   build/release/dup_signature_bench [repeats=9]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "analyze/dup_signature.h"

namespace {

using clipdex::DupSignatureOptions;

uint64_t OpenCvPHash(const cv::Mat& gray) {
  thread_local cv::Ptr<cv::img_hash::PHash> phash = cv::img_hash::PHash::create();
  cv::Mat small, bytes;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  phash->compute(small, bytes);
  uint64_t v = 0;
  for (int i = 0; i < bytes.cols; ++i) v = (v << 8) | bytes.at<uint8_t>(0, i);
  return v;
}

// The reference hashing of one sample (v1: windows = false, v2: true); returns a checksum so
// the work is not optimised away.
uint64_t ReferenceHashes(const cv::Mat& gray, const DupSignatureOptions& o, bool windows) {
  cv::Mat small;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::Scalar mean, stddev;
  cv::meanStdDev(small, mean, stddev);
  if (stddev[0] < o.min_contrast || clipdex::StructureOf(small) < o.min_structure) return 0;
  auto centre_of = [&](const cv::Mat& m) {
    const int w = std::max(1, static_cast<int>(std::lround(m.cols * o.centre_fraction)));
    const int h = std::max(1, static_cast<int>(std::lround(m.rows * o.centre_fraction)));
    return m(cv::Rect((m.cols - w) / 2, (m.rows - h) / 2, w, h));
  };
  cv::Mat centre, mirrored, mirrored_centre;
  cv::resize(centre_of(gray), centre, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::flip(small, mirrored, 1);
  cv::flip(centre, mirrored_centre, 1);
  uint64_t sum = OpenCvPHash(small) ^ OpenCvPHash(mirrored) ^ OpenCvPHash(centre) ^
                 OpenCvPHash(mirrored_centre) ^ OpenCvPHash(centre_of(centre_of(gray)));
  if (windows) {
    for (int w = 0; w < clipdex::kWindows; ++w) {
      sum ^= OpenCvPHash(gray(clipdex::WindowRect(w, gray.cols, gray.rows))) << w;
    }
  }
  return sum;
}

std::vector<std::vector<cv::Mat>> Clips(const std::filesystem::path& media) {
  std::vector<std::vector<cv::Mat>> clips;
  for (const char* name : {"opencv/baboon.jpg", "opencv/fruits.jpg", "opencv/building.jpg",
                           "skimage/astronaut.png", "skimage/coffee.png", "skimage/chelsea.png",
                           "opencv/starry_night.jpg", "skimage/motorcycle_left.png"}) {
    const cv::Mat photo = cv::imread((media / "photos" / name).string(), cv::IMREAD_GRAYSCALE);
    if (photo.empty()) continue;
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<cv::Mat> frames;
      for (int k = 0; k < 64; ++k) {
        // A window of 60-70 % of the photo panning right and zooming in slowly.
        const double s = 0.7 - 0.1 * k / 63.0;
        const int w = static_cast<int>(photo.cols * s), h = static_cast<int>(w * 9 / 16);
        const int x = std::min(photo.cols - w, (photo.cols - w) * (k + 20 * variant) / 103);
        const int y = std::min(photo.rows - h, (photo.rows - h) * variant / 2);
        cv::Mat f;
        cv::resize(photo(cv::Rect(x, y, w, std::min(h, photo.rows - y))), f, cv::Size(160, 90), 0,
                   0, cv::INTER_AREA);
        frames.push_back(f);
      }
      clips.push_back(std::move(frames));
    }
  }
  return clips;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const char* env = std::getenv("CLIPDEX_MEDIA");
  const std::filesystem::path media =
      env ? env : std::filesystem::path(CLIPDEX_SHARED_DIR) / "media";
  const auto clips = Clips(media);
  if (clips.empty()) {
    std::fprintf(stderr, "no photos under %s\n", media.string().c_str());
    return 1;
  }
  long samples = 0;
  for (const auto& c : clips) samples += static_cast<long>(c.size());
  const DupSignatureOptions options;
  using Clock = std::chrono::steady_clock;
  uint64_t sink = 0;
  auto time_us = [&](auto&& body) {
    std::vector<double> runs;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = Clock::now();
      for (const auto& c : clips) body(c);
      runs.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() /
                     static_cast<double>(samples));
    }
    return Median(runs);
  };
  auto reference = [&](bool windows) {
    return [&, windows](const std::vector<cv::Mat>& frames) {
      const cv::Rect box = clipdex::ContentBox(frames, options);
      for (const cv::Mat& g : frames) sink ^= ReferenceHashes(g(box), options, windows);
    };
  };
  const double v1 = time_us(reference(false));
  const double v2 = time_us(reference(true));
  const double now = time_us([&](const std::vector<cv::Mat>& frames) {
    sink ^= clipdex::SignatureOfSamples(frames, options).frames.size();
  });
  // The motion maps' own work: the 32x32 reductions come free from the hashing (reduced once,
  // here outside the timing), the median background and the 8x8 cells do not.
  std::map<const std::vector<cv::Mat>*, std::vector<cv::Mat>> smalls;
  for (const auto& c : clips) {
    const cv::Rect box = clipdex::ContentBox(c, options);
    for (const cv::Mat& g : c) {
      cv::Mat small;
      cv::resize(g(box), small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
      small.convertTo(small, CV_32F);
      smalls[&c].push_back(std::move(small));
    }
  }
  const double motion = time_us([&](const std::vector<cv::Mat>& frames) {
    for (uint64_t m : clipdex::MotionMaps(smalls.at(&frames), options)) sink ^= m;
  });
  std::printf("dup signature hashing, %zu clips x 64 samples of 160x90, median of %d runs\n",
              clips.size(), repeats);
  std::printf("  v1  5 pHashes (before windows)        %8.1f us/sample\n", v1);
  std::printf("  v2  18 pHashes (windows, 2026-12-04)   %8.1f us/sample  %.2fx v1\n", v2, v2 / v1);
  std::printf("  now 32 hashes (integral image, DCT8)   %8.1f us/sample  %.2fx v1, %.2fx v2\n", now,
              now / v1, now / v2);
  std::printf(
      "  motion maps alone (format 4's addition) %6.1f us/sample; now / (now - motion) = "
      "%.3fx format 3\n",
      motion, now / (now - motion));
  std::printf("(checksum %llx)\n", static_cast<unsigned long long>(sink));
  return 0;
}
