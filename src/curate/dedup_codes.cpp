#include "curate/dedup_codes.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace clipdex {
namespace {

// The distinct hashes of `kinds` of every frame, plus those of `sparse_kinds` of every
// kCodesWindowStride-th frame.
std::vector<uint64_t> DistinctHashes(const DupSignature& sig, const std::vector<HashKind>& kinds,
                                     const std::vector<HashKind>& sparse_kinds = {}) {
  std::vector<uint64_t> out;
  out.reserve(sig.frames.size() * (kinds.size() + sparse_kinds.size()));
  for (size_t i = 0; i < sig.frames.size(); ++i) {
    for (HashKind k : kinds) out.push_back(sig.frames[i].of(k));
    if (i % kCodesWindowStride == 0) {
      for (HashKind k : sparse_kinds) out.push_back(sig.frames[i].of(k));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

constexpr uint8_t kCodesVersion = 1;
constexpr uint8_t kHasWindows = 1, kFeatureless = 2;
constexpr size_t kHeader = kCodesHeader;

void PutU32(std::string* out, uint32_t v) {
  for (int b = 0; b < 4; ++b) out->push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int b = 0; b < 8; ++b) out->push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}
uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int b = 0; b < bytes; ++b) v |= uint64_t{static_cast<unsigned char>(p[b])} << (8 * b);
  return v;
}

}  // namespace

// Only clips whose signatures have windows take part in window relations: signatures without
// them (older formats, hand-built) have zero window hashes, and indexing those would make every
// such clip a candidate of every other one.
ClipCodes CodesOf(const DedupClip& c, const DedupOptions& options) {
  ClipCodes out;
  out.has_windows = c.signature.has_windows;
  out.featureless = c.has_signature && c.signature.frames.empty();
  std::vector<HashKind> window_kinds;
  if (options.window_hamming > 0 && c.signature.has_windows) {
    for (int w = 0; w < kWindows; ++w) window_kinds.push_back(WindowKind(w));
  }
  out.stored = DistinctHashes(c.signature, {HashKind::kPlain, HashKind::kCentre}, window_kinds);
  out.queries = DistinctHashes(c.signature, {HashKind::kPlain}, window_kinds);
  if (options.flip) out.mirrored = DistinctHashes(c.signature, {HashKind::kMirrored});
  return out;
}

namespace {

void AppendClipCodes(const ClipCodes& codes, std::string* to) {
  std::string& out = *to;
  out.push_back(static_cast<char>(kCodesVersion));
  out.push_back(static_cast<char>((codes.has_windows ? kHasWindows : 0) |
                                  (codes.featureless ? kFeatureless : 0)));
  for (const auto* v : {&codes.stored, &codes.queries, &codes.mirrored}) {
    PutU32(&out, static_cast<uint32_t>(v->size()));
  }
  for (const auto* v : {&codes.stored, &codes.queries, &codes.mirrored}) {
    for (uint64_t c : *v) PutU64(&out, c);
  }
}

}  // namespace

std::string EncodeClipCodes(const ClipCodes& codes) {
  std::string out;
  out.reserve(kHeader + 8 * (codes.stored.size() + codes.queries.size() + codes.mirrored.size()));
  AppendClipCodes(codes, &out);
  return out;
}

void CodesTable::Add(const ClipCodes& codes) {
  offsets_.push_back(bytes_.size());
  AppendClipCodes(codes, &bytes_);
}

ClipCodes CodesTable::Get(size_t i) const {
  auto decoded = DecodeClipCodes(Blob(i));
  return decoded.ok() ? std::move(*decoded) : ClipCodes{};
}

Result<ClipCodesView> ViewClipCodes(std::string_view bytes) {
  const auto bad = [](const std::string& why) {
    return Status::Error("bad dedup codes (" + why + ")");
  };
  if (bytes.size() < kHeader) return bad("too short");
  if (static_cast<uint8_t>(bytes[0]) != kCodesVersion) {
    return bad("version " + std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  ClipCodesView view;
  view.bytes = bytes;
  const auto flags = static_cast<uint8_t>(bytes[1]);
  view.has_windows = (flags & kHasWindows) != 0;
  view.featureless = (flags & kFeatureless) != 0;
  uint64_t total = 0;
  for (int i = 0; i < 3; ++i) {
    view.counts[i] = static_cast<uint32_t>(GetLe(bytes.data() + 2 + 4 * i, 4));
    total += view.counts[i];
  }
  if (bytes.size() != kHeader + 8 * total) {
    return bad(std::to_string(bytes.size()) + " bytes for " + std::to_string(total) + " codes");
  }
  return view;
}

uint64_t ClipCodesView::Code(int list, uint32_t k) const {
  uint64_t before = 0;
  for (int i = 0; i < list; ++i) before += counts[i];
  return GetLe(bytes.data() + kHeader + 8 * (before + k), 8);
}

Result<ClipCodes> DecodeClipCodes(std::string_view bytes) {
  auto view = ViewClipCodes(bytes);
  if (!view.ok()) return view.status();
  ClipCodes out;
  out.has_windows = view->has_windows;
  out.featureless = view->featureless;
  int list = 0;
  for (auto* v : {&out.stored, &out.queries, &out.mirrored}) {
    v->resize(view->counts[list]);
    for (uint32_t k = 0; k < view->counts[list]; ++k) (*v)[k] = view->Code(list, k);
    ++list;
  }
  return out;
}

std::string DedupSettingsKey(const DedupOptions& o) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "codes 1; hamming %d; flip %d; min_match %.17g; window_hamming %d; "
                "window_gradient_hamming %d; window_min_match %.17g; window_min_looks %d; "
                "window_min_frames %d; motion_cells %d; motion_dilate %d; motion_static_cells %d; "
                "semantic %.17g; quality ",
                o.hamming, o.flip ? 1 : 0, o.min_match_fraction, o.window_hamming,
                o.window_gradient_hamming, o.window_min_match, o.window_min_looks,
                o.window_min_frames, o.motion_cells, o.motion_dilate, o.motion_static_cells,
                o.semantic);
  return buf + o.quality_attribute;
}

}  // namespace clipdex
