// Fuzzes every RPC of every service area (server streams included) through a real in-process
// server over a temporary database. An input is a short sequence of calls:
//
//   repeated { u8 method (index into the methods, modulo), u8 caller (modulo),
//              u16 little-endian length, that many bytes of serialized request }
//
// Callers are fixed at start-up: no token, a tampered token, the administrator, a branch
// secretary, a member of the branch, and a service account with people-read scope. The
// database keeps what earlier inputs created (a fresh database per input would cost ~100x).
//
// Properties: the server never crashes (ASan/UBSan watch it in this process), never answers
// a request that parses with INTERNAL or UNKNOWN (bad input must be a specific error), answers
// one that does not parse with INVALID_ARGUMENT, and never stops answering.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "server/server.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/generic_stream.h"
#include "tests/support/temp_dir.h"

namespace v1 = branchline::v1;

namespace {

constexpr char kPassword[] = "password-123";
constexpr char kAdminPassword[] = "admin-password-1";

struct Method {
  std::string path;  // "/branchline.v1.X/Y"
  const google::protobuf::Message* request_prototype;
  bool server_streaming = false;
};

struct World {
  branchline::testing::TempDir dir;
  std::unique_ptr<branchline::BranchlineServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  std::vector<Method> methods;
  std::vector<std::string> tokens;
};

World* g_world = nullptr;

void Must(const grpc::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "fuzz set-up failed at %s: %s\n", what, status.error_message().c_str());
    std::abort();
  }
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

std::string NextRequestId() {
  static int n = 0;
  return "fuzz-setup-" + std::to_string(++n);
}

std::string SignIn(v1::AuthService::Stub& auth, const std::string& login,
                   const std::string& password) {
  v1::SignInRequest request;
  request.set_login(login);
  request.set_password(password);
  v1::SignInResponse response;
  Must(auth.SignIn(Ctx("").get(), request, &response), "SignIn");
  return response.access_token();
}

v1::Person CreatePerson(v1::PersonService::Stub& people, const std::string& admin, uint64_t org,
                        const std::string& number, v1::Role role) {
  v1::CreatePersonRequest request;
  request.set_request_id(NextRequestId());
  request.mutable_person()->set_organization_id(org);
  request.mutable_person()->set_display_name("测试 " + number);
  request.mutable_person()->set_employee_number(number);
  request.mutable_person()->set_role(role);
  request.set_initial_password(kPassword);
  v1::Person person;
  Must(people.CreatePerson(Ctx(admin).get(), request, &person), "CreatePerson");
  return person;
}

// Every method of the branchline.v1 services, the server streams last (so the unary methods
// keep their indices). Admin (backups) is left out: each call would copy the database,
// filling the disk without exercising input handling.
std::vector<Method> AllMethods() {
  std::vector<Method> methods, streams;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name :
       {"AuthService", "OrganizationService", "PersonService", "AttendanceService",
        "FeedbackService", "StudyService", "SyncService", "CalendarService"}) {
    const auto* service = pool->FindServiceByName(std::string("branchline.v1.") + name);
    if (!service) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* m = service->method(i);
      if (m->client_streaming()) continue;
      (m->server_streaming() ? streams : methods)
          .push_back(
              {"/" + service->full_name() + "/" + m->name(),
               google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type()),
               m->server_streaming()});
    }
  }
  methods.insert(methods.end(), streams.begin(), streams.end());
  return methods;
}

