// `clipdex serve` over real HTTP on loopback: a real server process on a dataset ingested from
// ../shared/media, answers checked against the catalog and the files themselves.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "serve_fixture.h"

namespace clipdex::testing {
namespace {

using json = nlohmann::json;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json Json(const httplib::Result& r) {
  if (!r) return json();
  return json::parse(r->body, nullptr, false);
}

class ServeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ds_ = &SharedServeDataset();
    if (!ds_->skip.empty()) {
      GTEST_SKIP() << "skipping: " << ds_->skip;
    }
    server_ = std::make_unique<ServeProcess>(ds_->dir.string(), std::vector<std::string>{});
    ASSERT_TRUE(server_->ok()) << server_->output();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0) << server_->output();
    }
  }
  std::unique_ptr<Catalog> OpenCatalog() {
    auto c = Catalog::Open(ds_->dir, false);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c.value()) : nullptr;
  }

  ServeDataset* ds_ = nullptr;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServeApi, PrintsServingLineWithRealPort) {
  EXPECT_NE(server_->output().find("serving " + ds_->dir.string() +
                                   " at http://127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << server_->output();
  EXPECT_NE(server_->port(), 8642);
}

TEST_F(ServeApi, SearchReturnsKnownClips) {
  const long clips = static_cast<long>(ds_->hostile_clips.size() + ds_->other_clips.size());
  auto all = Json(client_->Get("/api/v1/search?limit=1000"));
  ASSERT_TRUE(all.is_object()) << all;
  EXPECT_EQ(all["total"].get<long>(), clips);
  EXPECT_EQ(static_cast<long>(all["hits"].size()), clips);

  // A word of the hostile file name finds that video's clips, and only those.
  auto word = Json(client_->Get("/api/v1/search?q=zebracorn&limit=1000"));
  ASSERT_TRUE(word.is_object()) << word;
  std::set<int64_t> got;
  for (const auto& h : word["hits"]) {
    got.insert(h["id"].get<int64_t>());
    EXPECT_EQ(h["video"], ds_->hostile_file.string());
  }
  EXPECT_EQ(got, std::set<int64_t>(ds_->hostile_clips.begin(), ds_->hostile_clips.end()));

  // A caption word finds the captioned clip; the hostile caption comes back byte for byte.
  auto caption = Json(client_->Get("/api/v1/search?q=flamingo"));
  ASSERT_EQ(caption["hits"].size(), 1u) << caption.dump().substr(0, 500);
  EXPECT_EQ(caption["hits"][0]["id"].get<int64_t>(), ds_->captioned);
  EXPECT_EQ(caption["hits"][0]["caption"].get<std::string>(), HostileCaption());

  // where filter, paging.
  auto filtered = Json(
      client_->Get("/api/v1/search?where=" + httplib::detail::encode_query_param("duration > 0") +
                   "&limit=1&offset=1"));
  ASSERT_TRUE(filtered.is_object()) << filtered;
  EXPECT_EQ(filtered["total"].get<long>(), clips);
  EXPECT_EQ(filtered["hits"].size(), 1u);
  auto none = Json(client_->Get("/api/v1/search?where=" +
                                httplib::detail::encode_query_param("duration > 100000")));
  EXPECT_EQ(none["total"].get<long>(), 0);
}

TEST_F(ServeApi, ClipDetailCarriesEveryAttributeAndHostileStringsRoundTrip) {
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  auto detail = catalog->FindClip(ds_->captioned);
  ASSERT_TRUE(detail.ok() && detail.value());
  auto r = client_->Get("/api/v1/clip/" + std::to_string(ds_->captioned));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json; charset=utf-8");
  // Raw markup never appears unescaped... in JSON '<' may stay, but the body is JSON, not HTML.
  auto j = json::parse(r->body);
  EXPECT_EQ(j["video"].get<std::string>(), ds_->hostile_file.string());
  EXPECT_EQ(j["captions"]["caption.text"].get<std::string>(), HostileCaption());
  for (const Attribute& a : detail.value()->clip.attributes) {
    if (a.name == "dedup.signature") continue;
    EXPECT_TRUE(j["attributes"].contains(a.name)) << a.name;
  }
  EXPECT_FALSE(j["attributes"].contains("dedup.signature"));
  EXPECT_DOUBLE_EQ(j["start"].get<double>(), detail.value()->clip.start_time);
  EXPECT_EQ(j["tier"]["tier"].get<std::string>(), detail.value()->tier);
  EXPECT_TRUE(j["tier"]["tiered"].get<bool>());
  EXPECT_NE(j["explain"].get<std::string>().find(detail.value()->tier), std::string::npos);
  EXPECT_TRUE(j["keyframes"].is_array());
  EXPECT_TRUE(j["near_duplicates"].is_array());

  auto missing = client_->Get("/api/v1/clip/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(Json(missing).contains("error"));
}

TEST_F(ServeApi, MediaServesTheSourceFileWithByteRanges) {
  const std::string file = ReadAll(ds_->hostile_file);
  ASSERT_GT(file.size(), 1000u);
  const std::string id = std::to_string(ds_->hostile_clips[1]);
  auto whole = client_->Get("/api/v1/media/" + id);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "video/mp4");
  EXPECT_EQ(whole->get_header_value("Accept-Ranges"), "bytes");
  EXPECT_TRUE(whole->body == file) << whole->body.size() << " vs " << file.size();

  auto part = client_->Get("/api/v1/media/" + id, {{"Range", "bytes=100-1099"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->get_header_value("Content-Range"),
            "bytes 100-1099/" + std::to_string(file.size()));
  EXPECT_TRUE(part->body == file.substr(100, 1000));

  auto tail = client_->Get("/api/v1/media/" + id, {{"Range", "bytes=-500"}});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_TRUE(tail->body == file.substr(file.size() - 500));

  auto open = client_->Get("/api/v1/media/" + id,
                           {{"Range", "bytes=" + std::to_string(file.size() - 10) + "-"}});
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 206);
  EXPECT_TRUE(open->body == file.substr(file.size() - 10));

  // Ranges outside the file: 416 with the size, never a 206 with a wrong body.
  std::string past_end = "bytes=";
  past_end += std::to_string(file.size());
  past_end += '-';
  for (const std::string& range :
       {past_end, std::string("bytes=999999999-1000000000"), std::string("bytes=5-1")}) {
    auto bad = client_->Get("/api/v1/media/" + id, {{"Range", range}});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 416) << range;
    // (A malformed range such as 5-1 is refused by httplib itself, without Content-Range.)
    if (range != "bytes=5-1") {
      EXPECT_EQ(bad->get_header_value("Content-Range"), "bytes */" + std::to_string(file.size()))
          << range;
    }
  }

  // The other video's clip serves the other file.
  const std::string other = ReadAll(Media("video/deb_imageio_realshort.mp4"));
  auto second = client_->Get("/api/v1/media/" + std::to_string(ds_->other_clips[0]),
                             {{"Range", "bytes=0-99"}});
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->body == other.substr(0, 100));

  auto missing = client_->Get("/api/v1/media/424242");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServeApi, ThumbIsTheCatalogThumbnail) {
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  auto detail = catalog->FindClip(ds_->other_clips[0]);
  ASSERT_TRUE(detail.ok() && detail.value());
  ASSERT_FALSE(detail.value()->clip.thumbnail.empty());
  auto r = client_->Get("/api/v1/thumb/" + std::to_string(ds_->other_clips[0]));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_TRUE(r->body == ReadAll(ds_->dir / detail.value()->clip.thumbnail));
  EXPECT_EQ(r->body.substr(0, 2), "\xFF\xD8");
}

TEST_F(ServeApi, StatsMatchTheCatalog) {
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  auto summary = catalog->GetSummary();
  auto tiers = catalog->TierTotals();
  ASSERT_TRUE(summary.ok() && tiers.ok());
  auto j = Json(client_->Get("/api/v1/stats"));
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j["clips"].get<long>(), summary->clips);
  EXPECT_EQ(j["videos_ok"].get<int>(), summary->videos_ok);
  ASSERT_EQ(j["tiers"].size(), tiers->size());
  long sum = 0;
  for (size_t i = 0; i < tiers->size(); ++i) {
    EXPECT_EQ(j["tiers"][i]["tier"], (*tiers)[i].tier);
    EXPECT_EQ(j["tiers"][i]["clips"].get<long>(), (*tiers)[i].clips);
    sum += (*tiers)[i].clips;
  }
  EXPECT_EQ(sum + j["untiered"]["clips"].get<long>(), summary->clips);
  EXPECT_TRUE(j["search_index"].contains("indexed"));
}

