#include "services/common/clock.h"

namespace branchline {

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp ts;
  int64_t seconds = micros / 1'000'000;
  int64_t rem = micros % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem * 1000));
  return ts;
}

int64_t ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

}  // namespace branchline
