#include "curate/dedup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <memory>
#include <numeric>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "analyze/clip_embedding.h"
#include "curate/multi_index_hash.h"
#include "curate/semantic_index.h"
#include "util/parallel.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---- Grouping ----------------------------------------------------------------------------------

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t Find(size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }
  void Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<size_t> parent_;
};

// True when clip a should be kept over clip b (see the header: quality, pixels, duration, id).
bool BetterKeeper(const DedupClip& a, const DedupClip& b) {
  if (a.has_quality != b.has_quality) return a.has_quality;
  if (a.has_quality && a.quality != b.quality) return a.quality > b.quality;
  if (a.pixels != b.pixels) return a.pixels > b.pixels;
  if (a.duration != b.duration) return a.duration > b.duration;
  return a.clip_id < b.clip_id;
}

// The distinct hashes of `kinds` of every frame, plus those of `sparse_kinds` of every
// kSparseStride-th frame.
constexpr size_t kSparseStride = 3;
std::vector<uint64_t> DistinctHashes(const DupSignature& sig, const std::vector<HashKind>& kinds,
                                     const std::vector<HashKind>& sparse_kinds = {}) {
  std::vector<uint64_t> out;
  out.reserve(sig.frames.size() * (kinds.size() + sparse_kinds.size()));
  for (size_t i = 0; i < sig.frames.size(); ++i) {
    for (HashKind k : kinds) out.push_back(sig.frames[i].of(k));
    if (i % kSparseStride == 0) {
      for (HashKind k : sparse_kinds) out.push_back(sig.frames[i].of(k));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

uint64_t PairKey(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (uint64_t{a} << 32) | b;
}

// Distinct looks of a clip: 1 + the frames whose plain hash differs by more than `hamming` bits
// from the last look.
int Looks(const DupSignature& sig, int hamming) {
  if (sig.frames.empty()) return 0;
  int looks = 1;
  uint64_t last = sig.frames.front().of(HashKind::kPlain);
  for (const FrameHash& f : sig.frames) {
    if (HammingDistance(f.of(HashKind::kPlain), last) > hamming) {
      ++looks;
      last = f.of(HashKind::kPlain);
    }
  }
  return looks;
}

// An 8x8 bitmap (bit y * 8 + x) mirrored left-right: each byte's bits reversed.
uint64_t MirrorMap(uint64_t m) {
  m = ((m >> 1) & 0x5555555555555555ULL) | ((m & 0x5555555555555555ULL) << 1);
  m = ((m >> 2) & 0x3333333333333333ULL) | ((m & 0x3333333333333333ULL) << 2);
  return ((m >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((m & 0x0f0f0f0f0f0f0f0fULL) << 4);
}

// An 8x8 bitmap grown by `r` cells in every direction (a square neighbourhood).
uint64_t Dilate(uint64_t m, int r) {
  constexpr uint64_t kNotLeftColumn = 0xfefefefefefefefeULL;   // x != 0
  constexpr uint64_t kNotRightColumn = 0x7f7f7f7f7f7f7f7fULL;  // x != 7
  for (int i = 0; i < r; ++i) {
    m |= ((m << 1) & kNotLeftColumn) | ((m >> 1) & kNotRightColumn);
    m |= (m << 8) | (m >> 8);
  }
  return m;
}

int Popcount(uint64_t m) { return HammingDistance(m, 0); }

// The window index of a window pHash kind, else -1.
int WindowOf(HashKind k) {
  const int w = static_cast<int>(k) - static_cast<int>(WindowKind(0));
  return w >= 0 && w < kWindows ? w : -1;
}

// The part of an 8x8 motion map under window `w`, scaled up to a whole map (nearest cell): the
// map a crop around window w would have.
uint64_t WindowMapToWhole(uint64_t m, int w) {
  constexpr int kSide = 800;  // units of 1/100 cell
  const cv::Rect r = WindowRect(w, kSide, kSide);
  uint64_t out = 0;
  for (int y = 0; y < 8; ++y) {
    const int sy = std::min(7, (r.y + (2 * y + 1) * r.height / 16) / (kSide / 8));
    for (int x = 0; x < 8; ++x) {
      const int sx = std::min(7, (r.x + (2 * x + 1) * r.width / 16) / (kSide / 8));
      if ((m >> (sy * 8 + sx)) & 1) out |= uint64_t{1} << (y * 8 + x);
    }
  }
  return out;
}

// The median number of moved cells over a clip's motion maps.
int MedianMovedCells(const DupSignature& sig) {
  std::vector<int> moved;
  moved.reserve(sig.frames.size());
  for (const FrameHash& f : sig.frames) moved.push_back(Popcount(f.of(HashKind::kMotion)));
  if (moved.empty()) return 0;
  std::nth_element(moved.begin(), moved.begin() + moved.size() / 2, moved.end());
  return moved[moved.size() / 2];
}

}  // namespace

bool MotionMapsAgree(uint64_t a, uint64_t b, bool mirrored, const MotionTest& test) {
  if (test.cells < 0) return true;
  if (mirrored) a = MirrorMap(a);
  const int unexplained =
      Popcount(a & ~Dilate(b, test.dilate)) + Popcount(b & ~Dilate(a, test.dilate));
  return unexplained <= test.cells;
}

int AlignedMatches(const DupSignature& a, const DupSignature& b, const Relation& relation,
                   int hamming, int hamming2, const MotionTest& motion) {
  if (hamming2 < 0) hamming2 = hamming;
  const bool use_motion = motion.cells >= 0 && a.has_motion && b.has_motion;
  const bool mirrored =
      (relation.a1 == HashKind::kMirrored) != (relation.b1 == HashKind::kMirrored);
  // Under a window crop relation one clip shows the other's window: its map is compared with
  // that window's part of the other's map, scaled up.
  const int b_window = relation.a1 == HashKind::kPlain ? WindowOf(relation.b1) : -1;
  const int a_window = relation.b1 == HashKind::kPlain ? WindowOf(relation.a1) : -1;
  auto map_of = [](const FrameHash& f, int window) {
    const uint64_t m = f.of(HashKind::kMotion);
    return window >= 0 ? WindowMapToWhole(m, window) : m;
  };
  std::vector<uint64_t> b_maps;
  if (use_motion) {
    for (const FrameHash& fb : b.frames) b_maps.push_back(map_of(fb, b_window));
  }
  // f[j] = most frames of a[0..i) matched to b[0..j) by a non-decreasing assignment;
  // f(i, j) = max(f(i, j - 1), f(i - 1, j) + match(i, j)). O(|a| |b|) <= 96 * 96 steps.
  const size_t m = b.frames.size();
  std::vector<int> prev(m + 1, 0), cur(m + 1, 0);
  for (const FrameHash& fa : a.frames) {
    const uint64_t a1 = fa.of(relation.a1), a2 = fa.of(relation.a2);
    const uint64_t am = use_motion ? map_of(fa, a_window) : 0;
    cur[0] = 0;
    for (size_t j = 1; j <= m; ++j) {
      const FrameHash& fb = b.frames[j - 1];
      const bool hashes = HammingDistance(a1, fb.of(relation.b1)) <= hamming &&
                          HammingDistance(a2, fb.of(relation.b2)) <= hamming2;
      const int match =
          hashes && (!use_motion || MotionMapsAgree(am, b_maps[j - 1], mirrored, motion)) ? 1 : 0;
      cur[j] = std::max(cur[j - 1], prev[j] + match);
    }
    std::swap(prev, cur);
  }
  return prev[m];
}

bool IsDuplicatePair(const DupSignature& a, const DupSignature& b, const DedupOptions& options,
                     bool still_camera) {
  const size_t na = a.frames.size(), nb = b.frames.size();
  if (na == 0 || nb == 0) return false;
  MotionTest motion;
  motion.dilate = options.motion_dilate;
  if (options.motion_cells >= 0 && a.has_motion && b.has_motion &&
      (still_camera ||
       std::min(MedianMovedCells(a), MedianMovedCells(b)) <= options.motion_static_cells)) {
    motion.cells = options.motion_cells;
  }
  // Does the shorter clip align to the longer one under `relation`?
  auto passes = [&](const DupSignature& shorter, const DupSignature& longer,
                    const Relation& relation, int hamming, int hamming2, double fraction) {
    const int need =
        static_cast<int>(std::ceil(fraction * static_cast<double>(shorter.frames.size()) - 1e-9));
    return AlignedMatches(shorter, longer, relation, hamming, hamming2, motion) >=
           std::max(1, need);
  };
  // "a relates to b", tested from the shorter clip; for equal lengths both ways, since the
  // alignment is not symmetric.
  auto related_at = [&](const Relation& relation, int hamming, int hamming2, double fraction) {
    if (na < nb) return passes(a, b, relation, hamming, hamming2, fraction);
    if (nb < na) return passes(b, a, relation.Swapped(), hamming, hamming2, fraction);
    return passes(a, b, relation, hamming, hamming2, fraction) ||
           passes(b, a, relation.Swapped(), hamming, hamming2, fraction);
  };
  auto related = [&](const Relation& relation) {
    return related_at(relation, options.hamming, options.hamming, options.min_match_fraction);
  };
  if (related(kSameFraming) || related(kCropOf) || related(kCropOf.Swapped())) return true;
  if (options.flip && (related(kMirrorOf) || related(kMirrorOf.Swapped()))) return true;
  if (options.window_hamming <= 0 || !a.has_windows || !b.has_windows) return false;
  // Optional guard (window_min_looks): trust window relations only when the shorter clip
  // changes over time, so that the ordered alignment itself is evidence (needed with one hash
  // per window; off by default with two).
  const DupSignature& shorter = na <= nb ? a : b;
  // A window relation rests on one region per frame: a short shot of a few near-identical
  // frames meets some window of an unrelated still picture by chance, so it needs enough frames.
  if (static_cast<int>(shorter.frames.size()) < options.window_min_frames) return false;
  if (options.window_min_looks > 1 &&
      Looks(shorter, options.window_hamming) < options.window_min_looks) {
    return false;
  }
  const int h = options.window_hamming, g = options.window_gradient_hamming;
  const double f = options.window_min_match;
  for (int w = 0; w < kWindows; ++w) {
    if (related_at(WindowCropOf(w), h, g, f) || related_at(WindowCropOf(w).Swapped(), h, g, f) ||
        related_at(SameWindow(w), h, g, f)) {
      return true;
    }
  }
  return false;
}

namespace {

// What the candidate search needs of a clip: its distinct hashes, a fraction of its signature
// (a few dozen codes against 64 samples x 33 hashes), so a catalog's signatures need not all be
// in memory at once (RunDedup reads them again for the candidate pairs only).
struct ClipCodes {
  std::vector<uint64_t> stored;    // plain and centre (+ window) hashes: indexed
  std::vector<uint64_t> queries;   // plain (+ window) hashes
  std::vector<uint64_t> mirrored;  // mirrored hashes (--flip)
  bool has_windows = false;
  bool featureless = false;  // a signature without informative frames
};

// Window hashes are indexed and queried for every kSparseStride-th frame only: a window relation
// needs most frames to align, so a third of them still meets the pair, and the candidate search
// (which dominates at radius window_hamming) costs a third. Only clips whose signatures have
// windows take part in window relations: signatures without them (older formats, hand-built)
// have zero window hashes, and indexing those would make every such clip a candidate of every
// other one.
ClipCodes CodesOf(const DedupClip& c, const DedupOptions& options) {
  ClipCodes out;
  out.has_windows = c.signature.has_windows;
  out.featureless = c.has_signature && c.signature.frames.empty();
  std::vector<HashKind> window_kinds;
  if (options.window_hamming > 0 && c.signature.has_windows) {
    for (int w = 0; w < kWindows; ++w) window_kinds.push_back(WindowKind(w));
  }
  out.stored = DistinctHashes(c.signature, {HashKind::kPlain, HashKind::kCentre}, window_kinds);
  out.queries = DistinctHashes(c.signature, {HashKind::kPlain}, window_kinds);
  if (options.flip) out.mirrored = DistinctHashes(c.signature, {HashKind::kMirrored});
  return out;
}

// Step 1 of FindDuplicates: candidate pairs (i << 32 | j, sorted, unique) from the codes alone.
// Fills result's clips, featureless_clips, chunks, candidate_pairs and index_seconds.
std::vector<uint64_t> CandidatePairs(const std::vector<DedupClip>& clips,
                                     std::vector<ClipCodes>& codes, const DedupOptions& options,
                                     Clock::time_point t0, DedupResult* result) {
  result->clips = static_cast<long>(std::count_if(
      clips.begin(), clips.end(), [](const DedupClip& c) { return c.has_signature; }));
  const int r = std::clamp(options.hamming, 0, 64);
  // Window relations compare plain and window hashes at their own, looser, threshold: they are
  // indexed and queried too, at the larger of the two radii. Clips without windows query at the
  // base radius, so a dataset of older signatures costs what it did.
  const bool windows =
      options.window_hamming > 0 &&
      std::any_of(codes.begin(), codes.end(), [](const ClipCodes& c) { return c.has_windows; });
  const int window_radius = std::max(r, std::clamp(options.window_hamming, 0, 64));
  const int query_radius = windows ? window_radius : r;

  // Index every clip's distinct plain and centre hashes; plain queries then also find a clip
  // whose centre crop is the querying clip.
  size_t stored = 0;
  for (const ClipCodes& c : codes) {
    if (c.featureless) ++result->featureless_clips;
    stored += c.stored.size();
  }
  result->chunks =
      options.chunks > 0 ? options.chunks : MultiIndexHash::ChunksFor(stored, query_radius);
  MultiIndexHash index(result->chunks);
  result->chunks = index.chunks();
  for (size_t i = 0; i < codes.size(); ++i) {
    for (uint64_t h : codes[i].stored) index.Add(h, static_cast<uint32_t>(i));
    std::vector<uint64_t>().swap(codes[i].stored);
  }
  index.Build();

  // Queries run on all cores: Query() is const, each worker owns its output.
  const unsigned workers = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  std::vector<std::vector<uint64_t>> found(workers);
  ProgressLine progress("dedup: candidate search", "clips", static_cast<long>(codes.size()));
  RunOnWorkers(workers, [&](unsigned w) {
    std::vector<uint32_t> hits;
    auto collect = [&](size_t i, const std::vector<uint64_t>& queries) {
      const int radius = codes[i].has_windows ? query_radius : r;
      for (uint64_t q : queries) {
        index.Query(q, radius, &hits);
        for (uint32_t p : hits) {
          const uint32_t j = index.id(p);
          if (j != i) found[w].push_back(PairKey(static_cast<uint32_t>(i), j));
        }
      }
    };
    for (size_t i = w; i < codes.size(); i += workers) {
      // Worker 0 alone prints (the line is not shared between threads); its share stands for all.
      if (w == 0 && (i & 1023) == 0) progress.Update(static_cast<long>(i));
      collect(i, codes[i].queries);
      // Mirrored queries against plain codes find a clip mirrored relative to another one; both
      // clips query, so the pair is found from either side.
      collect(i, codes[i].mirrored);
    }
  });
  progress.Update(static_cast<long>(codes.size()));
  progress.Done();
  std::vector<uint64_t> pairs;
  for (auto& f : found) {
    pairs.insert(pairs.end(), f.begin(), f.end());
    std::vector<uint64_t>().swap(f);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  result->candidate_pairs = static_cast<long>(pairs.size());
  result->index_seconds = SecondsSince(t0);
  return pairs;
}

using SignatureOf = std::function<const DupSignature&(size_t clip)>;

// Steps 2 and 3 of FindDuplicates: verify the candidate pairs by ordered alignment, with each
// clip's signature from `signature_of`, and join the groups.
void VerifyAndGroup(const std::vector<DedupClip>& clips, const std::vector<uint64_t>& pairs,
                    const SignatureOf& signature_of, const DedupOptions& options,
                    Clock::time_point t0, DedupResult* out) {
  DedupResult& result = *out;
  const unsigned workers = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 16);
  // Step 2: verify candidates by ordered alignment; step 3: join.
  std::vector<char> duplicate(pairs.size(), 0);
  ProgressLine progress("dedup: verify", "candidate pairs", static_cast<long>(pairs.size()));
  RunOnWorkers(workers, [&](unsigned w) {
    for (size_t k = w; k < pairs.size(); k += workers) {
      // Worker 0 alone prints (the line is not shared between threads); its share stands for all.
      if (w == 0 && (k & 4095) == 0) progress.Update(static_cast<long>(k));
      const size_t a = pairs[k] >> 32, b = pairs[k] & 0xffffffffu;
      duplicate[k] = IsDuplicatePair(signature_of(a), signature_of(b), options,
                                     clips[a].still_camera || clips[b].still_camera)
                         ? 1
                         : 0;
    }
  });
  progress.Update(static_cast<long>(pairs.size()));
  progress.Done();
  UnionFind groups(clips.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (!duplicate[k]) continue;
    ++result.duplicate_pairs;
    groups.Join(pairs[k] >> 32, pairs[k] & 0xffffffffu);
  }
  if (options.semantic > 0) {
    std::vector<std::vector<float>> vectors(clips.size());
    for (size_t i = 0; i < clips.size(); ++i) {
      if (clips[i].embedding.empty()) ++result.clips_without_embedding;
      vectors[i] = clips[i].embedding;
    }
    const SemanticPairs semantic = FindSimilarPairs(vectors, options.semantic);
    result.semantic_candidate_pairs = semantic.candidates;
    result.semantic_pairs = static_cast<long>(semantic.pairs.size());
    result.semantic_bits = semantic.bits;
    result.semantic_tables = semantic.tables;
    for (const auto& [a, b] : semantic.pairs) groups.Join(a, b);
  }
  std::vector<std::vector<size_t>> members(clips.size());
  for (size_t i = 0; i < clips.size(); ++i) members[groups.Find(i)].push_back(i);
  for (const auto& m : members) {
    if (m.size() < 2) continue;
    size_t keeper = m.front();
    for (size_t i : m) {
      if (BetterKeeper(clips[i], clips[keeper])) keeper = i;
    }
    DedupGroup g;
    g.keeper = clips[keeper].clip_id;
    for (size_t i : m) {
      if (i != keeper) g.duplicates.push_back(clips[i].clip_id);
    }
    std::sort(g.duplicates.begin(), g.duplicates.end());
    result.marked += static_cast<long>(g.duplicates.size());
    result.groups.push_back(std::move(g));
  }
  std::sort(result.groups.begin(), result.groups.end(),
            [](const DedupGroup& x, const DedupGroup& y) {
              if (x.duplicates.size() != y.duplicates.size()) {
                return x.duplicates.size() > y.duplicates.size();
              }
              return x.keeper < y.keeper;
            });
  result.seconds = SecondsSince(t0);
}

}  // namespace

DedupResult FindDuplicates(const std::vector<DedupClip>& clips, const DedupOptions& options) {
  const auto t0 = Clock::now();
  DedupResult result;
  std::vector<ClipCodes> codes;
  codes.reserve(clips.size());
  for (const DedupClip& c : clips) codes.push_back(CodesOf(c, options));
  const std::vector<uint64_t> pairs = CandidatePairs(clips, codes, options, t0, &result);
  VerifyAndGroup(
      clips, pairs, [&](size_t i) -> const DupSignature& { return clips[i].signature; }, options,
      t0, &result);
  return result;
}

Result<DedupResult> RunDedup(Catalog& catalog, const DedupOptions& options) {
  const auto t0 = Clock::now();
  const auto dedup_error = [](const Status& s) { return Status::Error("dedup: " + s.message()); };
  std::vector<DedupClip> clips;
  // Each clip's codes are kept and its signature dropped as it is read: the signatures of a
  // catalog (~17 kB a clip parsed, 64 samples x 33 hashes) are read again below for the clips of
  // candidate pairs only.
  std::vector<ClipCodes> codes;
  {
    // Without --semantic only clips with a signature take part; with it, clips with either.
    const bool semantic = options.semantic > 0;
    std::vector<std::string> names = {"dedup.signature"};
    if (semantic) names.push_back("embedding.clip");
    const size_t required = names.size();
    const size_t quality = names.size();
    names.push_back(options.quality_attribute);
    const size_t camera = names.size();
    names.push_back("camera.movement");
    auto summary = catalog.GetSummary();
    if (!summary.ok()) return dedup_error(summary.status());
    ProgressLine progress("dedup: read signatures", "clips", summary->clips);
    Status st = catalog.ForEachWideClip(names, required, [&](const WideClipRow& row) -> Status {
      if ((clips.size() & 1023) == 0) progress.Update(static_cast<long>(clips.size()));
      DedupClip c;
      c.clip_id = row.clip_id;
      c.duration = row.duration;
      c.pixels = row.pixels;
      if (const auto& sig_text = row.cells[0].text) {
        auto sig = DupSignature::Parse(*sig_text);
        if (!sig.ok()) {
          return Status::Error("dedup: bad dedup.signature of clip " + std::to_string(c.clip_id) +
                               ": " + sig.status().message());
        }
        c.signature = std::move(sig.value());
      } else {
        c.has_signature = false;
      }
      if (semantic && row.cells[1].text) {
        auto embedding = DecodeClipEmbedding(*row.cells[1].text);
        if (!embedding.ok()) {
          return Status::Error("dedup: bad embedding.clip of clip " + std::to_string(c.clip_id) +
                               ": " + embedding.status().message());
        }
        c.embedding = std::move(embedding.value());
      }
      if (row.cells[quality].number) {
        c.has_quality = true;
        c.quality = *row.cells[quality].number;
      }
      c.still_camera = row.cells[camera].text && *row.cells[camera].text == "static";
      codes.push_back(CodesOf(c, options));
      c.signature = DupSignature{};
      clips.push_back(std::move(c));
      return Status::Ok();
    });
    if (!st.ok()) return st.message().rfind("dedup: ", 0) == 0 ? st : dedup_error(st);
    progress.SetTotal(static_cast<long>(clips.size()));  // the clips read: those with a signature
    progress.Update(static_cast<long>(clips.size()));
  }
  auto without = catalog.CountClipsWithout("dedup.signature");
  if (!without.ok()) return dedup_error(without.status());
  long without_embedding = 0;
  if (options.semantic > 0) {
    auto n = catalog.CountClipsWithout("embedding.clip");
    if (!n.ok()) return dedup_error(n.status());
    without_embedding = n.value();
  }

  const auto t_find = Clock::now();
  DedupResult result;
  const std::vector<uint64_t> pairs = CandidatePairs(clips, codes, options, t_find, &result);
  std::vector<ClipCodes>().swap(codes);
  // The signatures of the clips in candidate pairs, read again by id.
  std::unordered_map<size_t, DupSignature> signatures;
  {
    std::vector<size_t> needed;
    needed.reserve(pairs.size() * 2);
    for (uint64_t k : pairs) {
      needed.push_back(static_cast<size_t>(k >> 32));
      needed.push_back(static_cast<size_t>(k & 0xffffffffu));
    }
    std::sort(needed.begin(), needed.end());
    needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
    ProgressLine progress("dedup: read candidate signatures", "clips",
                          static_cast<long>(needed.size()));
    const std::vector<std::string> only = {"dedup.signature"};
    for (size_t n = 0; n < needed.size(); ++n) {
      if ((n & 1023) == 0) progress.Update(static_cast<long>(n));
      const size_t i = needed[n];
      auto found = catalog.FindClip(clips[i].clip_id, only);
      if (!found.ok()) return dedup_error(found.status());
      DupSignature& sig = signatures[i];
      const Attribute* a = *found ? FindAttribute((*found)->clip, "dedup.signature") : nullptr;
      if (a == nullptr) continue;  // gone since the first read: matches nothing
      auto parsed = DupSignature::Parse(a->text);
      if (!parsed.ok()) {
        return Status::Error("dedup: bad dedup.signature of clip " +
                             std::to_string(clips[i].clip_id) + ": " + parsed.status().message());
      }
      sig = std::move(*parsed);
    }
  }
  VerifyAndGroup(
      clips, pairs, [&](size_t i) -> const DupSignature& { return signatures.at(i); }, options,
      t_find, &result);
  result.clips_without_signature = without.value();
  // Clips with neither attribute were not loaded: count them from the catalog.
  if (options.semantic > 0) result.clips_without_embedding = without_embedding;

  // dedup.group on every member (the keeper included), dedup.dup_of on the duplicates; earlier
  // runs' marks are replaced in the same transaction.
  std::vector<AttributeWrite> rows;
  auto put = [&rows](int64_t clip, const char* name, int64_t value) {
    rows.push_back({clip, name, static_cast<double>(value), ""});
  };
  for (const DedupGroup& g : result.groups) {
    put(g.keeper, "dedup.group", g.keeper);
    for (int64_t d : g.duplicates) {
      put(d, "dedup.group", g.keeper);
      put(d, "dedup.dup_of", g.keeper);
    }
  }
  if (Status st = catalog.ReplaceAttributes({"dedup.group", "dedup.dup_of"}, rows); !st.ok()) {
    return dedup_error(st);
  }
  result.seconds = SecondsSince(t0);
  return result;
}

}  // namespace clipdex
