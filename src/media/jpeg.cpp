#include "media/jpeg.h"

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

namespace clipdex {

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: jump back to the
// caller's setjmp with the message, so a bad file is an error value, never an exit().
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr info) {
  auto* err = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

void OnWarning(j_common_ptr, int) {}  // corrupt-data warnings: the picture is still usable

struct CompressDeleter {
  void operator()(jpeg_compress_struct* c) const { jpeg_destroy_compress(c); }
};
struct DecompressDeleter {
  void operator()(jpeg_decompress_struct* d) const { jpeg_destroy_decompress(d); }
};
struct MemFree {
  void operator()(unsigned char* p) const { std::free(p); }
};

}  // namespace

Result<std::vector<uint8_t>> EncodeJpeg(const cv::Mat& image, int quality) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1)) {
    return Status::Error("jpeg: expected an 8-bit BGR or grey picture");
  }
  cv::Mat img = image.isContinuous() ? image : image.clone();
  jpeg_compress_struct c{};
  ErrorManager err{};
  c.err = jpeg_std_error(&err.base);
  err.base.error_exit = OnError;
  err.base.emit_message = OnWarning;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  std::unique_ptr<unsigned char, MemFree> owned;
  std::unique_ptr<jpeg_compress_struct, CompressDeleter> guard;
  if (setjmp(err.jump) != 0) {
    owned.reset(buffer);
    return Status::Error(std::string("jpeg: ") + err.message);
  }
  jpeg_create_compress(&c);
  guard.reset(&c);
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = static_cast<JDIMENSION>(img.cols);
  c.image_height = static_cast<JDIMENSION>(img.rows);
  c.input_components = img.channels();
  c.in_color_space = img.channels() == 3 ? JCS_EXT_BGR : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(img.ptr<uint8_t>(static_cast<int>(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  owned.reset(buffer);
  return std::vector<uint8_t>(buffer, buffer + size);
}

Status WriteJpeg(const std::filesystem::path& file, const cv::Mat& image, int quality) {
  auto bytes = EncodeJpeg(image, quality);
  if (!bytes.ok()) return bytes.status();
  errno = 0;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes->data()),
            static_cast<std::streamsize>(bytes->size()));
  out.close();
  if (!out) {
    // The reason matters to an operator ("No space left on device"); a cut-off picture must not
    // stay behind looking like a thumbnail.
    const int error = errno;
    std::error_code ec;
    std::filesystem::remove(file, ec);
    std::string message = "cannot write ";
    message += file.string();
    if (error != 0) {
      message += ": ";
      message += std::strerror(error);
    }
    return Status::Error(message);
  }
  return Status::Ok();
}

Result<cv::Mat> ReadJpeg(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Error("cannot read " + file.string());
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (bytes.empty()) return Status::Error("empty file " + file.string());
  jpeg_decompress_struct d{};
  ErrorManager err{};
  d.err = jpeg_std_error(&err.base);
  err.base.error_exit = OnError;
  err.base.emit_message = OnWarning;
  cv::Mat out;
  std::unique_ptr<jpeg_decompress_struct, DecompressDeleter> guard;
  if (setjmp(err.jump) != 0) return Status::Error(std::string("jpeg: ") + err.message);
  jpeg_create_decompress(&d);
  guard.reset(&d);
  jpeg_mem_src(&d, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&d, TRUE);
  d.out_color_space = JCS_EXT_BGR;
  jpeg_start_decompress(&d);
  out.create(static_cast<int>(d.output_height), static_cast<int>(d.output_width), CV_8UC3);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = out.ptr<uint8_t>(static_cast<int>(d.output_scanline));
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  return out;
}

}  // namespace clipdex
