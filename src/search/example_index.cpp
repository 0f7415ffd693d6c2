// Query by example over the clips' perceptual hashes (see search/example_index.h).
#include "search/example_index.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "media/frame_grabber.h"
#include "media/probe.h"
#include "search/example_distance.h"

namespace clipdex {

ExampleIndex::Hashes ExampleIndex::Keep(const FrameHash& h) {
  static_assert(kKept == kKeptHashes, "search/example_distance.h reads this layout");
  return KeepExampleHashes(h);
}

Result<std::shared_ptr<ExampleIndex>> ExampleIndex::Build(Catalog& catalog) {
  auto index = std::make_shared<ExampleIndex>();
  Status st = catalog.ForEachSignature(
      [&](int64_t clip_id, std::string_view text, double start, double duration) {
        auto sig = DupSignature::Parse(text);
        if (!sig.ok() || sig->frames.empty()) return;  // a bad signature only costs that clip
        Clip c;
        c.id = clip_id;
        c.start = start;
        c.duration = duration;
        c.first = static_cast<uint32_t>(index->frames_.size());
        c.windows = sig->has_windows;
        const size_t n = sig->frames.size();
        const size_t keep = std::min<size_t>(n, kExampleFrames);
        for (size_t i = 0; i < keep; ++i) {
          // Uniform in time: the middle of each of `keep` equal parts of the samples.
          const size_t at = std::min(n - 1, (2 * i + 1) * n / (2 * keep));
          index->frames_.push_back(Keep(sig->frames[at]));
        }
        c.count = static_cast<uint8_t>(keep);
        index->clips_.push_back(c);
      });
  if (!st.ok()) return Status::Error("example index: " + st.message());
  index->clips_.shrink_to_fit();
  index->frames_.shrink_to_fit();
  return index;
}

size_t ExampleIndex::bytes() const {
  return clips_.capacity() * sizeof(Clip) + frames_.capacity() * sizeof(Hashes);
}

std::vector<ExampleMatch> ExampleIndex::Nearest(const std::vector<FrameHash>& query, int k,
                                                const std::unordered_set<int64_t>* allowed,
                                                int64_t exclude) const {
  std::vector<ExampleMatch> all;
  if (query.empty() || k <= 0) return all;
  std::vector<ExampleProbe> probes;
  for (const FrameHash& q : query) probes.push_back(MakeExampleProbe(q));
  for (const Clip& c : clips_) {
    if (c.id == exclude || (allowed && !allowed->count(c.id))) continue;
    int total = 0;
    int best_bits = 64;
    int best_frame = 0;
    for (size_t qi = 0; qi < query.size(); ++qi) {
      int best = 64;
      for (int f = 0; f < c.count; ++f) {
        const int d = ExampleFrameDistance(probes[qi], frames_[c.first + f].data(), c.windows);
        if (d < best) {
          best = d;
          if (d < best_bits) {
            best_bits = d;
            best_frame = f;
          }
        }
      }
      total += best;
    }
    const double mean = static_cast<double>(total) / static_cast<double>(query.size());
    ExampleMatch m;
    m.clip_id = c.id;
    m.similarity = std::clamp(1.0 - mean / 32.0, 0.0, 1.0);
    m.bits = best_bits;
    m.time = c.start + c.duration * (2.0 * best_frame + 1.0) / (2.0 * c.count);
    all.push_back(m);
  }
  auto better = [](const ExampleMatch& a, const ExampleMatch& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.clip_id < b.clip_id;
  };
  const size_t top = std::min(all.size(), static_cast<size_t>(k));
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(top), all.end(), better);
  all.resize(top);
  return all;
}

std::optional<FrameHash> HashExamplePicture(const cv::Mat& picture) {
  if (picture.empty()) return std::nullopt;
  const DupSignatureOptions options;
  cv::Mat gray;
  if (picture.channels() == 3) {
    cv::cvtColor(picture, gray, cv::COLOR_BGR2GRAY);
  } else if (picture.channels() == 4) {
    cv::cvtColor(picture, gray, cv::COLOR_BGRA2GRAY);
  } else {
    gray = picture;
  }
  // The same working size as ingest's samples (longer side options.long_side, area averaging).
  const int long_side = std::max(gray.cols, gray.rows);
  if (long_side > options.long_side) {
    const double f = static_cast<double>(options.long_side) / long_side;
    cv::Mat small;
    cv::resize(gray, small,
               cv::Size(std::max(1, static_cast<int>(gray.cols * f + 0.5)),
                        std::max(1, static_cast<int>(gray.rows * f + 0.5))),
               0, 0, cv::INTER_AREA);
    gray = small;
  }
  const cv::Rect box = ContentBox({gray}, options);
  return HashPicture(box.area() > 0 ? gray(box) : gray, options);
}

Result<cv::Mat> ReadExamplePicture(const std::filesystem::path& path) {
  auto probe = Probe(path);
  if (!probe.ok()) {
    return Status::Error("cannot read example image " + path.string() + ": " +
                         probe.status().message());
  }
  auto grabbed = GrabFrames(path, *probe, {0.0}, 640, 20.0);
  if (!grabbed.ok() || grabbed->pictures.empty()) {
    return Status::Error("cannot read example image " + path.string() + ": " +
                         (grabbed.ok() ? std::string("no picture") : grabbed.status().message()));
  }
  return grabbed->pictures.front();
}

Result<FrameHash> HashExampleFile(const std::filesystem::path& path) {
  auto picture = ReadExamplePicture(path);
  if (!picture.ok()) return picture.status();
  auto hash = HashExamplePicture(*picture);
  if (!hash) {
    return Status::Error("example image " + path.string() +
                         " has no features to compare (a flat picture)");
  }
  return *hash;
}

}  // namespace clipdex
