// The storage contract: what services rely on from storage::Store, checked against every
// engine (RocksDB and PostgreSQL) with the same tests. A behaviour services need goes here,
// not in an engine-specific test.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "storage/change_pruning.h"
#include "storage/engine.h"
#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/migrations.h"
#include "storage/postgres_engine.h"
#include "storage/rocksdb_engine.h"
#include "storage/store.h"
#include "tests/storage/test_backends.h"
#include "tests/support/temp_dir.h"

namespace branchline::storage {
namespace {

using branchline::testing::TempDir;

absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(const StoreOptions& options) {
  return options.postgres.empty() ? OpenRocksDbEngine(options) : OpenPostgresEngine(options);
}

uint32_t StoredVersion(const Engine& engine) {
  auto stored = engine.Get(Cf::kMeta, SchemaVersionKey());
  if (!stored.ok() || !stored->has_value()) return 0;
  return KeyReader(**stored).U32().value_or(0);
}

// The sequences of `tenant`'s change log, ascending. Consecutive from 1 on RocksDB; on
// PostgreSQL each is its transaction's id and place in it (store.h, kChangeSequenceShift), so
// the tests read them rather than assume them.
std::vector<uint64_t> ChangeSequences(const Store& store, uint32_t tenant) {
  std::vector<uint64_t> sequences;
  EXPECT_TRUE(store
                  .Scan(Cf::kChanges, KeyBuilder(tenant).key(), "",
                        [&](std::string_view key, std::string_view) {
                          KeyReader r(key);
                          r.U32();
                          sequences.push_back(r.U64().value_or(0));
                          return true;
                        })
                  .ok());
  return sequences;
}

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    auto options = testing::BackendOptions(GetParam(), dir_.Sub("db"), &skip);
    if (!options) GTEST_SKIP() << skip;
    options_ = *options;
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto store = Store::Open(options_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  void Put(Cf cf, const std::string& key, const std::string& value = "") {
    WriteSet w;
    w.Put(cf, key, value);
    ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  }

  // Every key of the range, in the order the scan visits them.
  std::vector<std::string> Keys(bool reverse, Cf cf, const std::string& prefix,
                                const std::string& start) {
    std::vector<std::string> keys;
    auto collect = [&](std::string_view k, std::string_view) {
      keys.emplace_back(k);
      return true;
    };
    auto status = reverse ? store_->ScanReverse(cf, prefix, start, collect)
                          : store_->Scan(cf, prefix, start, collect);
    EXPECT_TRUE(status.ok()) << status;
    return keys;
  }
  std::vector<std::string> ScanAll(Cf cf, const std::string& prefix,
                                   const std::string& start_after = "") {
    return Keys(/*reverse=*/false, cf, prefix, start_after);
  }
  std::vector<std::string> ScanAllReverse(Cf cf, const std::string& prefix,
                                          const std::string& start_before = "") {
    return Keys(/*reverse=*/true, cf, prefix, start_before);
  }

  std::vector<uint64_t> Sequences(uint32_t tenant) { return ChangeSequences(*store_, tenant); }
  bool ConsecutiveSequences() const { return store_->engine_name() == "rocksdb"; }

  TempDir dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// Keys sort as unsigned bytes, shorter first on a common prefix (memcmp order), with the 0x00
// and 0xff edges; a family's scan never sees another family's keys.
TEST_P(StoreContract, KeysSortBytewiseWithEdgesAndPrefixes) {
  const std::vector<std::string> keys = {Bytes({0x00}),
                                         Bytes({0x00, 0x00}),
                                         Bytes({0x00, 0xff}),
                                         Bytes({0x01}),
                                         Bytes({0x7f}),
                                         Bytes({0x80}),
                                         Bytes({0xfe, 0xff}),
                                         Bytes({0xff}),
                                         Bytes({0xff, 0x00}),
                                         Bytes({0xff, 0xff}),
                                         Bytes({0xff, 0xff, 0xff}),
                                         "a",
                                         "ab",
                                         "abc",
                                         "b"};
  // Written in reverse, in several commits, so the order cannot come from insertion.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) Put(Cf::kOrganizations, *it, "v");
  // Neighbouring families hold keys at both edges too.
  Put(Cf::kMeta, Bytes({0xff, 0xff, 0xff, 0xff}));
  Put(Cf::kPeople, Bytes({0x00}));

  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());  // std::string compares bytes as unsigned
  EXPECT_EQ(ScanAll(Cf::kOrganizations, ""), sorted);
  std::vector<std::string> reversed(sorted.rbegin(), sorted.rend());
  EXPECT_EQ(ScanAllReverse(Cf::kOrganizations, ""), reversed);

  EXPECT_EQ(ScanAll(Cf::kOrganizations, Bytes({0xff})),
            (std::vector<std::string>{Bytes({0xff}), Bytes({0xff, 0x00}), Bytes({0xff, 0xff}),
                                      Bytes({0xff, 0xff, 0xff})}));
  // A prefix of only 0xff bytes has no successor: the scan runs to the family's end.
  EXPECT_EQ(ScanAll(Cf::kOrganizations, Bytes({0xff, 0xff})),
            (std::vector<std::string>{Bytes({0xff, 0xff}), Bytes({0xff, 0xff, 0xff})}));
  EXPECT_EQ(ScanAllReverse(Cf::kOrganizations, Bytes({0xff, 0xff})),
            (std::vector<std::string>{Bytes({0xff, 0xff, 0xff}), Bytes({0xff, 0xff})}));
  EXPECT_EQ(ScanAll(Cf::kOrganizations, Bytes({0x00})),
            (std::vector<std::string>{Bytes({0x00}), Bytes({0x00, 0x00}), Bytes({0x00, 0xff})}));
  EXPECT_EQ(ScanAll(Cf::kOrganizations, "ab"), (std::vector<std::string>{"ab", "abc"}));
  EXPECT_EQ(ScanAllReverse(Cf::kOrganizations, "a"), (std::vector<std::string>{"abc", "ab", "a"}));
  EXPECT_TRUE(ScanAll(Cf::kOrganizations, "c").empty());
  EXPECT_EQ(ScanAll(Cf::kPeople, ""), (std::vector<std::string>{Bytes({0x00})}));

  auto value = store_->Get(Cf::kOrganizations, Bytes({0x00, 0x00}));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->value_or("absent"), "v");
  auto other_family = store_->Get(Cf::kPeople, Bytes({0xff}));
  ASSERT_TRUE(other_family.ok());
  EXPECT_FALSE(other_family->has_value());
}

std::string Numbered(int i) { return KeyBuilder(7).U32(static_cast<uint32_t>(i)).key(); }

// Long ranges (past any engine's page of rows) in both directions, with start bounds, early
// stops, and the range's neighbours outside the prefix.
TEST_P(StoreContract, ForwardAndReverseScansHonourStartBoundsAndStops) {
  constexpr int kKeys = 1500;
  WriteSet w;
  for (int i = 0; i < kKeys; ++i) w.Put(Cf::kIndex, Numbered(i), std::to_string(i));
  w.Put(Cf::kIndex, KeyBuilder(6).U32(0).key(), "before");
  w.Put(Cf::kIndex, KeyBuilder(8).U32(0).key(), "after");
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  const std::string prefix = KeyBuilder(7).key();

  auto forward = ScanAll(Cf::kIndex, prefix);
  ASSERT_EQ(forward.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(forward[i], Numbered(i));
  auto backward = ScanAllReverse(Cf::kIndex, prefix);
  ASSERT_EQ(backward.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(backward[i], Numbered(kKeys - 1 - i));

  auto from = ScanAll(Cf::kIndex, prefix, Numbered(10));
  ASSERT_EQ(from.size(), static_cast<size_t>(kKeys - 11));
  EXPECT_EQ(from.front(), Numbered(11));  // strictly after
  auto before = ScanAllReverse(Cf::kIndex, prefix, Numbered(1000));
  ASSERT_EQ(before.size(), 1000u);
  EXPECT_EQ(before.front(), Numbered(999));  // strictly before
  EXPECT_EQ(before.back(), Numbered(0));
  EXPECT_TRUE(ScanAll(Cf::kIndex, prefix, Numbered(kKeys - 1)).empty());
  EXPECT_TRUE(ScanAllReverse(Cf::kIndex, prefix, Numbered(0)).empty());

  // A visitor that stops is not called again, and values come with their keys.
  std::vector<std::string> values;
  ASSERT_TRUE(store_
                  ->Scan(Cf::kIndex, prefix, Numbered(99),
                         [&](std::string_view, std::string_view v) {
                           values.emplace_back(v);
                           return values.size() < 3;
                         })
                  .ok());
  EXPECT_EQ(values, (std::vector<std::string>{"100", "101", "102"}));
  values.clear();
  ASSERT_TRUE(store_
                  ->ScanReverse(Cf::kIndex, prefix, "",
                                [&](std::string_view, std::string_view v) {
                                  values.emplace_back(v);
                                  return values.size() < 2;
                                })
                  .ok());
  EXPECT_EQ(values, (std::vector<std::string>{"1499", "1498"}));
}

// A scan of many pages reads one snapshot: a write committed while it runs shows in none of
// its pages (PostgreSQL reads past the first page in one REPEATABLE READ transaction, RocksDB's
// iterator pins a snapshot), and the next scan sees it.
TEST_P(StoreContract, ALongScanReadsOneSnapshotWhileOthersWrite) {
  constexpr int kKeys = 1500;  // beyond the first page and a second page on PostgreSQL
  WriteSet w;
  for (int i = 0; i < kKeys; ++i) w.Put(Cf::kIndex, Numbered(i), "old");
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  const std::string prefix = KeyBuilder(7).key();

  for (bool reverse : {false, true}) {
    SCOPED_TRACE(reverse ? "reverse" : "forward");
    // At the first row: a key far ahead of the scan rewritten, its neighbour deleted, and a
    // key added between two others ahead of it.
    const int ahead = reverse ? 10 : kKeys - 10;
    const std::string added = Numbered(ahead - 5) + "x";
    std::map<std::string, std::string> seen;
    auto visit = [&](std::string_view k, std::string_view v) {
      if (seen.empty()) {
        WriteSet change;
        change.Put(Cf::kIndex, Numbered(ahead), "new");
        change.Delete(Cf::kIndex, Numbered(ahead + 1));
        change.Put(Cf::kIndex, added, "new");
        EXPECT_TRUE(store_->Commit(std::move(change)).ok());
      }
      seen.emplace(k, v);
      return true;
    };
    auto status = reverse ? store_->ScanReverse(Cf::kIndex, prefix, "", visit)
                          : store_->Scan(Cf::kIndex, prefix, "", visit);
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(seen.size(), static_cast<size_t>(kKeys));
    EXPECT_EQ(seen[Numbered(ahead)], "old");
    EXPECT_EQ(seen.count(Numbered(ahead + 1)), 1u);
    EXPECT_EQ(seen.count(added), 0u);

    // The next scan reads what was committed; then it is undone for the other direction.
    auto after = ScanAll(Cf::kIndex, prefix);
    EXPECT_EQ(std::count(after.begin(), after.end(), Numbered(ahead + 1)), 0);
    EXPECT_EQ(std::count(after.begin(), after.end(), added), 1);
    WriteSet undo;
    undo.Put(Cf::kIndex, Numbered(ahead), "old");
    undo.Put(Cf::kIndex, Numbered(ahead + 1), "old");
    undo.Delete(Cf::kIndex, added);
    ASSERT_TRUE(store_->Commit(std::move(undo)).ok());
  }
}

// A long scan inside another's visitor reads its own snapshot, taken when it starts, and
// many such pairs at once finish (a nested scan never waits for a snapshot connection held by
// an outer one, so they cannot wait on each other).
TEST_P(StoreContract, NestedLongScansFinishAndEachReadsOneSnapshot) {
  constexpr int kKeys = 300;
  const std::string outer = KeyBuilder(7).key();
  const std::string inner = KeyBuilder(6).key();
  WriteSet w;
  for (int i = 0; i < kKeys; ++i) {
    w.Put(Cf::kIndex, Numbered(i), "");
    w.Put(Cf::kIndex, KeyBuilder(6).U32(static_cast<uint32_t>(i)).key(), "");
  }
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  auto inner_key = [](int i) { return KeyBuilder(6).U32(static_cast<uint32_t>(i)).key(); };

  // Before the inner scan starts, a key is added (seen); at its first row, another (not seen).
  size_t inner_rows = 0;
  bool saw_before = false, saw_during = false;
  auto inner_visit = [&](std::string_view k, std::string_view) {
    if (inner_rows++ == 0) {
      WriteSet during;
      during.Put(Cf::kIndex, inner_key(kKeys + 2), "");
      EXPECT_TRUE(store_->Commit(std::move(during)).ok());
    }
    saw_before |= k == inner_key(kKeys + 1);
    saw_during |= k == inner_key(kKeys + 2);
    return true;
  };
  size_t outer_rows = 0;
  ASSERT_TRUE(store_
                  ->Scan(Cf::kIndex, outer, "",
                         [&](std::string_view, std::string_view) {
                           if (outer_rows++ == 0) {
                             WriteSet before;
                             before.Put(Cf::kIndex, inner_key(kKeys + 1), "");
                             EXPECT_TRUE(store_->Commit(std::move(before)).ok());
                             EXPECT_TRUE(store_->Scan(Cf::kIndex, inner, "", inner_visit).ok());
                           }
                           return true;
                         })
                  .ok());
  EXPECT_EQ(outer_rows, static_cast<size_t>(kKeys));
  EXPECT_EQ(inner_rows, static_cast<size_t>(kKeys + 1));
  EXPECT_TRUE(saw_before);
  EXPECT_FALSE(saw_during);

  // More pairs at once than PostgreSQL's snapshot connections (half the pool's 16).
  std::atomic<int> complete{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      size_t outer_seen = 0, inner_seen = 0;
      auto status = store_->Scan(Cf::kIndex, outer, "", [&](std::string_view, std::string_view) {
        if (outer_seen++ == 0) {
          auto s = store_->Scan(Cf::kIndex, inner, "", [&](std::string_view, std::string_view) {
            ++inner_seen;
            return true;
          });
          EXPECT_TRUE(s.ok()) << s;
        }
        return true;
      });
      EXPECT_TRUE(status.ok()) << status;
      if (outer_seen == kKeys && inner_seen == kKeys + 2) complete.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(complete.load(), 12);
}

// A set that cannot be written leaves nothing behind, alone or inside a commit group, and
// the other sets of its group are written.
TEST_P(StoreContract, AFailingWriteSetWritesNothing) {
  const std::string too_long(kMaxKeyBytes + 1, 'k');
  WriteSet bad;
  bad.Put(Cf::kPeople, "first", "1");
  bad.Put(Cf::kPeople, too_long, "2");
  bad.AddChange(1, internal::v1::ChangeRecord());
  auto status = store_->Commit(std::move(bad));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  auto first = store_->Get(Cf::kPeople, "first");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());

  std::atomic<int> done{0};
  absl::Status outcomes[3];
  for (int i = 0; i < 3; ++i) {
    WriteSet w;
    w.Put(Cf::kPeople, "group" + std::to_string(i), "x");
    if (i == 1) w.Put(Cf::kPeople, too_long, "x");
    w.AddChange(1, internal::v1::ChangeRecord());
    store_->CommitAsync(std::move(w), [&, i](absl::Status s) {
      outcomes[i] = s;
      done.fetch_add(1);
      done.notify_all();
    });
  }
  for (int seen = done.load(); seen < 3; seen = done.load()) done.wait(seen);
  EXPECT_TRUE(outcomes[0].ok()) << outcomes[0];
  EXPECT_EQ(outcomes[1].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(outcomes[2].ok()) << outcomes[2];
  EXPECT_EQ(ScanAll(Cf::kPeople, "group"), (std::vector<std::string>{"group0", "group2"}));
  // The refused sets' change-log entries were never written; the sequence moved on anyway.
  int changes = 0;
  ASSERT_TRUE(store_
                  ->Scan(Cf::kChanges, "", "",
                         [&](std::string_view, std::string_view) { return ++changes > 0; })
                  .ok());
  EXPECT_EQ(changes, 2);
}

// A guard (WriteSet::PutIfAbsent) is written once. The first commit writes it with the rest of
// its set; a later one fails with ALREADY_EXISTS and writes nothing of its set; of writers
// racing for one key (threads, and on PostgreSQL two servers) exactly one wins. The group
// commit refuses a guarded set, which would fail its neighbours with it.
TEST_P(StoreContract, AGuardedKeyIsWrittenOnceEvenWhenServersRace) {
  WriteSet first;
  first.PutIfAbsent(Cf::kIndex, "guard", "first");
  first.Put(Cf::kPeople, "made-by-first", "1");
  ASSERT_TRUE(store_->Commit(std::move(first)).ok());
  const auto changes_before = ChangeSequences(*store_, 1);
  WriteSet second;
  second.PutIfAbsent(Cf::kIndex, "guard", "second");
  second.Put(Cf::kPeople, "made-by-second", "1");
  second.AddChange(1, internal::v1::ChangeRecord());
  auto refused = store_->Commit(std::move(second));
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists) << refused;
  EXPECT_EQ(*store_->Get(Cf::kIndex, "guard"), "first");
  EXPECT_EQ(*store_->Get(Cf::kPeople, "made-by-first"), "1");
  EXPECT_EQ(*store_->Get(Cf::kPeople, "made-by-second"), std::nullopt);
  EXPECT_EQ(ChangeSequences(*store_, 1), changes_before);

  std::vector<Store*> servers = {store_.get()};
  std::unique_ptr<Store> other;
  if (GetParam() == testing::kPostgres) {
    auto opened = Store::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    other = std::move(*opened);
    servers.push_back(other.get());
  }
  constexpr int kWriters = 4;
  for (int round = 0; round < 20; ++round) {
    const std::string key = "race" + std::to_string(round);
    std::atomic<int> won{0}, lost{0};
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] {
        WriteSet w;
        w.PutIfAbsent(Cf::kIndex, key, std::to_string(i));
        auto status = servers[i % servers.size()]->Commit(std::move(w));
        if (status.ok()) ++won;
        if (status.code() == absl::StatusCode::kAlreadyExists) ++lost;
      });
    }
    for (auto& writer : writers) writer.join();
    EXPECT_EQ(won.load(), 1) << key;
    EXPECT_EQ(lost.load(), kWriters - 1) << key;
  }

