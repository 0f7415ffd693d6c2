// Incremental dedup (curate/dedup.h, "Incremental runs"): after clips are added, a run that reads
// only the new clips' signatures must leave exactly the groups, keepers and rows a full run over
// the whole catalog leaves; and a run whose last-run codes cannot be trusted (a clip deleted, a
// signature replaced, other settings) must start over.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "curate/chunk_index.h"
#include "curate/dedup.h"
#include "curate/dedup_codes.h"

namespace clipdex {
namespace {

// Text from pieces, by append (GCC 12 flags `"a" + std::to_string(i)` with a false -Wrestrict).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}
std::string Num(int64_t v) { return std::to_string(v); }

// Hand-built signatures (5 hashes a frame, no windows) written straight into a catalog.
class SignatureCatalog {
 public:
  explicit SignatureCatalog(const std::filesystem::path& dir) : dir_(dir) {
    auto opened = Catalog::Open(dir, true);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    catalog_ = std::move(opened.value());
  }
  Catalog& catalog() { return *catalog_; }
  testing::CatalogPeek peek() { return testing::CatalogPeek(dir_); }

  // A new video; its clips are added with AddClip.
  int64_t AddVideo() {
    const std::string name = Cat("v", Num(++videos_));
    EXPECT_TRUE(
        peek().Exec(Cat("INSERT INTO videos (fingerprint, path, status, width, height) "
                        "VALUES ('",
                        name, "', '/gen/", name, "', 'ok', 1280, 720)")));
    return std::stoll(peek().Text(Cat("SELECT id FROM videos WHERE fingerprint = '", name, "'")));
  }
  // A clip of `video` with signature `sig` and, when >= 0, quality.score `quality`.
  int64_t AddClip(int64_t video, const DupSignature& sig, double quality = -1) {
    const int idx = clips_++;
    EXPECT_TRUE(peek().Exec(Cat(
        "INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, end_time) VALUES "
        "(",
        Num(video), ", ", Num(idx), ", 0, 99, 0, 4)")));
    const int64_t id = std::stoll(peek().Text("SELECT MAX(id) FROM clips"));
    EXPECT_TRUE(peek().Exec(Cat("INSERT INTO clip_attributes (clip_id, name, text) VALUES (",
                                Num(id), ", 'dedup.signature', '", sig.Format(), "')")));
    if (quality >= 0) {
      EXPECT_TRUE(peek().Exec(Cat("INSERT INTO clip_attributes (clip_id, name, num) VALUES (",
                                  Num(id), ", 'quality.score', ", std::to_string(quality), ")")));
    }
    return id;
  }
  // embedding.clip of `clip`, in the catalog's text form (8 bits a dimension).
  void AddEmbedding(int64_t clip, const std::vector<float>& v) {
    EXPECT_TRUE(peek().Exec(Cat("INSERT INTO clip_attributes (clip_id, name, text) VALUES (",
                                Num(clip), ", 'embedding.clip', '", EncodeClipEmbedding(v), "')")));
  }
  // (clip, dedup.group, dedup.dup_of) rows, as text.
  std::string DedupRows() {
    return peek().Text(
        "SELECT group_concat(clip_id || ':' || name || '=' || CAST(num AS INTEGER), ' ') FROM "
        "(SELECT * FROM clip_attributes WHERE name IN ('dedup.group', 'dedup.dup_of') ORDER BY "
        "clip_id, name)");
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  int videos_ = 0, clips_ = 0;
};

class Signatures {
 public:
  // 16 frames of random hashes drifting 6 bits a frame.
  DupSignature Random() {
    DupSignature sig;
    FrameHash f;
    for (auto& h : f.h) h = rng_();
    for (int k = 0; k < 16; ++k) {
      for (auto& h : f.h) h = Drift(h, 6);
      sig.frames.push_back(f);
    }
    return sig;
  }
  // A copy: every hash with up to 2 bits flipped.
  DupSignature CopyOf(const DupSignature& sig) {
    DupSignature out = sig;
    for (FrameHash& f : out.frames) {
      for (auto& h : f.h) h = Drift(h, static_cast<int>(rng_() % 3));
    }
    return out;
  }
  // A clip whose centre crop is `sig`: its centre and inner hashes are sig's plain and centre
  // ones, its plain hashes unrelated, so only `sig`'s queries can find the pair (kCropOf).
  DupSignature WiderThan(const DupSignature& sig) {
    DupSignature out = Random();
    for (size_t k = 0; k < out.frames.size(); ++k) {
      out.frames[k].of(HashKind::kCentre) = Drift(sig.frames[k].of(HashKind::kPlain), 1);
      out.frames[k].of(HashKind::kInner) = Drift(sig.frames[k].of(HashKind::kCentre), 1);
    }
    return out;
  }
  // `a` then `b`: a clip holding both (it joins their groups).
  static DupSignature Joined(const DupSignature& a, const DupSignature& b) {
    DupSignature out = a;
    out.frames.insert(out.frames.end(), b.frames.begin(), b.frames.end());
    return out;
  }

