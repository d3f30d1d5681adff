// The server refuses to face more than this host unprotected (issue #19, finding 8): any
// address but loopback needs TLS and --behind-edge or --i-accept-no-edge, because gRPC 1.51's
// HTTP/2 has unpatched denial-of-service issues (docs/security.md).
#include "server/listen_guard.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "server/server.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

TEST(ListenGuardTest, LoopbackAddressesAreLoopback) {
  for (const char* listen : {"127.0.0.1:50051", "127.0.0.1:0", "127.1.2.3:1", "localhost:50051",
                             "[::1]:50051", "[::ffff:127.0.0.1]:1", "unix:/tmp/branchline.sock"}) {
    EXPECT_TRUE(IsLoopbackListen(listen)) << listen;
  }
  for (const char* listen : {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:50051", "192.168.1.2:1",
                             "example.org:443", "[2001:db8::1]:50051", "128.0.0.1:1", ":50051"}) {
    EXPECT_FALSE(IsLoopbackListen(listen)) << listen;
  }
}

TEST(ListenGuardTest, NonLoopbackNeedsTlsAndAFlag) {
  EXPECT_TRUE(CheckListenExposure("127.0.0.1:50051", {}).ok());
  auto plaintext = CheckListenExposure("0.0.0.0:50051", {});
  EXPECT_EQ(plaintext.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(plaintext.message().find("--tls-cert"), std::string::npos) << plaintext;
  // A flag does not make plaintext acceptable: the edge's upstream then crosses a network.
  EXPECT_EQ(CheckListenExposure("0.0.0.0:50051", {.behind_edge = true}).code(),
            absl::StatusCode::kFailedPrecondition);
  auto no_flag = CheckListenExposure("0.0.0.0:50051", {.tls = true});
  EXPECT_EQ(no_flag.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(no_flag.message().find("--behind-edge"), std::string::npos) << no_flag;
  EXPECT_NE(no_flag.message().find("--i-accept-no-edge"), std::string::npos) << no_flag;
  EXPECT_TRUE(CheckListenExposure("0.0.0.0:50051", {.tls = true, .behind_edge = true}).ok());
  EXPECT_TRUE(CheckListenExposure("[::]:50051", {.tls = true, .accept_no_edge = true}).ok());
}

TEST(ListenGuardTest, StartRefusesPlaintextOnAllAddressesBeforeTouchingTheDataDirectory) {
  testing::TempDir dir;
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.data_dir = dir.Sub("data");
  options.behind_edge = true;
  auto server = BranchlineServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("0.0.0.0:0"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.data_dir));
}

// The binary says why it does not start, naming the flags, and exits non-zero.
TEST(ListenGuardTest, TheServerBinaryRefusesAWildcardListen) {
  testing::TempDir dir;
  const std::string log = dir.Sub("log");
  const std::string command = std::string(BRANCHLINE_SERVER_BINARY) +
                              " --listen 0.0.0.0:0 --metrics-listen off --data-dir " +
                              dir.Sub("data") + " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_NE(status, 0);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("--behind-edge"), std::string::npos) << text;
}

}  // namespace
}  // namespace branchline
