// The method table (rpc/methods.cc) is the one declaration of how the transport treats each
// RPC. These tests hold it to the .proto descriptors and to what a running server does, so a
// new RPC without its line, or a line that says something the server does not do, fails here.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <string>

#include "grpcpp/generic/generic_stub.h"
#include "rpc/methods.h"
#include "tests/support/api_services.h"
#include "tests/support/generic_stream.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using rpc::Auth;
using rpc::Effect;
using rpc::Serving;

// The descriptor of every RPC, by its path.
std::map<std::string, const google::protobuf::MethodDescriptor*> ApiMethods() {
  std::map<std::string, const google::protobuf::MethodDescriptor*> methods;
  for (const auto* service : testing::ApiServices()) {
    for (int m = 0; m < service->method_count(); ++m) {
      methods["/" + service->full_name() + "/" + service->method(m)->name()] = service->method(m);
    }
  }
  return methods;
}

TEST(MethodTable, EveryRpcHasExactlyOneLineAndEveryLineAnRpc) {
  const auto api = ApiMethods();
  ASSERT_GT(api.size(), 100u);
  std::set<std::string> lines;
  for (const rpc::Method& m : rpc::AllMethods()) {
    const std::string path = rpc::Path(m);
    EXPECT_TRUE(lines.insert(path).second) << path << " has two lines";
    EXPECT_TRUE(api.count(path)) << path << " is in rpc/methods.cc but in no .proto file";
    EXPECT_EQ(rpc::FindMethod(path), &m) << path;
  }
  for (const auto& [path, descriptor] : api) {
    EXPECT_TRUE(lines.count(path)) << path << " has no line in rpc/methods.cc";
  }
  EXPECT_EQ(rpc::FindMethod("/grpc.health.v1.Health/Check"), nullptr);
}

// Writes without a request id, each for a reason: sign-in and refresh open sessions (their
// requests carry credentials, and a retry opens another); a ballot is issued once per rater and
// round and a ballot rating once per ballot (the ballot is the idempotency key); an upload's
// actions carry their own request ids; a file upload's chunk is idempotent by its offset and
// its finish by the upload id.
const std::set<std::string> kWritesWithoutRequestId = {"AuthService/SignIn",
                                                       "AuthService/RefreshToken",
                                                       "EvaluationService/IssueBallot",
                                                       "EvaluationService/SubmitBallotRating",
                                                       "SyncService/UploadActions",
                                                       "FileService/UploadChunk",
                                                       "FileService/FinishUpload"};

bool IsReadName(const std::string& name) {
  for (const char* verb : {"Get", "List", "Export", "Watch", "Stream", "Verify"}) {
    if (name.rfind(verb, 0) == 0) return true;
  }
  return false;
}

TEST(MethodTable, EveryLineAgreesWithItsDescriptor) {
  const auto api = ApiMethods();
  for (const rpc::Method& m : rpc::AllMethods()) {
    const std::string path = rpc::Path(m);
    auto it = api.find(path);
    if (it == api.end()) continue;  // reported above
    const auto* d = it->second;
    const std::string short_path = std::string(m.service) + "/" + std::string(m.name);
    EXPECT_FALSE(d->client_streaming()) << path << ": no client streams are served";
    EXPECT_EQ(m.serving == Serving::kStream, d->server_streaming())
        << path << ": kStream exactly for server streams";
    const bool has_request_id = d->input_type()->FindFieldByName("request_id") != nullptr;
    if (has_request_id) {
      EXPECT_EQ(m.effect, Effect::kWrites) << path << " takes a request id: it writes";
    } else {
      EXPECT_EQ(m.effect == Effect::kWrites, kWritesWithoutRequestId.count(short_path) == 1)
          << path << ": a write needs a request id (idempotency, and its audit record)";
    }
    if (m.effect == Effect::kReads) {
      EXPECT_TRUE(IsReadName(std::string(m.name)))
          << path << " is declared a read but is named like a write";
    }
    EXPECT_LE(m.max_request_bytes, rpc::kMaxReceiveBytes) << path;
    EXPECT_GE(m.max_request_bytes, 64u * 1024) << path;
    if (m.log == rpc::Log::kNoLine) {
      EXPECT_NE(m.auth, Auth::kSession) << path << ": a named caller's call is logged";
    }
  }
}

