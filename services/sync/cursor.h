#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "branchline/v1/error_reasons.h"

namespace branchline {

// Sync cursors: opaque base64url of an internal SyncCursor {holder, sequence}. They are not
// secret (a cursor only positions the holder's own, authorized view of the change log), so
// they carry no signature; the holder check stops one account resuming from another's.
std::string EncodeCursor(uint64_t holder_id, uint64_t sequence);

// Every cursor the client must abandon is FAILED_PRECONDITION naming the field "cursor", with
// a google.rpc.ErrorInfo {domain "branchline.v1", reason: one of these}. Clients resync on any
// CURSOR_* reason (take a fresh cursor, then re-read state) and log which.
using reasons::kCursorAhead;    // restored server
using reasons::kCursorExpired;  // older than retention
using reasons::kCursorForeign;  // another account's

// The resync error for `reason` with `description` (after "cursor: " in the message).
absl::Status ResyncError(std::string_view reason, std::string_view description);

// The sequence of `cursor`; `head` when the cursor is empty (start from now). Errors:
// INVALID_ARGUMENT (field "cursor") when malformed; ResyncError when it belongs to another
// holder, lies ahead of the log (a restored server) or below `pruned_through` (the change log
// after it was partly deleted by retention: changes may have been missed).
absl::StatusOr<uint64_t> DecodeCursor(std::string_view cursor, uint64_t holder_id, uint64_t head,
                                      uint64_t pruned_through = 0);

// The error for a reader whose position retention has deleted past (CURSOR_EXPIRED).
absl::Status CursorExpired();

}  // namespace branchline
