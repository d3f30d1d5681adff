#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"

namespace branchline {

// How many server streams (WatchChanges, the CSV exports) may be open at once, and how long a
// stream may wait for its reader. Set by the server's flags (docs/limits.md).
struct StreamLimits {
  // Open streams of one person (or service account), over all their connections. A phone
  // needs one WatchChanges stream; a desktop client adds an export now and then; a phone
  // whose dead connection is not noticed yet (keepalive: 2 min + 20 s) reconnects a few times.
  int per_person = 16;
  // Open streams on one connection (gRPC's own cap, 100 streams of any kind, still applies).
  int per_connection = 32;
  // A stream whose pending write made no progress for this long (its reader stopped reading
  // and the flow-control window is full) is cancelled, so it stops holding its memory.
  std::chrono::milliseconds stall_timeout{30'000};
};

// Counts open streams per person and per connection against StreamLimits. Thread-safe.
class StreamBounds {
 public:
  explicit StreamBounds(StreamLimits limits) : limits_(limits) {}

  const StreamLimits& limits() const { return limits_; }

  // Counts one more stream of `person` on `connection` (gRPC's peer string), or answers
  // RESOURCE_EXHAUSTED naming the limit that is reached (and counts nothing). Every OK is
  // paired with one Release of the same pair.
  absl::Status Acquire(uint64_t person, const std::string& connection);
  void Release(uint64_t person, const std::string& connection);

  // Open streams of `person` (for tests and metrics).
  int OpenOf(uint64_t person) const;

 private:
  const StreamLimits limits_;
  mutable std::mutex mu_;
  std::map<uint64_t, int> per_person_;
  std::map<std::string, int> per_connection_;
};

}  // namespace branchline
