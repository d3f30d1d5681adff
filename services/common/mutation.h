#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "services/common/encoded.h"
#include "storage/store.h"

namespace branchline {

// What one mutating call writes: the staged records plus the record locks that must stay
// held until the commit, so a read-modify-write cannot interleave with another. Not
// thread-safe; lives for one call.
class Mutation {
 public:
  explicit Mutation(storage::Store& store) : store_(store) {}

  storage::WriteSet& writes() { return writes_; }
  // Locks `keys` (record locks) until the mutation is committed or dropped. Call once per
  // mutation with every key to be read-modified-written, before reading them. On a shared
  // database the locks join the transaction of the ones already held (one connection per
  // mutation).
  void Lock(const std::vector<std::string_view>& keys) {
    guards_.push_back(
        store_.record_locks().Lock(keys, guards_.empty() ? nullptr : &guards_.back()));
  }
  // Keeps `guard` (say, the request lock of an idempotent call) held as long as the locks.
  void Hold(storage::KeyLocks::Guard guard) { guards_.push_back(std::move(guard)); }
  storage::Store& store() { return store_; }

 private:
  friend absl::Status CommitMutation(Mutation& m);
  friend void CommitMutationAsync(Mutation m, storage::CommitDone done);
  storage::Store& store_;
  storage::WriteSet writes_;
  std::vector<storage::KeyLocks::Guard> guards_;
};

// Commits the staged writes atomically; the locks are released afterwards.
absl::Status CommitMutation(Mutation& m);
// The same without waiting (Store::CommitAsync): `done` runs once the writes are durable or
// failed, on the committer's thread, and the locks are released right after it.
void CommitMutationAsync(Mutation m, storage::CommitDone done);

// OK for 1..64 printable ASCII characters; else INVALID_ARGUMENT naming "request_id".
absl::Status CheckRequestId(std::string_view request_id);

// Who asks and under which request id: the identity of an idempotent call.
struct IdempotencyScope {
  uint32_t tenant = 0;
  uint64_t caller_id = 0;
  std::string_view request_id;
  std::string_view method;
};

// The work of an idempotent call: validates, stages its writes in the Mutation and returns
// the serialized response.
using IdempotentWork = std::function<absl::StatusOr<std::string>(Mutation&)>;

// Runs a mutating call at most once per (tenant, caller, request_id).
//
// The commit also holds the audit record of the write when the caller is named
// (services/common/audit_trail.h): a failed call or a replay leaves none.
//
// The first call runs `work`, which validates, stages its writes in the Mutation and
// returns the response; the response is stored with the writes in one atomic commit. A
// retry with the same request id returns the stored response and writes nothing. A retry
// whose request differs is ALREADY_EXISTS; failed calls store nothing, so they may be
// retried. Concurrent calls with the same id serialise on a request lock.
absl::StatusOr<std::string> RunIdempotentRaw(storage::Store& store, const IdempotencyScope& scope,
                                             const google::protobuf::Message& request,
                                             int64_t now_micros, const IdempotentWork& work);
// The same for asynchronous handlers: everything up to the commit runs on the calling
// thread; `done` runs there too when there is nothing to commit (a replay, an error), else
// on the committer's thread once the commit is durable or failed. The call's locks are held
// until then.
void RunIdempotentRawAsync(storage::Store& store, const IdempotencyScope& scope,
                           const google::protobuf::Message& request, int64_t now_micros,
                           const IdempotentWork& work,
                           std::function<void(absl::StatusOr<std::string>)> done);

template <typename Response>
IdempotentWork SerializingWork(const std::function<absl::StatusOr<Response>(Mutation&)>& work) {
  return [&work](Mutation& m) -> absl::StatusOr<std::string> {
    auto response = work(m);
    if (!response.ok()) return response.status();
    return response->SerializeAsString();
  };
}

template <typename Response>
absl::StatusOr<Response> RunIdempotent(
    storage::Store& store, const IdempotencyScope& scope, const google::protobuf::Message& request,
    int64_t now_micros, const std::function<absl::StatusOr<Response>(Mutation&)>& work) {
  auto bytes = RunIdempotentRaw(store, scope, request, now_micros, SerializingWork(work));
  if (!bytes.ok()) return bytes.status();
  return Encoded<Response>{std::move(*bytes)}.Decode();
}

// The answer is the response as stored (Encoded): the handler sends those bytes as they are.
template <typename Response>
void RunIdempotentAsync(storage::Store& store, const IdempotencyScope& scope,
                        const google::protobuf::Message& request, int64_t now_micros,
                        const std::function<absl::StatusOr<Response>(Mutation&)>& work,
                        std::function<void(absl::StatusOr<Encoded<Response>>)> done) {
  RunIdempotentRawAsync(store, scope, request, now_micros, SerializingWork(work),
                        [done = std::move(done)](absl::StatusOr<std::string> bytes) {
                          if (!bytes.ok()) return done(bytes.status());
                          done(Encoded<Response>{std::move(*bytes)});
                        });
}

}  // namespace branchline
