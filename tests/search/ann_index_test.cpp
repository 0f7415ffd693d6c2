// The approximate embedding index (search/ann_index.h) and the semantic index's approximate mode
// (search/embedding_index.h, kAnnMinClips lowered): recall against brute force on clustered
// vectors, save/load, removal, filters, and a catalog index that is brought up to date
// incrementally (new clips added, the file reused) rather than rebuilt.
#include "search/ann_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "../support/test_env.h"
#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "search/embedding_index.h"

namespace clipdex {
namespace {

constexpr int kDims = 32;

// `n` unit vectors in scenes of `per_scene` (members at cosine ~0.9 to their scene's centre).
std::vector<std::vector<float>> SceneVectors(int n, int per_scene, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::vector<std::vector<float>> centres;
  std::vector<std::vector<float>> out;
  for (int i = 0; i < n; ++i) {
    if (i % per_scene == 0) {
      std::vector<float> c(kDims);
      for (float& x : c) x = g(rng);
      centres.push_back(L2Normalised(c));
    }
    std::vector<float> v = centres.back();
    for (float& x : v) x += 0.5f * g(rng) / std::sqrt(static_cast<float>(kDims));
    out.push_back(L2Normalised(v));
  }
  return out;
}

float Dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Ids (1-based positions) of the k nearest to vectors[q] by brute force, itself excluded.
std::vector<int64_t> Exact(const std::vector<std::vector<float>>& vectors, size_t q, int k) {
  std::vector<std::pair<float, int64_t>> all;
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (i != q) all.push_back({-Dot(vectors[q], vectors[i]), static_cast<int64_t>(i) + 1});
  }
  std::partial_sort(all.begin(), all.begin() + k, all.end());
  std::vector<int64_t> ids;
  for (int i = 0; i < k; ++i) ids.push_back(all[static_cast<size_t>(i)].second);
  return ids;
}

std::unique_ptr<AnnIndex> BuildAnn(const std::vector<std::vector<float>>& vectors) {
  auto index = std::make_unique<AnnIndex>(kDims, AnnIndex::ListsFor(vectors.size()));
  std::vector<float> flat;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < vectors.size(); ++i) {
    flat.insert(flat.end(), vectors[i].begin(), vectors[i].end());
    ids.push_back(static_cast<int64_t>(i) + 1);
  }
  index->Train(flat.data(), static_cast<int64_t>(vectors.size()));
  index->Add(flat.data(), ids.data(), static_cast<int64_t>(vectors.size()));
  return index;
}

double Recall(const AnnIndex& index, const std::vector<std::vector<float>>& vectors, int k) {
  double found = 0;
  int queries = 0;
  for (size_t q = 0; q < vectors.size(); q += 25, ++queries) {
    const auto exact = Exact(vectors, q, k);
    for (const AnnHit& h :
         index.Search(vectors[q].data(), k, 0, nullptr, static_cast<int64_t>(q) + 1)) {
      found += std::count(exact.begin(), exact.end(), h.id) > 0;
    }
  }
  return found / (static_cast<double>(queries) * k);
}

TEST(AnnIndex, FindsTheExactNeighboursOfClusteredVectors) {
  const auto vectors = SceneVectors(5000, 20, 1);
  auto index = BuildAnn(vectors);
  EXPECT_EQ(index->size(), 5000);
  EXPECT_EQ(index->lists(), 128);
  const double recall = Recall(*index, vectors, 10);
  EXPECT_GE(recall, 0.95) << "recall@10 against brute force";
  // One probe of 128 cells must do worse than the default: the test can tell probing from luck.
  double one_probe = 0;
  for (size_t q = 0; q < vectors.size(); q += 25) {
    const auto exact = Exact(vectors, q, 10);
    for (const AnnHit& h :
         index->Search(vectors[q].data(), 10, 1, nullptr, static_cast<int64_t>(q) + 1)) {
      one_probe += std::count(exact.begin(), exact.end(), h.id) > 0;
    }
  }
  EXPECT_LT(one_probe / (200.0 * 10), recall);
}

