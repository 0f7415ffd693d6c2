// The catalog's query methods (catalog/catalog.h): attributes, rules and tiers, selection,
// explain lookups and the report's reads, each against its stated contract.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "catalog/catalog.h"

namespace clipdex {
namespace {

// Two ok videos (a: 3 clips, b: 2 clips) and one failed input. Clip ids are 1..5 in commit order.
VideoResult Video(const std::string& fp, const std::string& path, int clips, int width) {
  VideoResult r;
  r.video.fingerprint = fp;
  r.video.path = path;
  r.video.probe.width = width;
  r.video.probe.height = 100;
  for (int i = 0; i < clips; ++i) {
    ClipRecord c;
    c.index = i;
    c.first_frame = i * 10;
    c.last_frame = i * 10 + 9;
    c.start_time = i;
    c.end_time = i + 1 + 0.5 * i;  // durations 1, 1.5, 2 ...
    c.thumbnail = i == 0 ? "thumbs/" + fp + ".jpg" : "";
    r.clips.push_back(c);
  }
  return r;
}

class CatalogQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = Catalog::Open(dir_.path() / "ds", /*create=*/true);
    ASSERT_TRUE(cat.ok()) << cat.status().message();
    cat_ = std::move(cat.value());
    VideoResult a = Video("fa", "/v/a.mp4", 3, 200);
    a.clips[0].attributes = {Attribute::Text("camera.movement", "static"),
                             Attribute::Num("quality.score", 0.5)};
    a.clips[1].attributes = {Attribute::Text("camera.movement", "pan_left"),
                             Attribute::Num("quality.score", 2)};
    a.clips[2].attributes = {Attribute::Text("dedup.signature", "sig")};
    ASSERT_TRUE(cat_->CommitVideo(a, 0).ok());
    VideoResult b = Video("fb", "/v/b.mp4", 2, 300);
    b.clips[1].attributes = {Attribute::Text("camera.movement", "static")};
    ASSERT_TRUE(cat_->CommitVideo(b, 0).ok());
    ASSERT_TRUE(cat_->RecordFailure("fc", "/v/c.mp4", 1, "not a media file", 0).ok());
  }
  testing::CatalogPeek Peek() { return testing::CatalogPeek(dir_.path() / "ds"); }
  std::string Dump() {
    return Peek().Text(
        "SELECT group_concat(clip_id || ':' || name || '=' || COALESCE(num, text), ' ') FROM "
        "(SELECT * FROM clip_attributes ORDER BY clip_id, name)");
  }
  CompiledRule Rule(const std::string& tier, const std::string& sql,
                    std::set<std::string> attributes = {}) {
    CompiledRule r;
    r.tier = tier;
    r.when = sql;
    r.sql = sql;
    r.conjuncts = {{sql, sql, "'failed: " + tier + "'", "", ""}};
    r.attributes = std::move(attributes);
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<Catalog> cat_;
};

TEST_F(CatalogQueriesTest, StoredAttributeNames) {
  auto names = cat_->StoredAttributeNames();
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(*names, (std::set<std::string>{"camera.movement", "dedup.signature", "quality.score"}));
}

TEST_F(CatalogQueriesTest, ReplaceAttributesReplacesByName) {
  ASSERT_TRUE(
      cat_->ReplaceAttributes({}, {{1, "dedup.group", 1.0, ""}, {2, "note", {}, "x"}}).ok());
  ASSERT_TRUE(cat_->ReplaceAttributes({"dedup.group"}, {{3, "dedup.group", 3.0, ""}}).ok());
  const std::string dump = Dump();
  EXPECT_EQ(dump.find("1:dedup.group"), std::string::npos) << dump;
  EXPECT_NE(dump.find("3:dedup.group=3.0"), std::string::npos) << dump;
  EXPECT_NE(dump.find("2:note=x"), std::string::npos) << dump;
  // Other names are untouched.
  EXPECT_NE(dump.find("1:camera.movement=static"), std::string::npos) << dump;
}

TEST_F(CatalogQueriesTest, ReplaceAttributesRollsBackOnFailure) {
  const std::string before = Dump();
  // The delete succeeds, then a row for an unknown clip fails: nothing may change.
  Status st =
      cat_->ReplaceAttributes({"camera.movement"}, {{1, "a.b", 1.0, ""}, {999, "a.b", 1.0, ""}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("catalog: write attribute a.b of clip 999"), std::string::npos)
      << st.message();
  EXPECT_EQ(Dump(), before);
  // Two rows for one (clip, name).
  EXPECT_FALSE(cat_->ReplaceAttributes({}, {{1, "a.b", 1.0, ""}, {1, "a.b", 2.0, ""}}).ok());
  // A row that collides with a stored attribute it did not replace.
  EXPECT_FALSE(cat_->ReplaceAttributes({}, {{1, "camera.movement", {}, "pan"}}).ok());
  EXPECT_EQ(Dump(), before);
}

TEST_F(CatalogQueriesTest, ForEachWideClip) {
  std::vector<WideClipRow> rows;
  auto collect = [&](const WideClipRow& r) {
    rows.push_back(r);
    return Status::Ok();
  };
  // required 0: every clip of an ok video, in id order.
  ASSERT_TRUE(cat_->ForEachWideClip({"quality.score", "camera.movement"}, 0, collect).ok());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].clip_id, 1);
  EXPECT_EQ(rows[0].pixels, 200 * 100);
  EXPECT_DOUBLE_EQ(rows[1].duration, 1.5);
  ASSERT_EQ(rows[0].cells.size(), 2u);
  EXPECT_TRUE(rows[0].cells[0].present);
  EXPECT_EQ(rows[0].cells[0].number, 0.5);
  EXPECT_FALSE(rows[0].cells[0].text.has_value());
  EXPECT_EQ(rows[0].cells[1].text, "static");
  EXPECT_FALSE(rows[2].cells[0].present);
  // required 1: only clips carrying the first name.
  rows.clear();
  ASSERT_TRUE(cat_->ForEachWideClip({"dedup.signature", "quality.score"}, 1, collect).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].clip_id, 3);
  // An unknown attribute is an absent cell, not an error; nothing carries it -> no rows.
  rows.clear();
  ASSERT_TRUE(cat_->ForEachWideClip({"no.such"}, 1, collect).ok());
  EXPECT_TRUE(rows.empty());
  // fn's error stops the walk and comes back.
  int calls = 0;
  Status st = cat_->ForEachWideClip({}, 0, [&](const WideClipRow&) {
    ++calls;
    return Status::Error("stop");
  });
  EXPECT_EQ(st.message(), "stop");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(cat_->ForEachWideClip({"a"}, 2, collect).ok());
}

