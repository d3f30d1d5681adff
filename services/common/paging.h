#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace branchline {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// The effective page size: default for 0, INVALID_ARGUMENT (field "page_size") when negative,
// capped at kMaxPageSize.
absl::StatusOr<int> PageSize(int requested);

// A page token is the opaque (base64url) last storage key of the previous page. Decoding
// checks the key still lies under `prefix`, so a token cannot be replayed against another
// query (INVALID_ARGUMENT naming "page_token").
std::string EncodePageToken(std::string_view last_key);
absl::StatusOr<std::string> DecodePageToken(std::string_view token, std::string_view prefix);

// Reads one page of keys under `prefix` after `page_token`. `take` is called for each key in
// order and returns whether it added an item to the page (false: filtered out). Stops once
// `page_size` items were taken; returns the next page token, empty when no key follows.
absl::StatusOr<std::string> ScanPage(
    const storage::Store& store, storage::Cf cf, std::string_view prefix,
    std::string_view page_token, int page_size,
    const std::function<absl::StatusOr<bool>(std::string_view key, std::string_view value)>& take);

}  // namespace branchline
