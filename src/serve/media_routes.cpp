// GET /api/v1/thumb/{id} and GET /api/v1/media/{id}: files the catalog references, looked up by
// clip id. No request parameter is ever used as a path: the route takes digits only, and the
// file is the one the catalog names (the thumbnail must resolve inside DATASET/thumbs, symlinks
// included; the media is the clip's source video). Media is served with byte ranges (httplib
// answers Range requests of a content provider with a known length: 206 + Content-Range), so the
// browser seeks to the clip with a #t=start,end media fragment.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "serve/http_json.h"
#include "serve/serve_context.h"

namespace clipdex {
namespace {

// An open read-only file descriptor, closed when the last owner lets go.
struct OpenFile {
  int fd = -1;
  size_t size = 0;
  struct stat st {};
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens a regular file for reading; nullptr when it is missing or not a regular file.
std::shared_ptr<OpenFile> OpenRegular(const std::filesystem::path& path) {
  auto file = std::make_shared<OpenFile>();
  file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) return nullptr;
  if (::fstat(file->fd, &file->st) != 0 || !S_ISREG(file->st.st_mode)) return nullptr;
  file->size = static_cast<size_t>(file->st.st_size);
  return file;
}

std::string MediaType(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".mp4" || ext == ".m4v") return "video/mp4";
  if (ext == ".webm") return "video/webm";
  if (ext == ".mkv") return "video/x-matroska";
  if (ext == ".mov") return "video/quicktime";
  if (ext == ".ogv" || ext == ".ogg") return "video/ogg";
  if (ext == ".avi") return "video/x-msvideo";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  return "application/octet-stream";
}

// False when the Range header asks for nothing inside a file of `size` bytes (httplib 0.11
// would answer such a range with 206 and an empty or wrong body), or for more than 16 ranges.
bool RangesSatisfiable(const httplib::Request& request, size_t size) {
  if (request.ranges.empty()) return true;
  if (request.ranges.size() > 16) return false;
  for (const auto& [first, last] : request.ranges) {
    const bool ok = first < 0 ? last > 0 && size > 0
                              : static_cast<size_t>(first) < size && (last < 0 || last >= first);
    if (!ok) return false;
  }
  return true;
}

// Streams `file` (whole, or the ranges httplib computed from the Range header).
void ServeFile(const httplib::Request& request, std::shared_ptr<OpenFile> file,
               const std::string& type, httplib::Response& response) {
  if (!RangesSatisfiable(request, file->size)) {
    response.set_header("Content-Range", "bytes */" + std::to_string(file->size));
    return SendError(response, 416, "range not satisfiable");
  }
  response.set_header("Accept-Ranges", "bytes");
  response.set_header("Cache-Control", "private, max-age=3600");
  const size_t size = file->size;
  response.set_content_provider(
      size, type, [file](size_t offset, size_t length, httplib::DataSink& sink) {
        char buf[64 * 1024];
        while (length > 0) {
          const size_t want = std::min(length, sizeof(buf));
          const ssize_t n = ::pread(file->fd, buf, want, static_cast<off_t>(offset));
          if (n <= 0) return false;  // the file shrank or failed: abort the response
          if (!sink.write(buf, static_cast<size_t>(n))) return false;
          offset += static_cast<size_t>(n);
          length -= static_cast<size_t>(n);
        }
        return true;
      });
}

// The clip's record, or an error response set (404 unknown clip, 503/500 catalog trouble).
std::optional<ClipDetail> LookUp(ServeContext& context, const httplib::Request& request,
                                 httplib::Response& response) {
  auto id = ClipIdFrom(request);
  if (!id) {
    SendError(response, 404, "no such clip");
    return std::nullopt;
  }
  auto lease = context.pool().Acquire();
  if (!lease.ok()) {
    SendError(response, 503, lease.status().message());
    return std::nullopt;
  }
  auto detail = (*lease)->FindClip(*id);
  if (!detail.ok()) {
    SendError(response, 500, detail.status().message());
    return std::nullopt;
  }
  if (!detail.value()) {
    SendError(response, 404, "clip " + std::to_string(*id) + " does not exist");
    return std::nullopt;
  }
  return std::move(*detail.value());
}

void HandleThumb(ServeContext& context, const httplib::Request& request,
                 httplib::Response& response) {
  auto detail = LookUp(context, request, response);
  if (!detail) return;
  if (detail->clip.thumbnail.empty()) return SendError(response, 404, "the clip has no thumbnail");
  std::error_code ec;
  const auto thumbs = std::filesystem::canonical(context.options().dataset / "thumbs", ec);
  if (ec) return SendError(response, 404, "the dataset has no thumbs directory");
  // canonical() resolves every symlink: a thumbnail (or a link) that leads outside thumbs/ is
  // refused, whatever the catalog row says.
  const auto file =
      std::filesystem::canonical(context.options().dataset / detail->clip.thumbnail, ec);
  if (ec) return SendError(response, 404, "thumbnail file is missing");
  const std::string prefix = thumbs.string() + "/";
  if (file.string().rfind(prefix, 0) != 0) {
    return SendError(response, 403, "thumbnail lies outside the dataset's thumbs directory");
  }
  auto open = OpenRegular(file);
  if (!open) return SendError(response, 404, "thumbnail file is missing");
  ServeFile(request, std::move(open), "image/jpeg", response);
}

void HandleMedia(ServeContext& context, const httplib::Request& request,
                 httplib::Response& response) {
  auto detail = LookUp(context, request, response);
  if (!detail) return;
  const std::filesystem::path path = detail->video.path;
  auto open = OpenRegular(path);
  if (!open) return SendError(response, 404, "the clip's source file is missing");
  // Serve only the file that was ingested: one replaced since (or a link to something else) is
  // not the catalog's.
  if (!context.source_check().Matches(path, open->st, detail->video.fingerprint)) {
    return SendError(response, 404, "the clip's source file changed since it was ingested");
  }
  ServeFile(request, std::move(open), MediaType(path), response);
}

}  // namespace

void AddMediaRoutes(httplib::Server& server, ServeContext& context) {
  server.Get(R"(/api/v1/thumb/(\d+))",
             [&context](const httplib::Request& req, httplib::Response& res) {
               HandleThumb(context, req, res);
             });
  server.Get(R"(/api/v1/media/(\d+))",
             [&context](const httplib::Request& req, httplib::Response& res) {
               HandleMedia(context, req, res);
             });
}

}  // namespace clipdex
