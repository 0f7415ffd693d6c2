#include "util/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace clipdex {

std::string FormatDuration(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", int(s) / 60, int(s) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", int(s) / 3600, int(s) % 3600 / 60);
  }
  return buf;
}

ProgressLine::ProgressLine(std::string what, std::string unit, long total)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      tty_(isatty(2) == 1),
      start_(Clock::now()),
      last_(start_) {}

void ProgressLine::Update(long done) {
  last_done_ = done;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 2.0) return;
  const double since = std::chrono::duration<double>(now - last_).count();
  if (shown_ && since < (tty_ ? 0.5 : 10.0)) return;
  last_ = now;
  Print(done, false);
}

void ProgressLine::Done() {
  if (done_) return;
  done_ = true;
  if (!shown_) return;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K");
  } else {
    Print(last_done_, true);
  }
  std::fflush(stderr);
}

void ProgressLine::Print(long done, bool last) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const char* lead = tty_ ? "\r\033[K" : "";
  const char* end = tty_ ? "" : "\n";
  if (total_ <= 0) {  // size unknown: counts and rate only
    std::fprintf(stderr, "%s%s: %ld %s, %.0f %s/s, %s %s%s", lead, what_.c_str(), done,
                 unit_.c_str(), rate, unit_.c_str(), last ? "took" : "for",
                 FormatDuration(elapsed).c_str(), end);
  } else {
    std::string eta = "?";
    if (done > 0 && total_ > done) eta = FormatDuration(elapsed * (total_ - done) / done);
    if (done >= total_) eta = "0s";
    std::fprintf(stderr, "%s%s: %ld/%ld %s (%.0f%%), %.0f %s/s, %s%s%s", lead, what_.c_str(), done,
                 total_, unit_.c_str(),
                 100.0 * static_cast<double>(done) / static_cast<double>(total_), rate,
                 unit_.c_str(), last ? "took " : "ETA ",
                 last ? FormatDuration(elapsed).c_str() : eta.c_str(), end);
  }
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace clipdex