TEST_F(CatalogQueriesTest, CountClipsWithout) {
  EXPECT_EQ(cat_->CountClipsWithout("dedup.signature").value(), 4);
  EXPECT_EQ(cat_->CountClipsWithout("no.such").value(), 5);
}

TEST_F(CatalogQueriesTest, WriteTiersAndReadBack) {
  EXPECT_FALSE(cat_->HasTiers().value());
  auto totals =
      cat_->WriteTiers({Rule("gold", "\"camera.movement\" = 'static'", {"camera.movement"}),
                        Rule("silver", "duration >= 1.5")},
                       "bronze", "test");
  ASSERT_TRUE(totals.ok()) << totals.status().message();
  std::map<std::string, long> by_tier;
  for (const auto& t : *totals) by_tier[t.tier] = t.clips;
  EXPECT_EQ(by_tier, (std::map<std::string, long>{{"gold", 2}, {"silver", 2}, {"bronze", 1}}));
  EXPECT_TRUE(cat_->HasTiers().value());
  // Recipe order recovered from `missed`, then untiered clips.
  auto order = cat_->TierTotals();
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), 3u);
  EXPECT_EQ((*order)[0].tier, "gold");
  EXPECT_EQ((*order)[1].tier, "silver");
  EXPECT_EQ((*order)[2].tier, "bronze");
  EXPECT_EQ(cat_->UntieredTotal()->clips, 0);
  auto detail = cat_->FindClip(2);  // pan_left, 1.5 s: silver, missed gold
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->tier, "silver");
  // The row is compact: rank and failed conjunct positions; the text comes from its tiering.
  EXPECT_EQ((*detail)->rank, 1);
  EXPECT_EQ((*detail)->failed, "0");
  EXPECT_EQ((*detail)->missed, "{}");  // the column's default
  ASSERT_TRUE(cat_->ExpandTierReasons(&**detail).ok());
  EXPECT_EQ((*detail)->missed, "{\"gold\":[\"failed: gold\"]}");
  EXPECT_EQ((*detail)->rule, "duration >= 1.5");
  EXPECT_EQ((*detail)->recipe, "test");
  EXPECT_EQ(Peek().Text("SELECT length(rule) + length(missed) + length(recipe) FROM clip_tiers "
                        "WHERE clip_id = 2"),
            "2");
}

