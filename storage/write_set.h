#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "branchline/internal/v1/records.pb.h"
#include "storage/column_families.h"

namespace google::protobuf {
class MessageLite;
}

namespace branchline::storage {

// One logical write: records, their index entries, their change-log entries and the
// idempotency entry, committed atomically by Store::Commit. Not thread-safe.
class WriteSet {
 public:
  void Put(Cf cf, std::string key, std::string value);
  void PutMessage(Cf cf, std::string key, const google::protobuf::MessageLite& message);
  void Delete(Cf cf, std::string key);
  // Writes `value` under `key` only where the key has no value yet; otherwise the commit
  // fails with ALREADY_EXISTS and writes nothing. For guards that servers sharing a database
  // may race to write (a notification sent once: Outbox::Write): atomic against
  // other guarded writes of the key on both engines. The key is not also put or deleted in
  // the same set. Store::Commit only: CommitAsync refuses such a set, since a failing guard
  // would fail the rest of its group commit with it.
  void PutIfAbsent(Cf cf, std::string key, std::string value);
  bool has_guards() const;
  // Appends a change-log entry for `tenant`; the store assigns its sequence, and its commit
  // time unless `change` has one.
  void AddChange(uint32_t tenant, internal::v1::ChangeRecord change);

  bool empty() const { return ops_.empty() && changes_.empty(); }

 private:
  friend class Store;
  struct Op {
    Cf cf;
    bool is_delete;
    std::string key;
    std::string value;
    bool if_absent = false;
  };
  std::vector<Op> ops_;
  std::vector<std::pair<uint32_t, internal::v1::ChangeRecord>> changes_;
};

}  // namespace branchline::storage
