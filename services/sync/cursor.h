#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace branchline {

// Sync cursors: opaque base64url of an internal SyncCursor {holder, sequence}. They are not
// secret (a cursor only positions the holder's own, authorized view of the change log), so
// they carry no signature; the holder check stops one account resuming from another's.
std::string EncodeCursor(uint64_t holder_id, uint64_t sequence);

// The sequence of `cursor`; `head` when the cursor is empty (start from now). Errors:
// INVALID_ARGUMENT (field "cursor") when malformed; FAILED_PRECONDITION telling the client to
// resync when it belongs to another holder or lies ahead of the log (a restored server).
absl::StatusOr<uint64_t> DecodeCursor(std::string_view cursor, uint64_t holder_id, uint64_t head);

}  // namespace branchline
