#include "services/records/ledger.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/records/records_access.h"
#include "storage/keys.h"

namespace branchline {

namespace {

constexpr int64_t kNoDay = std::numeric_limits<int64_t>::max();
constexpr int64_t kNoFirstDay = std::numeric_limits<int64_t>::min();

absl::Status CheckCode(const std::string& field, std::string_view code) {
  if (code.empty() || code.size() > 16) return InvalidField(field, "must be 1..16 characters");
  for (char c : code) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return InvalidField(field, "may hold only letters, digits, '.', '-' and '_'");
  }
  return absl::OkStatus();
}

// The codes an entry may count for, with their report titles, in list order: each minor item
// ("major / minor"), or a major item without minors.
std::vector<std::pair<std::string, std::string>> CountableItems(const v1::LedgerItems& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& major : items.majors()) {
    if (major.minors().empty()) out.emplace_back(major.code(), major.title());
    for (const auto& minor : major.minors()) {
      out.emplace_back(minor.code(), major.title() + " / " + minor.title());
    }
  }
  return out;
}

// Volunteer hours in tenths, so sums are exact.
int64_t Tenths(double hours) { return std::llround(hours * 10); }

absl::StatusOr<int64_t> OptionalDay(bool has, const v1::LocalDate& date, std::string_view field,
                                    int64_t absent) {
  if (!has) return absent;
  return DayOfDate(date, field);
}

}  // namespace

absl::StatusOr<v1::LedgerItems> Ledger::ItemsInForce(const v1::Organization& org) const {
  std::vector<uint64_t> chain(org.ancestor_ids().begin(), org.ancestor_ids().end());
  chain.push_back(org.id());
  // Nearest first: the organisation's own list overrides its committee's.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    v1::LedgerItems items;
    ASSIGN_OR_RETURN(
        bool found, store_.GetMessage(storage::Cf::kRecords, storage::LedgerItemsKey(*it), &items));
    if (found) {
      items.set_inherited_from(*it);
      items.set_organization_id(org.id());
      return items;
    }
  }
  v1::LedgerItems none;
  none.set_organization_id(org.id());
  return none;
}

absl::StatusOr<v1::LedgerItems> Ledger::SetItems(const Caller& caller,
                                                 const v1::SetLedgerItemsRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LedgerItems>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SetLedgerItems"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::LedgerItems> {
        const auto& in = request.items();
        if (in.organization_id() == 0) return InvalidField("items.organization_id", "is required");
        if (in.majors_size() > kMaxMajors) {
          return InvalidField("items.majors", "at most " + std::to_string(kMaxMajors) + " items");
        }
        v1::LedgerItems items;
        std::set<std::string> codes;
        auto add_code = [&](const std::string& field, const std::string& code) -> absl::Status {
          RETURN_IF_ERROR(CheckCode(field, code));
          if (!codes.insert(code).second) return InvalidField(field, "repeats code " + code);
          if (static_cast<int>(codes.size()) > kMaxCodes) {
            return InvalidField(field,
                                "the list holds at most " + std::to_string(kMaxCodes) + " codes");
          }
          return absl::OkStatus();
        };
        for (int i = 0; i < in.majors_size(); ++i) {
          const auto& major = in.majors(i);
          const std::string field = "items.majors[" + std::to_string(i) + "]";
          RETURN_IF_ERROR(add_code(field + ".code", major.code()));
          RETURN_IF_ERROR(CheckText(field + ".title", TrimAscii(major.title()), 1, 100));
          if (major.minors_size() > kMaxMinorsPerMajor) {
            return InvalidField(field + ".minors",
                                "at most " + std::to_string(kMaxMinorsPerMajor) + " items");
          }
          auto* out = items.add_majors();
          out->set_code(major.code());
          out->set_title(std::string(TrimAscii(major.title())));
          for (int j = 0; j < major.minors_size(); ++j) {
            const auto& minor = major.minors(j);
            const std::string minor_field = field + ".minors[" + std::to_string(j) + "]";
            RETURN_IF_ERROR(add_code(minor_field + ".code", minor.code()));
            RETURN_IF_ERROR(CheckText(minor_field + ".title", TrimAscii(minor.title()), 1, 100));
            auto* minor_out = out->add_minors();
            minor_out->set_code(minor.code());
            minor_out->set_title(std::string(TrimAscii(minor.title())));
          }
        }
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "items.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "setting the ledger items"));
        items.set_organization_id(org.id());
        items.set_inherited_from(org.id());
        *items.mutable_update_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kRecords, storage::LedgerItemsKey(org.id()), items);
        RecordChange(m.writes(), "ledger_items", org.id(), org.id(), "set");
        return items;
      });
}

