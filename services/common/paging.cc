#include "services/common/paging.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "services/common/absl_compat.h"
#include "services/common/call_cancellation.h"
#include "services/common/errors.h"

namespace branchline {

absl::StatusOr<int> PageSize(int requested) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

std::string EncodePageToken(std::string_view last_key) {
  return absl::WebSafeBase64Escape(AbslView(last_key));
}

absl::StatusOr<std::string> DecodePageToken(std::string_view token, std::string_view prefix) {
  if (token.empty()) return std::string();
  std::string key;
  if (!absl::WebSafeBase64Unescape(AbslView(token), &key) || key.size() <= prefix.size() ||
      key.compare(0, prefix.size(), prefix) != 0) {
    return InvalidField("page_token", "is not a token of this query");
  }
  return key;
}

absl::StatusOr<std::string> ScanPage(
    const storage::Store& store, storage::Cf cf, std::string_view prefix,
    std::string_view page_token, int page_size,
    const std::function<absl::StatusOr<bool>(std::string_view key, std::string_view value)>& take) {
  auto start = DecodePageToken(page_token, prefix);
  if (!start.ok()) return start.status();
  int taken = 0;
  std::string last_key;
  bool more = false;
  absl::Status inner;
  auto scan = store.Scan(cf, prefix, *start, [&](std::string_view key, std::string_view value) {
    if (taken == page_size) {
      more = true;
      return false;
    }
    inner = CancellationCheckpoint();
    if (!inner.ok()) return false;
    auto took = take(key, value);
    if (!took.ok()) {
      inner = took.status();
      return false;
    }
    if (*took) {
      ++taken;
      last_key.assign(key);
    }
    return true;
  });
  if (!inner.ok()) return inner;
  if (!scan.ok()) return scan;
  return more ? EncodePageToken(last_key) : std::string();
}

}  // namespace branchline
