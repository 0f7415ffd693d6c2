#include "util/sha256.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

namespace clipdex {
namespace {

// One OpenSSL digest context, freed on every path out.
struct DigestContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

std::string Hex(const unsigned char* digest, unsigned size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Streams chunks into SHA-256; "" from Finish when OpenSSL refuses (out of memory).
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
  }
  void Update(const void* data, size_t size) {
    ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), data, size) == 1;
  }
  std::string Finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    ok_ = ok_ && EVP_DigestFinal_ex(ctx_.get(), digest, &size) == 1;
    return ok_ ? Hex(digest, size) : std::string();
  }

 private:
  DigestContext ctx_;
  bool ok_ = false;
};

}  // namespace

std::string Sha256Hex(const void* data, size_t size) {
  Sha256Stream s;
  s.Update(data, size);
  return s.Finish();
}

Result<std::string> Sha256File(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path.string() + ": cannot read");
  Sha256Stream s;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    s.Update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::Error(path.string() + ": read error");
  std::string hex = s.Finish();
  if (hex.empty()) return Status::Error(path.string() + ": SHA-256 failed (libcrypto)");
  return hex;
}

}  // namespace clipdex
