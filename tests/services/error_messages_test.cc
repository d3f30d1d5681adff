// Refusals through the real server (docs/errors.md): each carries its stable ErrorInfo reason
// (domain branchline.v1) with its metadata and a LocalizedMessage in the caller's
// `accept-language`, zh-CN by default; refusals without a reason get their code's generic
// message. A sample per area: check-in, leave, sign-in, the mailbox, the transport's limits,
// the organisation tree, people and idempotency, study, absences and devices.
#include <ctime>
#include <string>

#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {
namespace {

constexpr double kLat = 39.9042, kLon = 116.4074;

class ErrorMessagesTest : public AttendanceTest {
 protected:
  // CheckIn as `token` asking for `language` ("" sends no accept-language).
  grpc::Status CheckInAs(const std::string& token, const v1::CheckInRequest& r,
                         const std::string& language = "") {
    v1::CheckInResponse out;
    return stub_->CheckIn(LanguageCtx(token, language).get(), r, &out);
  }

  // Expects `status` to be `code` with `reason` and the LocalizedMessage `zh` (default
  // language); then calls `again` with accept-language "en" and expects `en`.
  template <typename Again>
  void ExpectRefusal(const grpc::Status& status, grpc::StatusCode code, const std::string& reason,
                     const std::string& zh, Again again, const std::string& en) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    auto d = DetailsOf(status);
    EXPECT_EQ(d.domain, "branchline.v1") << reason;
    EXPECT_EQ(d.reason, reason);
    EXPECT_EQ(d.locale, "zh-CN") << reason;
    EXPECT_EQ(d.message, zh) << reason;
    EXPECT_EQ(d.localized_messages, 1) << reason;
    grpc::Status english = again("en");
    EXPECT_EQ(english.error_code(), code) << english.error_message();
    auto e = DetailsOf(english);
    EXPECT_EQ(e.reason, reason);
    EXPECT_EQ(e.locale, "en") << reason;
    EXPECT_EQ(e.message, en) << reason;
  }
};

TEST_F(ErrorMessagesTest, OutsideTheRadiusSaysHowFarInTheCallersLanguage) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  // About 300 m north of a place with a 200 m radius.
  auto far = ByPlace(m.id(), kLat + 0.0027, kLon);
  grpc::Status status = CheckInAs(d1_, far);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);  // the code did not change
  auto d = DetailsOf(status);
  EXPECT_EQ(d.domain, "branchline.v1");
  EXPECT_EQ(d.reason, "OUTSIDE_RADIUS");
  EXPECT_EQ(d.field, "location");
  ASSERT_EQ(d.metadata.count("distance_m"), 1u);
  int distance = std::stoi(d.metadata["distance_m"]);
  EXPECT_NEAR(distance, 300, 5);
  EXPECT_EQ(d.metadata["radius_m"], "200");
  const std::string metres = std::to_string(distance);
  EXPECT_EQ(d.locale, "zh-CN");
  EXPECT_EQ(d.message, "您距会场 " + metres + " 米，超出了 200 米的签到范围。");

  for (const std::string language : {"en", "en-US", "en-US,en;q=0.9,zh-CN;q=0.5"}) {
    auto e = DetailsOf(CheckInAs(d1_, far, language));
    EXPECT_EQ(e.reason, "OUTSIDE_RADIUS") << language;
    EXPECT_EQ(e.locale, "en") << language;
    EXPECT_EQ(e.message,
              "You are " + metres + " m from the meeting place, outside its 200 m check-in radius.")
        << language;
  }
  for (const std::string language : {"zh-CN", "fr", "zh;q=0.9, en;q=0.1", "en;q=0"}) {
    auto z = DetailsOf(CheckInAs(d1_, far, language));
    EXPECT_EQ(z.locale, "zh-CN") << language;
    EXPECT_EQ(z.message, d.message) << language;
  }
}

