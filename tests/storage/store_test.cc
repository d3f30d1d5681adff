#include "storage/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/migrations.h"
#include "tests/support/temp_dir.h"

namespace branchline::storage {
namespace {

using branchline::testing::TempDir;

// Tiny memtables so flushes (and so SST reads) really happen during the tests.
StoreOptions TinyOptions(const std::string& path) {
  StoreOptions o;
  o.path = path;
  o.write_buffer_size = 64 << 10;
  o.block_cache_bytes = 1 << 20;
  return o;
}

std::unique_ptr<Store> MustOpen(const StoreOptions& o) {
  auto store = Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

std::string Counter(uint64_t v) { return KeyBuilder().U64(v).key(); }
uint64_t CounterValue(const std::string& s) { return KeyReader(s).U64().value_or(0); }

TEST(Store, CommitIsAtomicAndReadable) {
  TempDir dir;
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  WriteSet w;
  w.Put(Cf::kPeople, RecordKey(MakeId(1, 1)), "alice");
  w.Put(Cf::kIndex, KeyBuilder(1).U16(9).U64(MakeId(1, 1)).key(), "");
  ASSERT_TRUE(store->Commit(std::move(w)).ok());
  auto v = store->Get(Cf::kPeople, RecordKey(MakeId(1, 1)));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(**v, "alice");
  auto missing = store->Get(Cf::kPeople, RecordKey(MakeId(1, 2)));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

uint64_t SstBytes(const std::string& path) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == ".sst") total += entry.file_size();
  }
  return total;
}

// The bulk-load helper: afterwards the SST files hold the live data and nothing else, so
// benchmarks can measure bytes on disk per record from them.
TEST(Store, FlushAndCompactKeepsLiveDataAndDropsDeletedData) {
  TempDir dir;
  auto options = TinyOptions(dir.Sub("db"));
  options.sync_writes = false;  // 4,000 commits; durability is not what this test is about
  auto store = MustOpen(options);
  const std::string payload(1000, 'x');
  for (uint64_t i = 1; i <= 2000; ++i) {
    WriteSet w;
    w.Put(Cf::kPeople, RecordKey(MakeId(1, i)), payload + std::to_string(i));
    ASSERT_TRUE(store->Commit(std::move(w)).ok());
  }
  for (uint64_t i = 1; i <= 1990; ++i) {
    WriteSet w;
    w.Delete(Cf::kPeople, RecordKey(MakeId(1, i)));
    ASSERT_TRUE(store->Commit(std::move(w)).ok());
  }
  ASSERT_TRUE(store->FlushAndCompact().ok());
  // Ten live values of ~1 KB (compressible) remain: far less than the 2 MB written.
  EXPECT_LT(SstBytes(dir.Sub("db")), 200'000u);
  auto kept = store->Get(Cf::kPeople, RecordKey(MakeId(1, 2000)));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(**kept, payload + "2000");
  auto gone = store->Get(Cf::kPeople, RecordKey(MakeId(1, 1)));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(Store, ScanVisitsOnlyThePrefixInOrderAndResumes) {
  TempDir dir;
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  WriteSet w;
  for (uint64_t i = 1; i <= 50; ++i) {
    w.Put(Cf::kIndex, KeyBuilder(1).U16(1).U64(7).U64(i).key(), "");
    w.Put(Cf::kIndex, KeyBuilder(1).U16(1).U64(8).U64(i).key(), "");  // neighbour prefix
  }
  ASSERT_TRUE(store->Commit(std::move(w)).ok());
  std::string prefix = KeyBuilder(1).U16(1).U64(7).key();
  std::vector<uint64_t> seen;
  ASSERT_TRUE(store
                  ->Scan(Cf::kIndex, prefix, "",
                         [&](std::string_view k, std::string_view) {
                           seen.push_back(TrailingId(k));
                           return true;
                         })
                  .ok());
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  // Resume strictly after the 10th key.
  std::vector<uint64_t> rest;
  ASSERT_TRUE(store
                  ->Scan(Cf::kIndex, prefix, KeyBuilder(1).U16(1).U64(7).U64(10).key(),
                         [&](std::string_view k, std::string_view) {
                           rest.push_back(TrailingId(k));
                           return rest.size() < 5;
                         })
                  .ok());
  EXPECT_EQ(rest, (std::vector<uint64_t>{11, 12, 13, 14, 15}));
  std::vector<uint64_t> reverse;
  ASSERT_TRUE(store
                  ->ScanReverse(Cf::kIndex, prefix, "",
                                [&](std::string_view k, std::string_view) {
                                  reverse.push_back(TrailingId(k));
                                  return reverse.size() < 3;
                                })
                  .ok());
  EXPECT_EQ(reverse, (std::vector<uint64_t>{50, 49, 48}));
}

TEST(Store, ReopenKeepsEverythingAndIdsNeverRepeat) {
  TempDir dir;
  std::set<uint64_t> ids;
  for (int round = 0; round < 3; ++round) {
    auto store = MustOpen(TinyOptions(dir.Sub("db")));
    for (int i = 0; i < 100; ++i) {
      auto id = store->NewId(1);
      ASSERT_TRUE(id.ok());
      EXPECT_TRUE(ids.insert(*id).second) << "id repeated after reopen";
      EXPECT_EQ(TenantOfId(*id), 1u);
      WriteSet w;
      w.Put(Cf::kPeople, RecordKey(*id), std::string(200, 'x'));  // forces flushes
      ASSERT_TRUE(store->Commit(std::move(w)).ok());
    }
  }
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  for (uint64_t id : ids) {
    auto v = store->Get(Cf::kPeople, RecordKey(id));
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->has_value());
  }
  auto t1 = store->NewTenant();
  auto t2 = store->NewTenant();
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_NE(*t1, *t2);
}

TEST(Store, ChangeLogSequencesAreDenseAndSurviveReopen) {
  TempDir dir;
  {
    auto store = MustOpen(TinyOptions(dir.Sub("db")));
    for (int i = 0; i < 10; ++i) {
      WriteSet w;
      internal::v1::ChangeRecord c;
      c.set_kind("test");
      w.AddChange(1 + (i % 2), c);
      ASSERT_TRUE(store->Commit(std::move(w)).ok());
    }
    EXPECT_EQ(store->StableChangeSequence(), 10u);
  }
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  EXPECT_EQ(store->StableChangeSequence(), 10u);
  WriteSet w;
  w.AddChange(1, internal::v1::ChangeRecord());
  ASSERT_TRUE(store->Commit(std::move(w)).ok());
  auto v = store->Get(Cf::kChanges, ChangeKey(1, 11));
  ASSERT_TRUE(v.ok() && v->has_value());
  internal::v1::ChangeRecord c;
  ASSERT_TRUE(c.ParseFromString(**v));
  EXPECT_EQ(c.sequence(), 11u);
}

TEST(Store, ConcurrentReadModifyWriteUnderKeyLocksLosesNoUpdate) {
  TempDir dir;
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  const std::string key = RecordKey(MakeId(1, 1));
  constexpr int kThreads = 8, kIncrements = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto guard = store->record_locks().Lock(key);
        auto v = store->Get(Cf::kMeta, key);
        uint64_t current = v.ok() && v->has_value() ? CounterValue(**v) : 0;
        WriteSet w;
        w.Put(Cf::kMeta, key, Counter(current + 1));
        if (!store->Commit(std::move(w)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto v = store->Get(Cf::kMeta, key);
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(CounterValue(**v), uint64_t{kThreads * kIncrements});
}

TEST(Store, ConcurrentCommitsKeepTheChangeLogStableMarkConsistent) {
  TempDir dir;
  auto store = MustOpen(TinyOptions(dir.Sub("db")));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        WriteSet w;
        w.AddChange(1, internal::v1::ChangeRecord());
        ASSERT_TRUE(store->Commit(std::move(w)).ok());
        // Every sequence at or below the stable mark must be readable.
        uint64_t stable = store->StableChangeSequence();
        if (stable > 0) {
          auto v = store->Get(Cf::kChanges, ChangeKey(1, stable));
          ASSERT_TRUE(v.ok() && v->has_value()) << stable;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store->StableChangeSequence(), 200u);
}

// A crashed server must start again. (Debian's RocksDB 7.8.3 is built with assertions, and WAL
// recovery of a column family with a merge operator aborts in db/builder.cc:76, which is why
// the store uses no merge operators.) This test SIGKILLs a writer process mid-load, with tiny
// memtables so several are unflushed, and reopens, several times.
TEST(Store, ReopensAfterSigkillUnderLoad) {
  TempDir dir;
  uint64_t acknowledged_before = 0;
  for (int round = 0; round < 4; ++round) {
    std::string command = std::string(CRASH_WRITER_BINARY) + " " + dir.Sub("db");
    FILE* child = popen(("exec " + command).c_str(), "r");
    ASSERT_NE(child, nullptr);
    char line[16] = {0};
    ASSERT_NE(fgets(line, sizeof line, child), nullptr) << "writer died before it was ready";
    EXPECT_STREQ(line, "ready\n");
    // popen runs the command through "sh -c exec ...", so the writer is sh's pid: find it.
    std::system(("pkill -KILL -f '^" + command + "$'").c_str());
    pclose(child);
    auto store = Store::Open(TinyOptions(dir.Sub("db")));
    ASSERT_TRUE(store.ok()) << store.status();
    // Every commit had one change-log entry and one record; both survived together. Entries
    // are counted, not read off the last sequence: a commit that took its sequence but was
    // not written when the writer died leaves a hole below a later one that was, which is
    // harmless (it was never acknowledged, and readers scan ranges) but not dense.
    auto count = [&](Cf cf) {
      uint64_t n = 0;
      EXPECT_TRUE((*store)
                      ->Scan(cf, KeyBuilder(1).key(), "",
                             [&](auto, auto) {
                               ++n;
                               return true;
                             })
                      .ok());
      return n;
    };
    uint64_t changes = count(Cf::kChanges);
    EXPECT_GT(changes, acknowledged_before + 200);
    EXPECT_EQ(count(Cf::kPeople), changes);
    // New sequences continue from the last surviving one.
    uint64_t last = 0;
    ASSERT_TRUE((*store)
                    ->ScanReverse(Cf::kChanges, KeyBuilder(1).key(), "",
                                  [&](std::string_view key, auto) {
                                    KeyReader r(key);
                                    r.U32();
                                    last = r.U64().value_or(0);
                                    return false;
                                  })
                    .ok());
    EXPECT_GE(last, changes);
    EXPECT_EQ((*store)->StableChangeSequence(), last);
    acknowledged_before = changes;
  }
}

TEST(Store, RefusesANewerSchemaVersion) {
  TempDir dir;
  {
    auto store = MustOpen(TinyOptions(dir.Sub("db")));
    WriteSet w;
    w.Put(Cf::kMeta, KeyBuilder().Str("schema_version").key(),
          KeyBuilder().U32(kLatestSchemaVersion + 1).key());
    ASSERT_TRUE(store->Commit(std::move(w)).ok());
  }
  auto store = Store::Open(TinyOptions(dir.Sub("db")));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer"), std::string_view::npos);
}

TEST(Store, RefusesACorruptSchemaVersion) {
  TempDir dir;
  {
    auto store = MustOpen(TinyOptions(dir.Sub("db")));
    WriteSet w;
    w.Put(Cf::kMeta, KeyBuilder().Str("schema_version").key(), "garbage");
    ASSERT_TRUE(store->Commit(std::move(w)).ok());
  }
  auto store = Store::Open(TinyOptions(dir.Sub("db")));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
}

TEST(Store, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = MustOpen(TinyOptions(dir.Sub("db")));
  auto second = Store::Open(TinyOptions(dir.Sub("db")));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace branchline::storage
