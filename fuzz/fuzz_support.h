// Helpers shared by the libFuzzer targets (scripts/fuzz.sh builds and runs them).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace clipdex::fuzz {

// A directory private to this fuzzing process (libFuzzer's -fork/-jobs run several at once),
// in /dev/shm when it exists so the file round trip stays in memory.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("clipdex_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `bytes` to `name` in the scratch directory and returns its path.
inline std::filesystem::path WriteScratch(const std::string& name, const uint8_t* data,
                                          size_t size) {
  std::filesystem::path p = ScratchDir() / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p;
}

// A broken invariant (not a crash by itself): report it and abort so libFuzzer keeps the input.
[[noreturn]] inline void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "invariant broken: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Splits fuzz input into fields at '\n' (the last field takes the rest).
class FieldReader {
 public:
  FieldReader(const uint8_t* data, size_t size)
      : text_(reinterpret_cast<const char*>(data), size) {}
  std::string Next() {
    size_t nl = text_.find('\n', pos_);
    std::string out(text_.substr(pos_, nl == std::string_view::npos ? nl : nl - pos_));
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    return out;
  }
  std::string Rest() {
    std::string out(text_.substr(pos_));
    pos_ = text_.size();
    return out;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace clipdex::fuzz
