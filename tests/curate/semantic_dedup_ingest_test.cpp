// `dedup --semantic` end to end with a RANDOM-WEIGHT CLIP stand-in written at test time: the
// mechanics (embedding.clip stored, identical input -> identical embedding -> grouped), not the
// semantic quality of real CLIP weights (none are available here).
#include <gtest/gtest.h>

#include <fstream>

#include "../support/random_models.h"
#include "../support/test_env.h"
#include "analyze/aesthetic.h"
#include "analyze/clip_embedding.h"
#include "models/onnx_session.h"

namespace clipdex {
namespace {

std::string Sql(const std::filesystem::path& dataset, const std::string& query) {
  return testing::RunShell("sqlite3 " + testing::ShellQuote((dataset / "catalog.sqlite").string()) +
                           " " + testing::ShellQuote(query))
      .output;
}

TEST(SemanticDedupIngest, IdenticalCopiesGroupOnlyWithSemantic) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  const auto source = testing::Media("synthetic/dup_src.mp4");
  const auto other = testing::Media("synthetic/dup_negative_other.mp4");
  CLIPDEX_REQUIRE_FILE(source);
  CLIPDEX_REQUIRE_FILE(other);
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp / "in");
  std::filesystem::create_directories(tmp / "models" / "clip");
  testing::WriteOnnxModel(testing::RandomClipGraph(512),
                          tmp / "models" / "clip" / "clip_image.onnx");
  // Two copies with the same pictures: the copy ends in an empty MP4 'free' box, so its bytes
  // (and the catalog's file fingerprint) differ while every decoded frame is the same.
  std::filesystem::copy_file(source, tmp / "in" / "a.mp4");
  std::filesystem::copy_file(source, tmp / "in" / "b.mp4");
  {
    std::ofstream tail(tmp / "in" / "b.mp4", std::ios::binary | std::ios::app);
    tail.write(
        "\0\0\0\x08"
        "free",
        8);
  }
  std::filesystem::copy_file(other, tmp / "in" / "c.mp4");
  const auto dataset = tmp / "ds";
  // Without dedup signatures only the semantic step can group anything.
  auto ingest = testing::RunClipdex(
      "ingest " + testing::ShellQuote((tmp / "in").string()) + " -o " +
      testing::ShellQuote(dataset.string()) +
      " --no-camera --no-framing --no-text --no-thumbs --no-quality --no-native-quality "
      "--no-borders --no-dedup-signature --no-artifact-classifier --models " +
      testing::ShellQuote((tmp / "models").string()));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  EXPECT_NE(ingest.output.find("embedding.clip"), std::string::npos) << ingest.output;
  const std::string clips = Sql(dataset, "select count(*) from clips");
  EXPECT_EQ(Sql(dataset, "select count(*) from clip_attributes where name = 'embedding.clip'"),
            clips);
  EXPECT_EQ(Sql(dataset,
                "select count(*) from clip_attributes where name = 'embedding.clip' "
                "and text like 'i8:512:%'"),
            clips);

  auto plain = testing::RunClipdex("dedup " + testing::ShellQuote(dataset.string()));
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(Sql(dataset, "select count(*) from clip_attributes where name = 'dedup.group'"), "0\n");
  EXPECT_EQ(plain.output.find("semantic"), std::string::npos) << plain.output;

  auto semantic =
      testing::RunClipdex("dedup " + testing::ShellQuote(dataset.string()) + " --semantic 0.99");
  EXPECT_EQ(semantic.exit_code, 0) << semantic.output;
  std::printf("%s", semantic.output.c_str());
  EXPECT_NE(semantic.output.find("semantic: cosine >= 0.990"), std::string::npos);
  // Every clip of b.mp4 is in the same group as the clip of a.mp4 with the same index, and no
  // clip of c.mp4 is grouped with either.
  const std::string by_file =
      "select substr(v.path, -5), c.idx, g.num from clips c join videos v on v.id = "
      "c.video_id left join clip_attributes g on g.clip_id = c.id and g.name = 'dedup.group' "
      "order by 1, 2";
  std::printf("%s", Sql(dataset, by_file).c_str());
  EXPECT_EQ(Sql(dataset,
                "select count(*) from clips ca join videos va on va.id = ca.video_id "
                "join clips cb on cb.idx = ca.idx join videos vb on vb.id = "
                "cb.video_id join clip_attributes ga on ga.clip_id = ca.id and ga.name = "
                "'dedup.group' join clip_attributes gb on gb.clip_id = cb.id and gb.name = "
                "'dedup.group' where va.path like '%/a.mp4' and vb.path like '%/b.mp4' and "
                "ga.num = gb.num"),
            Sql(dataset,
                "select count(*) from clips c join videos v on v.id = c.video_id "
                "where v.path like '%/a.mp4'"));
  EXPECT_EQ(Sql(dataset,
                "select count(*) from clips c join videos v on v.id = c.video_id join "
                "clip_attributes g on g.clip_id = c.id and g.name = 'dedup.group' where v.path "
                "like '%/c.mp4' and g.num in (select g2.num from clip_attributes g2 join clips c2 "
                "on c2.id = g2.clip_id join videos v2 on v2.id = c2.video_id where g2.name = "
                "'dedup.group' and v2.path not like '%/c.mp4')"),
            "0\n");