 private:
  uint64_t Drift(uint64_t h, int bits) {
    for (int k = 0; k < bits; ++k) h ^= uint64_t{1} << (rng_() % 64);
    return h;
  }
  std::mt19937_64 rng_{11};
};

// A new video of `n` clips with random signatures (and qualities 40-46), returned in order.
std::vector<DupSignature> AddRandomClips(SignatureCatalog& cat, Signatures& gen, int n,
                                         bool with_quality) {
  const int64_t video = cat.AddVideo();
  std::vector<DupSignature> sigs;
  for (int i = 0; i < n; ++i) {
    sigs.push_back(gen.Random());
    cat.AddClip(video, sigs.back(), with_quality ? 40 + i % 7 : -1);
  }
  return sigs;
}

std::string GroupsText(const DedupResult& r) {
  std::string out;
  for (const DedupGroup& g : r.groups) {
    out.append(Num(g.keeper)).append(":");
    for (int64_t d : g.duplicates) out.append(" ").append(Num(d));
    out.append("; ");
  }
  return out;
}

// A catalog of hand-built signatures and their generator, per test.
class DedupIncremental : public ::testing::Test {
 protected:
  testing::TempDir tmp;
  SignatureCatalog cat{tmp / "ds"};
  Signatures gen;
};

TEST_F(DedupIncremental, AddedClipsGiveTheGroupsOfAFullRun) {
  const std::vector<DupSignature> old = AddRandomClips(cat, gen, 60, /*with_quality=*/true);
  // Old groups: 0~1, 2~3, 4~5 (copies planted among the first clips).
  const int64_t v2 = cat.AddVideo();
  cat.AddClip(v2, gen.CopyOf(old[0]), 10);
  cat.AddClip(v2, gen.CopyOf(old[2]), 90);  // the better copy keeps group 2
  cat.AddClip(v2, gen.CopyOf(old[4]));
  DedupOptions options;
  auto first = RunDedup(cat.catalog(), options);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->incremental);
  EXPECT_EQ(first->groups.size(), 3u) << GroupsText(*first);
  auto state = cat.catalog().ReadDedupState();
  ASSERT_TRUE(state.ok() && *state);
  EXPECT_EQ((*state)->clips, 63);

  // Nothing new: an incremental run that changes nothing.
  auto idle = RunDedup(cat.catalog(), options);
  ASSERT_TRUE(idle.ok()) << idle.status().message();
  EXPECT_TRUE(idle->incremental);
  EXPECT_EQ(idle->new_clips, 0);
  EXPECT_EQ(GroupsText(*idle), GroupsText(*first));

  // New clips: a copy joining old group 0 with a better quality (a new keeper), a copy of an old
  // clip that had no group, a new original with its copy, a clip that holds old groups 2 and 4
  // (their union), a clip whose centre crop is an old clip (found only by that old clip's
  // queries), and unrelated ones.
  const int64_t v3 = cat.AddVideo();
  const int64_t better = cat.AddClip(v3, gen.CopyOf(old[0]), 99);
  cat.AddClip(v3, gen.CopyOf(old[10]));
  const DupSignature fresh = gen.Random();
  cat.AddClip(v3, fresh);
  cat.AddClip(v3, gen.CopyOf(fresh));
  cat.AddClip(v3, Signatures::Joined(gen.CopyOf(old[2]), gen.CopyOf(old[4])));
  cat.AddClip(v3, gen.WiderThan(old[20]), 95);
  for (int i = 0; i < 10; ++i) cat.AddClip(v3, gen.Random());
  auto added = RunDedup(cat.catalog(), options);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_TRUE(added->incremental);
  EXPECT_EQ(added->new_clips, 16);
  EXPECT_EQ(added->clips, 79);
  const std::string incremental_groups = GroupsText(*added);
  const std::string incremental_rows = cat.DedupRows();

