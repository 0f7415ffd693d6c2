// Dataset report: one self-contained, offline HTML file about a catalog (`clipdex report`).
// Sections: run summary, tier pyramid, histograms of every numeric attribute (and clip duration)
// by tier, camera-movement and shot-scale distributions, dedup groups, example thumbnails per
// tier, failed inputs with their reasons. Charts are inline SVG (curate/svg_chart.h);
// thumbnails are downscaled JPEG data URIs; a Content-Security-Policy forbids every network
// load, so the file shows the same anywhere, with no network.
//
// Memory stays bounded however large the catalog: counts and histograms are aggregated by SQLite
// or accumulated bin by bin while rows stream, thumbnails and listed rows are capped.
//
// A small inline script checks the page once loaded (every image decoded, every chart present)
// and records the outcome on <body> as data-report-check="ok" or "failed: <why>"; a script error
// lands in data-report-error. Headless-browser tests read these back.
#pragma once

#include <ostream>

#include "catalog/catalog.h"
#include "util/status.h"

namespace clipdex {

struct ReportOptions {
  int thumbs_per_tier = 8;  // example thumbnails per tier
  int thumb_width = 160;    // px, thumbnails are downscaled to this width
  int histogram_bins = 20;  // bins of real-valued attributes (small integer ranges: one per value)
  int max_listed_rows = 500;  // failed inputs and dedup members listed at most
  int max_dedup_groups = 12;  // largest duplicate groups shown
};

struct ReportStats {
  long clips = 0;
  int failed_inputs = 0;
  int thumbnails = 0;
  int charts = 0;
};

Result<ReportStats> WriteReport(Catalog& catalog, std::ostream& out, const ReportOptions& options);

}  // namespace clipdex
