#include "media/exif_orientation.h"

#include <fstream>
#include <vector>

namespace clipdex {

namespace {

// EXIF blocks are at most 64 KiB (one APP1 segment); a few leading APPn segments may precede it.
constexpr size_t kHeadBytes = 256 * 1024;

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, bool big_endian)
      : data_(data), size_(size), big_endian_(big_endian) {}
  bool Has(size_t offset, size_t n) const { return offset <= size_ && n <= size_ - offset; }
  uint16_t U16(size_t at) const {
    return big_endian_ ? uint16_t(data_[at] << 8 | data_[at + 1])
                       : uint16_t(data_[at + 1] << 8 | data_[at]);
  }
  uint32_t U32(size_t at) const {
    return big_endian_ ? (uint32_t(U16(at)) << 16 | U16(at + 2))
                       : (uint32_t(U16(at + 2)) << 16 | U16(at));
  }

 private:
  const uint8_t* data_;
  size_t size_;
  bool big_endian_;
};

// Parses the TIFF structure inside an APP1 "Exif\0\0" payload and returns the orientation.
Result<int> OrientationFromTiff(const uint8_t* tiff, size_t size) {
  if (size < 8) return Status::Error("malformed EXIF: TIFF header truncated");
  bool big_endian;
  if (tiff[0] == 'M' && tiff[1] == 'M') {
    big_endian = true;
  } else if (tiff[0] == 'I' && tiff[1] == 'I') {
    big_endian = false;
  } else {
    return Status::Error("malformed EXIF: bad byte-order mark");
  }
  ByteReader r(tiff, size, big_endian);
  if (r.U16(2) != 42) return Status::Error("malformed EXIF: bad TIFF magic");
  const uint32_t ifd0 = r.U32(4);
  if (!r.Has(ifd0, 2)) return Status::Error("malformed EXIF: IFD0 offset outside the block");
  const uint16_t entries = r.U16(ifd0);
  if (!r.Has(ifd0 + 2, size_t(entries) * 12)) {
    return Status::Error("malformed EXIF: IFD0 has more entries than the block holds");
  }
  for (uint16_t i = 0; i < entries; ++i) {
    const size_t e = ifd0 + 2 + size_t(i) * 12;
    if (r.U16(e) != 0x0112) continue;
    const uint16_t type = r.U16(e + 2);
    const uint32_t count = r.U32(e + 4);
    if (type != 3 || count != 1) {
      return Status::Error("malformed EXIF: orientation tag is not one SHORT");
    }
    const int value = r.U16(e + 8);
    if (value < 1 || value > 8) {
      return Status::Error("malformed EXIF: orientation " + std::to_string(value) + " is not 1..8");
    }
    return value;
  }
  return 1;
}

}  // namespace

DisplayTransform TransformForExifOrientation(int orientation) {
  switch (orientation) {
    case 2:
      return {true, 0};
    case 3:
      return {false, 180};
    case 4:
      return {true, 180};
    case 5:
      return {true, 270};
    case 6:
      return {false, 90};
    case 7:
      return {true, 90};
    case 8:
      return {false, 270};
    default:
      return {};
  }
}

Result<int> ParseJpegExifOrientation(const uint8_t* data, size_t size) {
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return 1;  // not a JPEG
  size_t pos = 2;
  // Walk the marker segments before the image data; each has a 2-byte big-endian length.
  while (pos + 4 <= size) {
    if (data[pos] != 0xFF) return 1;  // not a marker: no (readable) EXIF before the image data
    const uint8_t marker = data[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // start of scan / end of image: no EXIF
    const size_t length = size_t(data[pos + 2]) << 8 | data[pos + 3];
    if (length < 2) return Status::Error("malformed JPEG: segment length < 2");
    const size_t payload = pos + 4, payload_size = length - 2;
    if (payload_size > size - payload) return 1;  // segment runs past what we read
    if (marker == 0xE1 && payload_size >= 6 &&
        std::equal(data + payload, data + payload + 6, "Exif\0\0")) {
      return OrientationFromTiff(data + payload + 6, payload_size - 6);
    }
    pos = payload + payload_size;
  }
  return 1;
}

Result<int> ReadExifOrientation(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read " + path.string());
  std::vector<uint8_t> head(kHeadBytes);
  in.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return ParseJpegExifOrientation(head.data(), head.size());
}

}  // namespace clipdex