  DedupOptions full = options;
  full.full = true;
  auto again = RunDedup(cat.catalog(), full);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->incremental);
  EXPECT_EQ(GroupsText(*again), incremental_groups);
  EXPECT_EQ(cat.DedupRows(), incremental_rows);
  // Ground truth: groups {0, copy, better}, {10, copy}, {fresh, copy}, {2, 3-copy, 4, 5-copy,
  // joined}, {20, wider}.
  ASSERT_EQ(again->groups.size(), 5u) << incremental_groups;
  EXPECT_EQ(again->groups[0].duplicates.size(), 4u);
  bool keeper_is_new = false;
  for (const DedupGroup& g : again->groups) keeper_is_new |= g.keeper == better;
  EXPECT_TRUE(keeper_is_new) << "the better new copy keeps group 0: " << incremental_groups;
}

// The catalog-scale full run (DedupSearch::kChunkJoin: codes spilled, memory-bounded slices)
// leaves the rows of the exact run on copies within 2 bits, crops and a clip joining two groups,
// and an incremental run continues from its codes as from an exact run's.
TEST_F(DedupIncremental, ChunkJoinRunLeavesTheExactRunsRowsAndContinuesIncrementally) {
  const std::vector<DupSignature> old = AddRandomClips(cat, gen, 80, /*with_quality=*/true);
  const int64_t v2 = cat.AddVideo();
  cat.AddClip(v2, gen.CopyOf(old[0]), 10);
  cat.AddClip(v2, gen.CopyOf(old[2]), 90);
  cat.AddClip(v2, Signatures::Joined(gen.CopyOf(old[4]), gen.CopyOf(old[6])));
  cat.AddClip(v2, gen.WiderThan(old[8]), 95);  // found only by old[8]'s queries
  DedupOptions exact;
  exact.search = DedupSearch::kExact;
  auto reference = RunDedup(cat.catalog(), exact);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  EXPECT_FALSE(reference->chunk_join);
  const std::string reference_rows = cat.DedupRows();
  ASSERT_EQ(reference->groups.size(), 4u) << GroupsText(*reference);

  DedupOptions join;
  join.search = DedupSearch::kChunkJoin;
  join.full = true;
  join.memory_budget = 4096;  // many slices
  auto joined = RunDedup(cat.catalog(), join);
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  EXPECT_TRUE(joined->chunk_join);
  EXPECT_EQ(joined->clips, 84);
  EXPECT_EQ(GroupsText(*joined), GroupsText(*reference));
  EXPECT_EQ(cat.DedupRows(), reference_rows);

  // New clips after the join run: an incremental run, then the exact full run agrees.
  const int64_t v3 = cat.AddVideo();
  cat.AddClip(v3, gen.CopyOf(old[10]));
  cat.AddClip(v3, gen.CopyOf(old[0]), 99);
  for (int i = 0; i < 5; ++i) cat.AddClip(v3, gen.Random());
  // The join run left the persisted index; the incremental run looks its new clips up there
  // (no pass over the old codes) and adds a segment of them.
  EXPECT_EQ(ReadChunkIndexManifest(tmp / "ds").clips, 84u);
  DedupOptions next;  // kAuto: the incremental run
  auto added = RunDedup(cat.catalog(), next);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_TRUE(added->incremental);
  EXPECT_TRUE(added->indexed);
  EXPECT_EQ(added->new_clips, 7);
  EXPECT_EQ(ReadChunkIndexManifest(tmp / "ds").segments.size(), 2u);
  // A second batch: a copy of a clip of the first batch (found in the new segment) and a clip
  // whose centre crop is an old clip (found only through that old clip's query entries).
  const int64_t v4 = cat.AddVideo();
  cat.AddClip(v4, gen.CopyOf(old[10]));
  cat.AddClip(v4, gen.WiderThan(old[30]));
  cat.AddClip(v4, gen.Random());
  auto again = RunDedup(cat.catalog(), next);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->indexed);
  EXPECT_EQ(ReadChunkIndexManifest(tmp / "ds").clips, 94u);
  const std::string incremental_rows = cat.DedupRows();
  exact.full = true;
  auto full = RunDedup(cat.catalog(), exact);
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_EQ(GroupsText(*full), GroupsText(*again));
  EXPECT_EQ(cat.DedupRows(), incremental_rows);
  EXPECT_EQ(full->groups.size(), 6u) << GroupsText(*full);
  // The exact full run removed the index: the next incremental run streams the stored codes.
  EXPECT_FALSE(std::filesystem::exists(ChunkIndexDir(tmp / "ds")));
  cat.AddClip(cat.AddVideo(), gen.CopyOf(old[40]));
  auto streamed = RunDedup(cat.catalog(), next);
  ASSERT_TRUE(streamed.ok()) << streamed.status().message();
  EXPECT_TRUE(streamed->incremental);
  EXPECT_FALSE(streamed->indexed);
  EXPECT_EQ(streamed->groups.size(), 7u) << GroupsText(*streamed);
}

