#include "media/probe.h"

#include <cmath>

#include "media/open_input.h"

namespace clipdex {

bool IsImageContainer(const std::string& container) {
  return container.find("_pipe") != std::string::npos || container.rfind("image2", 0) == 0;
}

int ProbeInfo::display_width() const {
  double w = width;
  if (sar_num > 0 && sar_den > 0 && sar_num != sar_den) w = width * double(sar_num) / sar_den;
  int dw = static_cast<int>(std::lround(w));
  return (rotation == 90 || rotation == 270) ? height : dw;
}

int ProbeInfo::display_height() const {
  double w = width;
  if (sar_num > 0 && sar_den > 0 && sar_num != sar_den) w = width * double(sar_num) / sar_den;
  return (rotation == 90 || rotation == 270) ? static_cast<int>(std::lround(w)) : height;
}

Result<ProbeInfo> Probe(const std::filesystem::path& path) {
  auto input = OpenInput(path, /*deadline_seconds=*/30.0);
  if (!input.ok()) return input.status();
  ProbeInfo info;
  Status s = FillProbeInfo(input->format.get(), input->stream_index, path, &info);
  if (!s.ok()) return s;
  return info;
}

}  // namespace clipdex
