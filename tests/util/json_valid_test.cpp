// IsJsonText (util/json_valid.h) against nlohmann::json::accept, the reference: the same verdict
// on hand-picked valid and invalid texts and on random mutations of real attribute JSON.
#include "util/json_valid.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace clipdex {
namespace {

TEST(JsonValid, AgreesWithTheReferenceOnHandPickedTexts) {
  const std::vector<std::string> texts = {
      "{}",
      "[]",
      "0",
      "-0",
      "1.5e-3",
      "-12.25E+7",
      "true",
      "false",
      "null",
      "\"\"",
      R"({"a":[1,2,{"b":null}],"c":"d"})",
      " [ 1 , 2 ] ",
      "\"\\u00e9\\n\\\"\"",
      "\"\\ud83d\\ude00\"",
      "\"日本語 ✓\"",
      R"([{"end":1.001,"label":"static","rate":0.0}])",
      // invalid
      "",
      " ",
      "{",
      "[1,]",
      "{\"a\":}",
      "{\"a\" 1}",
      "[1 2]",
      "01",
      "1.",
      ".5",
      "1e",
      "-",
      "+1",
      "tru",
      "nul",
      "[1]]",
      "{} {}",
      "\"abc",
      "\"a\nb\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\xff\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "[not json",
      "{'a':1}",
      "[NaN]",
      "-1e505",
      "[1e400]",
      "1e-400",
      "[Infinity]",
      std::string("[1,\0]", 5),
      "\"\xe6\x97\"",
  };
  for (const std::string& t : texts) {
    EXPECT_EQ(IsJsonText(t), nlohmann::json::accept(t)) << "text: " << t;
  }
}

TEST(JsonValid, AgreesWithTheReferenceOnMutatedRealJson) {
  const std::string seed =
      R"({"camera":{"movement":"mixed","segments":[{"end":2.7,"movement":"tilt_up","speed":"slow",)"
      R"("start":0.0}],"shot_scale":"long"},"duration":5.28,"text":"远景 \"quoted\" \\ end",)"
      R"("faces":-1e-05,"ok":true,"none":null,"list":[[],{},[0,1.25E+2]]})";
  ASSERT_TRUE(IsJsonText(seed));
  const std::string alphabet =
      "{}[],:\"\\ 0123456789.eE+-tfnul\xe6\x97\xa5\x01"
      "ab";
  std::mt19937 rng(7);
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string t = seed;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % (t.size() + 1);
      const char ch = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          t.insert(t.begin() + static_cast<long>(pos), ch);
          break;
        case 1:
          if (pos < t.size()) t.erase(pos, 1);
          break;
        default:
          if (pos < t.size()) t[pos] = ch;
      }
    }
    const bool reference = nlohmann::json::accept(t);
    valid += reference;
    ASSERT_EQ(IsJsonText(t), reference) << "text: " << t;
  }
  // Both verdicts were exercised.
  EXPECT_GT(valid, 500);
  EXPECT_LT(valid, 19500);
}

TEST(JsonValid, DeepNestingIsRefusedNotACrash) {
  EXPECT_TRUE(IsJsonText(std::string(100, '[') + std::string(100, ']')));
  EXPECT_FALSE(IsJsonText(std::string(100000, '[') + std::string(100000, ']')));
}

}  // namespace
}  // namespace clipdex
