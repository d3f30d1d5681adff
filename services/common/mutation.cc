#include "services/common/mutation.h"

#include <openssl/sha.h>

#include <memory>
#include <optional>

#include "branchline/internal/v1/records.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

namespace {

// A lock another server would also have taken but this one could not (the database out of
// reach): committing would not be serialised with that server's writes.
absl::Status LocksHeld(const std::vector<storage::KeyLocks::Guard>& guards) {
  for (const auto& guard : guards) {
    if (!guard.status().ok()) return guard.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CommitMutation(Mutation& m) {
  if (m.writes_.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(LocksHeld(m.guards_));
  auto status = m.store_.Commit(std::move(m.writes_));
  m.writes_ = storage::WriteSet();
  return status;
}

void CommitMutationAsync(Mutation m, storage::CommitDone done) {
  if (auto held = LocksHeld(m.guards_); !held.ok()) return done(held);
  storage::Store& store = m.store_;
  storage::WriteSet writes = std::move(m.writes_);
  // The locks travel with `done` and are released right after it ran (on the committer's
  // thread, KeyLocks allows that).
  auto guards = std::make_shared<std::vector<storage::KeyLocks::Guard>>(std::move(m.guards_));
  store.CommitAsync(std::move(writes),
                    [guards = std::move(guards), done = std::move(done)](absl::Status status) {
                      done(std::move(status));
                      guards->clear();
                    });
}

absl::Status CheckRequestId(std::string_view request_id) {
  if (request_id.empty()) return InvalidField("request_id", "is required (a client-generated id)");
  if (request_id.size() > 64) return InvalidField("request_id", "must be at most 64 characters");
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) return InvalidField("request_id", "must be printable ASCII");
  }
  return absl::OkStatus();
}

namespace {

// An idempotent call up to its commit: the answer, and the writes that must be durable before
// it may be given (none for a replay or a failure). The writes hold the call's locks.
struct StagedCall {
  absl::StatusOr<std::string> response;
  std::optional<Mutation> writes;
};

StagedCall StageIdempotent(storage::Store& store, const IdempotencyScope& scope,
                           const google::protobuf::Message& request, int64_t now_micros,
                           const IdempotentWork& work) {
  if (auto status = CheckRequestId(scope.request_id); !status.ok()) return {status, {}};
  std::string key = storage::IdempotencyKey(scope.tenant, scope.caller_id, scope.request_id);
  std::string serialized;
  request.SerializeToString(&serialized);
  std::string hash(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(serialized.data()), serialized.size(),
         reinterpret_cast<unsigned char*>(hash.data()));

  auto request_guard = store.request_locks().Lock(key);
  internal::v1::IdempotencyRecord record;
  auto seen = store.GetMessage(storage::Cf::kIdempotency, key, &record);
  if (!seen.ok()) return {seen.status(), {}};
  if (*seen) {
    if (record.method() != scope.method || record.request_hash() != hash) {
      return {DescribedRefusal(absl::StatusCode::kAlreadyExists, reasons::kRequestIdReused,
                               "request_id", "was already used for a different request"),
              {}};
    }
    return {std::move(*record.mutable_response()), {}};
  }

  Mutation mutation(store);
  mutation.Hold(std::move(request_guard));  // before the record locks: released after them
  auto response = work(mutation);
  if (!response.ok()) return {response.status(), {}};
  record.set_method(std::string(scope.method));
  record.set_request_hash(hash);
  record.set_response(*response);
  *record.mutable_create_time() = ToTimestamp(now_micros);
  mutation.writes().PutMessage(storage::Cf::kIdempotency, key, record);
  StageAuditRecord(mutation.writes(), scope.tenant, scope.caller_id, scope.method, request,
                   now_micros, scope.request_id);
  return {std::move(response), std::move(mutation)};
}

}  // namespace

absl::StatusOr<std::string> RunIdempotentRaw(storage::Store& store, const IdempotencyScope& scope,
                                             const google::protobuf::Message& request,
                                             int64_t now_micros, const IdempotentWork& work) {
  StagedCall staged = StageIdempotent(store, scope, request, now_micros, work);
  if (staged.writes) RETURN_IF_ERROR(CommitMutation(*staged.writes));
  return std::move(staged.response);
}

void RunIdempotentRawAsync(storage::Store& store, const IdempotencyScope& scope,
                           const google::protobuf::Message& request, int64_t now_micros,
                           const IdempotentWork& work,
                           std::function<void(absl::StatusOr<std::string>)> done) {
  StagedCall staged = StageIdempotent(store, scope, request, now_micros, work);
  if (!staged.writes) return done(std::move(staged.response));
  CommitMutationAsync(std::move(*staged.writes),
                      [response = std::move(*staged.response),
                       done = std::move(done)](absl::Status status) mutable {
                        if (!status.ok()) return done(std::move(status));
                        done(std::move(response));
                      });
}

}  // namespace branchline
