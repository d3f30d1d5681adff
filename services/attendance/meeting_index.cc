#include "services/attendance/meeting_index.h"

#include <algorithm>
#include <set>

#include "branchline/internal/v1/attendance_records.pb.h"
#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline::attendance {

absl::StatusOr<std::vector<v1::Meeting>> MergeMeetingIndexes(
    const storage::Store& store, const std::vector<std::string>& prefixes, int64_t from, int64_t to,
    std::optional<MeetingCursor> after, size_t limit,
    const std::function<bool(const v1::Meeting&)>& accept) {
  std::vector<v1::Meeting> out;
  std::set<uint64_t> seen;
  for (const auto& prefix : prefixes) {
    std::string start_after = prefix + storage::KeyBuilder().I64(from).key();
    if (after && after->start_micros >= from) {
      start_after = prefix + storage::KeyBuilder().I64(after->start_micros).U64(after->id).key();
    }
    size_t taken = 0;
    absl::Status inner;
    RETURN_IF_ERROR(store.Scan(
        storage::Cf::kIndex, prefix, start_after, [&](std::string_view key, std::string_view) {
          storage::KeyReader r(key.substr(prefix.size()));
          auto start_micros = r.I64();
          if (!start_micros || *start_micros >= to) return false;
          uint64_t id = storage::TrailingId(key);
          if (seen.count(id)) return true;
          internal::v1::MeetingRecord record;
          auto found = store.GetMessage(storage::Cf::kMeetings, storage::RecordKey(id), &record);
          if (!found.ok()) {
            inner = found.status();
            return false;
          }
          if (!*found || !accept(record.meeting())) return true;
          seen.insert(id);
          out.push_back(std::move(*record.mutable_meeting()));
          return limit == 0 || ++taken < limit;
        }));
    RETURN_IF_ERROR(inner);
  }
  std::sort(out.begin(), out.end(), [](const v1::Meeting& a, const v1::Meeting& b) {
    int64_t sa = ToMicros(a.start_time()), sb = ToMicros(b.start_time());
    return sa != sb ? sa < sb : a.id() < b.id();
  });
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

std::string EncodeMeetingPageToken(const std::string& query, const MeetingCursor& cursor) {
  return EncodePageToken(query +
                         storage::KeyBuilder().I64(cursor.start_micros).U64(cursor.id).key());
}

absl::StatusOr<std::optional<MeetingCursor>> DecodeMeetingPageToken(const std::string& query,
                                                                    std::string_view token) {
  if (token.empty()) return std::optional<MeetingCursor>();
  ASSIGN_OR_RETURN(std::string key, DecodePageToken(token, query));
  storage::KeyReader r(std::string_view(key).substr(query.size()));
  auto start = r.I64();
  auto id = r.U64();
  if (!start || !id || !r.done()) return InvalidField("page_token", "is not a token of this query");
  return std::optional<MeetingCursor>(MeetingCursor{*start, *id});
}

}  // namespace branchline::attendance
