// Inline SVG charts for the HTML report, drawn as text so the report needs no script library:
// stacked bar charts over categories or histogram bins (one stacked series per tier, with a
// legend), and the tier pyramid. Every chart has a title, axis labels, y grid lines at round
// numbers and a <title> tooltip per bar with the exact count. All text is escaped.
#pragma once

#include <string>
#include <vector>

namespace clipdex {

struct ChartSeries {
  std::string name;            // legend entry (a tier)
  std::string color;           // CSS colour, e.g. "#d4a017"
  std::vector<double> values;  // one per category / bin
};

struct BarChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  // Categorical charts: one label per bar. Histograms: leave empty and set bin_edges instead.
  std::vector<std::string> categories;
  std::vector<double> bin_edges;  // histograms: bins + 1 ascending edges
  bool integer_bins = false;      // histograms of whole numbers: one bin per value, ticks centred
  std::vector<ChartSeries> series;
};

// Stacked bars; a histogram when chart.bin_edges is set (adjacent bars, numeric x ticks).
std::string BarChartSvg(const BarChart& chart);

struct PyramidLevel {
  std::string name;
  long clips = 0;
  double hours = 0;
  std::string color;
};
// Centred horizontal bars, first level on top, width proportional to the clip count.
std::string TierPyramidSvg(const std::vector<PyramidLevel>& levels);

// Short number text for axes and labels: "0", "12", "0.25", "1.5e+03".
std::string FormatChartNumber(double v);

}  // namespace clipdex