// A catalog tiered before schema 5 holds each row's rule and missed text; the migration gives
// those rows their rank (so the report's order holds) and explain keeps showing their text.
TEST_F(CatalogQueriesTest, TierRowsWrittenBeforeSchema5KeepTheirText) {
  ASSERT_TRUE(cat_->WriteTiers({Rule("gold", "\"camera.movement\" = 'static'", {"camera.movement"}),
                                Rule("silver", "duration >= 1.5")},
                               "bronze", "test")
                  .ok());
  cat_.reset();
  // Back to what schema 4 wrote: text in every row, no tiering columns.
  ASSERT_TRUE(
      Peek().Exec("UPDATE clip_tiers SET rule = 'old ' || tier, recipe = 'old', missed = CASE tier "
                  "WHEN 'gold' THEN '{}' WHEN 'silver' THEN '{\"gold\":[\"no\"]}' "
                  "ELSE '{\"gold\":[\"no\"],\"silver\":[\"no\"]}' END"));
  ASSERT_TRUE(Peek().Exec(
      "ALTER TABLE clip_tiers DROP COLUMN tiering; ALTER TABLE clip_tiers DROP COLUMN rank; "
      "ALTER TABLE clip_tiers DROP COLUMN failed; DROP TABLE tierings; DROP TABLE dedup_codes; "
      "DROP TABLE dedup_state; DROP TRIGGER dedup_signature_new; DROP TRIGGER "
      "dedup_signature_changed; DROP TRIGGER dedup_signature_gone; PRAGMA user_version = 4"));
  auto reopened = Catalog::Open(dir_.path() / "ds", false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  cat_ = std::move(reopened.value());
  EXPECT_EQ(Peek().Text("SELECT group_concat(tier || rank, ' ') FROM (SELECT DISTINCT tier, rank "
                        "FROM clip_tiers ORDER BY rank)"),
            "gold0 silver1 bronze2");
  auto order = cat_->TierTotals();
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), 3u);
  EXPECT_EQ((*order)[0].tier, "gold");
  EXPECT_EQ((*order)[2].tier, "bronze");
  auto detail = cat_->FindClip(2);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->tiering, 0);
  ASSERT_TRUE(cat_->ExpandTierReasons(&**detail).ok());
  EXPECT_EQ((*detail)->rule, "old silver");
  EXPECT_EQ((*detail)->missed, "{\"gold\":[\"no\"]}");
  EXPECT_EQ((*detail)->recipe, "old");
}