  WriteSet grouped;
  grouped.PutIfAbsent(Cf::kIndex, "grouped", "x");
  absl::Status async_status;
  std::atomic<bool> done{false};
  store_->CommitAsync(std::move(grouped), [&](absl::Status s) {
    async_status = s;
    done = true;
    done.notify_all();
  });
  done.wait(false);
  EXPECT_EQ(async_status.code(), absl::StatusCode::kInvalidArgument) << async_status;
  EXPECT_EQ(*store_->Get(Cf::kIndex, "grouped"), std::nullopt);
}

// Several writers of one counter, each a read-modify-write under the store's key locks:
// none of the increments is lost.
TEST_P(StoreContract, ConcurrentReadModifyWriteLosesNoUpdate) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto guard = store_->record_locks().Lock("counter");
        auto current = store_->Get(Cf::kMeta, "counter");
        if (!current.ok()) {
          failures.fetch_add(1);
          continue;
        }
        uint64_t n = current->has_value() ? KeyReader(**current).U64().value_or(0) : 0;
        WriteSet w;
        w.Put(Cf::kMeta, "counter", KeyBuilder().U64(n + 1).key());
        if (!store_->Commit(std::move(w)).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto final_value = store_->Get(Cf::kMeta, "counter");
  ASSERT_TRUE(final_value.ok() && final_value->has_value());
  EXPECT_EQ(KeyReader(**final_value).U64(), uint64_t{kThreads * kEach});
}

