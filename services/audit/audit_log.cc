#include "services/audit/audit_log.h"

#include <ctime>
#include <limits>
#include <unordered_set>

#include "branchline/v1/people.pb.h"
#include "services/attendance/attendance_csv.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_walk.h"
#include "spdlog/spdlog.h"
#include "storage/keys.h"

namespace branchline {

struct AuditLog::Query {
  uint32_t tenant = 0;
  std::unordered_set<uint64_t> subtree;  // the organisation and its descendants
  uint64_t person = 0;
  std::string object;
  int64_t from = 0;
  int64_t to = std::numeric_limits<int64_t>::max();
};

namespace {

// "2026-12-03T09:15:02Z"
std::string UtcText(int64_t micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

constexpr size_t kPruneBatch = 1000;

}  // namespace

absl::StatusOr<AuditLog::Query> AuditLog::Prepare(const Caller& caller,
                                                  const v1::ListAuditRecordsRequest& r) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, r.organization_id(), "organization_id"));
  if (!Access::Administers(caller, org)) {
    return Denied("reading the audit trail of an organisation one does not administer");
  }
  Query q;
  q.tenant = storage::TenantOfId(org.id());
  q.subtree.insert(org.id());
  const std::string descendants = storage::OrgDescendantPrefix(org.id());
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, descendants, "",
                              [&](std::string_view key, std::string_view) {
                                storage::KeyReader tail(key.substr(descendants.size()));
                                if (auto id = tail.U64()) q.subtree.insert(*id);
                                return true;
                              }));
  if (r.person_id() != 0 && storage::TenantOfId(r.person_id()) != q.tenant) {
    return FieldError(absl::StatusCode::kInvalidArgument, "person_id",
                      "is not a person of the organisation's tenant");
  }
  q.person = r.person_id();
  if (r.object().size() > 200) return InvalidField("object", "is longer than 200 characters");
  q.object = r.object();
  if (r.has_from_time()) q.from = ToMicros(r.from_time());
  if (r.has_to_time()) q.to = ToMicros(r.to_time());
  if (q.from < 0) return InvalidField("from_time", "is before 1970");
  if (q.to <= q.from) return InvalidField("to_time", "must be after from_time");
  return q;
}

