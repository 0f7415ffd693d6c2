// Positional command-line arguments with defaults, for the benches: `bench N [a=1] [b=x] ...`.
// A bench without its required arguments prints its usage line and exits 2.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace clipdex::bench {

class PositionalArgs {
 public:
  // `usage`: what follows the program's name in the usage line.
  PositionalArgs(int argc, char** argv, int required, const char* usage)
      : argc_(argc), argv_(argv) {
    if (argc - 1 < required) {
      std::fprintf(stderr, "usage: %s %s\n", argv[0], usage);
      std::exit(2);
    }
  }
  // Argument i (1-based), or the default when it is not given.
  long long Int(int i, long long fallback) const {
    return Given(i) ? std::atoll(argv_[i]) : fallback;
  }
  double Real(int i, double fallback) const { return Given(i) ? std::atof(argv_[i]) : fallback; }
  std::string Text(int i, const char* fallback) const { return Given(i) ? argv_[i] : fallback; }

 private:
  bool Given(int i) const { return i < argc_; }
  int argc_;
  char** argv_;
};

}  // namespace clipdex::bench
