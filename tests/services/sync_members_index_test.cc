// A member's pull reads their organisations' members' index (kChangeForMembersByOrg): the
// meetings, notices and plans addressed to them, not every check-in and study record of a
// busy branch. Changes from before that index existed are indexed there by the schema 2
// migration.
#include <gtest/gtest.h>

#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/sync/change_reader.h"
#include "storage/keys.h"
#include "storage/migrations.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

using testing::TempDir;

const uint64_t kRoot = storage::MakeId(1, 1);
const uint64_t kBranch = storage::MakeId(1, 2);
const uint64_t kMember = storage::MakeId(1, 3);

std::unique_ptr<storage::Store> MustOpen(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  auto store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

void Commit(storage::Store& store, std::string_view kind, uint64_t org,
            std::initializer_list<uint64_t> people = {}) {
  storage::WriteSet w;
  RecordChange(w, kind, storage::MakeId(1, 1000), org, "created", people);
  ASSERT_TRUE(store.Commit(std::move(w)).ok());
}

std::vector<std::string> Kinds(const ChangePage& page) {
  std::vector<std::string> kinds;
  for (const auto& c : page.changes) kinds.push_back(c.kind());
  return kinds;
}

TEST(MembersChangeIndex, APullStepsOnlyOverWhatMembersSee) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  EXPECT_EQ(store->MembersChangeIndexFrom(), 0u) << "a new database has the index from the start";
  Commit(*store, "meeting", kBranch);
  for (int i = 0; i < 300; ++i) Commit(*store, i % 2 ? "attendance" : "study_record", kBranch);
  Commit(*store, "notice", kRoot);
  Commit(*store, "leave_request", kBranch, {kMember});  // personal: always theirs

  ChangeReader reader(*store);
  CallCancellationScope never([] { return false; });
  auto page = reader.ForPerson(kMember, {kRoot, kBranch}, true, 0, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Kinds(*page), (std::vector<std::string>{"meeting", "notice", "leave_request"}));
  EXPECT_EQ(CancellationSteps(), 3u) << "the pull stepped over check-ins and study records";
  // The feed still sees everything.
  int feed_entries = 0;
  ASSERT_TRUE(store
                  ->Scan(storage::Cf::kIndex, storage::ChangeByOrgPrefix(kBranch), "",
                         [&](auto, auto) { return ++feed_entries, true; })
                  .ok());
  EXPECT_EQ(feed_entries, 302);
}

TEST(MembersChangeIndex, ChangesFromBeforeTheIndexAreIndexedByTheSchema2Migration) {
  TempDir dir;
  {
    // As a build before the members' index wrote them, into a schema 1 database: no
    // members_see, no members' index entry, no kind in the organisation index, and no record
    // of where the members' index starts.
    auto store = MustOpen(dir.Sub("db"));
    storage::WriteSet w;
    internal::v1::ChangeRecord old_meeting;
    old_meeting.set_kind("meeting");
    old_meeting.set_organization_id(kBranch);
    w.AddChange(1, old_meeting);
    internal::v1::ChangeRecord old_check_in;
    old_check_in.set_kind("attendance");
    old_check_in.set_organization_id(kBranch);
    w.AddChange(1, old_check_in);
    w.Delete(storage::Cf::kMeta, storage::MembersChangeIndexFromKey());
    w.Put(storage::Cf::kMeta, storage::SchemaVersionKey(), storage::KeyBuilder().U32(1).key());
    ASSERT_TRUE(store->Commit(std::move(w)).ok());
    storage::WriteSet unkind;
    unkind.Put(storage::Cf::kIndex, storage::ChangeByOrgKey(kBranch, 1), "");
    unkind.Put(storage::Cf::kIndex, storage::ChangeByOrgKey(kBranch, 2), "");
    ASSERT_TRUE(store->Commit(std::move(unkind)).ok());
  }
  auto store = MustOpen(dir.Sub("db"));
  EXPECT_EQ(store->MembersChangeIndexFrom(), 0u) << "the migration indexed the older changes";
  for (uint64_t seq : {1, 2}) {
    auto kind = store->Get(storage::Cf::kIndex, storage::ChangeByOrgKey(kBranch, seq));
    ASSERT_TRUE(kind.ok() && kind->has_value());
    EXPECT_EQ(**kind, seq == 1 ? "meeting" : "attendance");
  }
  Commit(*store, "meeting", kBranch);
  Commit(*store, "attendance", kBranch);

  ChangeReader reader(*store);
  auto all = reader.ForPerson(kMember, {kRoot, kBranch}, true, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(Kinds(*all), (std::vector<std::string>{"meeting", "meeting"}));
  EXPECT_EQ(all->changes[0].sequence(), 1u);
  EXPECT_EQ(all->changes[1].sequence(), 3u);
  auto since_old = reader.ForPerson(kMember, {kRoot, kBranch}, true, 1, 100);
  ASSERT_TRUE(since_old.ok());
  ASSERT_EQ(since_old->changes.size(), 1u);
  EXPECT_EQ(since_old->changes[0].sequence(), 3u);
  store.reset();
  EXPECT_EQ(MustOpen(dir.Sub("db"))->MembersChangeIndexFrom(), 0u);
}

// Issue #19: a member-visible change for part of an organisation reaches only that part. A
// notice for one person, as logged before (indexed for the whole organisation), reaches
// only that person; a meeting for a group reaches the group, not the rest of the branch.
TEST(MembersChangeIndex, APullSkipsChangesForSomeoneElse) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  const uint64_t group = storage::MakeId(1, 4), colleague = storage::MakeId(1, 5);
  storage::WriteSet w;
  internal::v1::ChangeRecord old_notice;  // as RecordChange logged a person-addressed notice
  old_notice.set_kind("notice");
  old_notice.set_organization_id(kBranch);
  old_notice.set_members_see(true);
  old_notice.add_person_ids(colleague);
  w.AddChange(1, old_notice);
  Addressees for_group;
  for_group.organizations = {group};
  RecordAudienceChange(w, "meeting", storage::MakeId(1, 1001), kBranch, "created", for_group);
  Addressees for_branch;
  for_branch.organizations = {kBranch};
  RecordAudienceChange(w, "meeting", storage::MakeId(1, 1002), kBranch, "created", for_branch);
  ASSERT_TRUE(store->Commit(std::move(w)).ok());

  ChangeReader reader(*store);
  auto branch_member = reader.ForPerson(kMember, {kRoot, kBranch}, true, 0, 100);
  ASSERT_TRUE(branch_member.ok()) << branch_member.status();
  ASSERT_EQ(branch_member->changes.size(), 1u);
  EXPECT_EQ(branch_member->changes[0].record_id(), storage::MakeId(1, 1002));
  auto group_member = reader.ForPerson(colleague, {kRoot, kBranch, group}, true, 0, 100);
  ASSERT_TRUE(group_member.ok()) << group_member.status();
  EXPECT_EQ(Kinds(*group_member), (std::vector<std::string>{"notice", "meeting", "meeting"}));
}

}  // namespace
}  // namespace branchline
