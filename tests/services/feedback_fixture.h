// A tenant with a committee, two branches and the people the feedback tests need, plus
// helpers to call FeedbackService through the real server.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <functional>
#include <string>

#include "branchline/v1/feedback.grpc.pb.h"
#include "tests/support/test_server.h"

namespace branchline::testing {

class FeedbackTest : public ::testing::Test {
 protected:
  FeedbackTest() = default;
  // A server whose options `configure` adjusts (see TestServer).
  explicit FeedbackTest(std::function<void(ServerOptions&)> configure)
      : server_(std::move(configure)) {}

  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    committee_ =
        server_.CreateOrg(admin_, root_, "运输公司党委", v1::ORGANIZATION_KIND_COMMITTEE).id();
    branch_ = server_.CreateOrg(admin_, committee_, "运输四队党支部").id();
    sibling_ = server_.CreateOrg(admin_, committee_, "收费站党支部").id();
    driver_ = server_.CreatePerson(admin_, branch_, "王师傅", "driver", v1::ROLE_EMPLOYEE).id();
    colleague_ =
        server_.CreatePerson(admin_, branch_, "李师傅", "colleague", v1::ROLE_EMPLOYEE).id();
    secretary_ =
        server_.CreatePerson(admin_, branch_, "张书记", "secretary", v1::ROLE_SECRETARY).id();
    committee_member_ =
        server_.CreatePerson(admin_, branch_, "刘委员", "member", v1::ROLE_COMMITTEE_MEMBER).id();
    sibling_secretary_ =
        server_.CreatePerson(admin_, sibling_, "赵书记", "sibling-secretary", v1::ROLE_SECRETARY)
            .id();
    committee_secretary_ =
        server_
            .CreatePerson(admin_, committee_, "陈书记", "committee-secretary", v1::ROLE_SECRETARY)
            .id();
    feedback_ = v1::FeedbackService::NewStub(server_.channel());
    driver_token_ = server_.SignIn("driver");
    secretary_token_ = server_.SignIn("secretary");
  }

