#include "curate/chunk_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace clipdex {
namespace {

constexpr char kMagic[8] = {'C', 'D', 'X', 'C', 'H', 'I', 'X', '3'};
constexpr uint64_t kRecord = 12;  // u64 code, u32 meta

// Coarse offsets by the top bits of a chunk value: about 64 records a coarse bucket, up to one
// bucket a value (22 bits, 32 MB a chunk in memory while a run reads the segment). A lookup
// reads its whole coarse bucket: at 2^20 buckets, ten million clips had 320 records (3.8 kB) a
// bucket, and copying them was most of an incremental run (55 s for 100,000 new clips).
int CoarseBitsFor(uint64_t entries) {
  int bits = 8;
  while (bits < 22 && (entries >> bits) > 64) ++bits;
  return bits;
}

uint64_t Align8(uint64_t v) { return (v + 7) & ~uint64_t{7}; }

// Byte size of the header and ids of a segment of `clips` clips and `chunks` chunks.
uint64_t HeaderBytes(uint64_t clips, int chunks) {
  return 8 + 4 + 4 + 8 + 8 + static_cast<uint64_t>(chunks) * 16 + clips * 8;
}

}  // namespace

ChunkLayout::ChunkLayout(int chunks) : bits(chunks), shift(chunks) {
  for (int c = 0, at = 0; c < chunks; ++c) {
    bits[c] = 64 / chunks + (c < 64 % chunks ? 1 : 0);
    shift[c] = at;
    at += bits[c];
  }
}

// ---- Writer ------------------------------------------------------------------------------------

Result<std::unique_ptr<ChunkIndexWriter>> ChunkIndexWriter::Begin(
    const std::filesystem::path& path, const ChunkLayout& layout,
    const std::vector<int64_t>& clip_ids, uint64_t first, const std::vector<uint64_t>& entries) {
  std::unique_ptr<ChunkIndexWriter> w(new ChunkIndexWriter());
  w->path_ = path;
  w->temp_ = path;
  w->temp_ += ".tmp";
  w->entries_ = entries;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  w->fd_ = ::open(w->temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd_ < 0) {
    return Status::Error("dedup index: cannot write " + w->temp_.string() + " (" +
                         std::strerror(errno) + ")");
  }
  std::string head(kMagic, 8);
  const auto put32 = [&head](uint32_t v) { head.append(reinterpret_cast<const char*>(&v), 4); };
  const auto put64 = [&head](uint64_t v) { head.append(reinterpret_cast<const char*>(&v), 8); };
  put32(static_cast<uint32_t>(layout.chunks()));
  w->coarse_bits_ = CoarseBitsFor(entries.empty() ? 0 : entries[0]);
  put32(static_cast<uint32_t>(w->coarse_bits_));
  put64(clip_ids.size());
  put64(first);
  for (int c = 0; c < layout.chunks(); ++c) {
    put32(static_cast<uint32_t>(layout.bits[c]));
    put32(static_cast<uint32_t>(layout.shift[c]));
    put64(entries[c]);
  }
  if (Status s = w->WriteAt(0, head.data(), head.size()); !s.ok()) return s;
  if (Status s = w->WriteAt(head.size(), clip_ids.data(), clip_ids.size() * 8); !s.ok()) return s;
  w->end_ = Align8(HeaderBytes(clip_ids.size(), layout.chunks()));
  return w;
}

ChunkIndexWriter::~ChunkIndexWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);  // not finished: no partial segment stays
  }
}

Status ChunkIndexWriter::WriteAt(uint64_t at, const void* data, size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::pwrite(fd_, p, bytes, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Error("dedup index: cannot write " + temp_.string() + " (" +
                           std::strerror(errno) + ")");
    }
    p += n;
    at += static_cast<uint64_t>(n);
    bytes -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ChunkIndexWriter::BeginChunk(int c, const std::vector<uint32_t>& counts) {
  if (left_ != 0) return Status::Error("dedup index: a chunk was not filled");
  const int bits = static_cast<int>(std::bit_width(counts.size()) - 1);
  const int coarse_bits = std::min(coarse_bits_, bits);
  const int shift = bits - coarse_bits;
  std::vector<uint64_t> coarse((size_t{1} << coarse_bits) + 1, 0);
  for (size_t v = 0; v < counts.size(); ++v) coarse[(v >> shift) + 1] += counts[v];
  for (size_t b = 1; b < coarse.size(); ++b) coarse[b] += coarse[b - 1];
  if (coarse.back() != entries_[c]) {
    return Status::Error("dedup index: chunk " + std::to_string(c) + " counts " +
                         std::to_string(coarse.back()) + " entries, not " +
                         std::to_string(entries_[c]));
  }
  if (Status s = WriteAt(end_, coarse.data(), coarse.size() * 8); !s.ok()) return s;
  codes_at_ = end_ + coarse.size() * 8;
  end_ = Align8(codes_at_ + entries_[c] * kRecord);
  left_ = entries_[c];
  return Status::Ok();
}

Status ChunkIndexWriter::Append(const uint64_t* codes, const uint32_t* meta, size_t n) {
  if (n > left_) return Status::Error("dedup index: more entries than counted");
  // Records interleaved (a lookup reads its bucket with one pread), 1M at a time.
  std::vector<char> buffer;
  for (size_t at = 0; at < n;) {
    const size_t take = std::min<size_t>(n - at, size_t{1} << 20);
    buffer.resize(take * kRecord);
    for (size_t k = 0; k < take; ++k) {
      std::memcpy(buffer.data() + k * kRecord, codes + at + k, 8);
      std::memcpy(buffer.data() + k * kRecord + 8, meta + at + k, 4);
    }
    if (Status s = WriteAt(codes_at_, buffer.data(), buffer.size()); !s.ok()) return s;
    codes_at_ += buffer.size();
    at += take;
  }
  left_ -= n;
  return Status::Ok();
}

Status ChunkIndexWriter::Finish() {
  if (left_ != 0) return Status::Error("dedup index: a chunk was not filled");
  if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0 || ::fsync(fd_) != 0) {
    return Status::Error("dedup index: cannot write " + temp_.string() + " (" +
                         std::strerror(errno) + ")");
  }
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::rename(temp_, path_, ec);
  if (ec)
    return Status::Error("dedup index: cannot write " + path_.string() + " (" + ec.message() + ")");
  return Status::Ok();
}

