#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/organizations.pb.h"
#include "branchline/v1/records.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// The activity ledger (RecordsService): what a branch did outside meetings, counted by the
// ledger items its organisation (or the nearest ancestor that set them) configures.
//
// Storage (kRecords): an organisation's item list whole at storage::LedgerItemsKey(org) (at
// most 200 codes, read once per call), an entry at LedgerEntryKey(id) with a
// kLedgerEntryBySubtree entry for its organisation and each ancestor keyed by the negated
// date, so a subtree's entries of a period are one range scan, newest first. Entries are
// voided, never deleted: an inspection sees what was withdrawn and why. Every call is one
// atomic commit, idempotent by request_id. Thread-safe.
class Ledger {
 public:
  static constexpr int kMaxMajors = 20;
  static constexpr int kMaxMinorsPerMajor = 30;
  static constexpr int kMaxCodes = 200;
  static constexpr int kMaxPeople = 100;
  static constexpr int kMaxNames = 50;
  static constexpr int kMaxReportDays = 366;

  Ledger(storage::Store& store, const Access& access, const PeopleDirectory& people,
         const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  // Replaces an organisation's items (its managers).
  absl::StatusOr<v1::LedgerItems> SetItems(const Caller& caller,
                                           const v1::SetLedgerItemsRequest& request);
  // The items in force for an organisation (RequireLedgerRead).
  absl::StatusOr<v1::LedgerItems> ListItems(const Caller& caller,
                                            const v1::ListLedgerItemsRequest& request) const;
  absl::StatusOr<v1::LedgerEntry> Create(const Caller& caller,
                                         const v1::CreateLedgerEntryRequest& request);
  absl::StatusOr<v1::LedgerEntry> Update(const Caller& caller,
                                         const v1::UpdateLedgerEntryRequest& request);
  absl::StatusOr<v1::LedgerEntry> Void(const Caller& caller,
                                       const v1::VoidLedgerEntryRequest& request);
  absl::StatusOr<v1::ListLedgerEntriesResponse> List(
      const Caller& caller, const v1::ListLedgerEntriesRequest& request) const;
  absl::StatusOr<v1::LedgerReport> Report(const Caller& caller,
                                          const v1::GetLedgerReportRequest& request) const;

  // The rules of the files attached to an entry (FileService, ATTACHMENT_TARGET_LEDGER_ENTRY):
  // the entry's readers read them (a hardship file's only its managers), its managers attach
  // them. NOT_FOUND naming `field` for an entry the caller's tenant does not have.
  absl::Status RequireAttachmentRead(const Caller& caller, uint64_t entry_id,
                                     std::string_view field) const;
  absl::Status RequireAttachmentChange(const Caller& caller, uint64_t entry_id,
                                       std::string_view field) const;

 private:
  // The list of `org` or of its nearest ancestor that has one (inherited_from says which; 0
  // and no majors when none has).
  absl::StatusOr<v1::LedgerItems> ItemsInForce(const v1::Organization& org) const;
  // An entry of the caller's tenant; NOT_FOUND naming `field` otherwise.
  absl::StatusOr<v1::LedgerEntry> Load(const Caller& caller, uint64_t id,
                                       std::string_view field) const;
  // Checks the client fields of `entry` for `org` (INVALID_ARGUMENT / NOT_FOUND naming
  // "entry.<field>", FAILED_PRECONDITION UNKNOWN_ITEM) and returns its date's local day.
  absl::StatusOr<int64_t> CheckEntry(const Caller& caller, const v1::LedgerEntry& entry,
                                     const v1::Organization& org, int64_t now) const;
  // Visits the entries of `org`'s subtree dated from_day..to_day, newest first, starting
  // after `start_after` when set; stops when `visit` returns false.
  absl::Status ScanPeriod(
      uint64_t org, int64_t from_day, int64_t to_day, const std::string& start_after,
      const std::function<absl::StatusOr<bool>(std::string_view key, const v1::LedgerEntry&)>&
          visit) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
