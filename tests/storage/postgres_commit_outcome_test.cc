// A commit whose connection breaks: the PostgreSQL engine learns whether it landed before it
// answers. Both outcomes are produced on the fixture's server by ending the committing
// backend with pg_terminate_backend, the way a failover or a network cut ends it:
//  - while the statement still runs (a trigger holds it in pg_sleep): it did not commit, and
//    the engine sends it again on a new connection;
//  - after it committed, while it waits for a synchronous standby that never answers: it
//    did commit, and the engine says so without writing it twice.
// Before this, both answered UNAVAILABLE, and the second left the change log with a sequence
// marked failed that had in fact been written.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "storage/store.h"
#include "tests/storage/test_backends.h"

namespace branchline::storage {
namespace {

using namespace std::chrono_literals;

class PostgresCommitOutcome : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    auto db = testing::NewPostgresDatabase(&skip);
    if (!db) GTEST_SKIP() << skip;
    db_ = *db;
  }

  void TearDown() override {
    if (!changed_server_settings_) return;
    Psql("ALTER SYSTEM RESET synchronous_standby_names");
    Psql("SELECT pg_reload_conf()");
  }

  void Open(const std::string& uri) {
    StoreOptions options;
    options.postgres = uri;
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::string Psql(const std::string& sql) { return testing::Psql(db_, sql); }

  // The pid of this database's backend waiting on `wait_event`, waited for up to 20 s.
  std::string BackendWaitingOn(const std::string& wait_event) {
    for (auto until = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(20ms)) {
      std::string pid = Psql(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
          "wait_event = '" +
          wait_event + "'");
      if (!pid.empty()) return pid;
    }
    ADD_FAILURE() << "no backend waited on " << wait_event;
    return "";
  }

  // Counts the inserts of rows whose key contains `marker`, in a sequence (sequences are not
  // transactional, so a statement that rolled back still counts): how often the commit was
  // sent. When `stall_first` is set, the first such insert sleeps in the trigger.
  void CountInserts(const std::string& marker, bool stall_first) {
    Psql("CREATE SEQUENCE sent");
    Psql(
        "CREATE FUNCTION count_sent() RETURNS trigger LANGUAGE plpgsql AS $body$ "
        "DECLARE n bigint; BEGIN "
        "IF position(convert_to('" +
        marker +
        "', 'UTF8') in NEW.k) > 0 THEN "
        "n := nextval('sent'); "
        "IF n = 1 AND " +
        (stall_first ? "true" : "false") +
        " THEN PERFORM pg_sleep(60); END IF; END IF; RETURN NEW; END $body$");
    Psql(
        "CREATE TRIGGER count_sent BEFORE INSERT ON branchline_kv FOR EACH ROW EXECUTE "
        "FUNCTION count_sent()");
  }
  std::string TimesSent() { return Psql("SELECT last_value FROM sent"); }

  absl::Status CommitInThread(const std::string& key, const std::string& value,
                              const std::function<void()>& meanwhile) {
    absl::Status status = absl::UnknownError("never committed");
    std::thread writer([&] {
      WriteSet w;
      w.Put(Cf::kMeta, key, value);
      status = store_->Commit(std::move(w));
    });
    meanwhile();
    writer.join();
    return status;
  }

  std::optional<std::string> Read(const std::string& key) {
    auto value = store_->Get(Cf::kMeta, key);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::nullopt;
  }

  testing::PostgresTestDatabase db_;
  std::unique_ptr<Store> store_;
  bool changed_server_settings_ = false;
};

TEST_F(PostgresCommitOutcome, AStatementEndedBeforeItCommittedIsSentAgain) {
  Open(db_.uri);
  CountInserts("stalled-key", /*stall_first=*/true);
  auto status = CommitInThread("stalled-key", "written", [&] {
    Psql("SELECT pg_terminate_backend(" + BackendWaitingOn("PgSleep") + ")");
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Read("stalled-key"), "written");
  EXPECT_EQ(TimesSent(), "2");  // the ended statement, then the one sent again
}

TEST_F(PostgresCommitOutcome, ACommitWhoseAnswerWasLostIsReportedCommittedAndNotSentAgain) {
  // Only this store's sessions wait for a synchronous standby (the fixture's default is
  // synchronous_commit=off, so other tests sharing the server never wait); none exists, so
  // its commit lands locally and then waits until its backend is ended.
  Open(db_.uri + "&options=-c%20synchronous_commit%3Don");
  CountInserts("unanswered-key", /*stall_first=*/false);
  changed_server_settings_ = true;
  Psql("ALTER SYSTEM SET synchronous_standby_names = 'branchline_test_nobody'");
  Psql("SELECT pg_reload_conf()");
  std::this_thread::sleep_for(300ms);  // the reload reaches the store's idle connection
  auto status = CommitInThread("unanswered-key", "written", [&] {
    Psql("SELECT pg_terminate_backend(" + BackendWaitingOn("SyncRep") + ")");
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Read("unanswered-key"), "written");
  EXPECT_EQ(TimesSent(), "1");
}

// Strict synchronous mode with no standby left: a commit waits until one returns and cannot be
// cancelled (it has committed locally). Once it has waited 10 s, new writes — synchronous and
// grouped — are refused at once with UNAVAILABLE and a retry delay instead of queueing behind
// it; reads go on; when a standby is back everything completes and writes are accepted again.
TEST_F(PostgresCommitOutcome, WithNoStandbyNewWritesAreRefusedAtOnceNotQueued) {
  Open(db_.uri + "&options=-c%20synchronous_commit%3Don");
  {
    WriteSet w;
    w.Put(Cf::kMeta, "before", "x");
    ASSERT_TRUE(store_->Commit(std::move(w)).ok());
  }
  changed_server_settings_ = true;
  Psql("ALTER SYSTEM SET synchronous_standby_names = 'branchline_test_nobody'");
  Psql("SELECT pg_reload_conf()");
  std::this_thread::sleep_for(300ms);
  auto status = CommitInThread("waits", "for a standby", [&] {
    BackendWaitingOn("SyncRep");
    std::this_thread::sleep_for(10500ms);  // past the engine's 10 s
    auto started = std::chrono::steady_clock::now();
    WriteSet w;
    w.Put(Cf::kMeta, "refused", "x");
    auto refused = store_->Commit(std::move(w));
    EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
    EXPECT_TRUE(refused.GetPayload("type.googleapis.com/google.rpc.RetryInfo").has_value());
    std::promise<absl::Status> grouped;
    WriteSet g;
    g.Put(Cf::kMeta, "refused too", "x");
    store_->CommitAsync(std::move(g), [&](absl::Status s) { grouped.set_value(s); });
    EXPECT_EQ(grouped.get_future().get().code(), absl::StatusCode::kUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(Read("before"), "x");  // reads are served
    Psql("ALTER SYSTEM RESET synchronous_standby_names");
    Psql("SELECT pg_reload_conf()");
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Read("waits"), "for a standby");
  EXPECT_EQ(Read("refused"), std::nullopt);
  EXPECT_EQ(Read("refused too"), std::nullopt);
  WriteSet w;
  w.Put(Cf::kMeta, "after", "x");
  EXPECT_TRUE(store_->Commit(std::move(w)).ok());
}

TEST_F(PostgresCommitOutcome, AStatementThatFailsOnItsOwnIsNotSentAgain) {
  // An error from the statement itself (not a lost connection) rolled it back: the engine
  // answers at once and does not retry.
  Open(db_.uri);
  CountInserts("refused-key", /*stall_first=*/false);
  Psql(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
      "IF position(convert_to('refused-key', 'UTF8') in NEW.k) > 0 THEN "
      "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $body$");
  Psql(
      "CREATE TRIGGER refuse AFTER INSERT ON branchline_kv FOR EACH ROW EXECUTE FUNCTION "
      "refuse()");
  auto status = CommitInThread("refused-key", "never", [] {});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(Read("refused-key"), std::nullopt);
  EXPECT_EQ(TimesSent(), "1");
}

}  // namespace
}  // namespace branchline::storage