absl::StatusOr<v1::LedgerItems> Ledger::ListItems(const Caller& caller,
                                                  const v1::ListLedgerItemsRequest& request) const {
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(records::RequireLedgerRead(access_, caller, org, "reading the ledger items"));
  return ItemsInForce(org);
}

absl::StatusOr<v1::LedgerEntry> Ledger::Load(const Caller& caller, uint64_t id,
                                             std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  if (Access::SameTenant(caller, id)) {
    v1::LedgerEntry entry;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kRecords, storage::LedgerEntryKey(id), &entry));
    if (found) return entry;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "ledger entry " + std::to_string(id) + " does not exist");
}

absl::StatusOr<int64_t> Ledger::CheckEntry(const Caller& caller, const v1::LedgerEntry& e,
                                           const v1::Organization& org, int64_t now) const {
  if (!v1::LedgerEntryType_IsValid(e.type()) || e.type() == v1::LEDGER_ENTRY_TYPE_UNSPECIFIED) {
    return InvalidField("entry.type", "must be a known entry type");
  }
  if (e.type() == v1::LEDGER_ENTRY_TYPE_TALK) {
    if (!v1::TalkLevel_IsValid(e.talk_level()) || e.talk_level() == v1::TALK_LEVEL_UNSPECIFIED) {
      return InvalidField("entry.talk_level", "is required for a talk and must be a known level");
    }
  } else if (e.talk_level() != v1::TALK_LEVEL_UNSPECIFIED) {
    return InvalidField("entry.talk_level", "is only for talks");
  }
  if (!e.has_date()) return InvalidField("entry.date", "is required");
  ASSIGN_OR_RETURN(int64_t day, DayOfDate(e.date(), "entry.date"));
  if (day > LocalDay(now, org.utc_offset_minutes())) {
    return InvalidField("entry.date", "is in the future: the ledger records what was done");
  }
  RETURN_IF_ERROR(CheckText("entry.place", TrimAscii(e.place()), 0, 200));
  RETURN_IF_ERROR(CheckText("entry.text", TrimAscii(e.text()), 1, 5000, true));
  if (e.person_ids_size() > kMaxPeople) {
    return InvalidField("entry.person_ids", "at most " + std::to_string(kMaxPeople) + " people");
  }
  if (e.people_names_size() > kMaxNames) {
    return InvalidField("entry.people_names", "at most " + std::to_string(kMaxNames) + " names");
  }
  for (int i = 0; i < e.people_names_size(); ++i) {
    RETURN_IF_ERROR(CheckText("entry.people_names[" + std::to_string(i) + "]",
                              TrimAscii(e.people_names(i)), 1, 50));
  }
  const double hours = e.volunteer_hours();
  if (e.type() == v1::LEDGER_ENTRY_TYPE_VOLUNTEER) {
    if (!(hours > 0 && hours <= 1000)) {
      return InvalidField("entry.volunteer_hours", "must be more than 0 and at most 1000");
    }
    if (std::fabs(hours * 10 - static_cast<double>(Tenths(hours))) > 1e-6) {
      return InvalidField("entry.volunteer_hours", "is counted in tenths of an hour");
    }
  } else if (hours != 0) {
    return InvalidField("entry.volunteer_hours", "is only for volunteer service");
  }
  if (e.type() == v1::LEDGER_ENTRY_TYPE_HARDSHIP) {
    if (!e.has_hardship()) return InvalidField("entry.hardship", "is required for a hardship file");
    const auto& h = e.hardship();
    if ((h.worker_id() == 0) == TrimAscii(h.worker_name()).empty()) {
      return InvalidField("entry.hardship", "set exactly one of worker_id or worker_name");
    }
    if (h.worker_id() == 0) {
      RETURN_IF_ERROR(CheckText("entry.hardship.worker_name", TrimAscii(h.worker_name()), 1, 50));
    }
    RETURN_IF_ERROR(
        CheckText("entry.hardship.difficulty", TrimAscii(h.difficulty()), 1, 2000, true));
    RETURN_IF_ERROR(
        CheckText("entry.hardship.help_given", TrimAscii(h.help_given()), 0, 2000, true));
    if (h.worker_id() != 0) {
      RETURN_IF_ERROR(people_.Load(caller, h.worker_id(), "entry.hardship.worker_id").status());
    }
  } else if (e.has_hardship()) {
    return InvalidField("entry.hardship", "is only for hardship files");
  }
  std::set<uint64_t> seen;
  for (int i = 0; i < e.person_ids_size(); ++i) {
    const std::string field = "entry.person_ids[" + std::to_string(i) + "]";
    if (!seen.insert(e.person_ids(i)).second) return InvalidField(field, "repeats a person");
    RETURN_IF_ERROR(people_.Load(caller, e.person_ids(i), field).status());
  }
  if (!e.item_code().empty()) {
    RETURN_IF_ERROR(CheckCode("entry.item_code", e.item_code()));
    ASSIGN_OR_RETURN(auto items, ItemsInForce(org));
    bool known = false;
    for (const auto& [code, title] : CountableItems(items)) known = known || code == e.item_code();
    if (!known) {
      return DescribedRefusal(
          absl::StatusCode::kFailedPrecondition, reasons::kUnknownItem, "entry.item_code",
          "\"" + e.item_code() +
              "\" is not a minor item (or a major item without minors) of the ledger items of "
              "organization " +
              std::to_string(org.id()));
    }
  }
  return day;
}