TEST(AnnIndex, SavedAndLoadedAnswersTheSameAndRemovesIds) {
  TempDir tmp;
  const auto vectors = SceneVectors(3000, 10, 2);
  auto index = BuildAnn(vectors);
  ASSERT_TRUE(index->Save(tmp / "x.ann").ok());
  auto loaded = AnnIndex::Load(tmp / "x.ann");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->size(), 3000);
  EXPECT_EQ((*loaded)->dims(), kDims);
  EXPECT_EQ((*loaded)->Ids().size(), 3000u);
  for (size_t q = 0; q < vectors.size(); q += 100) {
    const auto a = index->Search(vectors[q].data(), 5);
    const auto b = (*loaded)->Search(vectors[q].data(), 5);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  }
  // Remove the query's own scene: none of its ids may come back.
  std::vector<int64_t> scene;
  for (int64_t id = 1; id <= 10; ++id) scene.push_back(id);
  EXPECT_EQ((*loaded)->Remove(scene), 10);
  EXPECT_EQ((*loaded)->size(), 2990);
  for (const AnnHit& h : (*loaded)->Search(vectors[0].data(), 20)) EXPECT_GT(h.id, 10);
}

TEST(AnnIndex, AFilterKeepsOnlyAllowedIdsAndUnreadableFilesAreClearErrors) {
  const auto vectors = SceneVectors(3000, 10, 3);
  auto index = BuildAnn(vectors);
  const std::unordered_set<int64_t> allowed = {11, 12, 13, 500, 2999};
  const auto hits = index->Search(vectors[10].data(), 10, index->lists(), &allowed, 11);
  ASSERT_FALSE(hits.empty());
  for (const AnnHit& h : hits) EXPECT_TRUE(allowed.count(h.id) && h.id != 11) << h.id;
  EXPECT_EQ(hits[0].id == 12 || hits[0].id == 13, true);  // the query's scene comes first

  TempDir tmp;
  const Status unwritable = index->Save(tmp / "no" / "such" / "dir" / "x.ann");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.message().find("cannot write ANN index"), std::string::npos)
      << unwritable.message();
  { std::ofstream(tmp / "bad.ann") << "not an index"; }
  auto bad = AnnIndex::Load(tmp / "bad.ann");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot read ANN index"), std::string::npos)
      << bad.status().message();
}

// A catalog of `clips` clips in one video, each with embedding.clip from `vectors`.
void CommitClips(Catalog& catalog, const std::string& fingerprint,
                 const std::vector<std::vector<float>>& vectors) {
  VideoResult r;
  r.video.fingerprint = fingerprint;
  r.video.path = "/media/" + fingerprint + ".mp4";
  r.video.status = "ok";
  for (size_t i = 0; i < vectors.size(); ++i) {
    ClipRecord c;
    c.index = static_cast<int>(i);
    c.first_frame = static_cast<long>(i) * 10;
    c.last_frame = c.first_frame + 9;
    c.start_time = static_cast<double>(i);
    c.end_time = c.start_time + 1;
    c.attributes.push_back(Attribute::Text("embedding.clip", EncodeClipEmbedding(vectors[i])));
    r.clips.push_back(std::move(c));
  }
  ASSERT_TRUE(catalog.CommitVideo(r, 0).ok());
}