TEST_F(ErrorMessagesTest, EachCheckInRefusalHasItsOwnReason) {
  auto later = MustCreate(Draft(Now() + 3 * kHour));
  auto r = ByPlace(later.id(), kLat, kLon);
  ExpectRefusal(
      CheckInAs(d1_, r), grpc::FAILED_PRECONDITION, "CHECK_IN_NOT_OPEN", "本次会议还未开始签到。",
      [&](const std::string& l) { return CheckInAs(d1_, r, l); },
      "Check-in for this meeting is not open yet.");

  auto over = MustCreate(Draft(Now() - 3 * kHour));  // closed 60 minutes after its start
  auto late = ByPlace(over.id(), kLat, kLon);
  ExpectRefusal(
      CheckInAs(d1_, late), grpc::FAILED_PRECONDITION, "CHECK_IN_WINDOW_CLOSED",
      "本次会议的签到已经结束。", [&](const std::string& l) { return CheckInAs(d1_, late, l); },
      "Check-in for this meeting has closed.");

  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto here = ByPlace(m.id(), kLat, kLon);
  ExpectRefusal(
      CheckInAs(outsider_, here), grpc::PERMISSION_DENIED, "NOT_IN_AUDIENCE",
      "您不在本次会议的参会范围内。",
      [&](const std::string& l) { return CheckInAs(outsider_, here, l); },
      "You are not among the people this meeting is for.");

  auto mocked = here;
  mocked.mutable_location()->set_mocked(true);
  ExpectRefusal(
      CheckInAs(d1_, mocked), grpc::FAILED_PRECONDITION, "MOCKED_LOCATION",
      "不接受模拟定位，请关闭模拟位置后重试。",
      [&](const std::string& l) { return CheckInAs(d1_, mocked, l); },
      "A mocked position is not accepted; turn off location mocking.");

  auto future = ByPlace(m.id(), kLat, kLon, Now() + kHour);
  ExpectRefusal(
      CheckInAs(d1_, future), grpc::INVALID_ARGUMENT, "DEVICE_TIME_IN_FUTURE",
      "手机时间超前，请检查手机时钟。",
      [&](const std::string& l) { return CheckInAs(d1_, future, l); },
      "The phone's time is in the future; check the phone's clock.");

  auto draft = Draft(Now() + 10 * kMin);
  draft.set_remote_allowed(false);
  auto in_person = MustCreate(draft);
  auto remote = Remote(in_person.id(), v1::REMOTE_REASON_DRIVING);
  ExpectRefusal(
      CheckInAs(d1_, remote), grpc::FAILED_PRECONDITION, "REMOTE_NOT_ALLOWED",
      "本次会议不允许远程参会。", [&](const std::string& l) { return CheckInAs(d1_, remote, l); },
      "The meeting does not allow remote attendance.");

  auto cancelled = MustCreate(Draft(Now() + 10 * kMin));
  Cancel(cancelled.id(), "暴雪");
  auto to_cancelled = ByPlace(cancelled.id(), kLat, kLon);
  ExpectRefusal(
      CheckInAs(d1_, to_cancelled), grpc::FAILED_PRECONDITION, "MEETING_CANCELLED", "会议已取消。",
      [&](const std::string& l) { return CheckInAs(d1_, to_cancelled, l); },
      "The meeting is cancelled.");
}

TEST_F(ErrorMessagesTest, LeaveRefusalsHaveTheirOwnReasons) {
  auto m = MustCreate(Draft(Now() + 2 * kHour));
  auto ask = [&](const std::string& token, const std::string& language) {
    v1::RequestLeaveRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(m.id());
    r.set_reason("出车");
    v1::LeaveRequest out;
    return stub_->RequestLeave(LanguageCtx(token, language).get(), r, &out);
  };
  ASSERT_TRUE(ask(d1_, "").ok());
  ExpectRefusal(
      ask(d1_, ""), grpc::ALREADY_EXISTS, "LEAVE_ALREADY_REQUESTED", "您已为本次会议请过假。",
      [&](const std::string& l) { return ask(d1_, l); },
      "Leave for this meeting was already requested.");
  auto decide = [&](uint64_t person, const std::string& language) {
    v1::DecideLeaveRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(m.id());
    r.set_person_id(person);
    r.set_approve(true);
    v1::LeaveRequest out;
    return stub_->DecideLeave(LanguageCtx(secretary_, language).get(), r, &out);
  };
  ExpectRefusal(
      decide(d2_id_, ""), grpc::NOT_FOUND, "LEAVE_NOT_REQUESTED", "此人没有为本次会议请假。",
      [&](const std::string& l) { return decide(d2_id_, l); },
      "This person has not asked for leave from this meeting.");
}

