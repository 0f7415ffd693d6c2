// Search end to end on real media with known answers: ingest a labelled set (the near-duplicate
// family of ../shared/media/synthetic/dup_*, synthetic camera moves, a subtitled clip with a
// NEWS24 watermark), caption it with the template backend, then ask questions whose answers the
// ground truth files give, through the CLI (`clipdex search --json`) and the library.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "search/clip_set_cache.h"
#include "search/example_index.h"
#include "search/search_engine.h"

namespace clipdex {
namespace {

// The example source with three of its copies (re-encoded, cropped, watermarked: the kinds the
// top-5 requirement names) among unrelated clips; the whole near-duplicate family is ranked in
// ExampleRanking below.
const std::vector<std::string> kFiles = {"synthetic/dup_src.mp4",
                                         "synthetic/dup_reencode_crf32.mp4",
                                         "synthetic/dup_crop85.mp4",
                                         "synthetic/dup_watermark.mp4",
                                         "synthetic/dup_negative_other.mp4",
                                         "synthetic/syn_pan_left.mp4",
                                         "synthetic/syn_pan_right.mp4",
                                         "synthetic/syn_tilt_up.mp4",
                                         "synthetic/syn_zoom_in.mp4",
                                         "synthetic/syn_zoom_out.mp4",
                                         "synthetic/syn_static_photo.mp4",
                                         "synthetic/syn_subtitles_watermark.mp4",
                                         "synthetic/syn_handheld_shake.mp4",
                                         "synthetic/syn_scale_long.mp4"};

class SearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();  // NOLINT: suite-lifetime fixture, deleted in TearDownTestSuite
    ds_ = (dir_->path() / "ds").string();
    setup_error_ = IngestMedia(kFiles, ShellQuote(ds_));
    if (!setup_error_.empty()) return;
    auto cap = RunClipdex("caption " + ShellQuote(ds_));
    if (cap.exit_code != 0) setup_error_ = "caption failed: " + cap.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (setup_error_.rfind("missing ", 0) == 0) GTEST_SKIP() << "skipping: " << setup_error_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  struct Hits {
    std::vector<nlohmann::json> hits;
    nlohmann::json summary;
    std::string output;
    int exit_code = 0;
    std::vector<std::string> files() const {
      std::vector<std::string> out;
      for (const auto& h : hits) {
        out.push_back(std::filesystem::path(h["video"].get<std::string>()).filename().string());
      }
      return out;
    }
  };
  static Hits Search(const std::string& args) {
    Hits r;
    auto run = RunClipdex("search " + ShellQuote(ds_) + " --json " + args);
    r.exit_code = run.exit_code;
    r.output = run.output;
    for (const std::string& line : Lines(run.output)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;
      if (j.contains("summary")) {
        r.summary = j["summary"];
      } else {
        r.hits.push_back(j);
      }
    }
    return r;
  }
  static bool InTop(const Hits& h, const std::string& file, size_t k) {
    const auto f = h.files();
    for (size_t i = 0; i < f.size() && i < k; ++i) {
      if (f[i] == file) return true;
    }
    return false;
  }