namespace {

// The client fields of `in`, trimmed, over `out`.
void CopyClientFields(const v1::LedgerEntry& in, v1::LedgerEntry& out) {
  out.set_type(in.type());
  out.set_talk_level(in.talk_level());
  *out.mutable_date() = in.date();
  out.set_place(std::string(TrimAscii(in.place())));
  out.clear_person_ids();
  for (uint64_t p : in.person_ids()) out.add_person_ids(p);
  out.clear_people_names();
  for (const auto& n : in.people_names()) out.add_people_names(std::string(TrimAscii(n)));
  out.set_text(std::string(TrimAscii(in.text())));
  out.set_item_code(in.item_code());
  out.set_volunteer_hours(in.volunteer_hours());
  out.clear_hardship();
  if (in.has_hardship()) {
    auto* h = out.mutable_hardship();
    h->set_worker_id(in.hardship().worker_id());
    if (in.hardship().worker_id() == 0) {
      h->set_worker_name(std::string(TrimAscii(in.hardship().worker_name())));
    }
    h->set_difficulty(std::string(TrimAscii(in.hardship().difficulty())));
    h->set_help_given(std::string(TrimAscii(in.hardship().help_given())));
  }
}

std::vector<uint64_t> Chain(const v1::Organization& org) {
  std::vector<uint64_t> chain(org.ancestor_ids().begin(), org.ancestor_ids().end());
  chain.push_back(org.id());
  return chain;
}

// The feed entry of an entry's change. Hardship files get none: the organisation's feed is
// read by records-scoped services and members' pulls, and neither may read a hardship file.
void RecordEntryChange(storage::WriteSet& writes, const v1::LedgerEntry& entry,
                       std::string_view action) {
  if (entry.type() == v1::LEDGER_ENTRY_TYPE_HARDSHIP) return;
  RecordChange(writes, "ledger_entry", entry.id(), entry.organization_id(), action);
}

}  // namespace