// Ids are unique across threads and across reopening; tenants count up from 1.
TEST_P(StoreContract, IdsAndTenantsAreNeverHandedOutTwice) {
  auto t1 = store_->NewTenant();
  auto t2 = store_->NewTenant();
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_EQ(*t1, 1u);
  EXPECT_EQ(*t2, 2u);
  std::set<uint64_t> ids;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 600; ++i) {  // past a reservation block
        auto id = store_->NewId(1);
        ASSERT_TRUE(id.ok());
        std::lock_guard lock(mu);
        EXPECT_TRUE(ids.insert(*id).second) << "repeated id " << *id;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 2400u);
  for (uint64_t id : ids) EXPECT_EQ(TenantOfId(id), 1u);
  Reopen();
  for (int i = 0; i < 100; ++i) {
    auto id = store_->NewId(1);
    ASSERT_TRUE(id.ok());
    EXPECT_GT(*id, *ids.rbegin()) << "an id after reopening must be new";
  }
  auto t3 = store_->NewTenant();
  ASSERT_TRUE(t3.ok());
  EXPECT_EQ(*t3, 3u);
  EXPECT_EQ(store_->NewId(0).status().code(), absl::StatusCode::kInvalidArgument);
}

// Concurrent writers, synchronous and asynchronous, and a reader following the stable mark:
// the reader sees every change exactly once, in sequence order, with no gap (on RocksDB the
// sequences are also consecutive); sequences go on after a reopen.
TEST_P(StoreContract, TheChangeLogHasNoGapsOrRepeatsUnderConcurrentWriters) {
  constexpr uint32_t kTenant = 3;
  constexpr int kThreads = 6, kEach = 40;
  std::atomic<bool> writing{true};
  std::vector<uint64_t> seen;
  std::thread reader([&] {
    uint64_t cursor = 0;
    for (bool last_round = false;;) {
      last_round = !writing.load();
      const uint64_t stable = store_->StableChangeSequence();
      auto s = store_->Scan(Cf::kChanges, KeyBuilder(kTenant).key(), ChangeKey(kTenant, cursor),
                            [&](std::string_view, std::string_view value) {
                              internal::v1::ChangeRecord c;
                              EXPECT_TRUE(c.ParseFromArray(value.data(), value.size()));
                              if (c.sequence() > stable) return false;
                              seen.push_back(c.sequence());
                              cursor = c.sequence();
                              return true;
                            });
      EXPECT_TRUE(s.ok()) << s;
      if (last_round) break;
      store_->sequencer().WaitPast(
          cursor, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        WriteSet w;
        w.Put(Cf::kPeople, "p" + std::to_string(t) + "_" + std::to_string(i), "");
        internal::v1::ChangeRecord c;
        c.set_kind("test");
        w.AddChange(kTenant, c);
        if (i % 3 == 0) w.AddChange(kTenant, c);  // two entries in one set
        auto committed = testing::CommitAndWait(*store_, std::move(w), /*async=*/t % 2 != 0);
        ASSERT_TRUE(committed.ok()) << committed;
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();
  const size_t expected = kThreads * (kEach + (kEach + 2) / 3);
  ASSERT_EQ(seen.size(), expected);
  EXPECT_EQ(seen, Sequences(kTenant)) << "the reader skipped, repeated or reordered a change";
  if (ConsecutiveSequences()) {
    for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1) << "gap at " << i;
  }

  Reopen();
  WriteSet w;
  w.AddChange(kTenant, internal::v1::ChangeRecord());
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  const uint64_t next = Sequences(kTenant).back();
  EXPECT_GT(next, seen.back());
  if (ConsecutiveSequences()) {
    EXPECT_EQ(next, expected + 1);
  }
  EXPECT_GE(store_->StableChangeSequence(), next);
}

// Retention deletes old entries with their indexes, records the mark, and sequences never
// restart even when everything was pruned.
TEST_P(StoreContract, RetentionPrunesAPrefixAndSequencesNeverRestart) {
  for (int i = 0; i < 5; ++i) {
    WriteSet w;
    internal::v1::ChangeRecord c;
    c.set_organization_id(MakeId(4, 1));
    c.add_person_ids(MakeId(4, 2));
    w.AddChange(4, c);
    ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  }
  const std::vector<uint64_t> seq = Sequences(4);
  ASSERT_EQ(seq.size(), 5u);
  const int64_t far_future = int64_t{4'000'000'000} * 1'000'000;
  auto pruned = PruneChanges(*store_, far_future, /*max_changes=*/3);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->deleted, 3u);
  EXPECT_TRUE(pruned->more);
  EXPECT_EQ(store_->ChangesPrunedThrough(4), seq[2]);
  EXPECT_FALSE(store_->Get(Cf::kIndex, ChangeByOrgKey(MakeId(4, 1), seq[1]))->has_value());
  EXPECT_TRUE(store_->Get(Cf::kIndex, ChangeByOrgKey(MakeId(4, 1), seq[3]))->has_value());
  pruned = PruneChanges(*store_, far_future, 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->deleted, 2u);
  EXPECT_TRUE(ScanAll(Cf::kChanges, "").empty());
  EXPECT_FALSE(store_->Get(Cf::kIndex, ChangeByPersonKey(MakeId(4, 2), seq[4]))->has_value());

  Reopen();
  EXPECT_EQ(store_->ChangesPrunedThrough(4), seq[4]);
  WriteSet w;
  w.AddChange(4, internal::v1::ChangeRecord());
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  ASSERT_EQ(Sequences(4).size(), 1u);
  EXPECT_GT(Sequences(4)[0], seq[4]) << "a sequence was handed out twice";
  if (ConsecutiveSequences()) {
    EXPECT_EQ(Sequences(4)[0], 6u);
  }
}

// Records, deletions and the schema version survive a reopen; a newer schema is refused.
TEST_P(StoreContract, ReopenKeepsDataAndRefusesANewerSchema) {
  Put(Cf::kPeople, "kept", "1");
  Put(Cf::kPeople, "deleted", "2");
  WriteSet d;
  d.Delete(Cf::kPeople, "deleted");
  d.Put(Cf::kPeople, "kept", "3");  // and a key written twice in one set: the last wins
  d.Put(Cf::kPeople, "twice", "a");
  d.Delete(Cf::kPeople, "twice");
  d.Put(Cf::kPeople, "twice", "b");
  ASSERT_TRUE(store_->Commit(std::move(d)).ok());
  Reopen();
  EXPECT_EQ(ScanAll(Cf::kPeople, ""), (std::vector<std::string>{"kept", "twice"}));
  EXPECT_EQ(store_->Get(Cf::kPeople, "kept")->value_or(""), "3");
  EXPECT_EQ(store_->Get(Cf::kPeople, "twice")->value_or(""), "b");

  Put(Cf::kMeta, KeyBuilder().Str("schema_version").key(),
      KeyBuilder().U32(kLatestSchemaVersion + 1).key());
  store_.reset();
  auto refused = Store::Open(options_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  // Left untouched: its version and records as they were.
  auto engine = OpenEngine(options_);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(StoredVersion(**engine), kLatestSchemaVersion + 1);
  EXPECT_EQ((*engine)->Get(Cf::kPeople, "kept")->value_or(""), "3");
}

// --- Schema migrations (storage/migrations.h), on both engines ---------------------------

// A version 1 database as builds before the members' index and the indexed kinds left it:
// `count` organisation changes (every third a meeting), their organisation index entries
// without the kind, no members' index, no record of where it starts. Returns the sequences
// of the changes, in order.
std::vector<uint64_t> PlantSchema1ChangeLog(Store& store, int count) {
  for (int i = 0; i < count; ++i) {
    WriteSet w;
    internal::v1::ChangeRecord change;
    change.set_kind(i % 3 == 0 ? "meeting" : "attendance");
    change.set_organization_id(MakeId(1, 2 + i % 2));
    change.set_record_id(MakeId(1, 100 + i));
    w.AddChange(1, change);
    EXPECT_TRUE(store.Commit(std::move(w)).ok());
  }
  const std::vector<uint64_t> sequences = ChangeSequences(store, 1);
  EXPECT_EQ(sequences.size(), static_cast<size_t>(count));
  WriteSet old;
  for (int i = 0; i < count && i < static_cast<int>(sequences.size()); ++i) {
    old.Put(Cf::kIndex, ChangeByOrgKey(MakeId(1, 2 + i % 2), sequences[i]), "");
  }
  old.Put(Cf::kPeople, RecordKey(MakeId(1, 9)), "a person");
  old.Delete(Cf::kMeta, MembersChangeIndexFromKey());
  old.Put(Cf::kMeta, SchemaVersionKey(), KeyBuilder().U32(1).key());
  EXPECT_TRUE(store.Commit(std::move(old)).ok());
  return sequences;
}

struct HooksReset {
  ~HooksReset() { SetMigrationTestHooks({}); }
};

TEST_P(StoreContract, MigratesASchema1DatabaseInBatches) {
  HooksReset reset;
  const auto seq = PlantSchema1ChangeLog(*store_, 25);
  ASSERT_EQ(seq.size(), 25u);
  store_.reset();
  // What the metrics endpoint reads at each write of the step: the step, and how far it got.
  std::vector<MigrationState> seen;
  SetMigrationTestHooks({.fail =
                             [&seen](uint32_t, uint64_t, bool) {
                               seen.push_back(CurrentMigration());
                               return absl::OkStatus();
                             },
                         .batch_ops = 6});  // 3 changes per batch
  Reopen();
  ASSERT_TRUE(store_);
  ASSERT_EQ(seen.size(), 10u);  // 9 batches (8 of 3 changes, 1 of 1), then the version write
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].running_from, 1u) << i;
    EXPECT_EQ(seen[i].done, std::min<uint64_t>(3 * i, 25)) << i;
  }
  EXPECT_EQ(CurrentMigration().running_from, 0u) << "nothing runs once the store is open";
  EXPECT_EQ(store_->MembersChangeIndexFrom(), 0u);
  EXPECT_EQ(store_->Get(Cf::kMeta, SchemaVersionKey())->value_or(""),
            KeyBuilder().U32(kLatestSchemaVersion).key());
  for (int i = 0; i < 25; ++i) {
    const std::string kind = i % 3 == 0 ? "meeting" : "attendance";
    const uint64_t org = MakeId(1, 2 + i % 2);
    EXPECT_EQ(store_->Get(Cf::kIndex, ChangeByOrgKey(org, seq[i]))->value_or("?"), kind) << i;
    EXPECT_EQ(store_->Get(Cf::kIndex, ChangeForMembersByOrgKey(org, seq[i]))->value_or("?"), kind)
        << i;
  }
  EXPECT_TRUE(ScanAll(Cf::kMeta, KeyBuilder().Str("migration_resume").key()).empty());
  EXPECT_EQ(store_->Get(Cf::kPeople, RecordKey(MakeId(1, 9)))->value_or(""), "a person");
  // New changes go on after the old ones; a reopen migrates nothing again.
  WriteSet w;
  internal::v1::ChangeRecord change;
  change.set_kind("meeting");
  change.set_organization_id(MakeId(1, 2));
  change.set_members_see(true);
  w.AddChange(1, change);
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  const uint64_t newest = Sequences(1).back();
  EXPECT_GT(newest, seq.back());
  if (ConsecutiveSequences()) {
    EXPECT_EQ(newest, 26u);
  }
  SetMigrationTestHooks({.fail = [](uint32_t, uint64_t, bool) {
    return absl::InternalError("a current database must not migrate");
  }});
  Reopen();
  EXPECT_EQ(store_->Get(Cf::kIndex, ChangeForMembersByOrgKey(MakeId(1, 2), newest))->value_or(""),
            "meeting");
}

// A step that fails part way (a crash, a full disk) leaves version 1 and data as usable as
// before; the next start resumes where the step stopped and finishes it.
TEST_P(StoreContract, AFailedMigrationLeavesTheOldVersionAndResumes) {
  HooksReset reset;
  const auto seq = PlantSchema1ChangeLog(*store_, 25);
  ASSERT_EQ(seq.size(), 25u);
  store_.reset();
  for (bool fail_last : {false, true}) {
    SetMigrationTestHooks({.fail =
                               [fail_last](uint32_t from, uint64_t write, bool last) {
                                 if (from == 1 && (fail_last ? last : write == 3)) {
                                   return absl::UnavailableError("injected: disk full");
                                 }
                                 return absl::OkStatus();
                               },
                           .batch_ops = 6});
    auto failed = Store::Open(options_);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_NE(failed.status().message().find("stays at version 1"), std::string::npos)
        << failed.status();
    EXPECT_NE(failed.status().message().find("injected: disk full"), std::string::npos);
    auto engine = OpenEngine(options_);
    ASSERT_TRUE(engine.ok()) << engine.status();
    EXPECT_EQ(StoredVersion(**engine), 1u);
    EXPECT_FALSE((*engine)->Get(Cf::kMeta, MembersChangeIndexFromKey())->has_value())
        << "the old reading rule still holds";
    EXPECT_EQ((*engine)->Get(Cf::kPeople, RecordKey(MakeId(1, 9)))->value_or(""), "a person");
    // The batches before the failure are kept, with where to resume.
    auto resume = (*engine)->Get(Cf::kMeta, KeyBuilder().Str("migration_resume").U32(1).key());
    ASSERT_TRUE(resume.ok() && resume->has_value());
    EXPECT_EQ(**resume, ChangeKey(1, fail_last ? seq[24] : seq[5]));
  }
  SetMigrationTestHooks({});
  Reopen();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->MembersChangeIndexFrom(), 0u);
  for (int i = 0; i < 25; ++i) {
    const uint64_t org = MakeId(1, 2 + i % 2);
    EXPECT_TRUE(store_->Get(Cf::kIndex, ChangeForMembersByOrgKey(org, seq[i]))->has_value()) << i;
    EXPECT_FALSE(store_->Get(Cf::kIndex, ChangeByOrgKey(org, seq[i]))->value_or("").empty()) << i;
  }
}

