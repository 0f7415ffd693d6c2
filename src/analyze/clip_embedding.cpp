#include "analyze/clip_embedding.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "util/base64.h"

namespace clipdex {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(const std::vector<uint8_t>& data) {
  return Base64Encode(data.data(), data.size());
}

// Decoded bytes, or false on a character outside the alphabet or a bad length.
bool FromBase64(std::string_view text, std::vector<uint8_t>* out) {
  if (text.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t triple = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      uint32_t v = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
      } else {
        const char* p = std::find(kAlphabet, kAlphabet + 64, c);
        if (p == kAlphabet + 64 || pad > 0) return false;
        v = static_cast<uint32_t>(p - kAlphabet);
      }
      triple = (triple << 6) | v;
    }
    out->push_back(static_cast<uint8_t>(triple >> 16));
    if (pad < 2) out->push_back(static_cast<uint8_t>(triple >> 8));
    if (pad < 1) out->push_back(static_cast<uint8_t>(triple));
  }
  return true;
}

}  // namespace

std::vector<float> L2Normalised(std::vector<float> v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0 || !std::isfinite(sum)) return v;
  const double inv = 1.0 / std::sqrt(sum);
  for (float& x : v) x = static_cast<float>(x * inv);
  return v;
}

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  const size_t n = std::min(a.size(), b.size());
  for (size_t k = 0; k < n; ++k) sum += static_cast<double>(a[k]) * b[k];
  return sum;
}

std::string EncodeClipEmbedding(const std::vector<float>& embedding) {
  const std::vector<float> v = L2Normalised(embedding);
  float peak = 0;
  for (float x : v) peak = std::max(peak, std::abs(x));
  const double scale = peak > 0 ? peak / 127.0 : 1.0;
  std::vector<uint8_t> bytes(v.size());
  for (size_t k = 0; k < v.size(); ++k) {
    const long q = std::clamp(std::lround(v[k] / scale), -127L, 127L);
    bytes[k] = static_cast<uint8_t>(static_cast<int8_t>(q));
  }
  char scale_text[32];
  auto [end, ec] = std::to_chars(scale_text, scale_text + sizeof scale_text, scale);
  (void)ec;  // 32 characters always hold a double
  return "i8:" + std::to_string(v.size()) + ":" + std::string(scale_text, end) + ":" +
         Base64(bytes);
}

Result<std::vector<float>> DecodeClipEmbedding(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::Error("embedding.clip: " + why + " (expected i8:<D>:<scale>:<base64>)");
  };
  if (!text.starts_with("i8:")) return bad("unknown format");
  text.remove_prefix(3);
  const size_t c1 = text.find(':');
  if (c1 == std::string_view::npos) return bad("no dimension");
  const size_t c2 = text.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("no scale");
  size_t dims = 0;
  double scale = 0;
  auto r1 = std::from_chars(text.data(), text.data() + c1, dims);
  if (r1.ec != std::errc() || r1.ptr != text.data() + c1 || dims == 0 || dims > 65536) {
    return bad("bad dimension");
  }
  auto r2 = std::from_chars(text.data() + c1 + 1, text.data() + c2, scale);
  if (r2.ec != std::errc() || r2.ptr != text.data() + c2 || !(scale > 0) || !std::isfinite(scale)) {
    return bad("bad scale");
  }
  std::vector<uint8_t> bytes;
  if (!FromBase64(text.substr(c2 + 1), &bytes)) return bad("bad base64");
  if (bytes.size() != dims) {
    return bad(std::to_string(bytes.size()) + " values, header says " + std::to_string(dims));
  }
  std::vector<float> v(dims);
  for (size_t k = 0; k < dims; ++k) {
    v[k] = static_cast<float>(static_cast<int8_t>(bytes[k]) * scale);
  }
  return L2Normalised(std::move(v));
}

}  // namespace clipdex
