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
  };
  std::vector<Op> ops_;
  std::vector<std::pair<uint32_t, internal::v1::ChangeRecord>> changes_;
};

}  // namespace branchline::storage