absl::StatusOr<v1::LedgerEntry> Ledger::Create(const Caller& caller,
                                               const v1::CreateLedgerEntryRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LedgerEntry>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateLedgerEntry"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::LedgerEntry> {
        const auto& in = request.entry();
        if (in.organization_id() == 0) return InvalidField("entry.organization_id", "is required");
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "entry.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "writing the ledger"));
        ASSIGN_OR_RETURN(int64_t day, CheckEntry(caller, in, org, now));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        v1::LedgerEntry entry;
        entry.set_id(id);
        entry.set_organization_id(org.id());
        CopyClientFields(in, entry);
        entry.set_version(1);
        entry.set_created_by(caller.person_id);
        *entry.mutable_create_time() = ToTimestamp(now);
        *entry.mutable_update_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kRecords, storage::LedgerEntryKey(id), entry);
        for (uint64_t o : Chain(org)) {
          m.writes().Put(storage::Cf::kIndex, storage::LedgerEntryBySubtreeKey(o, day, id), "");
        }
        RecordEntryChange(m.writes(), entry, "created");
        return entry;
      });
}

absl::StatusOr<v1::LedgerEntry> Ledger::Update(const Caller& caller,
                                               const v1::UpdateLedgerEntryRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LedgerEntry>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateLedgerEntry"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::LedgerEntry> {
        const auto& in = request.entry();
        if (in.id() == 0) return InvalidField("entry.id", "is required");
        m.Lock({storage::LedgerEntryKey(in.id())});
        ASSIGN_OR_RETURN(auto entry, Load(caller, in.id(), "entry.id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, entry.organization_id(), "entry.id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "writing the ledger"));
        if (in.organization_id() != 0 && in.organization_id() != entry.organization_id()) {
          return InvalidField("entry.organization_id", "cannot change: void and re-enter");
        }
        if (entry.voided()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kEntryVoided,
                                  "entry.id", "the entry was voided");
        }
        RETURN_IF_ERROR(
            records::CheckVersion(request.expected_version(), entry.version(), "entry"));
        ASSIGN_OR_RETURN(int64_t day, CheckEntry(caller, in, org, now));
        ASSIGN_OR_RETURN(int64_t old_day, DayOfDate(entry.date(), "entry.date"));
        if (day != old_day) {
          for (uint64_t o : Chain(org)) {
            m.writes().Delete(storage::Cf::kIndex,
                              storage::LedgerEntryBySubtreeKey(o, old_day, entry.id()));
            m.writes().Put(storage::Cf::kIndex,
                           storage::LedgerEntryBySubtreeKey(o, day, entry.id()), "");
          }
        }
        CopyClientFields(in, entry);
        entry.set_version(entry.version() + 1);
        *entry.mutable_update_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kRecords, storage::LedgerEntryKey(entry.id()), entry);
        RecordEntryChange(m.writes(), entry, "updated");
        return entry;
      });
}

absl::StatusOr<v1::LedgerEntry> Ledger::Void(const Caller& caller,
                                             const v1::VoidLedgerEntryRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::LedgerEntry>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "VoidLedgerEntry"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::LedgerEntry> {
        if (request.id() == 0) return InvalidField("id", "is required");
        const std::string reason(TrimAscii(request.reason()));
        RETURN_IF_ERROR(CheckText("reason", reason, 1, 500, true));
        m.Lock({storage::LedgerEntryKey(request.id())});
        ASSIGN_OR_RETURN(auto entry, Load(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, entry.organization_id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "voiding a ledger entry"));
        if (entry.voided()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kEntryVoided,
                                  "id", "the entry was already voided");
        }
        entry.set_voided(true);
        entry.set_void_reason(reason);
        entry.set_voided_by(caller.person_id);
        *entry.mutable_void_time() = ToTimestamp(now);
        entry.set_version(entry.version() + 1);
        *entry.mutable_update_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kRecords, storage::LedgerEntryKey(entry.id()), entry);
        RecordEntryChange(m.writes(), entry, "voided");
        return entry;
      });
}