TEST_F(CatalogQueriesTest, WriteTiersFailureLeavesTiersUnchanged) {
  ASSERT_TRUE(cat_->WriteTiers({Rule("gold", "duration >= 1.5")}, "rest", "r1").ok());
  const std::string before = Peek().Text("SELECT group_concat(clip_id || tier) FROM clip_tiers");
  auto bad = cat_->WriteTiers({Rule("gold", "no_such_column > 1")}, "rest", "r2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("tier 'gold': ", 0), 0u) << bad.status().message();
  auto writing = cat_->WriteTiers({Rule("gold", "(SELECT 1 FROM clips) = 1; DELETE FROM clips")},
                                  "rest", "r3");
  EXPECT_FALSE(writing.ok());
  EXPECT_EQ(Peek().Text("SELECT group_concat(clip_id || tier) FROM clip_tiers"), before);
  EXPECT_EQ(Peek().Count("SELECT COUNT(*) FROM clips"), 5);
  // No TEMP view is left behind on the catalog's connection either way.
  EXPECT_TRUE(cat_->CheckReadOnly("SELECT 1").ok());
  EXPECT_FALSE(cat_->CheckReadOnly("SELECT clip_id FROM clip_attr_wide").ok());
}

TEST_F(CatalogQueriesTest, CheckReadOnly) {
  EXPECT_TRUE(cat_->CheckReadOnly("SELECT duration FROM clips").ok());
  EXPECT_FALSE(cat_->CheckReadOnly("DELETE FROM clips").ok());
  EXPECT_FALSE(cat_->CheckReadOnly("SELECT 1; SELECT 2").ok());
}

TEST_F(CatalogQueriesTest, SelectClips) {
  auto count = [&](long expected, const std::string& tier, const CompiledRule& where) {
    auto n = cat_->SelectClips("picked", tier, where);
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(*n, expected);
  };
  count(5, "", CompiledRule{});
  count(2, "", Rule("", "\"camera.movement\" = 'static'", {"camera.movement"}));
  count(0, "", Rule("", "duration > 100"));  // empty selection is not an error
  std::vector<int64_t> walked;
  ASSERT_TRUE(cat_->ForEachClip(
                      [&](const VideoRecord&, const ClipRecord& c) {
                        walked.push_back(c.id);
                        return true;
                      },
                      "picked")
                  .ok());
  EXPECT_TRUE(walked.empty());
  ASSERT_TRUE(cat_->WriteTiers({Rule("gold", "duration >= 1.5")}, "rest", "r").ok());
  count(3, "gold", CompiledRule{});
  count(0, "platinum", CompiledRule{});
  count(1, "gold", Rule("", "width = 300"));
  auto bad = cat_->SelectClips("picked", "", Rule("", "nosuch > 1"));
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(cat_->SelectClips("picked", "", Rule("", "1) ; DELETE FROM clips; --")).ok());
  EXPECT_EQ(Peek().Count("SELECT COUNT(*) FROM clips"), 5);
}

TEST_F(CatalogQueriesTest, FindClip) {
  auto by_id = cat_->FindClip(4);
  ASSERT_TRUE(by_id.ok() && by_id->has_value());
  EXPECT_EQ((*by_id)->video.path, "/v/b.mp4");
  EXPECT_EQ((*by_id)->clip.index, 0);
  EXPECT_FALSE((*by_id)->tiered);
  auto by_path = cat_->FindClip("/v/a.mp4", "/v/a.mp4", 1);
  ASSERT_TRUE(by_path.ok() && by_path->has_value());
  EXPECT_EQ((*by_path)->clip.id, 2);
  ASSERT_EQ((*by_path)->clip.attributes.size(), 2u);
  EXPECT_EQ((*by_path)->clip.attributes[0].name, "camera.movement");  // by name
  auto by_fp = cat_->FindClip("fb", "", 1);
  ASSERT_TRUE(by_fp.ok() && by_fp->has_value());
  EXPECT_EQ((*by_fp)->clip.id, 5);
  EXPECT_FALSE(cat_->FindClip(999).value().has_value());
  EXPECT_FALSE(cat_->FindClip("/v/a.mp4", "", 7).value().has_value());
}

TEST_F(CatalogQueriesTest, ReportQueries) {
  EXPECT_TRUE(cat_->TierTotals()->empty());
  auto untiered = cat_->UntieredTotal();
  EXPECT_EQ(untiered->clips, 5);
  EXPECT_DOUBLE_EQ(untiered->seconds, 1 + 1.5 + 2 + 1 + 1.5);

  auto run = cat_->BeginRun("v1", "{}");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(cat_->FinishRun(*run, 2, 1, 3.25).ok());
  auto runs = cat_->LatestRuns(10);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].version, "v1");
  EXPECT_EQ((*runs)[0].files_failed, 1);
  EXPECT_FALSE((*runs)[0].finished_at.empty());
  EXPECT_TRUE(cat_->LatestRuns(0)->empty());

  auto ranges = cat_->NumericRanges();
  ASSERT_EQ(ranges->size(), 2u);
  EXPECT_EQ((*ranges)[0].name, "duration");
  EXPECT_DOUBLE_EQ((*ranges)[0].hi, 2);
  EXPECT_FALSE((*ranges)[0].integers);
  EXPECT_EQ((*ranges)[1].name, "quality.score");
  long values = 0;
  ASSERT_TRUE(cat_->ForEachNumericValue([&](std::string_view, double, std::string_view tier) {
                    EXPECT_EQ(tier, "");
                    ++values;
                  })
                  .ok());
  EXPECT_EQ(values, 5 + 2);

  auto moves = cat_->CategoryCounts("camera.movement");
  std::map<std::string, long> by_value;
  for (const auto& c : *moves) by_value[c.value] += c.clips;
  EXPECT_EQ(by_value, (std::map<std::string, long>{{"pan_left", 1}, {"static", 2}}));
  EXPECT_TRUE(cat_->CategoryCounts("no.such")->empty());

  EXPECT_EQ(cat_->GetDedupTotals()->grouped, 0);
  ASSERT_TRUE(cat_->ReplaceAttributes({}, {{1, "dedup.group", 1.0, ""},
                                           {4, "dedup.group", 1.0, ""},
                                           {4, "dedup.dup_of", 1.0, ""}})
                  .ok());
  auto dedup = cat_->GetDedupTotals();
  EXPECT_EQ(dedup->grouped, 2);
  EXPECT_EQ(dedup->duplicates, 1);
  EXPECT_DOUBLE_EQ(dedup->duplicate_seconds, 1);
  auto groups = cat_->DedupGroupSizes();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].group, "1.0");
  EXPECT_EQ((*groups)[0].clips, 2);
  auto members = cat_->DedupGroupMembers("1.0", 8);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].video_path, "/v/a.mp4");
  EXPECT_EQ((*members)[0].dup_of, "");
  EXPECT_EQ((*members)[1].dup_of, "1.0");
  EXPECT_EQ(cat_->DedupGroupMembers("1.0", 1)->size(), 1u);

  auto thumbs = cat_->ThumbnailSamples(5);
  ASSERT_EQ(thumbs->size(), 2u);  // clip 0 of each video has one
  EXPECT_EQ((*thumbs)[0].tier, "");
  EXPECT_EQ(cat_->ThumbnailSamples(1)->size(), 1u);

  auto failed = cat_->ListFailedVideos(10);
  EXPECT_EQ(failed->total, 1);
  ASSERT_EQ(failed->listed.size(), 1u);
  EXPECT_EQ(failed->listed[0].first, "/v/c.mp4");
  EXPECT_EQ(failed->listed[0].second, "not a media file");
}

}  // namespace
}  // namespace clipdex
