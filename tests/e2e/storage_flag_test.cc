// The server's --storage flag: RocksDB wherever it points, PostgreSQL by URI, and a clear
// start-up error (never a crash, never a half-started server) for a bad or unreachable one.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/server.h"
#include "tests/storage/test_backends.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

absl::Status StartWith(const testing::TempDir& dir, const std::string& storage) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  options.backup_dir = dir.Sub("backups");
  options.metrics_listen = "";
  options.fast_password_hashing = true;
  options.storage = storage;
  return BranchlineServer::Start(options).status();
}

TEST(StorageFlag, AnUnknownKindOfStorageStopsTheStartNamingTheFlag) {
  testing::TempDir dir;
  for (std::string bad : {"mysql://db/branchline", "rocksdb:", "/var/lib/branchline"}) {
    absl::Status status = StartWith(dir, bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad << ": " << status;
    EXPECT_NE(status.message().find("--storage"), std::string_view::npos) << status;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data") + "/db")) << "nothing was created";
}

TEST(StorageFlag, AnUnparseableConnectionStringIsInvalid) {
  testing::TempDir dir;
  absl::Status status = StartWith(dir, "postgresql://[::1/branchline");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find("--storage"), std::string_view::npos) << status;
}

// Nothing listens on ports 1 and 2: refused at once, on every host of the list.
TEST(StorageFlag, AnUnreachableClusterIsUnavailableAndTheMessageHidesThePassword) {
  testing::TempDir dir;
  absl::Status status =
      StartWith(dir,
                "postgresql://branchline:s3cret-pw@127.0.0.1:1,127.0.0.1:2/branchline"
                "?target_session_attrs=read-write&connect_timeout=2");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("--storage: cannot connect to PostgreSQL"),
            std::string_view::npos)
      << status;
  EXPECT_EQ(status.message().find("s3cret-pw"), std::string_view::npos) << status;
}

TEST(StorageFlag, RocksDbGoesWhereTheFlagPoints) {
  testing::TempDir dir;
  testing::TestServer server(
      [&](ServerOptions& o) { o.storage = "rocksdb:" + dir.Sub("elsewhere"); });
  std::string admin = server.AdminToken();
  auto org = server.CreateOrg(admin, server.RootOrgId(), "车队第四党小组");
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("elsewhere") + "/CURRENT"));
  EXPECT_FALSE(std::filesystem::exists(server.dir().Sub("data") + "/db"));
  server.Restart();
  server.CreatePerson(server.AdminToken(), org.id(), "王师傅", "driver4");
}

// The server on PostgreSQL: bootstrap, sign-in, organisations and people, and a restart that
// finds everything again (the change log, ids and schema version recovered from PostgreSQL).
TEST(StorageFlag, AServerOnPostgresServesAndRestarts) {
  std::string skip;
  auto uri = storage::testing::PostgresDatabase(&skip);
  if (!uri) GTEST_SKIP() << skip;
  testing::TestServer server([&](ServerOptions& o) { o.storage = *uri; });
  std::string admin = server.AdminToken();
  auto org = server.CreateOrg(admin, server.RootOrgId(), "收费站党支部");
  auto person = server.CreatePerson(admin, org.id(), "张师傅", "toll7");
  server.SignIn("toll7");
  server.Restart();
  server.SignIn("toll7");
  auto second = server.CreatePerson(server.AdminToken(), org.id(), "李师傅", "toll8");
  EXPECT_NE(second.id(), person.id()) << "ids are not handed out twice across a restart";
  EXPECT_FALSE(std::filesystem::exists(server.dir().Sub("data") + "/db")) << "no RocksDB";
}

}  // namespace
}  // namespace branchline
