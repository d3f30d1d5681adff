#include "services/sync/cursor.h"

#include "absl/strings/escaping.h"
#include "branchline/internal/v1/records.pb.h"
#include "services/common/absl_compat.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"

namespace branchline {

std::string EncodeCursor(uint64_t holder_id, uint64_t sequence) {
  internal::v1::SyncCursor cursor;
  cursor.set_version(1);
  cursor.set_holder_id(holder_id);
  cursor.set_sequence(sequence);
  return absl::WebSafeBase64Escape(cursor.SerializeAsString());
}

absl::Status ResyncError(std::string_view reason, std::string_view description) {
  return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reason, "cursor", description);
}

absl::Status CursorExpired() {
  return ResyncError(kCursorExpired,
                     "is older than the retained change log, so changes may have been missed; "
                     "resync: take a new cursor (an empty cursor), then read the current state "
                     "again");
}

absl::StatusOr<uint64_t> DecodeCursor(std::string_view text, uint64_t holder_id, uint64_t head,
                                      uint64_t pruned_through) {
  if (text.empty()) return head;
  std::string bytes;
  internal::v1::SyncCursor cursor;
  if (text.size() > 200 || !absl::WebSafeBase64Unescape(AbslView(text), &bytes) ||
      !cursor.ParseFromString(bytes) || cursor.version() != 1) {
    return InvalidField("cursor", "is not a cursor from this server");
  }
  if (cursor.holder_id() != holder_id) {
    return ResyncError(kCursorForeign,
                       "belongs to another account; resync: read the current state and start "
                       "again from an empty cursor");
  }
  if (cursor.sequence() > head) {
    return ResyncError(kCursorAhead,
                       "is ahead of this server's change log (restored from a backup?); resync "
                       "from an empty cursor");
  }
  if (cursor.sequence() < pruned_through) return CursorExpired();
  return cursor.sequence();
}

}  // namespace branchline