Status WriteChunkIndexSegment(const std::filesystem::path& path, const ChunkLayout& layout,
                              const std::vector<int64_t>& clip_ids, uint64_t first,
                              const std::vector<std::string_view>& blobs) {
  // Every entry once (code, clip | roles), then sorted by each chunk's value in turn.
  std::vector<std::pair<uint64_t, uint32_t>> entries, scratch;
  for (size_t k = 0; k < blobs.size(); ++k) {
    auto v = ViewClipCodes(blobs[k]);
    if (!v.ok()) return v.status();
    ForEachIndexEntry(*v, /*all_roles=*/true, &scratch, [&](uint64_t code, uint32_t roles) {
      entries.emplace_back(code, static_cast<uint32_t>(k) | roles);
    });
  }
  auto w = ChunkIndexWriter::Begin(path, layout, clip_ids, first,
                                   std::vector<uint64_t>(layout.chunks(), entries.size()));
  if (!w.ok()) return w.status();
  std::vector<uint64_t> codes(entries.size());
  std::vector<uint32_t> meta(entries.size());
  for (int c = 0; c < layout.chunks(); ++c) {
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
      return layout.ValueOf(a.first, c) < layout.ValueOf(b.first, c);
    });
    std::vector<uint32_t> counts(size_t{1} << layout.bits[c], 0);
    for (size_t e = 0; e < entries.size(); ++e) {
      ++counts[layout.ValueOf(entries[e].first, c)];
      codes[e] = entries[e].first;
      meta[e] = entries[e].second;
    }
    if (Status s = (*w)->BeginChunk(c, counts); !s.ok()) return s;
    if (Status s = (*w)->Append(codes.data(), meta.data(), codes.size()); !s.ok()) return s;
  }
  return (*w)->Finish();
}

// ---- Segment -----------------------------------------------------------------------------------

Result<std::unique_ptr<ChunkIndexSegment>> ChunkIndexSegment::Open(
    const std::filesystem::path& path) {
  const auto bad = [&](const std::string& why) {
    return Status::Error("dedup index: " + path.string() + ": " + why);
  };
  std::unique_ptr<ChunkIndexSegment> seg(new ChunkIndexSegment());
  seg->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (seg->fd_ < 0) return bad(std::strerror(errno));
  struct stat st {};
  if (::fstat(seg->fd_, &st) != 0) return bad(std::strerror(errno));
  const auto size = static_cast<uint64_t>(st.st_size);
  const auto read_at = [&](uint64_t at, void* to, size_t bytes) {
    return at + bytes <= size && seg->ReadAt(at, to, bytes);
  };
  char head[32];
  if (!read_at(0, head, sizeof head)) return bad("too short");
  if (std::memcmp(head, kMagic, 8) != 0) return bad("not a clipdex dedup index segment");
  uint32_t chunks = 0, coarse_bits = 0;
  std::memcpy(&chunks, head + 8, 4);
  std::memcpy(&coarse_bits, head + 12, 4);
  std::memcpy(&seg->clips_, head + 16, 8);
  std::memcpy(&seg->first_, head + 24, 8);
  if (chunks < 3 || chunks > 16) return bad("bad chunk count");
  if (coarse_bits < 1 || coarse_bits > 24) return bad("bad coarse table");
  if (HeaderBytes(seg->clips_, static_cast<int>(chunks)) > size) return bad("truncated");
  seg->layout_ = std::make_unique<ChunkLayout>(static_cast<int>(chunks));
  std::vector<char> chunk_head(16 * chunks);
  if (!read_at(32, chunk_head.data(), chunk_head.size())) return bad("truncated");
  std::vector<uint64_t> entries(chunks);
  for (uint32_t c = 0; c < chunks; ++c) {
    uint32_t bits = 0, shift = 0;
    std::memcpy(&bits, chunk_head.data() + 16 * c, 4);
    std::memcpy(&shift, chunk_head.data() + 16 * c + 4, 4);
    std::memcpy(&entries[c], chunk_head.data() + 16 * c + 8, 8);
    if (static_cast<int>(bits) != seg->layout_->bits[c] ||
        static_cast<int>(shift) != seg->layout_->shift[c]) {
      return bad("chunk layout differs");
    }
  }
  // The ids and coarse tables in memory (8 bytes a clip, at most 8 MB a chunk); the records stay
  // on disk, read a bucket at a time.
  seg->ids_.resize(seg->clips_);
  if (!read_at(32 + 16 * chunks, seg->ids_.data(), seg->clips_ * 8)) return bad("truncated");
  uint64_t at = Align8(HeaderBytes(seg->clips_, static_cast<int>(chunks)));
  for (uint32_t c = 0; c < chunks; ++c) {
    Chunk ch;
    ch.coarse_bits = std::min(static_cast<int>(coarse_bits), seg->layout_->bits[c]);
    ch.coarse.resize((size_t{1} << ch.coarse_bits) + 1);
    if (!read_at(at, ch.coarse.data(), ch.coarse.size() * 8)) return bad("truncated");
    ch.records_at = at + ch.coarse.size() * 8;
    const uint64_t end = Align8(ch.records_at + entries[c] * kRecord);
    if (end > size) return bad("truncated");
    if (ch.coarse.back() != entries[c]) return bad("offsets do not add up");
    for (size_t b = 1; b < ch.coarse.size(); ++b) {
      if (ch.coarse[b] < ch.coarse[b - 1]) return bad("offsets out of order");
    }
    seg->chunks_.push_back(std::move(ch));
    at = end;
  }
  return seg;
}

