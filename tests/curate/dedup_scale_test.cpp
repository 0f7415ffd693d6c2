// Dedup at catalog scale: 100,000 clips with generated signatures (16 frames each, the hashes of
// a clip drifting a few bits per frame) plus 1,000 planted copies (every hash of a clip with up
// to 3 bits flipped, every other frame dropped). Disabled in the normal suite (it writes ~140 MB
// of signatures); bench/dedup_scale.sh runs it and prints the timings.
//
// Phases (DEDUP_SCALE_PHASE, with DEDUP_SCALE_DIR naming a dataset directory that is kept), so
// the bench can time `clipdex dedup` itself at ten million clips: "generate" writes the catalog
// and stops; "add" adds the 1 % of new clips (and copies) to it and stops; unset: everything in
// this process, in a temporary directory.
//
// Uniform random hashes are the friendly case for the multi-index (buckets stay small); real
// pHashes cluster, so real catalogs see more candidates per query than this does.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "curate/dedup.h"

namespace clipdex {
namespace {

TEST(DedupScale, DISABLED_Catalog100kSignatures) {
  testing::TempDir tmp;
  const char* dir_env = std::getenv("DEDUP_SCALE_DIR");
  const std::filesystem::path dir = dir_env != nullptr ? dir_env : tmp / "ds";
  const std::string phase =
      std::getenv("DEDUP_SCALE_PHASE") ? std::getenv("DEDUP_SCALE_PHASE") : "";
  ASSERT_TRUE(phase.empty() || phase == "generate" || phase == "add") << phase;
  ASSERT_TRUE(phase.empty() || dir_env != nullptr) << "DEDUP_SCALE_PHASE needs DEDUP_SCALE_DIR";
  if (const char* page = std::getenv("DEDUP_SCALE_PAGE_SIZE"); page != nullptr && phase != "add") {
    // A catalog file with larger pages, made before the catalog's schema (the page size is fixed
    // by the first table). bench/dedup_scale.sh uses 16 KiB at ten million clips: at the
    // catalog's 4 KiB a 1.4 kB signature row spills into an overflow page and costs ~4.7 kB.
    std::filesystem::create_directories(dir);
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "catalog.sqlite").c_str(), &raw), SQLITE_OK);
    const std::string sql = std::string("PRAGMA page_size = ") + page +
                            "; CREATE TABLE page_size_probe (x); DROP TABLE page_size_probe;";
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto opened = Catalog::Open(dir, phase != "add");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Catalog& catalog = *opened.value();
  // Bulk fixture through a second connection: 101,000 CommitVideo transactions would dominate.
  testing::CatalogPeek peek(dir);
  sqlite3* db = peek.handle();
  sqlite3_exec(db, "PRAGMA cache_size = -262144", nullptr, nullptr, nullptr);
  // DEDUP_SCALE_VIDEOS (x 100 clips) and DEDUP_SCALE_FRAMES size the bench (bench/dedup_scale.sh).
  const auto env_int = [](const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
  };
  const int kVideos = env_int("DEDUP_SCALE_VIDEOS", 1000);
  const int kFrames = env_int("DEDUP_SCALE_FRAMES", 16);
  constexpr int kClipsPerVideo = 100;
  const int kCopies = std::min(1000, kVideos);  // one original per video
  std::mt19937_64 rng(phase == "add" ? 8 : 7);
  auto drift = [&](uint64_t h, int bits) {
    for (int k = 0; k < bits; ++k) h ^= uint64_t{1} << (rng() % 64);
    return h;
  };
  const auto t0 = std::chrono::steady_clock::now();
  sqlite3_stmt* video = nullptr;
  sqlite3_stmt* clip = nullptr;
  sqlite3_stmt* attr = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO videos (fingerprint, path, status, width, height) "
                     "VALUES (?1, ?2, 'ok', 1920, 1080)",
                     -1, &video, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, "
                     "end_time) VALUES (?1, ?2, 0, 99, 0, 4)",
                     -1, &clip, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO clip_attributes (clip_id, name, text) "
                     "VALUES (?1, 'dedup.signature', ?2)",
                     -1, &attr, nullptr);
  // DEDUP_SCALE_EMBEDDINGS=1: every clip gets an embedding.clip too (for dedup --semantic), its
  // video's scene centre plus noise (clips of one video at cosine ~0.8 to each other, like shots
  // of one scene); a planted copy gets its original's moved to cosine ~0.98.
  const bool embeddings = env_int("DEDUP_SCALE_EMBEDDINGS", 0) > 0;
  constexpr size_t kDims = 512;
  sqlite3_stmt* embedding = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO clip_attributes (clip_id, name, text) "
                     "VALUES (?1, 'embedding.clip', ?2)",
                     -1, &embedding, nullptr);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> scene(kDims);
  const auto moved = [&](const std::vector<float>& from, float noise) {
    std::vector<float> v(kDims);
    for (size_t d = 0; d < kDims; ++d) {
      v[d] = from[d] + noise * gauss(rng) / std::sqrt(static_cast<float>(kDims));
    }
    return L2Normalised(std::move(v));
  };
  const auto new_scene = [&] {
    if (!embeddings) return;
    for (float& x : scene) x = gauss(rng);
    scene = L2Normalised(std::move(scene));
  };
  std::vector<DupSignature> originals;
  std::vector<std::vector<float>> original_embeddings;
  std::vector<float> last_embedding;
  auto add_clip = [&](int64_t video_id, int idx, const DupSignature& sig,
                      const std::vector<float>* embedding_of = nullptr) {
    sqlite3_bind_int64(clip, 1, video_id);
    sqlite3_bind_int(clip, 2, idx);
    ASSERT_EQ(sqlite3_step(clip), SQLITE_DONE);
    sqlite3_reset(clip);
    const int64_t clip_id = sqlite3_last_insert_rowid(db);
    const std::string text = sig.Format();
    sqlite3_bind_int64(attr, 1, clip_id);
    sqlite3_bind_text(attr, 2, text.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(attr), SQLITE_DONE);
    sqlite3_reset(attr);
    if (!embeddings) return;
    last_embedding = embedding_of != nullptr ? moved(*embedding_of, 0.2f) : moved(scene, 0.5f);
    const std::string e = EncodeClipEmbedding(last_embedding);
    sqlite3_bind_int64(embedding, 1, clip_id);
    sqlite3_bind_text(embedding, 2, e.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(embedding), SQLITE_DONE);
    sqlite3_reset(embedding);
  };
  auto add_video = [&](const std::string& name) {
    sqlite3_bind_text(video, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(video, 2, ("/gen/" + name).c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(video), SQLITE_DONE);
    sqlite3_reset(video);
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db));
  };
  auto random_signature = [&] {
    DupSignature sig;
    FrameHash f;
    for (auto& h : f.h) h = rng();
    for (int k = 0; k < kFrames; ++k) {
      for (auto& h : f.h) h = drift(h, 6);
      sig.frames.push_back(f);
    }
    return sig;
  };
  const int kNewVideos = std::max(1, kVideos / 100);
  const int kNewCopies = std::max(1, kCopies / 100);
  // Incremental: 1 % more clips (whole videos of new clips, plus copies of old originals that
  // had no copy yet), then the run that reads only them, then a full run for comparison.
  // Each add (the bench may add more than once) draws other signatures and copies other clips.
  const auto add_new_clips = [&] {
    const int batch =
        std::stoi(peek.Text("SELECT COUNT(*) FROM videos WHERE fingerprint LIKE 'new copies%'"));
    rng.seed(8 + static_cast<uint64_t>(batch));
    std::string tag;  // by append: GCC 12 flags "-" + std::to_string with a false -Wrestrict
    if (batch > 0) tag.append("-").append(std::to_string(batch));
    ASSERT_EQ(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
    for (int v = 0; v < kNewVideos; ++v) {
      const int64_t vid = add_video(std::string("new").append(std::to_string(v)).append(tag));
      new_scene();
      for (int c = 0; c < kClipsPerVideo; ++c) add_clip(vid, c, random_signature());
    }
    // Copies of the first videos' second clips (c == 1: no copy of them was planted).
    const int64_t new_copies_video = add_video(std::string("new copies").append(tag));
    {
      auto copies = testing::CatalogPeek(dir);
      for (int i = 0; i < kNewCopies; ++i) {
        const std::string text = copies.Text(
            "SELECT a.text FROM clip_attributes a JOIN clips c ON c.id = a.clip_id WHERE a.name = "
            "'dedup.signature' AND c.idx = 1 AND c.video_id = " +
            std::to_string(batch * kNewCopies + i + 1));
        auto sig = DupSignature::Parse(text);
        ASSERT_TRUE(sig.ok()) << sig.status().message();
        DupSignature copy;
        for (size_t k = 0; k < sig->frames.size(); k += 2) copy.frames.push_back(sig->frames[k]);
        add_clip(new_copies_video, i, copy);
      }
    }
    ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  };
  if (phase == "add") {
    add_new_clips();
    std::printf("added %d clips (%d copies) in %.1f s\n", kNewVideos * kClipsPerVideo + kNewCopies,
                kNewCopies,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    sqlite3_finalize(video);
    sqlite3_finalize(clip);
    sqlite3_finalize(attr);
    sqlite3_finalize(embedding);
    return;
  }
  ASSERT_EQ(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
  for (int v = 0; v < kVideos; ++v) {
    const int64_t vid = add_video("gen" + std::to_string(v));
    new_scene();
    for (int c = 0; c < kClipsPerVideo; ++c) {
      const DupSignature sig = random_signature();
      add_clip(vid, c, sig);
      if (static_cast<int>(originals.size()) < kCopies && c == 0) {
        originals.push_back(sig);
        original_embeddings.push_back(last_embedding);
      }
    }
  }
  const int64_t copies_video = add_video("copies");
  for (int i = 0; i < kCopies; ++i) {
    DupSignature copy;
    for (size_t k = 0; k < originals[i].frames.size(); k += 2) {
      FrameHash f = originals[i].frames[k];
      for (auto& h : f.h) h = drift(h, static_cast<int>(rng() % 4));
      copy.frames.push_back(f);
    }
    add_clip(copies_video, i, copy, embeddings ? &original_embeddings[i] : nullptr);
  }
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  const double gen_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (phase == "generate") {
    std::printf("generated %d clips (%d planted copies) in %.1f s\n",
                kVideos * kClipsPerVideo + kCopies, kCopies, gen_seconds);
    sqlite3_finalize(video);
    sqlite3_finalize(clip);
    sqlite3_finalize(attr);
    sqlite3_finalize(embedding);
    return;
  }

  DedupOptions bench_options;
  if (const char* c = std::getenv("CHUNKS")) bench_options.chunks = std::atoi(c);
  if (const char* j = std::getenv("DEDUP_SCALE_SEARCH")) {
    bench_options.search = std::string(j) == "join" ? DedupSearch::kChunkJoin : DedupSearch::kExact;
  }
  auto result = RunDedup(catalog, bench_options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const DedupResult& r = result.value();
  std::printf(
      "dedup of %ld clips (%d frames each, %d planted copies): %.2f s total, %.2f s index + "
      "candidates, %d chunks, %ld candidate pairs, %zu groups, %ld marked (catalog generated in "
      "%.1f s)\n",
      r.clips, kFrames, kCopies, r.seconds, r.index_seconds, r.chunks, r.candidate_pairs,
      r.groups.size(), r.marked, gen_seconds);
  EXPECT_EQ(r.clips, kVideos * kClipsPerVideo + kCopies);
  EXPECT_EQ(r.groups.size(), static_cast<size_t>(kCopies));
  EXPECT_EQ(r.marked, kCopies);

  add_new_clips();
  sqlite3_finalize(video);
  sqlite3_finalize(clip);
  sqlite3_finalize(attr);
  sqlite3_finalize(embedding);
  auto incremental = RunDedup(catalog, bench_options);
  ASSERT_TRUE(incremental.ok()) << incremental.status().message();
  DedupOptions full_options = bench_options;
  full_options.full = true;
  auto full = RunDedup(catalog, full_options);
  ASSERT_TRUE(full.ok()) << full.status().message();
  std::printf(
      "incremental dedup of %ld new clips (%d of them copies) into %ld: %.2f s (%.2f s index + "
      "candidates, %ld candidate pairs); full rerun: %.2f s\n",
      incremental->new_clips, kNewCopies, incremental->clips, incremental->seconds,
      incremental->index_seconds, incremental->candidate_pairs, full->seconds);
  EXPECT_TRUE(incremental->incremental);
  EXPECT_EQ(incremental->new_clips, kNewVideos * kClipsPerVideo + kNewCopies);
  EXPECT_EQ(incremental->groups.size(), static_cast<size_t>(kCopies + kNewCopies));
  EXPECT_EQ(full->groups.size(), incremental->groups.size());
  EXPECT_EQ(full->marked, incremental->marked);
}

}  // namespace
}  // namespace clipdex