// Monitoring counts keys per tenant (optionally of one size); backups are the engine's own or
// refused with the reason (PostgreSQL: its own tools), never a half-answer.
TEST_P(StoreContract, CountsKeysPerTenantAndBacksUpOrSaysWhy) {
  WriteSet w;
  w.Put(Cf::kPeople, RecordKey(MakeId(1, 1)), "a");
  w.Put(Cf::kPeople, RecordKey(MakeId(1, 2)), "b");
  w.Put(Cf::kPeople, RecordKey(MakeId(2, 1)), "c");
  w.Put(Cf::kPeople, KeyBuilder(2).U64(MakeId(2, 1)).U8(0).key(), "longer");
  w.Put(Cf::kOrganizations, RecordKey(MakeId(3, 1)), "other family");
  ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  auto all = store_->CountKeysByTenant(Cf::kPeople, 0);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (std::map<uint32_t, uint64_t>{{1, 2}, {2, 2}}));
  auto sized = store_->CountKeysByTenant(Cf::kPeople, RecordKey(MakeId(1, 1)).size());
  ASSERT_TRUE(sized.ok());
  EXPECT_EQ(*sized, (std::map<uint32_t, uint64_t>{{1, 2}, {2, 1}}));

  auto backup = store_->CreateBackup(dir_.Sub("backups"));
  if (GetParam() == testing::kPostgres) {
    EXPECT_EQ(backup.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(backup.status().message().find("pg_basebackup"), std::string_view::npos);
  } else {
    ASSERT_TRUE(backup.ok()) << backup.status();
    EXPECT_GT(backup->file_count, 0u);
  }
}

