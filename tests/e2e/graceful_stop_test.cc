// A stop under load (docs/operations.md, "Rolling restart"): SIGTERM's Shutdown finishes the
// calls in flight, ends streams with UNAVAILABLE, does not wait for idle connections, and
// returns promptly. Every call answered OK is durable; the others were answered UNAVAILABLE
// (never INTERNAL), and retried with the same request_id against the restarted server (same
// port) they are done exactly once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/raw_http2.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A channel of its own (its own connection), reconnecting quickly after the restart.
std::shared_ptr<grpc::Channel> Channel(const std::string& address, int n) {
  grpc::ChannelArguments args;
  args.SetInt("branchline.test.connection", n);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

TEST(GracefulStop, StopsPromptlyUnderLoadAndLosesNothing) {
  const int port = FreePort();
  TestServer server([port](ServerOptions& options) {
    options.listen = "127.0.0.1:" + std::to_string(port);
    options.log_level = "info";  // the stop's phases and their times
    options.access_log = false;
  });
  const std::string address = server.address();
  const std::string admin = server.AdminToken();
  const uint64_t branch = server.CreateOrg(admin, server.RootOrgId(), "停机测试支部").id();

  // Idle connections: a phone gone quiet in a tunnel (HTTP/2 set up, then nothing read or
  // answered: no GOAWAY or PING is ever acknowledged), and gRPC channels after one call.
  std::vector<std::unique_ptr<testing::RawHttp2Client>> silent;
  for (int i = 0; i < 2; ++i) {
    silent.push_back(std::make_unique<testing::RawHttp2Client>(port));
    ASSERT_TRUE(silent.back()->connected());
    ASSERT_TRUE(silent.back()->Flush());
  }
  std::vector<std::shared_ptr<grpc::Channel>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(Channel(address, 100 + i));
    v1::GetOrganizationRequest get;
    get.set_id(branch);
    v1::Organization out;
    ASSERT_TRUE(v1::OrganizationService::NewStub(idle.back())
                    ->GetOrganization(TestServer::Ctx(admin).get(), get, &out)
                    .ok());
  }

  // Open WatchChanges streams, each on its own connection.
  std::atomic<int> watching{0};
  std::vector<grpc::StatusCode> stream_ends(3, grpc::OK);
  std::vector<std::thread> watchers;
  std::vector<std::unique_ptr<grpc::ClientContext>> watch_contexts;
  for (int i = 0; i < 3; ++i) {
    watch_contexts.push_back(TestServer::Ctx(admin));
    watch_contexts.back()->set_deadline(std::chrono::system_clock::now() +
                                        std::chrono::seconds(60));
    watchers.emplace_back([&, i, channel = Channel(address, 200 + i)] {
      auto stub = v1::SyncService::NewStub(channel);
      v1::WatchChangesRequest request;
      request.set_heartbeat_seconds(5);  // the first message, which says the stream is open
      auto reader = stub->WatchChanges(watch_contexts[i].get(), request);
      v1::WatchChangesResponse response;
      bool counted = false;
      while (reader->Read(&response)) {
        if (!counted) ++watching, counted = true;
      }
      stream_ends[i] = reader->Finish().error_code();
    });
  }

  while (watching < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // Writers: CreateOrganization calls back to back, each with its own request_id.
  constexpr int kWriters = 6;
  std::atomic<bool> restarted{false};
  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // request id -> organisation, answered OK
  std::map<std::string, std::string> names;      // request id -> name, every call made
  std::map<grpc::StatusCode, int> failures;      // first answers other than OK
  std::atomic<int> calls{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w, channel = Channel(address, 300 + w)] {
      auto stub = v1::OrganizationService::NewStub(channel);
      for (int i = 0;; ++i) {
        v1::CreateOrganizationRequest request;
        request.set_request_id("stop-" + std::to_string(w) + "-" + std::to_string(i));
        request.mutable_organization()->set_parent_id(branch);
        request.mutable_organization()->set_name("小组" + std::to_string(w) + "-" +
                                                 std::to_string(i));
        request.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_TEAM);
        {
          std::lock_guard lock(mu);
          names[request.request_id()] = request.organization().name();
        }
        v1::Organization org;
        auto status = stub->CreateOrganization(TestServer::Ctx(admin).get(), request, &org);
        ++calls;
        if (status.ok()) {
          std::lock_guard lock(mu);
          acknowledged[request.request_id()] = org.id();
          continue;
        }
        {
          std::lock_guard lock(mu);
          ++failures[status.error_code()];
        }
        // Not answered: the server is going away. Retry the same request once it is back.
        while (!restarted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        auto ctx = TestServer::Ctx(admin);
        ctx->set_wait_for_ready(true);
        status = stub->CreateOrganization(ctx.get(), request, &org);
        EXPECT_TRUE(status.ok()) << status.error_message();
        std::lock_guard lock(mu);
        acknowledged[request.request_id()] = org.id();
        return;
      }
    });
  }

  while (calls < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto stop_started = std::chrono::steady_clock::now();
  server.server().Shutdown(/*grace_ms=*/5000);
  const double stop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_started).count();
  std::printf("stop under load: %.3f s (%d calls made before)\n", stop_seconds, calls.load());
  EXPECT_LT(stop_seconds, 2.0) << "the stop waited for idle connections or streams";

  server.Restart();  // the same port
  restarted = true;
  for (auto& t : writers) t.join();
  for (auto& t : watchers) t.join();
  for (grpc::StatusCode code : stream_ends) {
    EXPECT_EQ(code, grpc::UNAVAILABLE) << "a stream must end with a status clients retry";
  }
  for (const auto& [code, count] : failures) {
    EXPECT_EQ(code, grpc::UNAVAILABLE) << count << " calls answered " << code;
  }

  // Every acknowledged organisation is there, and every request was done exactly once.
  std::map<std::string, int> seen;
  std::map<uint64_t, std::string> ids;
  v1::ListOrganizationsRequest list;
  list.set_parent_id(branch);
  list.set_page_size(500);
  for (;;) {
    v1::ListOrganizationsResponse page;
    auto status = server.orgs().ListOrganizations(TestServer::Ctx(admin).get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& org : page.organizations()) {
      ++seen[org.name()];
      ids[org.id()] = org.name();
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(acknowledged.size(), names.size()) << "every request ends up answered OK";
  for (const auto& [request_id, org_id] : acknowledged) {
    EXPECT_EQ(ids.count(org_id), 1u) << request_id << " acknowledged but missing";
    EXPECT_EQ(seen[names[request_id]], 1)
        << request_id << " done " << seen[names[request_id]] << " times";
  }
  EXPECT_EQ(seen.size(), names.size());
}

}  // namespace
}  // namespace branchline
