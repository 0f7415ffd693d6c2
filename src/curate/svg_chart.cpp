#include "curate/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "curate/html_escape.h"

namespace clipdex {
namespace {

constexpr double kWidth = 600;
constexpr double kLeft = 64, kRight = 16, kTop = 52;

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Step between y grid lines: 1, 2 or 5 times a power of ten, about 5 lines up to `max`.
double NiceStep(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double frac = raw / magnitude;
  const double step = (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10) * magnitude;
  return std::max(step, 1.0);  // counts: never a fractional grid
}

std::string Text(double x, double y, const std::string& text, const std::string& extra = "") {
  return "<text x=\"" + Fixed(x) + "\" y=\"" + Fixed(y) + "\"" + (extra.empty() ? "" : " ") +
         extra + ">" + HtmlEscape(text) + "</text>";
}

std::string Legend(const std::vector<ChartSeries>& series, double y) {
  std::string out;
  double x = kLeft;
  for (const auto& s : series) {
    out += "<rect x=\"" + Fixed(x) + "\" y=\"" + Fixed(y - 9) +
           "\" width=\"10\" height=\"10\" fill=\"" + HtmlEscape(s.color) + "\"/>";
    out += Text(x + 14, y, s.name, "class=\"legend\"");
    x += 24 + 7.0 * static_cast<double>(s.name.size());
  }
  return out;
}

}  // namespace

std::string FormatChartNumber(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e6) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  }
  return buf;
}

std::string BarChartSvg(const BarChart& chart) {
  const bool histogram = !chart.bin_edges.empty();
  const size_t bars = histogram ? chart.bin_edges.size() - 1 : chart.categories.size();
  const double bottom = histogram ? 44 : 84;  // rotated category labels need room
  const double height = kTop + 180 + bottom;
  const double plot_w = kWidth - kLeft - kRight, plot_h = height - kTop - bottom;
  std::vector<double> totals(bars, 0.0);
  for (const auto& s : chart.series) {
    for (size_t i = 0; i < bars && i < s.values.size(); ++i) totals[i] += s.values[i];
  }
  const double max_total = bars ? *std::max_element(totals.begin(), totals.end()) : 0;
  const double step = NiceStep(max_total);
  const double y_max = std::max(step, std::ceil(max_total / step) * step);
  auto y_of = [&](double v) { return kTop + plot_h * (1 - v / y_max); };

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" +
                    Fixed(kWidth) + "\" height=\"" + Fixed(height) + "\" viewBox=\"0 0 " +
                    Fixed(kWidth) + " " + Fixed(height) + "\" role=\"img\" aria-label=\"" +
                    HtmlEscape(chart.title) + "\">";
  out += "<title>" + HtmlEscape(chart.title) + "</title>";
  out += Text(kLeft, 18, chart.title, "class=\"chart-title\"");
  out += Legend(chart.series, 38);
  // Grid and y ticks.
  for (double v = 0; v <= y_max + step / 2; v += step) {
    const double y = y_of(v);
    out += "<line class=\"grid\" x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kLeft + plot_w) +
           "\" y1=\"" + Fixed(y) + "\" y2=\"" + Fixed(y) + "\"/>";
    out += Text(kLeft - 6, y + 4, FormatChartNumber(v), "class=\"tick\" text-anchor=\"end\"");
  }
  // Bars, first series at the bottom of each stack.
  const double slot = bars ? plot_w / static_cast<double>(bars) : plot_w;
  const double gap = histogram ? 1 : std::min(12.0, slot * 0.25);
  for (size_t i = 0; i < bars; ++i) {
    double base = 0;
    const double x = kLeft + slot * static_cast<double>(i) + gap / 2;
    std::string bar_label = chart.categories.size() > i ? chart.categories[i] : "";
    if (histogram) {
      bar_label = chart.integer_bins ? FormatChartNumber(chart.bin_edges[i] + 0.5)
                                     : FormatChartNumber(chart.bin_edges[i]) + "–" +
                                           FormatChartNumber(chart.bin_edges[i + 1]);
    }
    for (const auto& s : chart.series) {
      const double v = i < s.values.size() ? s.values[i] : 0;
      if (v <= 0) continue;
      const double y_top = y_of(base + v), y_bottom = y_of(base);
      out += "<rect x=\"" + Fixed(x) + "\" y=\"" + Fixed(y_top) + "\" width=\"" +
             Fixed(std::max(1.0, slot - gap)) + "\" height=\"" + Fixed(y_bottom - y_top) +
             "\" fill=\"" + HtmlEscape(s.color) + "\"><title>" +
             HtmlEscape(bar_label + ", " + s.name + ": " + FormatChartNumber(v)) +
             "</title></rect>";
      base += v;
    }
    if (!histogram) {
      const double cx = x + (slot - gap) / 2, cy = kTop + plot_h + 14;
      out += Text(cx, cy, chart.categories[i],
                  "class=\"tick\" text-anchor=\"end\" transform=\"rotate(-35 " + Fixed(cx) + " " +
                      Fixed(cy) + ")\"");
    }
  }
  if (histogram && bars > 0) {
    const size_t every = std::max<size_t>(1, (bars + 5) / 6);
    // Whole-number bins are labelled with their value under the bar's centre.
    const double shift = chart.integer_bins ? 0.5 : 0.0;
    for (size_t e = 0; e + (chart.integer_bins ? 1 : 0) <= bars; e += every) {
      const double x = kLeft + slot * (static_cast<double>(e) + shift);
      out += "<line class=\"axis\" x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" +
             Fixed(kTop + plot_h) + "\" y2=\"" + Fixed(kTop + plot_h + 4) + "\"/>";
      out += Text(x, kTop + plot_h + 16, FormatChartNumber(chart.bin_edges[e] + shift),
                  "class=\"tick\" text-anchor=\"middle\"");
    }
  }
  // Axes and their labels.
  out += "<line class=\"axis\" x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kLeft + plot_w) +
         "\" y1=\"" + Fixed(kTop + plot_h) + "\" y2=\"" + Fixed(kTop + plot_h) + "\"/>";
  out += "<line class=\"axis\" x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kLeft) + "\" y1=\"" +
         Fixed(kTop) + "\" y2=\"" + Fixed(kTop + plot_h) + "\"/>";
  out += Text(kLeft + plot_w / 2, height - 6, chart.x_label,
              "class=\"axis-label\" text-anchor=\"middle\"");
  const double ly = kTop + plot_h / 2;
  out += Text(
      16, ly, chart.y_label,
      "class=\"axis-label\" text-anchor=\"middle\" transform=\"rotate(-90 16 " + Fixed(ly) + ")\"");
  out += "</svg>";
  return out;
}

