// The malformed-input campaign: every RPC of every service (server streams included) gets thousands
// of generated bad requests through the real gRPC server (a generic stub sends the wire bytes, so
// invalid UTF-8 and broken encodings arrive exactly as a hostile client would send them). For each:
//   - the answer is a specific status, never INTERNAL, UNKNOWN, DATA_LOSS or a hang;
//   - an error stored nothing: the change log (every committed mutation records its changes in
//     the same commit) shows no new change after it, read through SyncService.ListFeed as the
//     administrator of each tenant;
//   - INVALID_ARGUMENT names the field (google.rpc.BadRequest), except for requests that do
//     not parse at all;
//   - the server is still up at the end.
// The requests come from tests/security/request_forge.h (no per-RPC code: a new RPC is covered
// the day it is added). The caller is the system administrator, so authorization passes and
// validation and handling are what is tested. A longer randomized run:
// scripts/hostile_input_campaign.sh.
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>

#include "absl/strings/escaping.h"
#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "storage/key_codec.h"
#include "tests/security/request_forge.h"
#include "tests/support/generic_stream.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using google::protobuf::MethodDescriptor;
using testing::TestServer;

class MalformedInputTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    stub_ = std::make_unique<grpc::GenericStub>(server_.channel());
    sync_ = v1::SyncService::NewStub(server_.channel());
    known_.SetTenant(storage::TenantOfId(server_.RootOrgId()));
    foreign_tenant_ = ForeignTenant();
  }

  // A second tenant, so that "an id of another tenant" points at a tenant that exists.
  uint64_t ForeignTenant() {
    foreign_admin_ = server_.ForeignTenantAdminToken();
    // Its root is the foreign administrator's organisation; the tenant is in the token.
    internal::v1::TokenClaims claims;
    // "bl2.<key id>.<payload>.<mac>": the payload is the part before the last dot.
    const size_t mac_dot = foreign_admin_.rfind('.');
    const size_t payload_dot = foreign_admin_.rfind('.', mac_dot - 1);
    std::string payload;
    EXPECT_TRUE(absl::WebSafeBase64Unescape(
        foreign_admin_.substr(payload_dot + 1, mac_dot - payload_dot - 1), &payload));
    EXPECT_TRUE(claims.ParseFromString(payload));
    v1::SignInRequest sign_in;
    sign_in.set_tenant_id(claims.tenant_id());
    sign_in.set_login("foreign-admin");
    sign_in.set_password(testing::kPassword);
    v1::SignInResponse session;
    grpc::ClientContext ctx;
    EXPECT_TRUE(server_.auth().SignIn(&ctx, sign_in, &session).ok());
    foreign_root_ = session.person().organization_id();
    return storage::TenantOfId(foreign_root_);
  }

  // The change log of one tenant, followed from "now".
  struct Feed {
    std::string token;
    uint64_t root = 0;
    std::string cursor;
  };
  // The number of changes committed since the feed's cursor (which moves past them).
  int NewChanges(Feed& feed) {
    int n = 0;
    for (bool more = true; more;) {
      v1::ListFeedRequest r;
      r.set_organization_id(feed.root);
      r.set_cursor(feed.cursor);
      r.set_page_size(500);
      v1::ListFeedResponse out;
      auto status = sync_->ListFeed(TestServer::Ctx(feed.token).get(), r, &out);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return n;
      n += out.changes_size();
      feed.cursor = out.next_cursor();
      more = out.has_more() && !feed.cursor.empty();
    }
    return n;
  }

  static const google::protobuf::ServiceDescriptor* Service(const std::string& name) {
    return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("branchline.v1." +
                                                                                 name);
  }

  grpc::Status CallRaw(const MethodDescriptor& m, const std::string& bytes, std::string* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), reply;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&ctx, "/" + m.service()->full_name() + "/" + m.name(), grpc::StubOptions(),
                     &request, &reply, [&](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    if (status.ok() && response) {
      std::vector<grpc::Slice> slices;
      (void)reply.Dump(&slices);
      response->clear();
      for (const auto& s : slices)
        response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return status;
  }

  // A server stream (WatchChanges, the CSV exports): a few messages are read, then the call
  // is cancelled; one that sends nothing for a second (WatchChanges waiting for changes) is
  // ended by its deadline. Either means the stream was open and healthy: OK.
  grpc::Status CallStream(const MethodDescriptor& m, const std::string& bytes) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    int messages = 0;
    grpc::Status status = testing::CallServerStream(
        *stub_, ctx, "/" + m.service()->full_name() + "/" + m.name(), bytes,
        /*max_messages=*/8, &messages);
    if (status.error_code() == grpc::DEADLINE_EXCEEDED ||
        (status.error_code() == grpc::CANCELLED && messages == 8)) {
      return grpc::Status::OK;
    }
    return status;
  }

  // Sends `bytes`; learns the records in a successful answer. Returns the status.
  grpc::Status Send(const MethodDescriptor& m, const std::string& bytes) {
    if (m.server_streaming()) return CallStream(m, bytes);
    std::string response;
    grpc::Status status = CallRaw(m, bytes, &response);
    if (status.ok()) {
      std::unique_ptr<google::protobuf::Message> answer(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(m.output_type())
              ->New());
      if (answer->ParseFromString(response)) known_.Learn(*answer);
    }
    return status;
  }

  // Creates one record of each kind with plausible requests, so hostile requests can refer to
  // records that exist.
  void CreateRecords(testing::RequestForge& forge) {
    const std::vector<std::pair<std::string, std::string>> creators = {
        {"OrganizationService", "CreateOrganization"},
        {"PersonService", "CreatePerson"},
        {"AttendanceService", "CreateMeeting"},
        {"AttendanceService", "GetCheckInCode"},
        {"FeedbackService", "SubmitLetter"},
        {"StudyService", "CreateMaterial"},
        {"StudyService", "CreateStudyPlan"},
        {"StudyService", "RecordStudy"},
        {"StudyService", "CreateQuiz"},
        {"StudyService", "StartQuizAttempt"},
        {"SyncService", "PostNotice"}};
    for (const auto& [service, method] : creators) {
      const MethodDescriptor* m = Service(service)->FindMethodByName(method);
      ASSERT_NE(m, nullptr) << method;
      Send(*m, forge.Plausible(*m)->SerializeAsString());
    }
  }

  // Methods of the service, the ones that end or archive things last so the others run on
  // live records.
  static std::vector<const MethodDescriptor*> Methods(
      const google::protobuf::ServiceDescriptor& service) {
    std::vector<const MethodDescriptor*> methods, last;
    for (int i = 0; i < service.method_count(); ++i) {
      const MethodDescriptor* m = service.method(i);
      if (m->client_streaming()) continue;  // none exist; server streams are covered
      const std::string& n = m->name();
      bool destructive = n.rfind("Archive", 0) == 0 || n.rfind("Deactivate", 0) == 0 ||
                         n.rfind("Cancel", 0) == 0 || n.rfind("Delete", 0) == 0 || n == "SignOut" ||
                         n == "ChangePassword" || n.rfind("Move", 0) == 0;
      (destructive ? last : methods).push_back(m);
    }
    methods.insert(methods.end(), last.begin(), last.end());
    return methods;
  }

  // SignOut ends the administrator's session (when its request is valid enough): sign in
  // again so the campaign goes on as the administrator.
  void SignInAgainAfter(const MethodDescriptor& m, Feed& admin_feed) {
    if (m.name() != "SignOut") return;
    admin_ = server_.AdminToken();
    admin_feed.token = admin_;
  }

  // Runs every hostile request of every method of `service_name`; `combined` random
  // multi-field variants per method in addition (the long run).
  void Campaign(const std::string& service_name, int combined, uint32_t seed) {
    const auto* service = Service(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    testing::RequestForge forge(known_, foreign_tenant_, seed);
    CreateRecords(forge);
    std::vector<Feed> feeds = {{admin_, server_.RootOrgId(), ""},
                               {foreign_admin_, foreign_root_, ""}};
    for (auto& feed : feeds) NewChanges(feed);  // from now on
    std::map<grpc::StatusCode, int> codes;
    int sent = 0, baseline_ok = 0, methods = 0;
    for (const MethodDescriptor* m : Methods(*service)) {
      ++methods;
      auto base = forge.Plausible(*m);
      if (Send(*m, base->SerializeAsString()).ok()) ++baseline_ok;
      SignInAgainAfter(*m, feeds[0]);
      for (auto& feed : feeds) NewChanges(feed);  // the plausible request's own changes
      auto requests = forge.Hostile(*m, *base);
      if (combined > 0) {
        auto more = forge.Combined(*m, *base, combined);
        requests.insert(requests.end(), more.begin(), more.end());
      }
      for (const auto& request : requests) {
        grpc::Status status = Send(*m, request.bytes);
        SignInAgainAfter(*m, feeds[0]);
        int changes = 0;
        for (auto& feed : feeds) changes += NewChanges(feed);
        ++sent;
        ++codes[status.error_code()];
        const std::string where = m->name() + ": " + request.description;
        EXPECT_NE(status.error_code(), grpc::INTERNAL) << where << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::UNKNOWN) << where << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::DATA_LOSS) << where << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::DEADLINE_EXCEEDED) << where;
        EXPECT_NE(status.error_code(), grpc::UNAVAILABLE)
            << where << ": " << status.error_message();
        if (!status.ok()) {
          EXPECT_EQ(changes, 0) << where << " failed with " << status.error_code()
                                << " but committed changes";
        }
        if (status.error_code() == grpc::INVALID_ARGUMENT &&
            status.error_message().rfind("request could not be parsed", 0) != 0) {
          EXPECT_NE(testing::ViolationField(status), "")
              << where << ": INVALID_ARGUMENT without the field: " << status.error_message();
        }
      }
    }
    // Still up and answering.
    v1::GetOrganizationRequest get;
    get.set_id(server_.RootOrgId());
    v1::Organization root;
    EXPECT_TRUE(server_.orgs().GetOrganization(TestServer::Ctx(admin_).get(), get, &root).ok());
    std::string summary;
    for (const auto& [code, n] : codes)
      summary += " " + std::to_string(code) + ":" + std::to_string(n);
    std::cout << service_name << ": " << methods << " methods (" << baseline_ok
              << " plausible requests accepted), " << sent << " hostile requests; codes" << summary
              << "\n";
  }

  TestServer server_;
  std::string admin_;
  std::string foreign_admin_;
  uint64_t foreign_root_ = 0;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  testing::KnownRecords known_;
  uint64_t foreign_tenant_ = 0;
};

TEST_P(MalformedInputTest, EveryAnswerIsSpecificAndNothingIsStored) {
  // BRANCHLINE_CAMPAIGN_COMBINED: random multi-field requests per method (default none);
  // BRANCHLINE_CAMPAIGN_SEED: the random seed (default fixed, so failures reproduce).
  const char* combined = std::getenv("BRANCHLINE_CAMPAIGN_COMBINED");
  const char* seed = std::getenv("BRANCHLINE_CAMPAIGN_SEED");
  Campaign(GetParam(), combined ? std::atoi(combined) : 0,
           seed ? static_cast<uint32_t>(std::strtoul(seed, nullptr, 10)) : 9u);
}

INSTANTIATE_TEST_SUITE_P(Services, MalformedInputTest,
                         ::testing::Values("AuthService", "OrganizationService", "PersonService",
                                           "AdminService", "SyncService", "AttendanceService",
                                           "FeedbackService", "StudyService", "CalendarService"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace branchline
