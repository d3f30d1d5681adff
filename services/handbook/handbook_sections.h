#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/handbook.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "branchline/v1/people.pb.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/auth/caller.h"

// What the two handbooks (handbooks.h) share: the period, reading every page of a list, and
// a section that is withheld rather than failing when the caller may not read it.
namespace branchline::handbook {

// At most this many days in a period: a year, as the ledger report.
inline constexpr int kMaxPeriodDays = 366;
// Rows asked for per page of a list.
inline constexpr int kPageSize = 200;
// Far above any real branch (a year of daily meetings is 2 pages); stops a list that never
// ends from holding the export forever.
inline constexpr int kMaxPages = 5000;

// A period of whole local days, and the same period as instants.
struct Period {
  v1::LocalDate from_date;
  v1::LocalDate to_date;
  int64_t start_micros = 0;  // the first day's start
  int64_t end_micros = 0;    // the start of the day after the last
  int year = 0;              // the year the period ends in (compliance, study)

  google::protobuf::Timestamp Start() const;
  google::protobuf::Timestamp End() const;
  bool Holds(const google::protobuf::Timestamp& t) const;
  // "YYYY-MM-DD", comparable as text (StudyRecord.local_date).
  static std::string Text(const v1::LocalDate& d);
};

// The request's period in local time at `utc_offset_minutes`; INVALID_ARGUMENT naming
// from_date or to_date when missing, not a date, reversed or longer than kMaxPeriodDays.
absl::StatusOr<Period> CheckPeriod(bool has_from, const v1::LocalDate& from, bool has_to,
                                   const v1::LocalDate& to, int32_t utc_offset_minutes);

// Every page of a list: `fetch(request)` until the last page, `each(page)` on each.
template <typename Request, typename Fetch, typename Each>
absl::Status ForEachPage(Request request, Fetch fetch, Each each) {
  request.set_page_size(kPageSize);
  for (int pages = 0; pages < kMaxPages; ++pages) {
    auto page = fetch(request);
    if (!page.ok()) return page.status();
    each(*page);
    if (page->next_page_token().empty()) return absl::OkStatus();
    request.set_page_token(page->next_page_token());
  }
  return absl::ResourceExhaustedError("a handbook section has more than " +
                                      std::to_string(kMaxPages * kPageSize) + " rows");
}

// One section, filled by `fill`; when the caller may not read it, named in `withheld` and left
// out. Any other refusal fails the handbook: one with a silently missing section would be
// filed as complete.
template <typename Fill>
absl::Status Section(std::string_view name,
                     google::protobuf::RepeatedPtrField<std::string>* withheld, Fill fill) {
  absl::Status s = fill();
  if (s.code() == absl::StatusCode::kPermissionDenied) {
    withheld->Add(std::string(name));
    return absl::OkStatus();
  }
  return s;
}

bool Names(const google::protobuf::RepeatedField<uint64_t>& ids, uint64_t id);
v1::HandbookMember MemberOf(const v1::Person& person);
// Managers of `org` and services with SCOPE_RECORDS_READ over it.
bool MayReadRecordsOf(const Caller& caller, const v1::Organization& org);

}  // namespace branchline::handbook
