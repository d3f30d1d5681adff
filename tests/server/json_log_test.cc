// --log-format json on the real binary: every line a short run writes (start, calls, refused
// calls, shutdown) parses as one JSON object with time, level and message, and the access-log
// lines carry what the text lines carry.
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "branchline/v1/auth.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;

grpc::StatusCode SignIn(v1::AuthService::Stub& auth, const std::string& password) {
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password(password);
  v1::SignInResponse response;
  grpc::ClientContext ctx;
  return auth.SignIn(&ctx, request, &response).error_code();
}

TEST(JsonLogLines, EveryLineOfAServerRunIsAJsonObject) {
  TempDir dir;
  // The start line names the data directory: quotes and Chinese in the message.
  const std::string data_dir = dir.Sub("数据 \"支部\"");
  // A short grace: with this test's channel still connected, a SIGTERM stop takes about
  // min(grace, 6 s) + 2 s (8 s at the default 10 s; docs/operations.md, "Upgrading").
  ServerProcess server(data_dir, {"--admin-password", testing::kAdminPassword, "--log-format",
                                  "json", "--log-level", "debug", "--shutdown-grace-seconds", "2"});
  ASSERT_GT(server.port(), 0) << server.ReadLog();
  auto auth = v1::AuthService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(SignIn(*auth, testing::kAdminPassword), grpc::OK);
  EXPECT_EQ(SignIn(*auth, "wrong-password-1"), grpc::UNAUTHENTICATED);
  ASSERT_EQ(server.Stop(SIGTERM), 0);

  std::istringstream log(server.ReadLog());
  std::string line;
  int lines = 0, calls_ok = 0, calls_refused = 0;
  bool start_line = false, stop_line = false;
  while (std::getline(log, line)) {
    ++lines;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "line " << lines << " is not JSON (" << e.what() << "): " << line;
      continue;
    }
    ASSERT_TRUE(json.is_object()) << line;
    EXPECT_EQ(json.size(), 3u) << line;
    ASSERT_TRUE(json["time"].is_string() && json["level"].is_string() &&
                json["message"].is_string())
        << line;
    const std::string message = json["message"];
    if (message.find("listening on") != std::string::npos &&
        message.find("data in " + data_dir) != std::string::npos) {
      start_line = true;
    }
    if (message.rfind("branchline-server stopped", 0) == 0) stop_line = true;
    if (message.rfind("call method=/branchline.v1.AuthService/SignIn status=0 ", 0) == 0) {
      ++calls_ok;
    }
    if (message.rfind("call method=/branchline.v1.AuthService/SignIn status=16 ", 0) == 0) {
      ++calls_refused;
      EXPECT_EQ(message.find("wrong-password"), std::string::npos) << "no secret in a log line";
    }
  }
  EXPECT_GE(lines, 5);
  EXPECT_TRUE(start_line) << server.ReadLog();
  EXPECT_TRUE(stop_line) << server.ReadLog();
  EXPECT_EQ(calls_ok, 1) << server.ReadLog();
  EXPECT_EQ(calls_refused, 1) << server.ReadLog();
}

TEST(JsonLogLines, AnUnknownFormatIsRefused) {
  TempDir dir;
  const std::string command = std::string(BRANCHLINE_SERVER_BINARY) +
                              " --log-format yaml --print-config > " + dir.Sub("out") + " 2>&1";
  EXPECT_NE(std::system(command.c_str()), 0);
}

}  // namespace
}  // namespace branchline
