#include "services/sync/change_feed.h"

#include <algorithm>

#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "services/sync/cursor.h"
#include "storage/key_codec.h"

namespace branchline {

namespace {
absl::StatusOr<int> ChangePageSize(int requested) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  return requested == 0 ? 100 : std::min(requested, 1000);
}
}  // namespace

v1::Change ChangeFeed::ToApi(const internal::v1::ChangeRecord& record, bool with_people) {
  v1::Change change;
  change.set_sequence(record.sequence());
  change.set_kind(record.kind());
  change.set_record_id(record.record_id());
  change.set_organization_id(record.organization_id());
  change.set_action(record.action());
  *change.mutable_commit_time() = record.commit_time();
  if (with_people) *change.mutable_person_ids() = record.person_ids();
  return change;
}

absl::StatusOr<ChangeInterest> ChangeFeed::PersonInterest(const Caller& caller) const {
  ChangeInterest interest;
  interest.holder_id = caller.person_id;
  interest.person_id = caller.person_id;
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "caller"));
  // A service account is no member: what happens in its organisations reaches it only through
  // ListFeed, within SCOPE_FEED_READ. Following its organisation chain here told a service
  // account without that scope of every meeting, plan and notice of its branch and above.
  if (caller.service_account) return interest;
  interest.org_chain.push_back(own.id());
  for (uint64_t a : own.ancestor_ids()) interest.org_chain.push_back(a);
  interest.party_member = Access::IsPartyMember(caller.role);
  return interest;
}

absl::StatusOr<ChangeInterest> ChangeFeed::FeedInterest(const Caller& caller,
                                                        uint64_t root_id) const {
  ASSIGN_OR_RETURN(auto root, access_.LoadOrg(caller, root_id, "organization_id"));
  if (!Access::ServiceMay(caller, root, v1::SCOPE_FEED_READ) && !Access::Manages(caller, root)) {
    return Denied("following the feed of organization " + std::to_string(root.id()) +
                  " needs SCOPE_FEED_READ or managing it");
  }
  ChangeInterest interest;
  interest.holder_id = caller.person_id;
  interest.feed = true;
  interest.feed_root = std::move(root);
  return interest;
}

absl::StatusOr<ChangePage> ChangeFeed::Read(const ChangeInterest& interest, uint64_t after,
                                            int limit) const {
  auto page = interest.feed ? reader_.ForSubtree(interest.feed_root, after, limit)
                            : reader_.ForPerson(interest.person_id, interest.org_chain,
                                                interest.party_member, after, limit);
  // Checked after reading: retention may have deleted part of this range while it was read,
  // and the pruner raises the mark before deleting, so a gap is always caught here.
  if (page.ok() && after < PrunedThrough(interest)) return CursorExpired();
  return page;
}

uint64_t ChangeFeed::PrunedThrough(const ChangeInterest& interest) const {
  return store_.ChangesPrunedThrough(storage::TenantOfId(interest.holder_id));
}

absl::StatusOr<uint64_t> ChangeFeed::Position(const ChangeInterest& interest,
                                              std::string_view cursor) const {
  return DecodeCursor(cursor, interest.holder_id, store_.StableChangeSequence(),
                      PrunedThrough(interest));
}

absl::StatusOr<v1::ListChangesResponse> ChangeFeed::ListChanges(
    const Caller& caller, const v1::ListChangesRequest& request) const {
  ASSIGN_OR_RETURN(int limit, ChangePageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto interest, PersonInterest(caller));
  ASSIGN_OR_RETURN(uint64_t after, Position(interest, request.cursor()));
  ASSIGN_OR_RETURN(auto page, Read(interest, after, limit));
  v1::ListChangesResponse response;
  for (const auto& c : page.changes) *response.add_changes() = ToApi(c);
  response.set_next_cursor(EncodeCursor(interest.holder_id, page.next_sequence));
  response.set_has_more(page.has_more);
  return response;
}

absl::StatusOr<v1::ListFeedResponse> ChangeFeed::ListFeed(
    const Caller& caller, const v1::ListFeedRequest& request) const {
  ASSIGN_OR_RETURN(int limit, ChangePageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto interest, FeedInterest(caller, request.organization_id()));
  ASSIGN_OR_RETURN(uint64_t after, Position(interest, request.cursor()));
  ASSIGN_OR_RETURN(auto page, Read(interest, after, limit));
  v1::ListFeedResponse response;
  for (const auto& c : page.changes) *response.add_changes() = ToApi(c, /*with_people=*/true);
  response.set_next_cursor(EncodeCursor(interest.holder_id, page.next_sequence));
  response.set_has_more(page.has_more);
  return response;
}

}  // namespace branchline