ChunkIndexSegment::~ChunkIndexSegment() {
  if (fd_ >= 0) ::close(fd_);
}

bool ChunkIndexSegment::ReadAt(uint64_t at, void* to, size_t bytes) const {
  char* p = static_cast<char*>(to);
  while (bytes > 0) {
    const ssize_t n = ::pread(fd_, p, bytes, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    at += static_cast<uint64_t>(n);
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

void ChunkIndexSegment::Lookup(int c, uint32_t value, std::vector<char>* buffer,
                               const std::function<void(uint64_t, uint32_t)>& fn) const {
  const Chunk& ch = chunks_[c];
  const uint64_t coarse = value >> (layout_->bits[c] - ch.coarse_bits);
  const uint64_t begin = ch.coarse[coarse], end = ch.coarse[coarse + 1];
  if (begin == end) return;
  // One read of the coarse bucket (~64 records), scanned for the value. A read that fails (the
  // file damaged since it was opened) finds nothing: the pairs it would have given are missed,
  // never wrong ones made.
  buffer->resize((end - begin) * kRecord);
  if (!ReadAt(ch.records_at + begin * kRecord, buffer->data(), buffer->size())) return;
  for (uint64_t e = 0; e < end - begin; ++e) {
    uint64_t code = 0;
    uint32_t meta = 0;
    std::memcpy(&code, buffer->data() + e * kRecord, 8);
    if (layout_->ValueOf(code, c) != value) continue;
    std::memcpy(&meta, buffer->data() + e * kRecord + 8, 4);
    fn(code, meta);
  }
}

// ---- Manifest ----------------------------------------------------------------------------------

std::filesystem::path ChunkIndexDir(const std::filesystem::path& dataset) {
  return dataset / "dedup-index";
}

ChunkIndexManifest ReadChunkIndexManifest(const std::filesystem::path& dataset) {
  ChunkIndexManifest m;
  std::ifstream in(ChunkIndexDir(dataset) / "manifest");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("settings ", 0) == 0) {
      m.settings = line.substr(9);
    } else if (line.rfind("clips ", 0) == 0) {
      m.clips = std::stoull(line.substr(6));
    } else if (line.rfind("featureless ", 0) == 0) {
      m.featureless = std::stoull(line.substr(12));
    } else if (line.rfind("segment ", 0) == 0) {
      m.segments.push_back(line.substr(8));
    }
  }
  if (!in.eof()) return {};
  return m;
}

Status WriteChunkIndexManifest(const std::filesystem::path& dataset, const ChunkIndexManifest& m) {
  const auto dir = ChunkIndexDir(dataset);
  const auto temp = dir / "manifest.tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "settings " << m.settings << "\nclips " << m.clips << "\nfeatureless " << m.featureless
        << "\n";
    for (const std::string& s : m.segments) out << "segment " << s << "\n";
    out.flush();
    if (!out) return Status::Error("dedup index: cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, dir / "manifest", ec);
  if (ec) return Status::Error("dedup index: cannot write the manifest (" + ec.message() + ")");
  return Status::Ok();
}

void RemoveChunkIndex(const std::filesystem::path& dataset) {
  std::error_code ec;
  std::filesystem::remove_all(ChunkIndexDir(dataset), ec);
}

}  // namespace clipdex
