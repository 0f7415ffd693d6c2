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

#include "caption/film_vocabulary.h"
#include "curate/html_escape.h"
#include "curate/svg_chart.h"
#include "media/jpeg.h"
#include "util/base64.h"
#include "util/progress_line.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

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
  return Base64Encode(data.data(), data.size());
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
  static const std::vector<std::string> kNone;
  if (attribute == "camera.movement") return CameraMovementLabels();
  if (attribute == "framing.shot_scale") return ShotScaleLabels();
  return kNone;
}

class ReportWriter {
 public:
  ReportWriter(Catalog& catalog, std::ostream& out, const ReportOptions& options)
      : catalog_(catalog), out_(out), options_(options) {}

  Result<ReportStats> Write() {
    if (Status s = LoadTiers(); !s.ok()) return s;
    auto summary = catalog_.GetSummary();
    if (!summary.ok()) return summary.status();
    stats_.clips = summary->clips;
    Head();
    const auto steps = {&ReportWriter::Summary,     &ReportWriter::Tiers, &ReportWriter::Histograms,
                        &ReportWriter::Categories,  &ReportWriter::Dedup, &ReportWriter::Thumbnails,
                        &ReportWriter::FailedInputs};
    // A million clips take ~10 s, ten million about a minute: say how far it is.
    ProgressLine progress("report", "steps", static_cast<long>(steps.size()));
    long done = 0;
    for (auto step : steps) {
      if (Status s = (this->*step)(); !s.ok()) return Status::Error("report: " + s.message());
      progress.Update(++done);
    }
    progress.Done();
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
    // In recipe order (Catalog::TierTotals recovers it from the clips' ranks).
    auto totals = catalog_.TierTotals();
    if (!totals.ok()) return totals.status();
    for (const TierTotal& total : totals.value()) {
      TierInfo t;
      t.key = t.label = total.tier;
      t.clips = total.clips;
      t.hours = total.seconds / 3600.0;
      t.color = TierColor(t.key, tiers_.size());
      tiers_.push_back(t);
    }
    tiered_ = !tiers_.empty();
    auto rest = catalog_.UntieredTotal();
    if (!rest.ok()) return rest.status();
    if (rest->clips > 0) {
      tiers_.push_back({"", kUntieredLabel, rest->clips, rest->seconds / 3600.0, "#7f7f7f"});
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
    // The real / generated mix (`ingest --source generated` marks source.generated).
    auto real = catalog_.CountClipsWithout("source.generated");
    if (!real.ok()) return real.status();
    out_ << "<section id=\"summary\"><h2>Run summary</h2>\n<table class=\"kv\">"
         << "<tr><th>videos ok</th><td class=\"num\" id=\"videos-ok\">" << s->videos_ok
         << "</td></tr><tr><th>videos failed</th><td class=\"num\" id=\"videos-failed\">"
         << s->videos_failed << "</td></tr><tr><th>clips</th><td class=\"num\" id=\"clips\">"
         << s->clips << "</td></tr><tr><th>real / generated clips</th><td class=\"num\" "
         << "id=\"source-mix\">" << *real << " / " << s->clips - *real
         << "</td></tr><tr><th>hours</th><td class=\"num\" id=\"hours\">" << Hours(s->hours)
         << "</td></tr><tr><th>ingest runs</th><td class=\"num\">" << s->runs
         << "</td></tr></table>\n";
    if (!s->transitions_by_type.empty()) {
      out_ << "<h3>Transitions</h3><table><tr><th>type</th><th class=\"num\">count</th></tr>";
      for (const auto& [type, n] : s->transitions_by_type) {
        out_ << "<tr><td>" << HtmlEscape(type) << "</td><td class=\"num\">" << n << "</td></tr>";
      }
      out_ << "</table>\n";
    }
    auto runs = catalog_.LatestRuns(10);
    if (!runs.ok()) return runs.status();
    out_ << "<h3>Latest ingest runs</h3><table><tr><th>run</th><th>version</th><th>started</th>"
            "<th>finished</th><th class=\"num\">files ok</th><th class=\"num\">failed</th>"
            "<th class=\"num\">seconds</th></tr>";
    for (const RunRecord& r : runs.value()) {
      out_ << "<tr><td class=\"num\">" << r.id << "</td><td>" << HtmlEscape(r.version)
           << "</td><td>" << HtmlEscape(r.started_at) << "</td><td>"
           << HtmlEscape(r.finished_at.empty() ? "(not finished)" : r.finished_at)
           << "</td><td class=\"num\">" << r.files_ok << "</td><td class=\"num\">" << r.files_failed
           << "</td><td class=\"num\">" << FormatChartNumber(std::round(r.seconds * 10) / 10)
           << "</td></tr>";
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
    auto r = catalog_.NumericRanges();
    if (!r.ok()) return r.status();
    for (const clipdex::NumericRange& range : r.value()) {
      ranges[range.name] = {range.lo, range.hi, range.integers};
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
    // Values come grouped by name and tiers are few: the last name's histogram and the last
    // tier's series are looked up again only when they change (a map lookup per value cost more
    // than the binning at millions of values).
    std::string last_name = "\x01", last_tier = "\x01";
    Hist* hist = nullptr;
    size_t series = 0;
    Status rows = catalog_.ForEachNumericValue(
        [&](std::string_view name, double value, std::string_view tier) {
          if (name != last_name) {
            last_name = name;
            auto it = hists.find(last_name);
            hist = it == hists.end() ? nullptr : &it->second;
          }
          if (hist == nullptr) return;
          if (tier != last_tier) {
            last_tier = tier;
            series = SeriesOf(last_tier);
          }
          hist->series[series].values[BinOf(hist->edges, value)] += 1;
        });
    if (!rows.ok()) return rows;
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
    auto rows = catalog_.CategoryCounts(attribute);
    if (!rows.ok()) return rows.status();
    std::map<std::string, std::vector<double>> counts;  // value -> per series
    std::map<std::string, double> totals;
    for (const CategoryCount& row : rows.value()) {
      auto& v = counts[row.value];
      v.resize(tiers_.size(), 0.0);
      const double n = static_cast<double>(row.clips);
      v[SeriesOf(row.tier)] += n;
      totals[row.value] += n;
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
    auto any = catalog_.GetDedupTotals();
    if (!any.ok()) return any.status();
    const long grouped = any->grouped;
    const long dups = any->duplicates;
    const double dup_hours = any->duplicate_seconds / 3600.0;
    if (grouped == 0 && dups == 0) {
      out_ << "<p class=\"note\" id=\"dedup-none\">dedup not run: no clip carries "
              "<code>dedup.group</code> or <code>dedup.dup_of</code>.</p></section>\n";
      return Status::Ok();
    }
    // Groups of more than one clip, largest first.
    auto groups = catalog_.DedupGroupSizes();
    if (!groups.ok()) return groups.status();
    std::vector<std::pair<std::string, long>> top;
    long group_count = 0, clips_in_groups = 0;
    for (const DedupGroupSize& g : groups.value()) {
      ++group_count;
      clips_in_groups += g.clips;
      if (static_cast<int>(top.size()) < options_.max_dedup_groups)
        top.emplace_back(g.group, g.clips);
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
    out_ << "<h3>Largest groups</h3><table id=\"dedup-table\"><tr><th>group</th>"
            "<th class=\"num\">clips</th><th>members (video#clip, tier, dup_of)</th></tr>";
    constexpr int kMembersShown = 8;
    for (const auto& [group, n] : top) {
      auto members = catalog_.DedupGroupMembers(group, kMembersShown);
      if (!members.ok()) return members.status();
      out_ << "<tr><td>" << HtmlEscape(group) << "</td><td class=\"num\">" << n << "</td><td>";
      for (const DedupMember& m : members.value()) {
        out_ << "<div class=\"path\" title=\"" << HtmlEscape(m.video_path) << "\">"
             << HtmlEscape(FileName(m.video_path) + "#" + std::to_string(m.index)) << " &middot; "
             << HtmlEscape(m.tier.empty() ? kUntieredLabel : m.tier)
             << (m.dup_of.empty() ? "" : " &middot; dup of " + HtmlEscape(m.dup_of)) << "</div>";
      }
      if (n > kMembersShown) out_ << "<div>&hellip; and " << n - kMembersShown << " more</div>";
      out_ << "</td></tr>";
    }
    out_ << "</table></section>\n";
    return Status::Ok();
  }

  Status Thumbnails() {
    out_ << "<section id=\"examples\"><h2>Examples per tier</h2>\n";
    // A deterministic spread over the catalog (see Catalog::ThumbnailSamples).
    auto samples = catalog_.ThumbnailSamples(options_.thumbs_per_tier);
    if (!samples.ok()) return samples.status();
    struct Example {
      std::string path, thumbnail, movement;
      int index;
      double duration;
    };
    std::map<std::string, std::vector<Example>> by_tier;  // bounded: thumbs_per_tier per tier
    for (const ThumbnailSample& t : samples.value()) {
      by_tier[t.tier].push_back({t.video_path, t.thumbnail, t.movement, t.index, t.duration});
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
    auto failed = catalog_.ListFailedVideos(options_.max_listed_rows);
    if (!failed.ok()) return failed.status();
    const long total = failed->total;
    int shown = 0;
    for (const auto& [path, error] : failed->listed) {
      if (shown == 0) out_ << "<table id=\"failed-table\"><tr><th>input</th><th>reason</th></tr>";
      out_ << "<tr class=\"failed-input\"><td class=\"path\">" << HtmlEscape(path)
           << "</td><td class=\"reason\">" << HtmlEscape(error) << "</td></tr>";
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
