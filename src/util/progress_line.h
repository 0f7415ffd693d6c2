// Progress on stderr for catalog-wide work that can take minutes at ten million clips (tier,
// report, dedup, the semantic index build): on a terminal one live line, refreshed at most twice a
// second; in a log (stderr not a terminal) a plain line every 10 s. Work that ends within its
// first 2 s prints nothing, so small datasets and tests keep their output.
#pragma once

#include <chrono>
#include <string>

namespace clipdex {

// "42s", "3m05s", "1h02m".
std::string FormatDuration(double seconds);

class ProgressLine {
 public:
  // `what`: the work ("tier", "report: values"); `unit`: what `total` counts ("clips");
  // total <= 0: not known (the line then shows the count and the rate).
  ProgressLine(std::string what, std::string unit, long total);
  ~ProgressLine() { Done(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // For work whose size is known only once it starts.
  void SetTotal(long total) { total_ = total; }
  // `done` of the total so far; costs a clock read (tens of nanoseconds), so per-batch callers.
  void Update(long done);
  // Clears a live line (idempotent); a logged run gets a last line when it printed any.
  void Done();

 private:
  using Clock = std::chrono::steady_clock;
  void Print(long done, bool last);

  std::string what_, unit_;
  long total_;
  bool tty_;
  bool shown_ = false, done_ = false;
  long last_done_ = 0;
  Clock::time_point start_, last_;
};

}  // namespace clipdex