  // Submits a letter; `status` receives the outcome (the test fails on error when null).
  v1::SubmitLetterResponse Submit(const std::string& token, v1::LetterCategory category,
                                  bool anonymous, uint64_t about = 0, uint64_t org = 0,
                                  grpc::Status* status = nullptr) {
    v1::SubmitLetterRequest r;
    r.set_request_id(LongRequestId());
    r.set_organization_id(org);
    r.set_category(category);
    r.set_subject("夜班车辆调度问题");
    r.set_body("连续夜班后第二天又排早班，休息不够。\n希望支部协调。");
    r.set_about_person_id(about);
    r.set_anonymous(anonymous);
    v1::SubmitLetterResponse out;
    auto s = feedback_->SubmitLetter(TestServer::Ctx(token).get(), r, &out);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  grpc::Status Transition(const std::string& token, uint64_t id, v1::LetterState state,
                          const std::string& reason = "", v1::Letter* out = nullptr) {
    v1::TransitionLetterRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_state(state);
    r.set_reason(reason);
    v1::Letter letter;
    auto s = feedback_->TransitionLetter(TestServer::Ctx(token).get(), r, &letter);
    if (out) *out = letter;
    return s;
  }

  grpc::Status Reply(const std::string& token, uint64_t id, const std::string& text,
                     bool wait = false) {
    v1::ReplyToLetterRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_text(text);
    r.set_wait_for_author(wait);
    v1::LetterEvent out;
    return feedback_->ReplyToLetter(TestServer::Ctx(token).get(), r, &out);
  }

  grpc::Status Escalate(const std::string& token, uint64_t id, v1::Letter* out = nullptr) {
    v1::EscalateLetterRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_reason("支部协调不了，报上级");
    v1::Letter letter;
    auto s = feedback_->EscalateLetter(TestServer::Ctx(token).get(), r, &letter);
    if (out) *out = letter;
    return s;
  }

  grpc::Status Get(const std::string& token, uint64_t id, v1::Letter* out = nullptr) {
    v1::GetLetterRequest r;
    r.set_id(id);
    v1::Letter letter;
    auto s = feedback_->GetLetter(TestServer::Ctx(token).get(), r, &letter);
    if (out) *out = letter;
    return s;
  }

  v1::ListLetterEventsResponse Events(const std::string& token, uint64_t id,
                                      grpc::Status* status = nullptr) {
    v1::ListLetterEventsRequest r;
    r.set_id(id);
    v1::ListLetterEventsResponse out;
    auto s = feedback_->ListLetterEvents(TestServer::Ctx(token).get(), r, &out);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  v1::ListLettersResponse Inbox(const std::string& token, uint64_t org,
                                v1::LetterState state = v1::LETTER_STATE_UNSPECIFIED,
                                grpc::Status* status = nullptr) {
    v1::ListInboxRequest r;
    r.set_organization_id(org);
    r.set_state(state);
    v1::ListLettersResponse out;
    auto s = feedback_->ListInbox(TestServer::Ctx(token).get(), r, &out);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  // Registers a letter on a writer's behalf (RegisterLetter); set the writer in `r` first.
  // Fills in what is not set: request id, organisation (the branch), channel (PAPER), the
  // received date (today, UTC+8), category (SUGGESTION), subject and body.
  grpc::Status Register(const std::string& token, v1::RegisterLetterRequest r,
                        v1::SubmitLetterResponse* out = nullptr) {
    if (r.request_id().empty()) r.set_request_id(LongRequestId());
    if (r.organization_id() == 0) r.set_organization_id(branch_);
    if (r.channel() == v1::LETTER_CHANNEL_UNSPECIFIED) r.set_channel(v1::LETTER_CHANNEL_PAPER);
    if (!r.has_received_date()) *r.mutable_received_date() = LocalDateToday();
    if (r.category() == v1::LETTER_CATEGORY_UNSPECIFIED) {
      r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
    }
    if (r.subject().empty()) r.set_subject("建议在场站增设饮水机");
    if (r.body().empty()) r.set_body("信箱里收到的纸质来信：夏天场站没有饮水的地方。");
    v1::SubmitLetterResponse response;
    auto s = feedback_->RegisterLetter(TestServer::Ctx(token).get(), r, &response);
    if (out) *out = response;
    return s;
  }

  // Today's date in UTC+8 (the test organisations' zone), shifted by `days`.
  static v1::LocalDate LocalDateToday(int days = 0) {
    std::time_t t = std::time(nullptr) + 8 * 3600 + static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    v1::LocalDate d;
    d.set_year(tm.tm_year + 1900);
    d.set_month(tm.tm_mon + 1);
    d.set_day(tm.tm_mday);
    return d;
  }

  grpc::Status RecordOutcome(const std::string& token, uint64_t id, v1::LetterOutcome outcome,
                             const std::string& text = "", int64_t amount = 0,
                             v1::Letter* out = nullptr) {
    v1::RecordLetterOutcomeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_outcome(outcome);
    if (outcome == v1::LETTER_OUTCOME_DECLINED) r.set_reason(text);
    if (outcome == v1::LETTER_OUTCOME_IMPLEMENTED) r.set_benefit(text);
    if (outcome == v1::LETTER_OUTCOME_REWARDED) r.set_reward(text);
    r.set_benefit_amount_cents(amount);
    v1::Letter letter;
    auto s = feedback_->RecordLetterOutcome(TestServer::Ctx(token).get(), r, &letter);
    if (out) *out = letter;
    return s;
  }

  grpc::Status MarkMisconduct(const std::string& token, uint64_t id, uint64_t org) {
    v1::MarkLetterMisconductRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_organization_id(org);
    v1::Letter letter;
    return feedback_->MarkLetterMisconduct(TestServer::Ctx(token).get(), r, &letter);
  }

  grpc::Status Note(const std::string& token, uint64_t id, const std::string& text) {
    v1::AddInternalNoteRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_text(text);
    v1::LetterEvent out;
    return feedback_->AddInternalNote(TestServer::Ctx(token).get(), r, &out);
  }

  // Walks a letter to RESOLVED as the branch secretary.
  void Resolve(uint64_t id) {
    ASSERT_TRUE(Transition(secretary_token_, id, v1::LETTER_STATE_ACKNOWLEDGED).ok());
    ASSERT_TRUE(Transition(secretary_token_, id, v1::LETTER_STATE_IN_PROGRESS).ok());
    ASSERT_TRUE(Transition(secretary_token_, id, v1::LETTER_STATE_RESOLVED).ok());
  }

  // Anonymous submissions need at least 16 characters of request id.
  static std::string LongRequestId() { return "anon-request-id-" + TestServer::RequestId(); }

  TestServer server_;
  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
  std::string admin_, driver_token_, secretary_token_;
  uint64_t root_ = 0, committee_ = 0, branch_ = 0, sibling_ = 0;
  uint64_t driver_ = 0, colleague_ = 0, secretary_ = 0, committee_member_ = 0;
  uint64_t sibling_secretary_ = 0, committee_secretary_ = 0;
};

}  // namespace branchline::testing
