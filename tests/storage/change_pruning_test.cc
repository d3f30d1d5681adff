#include "storage/change_pruning.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/key_codec.h"
#include "storage/keys.h"
#include "tests/support/temp_dir.h"

namespace branchline::storage {
namespace {

using branchline::testing::TempDir;

constexpr int64_t kFarFuture = 4'000'000'000'000'000;  // year 2096, in microseconds

std::unique_ptr<Store> MustOpen(const std::string& path) {
  StoreOptions o;
  o.path = path;
  o.write_buffer_size = 64 << 10;
  auto store = Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

// Commits one change of tenant 1 addressed to `org` and `person`.
void CommitChange(Store& store, uint64_t org, uint64_t person) {
  WriteSet w;
  internal::v1::ChangeRecord change;
  change.set_kind("notice");
  change.set_record_id(MakeId(1, 1000));
  change.set_organization_id(org);
  change.set_members_see(true);
  change.add_person_ids(person);
  w.AddChange(1, change);
  EXPECT_TRUE(store.Commit(std::move(w)).ok());
}

// Commits one change as above and returns it as stored (with no pruner running).
internal::v1::ChangeRecord Change(Store& store, uint64_t org, uint64_t person) {
  CommitChange(store, org, person);
  internal::v1::ChangeRecord stored;
  auto found = store.GetMessage(Cf::kChanges, ChangeKey(1, store.StableChangeSequence()), &stored);
  EXPECT_TRUE(found.ok() && *found);
  return stored;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1'000;
}

int CountKeys(const Store& store, Cf cf, const std::string& prefix) {
  int n = 0;
  EXPECT_TRUE(store.Scan(cf, prefix, "", [&](auto, auto) { return ++n, true; }).ok());
  return n;
}

const uint64_t kOrg = MakeId(1, 10);
const uint64_t kPerson = MakeId(1, 11);

TEST(ChangePruning, DeletesOldEntriesWithTheirIndexesAsAPrefixAndRecordsTheMark) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  std::vector<internal::v1::ChangeRecord> changes;
  for (int i = 0; i < 8; ++i) changes.push_back(Change(*store, kOrg, kPerson));
  // The horizon is the commit time of the 5th change: strictly older ones go, it stays.
  const int64_t horizon = Micros(changes[4].commit_time());
  uint64_t expected = 0;
  for (const auto& c : changes) expected += Micros(c.commit_time()) < horizon;

  auto result = PruneChanges(*store, horizon, 1000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->deleted, expected);
  EXPECT_FALSE(result->more);
  EXPECT_EQ(store->ChangesPrunedThrough(1), changes[expected - 1].sequence());
  EXPECT_EQ(CountKeys(*store, Cf::kChanges, KeyBuilder(1).key()), 8 - static_cast<int>(expected));
  EXPECT_EQ(CountKeys(*store, Cf::kIndex, ChangeByOrgPrefix(kOrg)), 8 - static_cast<int>(expected));
  EXPECT_EQ(CountKeys(*store, Cf::kIndex, ChangeForMembersByOrgPrefix(kOrg)),
            8 - static_cast<int>(expected));
  EXPECT_EQ(CountKeys(*store, Cf::kIndex, ChangeByPersonPrefix(kPerson)),
            8 - static_cast<int>(expected));
  // The kept entries are exactly the newest ones.
  for (size_t i = 0; i < changes.size(); ++i) {
    auto v = store->Get(Cf::kChanges, ChangeKey(1, changes[i].sequence()));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->has_value(), i >= expected) << i;
  }
  // Nothing older is left: a second run deletes nothing.
  auto again = PruneChanges(*store, horizon, 1000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->deleted, 0u);
}

TEST(ChangePruning, WorksInBoundedBatches) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  for (int i = 0; i < 10; ++i) Change(*store, kOrg, kPerson);
  std::vector<uint64_t> batches;
  for (;;) {
    auto result = PruneChanges(*store, kFarFuture, 3);
    ASSERT_TRUE(result.ok());
    batches.push_back(result->deleted);
    if (!result->more) break;
    ASSERT_LT(batches.size(), 10u);
  }
  EXPECT_EQ(batches, (std::vector<uint64_t>{3, 3, 3, 1}));
  EXPECT_EQ(CountKeys(*store, Cf::kChanges, KeyBuilder(1).key()), 0);
  EXPECT_EQ(store->ChangesPrunedThrough(1), store->StableChangeSequence());
  EXPECT_EQ(store->ChangesPrunedThrough(2), 0u);  // other tenants untouched
}

// With every entry deleted, the sequence must still continue after a restart: starting again
// at 1 would make old cursors point into new changes.
TEST(ChangePruning, SequencesNeverRestartAfterEverythingWasPruned) {
  TempDir dir;
  uint64_t last = 0;
  {
    auto store = MustOpen(dir.Sub("db"));
    for (int i = 0; i < 5; ++i) last = Change(*store, kOrg, kPerson).sequence();
    ASSERT_TRUE(PruneChanges(*store, kFarFuture, 1000).ok());
    ASSERT_EQ(CountKeys(*store, Cf::kChanges, KeyBuilder(1).key()), 0);
  }
  auto store = MustOpen(dir.Sub("db"));
  EXPECT_EQ(store->StableChangeSequence(), last);
  EXPECT_EQ(store->ChangesPrunedThrough(1), last);  // the mark survives the restart
  EXPECT_EQ(Change(*store, kOrg, kPerson).sequence(), last + 1);
}

// Pruning runs while a writer commits and a reader follows the log. The reader does what
// ChangeFeed does: read after its position, then check the mark. Whenever the mark says its
// position is still valid, what it read must have no gap: the pruner raises the mark before
// its deletions become visible.
TEST(ChangePruning, AReaderNeverSeesAGapTheMarkDoesNotCover) {
  TempDir dir;
  auto store = MustOpen(dir.Sub("db"));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    // Not Change(): the pruner may delete a change before it could be read back.
    for (int i = 0; i < 600; ++i) CommitChange(*store, kOrg, kPerson);
    done = true;
  });
  std::thread pruner([&] {
    while (!done) ASSERT_TRUE(PruneChanges(*store, kFarFuture, 7).ok());
  });
  int valid_reads = 0, expired_reads = 0;
  while (!done) {
    const uint64_t after = store->ChangesPrunedThrough(1);
    const uint64_t stable = store->StableChangeSequence();
    std::vector<uint64_t> seen;
    ASSERT_TRUE(store
                    ->Scan(Cf::kChanges, KeyBuilder(1).key(), ChangeKey(1, after),
                           [&](std::string_view key, auto) {
                             KeyReader r(key);
                             r.U32();
                             uint64_t seq = r.U64().value_or(0);
                             if (seq > stable) return false;
                             seen.push_back(seq);
                             return true;
                           })
                    .ok());
    if (store->ChangesPrunedThrough(1) > after) {
      ++expired_reads;  // ChangeFeed answers CURSOR_EXPIRED here
      continue;
    }
    ++valid_reads;
    ASSERT_EQ(seen.size(), stable - after) << "a gap after " << after;
    for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], after + 1 + i);
  }
  writer.join();
  pruner.join();
  EXPECT_GT(valid_reads, 0);
  std::printf("%d valid reads, %d expired while pruning ran\n", valid_reads, expired_reads);
}

}  // namespace
}  // namespace branchline::storage