// A stale index (its manifest's clip count differs from the last run's) is not used, and is
// removed; a damaged segment is an error when opened, never a crash.
// dedup --semantic at catalog scale (curate/semantic_join.h) against the in-memory LSH on the
// same catalog: the same rows, with pairs near the threshold decided on the catalog's floats.
TEST_F(DedupIncremental, SemanticJoinRunLeavesTheInMemoryRows) {
  std::mt19937 rng(23);
  std::normal_distribution<float> gauss(0, 1);
  const auto unit = [&] {
    std::vector<float> v(128);
    for (float& x : v) x = gauss(rng);
    return L2Normalised(std::move(v));
  };
  // Pairs at cosines 0.93-0.97 around the threshold; stored in 8 bits, so the truth is the
  // decoded floats'.
  std::vector<std::vector<float>> stored;
  const int64_t video = cat.AddVideo();
  for (int k = 0; k < 150; ++k) {
    const std::vector<float> a = unit();
    std::vector<float> b(a.size());
    const double cosine = 0.93 + 0.04 * (k % 21) / 20.0;
    const std::vector<float> noise = unit();
    for (size_t d = 0; d < a.size(); ++d) {
      b[d] = static_cast<float>(cosine * a[d] + std::sqrt(1 - cosine * cosine) * noise[d]);
    }
    for (const auto& v : {a, L2Normalised(b)}) {
      const int64_t id = cat.AddClip(video, gen.Random(), 40 + k % 7);
      cat.AddEmbedding(id, v);
      auto back = DecodeClipEmbedding(EncodeClipEmbedding(v));
      ASSERT_TRUE(back.ok());
      stored.push_back(*back);
    }
  }
  // The threshold is one pair's cosine (the 11th pair, at ~0.95): in the catalog's 8 bits the
  // join cannot tell that pair from the threshold, so it reads both embeddings again.
  const double threshold = Dot(stored[20], stored[21]);
  long truth = 0;
  for (size_t i = 0; i < stored.size(); ++i) {
    for (size_t j = i + 1; j < stored.size(); ++j) {
      truth += Dot(stored[i], stored[j]) >= threshold - 1e-6;
    }
  }
  DedupOptions options;
  options.semantic = threshold;
  options.search = DedupSearch::kExact;
  auto in_memory = RunDedup(cat.catalog(), options);
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().message();
  const std::string rows = cat.DedupRows();
  options.search = DedupSearch::kChunkJoin;
  options.memory_budget = 16 << 10;  // several blocks of vectors
  auto joined = RunDedup(cat.catalog(), options);
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  std::printf("semantic pairs %ld (truth %ld), join: %d blocks, %ld borderline\n",
              joined->semantic_pairs, truth, joined->semantic_blocks, joined->semantic_borderline);
  EXPECT_TRUE(joined->semantic_join);
  EXPECT_GT(joined->semantic_blocks, 2);
  EXPECT_GE(joined->semantic_borderline, 1);
  EXPECT_LE(joined->semantic_borderline, 3);  // 8 bits decide all but the threshold's own pair
  EXPECT_EQ(joined->semantic_pairs, in_memory->semantic_pairs);
  EXPECT_GE(joined->semantic_pairs, truth * 97 / 100);
  EXPECT_LE(joined->semantic_pairs, truth);
  EXPECT_GT(truth, 40);
  EXPECT_EQ(cat.DedupRows(), rows);
  EXPECT_EQ(GroupsText(*joined), GroupsText(*in_memory));
}

