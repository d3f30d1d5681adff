// The publication of changes held back by RecordChangeLater (an anonymous author's reply or
// rating): nothing reaches the change log before it is due; then each tenant's due changes are
// written in one commit, dated to when they became due, and only once.
#include <gtest/gtest.h>

#include <set>

#include "services/common/changes.h"
#include "services/sync/deferred_changes.h"
#include "storage/keys.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kDue = 1'800'000'000'000'000;  // a due time in 2027

std::vector<internal::v1::ChangeRecord> Log(const storage::Store& store) {
  std::vector<internal::v1::ChangeRecord> out;
  EXPECT_TRUE(store
                  .Scan(storage::Cf::kChanges, "", "",
                        [&](std::string_view, std::string_view value) {
                          out.emplace_back().ParseFromArray(value.data(), value.size());
                          return true;
                        })
                  .ok());
  return out;
}

TEST(DeferredChanges, PublishesEachTenantsDueChangesOnceInOneCommitDatedToTheDay) {
  testing::TempDir dir;
  storage::StoreOptions options;
  options.path = dir.Sub("db");
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  storage::WriteSet w;
  for (uint64_t n = 1; n <= 3; ++n) {
    RecordChangeLater(w, "letter", storage::MakeId(1, (1ULL << 39) + n), storage::MakeId(1, 2),
                      "author_replied", kDue);
  }
  RecordChangeLater(w, "letter", storage::MakeId(2, (1ULL << 39) + 1), storage::MakeId(2, 2),
                    "rated", kDue);
  RecordChangeLater(w, "letter", storage::MakeId(2, (1ULL << 39) + 2), storage::MakeId(2, 2),
                    "rated", kDue + kDay);  // the next day's
  ASSERT_TRUE((*store)->Commit(std::move(w)).ok());

  FakeClock clock(kDue - 1);
  DeferredChanges publication(**store, clock);
  EXPECT_EQ(*publication.PublishNow(), 0u);
  EXPECT_TRUE(Log(**store).empty()) << "nothing is in the change log before it is due";

  clock.Set(kDue);
  EXPECT_EQ(*publication.PublishNow(), 4u);
  auto log = Log(**store);
  ASSERT_EQ(log.size(), 4u);
  std::set<uint64_t> tenants;
  for (const auto& change : log) {
    tenants.insert(storage::TenantOfId(change.record_id()));
    EXPECT_EQ(ToMicros(change.commit_time()), kDue) << change.ShortDebugString();
    EXPECT_EQ(change.person_ids_size(), 0);
  }
  EXPECT_EQ(tenants, (std::set<uint64_t>{1, 2}));
  // Tenant 1's three are consecutive: one commit, nothing of anyone else's between them.
  EXPECT_EQ(log[2].sequence() - log[0].sequence(), 2u);
  EXPECT_EQ(*publication.PublishNow(), 0u) << "published once";

  clock.Set(kDue + kDay);
  EXPECT_EQ(*publication.PublishNow(), 1u);
  EXPECT_EQ(Log(**store).size(), 5u);
  bool held = false;
  for (uint32_t tenant : {1u, 2u}) {
    ASSERT_TRUE((*store)
                    ->Scan(storage::Cf::kIndex, storage::DeferredChangePrefix(tenant), "",
                           [&](auto, auto) { return held = true, false; })
                    .ok());
  }
  EXPECT_FALSE(held) << "published changes leave the holding index";
}

}  // namespace
}  // namespace branchline
