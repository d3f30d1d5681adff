// Two stores on one PostgreSQL database, as two Branchline servers on one cluster: each has
// its own connections, sequencer and in-process locks, and they meet only in the database.
//  - The change log they share is numbered by the committing transaction (postgres_engine.cc,
//    kWrite), and a reader stops at the oldest transaction still running (kStable), so a
//    reader on either server never skips a change committed late through the other and never
//    sees one twice.
//  - Read-modify-write locks are also advisory locks in the database (AdvisoryLocks), so a
//    read-modify-write through one server waits for the other's to commit.
//  - The background passes run on one of them at a time (BackgroundLease), and move to the
//    other when the holder stops or loses its session.
//  - A read through either never sees a value older than a commit acknowledged through the
//    other before it began (the record cache is off on PostgreSQL: record_cache.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/change_pruning.h"
#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/storage/test_backends.h"

namespace branchline::storage {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kTenant = 7;

class TwoServers : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    auto db = testing::NewPostgresDatabase(&skip);
    if (!db) GTEST_SKIP() << skip;
    db_ = *db;
    a_ = Open();
    b_ = Open();
  }

  std::unique_ptr<Store> Open() {
    StoreOptions options;
    options.postgres = db_.uri;
    auto store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Commits one change whose record_id is `id`; returns the sequence it got.
  static uint64_t CommitChange(Store& store, uint64_t id) {
    WriteSet w;
    internal::v1::ChangeRecord change;
    change.set_kind("test");
    change.set_record_id(id);
    change.set_organization_id(MakeId(kTenant, 1));
    w.AddChange(kTenant, change);
    EXPECT_TRUE(store.Commit(std::move(w)).ok());
    return SequenceOf(store, id);
  }

  // The whole log of the tenant: sequence -> record_id.
  static std::map<uint64_t, uint64_t> Log(const Store& store) {
    std::map<uint64_t, uint64_t> log;
    auto s = store.Scan(Cf::kChanges, KeyBuilder(kTenant).key(), "",
                        [&](std::string_view key, std::string_view value) {
                          internal::v1::ChangeRecord c;
                          EXPECT_TRUE(c.ParseFromArray(value.data(), value.size()));
                          KeyReader r(key);
                          r.U32();
                          EXPECT_EQ(r.U64(), c.sequence()) << "key and record disagree";
                          log[c.sequence()] = c.record_id();
                          return true;
                        });
    EXPECT_TRUE(s.ok()) << s;
    return log;
  }

  static uint64_t SequenceOf(const Store& store, uint64_t id) {
    for (const auto& [sequence, record] : Log(store)) {
      if (record == id) return sequence;
    }
    ADD_FAILURE() << "change " << id << " is not in the log";
    return 0;
  }

  testing::PostgresTestDatabase db_;
  std::unique_ptr<Store> a_, b_;
};

// A reader following one server's stable mark, as ListChanges and WatchChanges do: what it
// reads at or below the mark, in order, cursor moving to the last one read.
class Follower {
 public:
  explicit Follower(Store& store) : store_(store) {}

  void ReadOnce() {
    const uint64_t stable = store_.StableChangeSequence();
    auto s = store_.Scan(Cf::kChanges, KeyBuilder(kTenant).key(), ChangeKey(kTenant, cursor_),
                         [&](std::string_view, std::string_view value) {
                           internal::v1::ChangeRecord c;
                           EXPECT_TRUE(c.ParseFromArray(value.data(), value.size()));
                           if (c.sequence() > stable) return false;
                           seen_.push_back({c.sequence(), c.record_id()});
                           cursor_ = c.sequence();
                           return true;
                         });
    EXPECT_TRUE(s.ok()) << s;
  }
  void Wait() { store_.sequencer().WaitPast(cursor_, Clock::now() + 50ms); }

  // (sequence, record_id) in the order read.
  const std::vector<std::pair<uint64_t, uint64_t>>& seen() const { return seen_; }

 private:
  Store& store_;
  uint64_t cursor_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> seen_;
};