TEST_F(DedupIncremental, StaleOrDamagedIndexIsNotUsed) {
  const std::vector<DupSignature> old = AddRandomClips(cat, gen, 30, /*with_quality=*/false);
  DedupOptions join;
  join.search = DedupSearch::kChunkJoin;
  ASSERT_TRUE(RunDedup(cat.catalog(), join).ok());
  ChunkIndexManifest m = ReadChunkIndexManifest(tmp / "ds");
  ASSERT_EQ(m.clips, 30u);
  m.clips = 29;
  ASSERT_TRUE(WriteChunkIndexManifest(tmp / "ds", m).ok());
  cat.AddClip(cat.AddVideo(), gen.CopyOf(old[3]));
  auto r = RunDedup(cat.catalog(), DedupOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->incremental);
  EXPECT_FALSE(r->indexed);
  EXPECT_EQ(r->groups.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(ChunkIndexDir(tmp / "ds")));

  std::filesystem::create_directories(ChunkIndexDir(tmp / "ds"));
  {
    std::ofstream junk(ChunkIndexDir(tmp / "ds") / "segment-0");
    junk << "CDXCHIX3 but not a segment";
  }
  auto opened = ChunkIndexSegment::Open(ChunkIndexDir(tmp / "ds") / "segment-0");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("dedup index: "), std::string::npos);
}

TEST_F(DedupIncremental, StartsOverWhenTheLastRunCannotBeTrusted) {
  const std::vector<DupSignature> sigs = AddRandomClips(cat, gen, 20, /*with_quality=*/false);
  const int64_t v2 = cat.AddVideo();
  const int64_t copy = cat.AddClip(v2, gen.CopyOf(sigs[3]));
  const int64_t bridge = cat.AddClip(v2, Signatures::Joined(sigs[5], sigs[6]));
  DedupOptions options;
  ASSERT_TRUE(RunDedup(cat.catalog(), options).ok());
  auto run = [&](const DedupOptions& o) {
    auto r = RunDedup(cat.catalog(), o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : DedupResult{};
  };
  EXPECT_TRUE(run(options).incremental);

  // Other settings: a full run; the same settings again continue from it.
  DedupOptions flip = options;
  flip.flip = true;
  EXPECT_FALSE(run(flip).incremental);
  EXPECT_FALSE(run(options).incremental);
  EXPECT_TRUE(run(options).incremental);

  // A replaced signature: its clip's codes are gone, so the run starts over (the bridge no longer
  // holds clip 6, so 5 and 6 part).
  ASSERT_TRUE(cat.peek().Exec(Cat("UPDATE clip_attributes SET text = '",
                                  Signatures::Joined(sigs[5], gen.Random()).Format(),
                                  "' WHERE name = 'dedup.signature' AND clip_id = ", Num(bridge))));
  DedupResult replaced = run(options);
  EXPECT_FALSE(replaced.incremental);
  EXPECT_EQ(replaced.groups.size(), 2u) << GroupsText(replaced);

  // A deleted clip (its video re-ingested or removed): the run starts over and its group is gone.
  ASSERT_TRUE(cat.peek().Exec(Cat("DELETE FROM videos WHERE id = ", Num(v2))));
  DedupResult deleted = run(options);
  EXPECT_FALSE(deleted.incremental);
  EXPECT_TRUE(deleted.groups.empty()) << GroupsText(deleted);
  EXPECT_EQ(cat.DedupRows(), "");
  EXPECT_TRUE(run(options).incremental);
  (void)copy;
}

TEST(DedupCodes, RoundTripAndBadBlobsAreErrors) {
  ClipCodes codes;
  codes.stored = {1, 2, ~uint64_t{0}};
  codes.queries = {7};
  codes.mirrored = {};
  codes.has_windows = true;
  const std::string blob = EncodeClipCodes(codes);
  auto back = DecodeClipCodes(blob);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, codes);
  auto cut = DecodeClipCodes(std::string_view(blob).substr(0, blob.size() - 1));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("bad dedup codes"), std::string::npos);
  EXPECT_FALSE(DecodeClipCodes("").ok());
}

}  // namespace
}  // namespace clipdex
