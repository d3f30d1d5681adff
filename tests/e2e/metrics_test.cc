// Prometheus metrics: after some calls, GET /metrics over plain HTTP shows calls and latency
// by method and status code, the streams in progress, RocksDB figures and per-tenant counts.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/storage/test_backends.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

// The value of the series named exactly `series` (name and labels), or -1 when absent.
double Value(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// Synced commits happened; the memtable holds them.
void ExpectRocksDbFigures(const std::string& metrics) {
  EXPECT_GT(Value(metrics, "branchline_rocksdb_wal_syncs_total"), 0);
  EXPECT_GT(Value(metrics, "branchline_rocksdb_wal_bytes_total"), 0);
  EXPECT_GE(Value(metrics, "branchline_rocksdb_wal_sync_seconds_total"), 0);
  EXPECT_GT(Value(metrics, "branchline_rocksdb_memtable_bytes"), 0);
  EXPECT_GE(Value(metrics, "branchline_rocksdb_table_readers_bytes"), 0);
  EXPECT_GE(Value(metrics, "branchline_rocksdb_block_cache_bytes"), 0);
  EXPECT_EQ(Value(metrics, "branchline_rocksdb_write_stopped"), 0);
  for (const char* name :
       {"branchline_rocksdb_live_sst_bytes", "branchline_rocksdb_compaction_pending",
        "branchline_rocksdb_compactions_running", "branchline_rocksdb_stall_seconds_total",
        "branchline_rocksdb_delayed_write_rate_bytes"}) {
    EXPECT_GE(Value(metrics, name), 0) << name;
  }
  EXPECT_EQ(metrics.find("branchline_postgres_"), std::string::npos);
}

// The database answered, commits happened, and the server's connections are counted. The
// test database's role is a superuser on a server without standbys: 0 of them, no lag.
void ExpectPostgresFigures(const std::string& metrics) {
  EXPECT_EQ(Value(metrics, "branchline_postgres_up"), 1) << metrics;
  EXPECT_GT(Value(metrics, "branchline_postgres_transactions_committed_total"), 0);
  EXPECT_GE(Value(metrics, "branchline_postgres_transactions_rolled_back_total"), 0);
  EXPECT_EQ(Value(metrics, "branchline_postgres_deadlocks_total"), 0);
  EXPECT_GT(Value(metrics, "branchline_postgres_database_bytes"), 1 << 20);
  EXPECT_GT(Value(metrics, "branchline_postgres_connections_open"), 0);
  const double busy = Value(metrics, "branchline_postgres_connections_busy");
  EXPECT_GE(busy, 0);
  EXPECT_LE(busy, Value(metrics, "branchline_postgres_connections_open"));
  EXPECT_GE(Value(metrics, "branchline_postgres_commits_in_flight"), 0);
  EXPECT_GE(Value(metrics, "branchline_postgres_oldest_commit_seconds"), 0);
  EXPECT_EQ(Value(metrics, "branchline_postgres_synchronous_standbys"), 0);
  EXPECT_EQ(Value(metrics, "branchline_postgres_replication_lag_bytes"), 0);
  EXPECT_EQ(metrics.find("branchline_rocksdb_"), std::string::npos);
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("data");
    options.admin_password = testing::kAdminPassword;
    options.fast_password_hashing = true;
    options.log_level = "warn";
    options.metrics_listen = "127.0.0.1:0";
    // postgres_e2e_metrics (tests/CMakeLists.txt) runs this suite on PostgreSQL.
    if (storage::testing::ServiceSuitesOnPostgres()) {
      std::string reason;
      auto uri = storage::testing::PostgresDatabase(&reason);
      ASSERT_TRUE(uri.has_value()) << reason;
      options.storage = *uri;
      on_postgres_ = true;
    }
    auto server = BranchlineServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_GT(server_->metrics_port(), 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  testing::TempDir dir_;
  bool on_postgres_ = false;
  std::unique_ptr<BranchlineServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(MetricsTest, ScrapeShowsCallsLatencyStreamsStorageAndTenantCounts) {
  auto auth = v1::AuthService::NewStub(channel_);
  auto orgs = v1::OrganizationService::NewStub(channel_);
  auto people = v1::PersonService::NewStub(channel_);
  v1::SignInRequest sign_in;
  sign_in.set_login("admin");
  sign_in.set_password(testing::kAdminPassword);
  v1::SignInResponse session;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(auth->SignIn(&ctx, sign_in, &session).ok());
  }
  const std::string token = session.access_token();
  const uint64_t root = session.person().organization_id();
  for (int i = 0; i < 3; ++i) {
    v1::CreatePersonRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_person()->set_organization_id(root);
    r.mutable_person()->set_display_name("司机 " + std::to_string(i));
    r.mutable_person()->set_employee_number("d" + std::to_string(i));
    r.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
    r.set_initial_password(testing::kPassword);
    v1::Person out;
    ASSERT_TRUE(people->CreatePerson(TestServer::Ctx(token).get(), r, &out).ok());
  }
  v1::CreateOrganizationRequest bad;  // no name: INVALID_ARGUMENT
  bad.set_request_id(TestServer::RequestId());
  bad.mutable_organization()->set_parent_id(root);
  v1::Organization ignored;
  EXPECT_EQ(orgs->CreateOrganization(TestServer::Ctx(token).get(), bad, &ignored).error_code(),
            grpc::INVALID_ARGUMENT);
  v1::ListOrganizationsResponse listed;
  EXPECT_EQ(orgs->ListOrganizations(TestServer::Ctx("").get(), {}, &listed).error_code(),
            grpc::UNAUTHENTICATED);

  // A live stream counts as active while it is open.
  auto sync = v1::SyncService::NewStub(channel_);
  auto watch_ctx = TestServer::Ctx(token);
  auto watch = sync->WatchChanges(watch_ctx.get(), v1::WatchChangesRequest());
  const int port = server_->metrics_port();
  const std::string streams = "branchline_grpc_active_streams";
  std::string metrics;
  for (int i = 0; i < 100 && Value(metrics, streams) != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    metrics = testing::ScrapeMetrics(port);
  }
  EXPECT_EQ(Value(metrics, streams), 1) << metrics;

  const std::string calls = "branchline_grpc_calls_total";
  const std::string sign_in_ok = "{code=\"OK\",method=\"/branchline.v1.AuthService/SignIn\"}";
  EXPECT_EQ(Value(metrics, calls + sign_in_ok), 1) << metrics;
  EXPECT_EQ(
      Value(metrics, calls + "{code=\"OK\",method=\"/branchline.v1.PersonService/CreatePerson\"}"),
      3);
  EXPECT_EQ(Value(metrics, calls + "{code=\"INVALID_ARGUMENT\",method=\"/branchline.v1."
                                   "OrganizationService/CreateOrganization\"}"),
            1);
  EXPECT_EQ(Value(metrics, calls + "{code=\"UNAUTHENTICATED\",method=\"/branchline.v1."
                                   "OrganizationService/ListOrganizations\"}"),
            1);
  const std::string latency = "branchline_grpc_call_duration_seconds";
  EXPECT_EQ(Value(metrics, latency + "_count" + sign_in_ok), 1);
  EXPECT_GT(Value(metrics, latency + "_sum" + sign_in_ok), 0);
  EXPECT_EQ(Value(metrics, latency + "_bucket{code=\"OK\",method=\"/branchline.v1.AuthService/"
                                     "SignIn\",le=\"+Inf\"}"),
            1);

  // Storage: the engine's own figures, and none of the other's.
  if (on_postgres_) {
    ExpectPostgresFigures(metrics);
  } else {
    ExpectRocksDbFigures(metrics);
  }
  // No schema migration runs once the server serves (one that runs shows here, from before
  // the database opens: the step and its progress).
  EXPECT_EQ(Value(metrics, "branchline_schema_migration_running"), 0) << metrics;
  EXPECT_EQ(Value(metrics, "branchline_schema_migration_from_version"), 0);
  EXPECT_GE(Value(metrics, "branchline_schema_migration_done"), 0);
  // Per tenant: the administrator and three drivers.
  const std::string tenant = std::to_string(session.person().tenant_id());
  EXPECT_EQ(Value(metrics, "branchline_tenant_records{kind=\"people\",tenant=\"" + tenant + "\"}"),
            4)
      << metrics;
  EXPECT_EQ(Value(metrics, "branchline_tenant_records{kind=\"letters\",tenant=\"" + tenant + "\"}"),
            -1);

  // The stream ends: no longer active.
  watch_ctx->TryCancel();
  v1::WatchChangesResponse event;
  while (watch->Read(&event)) {
  }
  (void)watch->Finish();
  for (int i = 0; i < 100 && Value(metrics, streams) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    metrics = testing::ScrapeMetrics(port);
  }
  EXPECT_EQ(Value(metrics, streams), 0);
}

TEST(MetricsOffTest, NoMetricsPortWhenDisabled) {
  testing::TempDir dir;
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  options.admin_password = testing::kAdminPassword;
  options.fast_password_hashing = true;
  options.log_level = "warn";
  auto server = BranchlineServer::Start(options);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ((*server)->metrics_port(), 0);
}

}  // namespace
}  // namespace branchline