  static TempDir* dir_;
  static std::string ds_;
  static std::string setup_error_;
};
TempDir* SearchTest::dir_ = nullptr;
std::string SearchTest::ds_;
std::string SearchTest::setup_error_;

TEST_F(SearchTest, OnScreenTextIsFoundAndLocalisedToWhenItIsOnScreen) {
  auto h = Search("NEWS24");
  ASSERT_EQ(h.exit_code, 0) << h.output;
  ASSERT_FALSE(h.hits.empty()) << h.output;
  EXPECT_EQ(h.files()[0], "syn_subtitles_watermark.mp4") << h.output;
  // The subtitle's words point at the moment the subtitle is on screen: [1.0, 4.0] s.
  h = Search("subtitle burned");
  ASSERT_FALSE(h.hits.empty()) << h.output;
  EXPECT_EQ(h.files()[0], "syn_subtitles_watermark.mp4") << h.output;
  const auto& top = h.hits[0];
  EXPECT_NE(top["match_reason"].get<std::string>().find("on-screen text"), std::string::npos)
      << h.output;
  EXPECT_GE(top["match_start"].get<double>(), 0.8) << h.output;
  EXPECT_LE(top["match_start"].get<double>(), 1.6) << h.output;
  EXPECT_LE(top["match_end"].get<double>(), 4.8) << h.output;
  EXPECT_NE(top["highlights"]["screen_text"].get<std::string>().find("[subtitle]"),
            std::string::npos)
      << h.output;
}

TEST_F(SearchTest, CameraWordsFilterByTheMeasuredMovement) {
  const std::map<std::string, std::string> asked = {{"pan left", "syn_pan_left.mp4"},
                                                    {"zoom in", "syn_zoom_in.mp4"},
                                                    {"tilt up", "syn_tilt_up.mp4"},
                                                    {"推镜头", "syn_zoom_in.mp4"},
                                                    {"左摇", "syn_pan_left.mp4"}};
  for (const auto& [words, file] : asked) {
    auto h = Search(ShellQuote(words));
    ASSERT_EQ(h.exit_code, 0) << h.output;
    EXPECT_TRUE(InTop(h, file, 5)) << words << ": " << h.output;
    ASSERT_FALSE(h.summary["understood"].empty()) << words << ": " << h.output;
    for (const auto& hit : h.hits) {
      EXPECT_EQ(hit["movement"].get<std::string>(), h.hits[0]["movement"].get<std::string>())
          << words << ": every hit carries the asked movement: " << h.output;
    }
  }
  // --literal: the same words only as words.
  auto literal = Search("--literal 'zoom in'");
  EXPECT_TRUE(literal.summary["understood"].empty()) << literal.output;
}

TEST_F(SearchTest, AClipAsExampleFindsItsCopiesInTheTopFive) {
  auto h = Search("--like-clip " + ShellQuote(Media("synthetic/dup_src.mp4").string() + "#0") +
                  " --limit 5");
  ASSERT_EQ(h.exit_code, 0) << h.output;
  ASSERT_EQ(h.hits.size(), 5u) << h.output;
  for (const char* copy : {"dup_reencode_crf32.mp4", "dup_crop85.mp4", "dup_watermark.mp4"}) {
    EXPECT_TRUE(InTop(h, copy, 5)) << copy << " not in the top 5: " << h.output;
  }
  EXPECT_FALSE(InTop(h, "dup_src.mp4", 5)) << "the example itself is left out";
  EXPECT_GT(h.hits[0]["similarity"].get<double>(), 0.8) << h.output;
}

TEST_F(SearchTest, AnImageAsExampleFindsItsSource) {
  // A frame of the source, cropped off-centre and re-encoded as JPEG.
  const auto jpg = dir_->path() / "example.jpg";
  auto ff = RunShell(
      "ffmpeg -v error -y -ss 1.0 -i " + ShellQuote(Media("synthetic/dup_src.mp4").string()) +
      " -frames:v 1 -vf crop=iw*0.8:ih*0.8:iw*0.05:ih*0.15 " + ShellQuote(jpg.string()));
  ASSERT_EQ(ff.exit_code, 0) << ff.output;
  auto h = Search("--like " + ShellQuote(jpg.string()) + " --limit 5");
  ASSERT_EQ(h.exit_code, 0) << h.output;
  ASSERT_FALSE(h.hits.empty());
  const auto files = h.files();
  int family = 0;
  for (const auto& f : files) family += f.rfind("dup_", 0) == 0 && f != "dup_negative_other.mp4";
  EXPECT_GE(family, 4) << h.output;
  EXPECT_NE(h.hits[0]["match_reason"].get<std::string>().find("keyframe"), std::string::npos);
  // A flat picture has nothing to compare: a clear error, not a random ranking.
  const auto flat = dir_->path() / "flat.png";
  ASSERT_EQ(RunShell("ffmpeg -v error -y -f lavfi -i color=gray:s=64x64 -frames:v 1 " +
                     ShellQuote(flat.string()))
                .exit_code,
            0);
  auto bad = Search("--like " + ShellQuote(flat.string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("no features"), std::string::npos) << bad.output;
}

TEST_F(SearchTest, CaptionsAreSearchableInChineseAndEnglish) {
  // The template captions name the measured camera language in both languages.
  auto zh = Search("--literal 推镜头");
  ASSERT_EQ(zh.exit_code, 0) << zh.output;
  EXPECT_TRUE(InTop(zh, "syn_zoom_in.mp4", 3)) << zh.output;
  auto en = Search("--literal 'the camera pans left'");
  EXPECT_TRUE(InTop(en, "syn_pan_left.mp4", 3)) << en.output;
}

TEST_F(SearchTest, WhereTierAndSortCombineWithWords) {
  auto h = Search("--where 'duration >= 4' --sort duration --limit 50");
  ASSERT_EQ(h.exit_code, 0) << h.output;
  ASSERT_FALSE(h.hits.empty());
  double last = 1e9;
  for (const auto& hit : h.hits) {
    const double d = hit["end"].get<double>() - hit["start"].get<double>();
    EXPECT_GE(d, 4 - 1e-6);
    EXPECT_LE(d, last + 1e-6) << "sorted by duration, longest first";
    last = d;
  }
  auto typo = Search("--where 'camera.movment = 1' x");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.output.find("did you mean 'camera.movement'"), std::string::npos) << typo.output;
  auto untiered = Search("--tier gold x");
  EXPECT_EQ(untiered.exit_code, 2);
  EXPECT_NE(untiered.output.find("never tiered"), std::string::npos) << untiered.output;
}

TEST_F(SearchTest, IndexDrivenFiltersSelectTheSameClipsAsExport) {
  // Search turns "attribute op literal" conditions into index lookups (RuleConjunct::index_sql);
  // export evaluates the same --where clip by clip. Both must select the same clips.
  const std::vector<std::string> conditions = {
      "camera.movement = 'static'",
      "framing.shot_scale IN ('full', 'long', 'medium_close_up')",
      "camera.confidence >= 0.5",
      "camera.confidence > 0.5 AND camera.movement != 'static'",
      "motion.camera < 0.01",
      "camera.movement = 3",
      "camera.movement > 3",
      "text.area_ratio > 0 OR camera.movement = 'pan_left'",
      "NOT camera.movement IN ('static', 'handheld')",
  };
  for (const std::string& c : conditions) {
    auto h = Search("--where " + ShellQuote(c) + " --limit 1000");
    ASSERT_EQ(h.exit_code, 0) << c << ": " << h.output;
    std::multiset<std::string> searched, exported;
    for (const auto& hit : h.hits) {
      searched.insert(hit["video"].get<std::string>() + "#" +
                      std::to_string(hit["index"].get<int>()));
    }
    auto ex = RunClipdex("export " + ShellQuote(ds_) + " --format jsonl --where " + ShellQuote(c));
    ASSERT_EQ(ex.exit_code, 0) << c << ": " << ex.output;
    for (const std::string& line : Lines(ex.output)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.contains("clip")) {
        exported.insert(j["video"].get<std::string>() + "#" + std::to_string(j["clip"].get<int>()));
      }
    }
    EXPECT_EQ(searched, exported) << c;
  }
}

