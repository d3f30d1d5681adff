#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace branchline {

// A message already serialized, typed by the message it holds. The answer of an idempotent
// call is serialized once, to be stored with its writes; the asynchronous handlers send
// those same bytes (rpc/async_unary_method.h) instead of parsing them back into a message
// and serializing it a second time.
template <typename Message>
struct Encoded {
  std::string bytes;

  // The message itself, for a caller that reads its fields.
  absl::StatusOr<Message> Decode() const {
    Message message;
    if (!message.ParseFromString(bytes)) {
      return absl::DataLossError("stored response does not parse");
    }
    return message;
  }
};

}  // namespace branchline
