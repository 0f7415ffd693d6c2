// The one way clipdex includes cpp-httplib. Debian's libcpp-httplib (0.11.4) is a shared library
// built with OpenSSL, zlib and Brotli support; those macros change the layout of httplib's
// classes (Request carries an SSL*, Server/Client gain members), so every translation unit that
// includes <httplib.h> must define exactly the same three, or the objects we build and the ones
// the library reads disagree in size: a silent ABI mismatch. Include this wrapper, never
// <httplib.h> directly.
// (A TSan build compiles the single-file header-only httplib.h instead, CLIPDEX_HTTPLIB_HEADER_ONLY:
// no shared library then, so no ABI to agree with, and no TLS, gzip or Brotli needed.)
#pragma once

#ifndef CLIPDEX_HTTPLIB_HEADER_ONLY
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#endif

#include <httplib.h>
