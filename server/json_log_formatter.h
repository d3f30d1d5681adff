#pragma once

#include <memory>

#include "spdlog/formatter.h"

namespace branchline {

// --log-format json: every log line one JSON object with the fields of the text line
// ("[2026-11-21 19:41:10.123] [info] message"):
//   {"time":"2026-11-21T19:41:10.123+08:00","level":"info","message":"…"}
// time is local time with its UTC offset (RFC 3339), level spdlog's name. The message is
// escaped by nlohmann-json: quotes, backslashes and control characters escaped, UTF-8 (Chinese)
// kept as it is, and invalid UTF-8 replaced by U+FFFD, so every line parses for a log shipper.
// Thread-safe as spdlog requires (format() keeps no state).
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Sends every log line of spdlog's default logger, and gRPC's own log lines (which it
// otherwise writes to stderr in its own format), through JsonLogFormatter.
void UseJsonLogLines();

}  // namespace branchline
