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
  std::vector<ExampleMatch> out;
  if (query.empty() || k <= 0) return out;
  std::vector<ExampleProbe> probes;
  for (const FrameHash& q : query) probes.push_back(MakeExampleProbe(q));
  // Similarity is 1 - mean distance / 32, clamped at 0, ties by clip id: so the order is that of
  // the summed distance capped at 32 bits a probe frame, then the id. Clips come in id order, so a
  // clip displaces the worst of the k kept only with a strictly smaller capped sum. Only the k
  // best are kept (a heap, worst on top), not a match per clip.
  const int cap = 32 * static_cast<int>(probes.size());
  struct Kept {
    int total = 0;  // capped
    int64_t id = 0;
    size_t clip = 0;
    int best_bits = 64, best_frame = 0;
  };
  auto worse = [](const Kept& a, const Kept& b) {
    return a.total != b.total ? a.total < b.total : a.id < b.id;
  };
  std::vector<Kept> heap;
  heap.reserve(static_cast<size_t>(k) + 1);
  for (size_t ci = 0; ci < clips_.size(); ++ci) {
    const Clip& c = clips_[ci];
    if (c.id == exclude || (allowed && !allowed->count(c.id))) continue;
    const bool full = heap.size() == static_cast<size_t>(k);
    const int bound = full ? heap.front().total : cap + 1;
    Kept m;
    m.id = c.id;
    m.clip = ci;
    for (const ExampleProbe& probe : probes) {
      int best = 64;
      for (int f = 0; f < c.count; ++f) {
        const int d = ExampleFrameDistance(probe, frames_[c.first + f].data(), c.windows);
        best = std::min(best, d);
        if (d < m.best_bits) {
          m.best_bits = d;
          m.best_frame = f;
        }
      }
      m.total += best;
      if (std::min(m.total, cap) >= bound) break;  // cannot beat the worst kept
    }
    m.total = std::min(m.total, cap);
    if (m.total >= bound) continue;
    if (full) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.pop_back();
    }
    heap.push_back(m);
    std::push_heap(heap.begin(), heap.end(), worse);
  }
  std::sort_heap(heap.begin(), heap.end(), worse);
  for (const Kept& m : heap) {
    const Clip& c = clips_[m.clip];
    ExampleMatch match;
    match.clip_id = c.id;
    const double mean = static_cast<double>(m.total) / static_cast<double>(probes.size());
    match.similarity = std::clamp(1.0 - mean / 32.0, 0.0, 1.0);
    match.bits = m.best_bits;
    match.time = c.start + c.duration * (2.0 * m.best_frame + 1.0) / (2.0 * c.count);
    out.push_back(match);
  }
  return out;
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
