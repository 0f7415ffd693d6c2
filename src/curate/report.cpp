#include "curate/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/sqlite_stmt.h"
#include "curate/html_escape.h"
#include "curate/svg_chart.h"
#include "media/jpeg.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;
using sql::ColText;
using sql::Prepare;

constexpr const char* kUntieredLabel = "not tiered";

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 0 24px 48px; color: #222; background: #fafafa; }
h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
  border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 16px 0 6px; }
nav a { margin-right: 14px; color: #2b5d9b; text-decoration: none; }
table { border-collapse: collapse; margin: 6px 0; background: #fff; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; background: #fff8e1; border: 1px solid #f0e0a0; padding: 6px 10px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #e4e4e4; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .chart-title { font-size: 13px; font-weight: 600; } svg .axis-label { font-size: 12px; }
svg .pyramid-name { font-size: 13px; font-weight: 600; }
svg .grid { stroke: #eee; } svg .axis { stroke: #666; }
.thumbs { display: flex; flex-wrap: wrap; gap: 8px; }
figure { margin: 0; background: #fff; border: 1px solid #e4e4e4; padding: 4px; max-width: 170px; }
figcaption { font-size: 11px; color: #444; word-break: break-all; }
.path { word-break: break-all; }
)css";

// Runs after load: every image decoded, every chart present. The outcome goes onto <html> so a
// headless browser's DOM dump shows it; errors also reach the console.
constexpr const char* kScript = R"js(
window.addEventListener('error', function (e) {
  document.documentElement.setAttribute('data-report-error', String(e.message));
});
window.addEventListener('load', function () {
  var problems = [];
  var broken = 0;
  document.querySelectorAll('img').forEach(function (img) {
    if (!img.complete || img.naturalWidth === 0) broken++;
  });
  if (broken) problems.push(broken + ' thumbnails did not decode');
  var end = document.getElementById('report-end');
  var charts = document.querySelectorAll('svg.chart').length;
  var images = document.querySelectorAll('img').length;
  if (!end) problems.push('report is truncated');
  else {
    if (charts !== Number(end.getAttribute('data-charts')))
      problems.push(charts + ' charts, expected ' + end.getAttribute('data-charts'));
    if (images !== Number(end.getAttribute('data-thumbnails')))
      problems.push(images + ' thumbnails, expected ' + end.getAttribute('data-thumbnails'));
  }
  document.documentElement.setAttribute('data-report-check',
                                        problems.length ? 'failed: ' + problems.join('; ') : 'ok');
  if (problems.length) console.error('report check failed: ' + problems.join('; '));
});
)js";

struct TierInfo {
  std::string key;  // clip_tiers.tier, "" for clips without a tier row
  std::string label;
  long clips = 0;
  double hours = 0;
  std::string color;
};

std::string TierColor(const std::string& name, size_t index) {
  static const std::map<std::string, std::string> kNamed = {
      {"gold", "#d4a017"}, {"silver", "#8e9aa6"}, {"bronze", "#b0703a"}, {"reject", "#c0504d"}};
  static const char* kPalette[] = {"#4e79a7", "#59a14f", "#b07aa1", "#76b7b2",
                                   "#edc948", "#ff9da7", "#9c755f", "#f28e2b"};
  if (auto it = kNamed.find(name); it != kNamed.end()) return it->second;
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

std::string Base64(const std::vector<uint8_t>& data) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < data.size()) {
    unsigned v = data[i] << 16;
    if (i + 1 < data.size()) v |= data[i + 1] << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The thumbnail downscaled to `width` px as a JPEG data URI; nullopt when it cannot be read.
std::optional<std::string> ThumbDataUri(const fs::path& file, int width) {
  auto read = ReadJpeg(file);
  if (!read.ok()) return std::nullopt;
  cv::Mat img = read.value();
  if (img.cols > width) {
    const int height = std::max(
        1, static_cast<int>(std::lround(static_cast<double>(img.rows) * width / img.cols)));
    cv::Mat small;
    cv::resize(img, small, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    img = small;
  }
  auto jpeg = EncodeJpeg(img, 75);
  if (!jpeg.ok()) return std::nullopt;
  return "data:image/jpeg;base64," + Base64(jpeg.value());
}

std::string Hours(double h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", h);
  return buf;
}

std::string FileName(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  return name.empty() ? path : name;
}

// Known category orders, so bars read in a meaningful sequence; other values follow by count.
const std::vector<std::string>& KnownOrder(const std::string& attribute) {
  static const std::vector<std::string> kMovement = {
      "static",   "pan_left", "pan_right", "tilt_up",  "tilt_down", "zoom_in",
      "zoom_out", "roll_cw",  "roll_ccw",  "handheld", "mixed",     "unknown"};
  static const std::vector<std::string> kScale = {
      "extreme_close_up", "close_up", "medium_close_up", "medium", "medium_long", "full", "long"};
  static const std::vector<std::string> kNone;
  if (attribute == "camera.movement") return kMovement;
  if (attribute == "framing.shot_scale") return kScale;
  return kNone;
}

class ReportWriter {
 public:
  ReportWriter(Catalog& catalog, std::ostream& out, const ReportOptions& options)
      : catalog_(catalog), db_(catalog.db()), out_(out), options_(options) {}

  Result<ReportStats> Write() {
    if (Status s = LoadTiers(); !s.ok()) return s;
    auto summary = catalog_.GetSummary();
    if (!summary.ok()) return summary.status();
    stats_.clips = summary->clips;
    Head();
    for (auto step : {&ReportWriter::Summary, &ReportWriter::Tiers, &ReportWriter::Histograms,
                      &ReportWriter::Categories, &ReportWriter::Dedup, &ReportWriter::Thumbnails,
                      &ReportWriter::FailedInputs}) {
      if (Status s = (this->*step)(); !s.ok()) return Status::Error("report: " + s.message());
    }
    out_ << "<div id=\"report-end\" data-charts=\"" << stats_.charts << "\" data-thumbnails=\""
         << stats_.thumbnails << "\"></div>\n</body>\n</html>\n";
    if (!out_) return Status::Error("report: write failed");
    return stats_;
  }

 private:
  // Series index of a clip's tier key ('' = untiered); tiers_ is in pyramid order.
  size_t SeriesOf(const std::string& key) const {
    auto it = series_.find(key);
    return it == series_.end() ? 0 : it->second;
  }

  Status LoadTiers() {
    // A clip in tier k failed every higher tier, so its `missed` object has k keys: that count
    // recovers the recipe order without the recipe.
    auto stmt = Prepare(db_,
                        "SELECT t.tier, COUNT(*), TOTAL(c.duration), "
                        "MAX(CASE WHEN json_valid(t.missed) THEN "
                        "(SELECT COUNT(*) FROM json_each(t.missed)) ELSE 0 END) AS rank "
                        "FROM clip_tiers t JOIN clips c ON c.id = t.clip_id "
                        "GROUP BY t.tier ORDER BY rank, t.tier");
    if (!stmt.ok()) return stmt.status();
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      TierInfo t;
      t.key = t.label = ColText(stmt->get(), 0);
      t.clips = static_cast<long>(sqlite3_column_int64(stmt->get(), 1));
      t.hours = sqlite3_column_double(stmt->get(), 2) / 3600.0;
      t.color = TierColor(t.key, tiers_.size());
      tiers_.push_back(t);
    }
    tiered_ = !tiers_.empty();
    auto rest = Prepare(db_,
                        "SELECT COUNT(*), TOTAL(c.duration) FROM clips c "
                        "WHERE NOT EXISTS (SELECT 1 FROM clip_tiers t WHERE t.clip_id = c.id)");
    if (!rest.ok()) return rest.status();
    if (sqlite3_step(rest->get()) == SQLITE_ROW && sqlite3_column_int64(rest->get(), 0) > 0) {
      tiers_.push_back({"", kUntieredLabel, static_cast<long>(sqlite3_column_int64(rest->get(), 0)),
                        sqlite3_column_double(rest->get(), 1) / 3600.0, "#7f7f7f"});
    }
    for (size_t i = 0; i < tiers_.size(); ++i) series_[tiers_[i].key] = i;
    return Status::Ok();
  }

  std::vector<ChartSeries> EmptySeries(size_t n) const {
    std::vector<ChartSeries> series;
    for (const auto& t : tiers_) series.push_back({t.label, t.color, std::vector<double>(n, 0.0)});
    return series;
  }

  void Chart(const BarChart& chart) {
    out_ << BarChartSvg(chart) << "\n";
    ++stats_.charts;
  }

  void Head() {
    const std::string name = HtmlEscape(catalog_.dir().filename().string());
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<title>clipdex report: " << name << "</title>\n<style>" << kStyle << "</style>\n"
         << "<script>" << kScript << "</script>\n</head>\n<body>\n"
         << "<h1>clipdex report: " << name << "</h1>\n"
         << "<p class=\"path\">" << HtmlEscape(catalog_.dir().string()) << " &middot; clipdex "
         << CLIPDEX_VERSION << "</p>\n"
         << "<nav><a href=\"#summary\">summary</a><a href=\"#tiers\">tiers</a>"
            "<a href=\"#histograms\">attributes</a><a href=\"#categories\">camera &amp; "
            "framing</a><a href=\"#dedup\">dedup</a><a href=\"#examples\">examples</a>"
            "<a href=\"#failed\">failed inputs</a></nav>\n";
  }

  Status Summary() {
    auto s = catalog_.GetSummary();
    if (!s.ok()) return s.status();
    out_ << "<section id=\"summary\"><h2>Run summary</h2>\n<table class=\"kv\">"
         << "<tr><th>videos ok</th><td class=\"num\" id=\"videos-ok\">" << s->videos_ok
         << "</td></tr><tr><th>videos failed</th><td class=\"num\" id=\"videos-failed\">"
         << s->videos_failed << "</td></tr><tr><th>clips</th><td class=\"num\" id=\"clips\">"
         << s->clips << "</td></tr><tr><th>hours</th><td class=\"num\" id=\"hours\">"
         << Hours(s->hours) << "</td></tr><tr><th>ingest runs</th><td class=\"num\">" << s->runs
         << "</td></tr></table>\n";
    if (!s->transitions_by_type.empty()) {
      out_ << "<h3>Transitions</h3><table><tr><th>type</th><th class=\"num\">count</th></tr>";
      for (const auto& [type, n] : s->transitions_by_type) {
        out_ << "<tr><td>" << HtmlEscape(type) << "</td><td class=\"num\">" << n << "</td></tr>";
      }
      out_ << "</table>\n";
    }
    auto runs = Prepare(db_,
                        "SELECT id, version, started_at, COALESCE(finished_at, ''), files_ok, "
                        "files_failed, seconds FROM runs ORDER BY id DESC LIMIT 10");
    if (!runs.ok()) return runs.status();
    out_ << "<h3>Latest ingest runs</h3><table><tr><th>run</th><th>version</th><th>started</th>"
            "<th>finished</th><th class=\"num\">files ok</th><th class=\"num\">failed</th>"
            "<th class=\"num\">seconds</th></tr>";
    while (sqlite3_step(runs->get()) == SQLITE_ROW) {
      sqlite3_stmt* r = runs->get();
      out_ << "<tr><td class=\"num\">" << sqlite3_column_int64(r, 0) << "</td><td>"
           << HtmlEscape(ColText(r, 1)) << "</td><td>" << HtmlEscape(ColText(r, 2)) << "</td><td>"
           << HtmlEscape(ColText(r, 3).empty() ? "(not finished)" : ColText(r, 3))
           << "</td><td class=\"num\">" << sqlite3_column_int64(r, 4) << "</td><td class=\"num\">"
           << sqlite3_column_int64(r, 5) << "</td><td class=\"num\">"
           << FormatChartNumber(std::round(sqlite3_column_double(r, 6) * 10) / 10) << "</td></tr>";
    }
    out_ << "</table></section>\n";
    return Status::Ok();
  }

  Status Tiers() {
    out_ << "<section id=\"tiers\"><h2>Tiers</h2>\n";
    if (!tiered_) {
      out_ << "<p class=\"note\" id=\"tiers-none\">This dataset was never tiered: run "
              "<code>clipdex tier DATASET</code> to sort its clips into tiers. Charts below show "
              "all clips as one group.</p></section>\n";
      return Status::Ok();
    }
    std::vector<PyramidLevel> levels;
    long total = 0;
    for (const auto& t : tiers_) {
      levels.push_back({t.label, t.clips, t.hours, t.color});
      total += t.clips;
    }
    out_ << TierPyramidSvg(levels) << "\n";
    ++stats_.charts;
    out_ << "<table id=\"tier-table\"><tr><th>tier</th><th class=\"num\">clips</th>"
            "<th class=\"num\">hours</th><th class=\"num\">share</th></tr>";
    for (const auto& t : tiers_) {
      char share[32];
      std::snprintf(share, sizeof share, "%.1f %%", total ? 100.0 * t.clips / total : 0.0);
      out_ << "<tr data-tier=\"" << HtmlEscape(t.label) << "\" data-clips=\"" << t.clips
           << "\"><td>" << HtmlEscape(t.label) << "</td><td class=\"num\">" << t.clips
           << "</td><td class=\"num\">" << Hours(t.hours) << "</td><td class=\"num\">" << share
           << "</td></tr>";
    }
    out_ << "</table>\n";
    if (series_.count("")) {
      out_ << "<p class=\"note\">Some clips have no tier (ingested after the last "
              "<code>clipdex tier</code>): rerun it.</p>\n";
    }
    out_ << "</section>\n";
    return Status::Ok();
  }

  struct NumericRange {
    double lo = 0, hi = 0;
    bool integers = false;
  };

  // Bin edges: one bin per integer for small integer ranges, else options_.histogram_bins.
  std::vector<double> Edges(const NumericRange& r) const {
    std::vector<double> edges;
    if (r.integers && r.hi - r.lo <= options_.histogram_bins) {
      for (double v = r.lo; v <= r.hi + 1; v += 1) edges.push_back(v - 0.5);
      return edges;
    }
    const int bins = r.hi > r.lo ? options_.histogram_bins : 1;
    const double width = r.hi > r.lo ? (r.hi - r.lo) / bins : 1;
    for (int i = 0; i <= bins; ++i) edges.push_back(r.lo + width * i);
    return edges;
  }
  static size_t BinOf(const std::vector<double>& edges, double v) {
    const size_t bins = edges.size() - 1;
    auto it = std::upper_bound(edges.begin(), edges.end(), v);
    size_t i = it == edges.begin() ? 0 : static_cast<size_t>(it - edges.begin()) - 1;
    return std::min(i, bins - 1);
  }

  Status Histograms() {
    out_ << "<section id=\"histograms\"><h2>Numeric attributes by tier</h2>\n";
    if (stats_.clips == 0) {
      out_ << "<p class=\"note\">No clips.</p></section>\n";
      return Status::Ok();
    }
    // Pass 1: ranges (SQLite aggregates over the (name, num) index). Dedup ids are labels, not
    // measurements, so they get no histogram.
    std::map<std::string, NumericRange> ranges;
    auto r = Prepare(db_,
                     "SELECT 'duration', MIN(duration), MAX(duration), "
                     "SUM(duration != CAST(duration AS INTEGER)) = 0 FROM clips "
                     "UNION ALL SELECT name, MIN(num), MAX(num), "
                     "SUM(num != CAST(num AS INTEGER)) = 0 FROM clip_attributes "
                     "WHERE num IS NOT NULL AND name NOT LIKE 'dedup.%' GROUP BY name");
    if (!r.ok()) return r.status();
    while (sqlite3_step(r->get()) == SQLITE_ROW) {
      if (sqlite3_column_type(r->get(), 1) == SQLITE_NULL) continue;
      ranges[ColText(r->get(), 0)] = {sqlite3_column_double(r->get(), 1),
                                      sqlite3_column_double(r->get(), 2),
                                      sqlite3_column_int(r->get(), 3) != 0};
    }
    // Pass 2: stream every value into its bin; memory is names x bins x tiers.
    struct Hist {
      std::vector<double> edges;
      bool integer_bins = false;
      std::vector<ChartSeries> series;
    };
    std::map<std::string, Hist> hists;
    for (const auto& [name, range] : ranges) {
      Hist h;
      h.edges = Edges(range);
      h.integer_bins = range.integers && range.hi - range.lo <= options_.histogram_bins;
      h.series = EmptySeries(h.edges.size() - 1);
      hists[name] = std::move(h);
    }
    auto rows = Prepare(db_,
                        "SELECT 'duration', c.duration, COALESCE(t.tier, '') FROM clips c "
                        "LEFT JOIN clip_tiers t ON t.clip_id = c.id "
                        "UNION ALL SELECT a.name, a.num, COALESCE(t.tier, '') "
                        "FROM clip_attributes a LEFT JOIN clip_tiers t ON t.clip_id = a.clip_id "
                        "WHERE a.num IS NOT NULL AND a.name NOT LIKE 'dedup.%'");
    if (!rows.ok()) return rows.status();
    int rc;
    while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
      auto it = hists.find(ColText(rows->get(), 0));
      if (it == hists.end() || sqlite3_column_type(rows->get(), 1) == SQLITE_NULL) continue;
      Hist& h = it->second;
      const size_t bin = BinOf(h.edges, sqlite3_column_double(rows->get(), 1));
      h.series[SeriesOf(ColText(rows->get(), 2))].values[bin] += 1;
    }
    if (rc != SQLITE_DONE) return Status::Error(sqlite3_errmsg(db_));
    out_ << "<div class=\"charts\">\n";
    // Duration first: every clip has one.
    std::vector<std::string> order = {"duration"};
    for (const auto& [name, h] : hists) {
      if (name != "duration") order.push_back(name);
    }
    for (const auto& name : order) {
      auto it = hists.find(name);
      if (it == hists.end()) continue;
      BarChart chart;
      chart.title = name == "duration" ? "clip duration" : name;
      chart.x_label = name == "duration" ? "duration (s)" : name;
      chart.y_label = "clips";
      chart.bin_edges = it->second.edges;
      chart.integer_bins = it->second.integer_bins;
      chart.series = it->second.series;
      Chart(chart);
    }
    out_ << "</div></section>\n";
    return Status::Ok();
  }

  Status CategoryChart(const std::string& attribute, const std::string& title,
                       const std::string& missing_hint) {
    auto stmt = Prepare(db_,
                        "SELECT a.text, COALESCE(t.tier, ''), COUNT(*) FROM clip_attributes a "
                        "LEFT JOIN clip_tiers t ON t.clip_id = a.clip_id "
                        "WHERE a.name = ?1 AND a.text IS NOT NULL GROUP BY 1, 2");
    if (!stmt.ok()) return stmt.status();
    sql::BindText(stmt->get(), 1, attribute);
    std::map<std::string, std::vector<double>> counts;  // value -> per series
    std::map<std::string, double> totals;
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      const std::string value = ColText(stmt->get(), 0);
      auto& v = counts[value];
      v.resize(tiers_.size(), 0.0);
      const double n = static_cast<double>(sqlite3_column_int64(stmt->get(), 2));
      v[SeriesOf(ColText(stmt->get(), 1))] += n;
      totals[value] += n;
    }
    if (counts.empty()) {
      out_ << "<p class=\"note\">No clip has <code>" << HtmlEscape(attribute) << "</code> ("
           << HtmlEscape(missing_hint) << ").</p>\n";
      return Status::Ok();
    }
    std::vector<std::string> categories;
    for (const auto& known : KnownOrder(attribute)) {
      if (counts.count(known)) categories.push_back(known);
    }
    std::vector<std::pair<double, std::string>> others;
    for (const auto& [value, n] : totals) {
      if (std::find(categories.begin(), categories.end(), value) == categories.end()) {
        others.emplace_back(-n, value);
      }
    }
    std::sort(others.begin(), others.end());
    for (const auto& o : others) categories.push_back(o.second);
    BarChart chart;
    chart.title = title;
    chart.x_label = attribute;
    chart.y_label = "clips";
    chart.categories = categories;
    chart.series = EmptySeries(categories.size());
    for (size_t i = 0; i < categories.size(); ++i) {
      const auto& v = counts[categories[i]];
      for (size_t s = 0; s < v.size(); ++s) chart.series[s].values[i] = v[s];
    }
    Chart(chart);
    return Status::Ok();
  }

  Status Categories() {
    out_ << "<section id=\"categories\"><h2>Camera movement and shot scale</h2>\n"
            "<div class=\"charts\">\n";
    if (Status s = CategoryChart("camera.movement", "camera movement",
                                 "ingested with --no-camera, or stills only");
        !s.ok()) {
      return s;
    }
    if (Status s = CategoryChart("framing.shot_scale", "shot scale", "ingested with --no-framing");
        !s.ok()) {
      return s;
    }
    out_ << "</div></section>\n";
    return Status::Ok();
  }

  Status Dedup() {
    out_ << "<section id=\"dedup\"><h2>Near-duplicates</h2>\n";
    auto any = Prepare(db_,
                       "SELECT (SELECT COUNT(*) FROM clip_attributes WHERE name = 'dedup.group'), "
                       "(SELECT COUNT(*) FROM clip_attributes WHERE name = 'dedup.dup_of' AND "
                       "COALESCE(num, text) IS NOT NULL AND COALESCE(num, text) != ''), "
                       "(SELECT TOTAL(c.duration) FROM clip_attributes a JOIN clips c ON c.id = "
                       "a.clip_id WHERE a.name = 'dedup.dup_of' AND COALESCE(a.num, a.text) IS "
                       "NOT NULL AND COALESCE(a.num, a.text) != '')");
    if (!any.ok()) return any.status();
    if (sqlite3_step(any->get()) != SQLITE_ROW) return Status::Error(sqlite3_errmsg(db_));
    const long grouped = static_cast<long>(sqlite3_column_int64(any->get(), 0));
    const long dups = static_cast<long>(sqlite3_column_int64(any->get(), 1));
    const double dup_hours = sqlite3_column_double(any->get(), 2) / 3600.0;
    if (grouped == 0 && dups == 0) {
      out_ << "<p class=\"note\" id=\"dedup-none\">dedup not run: no clip carries "
              "<code>dedup.group</code> or <code>dedup.dup_of</code>.</p></section>\n";
      return Status::Ok();
    }
    // Groups of more than one clip, largest first. Values compare as text so numeric and text
    // group ids both work.
    auto groups = Prepare(db_,
                          "SELECT CAST(COALESCE(num, text) AS TEXT) AS g, COUNT(*) AS n "
                          "FROM clip_attributes WHERE name = 'dedup.group' GROUP BY g "
                          "HAVING n > 1 ORDER BY n DESC, g");
    if (!groups.ok()) return groups.status();
    std::vector<std::pair<std::string, long>> top;
    long group_count = 0, clips_in_groups = 0;
    while (sqlite3_step(groups->get()) == SQLITE_ROW) {
      ++group_count;
      const long n = static_cast<long>(sqlite3_column_int64(groups->get(), 1));
      clips_in_groups += n;
      if (static_cast<int>(top.size()) < options_.max_dedup_groups) {
        top.emplace_back(ColText(groups->get(), 0), n);
      }
    }
    out_ << "<table class=\"kv\"><tr><th>groups with more than one clip</th><td class=\"num\" "
            "id=\"dedup-groups\">"
         << group_count << "</td></tr><tr><th>clips in those groups</th><td class=\"num\">"
         << clips_in_groups << "</td></tr><tr><th>clips marked duplicate (dedup.dup_of)</th>"
         << "<td class=\"num\" id=\"dedup-duplicates\">" << dups
         << "</td></tr><tr><th>hours of duplicates</th><td class=\"num\">" << Hours(dup_hours)
         << "</td></tr></table>\n";
    if (top.empty()) {
      out_ << "</section>\n";
      return Status::Ok();
    }
    auto members = Prepare(db_,
                           "SELECT v.path, c.idx, COALESCE(t.tier, ''), "
                           "(SELECT CAST(COALESCE(d.num, d.text) AS TEXT) FROM clip_attributes d "
                           "WHERE d.clip_id = c.id AND d.name = 'dedup.dup_of') "
                           "FROM clip_attributes a JOIN clips c ON c.id = a.clip_id "
                           "JOIN videos v ON v.id = c.video_id "
                           "LEFT JOIN clip_tiers t ON t.clip_id = c.id "
                           "WHERE a.name = 'dedup.group' AND CAST(COALESCE(a.num, a.text) AS TEXT) "
                           "= ?1 ORDER BY v.path, c.idx LIMIT ?2");
    if (!members.ok()) return members.status();
    out_ << "<h3>Largest groups</h3><table id=\"dedup-table\"><tr><th>group</th>"
            "<th class=\"num\">clips</th><th>members (video#clip, tier, dup_of)</th></tr>";
    constexpr int kMembersShown = 8;
    for (const auto& [group, n] : top) {
      sqlite3_stmt* m = members->get();
      sqlite3_reset(m);
      sql::BindText(m, 1, group);
      sqlite3_bind_int(m, 2, kMembersShown);
      out_ << "<tr><td>" << HtmlEscape(group) << "</td><td class=\"num\">" << n << "</td><td>";
      while (sqlite3_step(m) == SQLITE_ROW) {
        const std::string tier = ColText(m, 2), dup_of = ColText(m, 3);
        out_ << "<div class=\"path\" title=\"" << HtmlEscape(ColText(m, 0)) << "\">"
             << HtmlEscape(FileName(ColText(m, 0)) + "#" + std::to_string(sqlite3_column_int(m, 1)))
             << " &middot; " << HtmlEscape(tier.empty() ? kUntieredLabel : tier)
             << (dup_of.empty() ? "" : " &middot; dup of " + HtmlEscape(dup_of)) << "</div>";
      }
      if (n > kMembersShown) out_ << "<div>&hellip; and " << n - kMembersShown << " more</div>";
      out_ << "</td></tr>";
    }
    out_ << "</table></section>\n";
    return Status::Ok();
  }

  Status Thumbnails() {
    out_ << "<section id=\"examples\"><h2>Examples per tier</h2>\n";
    // A deterministic spread over the catalog: order by a multiplicative hash of the clip id
    // rather than by id, so examples are not all from the first video.
    auto stmt = Prepare(
        db_,
        "SELECT tier, path, idx, thumbnail, duration, movement FROM ("
        "SELECT COALESCE(t.tier, '') AS tier, v.path AS path, c.idx AS idx, "
        "c.thumbnail AS thumbnail, c.duration AS duration, "
        "(SELECT text FROM clip_attributes a WHERE a.clip_id = c.id AND a.name = "
        "'camera.movement') AS movement, ROW_NUMBER() OVER (PARTITION BY COALESCE(t.tier, '') "
        "ORDER BY (c.id * 2654435761) % 4294967291, c.id) AS rn "
        "FROM clips c JOIN videos v ON v.id = c.video_id "
        "LEFT JOIN clip_tiers t ON t.clip_id = c.id WHERE c.thumbnail != '') "
        "WHERE rn <= ?1 ORDER BY tier, rn");
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int(stmt->get(), 1, options_.thumbs_per_tier);
    struct Example {
      std::string path, thumbnail, movement;
      int index;
      double duration;
    };
    std::map<std::string, std::vector<Example>> by_tier;  // bounded: thumbs_per_tier per tier
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt->get();
      by_tier[ColText(s, 0)].push_back({ColText(s, 1), ColText(s, 3), ColText(s, 5),
                                        sqlite3_column_int(s, 2), sqlite3_column_double(s, 4)});
    }
    if (by_tier.empty()) {
      out_ << "<p class=\"note\">No clip has a thumbnail (ingested with --no-thumbs?).</p>"
              "</section>\n";
      return Status::Ok();
    }
    for (const auto& t : tiers_) {
      auto it = by_tier.find(t.key);
      out_ << "<h3>" << HtmlEscape(t.label) << "</h3>\n<div class=\"thumbs\" data-tier=\""
           << HtmlEscape(t.label) << "\">";
      if (it == by_tier.end()) {
        out_ << "<p>(no thumbnails)</p></div>\n";
        continue;
      }
      for (const Example& e : it->second) {
        char caption[64];
        std::snprintf(caption, sizeof caption, " &middot; %.1f s", e.duration);
        const std::string label = FileName(e.path) + "#" + std::to_string(e.index);
        out_ << "<figure title=\"" << HtmlEscape(e.path + "#" + std::to_string(e.index)) << "\">";
        if (auto uri = ThumbDataUri(catalog_.dir() / e.thumbnail, options_.thumb_width)) {
          out_ << "<img src=\"" << *uri << "\" alt=\"" << HtmlEscape(label) << "\" width=\""
               << options_.thumb_width << "\">";
          ++stats_.thumbnails;
        } else {
          out_ << "<p>(thumbnail unreadable)</p>";
        }
        out_ << "<figcaption>" << HtmlEscape(label) << caption
             << (e.movement.empty() ? "" : " &middot; " + HtmlEscape(e.movement))
             << "</figcaption></figure>";
      }
      out_ << "</div>\n";
    }
    out_ << "</section>\n";
    return Status::Ok();
  }

  Status FailedInputs() {
    out_ << "<section id=\"failed\"><h2>Failed inputs</h2>\n";
    auto stmt = Prepare(db_,
                        "SELECT path, error, COUNT(*) OVER () FROM videos "
                        "WHERE status = 'failed' ORDER BY path LIMIT ?1");
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int(stmt->get(), 1, options_.max_listed_rows);
    long total = 0;
    int shown = 0;
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt->get();
      if (shown == 0) {
        total = static_cast<long>(sqlite3_column_int64(s, 2));
        out_ << "<table id=\"failed-table\"><tr><th>input</th><th>reason</th></tr>";
      }
      out_ << "<tr class=\"failed-input\"><td class=\"path\">" << HtmlEscape(ColText(s, 0))
           << "</td><td class=\"reason\">" << HtmlEscape(ColText(s, 1)) << "</td></tr>";
      ++shown;
    }
    stats_.failed_inputs = static_cast<int>(total);
    if (shown == 0) {
      out_ << "<p id=\"failed-none\">No failed inputs.</p></section>\n";
      return Status::Ok();
    }
    out_ << "</table>\n";
    if (total > shown) out_ << "<p>&hellip; and " << total - shown << " more.</p>\n";
    out_ << "</section>\n";
    return Status::Ok();
  }

  Catalog& catalog_;
  sqlite3* db_;
  std::ostream& out_;
  const ReportOptions& options_;
  ReportStats stats_;
  std::vector<TierInfo> tiers_;
  std::map<std::string, size_t> series_;
  bool tiered_ = false;
};

}  // namespace

Result<ReportStats> WriteReport(Catalog& catalog, std::ostream& out, const ReportOptions& options) {
  return ReportWriter(catalog, out, options).Write();
}

}  // namespace clipdex
