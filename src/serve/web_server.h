// `clipdex serve`: the JSON API (docs/serve.md) and the embedded web UI over one dataset.
//
// Security model: binds 127.0.0.1 unless told otherwise; any other address needs an access
// token (serve/auth.h) that every /api request must carry (else 401). --read-only refuses every
// write (403). No request parameter is used as a file path (serve/media_routes.cpp). Every
// response carries a Content-Security-Policy that allows only this origin, and nosniff.
//
// Threads: `threads` HTTP workers, each request on a catalog connection of its own
// (serve/catalog_pool.h); one query-by-example index shared by all.
#pragma once

#include <memory>

#include "serve/serve_options.h"
#include "util/status.h"

namespace httplib {
class Server;
}

namespace clipdex {

class ServeContext;

class WebServer {
 public:
  // Checks the options (serve/serve_options.h) and opens the dataset. Errors are one line.
  static Result<std::unique_ptr<WebServer>> Create(const ServeOptions& options);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds and listens on options.host:options.port (0: a free port); returns the port.
  // Error: "cannot listen on HOST:PORT (address in use or not available)".
  Result<int> Bind();
  // Serves connections until Stop() (from any thread or a signal-waiting thread).
  Status Run();
  void Stop();

  WebServer(std::unique_ptr<ServeContext> context, std::unique_ptr<httplib::Server> server);

 private:
  std::unique_ptr<ServeContext> context_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace clipdex
