#include "services/common/mutation.h"

#include <openssl/sha.h>

#include "branchline/internal/v1/records.pb.h"
#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

absl::Status CommitMutation(Mutation& m) {
  if (m.writes_.empty()) return absl::OkStatus();
  auto status = m.store_.Commit(std::move(m.writes_));
  m.writes_ = storage::WriteSet();
  return status;
}

absl::Status CheckRequestId(std::string_view request_id) {
  if (request_id.empty()) return InvalidField("request_id", "is required (a client-generated id)");
  if (request_id.size() > 64) return InvalidField("request_id", "must be at most 64 characters");
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) return InvalidField("request_id", "must be printable ASCII");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RunIdempotentRaw(
    storage::Store& store, const IdempotencyScope& scope, const google::protobuf::Message& request,
    int64_t now_micros, const std::function<absl::StatusOr<std::string>(Mutation&)>& work) {
  RETURN_IF_ERROR(CheckRequestId(scope.request_id));
  std::string key = storage::IdempotencyKey(scope.tenant, scope.caller_id, scope.request_id);
  std::string serialized;
  request.SerializeToString(&serialized);
  std::string hash(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(serialized.data()), serialized.size(),
         reinterpret_cast<unsigned char*>(hash.data()));

  auto request_guard = store.request_locks().Lock(key);
  internal::v1::IdempotencyRecord record;
  ASSIGN_OR_RETURN(bool seen, store.GetMessage(storage::Cf::kIdempotency, key, &record));
  if (seen) {
    if (record.method() != scope.method || record.request_hash() != hash) {
      return FieldError(absl::StatusCode::kAlreadyExists, "request_id",
                        "was already used for a different request");
    }
    return std::move(*record.mutable_response());
  }

  Mutation mutation(store);
  ASSIGN_OR_RETURN(std::string response, work(mutation));
  record.set_method(std::string(scope.method));
  record.set_request_hash(hash);
  record.set_response(response);
  *record.mutable_create_time() = ToTimestamp(now_micros);
  mutation.writes().PutMessage(storage::Cf::kIdempotency, key, record);
  RETURN_IF_ERROR(CommitMutation(mutation));
  return response;
}

}  // namespace branchline
