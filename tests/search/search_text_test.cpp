// Index/query text transformation and query understanding (search/search_text.h,
// search/query_understanding.h), checked against hand-worked expectations.
#include "search/search_text.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "search/query_understanding.h"

namespace clipdex {
namespace {

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(SearchText, CjkRunsBecomeBigramsPlusTheLastCharacter) {
  EXPECT_EQ(Words(IndexableText("一只猫在屋顶上")),
            (std::vector<std::string>{"一只", "只猫", "猫在", "在屋", "屋顶", "顶上", "上"}));
  // Latin text is untouched; mixed text splits at the script change.
  EXPECT_EQ(Words(IndexableText("NEWS24 特写 close-up")),
            (std::vector<std::string>{"NEWS24", "特写", "写", "close-up"}));
  EXPECT_EQ(IndexableText("plain words"), "plain words");
}

TEST(SearchText, QueryTermsPhrasesNegationAndCjk) {
  const auto terms = ParseQueryTerms("close-up \"red cup\" -night 推镜头 猫 NEWS24");
  ASSERT_EQ(terms.size(), 6u);
  EXPECT_EQ(terms[0].tokens, (std::vector<std::string>{"close", "up"}));
  EXPECT_EQ(terms[1].tokens, (std::vector<std::string>{"red", "cup"}));
  EXPECT_TRUE(terms[2].negated);
  EXPECT_EQ(terms[2].tokens, (std::vector<std::string>{"night"}));
  EXPECT_EQ(terms[3].tokens, (std::vector<std::string>{"推镜", "镜头"}));
  EXPECT_FALSE(terms[3].prefix);
  EXPECT_EQ(terms[4].tokens, (std::vector<std::string>{"猫"}));
  EXPECT_TRUE(terms[4].prefix);
  EXPECT_EQ(terms[5].tokens, (std::vector<std::string>{"NEWS24"}));
  EXPECT_EQ(FtsQuery(terms, true),
            "(\"close\" + \"up\" AND \"red\" + \"cup\" AND \"推镜\" + \"镜头\" AND \"猫\" * AND "
            "\"NEWS24\") NOT \"night\"");
}

TEST(SearchText, NoOperatorCanComeFromTheUser) {
  // FTS5 syntax characters are separators or quoted; a stray quote closes nothing.
  const auto terms = ParseQueryTerms("a* OR (b) NEAR(c d) \"unclosed");
  const std::string q = FtsQuery(terms, true);
  EXPECT_EQ(q, "(\"a\" AND \"OR\" AND \"b\" AND \"NEAR\" AND \"c\" AND \"d\" AND \"unclosed\")");
  EXPECT_EQ(FtsQuery(ParseQueryTerms("-only -negated"), true), "");
  EXPECT_EQ(FtsQuery(ParseQueryTerms("say \"he said \"\"hi\"\"\""), true),
            "(\"say\" AND \"he\" + \"said\" AND \"hi\")");
}

TEST(QueryUnderstanding, CameraAndAbsenceWordsBecomeConditions) {
  const UnderstoodQuery u = UnderstandQuery("close-up, slow zoom in, sunset, no text");
  EXPECT_EQ(u.scales, (std::vector<std::string>{"close_up"}));
  EXPECT_EQ(u.movements, (std::vector<std::string>{"zoom_in"}));
  EXPECT_TRUE(Has(u.conditions, "text.content IS NULL"));
  EXPECT_TRUE(Has(u.conditions, "camera.movement IN ('zoom_in')"));
  EXPECT_TRUE(Has(u.conditions, "framing.shot_scale IN ('close_up')"));
  EXPECT_NE(u.text.find("slow"), std::string::npos) << u.text;
  EXPECT_NE(u.text.find("sunset"), std::string::npos) << u.text;
  EXPECT_EQ(u.text.find("zoom"), std::string::npos) << u.text;
  EXPECT_EQ(u.text.find("text"), std::string::npos) << u.text;
}

TEST(QueryUnderstanding, ChineseCameraWords) {
  const UnderstoodQuery u = UnderstandQuery("推镜头，特写，一只猫");
  EXPECT_EQ(u.movements, (std::vector<std::string>{"zoom_in"}));
  EXPECT_EQ(u.scales, (std::vector<std::string>{"close_up"}));
  EXPECT_NE(u.text.find("一只猫"), std::string::npos) << u.text;
  EXPECT_EQ(u.text.find("特写"), std::string::npos) << u.text;
}

TEST(QueryUnderstanding, OrdinaryWordsStayWords) {
  // "panorama" and "static electricity" must not turn into a pan or a static shot by substring.
  const UnderstoodQuery u = UnderstandQuery("panorama of a harbour");
  EXPECT_TRUE(u.movements.empty());
  EXPECT_TRUE(u.conditions.empty());
  EXPECT_EQ(Words(u.text), (std::vector<std::string>{"panorama", "of", "a", "harbour"}));
}

}  // namespace
}  // namespace clipdex
