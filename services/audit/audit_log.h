#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/audit.pb.h"
#include "services/auth/access.h"
#include "services/common/clock.h"
#include "services/common/periodic_thread.h"
#include "storage/store.h"

namespace branchline {

// Reads and keeps the audit trail that every named write leaves in its own commit
// (services/common/audit_trail.h writes it): lists and exports it for administrators of an
// organisation or an ancestor, and deletes records older than the retention on a timer.
// Thread-safe.
class AuditLog {
 public:
  // Records examined per ListAuditRecords page at most (a narrow filter over a long period
  // answers a short page with a token rather than hold the server).
  static constexpr int kScanBudget = 5000;
  static constexpr int kMaxPageSize = 500;
  static constexpr int kMaxExportRecords = 100'000;
  static constexpr int64_t kDefaultRetentionDays = 3 * 365;

  AuditLog(storage::Store& store, const Access& access, const Clock& clock,
           int64_t retention_micros)
      : store_(store), access_(access), clock_(clock), retention_micros_(retention_micros) {}

  absl::StatusOr<v1::ListAuditRecordsResponse> List(const Caller& caller,
                                                    const v1::ListAuditRecordsRequest& request);
  // The CSV file (UTF-8 with BOM) of ExportAuditRecords.
  absl::StatusOr<std::string> ExportCsv(const Caller& caller,
                                        const v1::ExportAuditRecordsRequest& request);

  // Deletes every record older than the retention now; returns how many.
  absl::StatusOr<uint64_t> PruneNow();
  // Starts the retention timer (once); stopped by the destructor.
  void Start(int64_t interval_micros);

 private:
  struct Query;
  absl::StatusOr<Query> Prepare(const Caller& caller, const v1::ListAuditRecordsRequest& r) const;
  // Visits the query's records newest first after `page_token`, up to `budget` examined;
  // returns the key to resume after (empty when the range is done).
  absl::StatusOr<std::string> Visit(const Query& q, std::string_view page_token, int budget,
                                    const std::function<bool(v1::AuditRecord)>& take) const;
  absl::StatusOr<uint64_t> PruneTenant(uint32_t tenant, int64_t cutoff);
  void FillNames(v1::AuditRecord& record) const;

  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
  const int64_t retention_micros_;
  std::mutex prune_mu_;
  PeriodicThread timer_;  // last: stops first
};

}  // namespace branchline
