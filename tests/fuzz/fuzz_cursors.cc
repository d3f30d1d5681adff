// Fuzzes the opaque positions clients send back: sync cursors (DecodeCursor) and page tokens
// (DecodePageToken). Garbage is INVALID_ARGUMENT naming the field, another holder's or a
// future cursor is FAILED_PRECONDITION, and an accepted position is one the server could have
// issued for that query.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/common/paging.h"
#include "services/sync/cursor.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr uint64_t kHolder = (7ull << 40) | 42;
constexpr uint64_t kHead = 1000;

void CheckCursor(std::string_view text) {
  auto sequence = branchline::DecodeCursor(text, kHolder, kHead);
  if (sequence.ok()) {
    FUZZ_CHECK(*sequence <= kHead);
    FUZZ_CHECK(text.empty() || branchline::EncodeCursor(kHolder, *sequence).size() <= 200);
    return;
  }
  auto code = sequence.status().code();
  FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument ||
             code == absl::StatusCode::kFailedPrecondition);
}

void CheckPageToken(std::string_view token, std::string_view prefix) {
  auto key = branchline::DecodePageToken(token, prefix);
  if (!key.ok()) {
    FUZZ_CHECK(key.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  if (token.empty()) {
    FUZZ_CHECK(key->empty());
    return;
  }
  FUZZ_CHECK(key->size() > prefix.size() && key->compare(0, prefix.size(), prefix) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckCursor(text);
  // Round trip: every cursor the server issues decodes to its own sequence.
  if (size >= 8) {
    uint64_t sequence = 0;
    for (int i = 0; i < 8; ++i) sequence = sequence << 8 | data[i];
    sequence %= kHead + 1;
    auto decoded =
        branchline::DecodeCursor(branchline::EncodeCursor(kHolder, sequence), kHolder, kHead);
    FUZZ_CHECK(decoded.ok() && *decoded == sequence);
  }
  // Page tokens against a short and a typical prefix; the first input byte picks a prefix
  // length so the fuzzer can also make tokens that almost match.
  const std::string prefix("\x00\x00\x00\x07\x01\x02", 6);
  CheckPageToken(text, prefix);
  CheckPageToken(text, "");
  if (size > 0) {
    size_t n = std::min<size_t>(data[0] % 16, size - 1);
    CheckPageToken(text.substr(1 + n), text.substr(1, n));
    // Round trip of a key under the prefix.
    std::string key = prefix + std::string(text);
    auto decoded = branchline::DecodePageToken(branchline::EncodePageToken(key), prefix);
    FUZZ_CHECK(decoded.ok() && *decoded == key);
  }
  return 0;
}
