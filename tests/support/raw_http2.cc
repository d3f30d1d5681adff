#include "tests/support/raw_http2.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace branchline::testing {

namespace {
constexpr uint8_t kData = 0x0, kHeaders = 0x1, kRstStream = 0x3, kSettings = 0x4, kPing = 0x6,
                  kGoAway = 0x7;
constexpr uint8_t kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4;

void Put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// HPACK integer with a 7-bit prefix (RFC 7541 5.1), first byte's high bit 0 (no Huffman).
void PutLength(std::string& out, size_t n) {
  if (n < 127) {
    out.push_back(static_cast<char>(n));
    return;
  }
  out.push_back(0x7f);
  n -= 127;
  while (n >= 128) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

// "Literal header field without indexing, new name" (RFC 7541 6.2.2), no Huffman coding.
void PutHeader(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(0x00);
  PutLength(out, name.size());
  out.append(name);
  PutLength(out, value.size());
  out.append(value);
}
}  // namespace

RawHttp2Client::RawHttp2Client(int port, uint32_t initial_window) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, by construction
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // A server that stops reading must not hang the client: a send blocked for 1 s fails.
  timeval send_timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  fd_ = fd;
  out_ = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  std::string settings;
  settings.push_back(0x00);
  settings.push_back(0x04);  // SETTINGS_INITIAL_WINDOW_SIZE
  Put32(settings, initial_window);
  QueueFrame(kSettings, 0, 0, settings);
  Flush();
}

RawHttp2Client::~RawHttp2Client() {
  if (fd_ >= 0) close(fd_);
}

void RawHttp2Client::QueueFrame(uint8_t type, uint8_t flags, uint32_t stream,
                                std::string_view payload) {
  const size_t n = payload.size();
  out_.push_back(static_cast<char>(n >> 16));
  out_.push_back(static_cast<char>(n >> 8));
  out_.push_back(static_cast<char>(n));
  out_.push_back(static_cast<char>(type));
  out_.push_back(static_cast<char>(flags));
  Put32(out_, stream & 0x7fffffffu);
  out_.append(payload);
}

std::string RawHttp2Client::HeaderBlock(std::string_view path,
                                        std::string_view authorization) const {
  std::string block;
  PutHeader(block, ":method", "POST");
  PutHeader(block, ":scheme", "http");
  PutHeader(block, ":path", path);
  PutHeader(block, ":authority", "localhost");
  PutHeader(block, "content-type", "application/grpc");
  PutHeader(block, "te", "trailers");
  if (!authorization.empty()) PutHeader(block, "authorization", authorization);
  return block;
}

uint32_t RawHttp2Client::StartCall(std::string_view path, std::string_view authorization,
                                   std::string_view message) {
  const uint32_t id = next_stream_;
  next_stream_ += 2;
  QueueFrame(kHeaders, kEndHeaders, id, HeaderBlock(path, authorization));
  std::string data;
  data.push_back(0);  // not compressed
  Put32(data, static_cast<uint32_t>(message.size()));
  data.append(message);
  QueueFrame(kData, kEndStream, id, data);
  streams_[id];
  return id;
}

void RawHttp2Client::StartAndReset(std::string_view path) {
  const uint32_t id = next_stream_;
  next_stream_ += 2;
  QueueFrame(kHeaders, kEndHeaders, id, HeaderBlock(path, ""));
  std::string code;
  Put32(code, 0x8);  // CANCEL
  QueueFrame(kRstStream, 0, id, code);
}

bool RawHttp2Client::Flush() {
  size_t at = 0;
  while (fd_ >= 0 && at < out_.size()) {
    ssize_t n = send(fd_, out_.data() + at, out_.size() - at, MSG_NOSIGNAL);
    if (n <= 0) {
      closed_ = true;
      break;
    }
    at += static_cast<size_t>(n);
  }
  out_.clear();
  return fd_ >= 0 && !closed_;
}

bool RawHttp2Client::Poll(std::chrono::milliseconds wait, const std::function<bool()>& until) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (fd_ >= 0 && !closed_ && !(until && until())) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      closed_ = true;
      break;
    }
    in_.append(buf, static_cast<size_t>(n));
    size_t at = 0;
    while (in_.size() - at >= 9) {
      const auto* h = reinterpret_cast<const uint8_t*>(in_.data() + at);
      const size_t length = (size_t{h[0]} << 16) | (size_t{h[1]} << 8) | h[2];
      if (in_.size() - at < 9 + length) break;
      const uint32_t stream =
          ((uint32_t{h[5]} << 24) | (uint32_t{h[6]} << 16) | (uint32_t{h[7]} << 8) | h[8]) &
          0x7fffffffu;
      HandleFrame(h[3], h[4], stream, std::string_view(in_).substr(at + 9, length));
      at += 9 + length;
    }
    in_.erase(0, at);
    Flush();  // the acknowledgements
  }
  return !closed_;
}

void RawHttp2Client::HandleFrame(uint8_t type, uint8_t flags, uint32_t stream,
                                 std::string_view payload) {
  switch (type) {
    case kSettings:
      if (!(flags & kAck)) QueueFrame(kSettings, kAck, 0, "");
      break;
    case kPing:
      if (!(flags & kAck)) QueueFrame(kPing, kAck, 0, payload);
      break;
    case kGoAway:
      closed_ = true;
      break;
    case kHeaders: {
      auto& s = streams_[stream];
      s.headers = true;
      s.header_blocks.append(payload);
      if (flags & kEndStream) s.ended = true;
      break;
    }
    case kData:
      if (flags & kEndStream) streams_[stream].ended = true;
      break;
    case kRstStream: {
      auto& s = streams_[stream];
      s.ended = s.reset = true;
      break;
    }
    default:
      break;
  }
}

}  // namespace branchline::testing