World* Start() {
  auto* world = new World;
  branchline::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = world->dir.Sub("data");
  options.backup_dir = world->dir.Sub("backups");
  options.admin_password = kAdminPassword;
  options.fast_password_hashing = true;
  options.log_level = "error";
  options.access_log = false;
  options.sync_writes = false;  // durability is not under test; speed is
  auto server = branchline::BranchlineServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "server did not start: %s\n", server.status().ToString().c_str());
    std::abort();
  }
  world->server = std::move(*server);
  world->channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(world->server->port()),
                                       grpc::InsecureChannelCredentials());
  world->stub = std::make_unique<grpc::GenericStub>(world->channel);
  world->methods = AllMethods();

  auto auth = v1::AuthService::NewStub(world->channel);
  auto orgs = v1::OrganizationService::NewStub(world->channel);
  auto people = v1::PersonService::NewStub(world->channel);
  v1::SignInResponse admin_session;
  {
    v1::SignInRequest request;
    request.set_login("admin");
    request.set_password(kAdminPassword);
    Must(auth->SignIn(Ctx("").get(), request, &admin_session), "admin SignIn");
  }
  const std::string admin = admin_session.access_token();
  v1::CreateOrganizationRequest create_branch;
  create_branch.set_request_id(NextRequestId());
  create_branch.mutable_organization()->set_parent_id(admin_session.person().organization_id());
  create_branch.mutable_organization()->set_name("第一支部");
  create_branch.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
  v1::Organization branch;
  Must(orgs->CreateOrganization(Ctx(admin).get(), create_branch, &branch), "CreateOrganization");
  CreatePerson(*people, admin, branch.id(), "secretary", v1::ROLE_SECRETARY);
  CreatePerson(*people, admin, branch.id(), "member", v1::ROLE_FULL_MEMBER);

  v1::CreateServiceAccountRequest create_service;
  create_service.set_request_id(NextRequestId());
  create_service.set_organization_id(branch.id());
  create_service.set_display_name("HR");
  create_service.add_scopes(v1::SCOPE_PEOPLE_READ);
  v1::CreateServiceAccountResponse service;
  Must(auth->CreateServiceAccount(Ctx(admin).get(), create_service, &service),
       "CreateServiceAccount");
  v1::SignInRequest service_sign_in;
  service_sign_in.set_service_key(service.service_key());
  v1::SignInResponse service_session;
  Must(auth->SignIn(Ctx("").get(), service_sign_in, &service_session), "service SignIn");

  std::string tampered = admin;
  tampered[tampered.size() / 2] ^= 1;
  world->tokens = {"",
                   tampered,
                   admin,
                   SignIn(*auth, "secretary", kPassword),
                   SignIn(*auth, "member", kPassword),
                   service_session.access_token()};
  // Shut the server down before static destructors run (libFuzzer leaves through exit()).
  std::atexit([] {
    g_world->server->Shutdown(1000);
    g_world->server.reset();
    delete g_world;
  });
  return world;
}

grpc::Status Call(World& world, const Method& method, const std::string& token,
                  const std::string& request_bytes) {
  auto ctx = Ctx(token);
  if (method.server_streaming) {
    // A few messages, then cancel; a stream that sends nothing for a second (WatchChanges
    // waiting for changes) ends at its deadline. Both mean it was open and healthy.
    constexpr int kMessages = 4;
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    int messages = 0;
    grpc::Status status = branchline::testing::CallServerStream(
        *world.stub, *ctx, method.path, request_bytes, kMessages, &messages);
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        (status.error_code() == grpc::StatusCode::CANCELLED && messages == kMessages)) {
      return grpc::Status::OK;
    }
    return status;
  }
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status result;
  world.stub->UnaryCall(ctx.get(), method.path, grpc::StubOptions(), &request, &response,
                        [&](grpc::Status status) {
                          std::lock_guard lock(mu);
                          result = std::move(status);
                          done = true;
                          cv.notify_one();
                        });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!g_world) g_world = Start();
  World& world = *g_world;
  constexpr int kMaxCalls = 8;
  for (int calls = 0; size >= 4 && calls < kMaxCalls; ++calls) {
    const Method& method = world.methods[data[0] % world.methods.size()];
    const std::string& token = world.tokens[data[1] % world.tokens.size()];
    size_t length = std::min<size_t>(data[2] | (size_t{data[3]} << 8), size - 4);
    std::string request_bytes(reinterpret_cast<const char*>(data + 4), length);
    data += 4 + length;
    size -= 4 + length;

    grpc::Status status = Call(world, method, token, request_bytes);
    std::unique_ptr<google::protobuf::Message> parsed(method.request_prototype->New());
    bool parses = parsed->ParseFromString(request_bytes);
    if (parses && (status.error_code() == grpc::StatusCode::INTERNAL ||
                   status.error_code() == grpc::StatusCode::UNKNOWN)) {
      std::fprintf(stderr, "%s answered %d: %s\nrequest: %s\n", method.path.c_str(),
                   status.error_code(), status.error_message().c_str(),
                   parsed->ShortDebugString().c_str());
    }
    FUZZ_CHECK(!parses || (status.error_code() != grpc::StatusCode::INTERNAL &&
                           status.error_code() != grpc::StatusCode::UNKNOWN));
    if (!parses && status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
      std::fprintf(stderr, "%s answered %d to a request that does not parse: %s\n",
                   method.path.c_str(), status.error_code(), status.error_message().c_str());
    }
    FUZZ_CHECK(parses || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    // UNAVAILABLE or a deadline would mean the server stopped answering.
    FUZZ_CHECK(status.error_code() != grpc::StatusCode::UNAVAILABLE &&
               status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  return 0;
}
