// The anonymous-letter rate limit: per receiving organisation and per tenant, per day, and
// nothing about the author (see services/feedback/anonymous_letter_limit.h).
#include "services/feedback/anonymous_letter_limit.h"

#include <gtest/gtest.h>

#include "branchline/v1/feedback.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/local_day.h"
#include "tests/support/run_command.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using feedback::AnonymousLetterLimit;
using testing::TestServer;

constexpr int64_t kDay = 86'400'000'000LL;
// 2026-11-21 10:00 UTC.
const int64_t kNow = LocalDayStartMicros(CivilToDay(2026, 11, 21), 0) + 10 * 3'600'000'000LL;

TEST(AnonymousLetterLimitRules, PerOrganizationPerLocalDay) {
  AnonymousLetterLimit limit({/*per_organization_per_day=*/2, /*per_tenant_per_day=*/100});
  EXPECT_TRUE(limit.Take(1, 100, 480, kNow).ok());
  EXPECT_TRUE(limit.Take(1, 100, 480, kNow).ok());
  absl::Status third = limit.Take(1, 100, 480, kNow);
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(third.message().find("organization_id"), std::string_view::npos);
  // 10:00 UTC is 18:00 at UTC+8: the local day ends in 6 hours.
  auto payload = third.GetPayload("type.googleapis.com/google.rpc.RetryInfo");
  ASSERT_TRUE(payload.has_value());
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(retry.ParseFromString(std::string(*payload)));
  EXPECT_EQ(retry.retry_delay().seconds(), 6 * 3600);
  // Another organisation has its own allowance; the next local day starts afresh.
  EXPECT_TRUE(limit.Take(1, 200, 480, kNow).ok());
  EXPECT_TRUE(limit.Take(1, 100, 480, kNow + 6 * 3'600'000'000LL).ok());
}

TEST(AnonymousLetterLimitRules, PerTenantPerUtcDayAndRefusalsTakeNothing) {
  AnonymousLetterLimit limit({/*per_organization_per_day=*/10, /*per_tenant_per_day=*/3});
  EXPECT_TRUE(limit.Take(1, 100, 0, kNow).ok());
  EXPECT_TRUE(limit.Take(1, 200, 0, kNow).ok());
  EXPECT_TRUE(limit.Take(1, 300, 0, kNow).ok());
  EXPECT_EQ(limit.Take(1, 400, 0, kNow).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limit.Take(1, 400, 0, kNow).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limit.Take(2, 500, 0, kNow).ok()) << "another tenant is not affected";
  EXPECT_TRUE(limit.Take(1, 400, 0, kNow + kDay).ok());
}

TEST(AnonymousLetterLimitRules, ManyOrganizationsStayBounded) {
  AnonymousLetterLimit limit({1, 1'000'000});
  for (uint64_t org = 1; org <= AnonymousLetterLimit::kMaxOrganizations + 10; ++org) {
    ASSERT_TRUE(limit.Take(1, org, 0, kNow).ok());
  }
}

class AnonymousLetterLimitServerTest : public ::testing::Test {
 protected:
  AnonymousLetterLimitServerTest() = default;
  explicit AnonymousLetterLimitServerTest(AnonymousLetterLimit::Limits limits)
      : server_([limits](ServerOptions& o) { o.anonymous_letters = limits; }) {}
  void SetUp() override {
    admin_ = server_.AdminToken();
    committee_ =
        server_.CreateOrg(admin_, server_.RootOrgId(), "党委", v1::ORGANIZATION_KIND_COMMITTEE)
            .id();
    branch_ = server_.CreateOrg(admin_, committee_, "支部").id();
    server_.CreatePerson(admin_, branch_, "王师傅", "driver", v1::ROLE_EMPLOYEE);
    driver_ = server_.SignIn("driver");
    feedback_ = v1::FeedbackService::NewStub(server_.channel());
  }

  grpc::Status Submit(uint64_t org, bool anonymous, const std::string& request_id,
                      v1::SubmitLetterResponse* out) {
    v1::SubmitLetterRequest r;
    r.set_request_id(request_id);
    r.set_organization_id(org);
    r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
    r.set_subject("食堂");
    r.set_body("晚班没有热饭。");
    r.set_anonymous(anonymous);
    return feedback_->SubmitLetter(TestServer::Ctx(driver_).get(), r, out);
  }
  // Letters in the branch's inbox, as its handler (the administrator) sees them.
  int64_t InboxCount() {
    v1::ListInboxRequest r;
    r.set_organization_id(branch_);
    r.set_page_size(100);
    v1::ListLettersResponse out;
    auto status = feedback_->ListInbox(TestServer::Ctx(admin_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.letters_size();
  }
  static std::string LongId(int i) {
    return "anonymous-request-" + std::to_string(i) + "-xxxxxxxx";
  }

  // RESOURCE_EXHAUSTED naming organization_id with a RetryInfo of at most a day.
  static void ExpectRefusedUntilTomorrow(const grpc::Status& refused) {
    EXPECT_EQ(refused.error_code(), grpc::RESOURCE_EXHAUSTED) << refused.error_message();
    EXPECT_EQ(testing::ViolationField(refused), "organization_id");
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(refused.error_details()));
    bool has_retry = false;
    for (const auto& any : details.details()) {
      google::rpc::RetryInfo retry;
      if (any.UnpackTo(&retry)) {
        has_retry = true;
        EXPECT_GT(retry.retry_delay().seconds(), 0);
        EXPECT_LE(retry.retry_delay().seconds(), 86'400);
      }
    }
    EXPECT_TRUE(has_retry);
  }

  TestServer server_;
  std::string admin_, driver_;
  uint64_t committee_ = 0, branch_ = 0;
  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
};

// Through the server with the default limits (AnonymousLetterLimit::Limits).
TEST_F(AnonymousLetterLimitServerTest, AnonymousLettersBeyondTheDaysAllowanceWaitNamedOnesDoNot) {
  const int allowance = AnonymousLetterLimit::Limits{}.per_organization_per_day;
  v1::SubmitLetterResponse first, out;
  ASSERT_TRUE(Submit(branch_, true, LongId(0), &first).ok());
  for (int i = 1; i < allowance; ++i) ASSERT_TRUE(Submit(branch_, true, LongId(i), &out).ok()) << i;
  const int64_t changes_before = InboxCount();

  ExpectRefusedUntilTomorrow(Submit(branch_, true, LongId(allowance), &out));
  EXPECT_EQ(InboxCount(), changes_before) << "a refused letter stores nothing";

  // A retry of a stored letter is its first answer, not a new letter.
  v1::SubmitLetterResponse again;
  ASSERT_TRUE(Submit(branch_, true, LongId(0), &again).ok());
  EXPECT_EQ(again.letter().id(), first.letter().id());
  // Named letters are accountable and not limited; the committee has its own allowance.
  EXPECT_TRUE(Submit(branch_, false, LongId(1000), &out).ok());
  EXPECT_TRUE(Submit(committee_, true, LongId(1001), &out).ok());
}

// A server configured with small allowances (--anonymous-letters-per-organization-per-day 3,
// --anonymous-letters-per-tenant-per-day 5) refuses at exactly those counts.
class SmallAnonymousLetterLimitTest : public AnonymousLetterLimitServerTest {
 protected:
  SmallAnonymousLetterLimitTest()
      : AnonymousLetterLimitServerTest({/*per_organization_per_day=*/3, /*per_tenant_per_day=*/5}) {
  }
};

TEST_F(SmallAnonymousLetterLimitTest, TheConfiguredAllowancesAreWhereLettersWait) {
  v1::SubmitLetterResponse out;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Submit(branch_, true, LongId(i), &out).ok()) << i;
  const int64_t stored = InboxCount();
  ExpectRefusedUntilTomorrow(Submit(branch_, true, LongId(3), &out));
  EXPECT_EQ(InboxCount(), stored) << "a refused letter stores nothing";
  // The tenant's 5: two more in another organisation, then the tenant is used up too.
  EXPECT_TRUE(Submit(committee_, true, LongId(4), &out).ok());
  EXPECT_TRUE(Submit(committee_, true, LongId(5), &out).ok());
  ExpectRefusedUntilTomorrow(Submit(committee_, true, LongId(6), &out));
  // Named letters are accountable and never counted.
  EXPECT_TRUE(Submit(branch_, false, LongId(7), &out).ok());
  // The refusal carries nothing about who asked: the same answer for another author.
  server_.CreatePerson(admin_, branch_, "李师傅", "driver2", v1::ROLE_EMPLOYEE);
  driver_ = server_.SignIn("driver2");
  grpc::Status other = Submit(branch_, true, LongId(8), &out);
  ExpectRefusedUntilTomorrow(other);
  EXPECT_EQ(other.error_message().find("driver"), std::string::npos) << other.error_message();
}

// Bad allowances stop the start with an error naming the flag to fix.
TEST(AnonymousLetterLimitOptions, StartRefusesNonPositiveOrInvertedAllowances) {
  testing::TempDir dir;
  auto start = [&](int per_organization, int per_tenant) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir.Sub("data");
    options.backup_dir = dir.Sub("backups");
    options.metrics_listen = "";
    options.fast_password_hashing = true;
    options.anonymous_letters = {per_organization, per_tenant};
    return BranchlineServer::Start(options).status();
  };
  absl::Status zero = start(0, 3000);
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zero.message().find("--anonymous-letters-per-organization-per-day"),
            std::string_view::npos)
      << zero;
  absl::Status negative = start(300, -1);
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(negative.message().find("--anonymous-letters-per-tenant-per-day"),
            std::string_view::npos)
      << negative;
  absl::Status inverted = start(301, 300);
  EXPECT_EQ(inverted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(inverted.message().find("must not exceed --anonymous-letters-per-tenant-per-day"),
            std::string_view::npos)
      << inverted;
}

// The binary: the flags are in --help with their defaults, and a bad value ends the start
// with a message naming the flag (run without a data directory being created).
std::string RunServerBinary(const std::string& args, int* exit_code) {
  return testing::RunCommand(std::string(BRANCHLINE_SERVER_BINARY) + " " + args, exit_code);
}

TEST(AnonymousLetterLimitOptions, TheBinaryDocumentsAndChecksTheFlags) {
  testing::TempDir dir;
  int code = -1;
  std::string help = RunServerBinary("--help", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(help.find("--anonymous-letters-per-organization-per-day"), std::string::npos) << help;
  EXPECT_NE(help.find("--anonymous-letters-per-tenant-per-day"), std::string::npos) << help;
  EXPECT_NE(help.find("3000"), std::string::npos) << "the default is shown";

  const std::string base = "--listen 127.0.0.1:0 --metrics-listen off --data-dir " +
                           dir.Sub("data") + " --backup-dir " + dir.Sub("backups") + " ";
  std::string zero =
      RunServerBinary(base + "--anonymous-letters-per-organization-per-day 0", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(zero.find("--anonymous-letters-per-organization-per-day"), std::string::npos) << zero;
  std::string inverted = RunServerBinary(base +
                                             "--anonymous-letters-per-organization-per-day 50 "
                                             "--anonymous-letters-per-tenant-per-day 10",
                                         &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(inverted.find("must not exceed --anonymous-letters-per-tenant-per-day"),
            std::string::npos)
      << inverted;
}

}  // namespace
}  // namespace branchline