// The answer to an empty request, without a token (`token` empty) or with one; `claim` adds
// the interceptor's mark for methods that serve password-change sessions (rpc/call_marks.h),
// as a client trying to pass for one of them would.
grpc::Status Call(testing::TestServer& server, const rpc::Method& m, const std::string& token,
                  bool claim = false) {
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  if (claim) context.AddMetadata("branchline-serves-password-change-sessions", "");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::GenericStub stub(server.channel());
  if (m.serving == Serving::kStream) {
    return testing::CallServerStream(stub, context, rpc::Path(m), "", 1);
  }
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), reply;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, rpc::Path(m), grpc::StubOptions(), &request, &reply,
                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

// Every line's authentication mode, checked on a running server: without a token a session
// method is UNAUTHENTICATED, a method that needs none is not; with a session that may only
// change its password, only kAnySession methods go further than PERMISSION_DENIED, also when the
// client claims the mark that lets such a session through. No method is UNIMPLEMENTED (the line
// names a method the server serves) or INTERNAL.
TEST(MethodTable, ARunningServerAuthenticatesEachMethodAsItsLineSays) {
  testing::TestServer server;
  const std::string admin = server.AdminToken();
  v1::Person person = server.CreatePerson(admin, server.RootOrgId(), "换密码", "MT-1");
  v1::UpdatePersonRequest reset;
  reset.set_request_id(testing::TestServer::RequestId());
  reset.mutable_person()->set_id(person.id());
  reset.set_new_password("a-new-password-1");
  v1::Person updated;
  ASSERT_TRUE(
      server.people().UpdatePerson(testing::TestServer::Ctx(admin).get(), reset, &updated).ok());
  v1::SignInResponse signed_in;
  const std::string change_only = server.SignIn("MT-1", "a-new-password-1", &signed_in);
  ASSERT_TRUE(signed_in.password_change_required());

  for (const rpc::Method& m : rpc::AllMethods()) {
    const std::string path = rpc::Path(m);
    if (m.name == "SignOut") continue;  // below: it would end the change-only session
    grpc::Status anonymous = Call(server, m, "");
    EXPECT_NE(anonymous.error_code(), grpc::UNIMPLEMENTED) << path;
    EXPECT_NE(anonymous.error_code(), grpc::INTERNAL) << path << anonymous.error_message();
    const bool needs_session = m.auth == Auth::kSession || m.auth == Auth::kAnySession ||
                               m.auth == Auth::kSessionOrReceipt;
    EXPECT_EQ(anonymous.error_code() == grpc::UNAUTHENTICATED, needs_session)
        << path << " answered " << anonymous.error_code() << " " << anonymous.error_message();
    if (m.auth == Auth::kSession) {
      grpc::Status limited = Call(server, m, change_only);
      EXPECT_EQ(limited.error_code(), grpc::PERMISSION_DENIED) << path;
      grpc::Status claimed = Call(server, m, change_only, /*claim=*/true);
      EXPECT_EQ(claimed.error_code(), grpc::PERMISSION_DENIED) << path << " with a claimed mark";
    }
  }
  const rpc::Method* sign_out = rpc::FindMethod("/branchline.v1.AuthService/SignOut");
  ASSERT_NE(sign_out, nullptr);
  EXPECT_EQ(sign_out->auth, Auth::kAnySession);
  EXPECT_EQ(Call(server, *sign_out, "").error_code(), grpc::UNAUTHENTICATED);
  grpc::Status out = Call(server, *sign_out, change_only);
  EXPECT_NE(out.error_code(), grpc::PERMISSION_DENIED) << out.error_message();
  EXPECT_NE(out.error_code(), grpc::UNAUTHENTICATED) << out.error_message();
}

}  // namespace
}  // namespace branchline
