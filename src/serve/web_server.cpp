#include "serve/web_server.h"

#include <string>

#include "serve/auth.h"
#include "serve/http_json.h"
#include "serve/request_origin.h"
#include "serve/serve_context.h"

namespace clipdex {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; "
    "frame-ancestors 'none'";

bool IsApi(const std::string& path) { return path.rfind("/api/", 0) == 0; }

// Requests that change the catalog (POST search only reads).
bool IsWrite(const httplib::Request& request) {
  if (request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS") {
    return false;
  }
  return !(request.method == "POST" && request.path == "/api/v1/search");
}

void Configure(httplib::Server& server, ServeContext& context) {
  const ServeOptions& options = context.options();
  server.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                              {"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"X-Frame-Options", "DENY"}});
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(10);
  // Browsers keep connections open; each holds a worker while idle, so let idle ones go soon.
  server.set_keep_alive_timeout(2);
  server.set_keep_alive_max_count(100);
  server.set_write_timeout(30);
  // A response leaves in two writes (headers, then body). With Nagle's algorithm on, the body
  // waits for the client's ACK of the headers, which a client delays by up to 40 ms (delayed
  // ACK): that stall was most of a search's latency on a kept-alive connection (p50 46 ms for
  // 6 ms of work at 16 clients, bench/search_load.sh). Responses are whole messages; send at once.
  server.set_tcp_nodelay(true);
  const size_t threads = static_cast<size_t>(options.threads);
  // httplib takes ownership of the queue it gets from this factory (its API: a raw pointer).
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  server.set_pre_routing_handler(
      [&context](const httplib::Request& req,
                 httplib::Response& res) -> httplib::Server::HandlerResponse {
        using R = httplib::Server::HandlerResponse;
        if (IsLoopbackHost(context.options().host) && !HostIsLoopback(req)) {
          SendError(res, 403, "the Host header must name this loopback server");
          return R::Handled;
        }
        if (!IsApi(req.path)) return R::Unhandled;
        if (!RequestHasToken(req, context.token())) {
          SendError(res, 401, "missing or wrong access token (Authorization: Bearer <token>)");
          return R::Handled;
        }
        if (!IsWrite(req)) return R::Unhandled;
        if (context.options().read_only) {
          SendError(res, 403, "the server is read-only (--read-only)");
          return R::Handled;
        }
        if (!OriginMatchesHost(req)) {
          SendError(res, 403, "cross-origin writes are refused");
          return R::Handled;
        }
        if (req.method == "POST" && !IsJsonContentType(req)) {
          SendError(res, 415, "writes take Content-Type: application/json");
          return R::Handled;
        }
        return R::Unhandled;
      });
  // Statuses >= 400 without a body (no route, bad request line, body too large) get a JSON one.
  // Cast: a lambda converts to both of httplib's error-handler types.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = res.status == 404   ? "not found"
                              : res.status == 413 ? "request body too large"
                              : res.status == 405 ? "method not allowed"
                                                  : "bad request";
        SendError(res, res.status, message);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what += ": ";
          what += e.what();
        } catch (...) {
        }
        SendError(res, 500, what);
      });

  AddAssetRoutes(server, context);
  AddSearchRoutes(server, context);
  AddClipRoutes(server, context);
  AddCurationRoutes(server, context);
  AddMediaRoutes(server, context);
}

}  // namespace

WebServer::WebServer(std::unique_ptr<ServeContext> context, std::unique_ptr<httplib::Server> server)
    : context_(std::move(context)), server_(std::move(server)) {}

WebServer::~WebServer() = default;

Result<std::unique_ptr<WebServer>> WebServer::Create(const ServeOptions& options) {
  auto token = CheckServeOptions(options);
  if (!token.ok()) return token.status();
  auto catalog = Catalog::Open(options.dataset, /*create=*/false);
  if (!catalog.ok()) return catalog.status();
  auto context = std::make_unique<ServeContext>(options, token.value(), std::move(catalog.value()));
  // The query-by-example index is built before the first request (~3 s per 100k clips), not by
  // whichever request needs it first while others queue behind it. A failure is not fatal: the
  // first query by example tries again and reports it.
  if (auto lease = context->pool().Acquire(); lease.ok()) {
    SearchEngine engine(**lease);
    (void)context->EnsureExamples(engine);
  }
  auto server = std::make_unique<httplib::Server>();
  Configure(*server, *context);
  return std::make_unique<WebServer>(std::move(context), std::move(server));
}

Result<int> WebServer::Bind() {
  const ServeOptions& options = context_->options();
  int port = options.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options.host);
    if (port < 0) port = 0;
  } else if (!server_->bind_to_port(options.host, port)) {
    port = 0;
  }
  if (port <= 0) {
    std::string message = "cannot listen on ";
    message += options.host;
    message += ':';
    message += std::to_string(options.port);
    message += " (address in use or not available)";
    return Status::Error(message);
  }
  return port;
}

Status WebServer::Run() {
  if (!server_->listen_after_bind() && server_->is_running()) {
    return Status::Error("the server stopped unexpectedly");
  }
  return Status::Ok();
}

void WebServer::Stop() { server_->stop(); }

}  // namespace clipdex