TEST(SemanticIndexApproximate, BuildsKeepsAndUpdatesTheIndexInTheDataset) {
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/true);
  ASSERT_TRUE(catalog.ok());
  const auto first = SceneVectors(3000, 10, 4);
  CommitClips(**catalog, "aaaa", first);

  auto exact = EmbeddingIndex::Build(**catalog);  // 3000 < kAnnMinClips: the exact scan
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  EXPECT_FALSE((*exact)->approximate());
  auto approx = EmbeddingIndex::Build(**catalog, /*ann_min_clips=*/1000);
  ASSERT_TRUE(approx.ok()) << approx.status().message();
  ASSERT_TRUE((*approx)->approximate());
  EXPECT_EQ((*approx)->ann_note(), "built");
  EXPECT_EQ((*approx)->clips(), 3000u);
  EXPECT_TRUE(std::filesystem::exists(tmp / "ds" / "embeddings.ann"));

  // Clip ids as the catalog numbered them: clip i of the video is id ids[i].
  std::vector<int64_t> ids;
  ASSERT_TRUE((*catalog)
                  ->ForEachClip([&](const VideoRecord&, const ClipRecord& c) {
                    ids.push_back(c.id);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(ids.size(), 3000u);
  int same_top = 0, queries = 0;
  for (size_t q = 0; q < first.size(); q += 30, ++queries) {
    const auto e = (*exact)->Nearest(first[q], 1, nullptr, ids[q]);
    const auto a = (*approx)->Nearest(first[q], 1, nullptr, ids[q]);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_NE(a[0].clip_id, ids[q]);  // the example is never its own hit
    same_top += e[0].clip_id == a[0].clip_id;
  }
  EXPECT_GE(same_top, queries * 95 / 100) << same_top << " of " << queries;

  // The file counts as written a minute from now: nothing was ingested since, so what follows
  // tests the add path alone (videos ingested after the file are read again, see below).
  const auto ann_file = tmp / "ds" / "embeddings.ann";
  auto set_mtime = [&](int seconds_from_now) {
    std::filesystem::last_write_time(ann_file, std::filesystem::file_time_type::clock::now() +
                                                   std::chrono::seconds(seconds_from_now));
  };
  set_mtime(60);
  // Unchanged catalog: the saved index is loaded, not rebuilt.
  auto again = EmbeddingIndex::Build(**catalog, 1000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->ann_note(), "loaded");

  // 200 new clips: added to the saved index, and findable.
  const auto more = SceneVectors(200, 10, 5);
  CommitClips(**catalog, "bbbb", more);
  set_mtime(60);
  auto updated = EmbeddingIndex::Build(**catalog, 1000);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ((*updated)->ann_note(), "updated (+200 -0)");
  EXPECT_EQ((*updated)->clips(), 3200u);
  const auto hit = (*updated)->Nearest(more[5], 1, nullptr, 0);
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_GT(hit[0].clip_id, ids.back());  // one of the new clips
  EXPECT_GT(hit[0].cosine, 0.95);

  // "bbbb" re-ingested with other pictures: its clips are deleted and inserted again, and SQLite
  // may hand the new clips the old ids. Ingested after the file was written, they are read again:
  // the new vectors are found, the old ones are gone.
  const auto other = SceneVectors(200, 10, 6);
  CommitClips(**catalog, "bbbb", other);
  set_mtime(-60);
  auto reread = EmbeddingIndex::Build(**catalog, 1000);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ((*reread)->clips(), 3200u);
  const auto new_hit = (*reread)->Nearest(other[5], 1, nullptr, 0);
  ASSERT_EQ(new_hit.size(), 1u);
  EXPECT_GT(new_hit[0].cosine, 0.95);
  const auto old_hit = (*reread)->Nearest(more[5], 1, nullptr, 0);
  ASSERT_EQ(old_hit.size(), 1u);
  EXPECT_LT(old_hit[0].cosine, 0.9) << "a stale vector of the first bbbb is still indexed";

  // A damaged file is rebuilt, not an error.
  { std::ofstream(tmp / "ds" / "embeddings.ann", std::ios::trunc) << "garbage"; }
  auto rebuilt = EmbeddingIndex::Build(**catalog, 1000);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_EQ((*rebuilt)->ann_note(), "built");
  EXPECT_EQ((*rebuilt)->clips(), 3200u);
}

}  // namespace
}  // namespace clipdex