TEST_F(ErrorMessagesTest, SignInRefusalsAreLocalized) {
  auto sign_in = [&](const std::string& password, const std::string& language) {
    v1::SignInRequest r;
    r.set_login("d2");
    r.set_password(password);
    v1::SignInResponse out;
    return server_.auth().SignIn(LanguageCtx("", language).get(), r, &out);
  };
  ExpectRefusal(
      sign_in("wrong-1", ""), grpc::UNAUTHENTICATED, "WRONG_CREDENTIALS", "账号或密码错误。",
      [&](const std::string& l) { return sign_in("wrong-2", l); }, "Wrong login or password.");
  grpc::Status throttled;
  for (int i = 0; i < 10 && throttled.error_code() != grpc::RESOURCE_EXHAUSTED; ++i) {
    throttled = sign_in("wrong-again", "");
  }
  ASSERT_EQ(throttled.error_code(), grpc::RESOURCE_EXHAUSTED);
  auto d = DetailsOf(throttled);
  EXPECT_EQ(d.reason, "SIGN_IN_THROTTLED");
  ASSERT_EQ(d.metadata.count("retry_after_s"), 1u);
  EXPECT_EQ(d.message, "登录失败次数过多，请 " + d.metadata["retry_after_s"] + " 秒后再试。");

  // A call without a token, and one with an expired token.
  v1::GetRosterRequest roster;
  roster.set_meeting_id(1);
  v1::Roster out;
  auto none = stub_->GetRoster(LanguageCtx("", "").get(), roster, &out);
  EXPECT_EQ(none.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(none).reason, "MISSING_AUTHORIZATION");
  EXPECT_EQ(DetailsOf(none).message, "尚未登录，请先登录。");
  auto expired =
      stub_->GetRoster(LanguageCtx(server_.ExpiredToken(d1_id_), "en").get(), roster, &out);
  EXPECT_EQ(DetailsOf(expired).reason, "TOKEN_EXPIRED");
  EXPECT_EQ(DetailsOf(expired).message,
            "The access token has expired; refresh it or sign in again.");
}

TEST_F(ErrorMessagesTest, MailboxRefusalsAreLocalized) {
  auto feedback = v1::FeedbackService::NewStub(server_.channel());
  v1::SubmitLetterRequest submit;
  submit.set_request_id(TestServer::RequestId() + "-letter-request-id");
  submit.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
  submit.set_subject("夜班车辆调度问题");
  submit.set_body("连续夜班后第二天又排早班，休息不够。");
  v1::SubmitLetterResponse letter;
  auto submitted = feedback->SubmitLetter(Ctx(d1_).get(), submit, &letter);
  ASSERT_TRUE(submitted.ok()) << submitted.error_message();
  auto rate = [&](const std::string& token, const std::string& language) {
    v1::RateLetterRequest r;
    r.set_request_id(TestServer::RequestId() + "-rate-request-id");
    r.set_id(letter.letter().id());
    r.set_rating(5);
    v1::Letter out;
    return feedback->RateLetter(LanguageCtx(token, language).get(), r, &out);
  };
  ExpectRefusal(
      rate(d1_, ""), grpc::FAILED_PRECONDITION, "LETTER_NOT_RESOLVED", "来信办结后才能评价。",
      [&](const std::string& l) { return rate(d1_, l); }, "Only a resolved letter can be rated.");
  const std::string id = std::to_string(letter.letter().id());
  ExpectRefusal(
      rate(d2_, ""), grpc::PERMISSION_DENIED, "NOT_LETTER_AUTHOR",
      "只有写信人才能评价第 " + id + " 号来信。",
      [&](const std::string& l) { return rate(d2_, l); },
      "Only the author rates letter " + id + ".");
}