// Six writers, three through each store (synchronous and grouped commits), and a reader on
// each store: both readers see every change of both stores exactly once, in sequence order.
TEST_F(TwoServers, ReadersOnEitherServerSeeEveryChangeOnceInOrder) {
  constexpr int kEach = 40;
  std::atomic<bool> writing{true};
  Follower on_a(*a_), on_b(*b_);
  auto follow = [&](Follower& follower) {
    for (bool last_round = false; !last_round;) {
      last_round = !writing.load();
      follower.ReadOnce();
      if (!last_round) follower.Wait();
    }
  };
  std::thread reader_a([&] { follow(on_a); }), reader_b([&] { follow(on_b); });
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *a_ : *b_;
      for (int i = 0; i < kEach; ++i) {
        WriteSet w;
        internal::v1::ChangeRecord c;
        c.set_kind("test");
        c.set_record_id(uint64_t(t) * 1000 + i);
        w.AddChange(kTenant, c);
        auto committed = testing::CommitAndWait(store, std::move(w), /*async=*/t >= 3);
        ASSERT_TRUE(committed.ok()) << committed;
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader_a.join();
  reader_b.join();

  const auto log = Log(*a_);
  ASSERT_EQ(log.size(), 6u * kEach);
  const std::vector<std::pair<uint64_t, uint64_t>> expected(log.begin(), log.end());
  EXPECT_EQ(on_a.seen(), expected) << "the reader on A skipped, repeated or reordered";
  EXPECT_EQ(on_b.seen(), expected) << "the reader on B skipped, repeated or reordered";
  std::set<uint64_t> ids;
  for (const auto& [sequence, id] : log) ids.insert(id);
  EXPECT_EQ(ids.size(), 6u * kEach);
}

// The reading rule itself: a transaction of this database that holds an id (here a psql
// session, as a commit still waiting for its standby would) keeps the mark of both servers
// below it, even though a later change is already committed; once it ends, the mark passes
// that change. One in another database of the instance holds nothing back.
TEST_F(TwoServers, TheMarkStopsBelowATransactionStillRunning) {
  CommitChange(*a_, 1);
  // Another application's transaction in another database of the same instance holds an id
  // all along: it must not hold the mark back.
  const std::string elsewhere = db_.psql.substr(0, db_.psql.rfind(" -d ")) + " -d postgres";
  FILE* other_database = popen((elsewhere + " > /dev/null").c_str(), "w");
  ASSERT_NE(other_database, nullptr);
  fputs("BEGIN; SELECT pg_current_xact_id();\n", other_database);
  fflush(other_database);
  const std::string session = db_.psql + " > /dev/null";
  FILE* open_transaction = popen(session.c_str(), "w");
  ASSERT_NE(open_transaction, nullptr);
  fputs("BEGIN; SELECT pg_current_xact_id();\n", open_transaction);
  fflush(open_transaction);
  std::string xid;
  for (auto until = Clock::now() + 20s; xid.empty() && Clock::now() < until;
       std::this_thread::sleep_for(20ms)) {
    xid = testing::Psql(db_,
                        "SELECT backend_xid FROM pg_stat_activity WHERE datname = "
                        "current_database() AND state = 'idle in transaction' AND "
                        "backend_xid IS NOT NULL");
  }
  ASSERT_FALSE(xid.empty()) << "the psql session never held a transaction id";
  const uint64_t held_below = std::stoull(xid) << kChangeSequenceShift;

  const uint64_t later = CommitChange(*b_, 2);
  EXPECT_GT(later, held_below) << "the later commit is numbered after the running one";
  EXPECT_LT(a_->StableChangeSequence(), held_below);
  EXPECT_LT(b_->StableChangeSequence(), held_below);

  fputs("COMMIT;\n", open_transaction);
  EXPECT_EQ(pclose(open_transaction), 0);
  // A's follower hears of it within its poll, without a commit of its own.
  const auto start = Clock::now();
  const uint64_t reached = a_->sequencer().WaitPast(later - 1, start + 5s);
  EXPECT_GE(reached, later);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_GE(b_->StableChangeSequence(), later);
  fputs("COMMIT;\n", other_database);
  EXPECT_EQ(pclose(other_database), 0);
}

// The mark stops at the newest commit that committed. Transactions that took an id and rolled
// back, as those whose WAL a failover loses do, never carry it past themselves: the new
// primary would hand their ids out again, below a mark readers had already passed. The next
// commit moves it on.
TEST_F(TwoServers, TheMarkNeverPassesTransactionsThatRolledBack) {
  WriteSet w;
  internal::v1::ChangeRecord change;
  change.set_kind("test");
  change.set_record_id(20);
  change.set_organization_id(MakeId(kTenant, 1));
  w.AddChange(kTenant, change);
  w.PutIfAbsent(Cf::kMeta, "guard", "1");
  ASSERT_TRUE(a_->Commit(std::move(w)).ok());
  const uint64_t first = SequenceOf(*a_, 20);
  const uint64_t cap = (((first >> kChangeSequenceShift) + 1) << kChangeSequenceShift) - 1;
  // A commit refused on its guard (the statement ran, took an id and rolled back) …
  WriteSet refused;
  refused.PutIfAbsent(Cf::kMeta, "guard", "2");
  refused.Put(Cf::kMeta, "other", "x");
  ASSERT_EQ(b_->Commit(std::move(refused)).code(), absl::StatusCode::kAlreadyExists);
  // … and sessions that take ids and roll back, as a commit cut off by a crash does.
  FILE* session = popen((db_.psql + " > /dev/null").c_str(), "w");
  ASSERT_NE(session, nullptr);
  for (int i = 0; i < 3; ++i) fputs("BEGIN; SELECT pg_current_xact_id(); ROLLBACK;\n", session);
  ASSERT_EQ(pclose(session), 0);

  EXPECT_EQ(a_->StableChangeSequence(), cap);
  EXPECT_EQ(b_->StableChangeSequence(), cap);

  const uint64_t later = CommitChange(*b_, 21);
  EXPECT_GT(later, cap);
  EXPECT_GE(a_->StableChangeSequence(), later);
}

// A database whose commit table predates the transaction ids gets them at the next start;
// the rows already there count as committed at that start, and the mark follows commits again.
TEST_F(TwoServers, ACommitTableWithoutIdsGetsThemAtTheNextStart) {
  CommitChange(*a_, 30);
  a_.reset();
  b_.reset();
  testing::Psql(db_, "ALTER TABLE branchline_commits DROP COLUMN xid");
  auto restarted = Open();
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(testing::Psql(db_,
                          "SELECT count(*) FROM branchline_commits WHERE xid IS NULL UNION ALL "
                          "SELECT count(*) FROM pg_indexes WHERE indexname = "
                          "'branchline_commits_xid'"),
            "0\n1");
  const uint64_t next = CommitChange(*restarted, 31);
  EXPECT_GE(restarted->StableChangeSequence(), next);
}

// WatchChanges on one server (it waits on the store's sequencer) learns of a commit through
// the other within the follower's poll (100 ms), and at once of its own. (The mark also moves
// with other databases' transactions on a shared instance, so the wait is for the commit's
// own sequence, not for the first move.)
TEST_F(TwoServers, AWaitOnOneServerWakesForACommitThroughTheOther) {
  for (bool through_other : {true, false}) {
    SCOPED_TRACE(through_other ? "commit through B" : "commit through A");
    const auto committed = Clock::now();
    const uint64_t sequence = CommitChange(through_other ? *b_ : *a_, 10 + through_other);
    const ChangeSequencer& watched = a_->sequencer();
    for (uint64_t stable = watched.Stable(); stable < sequence && Clock::now() < committed + 10s;) {
      stable = watched.WaitPast(stable, Clock::now() + 10s);
    }
    EXPECT_GE(watched.Stable(), sequence);
    EXPECT_LT(Clock::now() - committed, 1s);
  }
}

// Sequences are transaction ids followed by the entry's place: the entries of one commit
// group are consecutive and in the order handed over; the record carries its sequence.
TEST_F(TwoServers, EntriesOfOneCommitShareItsTransaction) {
  WriteSet w;
  for (uint64_t id : {21, 22, 23}) {
    internal::v1::ChangeRecord c;
    c.set_kind("test");
    c.set_record_id(id);
    c.add_person_ids(MakeId(kTenant, 5));
    w.AddChange(kTenant, c);
  }
  ASSERT_TRUE(a_->Commit(std::move(w)).ok());
  const auto log = Log(*a_);
  ASSERT_EQ(log.size(), 3u);
  auto it = log.begin();
  const uint64_t first = it->first;
  EXPECT_EQ(first & ((uint64_t{1} << kChangeSequenceShift) - 1), 0u);
  for (uint64_t id : {21, 22, 23}) {
    EXPECT_EQ(it->first, first + (id - 21));
    EXPECT_EQ(it->second, id);
    EXPECT_TRUE(a_->Get(Cf::kIndex, ChangeByPersonKey(MakeId(kTenant, 5), it->first))->has_value())
        << "the person index carries the same sequence";
    ++it;
  }
}

// Writes through one server of ever larger values while readers on the other read them: no
// read returns a value older than the last commit acknowledged before it began. The values
// are of the kinds a record cache keeps (record_cache.h): whatever the store keeps in memory
// must not change this.
TEST_F(TwoServers, ReadersOnOneServerNeverSeeAValueOlderThanACommitThroughTheOther) {
  constexpr int kKeys = 3;
  constexpr uint64_t kVersions = 150;
  std::vector<std::string> keys;
  std::vector<std::atomic<uint64_t>> acknowledged(kKeys);
  for (int k = 0; k < kKeys; ++k) keys.push_back(RecordKey(MakeId(kTenant, 80 + k)));
  auto value_of = [&](int k) {
    auto v = testing::ReadValue(*b_, k % 2 ? Cf::kMeetings : Cf::kSessions, keys[k]);
    return v ? KeyReader(*v).U64().value_or(0) : 0;
  };
  std::atomic<bool> done{false};
  std::atomic<int> stale{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        for (int k = 0; k < kKeys; ++k) {
          const uint64_t floor = acknowledged[k].load();
          if (value_of(k) < floor) stale.fetch_add(1);
        }
      }
    });
  }
  for (uint64_t version = 1; version <= kVersions; ++version) {
    for (int k = 0; k < kKeys; ++k) {
      WriteSet w;
      w.Put(k % 2 ? Cf::kMeetings : Cf::kSessions, keys[k], KeyBuilder().U64(version).key());
      ASSERT_TRUE(a_->Commit(std::move(w)).ok());
      acknowledged[k].store(version);
    }
  }
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(value_of(k), kVersions);
}

