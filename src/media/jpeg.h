// JPEG files for thumbnails and the report, on libjpeg(-turbo) directly. OpenCV's imgcodecs
// would do the same, but linking it loads GDAL, Poppler, PROJ, GEOS and more at start-up
// (~30 MB resident in every clipdex process) for formats clipdex never reads that way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <vector>

#include "util/status.h"

namespace clipdex {

// `bgr`: 8-bit, 3 channels (BGR) or 1 channel (grey). `quality` 1..100.
Result<std::vector<uint8_t>> EncodeJpeg(const cv::Mat& bgr, int quality);
Status WriteJpeg(const std::filesystem::path& file, const cv::Mat& bgr, int quality);
// A JPEG file as 8-bit BGR.
Result<cv::Mat> ReadJpeg(const std::filesystem::path& file);

}  // namespace clipdex
