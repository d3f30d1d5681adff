#include "services/attendance/meeting_index.h"

#include <algorithm>
#include <set>

#include "branchline/internal/v1/attendance_records.pb.h"
#include "services/common/call_cancellation.h"
#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline::attendance {

std::string MeetingIndexValue(const v1::Meeting& meeting) {
  return storage::KeyBuilder()
      .I64(ToMicros(meeting.end_time()))
      .U32(meeting.type())
      .U8(meeting.cancelled())
      .U8(meeting.audience().members_only())
      .key();
}

absl::StatusOr<std::vector<v1::Meeting>> MergeMeetingIndexes(
    const storage::Store& store, const std::vector<std::string>& prefixes, int64_t from, int64_t to,
    std::optional<MeetingCursor> after, size_t limit,
    const std::function<bool(const v1::Meeting&)>& accept) {
  std::vector<v1::Meeting> summaries;
  std::set<uint64_t> seen;
  for (const auto& prefix : prefixes) {
    std::string start_after = prefix + storage::KeyBuilder().I64(from).key();
    if (after && after->start_micros >= from) {
      start_after = prefix + storage::KeyBuilder().I64(after->start_micros).U64(after->id).key();
    }
    size_t taken = 0;
    absl::Status inner;
    RETURN_IF_ERROR(
        store.Scan(storage::Cf::kIndex, prefix, start_after,
                   [&](std::string_view key, std::string_view value) {
                     inner = CancellationCheckpoint();
                     if (!inner.ok()) return false;
                     storage::KeyReader r(key.substr(prefix.size()));
                     auto start_micros = r.I64();
                     if (!start_micros || *start_micros >= to) return false;
                     uint64_t id = storage::TrailingId(key);
                     if (seen.count(id)) return true;
                     storage::KeyReader v(value);
                     auto end_micros = v.I64();
                     auto type = v.U32();
                     auto cancelled = v.U8();
                     // Entries written before members-only audiences end here.
                     auto members_only = v.done() ? std::optional<uint8_t>(0) : v.U8();
                     if (!end_micros || !type || !cancelled || !members_only || !v.done()) {
                       inner = absl::DataLossError("meeting index entry does not parse");
                       return false;
                     }
                     v1::Meeting summary;
                     summary.set_id(id);
                     summary.set_type(static_cast<v1::MeetingType>(*type));
                     *summary.mutable_start_time() = ToTimestamp(*start_micros);
                     *summary.mutable_end_time() = ToTimestamp(*end_micros);
                     summary.set_cancelled(*cancelled != 0);
                     summary.mutable_audience()->set_members_only(*members_only != 0);
                     if (!accept(summary)) return true;
                     seen.insert(id);
                     summaries.push_back(std::move(summary));
                     return limit == 0 || ++taken < limit;
                   }));
    RETURN_IF_ERROR(inner);
  }
  std::sort(summaries.begin(), summaries.end(), [](const v1::Meeting& a, const v1::Meeting& b) {
    int64_t sa = ToMicros(a.start_time()), sb = ToMicros(b.start_time());
    return sa != sb ? sa < sb : a.id() < b.id();
  });
  if (limit > 0 && summaries.size() > limit) summaries.resize(limit);
  std::vector<v1::Meeting> out;
  out.reserve(summaries.size());
  for (const auto& summary : summaries) {
    internal::v1::MeetingRecord record;
    ASSIGN_OR_RETURN(bool found, store.GetMessage(storage::Cf::kMeetings,
                                                  storage::RecordKey(summary.id()), &record));
    if (found) out.push_back(std::move(*record.mutable_meeting()));
  }
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
