#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace branchline {

// Sync cursors: opaque base64url of an internal SyncCursor {holder, sequence}. They are not
// secret (a cursor only positions the holder's own, authorized view of the change log), so
// they carry no signature; the holder check stops one account resuming from another's.
std::string EncodeCursor(uint64_t holder_id, uint64_t sequence);

// Every cursor the client must abandon is FAILED_PRECONDITION naming the field "cursor", with
// a google.rpc.ErrorInfo {domain kResyncDomain, reason: one of these}. Clients branch on the
// domain (resync: take a fresh cursor, then re-read state) and log the reason.
inline constexpr std::string_view kResyncDomain = "sync.branchline";
inline constexpr std::string_view kCursorExpired = "CURSOR_EXPIRED";  // older than retention
inline constexpr std::string_view kCursorForeign = "CURSOR_FOREIGN";  // another account's
inline constexpr std::string_view kCursorAhead = "CURSOR_AHEAD";      // restored server

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