TEST_F(SearchTest, CachedClipSetsSelectWhatTheQueryWouldAndFollowCatalogChanges) {
  // The server keeps each index-driven condition's clips as a set (search/clip_set_cache.h); a
  // search with the cache must find exactly what one without it finds, with and without words.
  auto catalog = Catalog::Open(ds_, false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  auto cache = ClipSetCache::Open(ds_);
  ASSERT_TRUE(cache.ok()) << cache.status().message();
  auto ids = [&](const std::string& words, const std::string& where, bool cached) {
    SearchEngine engine(**catalog);
    if (cached) engine.UseClipSets(*cache);
    SearchRequest req;
    req.text = words;
    req.filter.where = where;
    req.limit = 1000;
    auto r = engine.Search(req);
    EXPECT_TRUE(r.ok()) << where << ": " << r.status().message();
    std::vector<int64_t> out;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) out.push_back(h.clip_id);
    }
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"", "camera.movement = 'static'"},
      {"", "framing.shot_scale IN ('full', 'long', 'medium_close_up')"},
      {"camera", "camera.confidence >= 0.5"},
      {"camera", "camera.confidence > 0.5 AND camera.movement != 'static'"},
      {"pans", "motion.camera < 0.01"},
      {"close-up", "camera.movement > 3"},
  };
  size_t nonempty = 0;
  for (const auto& [words, where] : queries) {
    const auto plain = ids(words, where, false);
    EXPECT_EQ(ids(words, where, true), plain) << words << " / " << where;
    EXPECT_EQ(ids(words, where, true), plain) << words << " / " << where << " (second, cached)";
    nonempty += plain.empty() ? 0 : 1;
  }
  EXPECT_GE(nonempty, 4u) << "the conditions select nothing: the comparison proves little";
  const auto warm = (*cache)->stats();
  EXPECT_GT(warm.hits, 0);
  EXPECT_GT(warm.misses, 0);

  // Another connection (another process, here sqlite3) changes a clip's label: the cache sees
  // the catalog's new data version and selects again, so the clip is found under its new label.
  const auto statics = ids("", "camera.movement = 'static'", true);
  auto other = RunShell("sqlite3 " + ShellQuote(ds_ + "/catalog.sqlite") +
                        " \"SELECT clip_id FROM clip_attributes WHERE name = 'camera.movement' AND "
                        "text <> 'static' LIMIT 1\"");
  ASSERT_FALSE(Lines(other.output).empty()) << other.output;
  const int64_t moved = std::stoll(Lines(other.output)[0]);
  auto set_label = [&](const std::string& label) {
    ASSERT_EQ(
        RunShell("sqlite3 " + ShellQuote(ds_ + "/catalog.sqlite") +
                 " \"UPDATE clip_attributes SET text = '" + label +
                 "' WHERE name = 'camera.movement' AND clip_id = " + std::to_string(moved) + "\"")
            .exit_code,
        0);
  };
  auto original = RunShell("sqlite3 " + ShellQuote(ds_ + "/catalog.sqlite") +
                           " \"SELECT text FROM clip_attributes WHERE name = 'camera.movement' "
                           "AND clip_id = " +
                           std::to_string(moved) + "\"");
  set_label("static");
  const auto after = ids("", "camera.movement = 'static'", true);
  set_label(Lines(original.output)[0]);
  EXPECT_EQ(after.size(), statics.size() + 1);
  EXPECT_NE(std::find(after.begin(), after.end(), moved), after.end());
  EXPECT_GT((*cache)->stats().resets, warm.resets);
}