  // The catalog-scale join (curate/semantic_join.h) writes the same rows.
  const std::string rows_sql =
      "select clip_id, name, num from clip_attributes where name in ('dedup.group', "
      "'dedup.dup_of') order by 1, 2";
  const std::string in_memory_rows = Sql(dataset, rows_sql);
  const std::string ds = testing::ShellQuote(dataset.string());
  auto joined = testing::RunClipdex("dedup " + ds + " --semantic 0.99 --search join");
  EXPECT_EQ(joined.exit_code, 0) << joined.output;
  EXPECT_NE(joined.output.find("semantic join: 1 blocks"), std::string::npos) << joined.output;
  EXPECT_EQ(Sql(dataset, rows_sql), in_memory_rows);
}

TEST(SemanticDedupIngest, ClipsWithoutEmbeddingAreCountedAndReported) {
  const auto source = testing::Media("synthetic/dup_src.mp4");
  CLIPDEX_REQUIRE_FILE(source);
  testing::TempDir tmp;
  const auto dataset = tmp / "ds";
  auto ingest = testing::RunClipdex(
      "ingest " + testing::ShellQuote(source.string()) + " -o " +
      testing::ShellQuote(dataset.string()) +
      " --no-camera --no-framing --no-text --no-thumbs --no-quality --no-native-quality "
      "--no-borders --no-artifact-classifier --models " +
      testing::ShellQuote((tmp / "none").string()));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.output;
  const std::string clips = Sql(dataset, "select count(*) from clips");
  auto semantic =
      testing::RunClipdex("dedup " + testing::ShellQuote(dataset.string()) + " --semantic 0.95");
  EXPECT_EQ(semantic.exit_code, 0) << semantic.output;
  const std::string n = clips.substr(0, clips.find('\n'));
  EXPECT_NE(semantic.output.find(n + " clips have no embedding.clip: configure a CLIP image "
                                     "encoder, clipdex models"),
            std::string::npos)
      << semantic.output;
  auto bad =
      testing::RunClipdex("dedup " + testing::ShellQuote(dataset.string()) + " --semantic 1.5");
  EXPECT_NE(bad.exit_code, 0);
}

// An encoder with no matching aesthetic head (here 64-d) still gives embedding.clip, and the
// stored text is the normalised mean of the samples' normalised embeddings.
TEST(SemanticDedupIngest, EncoderWithoutAHeadStillWritesTheEmbedding) {
  if (!OrtAvailable()) GTEST_SKIP() << "skipping: " << OrtUnavailableReason();
  testing::TempDir tmp;
  testing::WriteOnnxModel(testing::RandomClipGraph(64), tmp / "clip_image.onnx");
  auto analyzer = AestheticAnalyzer::Load(tmp / "clip_image.onnx", "", "");
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().message();
  EXPECT_FALSE((*analyzer)->has_head());
  std::vector<AnalysisFrame> frames(3);
  std::vector<float> want(64, 0.0f);
  for (int k = 0; k < 3; ++k) {
    frames[k].image = cv::Mat(240, 320, CV_8UC3, cv::Scalar(40 * k, 200 - 50 * k, 90));
    auto e = (*analyzer)->Embed(frames[k].image);
    ASSERT_TRUE(e.ok()) << e.status().message();
    const std::vector<float> unit = L2Normalised(*e);
    for (size_t d = 0; d < want.size(); ++d) want[d] += unit[d];
  }
  std::vector<Attribute> out;
  (*analyzer)->Analyze(ClipSpan{}, frames, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "embedding.clip");
  EXPECT_TRUE(out[0].text.starts_with("i8:64:")) << out[0].text;
  auto got = DecodeClipEmbedding(out[0].text);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_GE(Dot(*got, L2Normalised(want)), 0.999);
}

}  // namespace
}  // namespace clipdex