std::string TierPyramidSvg(const std::vector<PyramidLevel>& levels) {
  constexpr double kRow = 34, kBarMax = 300, kCentre = 300;
  const double height = 12 + kRow * static_cast<double>(levels.size());
  long max_clips = 1;
  for (const auto& l : levels) max_clips = std::max(max_clips, l.clips);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart pyramid\" width=\"" +
                    Fixed(kWidth) + "\" height=\"" + Fixed(height) + "\" viewBox=\"0 0 " +
                    Fixed(kWidth) + " " + Fixed(height) +
                    "\" role=\"img\" aria-label=\"tier pyramid\"><title>Tier pyramid</title>";
  for (size_t i = 0; i < levels.size(); ++i) {
    const auto& l = levels[i];
    const double y = 6 + kRow * static_cast<double>(i);
    double w = kBarMax * static_cast<double>(l.clips) / static_cast<double>(max_clips);
    if (l.clips > 0) w = std::max(w, 2.0);
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.3f h", l.hours);
    const std::string numbers =
        std::to_string(l.clips) + (l.clips == 1 ? " clip, " : " clips, ") + hours;
    out += Text(8, y + 21, l.name, "class=\"pyramid-name\"");
    out += "<rect x=\"" + Fixed(kCentre - w / 2) + "\" y=\"" + Fixed(y) + "\" width=\"" + Fixed(w) +
           "\" height=\"" + Fixed(kRow - 6) + "\" fill=\"" + HtmlEscape(l.color) + "\"><title>" +
           HtmlEscape(l.name + ": " + numbers) + "</title></rect>";
    out += Text(kWidth - 8, y + 21, numbers, "class=\"tick\" text-anchor=\"end\"");
  }
  out += "</svg>";
  return out;
}

}  // namespace clipdex
