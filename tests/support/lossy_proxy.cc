#include "tests/support/lossy_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace branchline::testing {

namespace {

constexpr size_t kPrefaceSize = 24;  // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
constexpr size_t kFrameHeaderSize = 9;
constexpr uint8_t kFrameData = 0x0, kFrameHeaders = 0x1, kFlagEndStream = 0x1;

// Finds where requests end in the client's byte stream: after the preface, HTTP/2 frames of
// a 9-byte header (24-bit length, type, flags, stream id) and a payload.
class RequestEndScanner {
 public:
  // Offsets in [data, data+n) just after a frame that ends a request stream.
  std::vector<size_t> Feed(const char* data, size_t n) {
    std::vector<size_t> ends;
    size_t i = 0;
    while (i < n) {
      if (preface_left_ > 0) {
        size_t take = std::min(preface_left_, n - i);
        preface_left_ -= take;
        i += take;
      } else if (payload_left_ > 0) {
        size_t take = std::min(payload_left_, n - i);
        payload_left_ -= take;
        i += take;
        if (payload_left_ == 0 && ends_request_) ends.push_back(i);
      } else {
        header_.push_back(data[i++]);
        if (header_.size() < kFrameHeaderSize) continue;
        auto byte = [&](int k) { return static_cast<uint8_t>(header_[k]); };
        payload_left_ = (size_t{byte(0)} << 16) | (size_t{byte(1)} << 8) | byte(2);
        uint8_t type = byte(3), flags = byte(4);
        ends_request_ = (type == kFrameData || type == kFrameHeaders) && (flags & kFlagEndStream);
        header_.clear();
        if (payload_left_ == 0 && ends_request_) ends.push_back(i);
      }
    }
    return ends;
  }

 private:
  size_t preface_left_ = kPrefaceSize;
  std::string header_;
  size_t payload_left_ = 0;
  bool ends_request_ = false;
};

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

struct LossyProxy::Connection {
  int client_fd = -1, server_fd = -1;
  std::atomic<bool> cut{false};
  void Close() {
    ::shutdown(client_fd, SHUT_RDWR);
    ::shutdown(server_fd, SHUT_RDWR);
  }
  ~Connection() {
    ::close(client_fd);
    ::close(server_fd);
  }
};

LossyProxy::LossyProxy(std::string upstream_address, double cut_probability, uint64_t seed)
    : cut_probability_(cut_probability), rng_(seed) {
  auto colon = upstream_address.rfind(':');
  upstream_host_ = upstream_address.substr(0, colon);
  upstream_port_ = std::stoi(upstream_address.substr(colon + 1));
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // a free port picked by the OS
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LossyProxy::~LossyProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::unique_lock lock(mu_);
  for (auto& weak : connections_) {
    if (auto c = weak.lock()) c->Close();
  }
  pumps_done_.wait(lock, [&] { return active_pumps_ == 0; });
}

bool LossyProxy::DecideCut() {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0, 1)(rng_) < cut_probability_;
}

void LossyProxy::AcceptLoop() {
  while (!stopping_) {
    int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    ::inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(server);
      ::close(client);
      continue;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_shared<Connection>();
    c->client_fd = client;
    c->server_fd = server;
    std::lock_guard lock(mu_);
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(c);
    active_pumps_ += 2;
    std::thread([this, c] { Pump(c, true); }).detach();
    std::thread([this, c] { Pump(c, false); }).detach();
  }
}

void LossyProxy::Pump(std::shared_ptr<Connection> c, bool client_to_server) {
  const int from = client_to_server ? c->client_fd : c->server_fd;
  const int to = client_to_server ? c->server_fd : c->client_fd;
  RequestEndScanner scanner;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    if (!client_to_server) {
      if (c->cut) continue;  // the answer is lost
      if (!WriteAll(to, buffer, static_cast<size_t>(n))) break;
      continue;
    }
    size_t sent = 0;
    bool cut = false;
    for (size_t end : scanner.Feed(buffer, static_cast<size_t>(n))) {
      ++requests_;
      if (!DecideCut()) continue;
      // Stop answers first, then let the request through: whatever the server says about
      // it never reaches the client.
      c->cut = true;
      ++cuts_;
      WriteAll(to, buffer + sent, end - sent);
      sent = end;
      cut = true;
      break;
    }
    if (cut) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2 + requests_ % 10));
      break;
    }
    if (!WriteAll(to, buffer + sent, static_cast<size_t>(n) - sent)) break;
  }
  c->Close();
  c.reset();
  std::lock_guard lock(mu_);
  if (--active_pumps_ == 0) pumps_done_.notify_all();
}

}  // namespace branchline::testing
