#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/v1/attendance.pb.h"
#include "storage/store.h"

namespace branchline::attendance {

// A position in the start-time order of meetings: (start, id).
struct MeetingCursor {
  int64_t start_micros = 0;
  uint64_t id = 0;
};

// The value of every meeting index entry: [end i64][type u32][cancelled u8][members_only u8]
// (the last byte is absent from entries written before members-only audiences: false), so
// lists can filter on the index alone and read only the meetings they return. Rewrite the
// entries when one of these changes.
std::string MeetingIndexValue(const v1::Meeting& meeting);

// Reads the meetings indexed under each of `prefixes` (index keys [prefix][start i64][id]) whose
// start lies in [from, to) and that come after `after`, merged in (start, id) order. `accept`
// filters on a summary decoded from the index value (id, type, start, end, cancelled,
// audience.members_only). With
// `limit` > 0 at most `limit` meetings are returned (each prefix is read no further than
// `limit` accepted entries); 0 means no limit. Only the returned meetings are read in full.
// Meetings listed under several prefixes are returned once.
absl::StatusOr<std::vector<v1::Meeting>> MergeMeetingIndexes(
    const storage::Store& store, const std::vector<std::string>& prefixes, int64_t from, int64_t to,
    std::optional<MeetingCursor> after, size_t limit,
    const std::function<bool(const v1::Meeting&)>& accept);

// Page tokens over such merged lists: the cursor of the last meeting of the page, bound to
// `query` (a key prefix naming the query), so a token cannot be replayed against another one.
std::string EncodeMeetingPageToken(const std::string& query, const MeetingCursor& cursor);
absl::StatusOr<std::optional<MeetingCursor>> DecodeMeetingPageToken(const std::string& query,
                                                                    std::string_view token);

}  // namespace branchline::attendance
