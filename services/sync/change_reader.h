#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "storage/store.h"

namespace branchline {

// A page of the change log as one reader sees it.
struct ChangePage {
  std::vector<internal::v1::ChangeRecord> changes;  // ascending sequence
  uint64_t next_sequence = 0;                       // resume after this
  bool has_more = false;
};

// Reads the change log for one person or one subtree. Only sequences at or below the store's
// stable mark are read, so a commit still in flight is never skipped. Thread-safe.
class ChangeReader {
 public:
  explicit ChangeReader(const storage::Store& store) : store_(store) {}

  // Changes after `after` addressed to `person_id`, or to an organisation of `org_chain`
  // (their organisation and its ancestors) with a member-visible kind and, when the change
  // names audience organisations, one of them in `org_chain`; a members-only change only when
  // the person is a `party_member`. At most `limit`.
  absl::StatusOr<ChangePage> ForPerson(uint64_t person_id, const std::vector<uint64_t>& org_chain,
                                       bool party_member, uint64_t after, int limit) const;

  // Every change after `after` whose organisation lies in `root`'s subtree (the feed).
  absl::StatusOr<ChangePage> ForSubtree(const v1::Organization& root, uint64_t after,
                                        int limit) const;

 private:
  const storage::Store& store_;
};

}  // namespace branchline
