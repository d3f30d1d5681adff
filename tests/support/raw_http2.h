#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace branchline::testing {

// A bare HTTP/2 client on a loopback TCP connection, writing frames by hand: what a hostile
// client does that a gRPC client never would (a stream window of 0 so the server can never
// send a message, HEADERS immediately followed by RST_STREAM). Single-threaded: frames from
// the server are read only inside Poll, which also acknowledges SETTINGS and PINGs.
class RawHttp2Client {
 public:
  struct StreamState {
    bool headers = false;       // the server sent HEADERS (response metadata)
    bool ended = false;         // the server ended the stream (END_STREAM or RST_STREAM)
    bool reset = false;         // ... by RST_STREAM
    std::string header_blocks;  // the raw HPACK blocks (gRPC sends text values unencoded)
  };

  // Connects to 127.0.0.1:`port` and sends the preface and a SETTINGS frame announcing
  // `initial_window` bytes as every stream's receive window (0: the server can send no DATA).
  explicit RawHttp2Client(int port, uint32_t initial_window = 65535);
  ~RawHttp2Client();
  RawHttp2Client(const RawHttp2Client&) = delete;
  RawHttp2Client& operator=(const RawHttp2Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Queues a unary or server-streaming gRPC call: HEADERS (POST `path`, `authorization` when
  // not empty) and one DATA frame carrying `message` with gRPC's 5-byte prefix, ending the
  // client's side. Returns the stream id.
  uint32_t StartCall(std::string_view path, std::string_view authorization,
                     std::string_view message);
  // Queues the HEADERS of a new call and, at once, its RST_STREAM (CANCEL): rapid reset.
  void StartAndReset(std::string_view path);
  // Writes everything queued; false when the connection is gone or the server has read
  // nothing for 1 s (the client then counts as closed).
  bool Flush();

  // Reads frames for up to `wait`, returning early once `until` (when given) is true. False
  // when the server closed the connection or sent GOAWAY.
  bool Poll(std::chrono::milliseconds wait, const std::function<bool()>& until = nullptr);

  const StreamState& stream(uint32_t id) { return streams_[id]; }
  bool closed() const { return closed_; }
  uint64_t calls_started() const { return (next_stream_ - 1) / 2; }

 private:
  void QueueFrame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload);
  std::string HeaderBlock(std::string_view path, std::string_view authorization) const;
  void HandleFrame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload);

  int fd_ = -1;
  uint32_t next_stream_ = 1;
  std::string out_;
  std::string in_;
  std::map<uint32_t, StreamState> streams_;
  bool closed_ = false;
};

}  // namespace branchline::testing