// The record cache (record_cache.h) is only safe for the database's sole writer. RocksDB
// refuses a second opener; on PostgreSQL a second store (another server) writes the same
// database, and the first store's next read of the records every call reads must see it.
TEST_P(StoreContract, ARecordAnotherServerWritesIsSeenOnTheNextRead) {
  auto other = Store::Open(options_);
  if (GetParam() == testing::kRocksDb) {
    EXPECT_FALSE(other.ok()) << "two stores on one RocksDB directory";
    return;
  }
  ASSERT_TRUE(other.ok()) << other.status();
  for (Cf cf : {Cf::kSessions, Cf::kPeople, Cf::kMeetings, Cf::kOrganizations}) {
    const std::string key = RecordKey(MakeId(1, 40));
    for (const char* value : {"signed in", "changed"}) {
      WriteSet w;
      w.Put(cf, key, value);
      ASSERT_TRUE((*other)->Commit(std::move(w)).ok());
      for (int read = 0; read < 2; ++read) {  // the second read would be a cache hit
        auto seen = store_->Get(cf, key);
        ASSERT_TRUE(seen.ok()) << seen.status();
        EXPECT_EQ(*seen, value) << kCfNames[CfIndex(cf)];
      }
    }
    WriteSet sign_out;
    sign_out.Delete(cf, key);
    ASSERT_TRUE((*other)->Commit(std::move(sign_out)).ok());
    auto gone = store_->Get(cf, key);
    ASSERT_TRUE(gone.ok());
    EXPECT_EQ(*gone, std::nullopt) << kCfNames[CfIndex(cf)];
  }
  EXPECT_EQ(store_->Stats().record_cache_hits_total, 0u);
}