TEST_F(ErrorMessagesTest, TooLargeARequestIsRefusedWithItsSizeAndTheLimit) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto big = Remote(m.id(), v1::REMOTE_REASON_OTHER, std::string(200'000, 'x'));
  grpc::Status status = CheckInAs(d1_, big);
  EXPECT_EQ(status.error_code(), grpc::RESOURCE_EXHAUSTED);
  auto d = DetailsOf(status);
  EXPECT_EQ(d.reason, "REQUEST_TOO_LARGE");
  EXPECT_EQ(d.field, "request");
  EXPECT_EQ(d.message, "请求大小为 " + d.metadata["size_bytes"] + " 字节，超过了本操作 " +
                           d.metadata["limit_bytes"] + " 字节的上限。");
  EXPECT_GT(std::stoll(d.metadata["size_bytes"]), std::stoll(d.metadata["limit_bytes"]));
}

// Only the interceptor marks a call refused before its handler runs (rpc/call_marks.h): a
// client that sends the mark itself is served as usual, on the sync and the async path.
TEST_F(ErrorMessagesTest, AClientCannotMarkItsOwnCallRefused) {
  auto claiming = [](const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    ctx->AddMetadata("branchline-refused-before-handler", "");
    return ctx;
  };
  v1::CreateMeetingRequest create;
  create.set_request_id(TestServer::RequestId());
  *create.mutable_meeting() = Draft(Now() + 10 * kMin);
  v1::Meeting meeting;
  grpc::Status created = stub_->CreateMeeting(claiming(secretary_).get(), create, &meeting);
  ASSERT_TRUE(created.ok()) << created.error_message();
  v1::CheckInResponse checked_in;
  grpc::Status status =
      stub_->CheckIn(claiming(d1_).get(), ByPlace(meeting.id(), kLat, kLon), &checked_in);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(checked_in.record().meeting_id(), meeting.id());
}

TEST_F(ErrorMessagesTest, RefusalsWithoutAReasonGetTheGenericMessageOfTheirCode) {
  auto draft = Draft(Now() + 10 * kMin);
  draft.set_title("");
  v1::CreateMeetingRequest r;
  r.set_request_id(TestServer::RequestId());
  *r.mutable_meeting() = draft;
  v1::Meeting out;
  auto zh = stub_->CreateMeeting(LanguageCtx(secretary_, "").get(), r, &out);
  ASSERT_EQ(zh.error_code(), grpc::INVALID_ARGUMENT);
  auto d = DetailsOf(zh);
  EXPECT_EQ(d.reason, "");
  EXPECT_EQ(d.message, "请求中的 " + d.field + " 有误。");
  EXPECT_FALSE(d.field.empty());
  auto en = DetailsOf(stub_->CreateMeeting(LanguageCtx(secretary_, "en").get(), r, &out));
  EXPECT_EQ(en.message, "The request's " + d.field + " is invalid.");
  // A denial without a field.
  v1::GetRosterRequest roster;
  roster.set_meeting_id(MustCreate(Draft(Now() + kHour)).id());
  v1::Roster page;
  auto denied = stub_->GetRoster(LanguageCtx(outsider_, "").get(), roster, &page);
  EXPECT_EQ(denied.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_FALSE(DetailsOf(denied).message.empty());
  EXPECT_EQ(DetailsOf(denied).locale, "zh-CN");
}

TEST_F(ErrorMessagesTest, TreePeopleAndRequestRefusalsHaveTheirOwnReasons) {
  auto orgs = v1::OrganizationService::NewStub(server_.channel());
  auto people = v1::PersonService::NewStub(server_.channel());
  auto move = [&](const std::string& language) {
    v1::MoveOrganizationRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(branch_);
    r.set_new_parent_id(group_);  // its own group
    v1::Organization out;
    return orgs->MoveOrganization(LanguageCtx(admin_, language).get(), r, &out);
  };
  ExpectRefusal(move(""), grpc::FAILED_PRECONDITION, "MOVE_INTO_OWN_SUBTREE",
                "不能把组织移到它自己的下级组织之下。", move,
                "An organisation cannot move below itself.");
  EXPECT_EQ(DetailsOf(move("")).field, "new_parent_id");
  auto archive = [&](const std::string& language) {
    v1::ArchiveOrganizationRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(branch_);
    v1::Organization out;
    return orgs->ArchiveOrganization(LanguageCtx(admin_, language).get(), r, &out);
  };
  ExpectRefusal(archive(""), grpc::FAILED_PRECONDITION, "ORGANIZATION_HAS_ACTIVE_CHILDREN",
                "该组织下还有未归档的下级组织，请先归档下级组织。", archive,
                "Organisations below it are not archived yet: archive them first.");
  auto taken = [&](const std::string& language) {
    auto r = TestServer::NewPersonRequest(group_, v1::ROLE_EMPLOYEE);
    r.mutable_person()->set_employee_number("d1");  // 张师傅's
    v1::Person out;
    return people->CreatePerson(LanguageCtx(secretary_, language).get(), r, &out);
  };
  ExpectRefusal(taken(""), grpc::ALREADY_EXISTS, "LOGIN_IN_USE", "该手机号或工号已被他人使用。",
                taken, "This phone number or employee number is already used by another person.");
  EXPECT_EQ(DetailsOf(taken("")).field, "person.employee_number");
  auto self = [&](const std::string& language) {
    v1::DeactivatePersonRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(secretary_id_);
    v1::Person out;
    return people->DeactivatePerson(LanguageCtx(secretary_, language).get(), r, &out);
  };
  ExpectRefusal(self(""), grpc::FAILED_PRECONDITION, "CANNOT_DEACTIVATE_SELF",
                "不能停用自己的账号。", self, "You cannot deactivate yourself.");
  // The same request id for a different meeting.
  const std::string reused = TestServer::RequestId();
  auto create = [&](const std::string& title, const std::string& language) {
    v1::CreateMeetingRequest r;
    r.set_request_id(reused);
    *r.mutable_meeting() = Draft(Now() + kHour);
    r.mutable_meeting()->set_title(title);
    v1::Meeting out;
    return stub_->CreateMeeting(LanguageCtx(secretary_, language).get(), r, &out);
  };
  ASSERT_TRUE(create("周一安全例会", "").ok());
  ExpectRefusal(
      create("周二安全例会", ""), grpc::ALREADY_EXISTS, "REQUEST_ID_REUSED",
      "该请求编号已用于另一个不同的请求，请生成新的编号。",
      [&](const std::string& l) { return create("周二安全例会", l); },
      "This request_id was already used for a different request.");
}

TEST_F(ErrorMessagesTest, StudyAbsenceAndDeviceRefusalsHaveTheirOwnReasons) {
  // A second study plan of the branch for one year.
  auto study = v1::StudyService::NewStub(server_.channel());
  auto plan = [&](const std::string& language) {
    v1::CreateStudyPlanRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_plan()->set_organization_id(branch_);
    r.mutable_plan()->set_year(2099);
    r.mutable_plan()->set_title("年度学习计划");
    auto* item = r.mutable_plan()->add_items();
    item->set_topic("党章学习");
    item->set_required_minutes(60);
    item->set_due_date("2099-12-31");
    v1::StudyPlan out;
    return study->CreateStudyPlan(LanguageCtx(secretary_, language).get(), r, &out);
  };
  const auto first = plan("");
  ASSERT_TRUE(first.ok()) << first.error_message();
  ExpectRefusal(plan(""), grpc::ALREADY_EXISTS, "STUDY_PLAN_EXISTS", "该组织本年度已有学习计划。",
                plan, "The organisation already has a study plan for this year.");

  // A refused absence cannot be withdrawn.
  auto calendar = v1::CalendarService::NewStub(server_.channel());
  const std::time_t in_ten_days = Now() / kSec + 10 * 86400;
  std::tm day{};
  gmtime_r(&in_ten_days, &day);
  v1::RequestAbsenceRequest ask;
  ask.set_request_id(TestServer::RequestId());
  ask.set_type(v1::ABSENCE_TYPE_PERSONAL_LEAVE);
  for (auto* date : {ask.mutable_from_date(), ask.mutable_to_date()}) {
    date->set_year(day.tm_year + 1900);
    date->set_month(day.tm_mon + 1);
    date->set_day(day.tm_mday);
  }
  ask.set_reason("家中有事");
  v1::AbsenceRequest asked, decided;
  ASSERT_TRUE(calendar->RequestAbsence(Ctx(d1_).get(), ask, &asked).ok());
  v1::DecideAbsenceRequest refuse;
  refuse.set_request_id(TestServer::RequestId());
  refuse.set_id(asked.id());
  refuse.set_approve(false);
  refuse.set_note("当天人手不足");
  const auto refused = calendar->DecideAbsence(Ctx(secretary_).get(), refuse, &decided);
  ASSERT_TRUE(refused.ok()) << refused.error_message();
  auto withdraw = [&](const std::string& language) {
    v1::WithdrawAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(asked.id());
    v1::AbsenceRequest out;
    return calendar->WithdrawAbsence(LanguageCtx(d1_, language).get(), r, &out);
  };
  ExpectRefusal(withdraw(""), grpc::FAILED_PRECONDITION, "ABSENCE_REFUSED",
                "已被驳回的请假不能撤回。", withdraw, "A refused absence cannot be withdrawn.");

  // A 21st phone.
  auto notifications = v1::NotificationService::NewStub(server_.channel());
  auto device = [&](int n, const std::string& language) {
    v1::RegisterDeviceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_platform(v1::DEVICE_PLATFORM_ANDROID);
    r.set_token("push-token-of-phone-" + std::to_string(n));
    r.set_app_version("3.2.0");
    v1::Device out;
    return notifications->RegisterDevice(LanguageCtx(d2_, language).get(), r, &out);
  };
  for (int n = 0; n < 20; ++n) ASSERT_TRUE(device(n, "").ok()) << n;
  const auto full = device(20, "");
  ExpectRefusal(
      full, grpc::RESOURCE_EXHAUSTED, "TOO_MANY_DEVICES", "每人最多登记 20 台设备，请先移除一台。",
      [&](const std::string& l) { return device(21, l); },
      "At most 20 devices per person: remove one first.");
  EXPECT_EQ(DetailsOf(full).metadata["max"], "20");
  EXPECT_EQ(DetailsOf(full).field, "token");
}

}  // namespace
}  // namespace branchline::testing
