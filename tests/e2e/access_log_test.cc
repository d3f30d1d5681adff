// The access log of the real binary: exactly one line per call, each with method, status code,
// duration and caller id, never a password or token, and no line at all for an anonymous
// letter or its receipt holder's calls (their time next to the author's other calls could point
// to the author).
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <sstream>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using testing::TestServer;

TEST(AccessLogTest, OneLinePerCallWithMethodStatusDurationAndCallerButNoSecrets) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--admin-password", testing::kAdminPassword});
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto auth = v1::AuthService::NewStub(channel);
  auto orgs = v1::OrganizationService::NewStub(channel);
  auto people = v1::PersonService::NewStub(channel);
  auto feedback = v1::FeedbackService::NewStub(channel);
  int calls = 0;
  // The handlers' marks for the log line (rpc/call_log.h) ride in the call's trailing metadata
  // inside the server and must never reach the client.
  auto expect_no_log_marks = [](const grpc::ClientContext& ctx) {
    for (const auto& [key, value] : ctx.GetServerTrailingMetadata()) {
      EXPECT_EQ(std::string(key.data(), key.size()).rfind("branchline-log", 0), std::string::npos)
          << std::string(key.data(), key.size());
    }
  };
  auto sign_in = [&](const std::string& login, const std::string& password) {
    v1::SignInRequest r;
    r.set_login(login);
    r.set_password(password);
    v1::SignInResponse out;
    grpc::ClientContext ctx;
    ++calls;
    EXPECT_TRUE(auth->SignIn(&ctx, r, &out).ok());
    return out;
  };
  v1::SignInResponse admin = sign_in("admin", testing::kAdminPassword);
  const uint64_t admin_id = admin.person().id();
  v1::CreatePersonRequest create;
  create.set_request_id(TestServer::RequestId());
  create.mutable_person()->set_organization_id(admin.person().organization_id());
  create.mutable_person()->set_display_name("王师傅");
  create.mutable_person()->set_employee_number("d1");
  create.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
  create.set_initial_password(testing::kPassword);
  v1::Person driver;
  ++calls;
  auto create_ctx = TestServer::Ctx(admin.access_token());
  ASSERT_TRUE(people->CreatePerson(create_ctx.get(), create, &driver).ok());
  expect_no_log_marks(*create_ctx);
  v1::CreateOrganizationRequest bad;  // no name
  bad.set_request_id(TestServer::RequestId());
  v1::Organization ignored;
  ++calls;
  EXPECT_EQ(orgs->CreateOrganization(TestServer::Ctx(admin.access_token()).get(), bad, &ignored)
                .error_code(),
            grpc::INVALID_ARGUMENT);
  // Past the method's size limit: refused before its handler, which therefore names nobody
  // (rpc/call_marks.h; a handler that ran would have named the admin).
  v1::CreateOrganizationRequest huge;
  huge.set_request_id(TestServer::RequestId());
  huge.mutable_organization()->set_name(std::string(100'000, 'x'));
  ++calls;
  EXPECT_EQ(orgs->CreateOrganization(TestServer::Ctx(admin.access_token()).get(), huge, &ignored)
                .error_code(),
            grpc::RESOURCE_EXHAUSTED);
  v1::ListOrganizationsResponse listed;
  ++calls;
  EXPECT_EQ(orgs->ListOrganizations(TestServer::Ctx("").get(), {}, &listed).error_code(),
            grpc::UNAUTHENTICATED);
  const std::string driver_token = sign_in("d1", testing::kPassword).access_token();
  // CheckIn runs on the async API and answers from the committer's thread: the line must
  // still name the caller, and no one for a call without a token.
  auto attendance = v1::AttendanceService::NewStub(channel);
  v1::CreateMeetingRequest meeting_request;
  meeting_request.set_request_id(TestServer::RequestId());
  auto* m = meeting_request.mutable_meeting();
  m->set_organization_id(admin.person().organization_id());
  m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
  m->set_title("安全例会");
  const int64_t now_seconds = time(nullptr);
  m->mutable_start_time()->set_seconds(now_seconds);
  m->mutable_end_time()->set_seconds(now_seconds + 3600);
  m->mutable_window()->set_opens_minutes_before(60);
  m->mutable_window()->set_closes_minutes_after(60);
  m->set_remote_allowed(true);
  v1::Meeting meeting;
  ++calls;
  ASSERT_TRUE(
      attendance
          ->CreateMeeting(TestServer::Ctx(admin.access_token()).get(), meeting_request, &meeting)
          .ok());
  v1::CheckInRequest check_in;
  check_in.set_meeting_id(meeting.id());
  check_in.set_request_id(TestServer::RequestId());
  check_in.mutable_device_time()->set_seconds(now_seconds);
  check_in.mutable_remote()->set_reason(v1::REMOTE_REASON_DRIVING);
  v1::CheckInResponse checked_in;
  ++calls;
  auto check_in_ctx = TestServer::Ctx(driver_token);
  ASSERT_TRUE(attendance->CheckIn(check_in_ctx.get(), check_in, &checked_in).ok());
  expect_no_log_marks(*check_in_ctx);
  ++calls;
  EXPECT_EQ(attendance->CheckIn(TestServer::Ctx("").get(), check_in, &checked_in).error_code(),
            grpc::UNAUTHENTICATED);
  int check_in_lines = 0;

  v1::SubmitLetterRequest letter;
  letter.set_category(v1::LETTER_CATEGORY_SUGGESTION);
  letter.set_subject("夜班交接");
  letter.set_body("建议调整夜班交接时间。");
  letter.set_request_id(TestServer::RequestId());
  v1::SubmitLetterResponse submitted;
  ++calls;
  ASSERT_TRUE(feedback->SubmitLetter(TestServer::Ctx(driver_token).get(), letter, &submitted).ok());
  letter.set_request_id("anonymous-" + TestServer::RequestId() + "-0123456789");
  letter.set_anonymous(true);
  // Not counted: an anonymous letter leaves no line.
  auto anonymous_ctx = TestServer::Ctx(driver_token);
  ASSERT_TRUE(feedback->SubmitLetter(anonymous_ctx.get(), letter, &submitted).ok());
  expect_no_log_marks(*anonymous_ctx);
  // Nor does anything its author does with the receipt code, successful or not: "caller=0"
  // with its time would stand next to the author's named calls (issue #19).
  v1::GetLetterByReceiptRequest get;
  get.set_receipt_code(submitted.receipt_code());
  v1::GetLetterByReceiptResponse got;
  ASSERT_TRUE(feedback->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).ok());
  v1::ReplyByReceiptRequest back;
  back.set_request_id(TestServer::RequestId());
  back.set_receipt_code(submitted.receipt_code());
  back.set_text("补充一点");
  v1::LetterEvent event;
  auto reply_ctx = TestServer::Ctx("");
  ASSERT_TRUE(feedback->ReplyByReceipt(reply_ctx.get(), back, &event).ok());
  expect_no_log_marks(*reply_ctx);
  v1::RateLetterRequest rate;
  rate.set_request_id(TestServer::RequestId());
  rate.set_receipt_code(submitted.receipt_code());
  rate.set_rating(5);
  v1::Letter rated;
  EXPECT_EQ(feedback->RateLetter(TestServer::Ctx("").get(), rate, &rated).error_code(),
            grpc::FAILED_PRECONDITION);  // not resolved yet
  get.set_receipt_code("wrong-code");
  EXPECT_NE(feedback->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).error_code(),
            grpc::OK);
  EXPECT_EQ(server.Stop(SIGTERM), 0);

  const std::string log = server.ReadLog();
  const std::regex line_format(
      R"(call method=(/branchline\.v1\.\w+/\w+) status=(\d+) duration_ms=\d+\.\d{3} caller=(\d+)$)");
  std::istringstream lines(log);
  int call_lines = 0, letter_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("call method=") == std::string::npos) continue;
    ++call_lines;
    EXPECT_EQ(line.find("ByReceipt"), std::string::npos) << line;
    EXPECT_EQ(line.find("RateLetter"), std::string::npos) << line;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, line_format)) << line;
    const std::string method = m[1], status = m[2], caller = m[3];
    if (method == "/branchline.v1.PersonService/CreatePerson") {
      EXPECT_EQ(status, "0");
      EXPECT_EQ(caller, std::to_string(admin_id));
    }
    if (method == "/branchline.v1.OrganizationService/CreateOrganization") {
      EXPECT_TRUE(status == "3" || status == "8") << line;  // INVALID_ARGUMENT, the huge one
      EXPECT_EQ(caller, status == "3" ? std::to_string(admin_id) : "0") << line;
    }
    if (method == "/branchline.v1.OrganizationService/ListOrganizations") {
      EXPECT_EQ(status, "16");  // UNAUTHENTICATED
      EXPECT_EQ(caller, "0");
    }
    if (method == "/branchline.v1.AttendanceService/CheckIn") {
      ++check_in_lines;
      EXPECT_EQ(caller, status == "0" ? std::to_string(driver.id()) : "0") << line;
      EXPECT_TRUE(status == "0" || status == "16") << line;
    }
    if (method == "/branchline.v1.FeedbackService/SubmitLetter") {
      ++letter_lines;
      EXPECT_EQ(caller, std::to_string(driver.id()));  // the named letter only
    }
  }
  EXPECT_EQ(call_lines, calls) << log;
  EXPECT_EQ(letter_lines, 1) << log;
  EXPECT_EQ(check_in_lines, 2) << log;
  for (const std::string& secret :
       {std::string(testing::kAdminPassword), std::string(testing::kPassword), admin.access_token(),
        driver_token, submitted.receipt_code()}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace branchline
