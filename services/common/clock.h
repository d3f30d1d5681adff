#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "google/protobuf/timestamp.pb.h"

namespace branchline {

// Wall-clock time, injectable so tests can move it. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMicros() const = 0;
  int64_t NowSeconds() const { return NowMicros() / 1'000'000; }
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that stands still until moved; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t micros) : now_(micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_ += micros; }
  void Set(int64_t micros) { now_ = micros; }

 private:
  std::atomic<int64_t> now_;
};

google::protobuf::Timestamp ToTimestamp(int64_t micros);
int64_t ToMicros(const google::protobuf::Timestamp& ts);

}  // namespace branchline
