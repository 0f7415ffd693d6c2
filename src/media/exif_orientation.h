// EXIF orientation of still images. FFmpeg's image demuxers do not turn a JPEG upright (the
// orientation tag lives in the APP1 EXIF block, which libavformat does not read), so clipdex
// reads the one tag it needs itself and maps it onto the same display transform it uses for
// rotated video: an optional horizontal mirror, then a clockwise turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

struct DisplayTransform {
  bool mirror = false;  // flip left-right first ...
  int rotation = 0;     // ... then turn clockwise by 0/90/180/270 degrees
  bool operator==(const DisplayTransform&) const = default;
};

// EXIF orientation 1..8 -> the transform that shows the stored picture upright
// (2 mirror; 3 180; 4 mirror+180; 5 mirror+270; 6 90; 7 mirror+90; 8 270). Others -> identity.
DisplayTransform TransformForExifOrientation(int orientation);

// Reads the EXIF orientation tag (0x0112) of a JPEG held in `data` (the file's first bytes are
// enough: EXIF sits before the image data). Returns 1 when there is no EXIF block or no
// orientation tag. A malformed EXIF block (offsets outside the block, a bad byte-order mark, a
// tag of the wrong type or value) is an error naming what is wrong; the parser follows no
// offset chains, so hostile files cannot make it loop.
Result<int> ParseJpegExifOrientation(const uint8_t* data, size_t size);

// Reads the head of `path` and parses it; non-JPEG files -> 1.
Result<int> ReadExifOrientation(const std::filesystem::path& path);

}  // namespace clipdex