absl::Status Ledger::ScanPeriod(
    uint64_t org, int64_t from_day, int64_t to_day, const std::string& start_after,
    const std::function<absl::StatusOr<bool>(std::string_view key, const v1::LedgerEntry&)>& visit)
    const {
  const std::string prefix = storage::LedgerEntryBySubtreePrefix(org);
  std::string start = start_after;
  if (start.empty() && to_day != kNoDay) start = storage::LedgerEntryBySubtreeBefore(org, to_day);
  absl::Status inner;
  auto scan =
      store_.Scan(storage::Cf::kIndex, prefix, start, [&](std::string_view key, std::string_view) {
        inner = CancellationCheckpoint();
        if (!inner.ok()) return false;
        auto day = storage::LedgerEntryDayOfKey(key);
        if (!day) return true;
        if (*day < from_day) return false;  // newest first: the rest are older still
        v1::LedgerEntry entry;
        auto found = store_.GetMessage(storage::Cf::kRecords,
                                       storage::LedgerEntryKey(storage::TrailingId(key)), &entry);
        if (!found.ok()) {
          inner = found.status();
          return false;
        }
        if (!*found) return true;
        auto more = visit(key, entry);
        if (!more.ok()) {
          inner = more.status();
          return false;
        }
        return *more;
      });
  RETURN_IF_ERROR(inner);
  return scan;
}

absl::StatusOr<v1::ListLedgerEntriesResponse> Ledger::List(
    const Caller& caller, const v1::ListLedgerEntriesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  if (!v1::LedgerEntryType_IsValid(request.type())) {
    return InvalidField("type", "is not a known entry type");
  }
  ASSIGN_OR_RETURN(int64_t from_day, OptionalDay(request.has_from_date(), request.from_date(),
                                                 "from_date", kNoFirstDay));
  ASSIGN_OR_RETURN(int64_t to_day,
                   OptionalDay(request.has_to_date(), request.to_date(), "to_date", kNoDay));
  if (to_day < from_day) return InvalidField("to_date", "is before from_date");
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(records::RequireLedgerRead(access_, caller, org, "reading the ledger"));
  const bool manager = Access::Manages(caller, org);
  if (request.show_voided() && !manager) return Denied("listing voided ledger entries");
  ASSIGN_OR_RETURN(
      std::string start,
      DecodePageToken(request.page_token(), storage::LedgerEntryBySubtreePrefix(org.id())));
  v1::ListLedgerEntriesResponse response;
  std::string last_key;
  bool more = false;
  RETURN_IF_ERROR(ScanPeriod(
      org.id(), from_day, to_day, start,
      [&](std::string_view key, const v1::LedgerEntry& entry) -> absl::StatusOr<bool> {
        if (entry.voided() && !request.show_voided()) return true;
        if (entry.type() == v1::LEDGER_ENTRY_TYPE_HARDSHIP && !records::SeesHardship(caller, org)) {
          return true;
        }
        if (request.type() != v1::LEDGER_ENTRY_TYPE_UNSPECIFIED && entry.type() != request.type()) {
          return true;
        }
        if (!request.item_code().empty() && entry.item_code() != request.item_code()) return true;
        if (response.entries_size() == page_size) {
          more = true;
          return false;
        }
        *response.add_entries() = entry;
        last_key.assign(key);
        return true;
      }));
  if (more) response.set_next_page_token(EncodePageToken(last_key));
  return response;
}