TEST_F(ServeApi, WritesGoThroughTheCatalogAndAreLogged) {
  const int64_t clip = ds_->hostile_clips.back();
  const std::string base = "/api/v1/clip/" + std::to_string(clip);
  const std::string reason = "<b>sharp</b> \"quoted\" \xE2\x80\xAE";
  json body = {{"tier", "gold"}, {"reason", reason}};
  auto set =
      client_->Post(base + "/tier", {{"X-Clipdex-User", "alice"}}, body.dump(), "application/json");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  auto manual = catalog->ManualTierOf(clip);
  ASSERT_TRUE(manual.ok() && manual.value());
  EXPECT_EQ(manual.value()->tier, "gold");
  EXPECT_EQ(manual.value()->reason, reason);
  EXPECT_EQ(manual.value()->who, "alice");
  auto detail = Json(client_->Get(base));
  EXPECT_EQ(detail["manual_tier"]["tier"], "gold");
  EXPECT_EQ(detail["manual_tier"]["reason"], reason);

  auto tag = client_->Post(base + "/tags", json({{"tag", "a/b <i>"}}).dump(), "application/json");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->status, 200) << tag->body;
  auto tags = catalog->TagsOf(clip);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 1u);
  EXPECT_EQ((*tags)[0].tag, "a/b <i>");
  EXPECT_EQ((*tags)[0].who, "web");
  auto removed = client_->Delete(base + "/tags/a%2Fb%20%3Ci%3E");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200) << removed->body;
  EXPECT_TRUE(catalog->TagsOf(clip)->empty());

  auto cleared = client_->Delete(base + "/tier");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 200) << cleared->body;
  EXPECT_FALSE(catalog->ManualTierOf(clip).value());
  auto log = catalog->CurationLog(clip, 10);
  ASSERT_TRUE(log.ok());
  EXPECT_GE(log->size(), 4u);

  auto unknown = client_->Post("/api/v1/clip/987654/tier", body.dump(), "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
}

