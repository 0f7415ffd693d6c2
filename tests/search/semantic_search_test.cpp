// Semantic search (search/embedding_index.h) with user-supplied CLIP models: random-weight
// stand-ins (tests/support/random_models.h), so the check is the mechanics: the order and the
// cosines `clipdex search --semantic` prints are the ones computed here from the stored
// embedding.clip and the text encoder run on the words; filters narrow; an example clip is not
// its own hit; without the models the error says which one is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "../support/onnx_writer.h"
#include "../support/random_models.h"
#include "../support/test_env.h"
#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "catalog/records.h"
#include "models/clip_text_encoder.h"
#include "models/onnx_session.h"

namespace clipdex {
namespace {

using nlohmann::json;

class SemanticSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(merges_)) GTEST_SKIP() << "skipping: " << merges_ << " not found";
    if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
    std::filesystem::create_directories(tmp_ / "models/clip");
    testing::WriteOnnxModel(testing::RandomClipGraph(16), tmp_ / "models/clip/clip_image.onnx");
    testing::WriteOnnxModel(testing::RandomClipTextGraph(16), tmp_ / "models/clip/clip_text.onnx");
    std::string files;
    for (const char* f :
         {"photos/lomiri/Bridge_by_Sander_Klootwijk.jpg", "photos/lomiri/Dragonfly_by_Bolly.jpg",
          "photos/lomiri/Fossa_by_Jasper_Roks.jpg", "photos/lomiri/Kleiber_by_Lukas_Baubkus.jpg",
          "photos/lomiri/Wine_by_Jakkub_Mede.jpg", "video/deb_mimetype_lego.mp4"}) {
      if (!std::filesystem::exists(Media(f)))
        GTEST_SKIP() << "skipping: " << Media(f) << " not found";
      files += ' ';
      files += ShellQuote(Media(f).string());
    }
    auto ingest = Clipdex("ingest -q --no-text" + files + " -o " + ShellQuote(Dataset()));
    ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  }
  // clipdex with the stand-in models as the first model root.
  testing::CommandResult Clipdex(const std::string& args) {
    return RunShell("CLIPDEX_MODELS=" + ShellQuote((tmp_ / "models").string()) + " " +
                    ShellQuote(CLIPDEX_BINARY) + " " + args);
  }
  std::string Dataset() const { return (tmp_ / "ds").string(); }
  static std::vector<json> Hits(const std::string& output) {
    std::vector<json> hits;
    for (const std::string& line : Lines(output)) {
      if (line.starts_with("{\"id\"")) hits.push_back(json::parse(line));
    }
    return hits;
  }
  // clip id -> stored embedding.clip.
  std::map<int64_t, std::vector<float>> Embeddings() {
    std::map<int64_t, std::vector<float>> out;
    auto catalog = Catalog::Open(Dataset(), /*create=*/false);
    EXPECT_TRUE(catalog.ok());
    if (!catalog.ok()) return out;
    EXPECT_TRUE((*catalog)
                    ->ForEachClip([&](const VideoRecord&, const ClipRecord& c) {
                      if (const Attribute* e = FindAttribute(c, "embedding.clip")) {
                        auto v = DecodeClipEmbedding(e->text);
                        if (v.ok()) out[c.id] = *v;
                      }
                      return true;
                    })
                    .ok());
    return out;
  }

  const std::filesystem::path merges_ = std::filesystem::path(CLIPDEX_SOURCE_DIR) /
                                        "third_party/models/clip/bpe_simple_vocab_16e6.txt";
  TempDir tmp_;
};

TEST_F(SemanticSearch, WordsRankClipsByTheirClipCosine) {
  const auto stored = Embeddings();
  ASSERT_GE(stored.size(), 6u);  // five photos and the lego clip's shots
  auto encoder = ClipTextEncoder::LoadFiles(tmp_ / "models/clip/clip_text.onnx", merges_);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  const std::string words = "a dragonfly on a leaf";
  auto text = (*encoder)->Embed(words);
  ASSERT_TRUE(text.ok());
  std::vector<std::pair<double, int64_t>> expected;
  for (const auto& [id, v] : stored) expected.push_back({Dot(*text, v), id});
  std::sort(expected.begin(), expected.end(), [](auto& a, auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });

  auto run = Clipdex("search " + ShellQuote(Dataset()) + " " + ShellQuote(words) +
                     " --semantic --json --limit 4");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto hits = Hits(run.output);
  ASSERT_EQ(hits.size(), 4u) << run.output;
  for (size_t k = 0; k < hits.size(); ++k) {
    EXPECT_EQ(hits[k]["id"].get<int64_t>(), expected[k].second) << k << "\n" << run.output;
    EXPECT_NEAR(hits[k]["similarity"].get<double>(), expected[k].first, 0.02) << k;
  }
  EXPECT_NE(run.output.find("\"mode\":\"semantic\""), std::string::npos) << run.output;

  // A filter narrows the candidates: only the lego clip's shots (a video) are left.
  auto filtered = Clipdex("search " + ShellQuote(Dataset()) + " " + ShellQuote(words) +
                          " --semantic --json --where \"width = 560\"");
  ASSERT_EQ(filtered.exit_code, 0) << filtered.output;
  for (const json& h : Hits(filtered.output)) {
    EXPECT_NE(h["video"].get<std::string>().find("lego"), std::string::npos) << h.dump();
  }
}

TEST_F(SemanticSearch, AnExampleClipFindsItsNearestByEmbeddingNotItself) {
  const auto stored = Embeddings();
  ASSERT_FALSE(stored.empty());
  const int64_t example = stored.begin()->first;
  int64_t nearest = 0;
  double best = -2;
  for (const auto& [id, v] : stored) {
    if (id == example) continue;
    const double c = Dot(stored.begin()->second, v);
    if (c > best) best = c, nearest = id;
  }
  auto run = Clipdex("search " + ShellQuote(Dataset()) + " --like-clip " + std::to_string(example) +
                     " --semantic --json --limit 3");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto hits = Hits(run.output);
  ASSERT_FALSE(hits.empty()) << run.output;
  EXPECT_EQ(hits[0]["id"].get<int64_t>(), nearest) << run.output;
  for (const json& h : hits) EXPECT_NE(h["id"].get<int64_t>(), example);
}

TEST_F(SemanticSearch, WithoutTheModelsTheErrorNamesTheMissingSlot) {
  std::filesystem::remove(tmp_ / "models/clip/clip_text.onnx");
  auto run = Clipdex("search " + ShellQuote(Dataset()) + " sunset --semantic");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("semantic search needs a CLIP text encoder: clip_text: not configured"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace clipdex