absl::StatusOr<std::string> AuditLog::Visit(
    const Query& q, std::string_view page_token, int budget,
    const std::function<bool(v1::AuditRecord)>& take) const {
  // By person: their index, newest first; else the tenant's whole trail, newest first.
  const storage::Cf cf = q.person ? storage::Cf::kIndex : storage::Cf::kRecords;
  const std::string prefix =
      q.person ? storage::AuditByPersonPrefix(q.person) : storage::AuditPrefix(q.tenant);
  std::string start_before;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(start_before, DecodePageToken(page_token, prefix));
  } else if (q.to != std::numeric_limits<int64_t>::max()) {
    start_before = q.person ? storage::AuditByPersonKey(q.person, q.to, 0)
                            : storage::AuditTimeKey(q.tenant, q.to);
  }
  std::string resume;
  int examined = 0;
  absl::Status failure;
  RETURN_IF_ERROR(store_.ScanReverse(
      cf, prefix, start_before, [&](std::string_view key, std::string_view value) {
        auto parts = q.person ? storage::ParseAuditByPersonKey(q.person, key)
                              : storage::ParseAuditKey(q.tenant, key);
        if (!parts) return true;  // not an audit key (cannot happen under the prefix)
        if (parts->time < q.from) return false;
        v1::AuditRecord record;
        if (q.person) {
          auto found = store_.GetMessage(
              storage::Cf::kRecords,
              storage::AuditKey(q.tenant, parts->time, parts->person, parts->unique), &record);
          if (!found.ok()) {
            failure = found.status();
            return false;
          }
          if (!*found) return true;  // pruned between the two reads
        } else if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          failure = absl::DataLossError("an audit record does not parse");
          return false;
        }
        const bool wanted = q.subtree.count(record.organization_id()) &&
                            (q.object.empty() || record.object() == q.object);
        // Stopping before the range's end (a full page, the budget spent): resume after this.
        if ((wanted && !take(std::move(record))) || ++examined >= budget) {
          resume = std::string(key);
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(failure);
  return resume;
}

void AuditLog::FillNames(v1::AuditRecord& record) const {
  v1::Person person;
  auto found =
      store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(record.person_id()), &person);
  if (found.ok() && *found) record.set_person_name(person.display_name());
}

absl::StatusOr<v1::ListAuditRecordsResponse> AuditLog::List(
    const Caller& caller, const v1::ListAuditRecordsRequest& request) {
  ASSIGN_OR_RETURN(Query q, Prepare(caller, request));
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  page_size = std::min(page_size, kMaxPageSize);  // this service's own, smaller cap
  v1::ListAuditRecordsResponse response;
  ASSIGN_OR_RETURN(std::string resume,
                   Visit(q, request.page_token(), kScanBudget, [&](v1::AuditRecord record) {
                     FillNames(record);
                     *response.add_records() = std::move(record);
                     return response.records_size() < page_size;
                   }));
  if (!resume.empty()) response.set_next_page_token(EncodePageToken(resume));
  return response;
}

absl::StatusOr<std::string> AuditLog::ExportCsv(const Caller& caller,
                                                const v1::ExportAuditRecordsRequest& request) {
  v1::ListAuditRecordsRequest list;
  list.set_organization_id(request.organization_id());
  list.set_person_id(request.person_id());
  list.set_object(request.object());
  if (request.has_from_time()) *list.mutable_from_time() = request.from_time();
  if (request.has_to_time()) *list.mutable_to_time() = request.to_time();
  ASSIGN_OR_RETURN(Query q, Prepare(caller, list));
  std::string csv(attendance::kUtf8Bom);
  csv += attendance::CsvLine({"时间(UTC) time", "人员编号 person_id", "姓名 person_name",
                              "服务账号 service_account", "组织编号 organization_id", "操作 method",
                              "对象 object", "客户端 client"});
  int rows = 0;
  ASSIGN_OR_RETURN(std::string resume,
                   Visit(q, "", std::numeric_limits<int>::max(), [&](v1::AuditRecord record) {
                     FillNames(record);
                     csv += attendance::CsvLine(
                         {UtcText(ToMicros(record.time())), std::to_string(record.person_id()),
                          record.person_name(), record.service_account() ? "是" : "否",
                          std::to_string(record.organization_id()), record.method(),
                          record.object(), record.client()});
                     return ++rows < kMaxExportRecords;
                   }));
  (void)resume;  // an export stops at kMaxExportRecords: narrow the period for more
  return csv;
}

absl::StatusOr<uint64_t> AuditLog::PruneTenant(uint32_t tenant, int64_t cutoff) {
  uint64_t deleted = 0;
  for (;;) {
    storage::WriteSet writes;
    size_t batch = 0;
    bool more = false;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kRecords, storage::AuditPrefix(tenant), "",
                                [&](std::string_view key, std::string_view) {
                                  auto parts = storage::ParseAuditKey(tenant, key);
                                  if (!parts || parts->time >= cutoff) return false;
                                  writes.Delete(storage::Cf::kRecords, std::string(key));
                                  writes.Delete(storage::Cf::kIndex,
                                                storage::AuditByPersonKey(
                                                    parts->person, parts->time, parts->unique));
                                  more = ++batch >= kPruneBatch;
                                  return !more;
                                }));
    if (batch == 0) return deleted;
    RETURN_IF_ERROR(store_.Commit(std::move(writes)));
    deleted += batch;
    if (!more || timer_.Stopping()) return deleted;
  }
}

absl::StatusOr<uint64_t> AuditLog::PruneNow() {
  std::lock_guard lock(prune_mu_);
  const int64_t cutoff = clock_.NowMicros() - retention_micros_;
  uint64_t deleted = 0;
  std::optional<uint32_t> tenant = 0;
  while (!timer_.Stopping()) {
    ASSIGN_OR_RETURN(tenant, NextTenant(store_, *tenant));
    if (!tenant) break;
    ASSIGN_OR_RETURN(uint64_t n, PruneTenant(*tenant, cutoff));
    deleted += n;
  }
  return deleted;
}

void AuditLog::Start(int64_t interval_micros) {
  timer_.Start(interval_micros, [this] {
    if (!store_.LeadsBackgroundWork()) return;  // another server of the database runs it
    auto pruned = PruneNow();
    if (!pruned.ok()) {
      spdlog::warn("audit retention: {}", pruned.status().ToString());
    } else if (*pruned > 0) {
      spdlog::info("audit retention: deleted {} records older than {} days", *pruned,
                   retention_micros_ / 86'400'000'000);
    }
  });
}

}  // namespace branchline