absl::StatusOr<v1::LedgerReport> Ledger::Report(const Caller& caller,
                                                const v1::GetLedgerReportRequest& request) const {
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  if (!request.has_from_date()) return InvalidField("from_date", "is required");
  if (!request.has_to_date()) return InvalidField("to_date", "is required");
  ASSIGN_OR_RETURN(int64_t from_day, DayOfDate(request.from_date(), "from_date"));
  ASSIGN_OR_RETURN(int64_t to_day, DayOfDate(request.to_date(), "to_date"));
  if (to_day < from_day) return InvalidField("to_date", "is before from_date");
  if (to_day - from_day + 1 > kMaxReportDays) {
    return InvalidField("to_date",
                        "the period may span at most " + std::to_string(kMaxReportDays) + " days");
  }
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(records::RequireLedgerRead(access_, caller, org, "reading the ledger report"));
  const bool hardship = records::SeesHardship(caller, org);
  ASSIGN_OR_RETURN(auto items, ItemsInForce(org));
  struct Tally {
    int entries = 0;
    int64_t tenths = 0;
  };
  std::map<std::string, Tally> by_item;
  std::map<int, int> by_type;
  Tally total;
  RETURN_IF_ERROR(
      ScanPeriod(org.id(), from_day, to_day, "",
                 [&](std::string_view, const v1::LedgerEntry& e) -> absl::StatusOr<bool> {
                   if (e.voided()) return true;
                   if (e.type() == v1::LEDGER_ENTRY_TYPE_HARDSHIP && !hardship) {
                     return true;
                   }
                   const int64_t tenths = Tenths(e.volunteer_hours());
                   auto& item = by_item[e.item_code()];
                   ++item.entries;
                   item.tenths += tenths;
                   ++by_type[e.type()];
                   ++total.entries;
                   total.tenths += tenths;
                   return true;
                 }));
  v1::LedgerReport report;
  report.set_organization_id(org.id());
  *report.mutable_from_date() = request.from_date();
  *report.mutable_to_date() = request.to_date();
  Tally unlisted;
  for (const auto& [code, title] : CountableItems(items)) {
    auto* out = report.add_items();
    out->set_code(code);
    out->set_title(title);
    auto it = by_item.find(code);
    if (it == by_item.end()) continue;
    out->set_entries(it->second.entries);
    out->set_volunteer_hours(static_cast<double>(it->second.tenths) / 10);
    by_item.erase(it);
  }
  // Entries of no item, or of an item since taken off the list, still count somewhere.
  for (const auto& [code, tally] : by_item) {
    unlisted.entries += tally.entries;
    unlisted.tenths += tally.tenths;
  }
  if (unlisted.entries > 0) {
    auto* out = report.add_items();
    out->set_entries(unlisted.entries);
    out->set_volunteer_hours(static_cast<double>(unlisted.tenths) / 10);
  }
  for (const auto& [type, count] : by_type) {
    auto* out = report.add_types();
    out->set_type(static_cast<v1::LedgerEntryType>(type));
    out->set_entries(count);
  }
  report.set_entries(total.entries);
  report.set_volunteer_hours(static_cast<double>(total.tenths) / 10);
  report.set_hardship_hidden(!hardship);
  return report;
}

absl::Status Ledger::RequireAttachmentRead(const Caller& caller, uint64_t entry_id,
                                           std::string_view field) const {
  ASSIGN_OR_RETURN(auto entry, Load(caller, entry_id, field));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, entry.organization_id(), field));
  RETURN_IF_ERROR(
      records::RequireLedgerRead(access_, caller, org, "reading a ledger entry's files"));
  if (entry.type() == v1::LEDGER_ENTRY_TYPE_HARDSHIP && !records::SeesHardship(caller, org)) {
    return Denied("reading the files of a hardship file");
  }
  return absl::OkStatus();
}

absl::Status Ledger::RequireAttachmentChange(const Caller& caller, uint64_t entry_id,
                                             std::string_view field) const {
  ASSIGN_OR_RETURN(auto entry, Load(caller, entry_id, field));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, entry.organization_id(), field));
  return Access::RequireManage(caller, org, "attaching files to the ledger");
}

}  // namespace branchline
