#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/v1/sync.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/sync/change_reader.h"

namespace branchline {

// Who follows the change log, and from where they see it: a person (their own changes and
// those of their organisation chain) or a feed over a subtree.
struct ChangeInterest {
  uint64_t holder_id = 0;  // the account the cursor belongs to
  uint64_t person_id = 0;  // 0 for a feed
  std::vector<uint64_t> org_chain;
  bool party_member = false;  // receives members-only changes (Access::IsPartyMember)
  bool feed = false;
  v1::Organization feed_root;
};

// ListChanges and ListFeed: authorization, cursors and paging over ChangeReader.
// Thread-safe.
class ChangeFeed {
 public:
  ChangeFeed(const storage::Store& store, const Access& access)
      : store_(store), access_(access), reader_(store) {}

  absl::StatusOr<v1::ListChangesResponse> ListChanges(const Caller& caller,
                                                      const v1::ListChangesRequest& request) const;
  absl::StatusOr<v1::ListFeedResponse> ListFeed(const Caller& caller,
                                                const v1::ListFeedRequest& request) const;

  // The interest of a person following their own changes.
  absl::StatusOr<ChangeInterest> PersonInterest(const Caller& caller) const;
  // The interest of a service account (SCOPE_FEED_READ) or manager following a subtree.
  absl::StatusOr<ChangeInterest> FeedInterest(const Caller& caller, uint64_t root_id) const;
  // Reads up to `limit` changes after `after` for `interest`; CURSOR_EXPIRED when retention
  // has deleted changes after `after`.
  absl::StatusOr<ChangePage> Read(const ChangeInterest& interest, uint64_t after, int limit) const;
  // Decodes a client cursor for `interest` (empty: the current head).
  absl::StatusOr<uint64_t> Position(const ChangeInterest& interest, std::string_view cursor) const;

  // The API form of a change; `with_people` (the feed) includes whom it concerns.
  static v1::Change ToApi(const internal::v1::ChangeRecord& record, bool with_people = false);

 private:
  // The retention mark of the interest's tenant (Store::ChangesPrunedThrough).
  uint64_t PrunedThrough(const ChangeInterest& interest) const;

  const storage::Store& store_;
  const Access& access_;
  ChangeReader reader_;
};

}  // namespace branchline
