#include "storage/record_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/storage/test_backends.h"
#include "tests/support/temp_dir.h"

namespace branchline::storage {
namespace {

using branchline::testing::TempDir;
using testing::ReadValue;

std::string Cached(RecordCache& cache, Cf cf, std::string_view key, bool* hit) {
  std::string value;
  RecordCache::Ticket ticket;
  *hit = cache.Find(
      cf, key, [&](const std::string* v) { value = v ? *v : "(absent)"; }, ticket);
  return value;
}

TEST(RecordCache, CachesOnlyTheRecordsEveryCallReads) {
  EXPECT_TRUE(RecordCache::Caches(Cf::kSessions));
  EXPECT_TRUE(RecordCache::Caches(Cf::kPeople));
  EXPECT_TRUE(RecordCache::Caches(Cf::kMeetings));
  EXPECT_TRUE(RecordCache::Caches(Cf::kOrganizations));
  EXPECT_TRUE(RecordCache::Caches(Cf::kMaterials));
  EXPECT_TRUE(RecordCache::Caches(Cf::kStudyPlans));
  // Credentials are read at sign-in only; idempotency answers and attendance are written by
  // the very calls that read them.
  EXPECT_FALSE(RecordCache::Caches(Cf::kCredentials));
  EXPECT_FALSE(RecordCache::Caches(Cf::kIdempotency));
  EXPECT_FALSE(RecordCache::Caches(Cf::kAttendance));
}

TEST(RecordCache, AFillIsFoundUntilTheKeyIsInvalidated) {
  RecordCache cache(1 << 20);
  bool hit = true;
  RecordCache::Ticket ticket;
  EXPECT_FALSE(cache.Find(
      Cf::kPeople, "k", [](const std::string*) {}, ticket));
  cache.Fill(Cf::kPeople, "k", "alice", ticket);
  EXPECT_EQ(Cached(cache, Cf::kPeople, "k", &hit), "alice");
  EXPECT_TRUE(hit);
  // The same key of another family is another record.
  Cached(cache, Cf::kSessions, "k", &hit);
  EXPECT_FALSE(hit);
  cache.Invalidate(Cf::kPeople, "k");
  Cached(cache, Cf::kPeople, "k", &hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(RecordCache, AnAbsenceIsKeptUntilTheKeyIsWritten) {
  RecordCache cache(1 << 20);
  RecordCache::Ticket ticket;
  ASSERT_FALSE(cache.Find(
      Cf::kStudyPlans, "settings", [](const std::string*) {}, ticket));
  cache.FillAbsent(Cf::kStudyPlans, "settings", ticket);
  bool hit = false;
  EXPECT_EQ(Cached(cache, Cf::kStudyPlans, "settings", &hit), "(absent)");
  EXPECT_TRUE(hit);
  EXPECT_GT(cache.bytes(), 0u);
  cache.Invalidate(Cf::kStudyPlans, "settings");
  Cached(cache, Cf::kStudyPlans, "settings", &hit);
  EXPECT_FALSE(hit);
  // An absence read before an invalidation is refused like a value.
  ASSERT_FALSE(cache.Find(
      Cf::kStudyPlans, "settings", [](const std::string*) {}, ticket));
  cache.Invalidate(Cf::kStudyPlans, "settings");
  cache.FillAbsent(Cf::kStudyPlans, "settings", ticket);
  Cached(cache, Cf::kStudyPlans, "settings", &hit);
  EXPECT_FALSE(hit);
}

TEST(RecordCache, AValueReadBeforeAnInvalidationIsNotKept) {
  RecordCache cache(1 << 20);
  RecordCache::Ticket ticket;
  ASSERT_FALSE(cache.Find(
      Cf::kSessions, "s", [](const std::string*) {}, ticket));
  // The reader has read "old" from the engine; a commit lands and invalidates meanwhile.
  cache.Invalidate(Cf::kSessions, "s");
  cache.Fill(Cf::kSessions, "s", "old", ticket);
  bool hit = true;
  Cached(cache, Cf::kSessions, "s", &hit);
  EXPECT_FALSE(hit);
}

TEST(RecordCache, StaysWithinItsBound) {
  const size_t bound = 64 << 10;
  RecordCache cache(bound);
  const std::string value(200, 'v');
  for (int i = 0; i < 5000; ++i) {
    RecordCache::Ticket ticket;
    const std::string key = "key-" + std::to_string(i);
    ASSERT_FALSE(cache.Find(
        Cf::kPeople, key, [](const std::string*) {}, ticket));
    cache.Fill(Cf::kPeople, key, value, ticket);
    ASSERT_LE(cache.bytes(), bound);
  }
  EXPECT_GT(cache.bytes(), bound / 2);
  // A value larger than a shard's share is not cached at all.
  RecordCache::Ticket ticket;
  ASSERT_FALSE(cache.Find(
      Cf::kPeople, "big", [](const std::string*) {}, ticket));
  cache.Fill(Cf::kPeople, "big", std::string(bound, 'b'), ticket);
  bool hit = true;
  Cached(cache, Cf::kPeople, "big", &hit);
  EXPECT_FALSE(hit);
}

StoreOptions Options(const std::string& path, size_t cache_bytes) {
  StoreOptions o;
  o.path = path;
  o.write_buffer_size = 64 << 10;
  o.block_cache_bytes = 1 << 20;
  o.record_cache_bytes = cache_bytes;
  return o;
}

std::unique_ptr<Store> MustOpen(const StoreOptions& o) {
  auto store = Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoreRecordCache, ASecondReadIsServedFromMemoryAndEveryCommitIsSeenAtOnce) {
  TempDir dir;
  auto store = MustOpen(Options(dir.Sub("db"), 1 << 20));
  const std::string key = RecordKey(MakeId(1, 7));
  WriteSet put;
  put.Put(Cf::kPeople, key, "v1");
  ASSERT_TRUE(store->Commit(std::move(put)).ok());
  EXPECT_EQ(ReadValue(*store, Cf::kPeople, key), "v1");
  EXPECT_EQ(ReadValue(*store, Cf::kPeople, key), "v1");
  EXPECT_EQ(store->Stats().record_cache_hits_total, 1u);
  EXPECT_GT(store->Stats().record_cache_bytes, 0u);

  // Synchronous commit.
  WriteSet update;
  update.Put(Cf::kPeople, key, "v2");
  ASSERT_TRUE(store->Commit(std::move(update)).ok());
  EXPECT_EQ(ReadValue(*store, Cf::kPeople, key), "v2");

  // The committer's group commit: invalidated before `done` runs.
  ReadValue(*store, Cf::kPeople, key);
  std::promise<std::optional<std::string>> seen_in_done;
  WriteSet remove;
  remove.Delete(Cf::kPeople, key);
  store->CommitAsync(std::move(remove), [&](absl::Status s) {
    EXPECT_TRUE(s.ok()) << s;
    seen_in_done.set_value(ReadValue(*store, Cf::kPeople, key));
  });
  EXPECT_EQ(seen_in_done.get_future().get(), std::nullopt);
  EXPECT_EQ(ReadValue(*store, Cf::kPeople, key), std::nullopt);
}

TEST(StoreRecordCache, GetMessageParsesTheCachedRecord) {
  TempDir dir;
  auto store = MustOpen(Options(dir.Sub("db"), 1 << 20));
  internal::v1::Session session;
  session.set_session_id(42);
  session.set_password_change_only(true);
  const std::string key = SessionKey(MakeId(1, 3), 42);
  WriteSet put;
  put.PutMessage(Cf::kSessions, key, session);
  ASSERT_TRUE(store->Commit(std::move(put)).ok());
  for (int i = 0; i < 2; ++i) {
    internal::v1::Session read;
    auto found = store->GetMessage(Cf::kSessions, key, &read);
    ASSERT_TRUE(found.ok() && *found);
    EXPECT_EQ(read.session_id(), 42u);
    EXPECT_TRUE(read.password_change_only());
  }
  EXPECT_EQ(store->Stats().record_cache_hits_total, 1u);
  // An absent record is not remembered: it is there as soon as it is written.
  internal::v1::Session absent;
  auto missing = store->GetMessage(Cf::kSessions, SessionKey(MakeId(1, 3), 43), &absent);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

// Settings an organisation inherits are looked up along its chain (GetFirstMessage): the
// levels that have none are remembered as such, and a level that gets settings is seen at once.
TEST(StoreRecordCache, AnInheritedLookupRemembersTheEmptyLevelsUntilOneIsWritten) {
  TempDir dir;
  auto store = MustOpen(Options(dir.Sub("db"), 1 << 20));
  const std::vector<std::string> chain = {StudySettingsKey(MakeId(1, 30)),
                                          StudySettingsKey(MakeId(1, 20)),
                                          StudySettingsKey(MakeId(1, 10))};
  internal::v1::Session root;  // any message: the store does not look inside
  root.set_session_id(10);
  WriteSet put_root;
  put_root.PutMessage(Cf::kStudyPlans, chain[2], root);
  ASSERT_TRUE(store->Commit(std::move(put_root)).ok());
  auto first = [&](uint64_t* id) {
    internal::v1::Session read;
    auto found = store->GetFirstMessage(Cf::kStudyPlans, chain, &read);
    EXPECT_TRUE(found.ok()) << found.status();
    *id = read.session_id();
    return found.ok() ? *found : std::nullopt;
  };
  uint64_t id = 0;
  EXPECT_EQ(first(&id), 2u);
  EXPECT_EQ(id, 10u);
  const uint64_t misses = store->Stats().record_cache_misses_total;
  EXPECT_EQ(first(&id), 2u);
  EXPECT_EQ(store->Stats().record_cache_misses_total, misses);  // all three from memory
  EXPECT_EQ(id, 10u);

  internal::v1::Session middle;
  middle.set_session_id(20);
  WriteSet put_middle;
  put_middle.PutMessage(Cf::kStudyPlans, chain[1], middle);
  ASSERT_TRUE(store->Commit(std::move(put_middle)).ok());
  EXPECT_EQ(first(&id), 1u);
  EXPECT_EQ(id, 20u);

  WriteSet remove_middle;
  remove_middle.Delete(Cf::kStudyPlans, chain[1]);
  ASSERT_TRUE(store->Commit(std::move(remove_middle)).ok());
  EXPECT_EQ(first(&id), 2u);
  EXPECT_EQ(id, 10u);
  // A plain read of an absent key (its key from a request) is not remembered.
  internal::v1::Session none;
  const std::string requested = RecordKey(MakeId(1, 99));
  ASSERT_FALSE(*store->GetMessage(Cf::kStudyPlans, requested, &none));
  const uint64_t before = store->Stats().record_cache_misses_total;
  ASSERT_FALSE(*store->GetMessage(Cf::kStudyPlans, requested, &none));
  EXPECT_EQ(store->Stats().record_cache_misses_total, before + 1);
}

TEST(StoreRecordCache, ACacheOfZeroBytesReadsTheEngineEveryTime) {
  TempDir dir;
  auto store = MustOpen(Options(dir.Sub("db"), 0));
  WriteSet put;
  put.Put(Cf::kMeetings, RecordKey(MakeId(1, 9)), "m");
  ASSERT_TRUE(store->Commit(std::move(put)).ok());
  ReadValue(*store, Cf::kMeetings, RecordKey(MakeId(1, 9)));
  ReadValue(*store, Cf::kMeetings, RecordKey(MakeId(1, 9)));
  EXPECT_EQ(store->Stats().record_cache_hits_total, 0u);
  EXPECT_EQ(store->Stats().record_cache_misses_total, 0u);
}

// Writers commit ever larger values of a few keys while readers read them: once a commit has
// returned, no read may see an older value (a stale fill would), and the values a reader
// sees never go backwards.
TEST(StoreRecordCache, ReadersNeverSeeAValueOlderThanTheLastAcknowledgedCommit) {
  TempDir dir;
  auto o = Options(dir.Sub("db"), 1 << 20);
  o.sync_writes = false;
  auto store = MustOpen(o);
  constexpr int kKeys = 4;
  constexpr uint64_t kVersions = 400;
  std::vector<std::string> keys;
  std::vector<std::atomic<uint64_t>> acknowledged(kKeys);
  for (int k = 0; k < kKeys; ++k) keys.push_back(RecordKey(MakeId(1, 100 + k)));
  auto value_of = [&](int k) {
    auto v = ReadValue(*store, Cf::kOrganizations, keys[k]);
    return v ? KeyReader(*v).U64().value_or(0) : 0;
  };
  std::atomic<bool> done{false};
  std::atomic<int> stale{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      std::vector<uint64_t> last(kKeys, 0);
      while (!done.load()) {
        for (int k = 0; k < kKeys; ++k) {
          const uint64_t floor = acknowledged[k].load();
          const uint64_t v = value_of(k);
          if (v < floor || v < last[k]) stale.fetch_add(1);
          last[k] = v;
        }
      }
    });
  }
  for (uint64_t version = 1; version <= kVersions; ++version) {
    for (int k = 0; k < kKeys; ++k) {
      WriteSet w;
      w.Put(Cf::kOrganizations, keys[k], KeyBuilder().U64(version).key());
      if (version % 2) {
        ASSERT_TRUE(store->Commit(std::move(w)).ok());
      } else {
        std::promise<absl::Status> committed;
        store->CommitAsync(std::move(w), [&](absl::Status s) { committed.set_value(s); });
        ASSERT_TRUE(committed.get_future().get().ok());
      }
      acknowledged[k].store(version);
    }
  }
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(value_of(k), kVersions);
  EXPECT_GT(store->Stats().record_cache_hits_total, 0u);
}

}  // namespace
}  // namespace branchline::storage
