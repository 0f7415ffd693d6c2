// `clipdex serve` as a child process for tests: started on port 0, ready once it printed its
// "serving ... at http://HOST:PORT" line (within a bounded time), stopped with SIGTERM on
// destruction. Plus raw-socket HTTP for requests a client library would tidy up.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../support/test_env.h"

namespace clipdex::testing {

class ServeProcess {
 public:
  // Starts `clipdex serve DATASET --port 0 <args>`; ok() false with output() when it exited or
  // printed no serving line within `timeout`.
  ServeProcess(const std::string& dataset, const std::vector<std::string>& args,
               std::chrono::seconds timeout = std::chrono::seconds(30)) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> argv_s = {CLIPDEX_BINARY, "serve", dataset, "--port", "0"};
      argv_s.insert(argv_s.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char buf[4096];
        const ssize_t n = ::read(fd_, buf, sizeof(buf));
        if (n <= 0) break;  // the process exited
        output_.append(buf, static_cast<size_t>(n));
        const size_t at = output_.find(" at http://");
        if (at != std::string::npos && output_.find('\n', at) != std::string::npos) {
          const std::string rest = output_.substr(at + 11, output_.find('\n', at) - at - 11);
          const size_t colon = rest.rfind(':');
          host_ = rest.substr(0, colon);
          port_ = std::atoi(rest.c_str() + colon + 1);
          url_ = "http://" + rest;
          return;
        }
      }
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && exit_code_ == -2) Stop();
    if (fd_ >= 0) ::close(fd_);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
  // Everything the process printed so far (more is read by Stop()/Wait()).
  const std::string& output() const { return output_; }

  // Sends `sig` and waits (bounded: SIGKILL after 10 s); returns the exit code (-1: killed).
  int Stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    if (exit_code_ != -2) return exit_code_;
    ::kill(pid_, sig);
    return Wait(std::chrono::seconds(10));
  }
  // Waits for the process to exit by itself (SIGKILL after `timeout`); returns its exit code.
  int Wait(std::chrono::seconds timeout) {
    if (pid_ <= 0) return -1;
    if (exit_code_ != -2) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Drain();
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  bool running() {
    if (exit_code_ != -2) return false;
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  void Drain() {
    char buf[4096];
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
    for (ssize_t n; (n = ::read(fd_, buf, sizeof(buf))) > 0;) output_.append(buf, n);
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int exit_code_ = -2;  // -2: still running (or never waited for)
  std::string output_, host_, url_;
  int port_ = 0;
};

// Sends `bytes` to 127.0.0.1:port as they are, half-closes when `half_close` (httplib then
// answers requests it rejects but drops those it would route), and returns everything the server
// answered before closing (or within `timeout_ms`). "" when it could not connect.
inline std::string RawHttp(int port, const std::string& bytes, int timeout_ms = 5000,
                           bool half_close = true) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on garbage
    sent += static_cast<size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[8192];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

// The status code of a raw HTTP answer ("HTTP/1.1 404 Not Found" -> 404), 0 if none.
inline int RawStatus(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.c_str() + 9);
}

}  // namespace clipdex::testing
