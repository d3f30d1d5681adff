#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace branchline {

// Closes a connection whose client cancels calls faster than any real client does: the
// signature of HTTP/2 rapid reset (CVE-2023-44487), which gRPC 1.51 does not limit itself
// (reset streams never count against GRPC_ARG_MAX_CONCURRENT_STREAMS). The call interceptor
// counts the calls of each connection at their end and, on a busy connection, asks a sample of
// them whether their client cancelled them; past the limit within one window the connection
// is shut down, which drops whatever the client still has queued and makes it pay a new
// connection to go on. A phone cancels a call when its user leaves a screen: a few a minute.
//
// Why a sample: asking a call whether it was cancelled polls a completion queue (up to ~25 µs
// under load, services/common/call_cancellation.h), a fifth of a short call's cost if asked
// on every call. Connections below `busy_calls` per window are never asked; busy ones every
// `sample_every`-th call, each cancelled answer counting for `sample_every`. Thread-safe.
//
// The server reports only the calls reset before their request arrived (the interceptor can
// tell those without asking gRPC anything) and counts each: busy_calls 0, sample_every 1,
// max_cancelled 100 (server/server.cc, docs/security.md).
class CancelledCallGuard {
 public:
  struct Limits {
    int busy_calls = 1000;    // calls per connection within one window before sampling starts
    int sample_every = 8;     // then every n-th call is asked
    int max_cancelled = 200;  // estimated cancelled calls per connection within one window
    std::chrono::milliseconds window{1000};
  };
  // `close` shuts the connection to a peer down (ShutDownConnectionTo; tests pass their own).
  explicit CancelledCallGuard(Limits limits,
                              std::function<bool(const std::string& peer)> close = nullptr);

  // Counts one finished call of the connection `peer` (gRPC's peer string). True when the
  // caller should ask this call whether it was cancelled and, if so, call CountCancelled.
  bool CountCall(const std::string& peer,
                 std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  // A sampled call of `peer` was cancelled by its client. Returns true when this passed the
  // limit and the connection was closed (once per window).
  bool CountCancelled(const std::string& peer,
                      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  // Connections closed so far.
  uint64_t closed() const;

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int calls = 0;
    int cancelled = 0;  // estimated
    bool closed = false;
  };
  // Every call passes here: connections are spread over shards, each with its own lock, so
  // handler threads do not queue on one mutex.
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Window> windows;
    std::chrono::steady_clock::time_point last_sweep;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardOf(const std::string& peer);
  // The connection's current window (a new one when the last is over); the shard's lock held.
  Window& WindowOf(Shard& shard, const std::string& peer,
                   std::chrono::steady_clock::time_point now);

  const Limits limits_;
  const std::function<bool(const std::string&)> close_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> closed_{0};
};

// Shuts down, both ways, this process's TCP socket whose remote end is `peer` ("ipv4:1.2.3.4:5"
// or "ipv6:[::1]:5", as gRPC names peers). gRPC's poller then sees the connection end and
// cancels its calls; the descriptor stays gRPC's to close. Found by asking each socket for its
// peer address: only done on abuse. False when no such socket exists.
bool ShutDownConnectionTo(const std::string& peer);

}  // namespace branchline
