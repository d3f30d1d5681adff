#pragma once

#include <functional>
#include <memory>
#include <string>

#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/server.h"
#include "storage/store_options.h"
#include "tests/support/temp_dir.h"

namespace branchline::testing {

inline constexpr char kAdminPassword[] = "admin-password-1";
inline constexpr char kPassword[] = "password-123";

// A real Branchline server in this process on a loopback port picked by the OS, with its own
// temporary data directory, plus stubs and helpers to call it as different people.
class TestServer {
 public:
  TestServer();
  // A server whose options `configure` adjusts before each start (e.g. a fake retention clock).
  explicit TestServer(std::function<void(ServerOptions&)> configure);
  ~TestServer();

  // Stops the server (gracefully) and starts a new one on the same data directory.
  void Restart();
  void Stop();

  int port() const { return server_->port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  const TempDir& dir() const { return dir_; }
  // Opens this server's database for a test that inspects what it stored, on whichever engine
  // it runs (on RocksDB, one process at a time: Stop() the server first).
  storage::StoreOptions StoredDataOptions() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  BranchlineServer& server() { return *server_; }

  v1::AuthService::Stub& auth() { return *auth_; }
  v1::OrganizationService::Stub& orgs() { return *orgs_; }
  v1::PersonService::Stub& people() { return *people_; }

  // A client context carrying `token` (empty: no authorization metadata).
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token);

  // Signs in and returns the access token; fails the test on error.
  std::string SignIn(const std::string& login, const std::string& password = kPassword,
                     v1::SignInResponse* response = nullptr);
  std::string AdminToken() { return SignIn("admin", kAdminPassword); }
  // The bootstrap tenant root.
  uint64_t RootOrgId();

  // Creates an organisation / person as `token`; fails the test on error.
  v1::Organization CreateOrg(const std::string& token, uint64_t parent, const std::string& name,
                             v1::OrganizationKind kind = v1::ORGANIZATION_KIND_BRANCH);
  v1::Person CreatePerson(const std::string& token, uint64_t org, const std::string& name,
                          const std::string& employee_number, v1::Role role = v1::ROLE_FULL_MEMBER);

  // The request to create a new person of `org` with `role`: a fresh request id, the display
  // name "新人", a unique employee number, no password (so no hashing).
  static v1::CreatePersonRequest NewPersonRequest(uint64_t org, v1::Role role);

  // Callers every authorization matrix needs (each signs in and returns an access token):
  // "admin-above" with admin scope on `org`; the administrator of a new, separate tenant;
  // a service account of `org` with one scope. `credentials`, when given, receives what the
  // caller signs in with (for the sign-in matrix).
  std::string AdminAboveToken(uint64_t org);
  std::string ForeignTenantAdminToken(v1::SignInRequest* credentials = nullptr);
  std::string ServiceToken(uint64_t org, v1::Scope scope, v1::SignInRequest* credentials = nullptr);
  // A correctly signed token of `person_id` that expired an hour ago (signed with this
  // server's key), and a token with one character changed.
  std::string ExpiredToken(uint64_t person_id) const;
  static std::string TamperedToken(std::string token);

  // A new unique request id.
  static std::string RequestId();

 private:
  void StartServer();
  std::function<void(ServerOptions&)> configure_;
  TempDir dir_;
  // With BRANCHLINE_TEST_STORAGE=postgres: this server's own database, kept across restarts.
  std::string postgres_uri_;
  std::unique_ptr<BranchlineServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<v1::PersonService::Stub> people_;
};

// Short names for the cells of authorization-matrix tables.
namespace matrix {
inline constexpr auto OK = grpc::OK;
inline constexpr auto UNAUTH = grpc::UNAUTHENTICATED;
inline constexpr auto DENIED = grpc::PERMISSION_DENIED;
inline constexpr auto NOTFOUND = grpc::NOT_FOUND;
}  // namespace matrix

// The field named by the google.rpc.BadRequest detail of a status ("" when none).
std::string ViolationField(const grpc::Status& status);

}  // namespace branchline::testing