TEST_F(ServeApi, ExportDownloadsTheResultSetAsJsonl) {
  auto r = client_->Get("/api/v1/export?format=jsonl&q=zebracorn");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_NE(r->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  std::set<int64_t> ids;
  for (const std::string& line : Lines(r->body)) {
    auto j = json::parse(line);
    ids.insert(j["clip_id"].get<int64_t>());
    EXPECT_EQ(j["video"], ds_->hostile_file.string());
    EXPECT_TRUE(j.contains("start") && j.contains("end") && j.contains("tier"));
  }
  EXPECT_EQ(ids, std::set<int64_t>(ds_->hostile_clips.begin(), ds_->hostile_clips.end()));
  // The whole catalog, and a bad filter.
  auto all = client_->Get("/api/v1/export");
  ASSERT_TRUE(all);
  EXPECT_EQ(Lines(all->body).size(), ds_->hostile_clips.size() + ds_->other_clips.size());
  auto bad_where = client_->Get("/api/v1/export?where=nosuch.attribute%20%3E%201");
  ASSERT_TRUE(bad_where);
  EXPECT_EQ(bad_where->status, 400) << bad_where->body;
  auto bad = client_->Get("/api/v1/export?format=xml");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(ServeApi, BadParametersAndBodiesAre400WithAReason) {
  for (const char* path :
       {"/api/v1/search?limit=0", "/api/v1/search?limit=abc", "/api/v1/search?limit=1001",
        "/api/v1/search?offset=-1", "/api/v1/search?asc=maybe",
        "/api/v1/search?where=camera.movment%20%3D%20'static'", "/api/v1/search?where=((",
        "/api/v1/export?limit=x"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << " " << r->body;
    auto j = Json(r);
    EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << path << r->body;
  }
  const std::string clip = "/api/v1/clip/" + std::to_string(ds_->other_clips[0]);
  for (const std::string& body :
       {std::string("{"), std::string("[]"), std::string("\"x\""), std::string("{\"tier\": 3}"),
        std::string("{}"), std::string("{\"tier\": \"\"}"), std::string("\xff\xfe")}) {
    auto r = client_->Post(clip + "/tier", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body << " " << r->body;
    EXPECT_TRUE(Json(r).contains("error")) << r->body;
  }
  auto tag = client_->Post(clip + "/tags", "{\"tag\": \"\"}", "application/json");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->status, 400) << tag->body;
  // An example image that is not an image.
  auto example = client_->Post("/api/v1/search", "definitely not a picture", "image/jpeg");
  ASSERT_TRUE(example);
  EXPECT_EQ(example->status, 400) << example->body;
  // Bodies over the limit (16 MB): 413.
  auto huge = client_->Post("/api/v1/search", std::string(17u << 20, 'x'), "image/jpeg");
  if (huge) {  // httplib may also just close the connection on the oversized body
    EXPECT_EQ(huge->status, 413) << huge->body.substr(0, 200);
  }
  // Unknown routes: 404 JSON.
  auto unknown = client_->Get("/api/v1/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_TRUE(Json(unknown).contains("error")) << unknown->body;
}

TEST_F(ServeApi, QueryByExampleByClipAndByUploadedImage) {
  auto like = Json(
      client_->Get("/api/v1/search?like_clip=" + std::to_string(ds_->other_clips[0]) + "&limit=3"));
  ASSERT_TRUE(like.is_object()) << like;
  if (like.contains("error")) {
    GTEST_SKIP() << like["error"];
  }
  ASSERT_FALSE(like["hits"].empty()) << like;
  EXPECT_EQ(like["mode"], "example");
  // The example itself is left out; the rest come by falling similarity.
  double last = 2;
  for (const auto& h : like["hits"]) {
    EXPECT_NE(h["id"].get<int64_t>(), ds_->other_clips[0]);
    ASSERT_TRUE(h["similarity"].is_number()) << h;
    EXPECT_LE(h["similarity"].get<double>(), last);
    last = h["similarity"].get<double>();
  }
  // An uploaded thumbnail as the example.
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  auto detail = catalog->FindClip(ds_->other_clips[0]);
  ASSERT_TRUE(detail.ok() && detail.value());
  auto r = client_->Post("/api/v1/search?limit=3",
                         ReadAll(ds_->dir / detail.value()->clip.thumbnail), "image/jpeg");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = Json(r);
  ASSERT_FALSE(j["hits"].empty());
  EXPECT_EQ(j["mode"], "example");
  // The clip whose thumbnail was uploaded is among the closest.
  bool found = false;
  for (const auto& h : j["hits"]) found = found || h["id"].get<int64_t>() == ds_->other_clips[0];
  EXPECT_TRUE(found) << j.dump().substr(0, 600);
}

TEST_F(ServeApi, EveryResponseCarriesTheSecurityHeaders) {
  const std::string csp =
      "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src "
      "'none'; frame-ancestors 'none'";
  for (const char* path :
       {"/", "/app.js", "/style.css", "/api/v1/stats", "/api/v1/nothing", "/nothing"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->get_header_value("Content-Security-Policy"), csp) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<script src=\"/app.js\""), std::string::npos);
  // Nothing in the UI loads from elsewhere, and no HTML is built from strings.
  for (const char* path : {"/", "/app.js", "/style.css"}) {
    const std::string body = client_->Get(path)->body;
    EXPECT_EQ(body.find("http://"), std::string::npos) << path;
    EXPECT_EQ(body.find("https://"), std::string::npos) << path;
    EXPECT_EQ(body.find("innerHTML ="), std::string::npos) << path;
    EXPECT_EQ(body.find("insertAdjacentHTML"), std::string::npos) << path;
  }
}

TEST_F(ServeApi, ConcurrentReadsAndWritesAllSucceed) {
  // More client threads than server workers (8): requests queue, none fails, and each write
  // lands exactly once.
  constexpr int kThreads = 12;
  constexpr int kRounds = 15;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::string first_failure;
  auto fail = [&](const std::string& what) {
    ++failures;
    std::lock_guard lock(mu);
    if (first_failure.empty()) first_failure = what;
  };
  std::vector<int64_t> all = ds_->hostile_clips;
  all.insert(all.end(), ds_->other_clips.begin(), ds_->other_clips.end());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server_->port());
      c.set_read_timeout(60);
      const int64_t clip = all[static_cast<size_t>(t) % all.size()];
      const std::string id = std::to_string(clip);
      for (int r = 0; r < kRounds; ++r) {
        const std::string tag = "t" + std::to_string(t) + "_" + std::to_string(r);
        std::vector<std::pair<std::string, httplib::Result>> results;
        results.emplace_back("search", c.Get("/api/v1/search?q=zebracorn&limit=5"));
        results.emplace_back("clip", c.Get("/api/v1/clip/" + id));
        results.emplace_back("media", c.Get("/api/v1/media/" + id, {{"Range", "bytes=0-999"}}));
        results.emplace_back("stats", c.Get("/api/v1/stats"));
        results.emplace_back("tag", c.Post("/api/v1/clip/" + id + "/tags",
                                           "{\"tag\": \"" + tag + "\"}", "application/json"));
        results.emplace_back("untag", c.Delete("/api/v1/clip/" + id + "/tags/" + tag));
        for (auto& [what, res] : results) {
          if (!res) {
            fail(what + ": no answer (" + httplib::to_string(res.error()) + ")");
          } else if (res->status != 200 && res->status != 206) {
            fail(what + ": " + std::to_string(res->status) + " " + res->body.substr(0, 200));
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  auto catalog = OpenCatalog();
  ASSERT_TRUE(catalog);
  for (int64_t clip : all) {
    auto tags = catalog->TagsOf(clip);
    ASSERT_TRUE(tags.ok());
    EXPECT_TRUE(tags->empty()) << clip << " keeps " << tags->size() << " tags";
  }
  auto log = catalog->CurationLog(0, 100000);
  ASSERT_TRUE(log.ok());
  long tag_entries = 0;
  for (const CurationEntry& e : log.value()) {
    if (e.value.rfind("t", 0) == 0 && e.value.find('_') != std::string::npos) ++tag_entries;
  }
  EXPECT_GE(tag_entries, 2L * kThreads * kRounds);
}

TEST(ServeCli, SigtermAndSigintStopCleanlyAndMissingDatasetIsUsageError) {
  SERVE_DATASET_OR_SKIP(ds);
  ServeProcess server(ds.dir.string(), {});
  ASSERT_TRUE(server.ok()) << server.output();
  EXPECT_EQ(server.Stop(), 0) << server.output();
  // SIGINT, also when the parent started it with SIGINT ignored (a shell's background job).
  ServeProcess interrupted(ds.dir.string(), {});
  ASSERT_TRUE(interrupted.ok()) << interrupted.output();
  EXPECT_EQ(interrupted.Stop(SIGINT), 0) << interrupted.output();
  auto sh = RunShell("(trap '' INT; " + ShellQuote(CLIPDEX_BINARY) + " serve " +
                     ShellQuote(ds.dir.string()) +
                     " --port 0 & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo exit=$?)");
  EXPECT_NE(sh.output.find("exit=0"), std::string::npos) << sh.output;
  TempDir tmp;
  ServeProcess missing((tmp / "nope").string(), {}, std::chrono::seconds(10));
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.Wait(std::chrono::seconds(10)), 2) << missing.output();
  EXPECT_NE(missing.output().find("clipdex: "), std::string::npos) << missing.output();
}

}  // namespace
}  // namespace clipdex::testing

namespace clipdex::testing {
namespace {

TEST(ServeExport, StreamsEveryPageOfALargeResultSet) {
  // A catalog of 2500 clips written directly (no media needed to list and export them).
  TempDir tmp;
  const auto dir = tmp / "ds";
  {
    auto catalog = Catalog::Open(dir, /*create=*/true);
    ASSERT_TRUE(catalog.ok()) << catalog.status().message();
    VideoResult v;
    v.video.fingerprint = "v1-test-export";
    v.video.path = (tmp / "long.mp4").string();
    v.video.status = "ok";
    v.video.probe.width = 64;
    v.video.probe.height = 64;
    v.video.probe.fps_num = 25;
    for (int i = 0; i < 2500; ++i) {
      ClipRecord c;
      c.index = i;
      c.first_frame = i * 25;
      c.last_frame = i * 25 + 24;
      c.start_time = i;
      c.end_time = i + 1;
      c.attributes = {Attribute::Num("quality.sharpness", i % 97)};
      v.clips.push_back(c);
    }
    ASSERT_TRUE(catalog.value()->CommitVideo(v, 0).ok());
  }
  ServeProcess server(dir.string(), {});
  ASSERT_TRUE(server.ok()) << server.output();
  httplib::Client c("127.0.0.1", server.port());
  c.set_read_timeout(120);
  auto r = c.Get("/api/v1/export");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  std::set<int64_t> ids;
  std::set<int> indexes;
  for (const std::string& line : Lines(r->body)) {
    auto j = nlohmann::json::parse(line);
    ids.insert(j["clip_id"].get<int64_t>());
    indexes.insert(j["clip"].get<int>());
  }
  EXPECT_EQ(ids.size(), 2500u);
  EXPECT_EQ(indexes.size(), 2500u);
  // A filtered export pages too: sharpness 0..96 cycles, so > 90 keeps 6 of every 97.
  auto some = c.Get("/api/v1/export?where=" +
                    httplib::detail::encode_query_param("quality.sharpness > 90"));
  ASSERT_TRUE(some);
  long expected = 0;
  for (int i = 0; i < 2500; ++i) expected += (i % 97) > 90 ? 1 : 0;
  EXPECT_EQ(static_cast<long>(Lines(some->body).size()), expected);
  // Search pages do not overlap and cover everything (the reported total may be capped).
  std::set<int64_t> paged;
  for (int offset = 0; offset < 2500; offset += 1000) {
    auto page = nlohmann::json::parse(
        c.Get("/api/v1/search?limit=1000&offset=" + std::to_string(offset))->body);
    for (const auto& h : page["hits"]) paged.insert(h["id"].get<int64_t>());
  }
  EXPECT_EQ(paged, ids);
  EXPECT_EQ(server.Stop(), 0) << server.output();
}

}  // namespace
}  // namespace clipdex::testing