// Retention through one server: the other's readers find the mark at once (they check it
// after reading, so an entry deleted under them is always caught), not after a restart.
TEST_F(TwoServers, RetentionThroughOneServerIsSeenByTheOther) {
  std::vector<uint64_t> sequences;
  for (uint64_t id : {31, 32, 33}) sequences.push_back(CommitChange(*b_, id));
  EXPECT_EQ(a_->ChangesPrunedThrough(kTenant), 0u);
  const int64_t far_future = int64_t{4'000'000'000} * 1'000'000;
  auto pruned = PruneChanges(*b_, far_future, /*max_changes=*/2);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->deleted, 2u);
  EXPECT_EQ(a_->ChangesPrunedThrough(kTenant), sequences[1]);
  EXPECT_EQ(b_->ChangesPrunedThrough(kTenant), sequences[1]);
  EXPECT_EQ(Log(*a_).size(), 1u);
}

// The read-modify-write a Mutation does (services/common/mutation.h): lock, read, write,
// commit, release. Through both servers at once, no increment is lost.
TEST_F(TwoServers, ReadModifyWritesThroughBothServersNeverInterleave) {
  constexpr int kThreads = 4, kEach = 40;
  const std::string key = "counter";
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *a_ : *b_;
      for (int i = 0; i < kEach; ++i) {
        auto guard = store.record_locks().Lock(key);
        ASSERT_TRUE(guard.status().ok()) << guard.status();
        auto value = store.Get(Cf::kMeta, key);
        ASSERT_TRUE(value.ok()) << value.status();
        const int n = value->has_value() ? std::stoi(**value) : 0;
        WriteSet w;
        w.Put(Cf::kMeta, key, std::to_string(n + 1));
        auto committed = testing::CommitAndWait(store, std::move(w), /*async=*/t % 4 >= 2);
        ASSERT_TRUE(committed.ok()) << committed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(a_->Get(Cf::kMeta, key)->value_or("0"), std::to_string(2 * kThreads * kEach));
}

// The idempotency pattern: a request lock, then the record locks joined to its transaction
// (one connection per mutation). The same request sent to both servers from many threads is
// carried out once; every other sender finds the stored answer.
TEST_F(TwoServers, TheSameRequestThroughBothServersRunsOnce) {
  std::atomic<int> ran{0};
  std::mutex mu;
  std::set<std::string> answers;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *a_ : *b_;
      auto request = store.request_locks().Lock("request-1");
      auto stored = store.Get(Cf::kIdempotency, "request-1");
      ASSERT_TRUE(stored.ok());
      std::string answer;
      if (stored->has_value()) {
        answer = **stored;
      } else {
        auto record = store.record_locks().Lock({"check-in"}, &request);
        ASSERT_TRUE(request.status().ok() && record.status().ok()) << record.status();
        ++ran;
        answer = "answered by thread " + std::to_string(t);
        WriteSet w;
        w.Put(Cf::kIdempotency, "request-1", answer);
        w.Put(Cf::kMeta, "check-in", answer);
        ASSERT_TRUE(store.Commit(std::move(w)).ok());
      }
      std::lock_guard lock(mu);
      answers.insert(answer);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(answers.size(), 1u);
}

// pg_locks shows the locks of every database of the shared test cluster, other tests' too.
constexpr char kInThisDatabase[] =
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// A stripe another holder keeps too long: the lock is refused with UNAVAILABLE after the
// lock timeout (the caller then commits nothing and the client retries), instead of holding
// the caller's thread without bound.
TEST_F(TwoServers, ALockHeldTooLongElsewhereIsRefusedNotWaitedOutForever) {
  const std::string key = "contended";
  const uint32_t stripe =
      static_cast<uint32_t>(std::hash<std::string_view>{}(key) % KeyLocks::kStripes);
  const std::string session = db_.psql + " > /dev/null";
  FILE* holder = popen(session.c_str(), "w");
  ASSERT_NE(holder, nullptr);
  fprintf(holder, "BEGIN; SELECT pg_advisory_xact_lock(2, %u);\n", stripe);
  fflush(holder);
  for (auto until = Clock::now() + 20s;
       Clock::now() < until &&
       testing::Psql(db_,
                     "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                     "objid = " +
                         std::to_string(stripe) + " AND granted" + kInThisDatabase) != "1";
       std::this_thread::sleep_for(20ms)) {
  }
  const auto start = Clock::now();
  auto guard = a_->record_locks().Lock(key);
  EXPECT_EQ(guard.status().code(), absl::StatusCode::kUnavailable) << guard.status();
  EXPECT_GE(Clock::now() - start, 9s);
  EXPECT_LT(Clock::now() - start, 20s);
  fputs("COMMIT;\n", holder);
  EXPECT_EQ(pclose(holder), 0);
  // Once released, the same lock is granted at once.
  auto again = a_->record_locks().Lock("contended-2");
  EXPECT_TRUE(again.status().ok()) << again.status();
  auto retry = b_->record_locks().Lock(key);
  EXPECT_TRUE(retry.status().ok()) << retry.status();
}

// Whether `store` leads within `within`, asking as a pass timer would.
bool LeadsWithin(Store& store, std::chrono::seconds within) {
  for (auto until = Clock::now() + within; Clock::now() < until;
       std::this_thread::sleep_for(100ms)) {
    if (store.LeadsBackgroundWork()) return true;
  }
  return false;
}

TEST_F(TwoServers, OneServerLeadsTheBackgroundWorkAndTheOtherTakesOverWhenItStops) {
  ASSERT_TRUE(a_->LeadsBackgroundWork());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(b_->LeadsBackgroundWork()) << "while the first holds the lease";
    EXPECT_TRUE(a_->LeadsBackgroundWork()) << "the holder keeps it";
  }
  EXPECT_FALSE(b_->LedBackgroundWork());
  EXPECT_TRUE(a_->LedBackgroundWork());
  a_.reset();  // the server stops: its session ends, and the lease with it
  // Within moments (the database frees a session's locks as its backend exits).
  EXPECT_TRUE(LeadsWithin(*b_, 2s)) << "the other server takes over";
  a_ = Open();
  EXPECT_FALSE(a_->LeadsBackgroundWork()) << "a restarted server does not take it back";
}

TEST_F(TwoServers, AHolderWhoseSessionEndsStopsLeadingWithinTheRecheck) {
  ASSERT_TRUE(a_->LeadsBackgroundWork());
  // The database ends the holder's session (as its TCP timeouts do for a server cut off).
  EXPECT_EQ(testing::Psql(db_,
                          "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE "
                          "locktype = 'advisory' AND classid = 3 AND objid = 0 AND granted" +
                              std::string(kInThisDatabase)),
            "1");
  ASSERT_TRUE(LeadsWithin(*b_, 5s)) << "the other server takes the freed lease";
  // The old holder believed its lease for at most the recheck interval; then it asks, finds
  // it held elsewhere, and stops.
  std::this_thread::sleep_for(2100ms);
  EXPECT_FALSE(a_->LeadsBackgroundWork());
  EXPECT_FALSE(a_->LedBackgroundWork());
  EXPECT_TRUE(b_->LeadsBackgroundWork());
}

}  // namespace
}  // namespace branchline::storage
