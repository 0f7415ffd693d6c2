#include "util/fingerprint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace clipdex {

namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// 64-bit FNV-1a: simple, stable across platforms and versions (the catalog stores it).
uint64_t Fnv1a(const unsigned char* data, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

Result<std::string> FingerprintFile(const std::filesystem::path& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == EACCES) return Status::Error("permission denied");
    if (errno == ENOENT) return Status::Error("no such file");
    if (errno == EISDIR) return Status::Error("is a directory");
    return Status::Error(std::string("cannot open: ") + std::strerror(errno));
  }
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return Status::Error("cannot seek");
  long long size = std::ftell(f.get());
  if (size < 0) return Status::Error("cannot read size");
  constexpr long long kWindow = 1 << 20;
  uint64_t h = 1469598103934665603ULL;
  std::vector<unsigned char> buf(kWindow);
  for (long long offset : {0LL, size / 2 - kWindow / 2, size - kWindow}) {
    if (offset < 0) offset = 0;
    if (std::fseek(f.get(), offset, SEEK_SET) != 0) return Status::Error("cannot seek");
    size_t got = std::fread(buf.data(), 1, buf.size(), f.get());
    if (got == 0 && size > 0 && std::ferror(f.get())) {
      return Status::Error(std::string("read error: ") + std::strerror(errno));
    }
    h = Fnv1a(buf.data(), got, h);
  }
  char out[64];
  std::snprintf(out, sizeof(out), "v1-%llx-%016llx", size, static_cast<unsigned long long>(h));
  return std::string(out);
}

}  // namespace clipdex