// GetFirstMessage: the first key present in the order given (not key order), through the
// record cache or not; none present is nullopt, an unparseable value DATA_LOSS.
TEST_P(StoreContract, GetFirstMessageFindsTheFirstPresentKeyInTheOrderGiven) {
  for (Cf cf : {Cf::kLetters, Cf::kOrganizations}) {
    SCOPED_TRACE(std::string(kCfNames[CfIndex(cf)]));
    WriteSet w;
    for (const char* kind : {"b", "c"}) {
      internal::v1::ChangeRecord record;
      record.set_kind(kind);
      w.PutMessage(cf, kind, record);
    }
    w.Put(cf, "bad", "\xff\xff\xff");
    ASSERT_TRUE(store_->Commit(std::move(w)).ok());

    internal::v1::ChangeRecord found;
    auto first = store_->GetFirstMessage(cf, {"a", "c", "b"}, &found);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(*first, std::optional<size_t>(1));
    EXPECT_EQ(found.kind(), "c");
    first = store_->GetFirstMessage(cf, {"b", "b"}, &found);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, std::optional<size_t>(0));
    EXPECT_EQ(found.kind(), "b");
    first = store_->GetFirstMessage(cf, {"x", "y"}, &found);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, std::nullopt);
    EXPECT_EQ(store_->GetFirstMessage(cf, {"a", "bad", "b"}, &found).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

// Stats() reports the engine's own figures and leaves the other's at zero.
TEST_P(StoreContract, StatsReportTheEnginesOwnFigures) {
  Put(Cf::kMeta, "counted", "1");
  const StoreStats stats = store_->Stats();
  if (store_->engine_name() == "postgres") {
    EXPECT_TRUE(stats.postgres_up);
    EXPECT_GT(stats.postgres_transactions_committed_total, 0u);
    EXPECT_GT(stats.postgres_database_bytes, 0u);
    EXPECT_GT(stats.postgres_connections_open, 0u);
    EXPECT_LE(stats.postgres_connections_busy, stats.postgres_connections_open);
    EXPECT_EQ(stats.postgres_commits_in_flight, 0u);
    // Both test databases' roles are superusers, who see replication: none on the fixture's
    // lone server, one synchronous standby on the cluster (storage_cluster_contract).
    EXPECT_GE(stats.postgres_synchronous_standbys, 0);
    EXPECT_GE(stats.postgres_replication_lag_bytes, 0);
    EXPECT_EQ(stats.wal_bytes_total, 0u);
  } else {
    EXPECT_GT(stats.wal_bytes_total, 0u);
    EXPECT_FALSE(stats.postgres_up);
    EXPECT_EQ(stats.postgres_connections_open, 0u);
  }
}

// The background passes run where the store leads: a lone store always does, on either
// engine, and says so without asking again.
TEST_P(StoreContract, ALoneStoreLeadsTheBackgroundWork) {
  EXPECT_TRUE(store_->LeadsBackgroundWork());
  EXPECT_TRUE(store_->LeadsBackgroundWork()) << "asking twice keeps the lease";
  EXPECT_TRUE(store_->LedBackgroundWork());
  Reopen();
  EXPECT_TRUE(store_->LeadsBackgroundWork()) << "a reopened store leads again";
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreContract,
                         ::testing::Values(testing::kRocksDb, testing::kPostgres),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace branchline::storage