TEST_F(SearchTest, RankingScoresAreSqliteBm25s) {
  // Search ranks with clipdex_bm25 (bm25() with cached corpus statistics, catalog/fts_rank.h);
  // every hit's score must be SQLite's own bm25() for that row, on the first search of a query
  // (statistics counted) and on the second (from the cache).
  auto catalog = Catalog::Open(ds_, false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  size_t compared = 0;
  for (const char* words : {"camera", "pan left", "NEWS24", "zoom", "镜头"}) {
    for (int pass = 0; pass < 2; ++pass) {
      SearchEngine engine(**catalog);
      SearchRequest req;
      req.text = words;
      req.literal = true;
      req.limit = 50;
      auto r = engine.Search(req);
      ASSERT_TRUE(r.ok()) << words << ": " << r.status().message();
      for (const SearchHit& h : r->hits) {
        std::string sql_text =
            "SELECT printf('%.17g', bm25(search_fts, 4.0, 1.0, 2.0, 6.0, 1.5, 1.0)) FROM "
            "search_fts WHERE search_fts MATCH '";
        for (char c : r->fts_query) sql_text.append(c == '\'' ? 2 : 1, c);
        sql_text += "' AND rowid = ";
        sql_text += std::to_string(h.clip_id);
        auto row =
            RunShell("sqlite3 " + ShellQuote(ds_ + "/catalog.sqlite") + " " + ShellQuote(sql_text));
        ASSERT_FALSE(Lines(row.output).empty()) << words << ": " << row.output;
        const double sqlite_bm25 = std::stod(Lines(row.output)[0]);
        EXPECT_NEAR(h.score, -sqlite_bm25, 1e-12 * std::max(1.0, std::abs(sqlite_bm25)))
            << words << " clip " << h.clip_id << " pass " << pass;
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 20u) << "too few hits to compare";
}

TEST_F(SearchTest, RankCapRanksTheNewestMatchesAndDeepPagesRankThemAll) {
  // Words matching more clips than the rank cap are ranked among the newest rank_cap matches
  // (one walk, catalog_search.cpp); a page reaching past them ranks every match. Both are
  // checked against SQLite's own bm25() ordering (ties by rowid), with small caps.
  auto catalog = Catalog::Open(ds_, false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  SearchEngine engine(**catalog);
  SearchRequest req;
  req.text = "camera";
  req.literal = true;
  auto r = engine.Search(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string sql_text =
      "SELECT rowid, printf('%.17g', bm25(search_fts, 4.0, 1.0, 2.0, 6.0, 1.5, 1.0)) FROM "
      "search_fts WHERE search_fts MATCH '" +
      r->fts_query + "' ORDER BY rowid DESC";
  auto rows = RunShell("sqlite3 -separator ' ' " + ShellQuote(ds_ + "/catalog.sqlite") + " " +
                       ShellQuote(sql_text));
  std::vector<std::pair<double, int64_t>> newest_first;  // (score, rowid)
  for (const std::string& line : Lines(rows.output)) {
    const size_t sp = line.find(' ');
    ASSERT_NE(sp, std::string::npos) << rows.output;
    newest_first.emplace_back(std::stod(line.substr(sp + 1)), std::stoll(line.substr(0, sp)));
  }
  ASSERT_GE(newest_first.size(), 8u) << "too few matches to cap: " << rows.output;
  const long n = static_cast<long>(newest_first.size());
  // A cap whose newest matches rank differently from all of them (the page must tell them apart).
  auto top3 = [&](long window) {
    std::vector<std::pair<double, int64_t>> v(newest_first.begin(), newest_first.begin() + window);
    std::sort(v.begin(), v.end());
    v.resize(3);
    return v;
  };
  long rank_cap = 0;
  for (long cap = n - 1; cap >= 3 && rank_cap == 0; --cap) {
    if (top3(cap) != top3(n)) rank_cap = cap;
  }
  ASSERT_GT(rank_cap, 0) << "every window of the newest matches ranks alike: " << rows.output;
  auto expect_page = [&](long offset, long limit) {
    const bool deep = offset + limit > rank_cap;
    std::vector<std::pair<double, int64_t>> pool(
        newest_first.begin(), deep ? newest_first.end() : newest_first.begin() + rank_cap);
    std::sort(pool.begin(), pool.end());
    ClipQuery q;
    q.fts = r->fts_query;
    q.rank_cap = rank_cap;
    q.count_cap = 3;
    q.offset = offset;
    q.limit = limit;
    auto page = (*catalog)->QueryClips(q);
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_EQ(page->total, 3);
    EXPECT_TRUE(page->total_capped);
    std::vector<int64_t> want, got;
    for (long i = offset; i < std::min(n, offset + limit); ++i) {
      want.push_back(pool[static_cast<size_t>(i)].second);
    }
    for (const TextMatch& m : page->rows) got.push_back(m.clip_id);
    EXPECT_EQ(got, want) << "offset " << offset << " limit " << limit << " rank cap " << rank_cap
                         << (deep ? " (every match ranked)" : " (newest ranked)");
  };
  expect_page(0, 3);
  expect_page(1, rank_cap - 1);
  expect_page(rank_cap - 2, 3);  // past the rank cap: every match
  expect_page(0, n + 5);
}

TEST_F(SearchTest, TagsAndHandTiersAreIndexedAtOnceAndSurviveTier) {
  auto first =
      Search("--like-clip " + ShellQuote(Media("synthetic/syn_static_photo.mp4").string() + "#0"));
  auto find_id = [&](const std::string& file) -> std::string {
    auto r = RunShell("sqlite3 " + ShellQuote(ds_ + "/catalog.sqlite") +
                      " \"SELECT c.id FROM clips c JOIN videos v ON v.id = c.video_id WHERE "
                      "v.path LIKE '%" +
                      file + "' LIMIT 1\"");
    return Lines(r.output).empty() ? "" : Lines(r.output)[0];
  };
  const std::string id = find_id("syn_static_photo.mp4");
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(Search("quokkafavourite").hits.empty());
  auto tag = RunClipdex("curate " + ShellQuote(ds_) + " " + id +
                        " --tag quokkafavourite --tag 黄昏 --who tester");
  ASSERT_EQ(tag.exit_code, 0) << tag.output;
  auto h = Search("quokkafavourite");
  ASSERT_EQ(h.hits.size(), 1u) << h.output;
  EXPECT_EQ(std::to_string(h.hits[0]["id"].get<int64_t>()), id);
  EXPECT_EQ(Search("黄昏").hits.size(), 1u);
  ASSERT_EQ(
      RunClipdex("curate " + ShellQuote(ds_) + " " + id + " --untag quokkafavourite").exit_code, 0);
  EXPECT_TRUE(Search("quokkafavourite").hits.empty());

  // A hand tier is effective at once, survives `clipdex tier`, and explain says why.
  ASSERT_EQ(RunClipdex("tier " + ShellQuote(ds_)).exit_code, 0);
  auto set = RunClipdex("curate " + ShellQuote(ds_) + " " + id +
                        " --set-tier gold --reason 'hero shot' --who tester");
  ASSERT_EQ(set.exit_code, 0) << set.output;
  ASSERT_EQ(RunClipdex("tier " + ShellQuote(ds_)).exit_code, 0);
  auto gold = Search("--tier gold --limit 1000");
  bool found = false;
  for (const auto& hit : gold.hits) found |= std::to_string(hit["id"].get<int64_t>()) == id;
  EXPECT_TRUE(found) << gold.output;
  auto explain = RunClipdex("explain " + ShellQuote(ds_) + " " + id);
  EXPECT_NE(explain.output.find("manual tier gold: hero shot (by tester"), std::string::npos)
      << explain.output;
  EXPECT_NE(explain.output.find("tags        黄昏"), std::string::npos) << explain.output;
  ASSERT_EQ(RunClipdex("curate " + ShellQuote(ds_) + " " + id + " --clear-tier").exit_code, 0);
  auto bad = RunClipdex("curate " + ShellQuote(ds_) + " 999999 --tag x");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(SearchTest, RecallAtFiveOverQueriesWithKnownAnswers) {
  // Each query and the files that must be in its top 5 (ground truth: *.gt.json, dup_set.gt.json).
  const std::vector<std::pair<std::string, std::vector<std::string>>> queries = {
      {"NEWS24", {"syn_subtitles_watermark.mp4"}},
      {"'burned-in text'", {"syn_subtitles_watermark.mp4"}},
      {"'pan left'", {"syn_pan_left.mp4"}},
      {"'pan right'", {"syn_pan_right.mp4"}},
      {"'tilt up'", {"syn_tilt_up.mp4"}},
      {"'zoom in'", {"syn_zoom_in.mp4"}},
      {"'zoom out'", {"syn_zoom_out.mp4"}},
      {"static", {"syn_static_photo.mp4"}},
      {"--like-clip " + ShellQuote(Media("synthetic/dup_src.mp4").string() + "#0"),
       {"dup_reencode_crf32.mp4", "dup_crop85.mp4", "dup_watermark.mp4"}},
  };
  int wanted = 0, found = 0;
  for (const auto& [q, files] : queries) {
    auto h = Search(q + " --limit 5");
    for (const auto& f : files) {
      ++wanted;
      found += InTop(h, f, 5);
      if (!InTop(h, f, 5)) std::printf("[search recall] miss: %s -> %s\n", q.c_str(), f.c_str());
    }
  }
  const double recall = static_cast<double>(found) / wanted;
  std::printf("[search recall@5] %d of %d = %.3f\n", found, wanted, recall);
  EXPECT_GE(recall, 0.9);
}

TEST(ExampleRanking, TheWholeDuplicateFamilyRanksAboveEverythingElse) {
  // dup_set.gt.json: eight copies of dup_src (re-encoded, scaled, cropped, mirrored, watermarked,
  // boxed, a sub-clip, sped up) and one unrelated clip; with the camera clips as distractors.
  TempDir dir;
  const std::string ds = ShellQuote((dir.path() / "ds").string());
  const std::vector<std::string> family = {
      "dup_reencode_crf32.mp4", "dup_scaled_360p.mp4", "dup_crop85.mp4",        "dup_hflip.mp4",
      "dup_watermark.mp4",      "dup_boxed.mp4",       "dup_subclip_1to3s.mp4", "dup_speed125.mp4"};
  std::vector<std::string> files = {"synthetic/dup_src.mp4", "synthetic/dup_negative_other.mp4",
                                    "synthetic/syn_pan_left.mp4", "synthetic/syn_static_photo.mp4"};
  for (const auto& f : family) files.push_back("synthetic/" + f);
  const std::string err = IngestMedia(files, ds, "--no-text");
  if (err.rfind("missing ", 0) == 0) GTEST_SKIP() << err;
  ASSERT_TRUE(err.empty()) << err;
  auto run = RunClipdex("search " + ds + " --json --limit 20 --like-clip " +
                        ShellQuote(Media("synthetic/dup_src.mp4").string() + "#0"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<std::string> ranked;
  for (const std::string& line : Lines(run.output)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("video")) continue;
    ranked.push_back(std::filesystem::path(j["video"].get<std::string>()).filename().string());
  }
  ASSERT_GE(ranked.size(), family.size()) << run.output;
  int in_top = 0;
  for (size_t i = 0; i < family.size(); ++i) {
    in_top += std::find(family.begin(), family.end(), ranked[i]) != family.end();
  }
  // The mirrored copy is compared unmirrored (query by example does not flip), so it may trail.
  EXPECT_GE(in_top, 7) << run.output;
  for (size_t i = 0; i < 5; ++i) EXPECT_NE(ranked[i], "dup_negative_other.mp4") << run.output;
}

TEST(SearchIndex, BuildsFromScratchAndUpdatesOnlyWhatChanged) {
  TempDir dir;
  const std::string ds = ShellQuote((dir.path() / "ds").string());
  const std::string err =
      IngestMedia({"synthetic/syn_pan_left.mp4", "synthetic/syn_zoom_in.mp4"}, ds, "--no-text");
  if (err.rfind("missing ", 0) == 0) GTEST_SKIP() << err;
  ASSERT_TRUE(err.empty()) << err;
  auto catalog = Catalog::Open(dir.path() / "ds", false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  SearchEngine engine(**catalog);
  auto stats = (*catalog)->GetSearchIndexStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->indexed, 0);
  EXPECT_GE(stats->dirty, 2);  // new clips wait for the index
  auto n = engine.UpdateIndex();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, stats->dirty);
  EXPECT_EQ(*engine.UpdateIndex(), 0);  // nothing changed
  ASSERT_TRUE((*catalog)->AddTag(1, "sunrise", "t").ok());
  EXPECT_EQ(*engine.UpdateIndex(), 1);  // only the tagged clip
  auto rebuilt = engine.UpdateIndex(/*rebuild=*/true);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, stats->dirty);
  SearchRequest req;
  req.text = "sunrise";
  auto r = engine.Search(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].clip_id, 1);
  EXPECT_EQ(r->hits[0].highlights.count("tags"), 1u);
}

}  // namespace
}  // namespace clipdex
