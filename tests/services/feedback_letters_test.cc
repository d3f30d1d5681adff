// The mailbox through the real server: submission, validation, the workflow and every
// refusal, escalation, replies and notes, receipts, ratings, reports about handlers.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "services/common/clock.h"
#include "tests/services/feedback_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;
using testing::ViolationField;

class FeedbackLettersTest : public testing::FeedbackTest {};

TEST_F(FeedbackLettersTest, NamedLetterGoesToOwnBranchAndShowsInMyLetters) {
  auto submitted = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, /*anonymous=*/false);
  const auto& letter = submitted.letter();
  EXPECT_EQ(letter.organization_id(), branch_);
  EXPECT_EQ(letter.original_organization_id(), branch_);
  EXPECT_EQ(letter.author_person_id(), driver_);
  EXPECT_EQ(letter.state(), v1::LETTER_STATE_SUBMITTED);
  EXPECT_TRUE(submitted.receipt_code().empty());
  // Default deadlines: 2 and 15 days after submission.
  EXPECT_EQ(letter.acknowledge_due_time().seconds() - letter.submit_time().seconds(), 2 * 86400);
  EXPECT_EQ(letter.resolve_due_time().seconds() - letter.submit_time().seconds(), 15 * 86400);

  v1::ListMyLettersRequest mine;
  v1::ListLettersResponse listed;
  ASSERT_TRUE(feedback_->ListMyLetters(TestServer::Ctx(driver_token_).get(), mine, &listed).ok());
  ASSERT_EQ(listed.letters_size(), 1);
  EXPECT_EQ(listed.letters(0).id(), letter.id());
  EXPECT_EQ(listed.letters(0).subject(), "夜班车辆调度问题");
  // Nobody else has it in "my letters".
  ASSERT_TRUE(
      feedback_->ListMyLetters(TestServer::Ctx(secretary_token_).get(), mine, &listed).ok());
  EXPECT_EQ(listed.letters_size(), 0);
  // It is in the branch inbox.
  auto inbox = Inbox(secretary_token_, branch_);
  ASSERT_EQ(inbox.letters_size(), 1);
  EXPECT_EQ(inbox.letters(0).id(), letter.id());
}

TEST_F(FeedbackLettersTest, InvalidInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::function<void(v1::SubmitLetterRequest*)> mutate;
    grpc::StatusCode code;
    std::string field;
  } cases[] = {
      {[](auto* r) { r->set_category(v1::LETTER_CATEGORY_UNSPECIFIED); }, grpc::INVALID_ARGUMENT,
       "category"},
      {[](auto* r) { r->set_category(static_cast<v1::LetterCategory>(42)); },
       grpc::INVALID_ARGUMENT, "category"},
      {[](auto* r) { r->set_subject(""); }, grpc::INVALID_ARGUMENT, "subject"},
      {[](auto* r) {
         std::string s;
         for (int i = 0; i < 101; ++i) s += "信";  // 101 characters, 303 bytes
         r->set_subject(s);
       },
       grpc::INVALID_ARGUMENT, "subject"},
      {[](auto* r) { r->set_body(""); }, grpc::INVALID_ARGUMENT, "body"},
      {[](auto* r) { r->set_body("第一行\x01控制字符"); }, grpc::INVALID_ARGUMENT, "body"},
      {[](auto* r) { r->set_request_id(""); }, grpc::INVALID_ARGUMENT, "request_id"},
      {[](auto* r) {
         r->set_anonymous(true);
         r->set_request_id("short-id");
       },
       grpc::INVALID_ARGUMENT, "request_id"},
      {[this](auto* r) { r->set_about_person_id(driver_); }, grpc::INVALID_ARGUMENT,
       "about_person_id"},
      {[this](auto* r) { r->set_about_person_id(driver_ + 100000); }, grpc::NOT_FOUND,
       "about_person_id"},
      {[this](auto* r) { r->set_organization_id(branch_ + 100000); }, grpc::NOT_FOUND,
       "organization_id"},
  };
  for (auto& c : cases) {
    v1::SubmitLetterRequest r;
    r.set_request_id(LongRequestId());
    r.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
    r.set_subject("主题");
    r.set_body("正文");
    c.mutate(&r);
    v1::SubmitLetterResponse out;
    auto status = feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), r, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.field << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field);
  }
  // Writing to a sibling branch's mailbox is not for this driver.
  grpc::Status status;
  Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false, 0, sibling_, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  // ... but the organisation above is.
  auto up = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false, 0, committee_);
  EXPECT_EQ(up.letter().organization_id(), committee_);
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 0);
}

TEST_F(FeedbackLettersTest, RetriesReturnTheFirstAnswer) {
  v1::SubmitLetterRequest r;
  r.set_request_id(LongRequestId());
  r.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
  r.set_subject("主题");
  r.set_body("正文");
  for (bool anonymous : {false, true}) {
    r.set_anonymous(anonymous);
    r.set_request_id(LongRequestId());
    v1::SubmitLetterResponse first, second;
    ASSERT_TRUE(feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), r, &first).ok());
    ASSERT_TRUE(feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), r, &second).ok());
    EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString()) << anonymous;
    EXPECT_EQ(first.receipt_code().empty(), !anonymous);
    // The same id for another letter is refused.
    auto changed = r;
    changed.set_body("别的内容");
    v1::SubmitLetterResponse third;
    EXPECT_EQ(
        feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), changed, &third).error_code(),
        grpc::ALREADY_EXISTS);
  }
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 2);

  // A retried transition and reply write once.
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false).letter();
  v1::TransitionLetterRequest t;
  t.set_request_id("ack-retry");
  t.set_id(letter.id());
  t.set_state(v1::LETTER_STATE_ACKNOWLEDGED);
  v1::Letter a, b;
  ASSERT_TRUE(feedback_->TransitionLetter(TestServer::Ctx(secretary_token_).get(), t, &a).ok());
  ASSERT_TRUE(feedback_->TransitionLetter(TestServer::Ctx(secretary_token_).get(), t, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  v1::ReplyToLetterRequest reply;
  reply.set_request_id("reply-retry");
  reply.set_id(letter.id());
  reply.set_text("已收到");
  v1::LetterEvent e1, e2;
  ASSERT_TRUE(feedback_->ReplyToLetter(TestServer::Ctx(secretary_token_).get(), reply, &e1).ok());
  ASSERT_TRUE(feedback_->ReplyToLetter(TestServer::Ctx(secretary_token_).get(), reply, &e2).ok());
  EXPECT_EQ(e1.sequence(), e2.sequence());
  EXPECT_EQ(Events(secretary_token_, letter.id()).events_size(), 3);  // submitted, ack, reply
}

TEST_F(FeedbackLettersTest, EveryTransitionAndEveryRefusal) {
  using S = v1::LetterState;
  const S all[] = {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS,
                   v1::LETTER_STATE_RESOLVED, v1::LETTER_STATE_CLOSED, v1::LETTER_STATE_REFUSED};
  // Path of each starting state from SUBMITTED.
  const std::vector<std::pair<S, std::vector<S>>> paths = {
      {v1::LETTER_STATE_SUBMITTED, {}},
      {v1::LETTER_STATE_ACKNOWLEDGED, {v1::LETTER_STATE_ACKNOWLEDGED}},
      {v1::LETTER_STATE_IN_PROGRESS, {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS}},
      {v1::LETTER_STATE_RESOLVED,
       {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS, v1::LETTER_STATE_RESOLVED}},
      {v1::LETTER_STATE_CLOSED,
       {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS, v1::LETTER_STATE_RESOLVED,
        v1::LETTER_STATE_CLOSED}},
      {v1::LETTER_STATE_REFUSED, {v1::LETTER_STATE_REFUSED}},
  };
  auto allowed = [](S from, S to) {
    bool open = from == v1::LETTER_STATE_SUBMITTED || from == v1::LETTER_STATE_ACKNOWLEDGED ||
                from == v1::LETTER_STATE_IN_PROGRESS;
    return (from == v1::LETTER_STATE_SUBMITTED && to == v1::LETTER_STATE_ACKNOWLEDGED) ||
           (from == v1::LETTER_STATE_ACKNOWLEDGED && to == v1::LETTER_STATE_IN_PROGRESS) ||
           (from == v1::LETTER_STATE_IN_PROGRESS && to == v1::LETTER_STATE_RESOLVED) ||
           (from == v1::LETTER_STATE_RESOLVED && to == v1::LETTER_STATE_CLOSED) ||
           (open && to == v1::LETTER_STATE_REFUSED);
  };
  for (const auto& [from, path] : paths) {
    for (S to : all) {
      auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
      for (S step : path) ASSERT_TRUE(Transition(secretary_token_, letter.id(), step, "理由").ok());
      v1::Letter out;
      auto status = Transition(secretary_token_, letter.id(), to, "理由", &out);
      std::string label = v1::LetterState_Name(from) + " -> " + v1::LetterState_Name(to);
      if (allowed(from, to)) {
        EXPECT_TRUE(status.ok()) << label << ": " << status.error_message();
        EXPECT_EQ(out.state(), to) << label;
      } else {
        EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << label;
        EXPECT_EQ(ViolationField(status), "state") << label;
        Get(secretary_token_, letter.id(), &out);
        EXPECT_EQ(out.state(), from) << label << " (unchanged)";
      }
    }
  }
  // Bad targets and a refusal without a reason are INVALID_ARGUMENT.
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
  for (S bad : {v1::LETTER_STATE_UNSPECIFIED, v1::LETTER_STATE_SUBMITTED, static_cast<S>(77)}) {
    auto status = Transition(secretary_token_, letter.id(), bad);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
    EXPECT_EQ(ViolationField(status), "state");
  }
  auto status = Transition(secretary_token_, letter.id(), v1::LETTER_STATE_REFUSED, "  ");
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "reason");
  status = Transition(secretary_token_, letter.id() + 7777, v1::LETTER_STATE_ACKNOWLEDGED);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "id");

  // The refusal carries its reason, and the thread records every change.
  v1::Letter refused;
  ASSERT_TRUE(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_REFUSED,
                         "不属于本支部职责", &refused)
                  .ok());
  EXPECT_EQ(refused.refusal_reason(), "不属于本支部职责");
  auto events = Events(driver_token_, letter.id());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(1).kind(), v1::LETTER_EVENT_KIND_STATE_CHANGED);
  EXPECT_EQ(events.events(1).to_state(), v1::LETTER_STATE_REFUSED);
  EXPECT_EQ(events.events(1).text(), "不属于本支部职责");
}

TEST_F(FeedbackLettersTest, EscalationMovesTheLetterUpAndKeepsItsHistory) {
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
  ASSERT_TRUE(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Reply(secretary_token_, letter.id(), "我们先了解情况").ok());
  v1::Letter escalated;
  ASSERT_TRUE(Escalate(secretary_token_, letter.id(), &escalated).ok());
  EXPECT_EQ(escalated.organization_id(), committee_);
  EXPECT_EQ(escalated.original_organization_id(), branch_);
  EXPECT_EQ(escalated.state(), v1::LETTER_STATE_SUBMITTED);
  ASSERT_EQ(escalated.escalated_from_organization_ids_size(), 1);
  EXPECT_EQ(escalated.escalated_from_organization_ids(0), branch_);
  EXPECT_TRUE(escalated.has_acknowledge_time());  // the branch's acknowledgement stays

  // Out of the branch inbox, into the committee's.
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 0);
  auto committee_token = server_.SignIn("committee-secretary");
  auto inbox = Inbox(committee_token, committee_, v1::LETTER_STATE_SUBMITTED);
  ASSERT_EQ(inbox.letters_size(), 1);
  EXPECT_EQ(inbox.letters(0).id(), letter.id());
  // The branch secretary no longer handles it; the committee does, with the whole history.
  EXPECT_EQ(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_IN_PROGRESS).error_code(),
            grpc::PERMISSION_DENIED);
  auto events = Events(committee_token, letter.id());
  ASSERT_EQ(events.events_size(), 4);
  EXPECT_EQ(events.events(0).kind(), v1::LETTER_EVENT_KIND_SUBMITTED);
  EXPECT_EQ(events.events(1).kind(), v1::LETTER_EVENT_KIND_STATE_CHANGED);
  EXPECT_EQ(events.events(2).kind(), v1::LETTER_EVENT_KIND_REPLY);
  EXPECT_EQ(events.events(3).kind(), v1::LETTER_EVENT_KIND_ESCALATED);
  EXPECT_EQ(events.events(3).from_organization_id(), branch_);
  EXPECT_EQ(events.events(3).organization_id(), committee_);
  EXPECT_EQ(events.events(3).from_state(), v1::LETTER_STATE_ACKNOWLEDGED);
  ASSERT_TRUE(Transition(committee_token, letter.id(), v1::LETTER_STATE_ACKNOWLEDGED).ok());
  // The author follows along.
  v1::Letter seen;
  ASSERT_TRUE(Get(driver_token_, letter.id(), &seen).ok());
  EXPECT_EQ(seen.organization_id(), committee_);

  // Up to the tenant root, then no further; closed letters do not move.
  ASSERT_TRUE(Escalate(committee_token, letter.id()).ok());
  auto status = Escalate(admin_, letter.id());
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "id");
  auto other = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
  ASSERT_TRUE(Transition(secretary_token_, other.id(), v1::LETTER_STATE_REFUSED, "重复").ok());
  EXPECT_EQ(Escalate(secretary_token_, other.id()).error_code(), grpc::FAILED_PRECONDITION);
}

TEST_F(FeedbackLettersTest, InternalNotesAndAssignmentsAreHiddenFromTheAuthor) {
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_CRITICISM, false).letter();
  v1::AddInternalNoteRequest note;
  note.set_request_id(TestServer::RequestId());
  note.set_id(letter.id());
  note.set_text("涉及车队长，需谨慎处理");
  v1::LetterEvent event;
  ASSERT_TRUE(
      feedback_->AddInternalNote(TestServer::Ctx(secretary_token_).get(), note, &event).ok());
  EXPECT_EQ(event.kind(), v1::LETTER_EVENT_KIND_INTERNAL_NOTE);
  v1::AssignLetterRequest assign;
  assign.set_request_id(TestServer::RequestId());
  assign.set_id(letter.id());
  assign.set_assignee_person_id(committee_member_);
  v1::Letter assigned;
  ASSERT_TRUE(
      feedback_->AssignLetter(TestServer::Ctx(secretary_token_).get(), assign, &assigned).ok());
  EXPECT_EQ(assigned.assignee_person_id(), committee_member_);
  // Only handlers may be assigned.
  assign.set_request_id(TestServer::RequestId());
  assign.set_assignee_person_id(colleague_);
  auto status = feedback_->AssignLetter(TestServer::Ctx(secretary_token_).get(), assign, &assigned);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "assignee_person_id");
  // The author may not write notes.
  note.set_request_id(TestServer::RequestId());
  EXPECT_EQ(
      feedback_->AddInternalNote(TestServer::Ctx(driver_token_).get(), note, &event).error_code(),
      grpc::PERMISSION_DENIED);

  ASSERT_TRUE(Reply(secretary_token_, letter.id(), "感谢反映").ok());
  auto handler_view = Events(secretary_token_, letter.id());
  EXPECT_EQ(handler_view.events_size(), 4);
  auto author_view = Events(driver_token_, letter.id());
  ASSERT_EQ(author_view.events_size(), 2);
  for (const auto& e : author_view.events()) {
    EXPECT_NE(e.kind(), v1::LETTER_EVENT_KIND_INTERNAL_NOTE);
    EXPECT_NE(e.kind(), v1::LETTER_EVENT_KIND_ASSIGNED);
  }
  v1::Letter seen;
  ASSERT_TRUE(Get(driver_token_, letter.id(), &seen).ok());
  EXPECT_EQ(seen.assignee_person_id(), 0u);
}

TEST_F(FeedbackLettersTest, WaitingForTheAuthorPausesUntilTheAuthorWritesBack) {
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
  ASSERT_TRUE(Reply(secretary_token_, letter.id(), "请补充具体日期", /*wait=*/true).ok());
  v1::Letter seen;
  ASSERT_TRUE(Get(secretary_token_, letter.id(), &seen).ok());
  EXPECT_TRUE(seen.waiting_for_author());
  // The author may not "wait for the author".
  v1::ReplyToLetterRequest r;
  r.set_request_id(TestServer::RequestId());
  r.set_id(letter.id());
  r.set_text("x");
  r.set_wait_for_author(true);
  v1::LetterEvent event;
  auto status = feedback_->ReplyToLetter(TestServer::Ctx(driver_token_).get(), r, &event);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "wait_for_author");
  ASSERT_TRUE(Reply(driver_token_, letter.id(), "是3月2日和3日").ok());
  ASSERT_TRUE(Get(secretary_token_, letter.id(), &seen).ok());
  EXPECT_FALSE(seen.waiting_for_author());
  // Deadlines moved by the paused time (not earlier than before).
  EXPECT_GE(ToMicros(seen.resolve_due_time()), ToMicros(letter.resolve_due_time()));
  auto events = Events(driver_token_, letter.id());
  ASSERT_EQ(events.events_size(), 3);
  EXPECT_EQ(events.events(1).kind(), v1::LETTER_EVENT_KIND_REPLY);
  EXPECT_TRUE(events.events(1).waiting_for_author());
  EXPECT_EQ(events.events(2).kind(), v1::LETTER_EVENT_KIND_AUTHOR_REPLY);
  EXPECT_EQ(events.events(2).person_id(), driver_);
  // Someone else may not reply.
  EXPECT_EQ(Reply(server_.SignIn("colleague"), letter.id(), "插一句").error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(FeedbackLettersTest, AnonymousAuthorUsesTheReceiptCodeAlone) {
  auto submitted = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, /*anonymous=*/true);
  const auto& letter = submitted.letter();
  const std::string code = submitted.receipt_code();
  ASSERT_FALSE(code.empty());
  EXPECT_GE(code.size(), 22u);
  EXPECT_TRUE(letter.anonymous());
  EXPECT_EQ(letter.author_person_id(), 0u);
  // Not in "my letters", and the token alone does not open it.
  v1::ListMyLettersRequest mine;
  v1::ListLettersResponse listed;
  ASSERT_TRUE(feedback_->ListMyLetters(TestServer::Ctx(driver_token_).get(), mine, &listed).ok());
  EXPECT_EQ(listed.letters_size(), 0);
  EXPECT_EQ(Get(driver_token_, letter.id()).error_code(), grpc::PERMISSION_DENIED);

  ASSERT_TRUE(Reply(secretary_token_, letter.id(), "请问是哪一天的班次？", true).ok());
  ASSERT_TRUE(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_ACKNOWLEDGED).ok());
  v1::AddInternalNoteRequest note;
  note.set_request_id(TestServer::RequestId());
  note.set_id(letter.id());
  note.set_text("内部备注");
  v1::LetterEvent event;
  ASSERT_TRUE(
      feedback_->AddInternalNote(TestServer::Ctx(secretary_token_).get(), note, &event).ok());

  // No token at all: the code is the credential.
  v1::GetLetterByReceiptRequest get;
  get.set_receipt_code(code);
  v1::GetLetterByReceiptResponse got;
  ASSERT_TRUE(feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).ok());
  EXPECT_EQ(got.letter().id(), letter.id());
  EXPECT_EQ(got.letter().state(), v1::LETTER_STATE_ACKNOWLEDGED);
  ASSERT_EQ(got.events_size(), 3);  // submitted, reply, acknowledged; not the note
  EXPECT_EQ(got.events(1).text(), "请问是哪一天的班次？");

  v1::ReplyByReceiptRequest back;
  back.set_request_id("anon-reply-000001");
  back.set_receipt_code(code);
  back.set_text("3月2日夜班");
  v1::LetterEvent written, again;
  ASSERT_TRUE(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &written).ok());
  EXPECT_EQ(written.kind(), v1::LETTER_EVENT_KIND_AUTHOR_REPLY);
  EXPECT_EQ(written.person_id(), 0u);
  EXPECT_EQ(written.create_time().nanos(), 0);
  ASSERT_TRUE(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &again).ok());
  EXPECT_EQ(written.sequence(), again.sequence());  // the retry wrote nothing
  v1::Letter handled;
  ASSERT_TRUE(Get(secretary_token_, letter.id(), &handled).ok());
  EXPECT_FALSE(handled.waiting_for_author());

  // Wrong, malformed and missing codes.
  // Change a character in the middle (the last one also carries padding bits).
  std::string wrong = code;
  char& c = wrong[code.find('.') + 5];
  c = c == 'A' ? 'B' : 'A';
  get.set_receipt_code(wrong);
  auto status = feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "receipt_code");
  back.set_receipt_code(wrong);
  back.set_request_id("anon-reply-000002");
  EXPECT_EQ(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &written).error_code(),
            grpc::NOT_FOUND);
  // A retry with the right request id but a wrong code does not get the stored answer.
  back.set_request_id("anon-reply-000001");
  EXPECT_EQ(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &written).error_code(),
            grpc::NOT_FOUND);
  get.set_receipt_code("not-a-code");
  status = feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "receipt_code");

  // Resolve, then rate with the code; the letter closes.
  ASSERT_TRUE(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_IN_PROGRESS).ok());
  v1::RateLetterRequest rate;
  rate.set_request_id("anon-rate-0000001");
  rate.set_receipt_code(code);
  rate.set_rating(4);
  rate.set_comment("处理及时");
  v1::Letter rated;
  status = feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);  // not resolved yet
  ASSERT_TRUE(Transition(secretary_token_, letter.id(), v1::LETTER_STATE_RESOLVED).ok());
  rate.set_rating(6);
  status = feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "rating");
  rate.set_rating(4);
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).ok());
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);
  EXPECT_EQ(rated.rating(), 4);
  v1::Letter retried;
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &retried).ok());
  EXPECT_EQ(rated.SerializeAsString(), retried.SerializeAsString());
  rate.set_request_id("anon-rate-0000002");
  EXPECT_EQ(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).error_code(),
            grpc::FAILED_PRECONDITION);  // already closed
}

TEST_F(FeedbackLettersTest, NamedAuthorRatesAndOnlyTheAuthor) {
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_INNOVATION, false).letter();
  Resolve(letter.id());
  v1::RateLetterRequest rate;
  rate.set_request_id(TestServer::RequestId());
  rate.set_id(letter.id());
  rate.set_rating(5);
  v1::Letter rated;
  EXPECT_EQ(
      feedback_->RateLetter(TestServer::Ctx(secretary_token_).get(), rate, &rated).error_code(),
      grpc::PERMISSION_DENIED);
  EXPECT_EQ(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).error_code(),
            grpc::UNAUTHENTICATED);
  rate.set_request_id(TestServer::RequestId());
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx(driver_token_).get(), rate, &rated).ok());
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);
  EXPECT_EQ(rated.rating(), 5);
  auto events = Events(driver_token_, letter.id());
  EXPECT_EQ(events.events(events.events_size() - 1).kind(), v1::LETTER_EVENT_KIND_RATED);
  // Closed letters take no more replies.
  EXPECT_EQ(Reply(secretary_token_, letter.id(), "补充").error_code(), grpc::FAILED_PRECONDITION);
}

TEST_F(FeedbackLettersTest, AReportAboutAHandlerGoesUpAndIsNeverShownToThem) {
  // A misconduct report about the branch secretary, addressed to the branch.
  auto letter =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, secretary_, branch_).letter();
  EXPECT_EQ(letter.organization_id(), committee_);
  EXPECT_EQ(letter.about_person_id(), secretary_);
  EXPECT_EQ(Get(secretary_token_, letter.id()).error_code(), grpc::PERMISSION_DENIED);
  grpc::Status status;
  Events(secretary_token_, letter.id(), &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);

  // A report about a committee member of the branch (who does not handle the committee).
  auto about_member =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, committee_member_).letter();
  EXPECT_EQ(about_member.organization_id(), committee_);
  // The committee secretary handles both; when reported themselves, the letter goes higher
  // and they are excluded even though they manage the organisation above too... not here:
  // they manage the committee only, so it goes to the tenant root.
  auto about_committee =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, committee_secretary_, committee_)
          .letter();
  EXPECT_EQ(about_committee.organization_id(), root_);
  auto committee_token = server_.SignIn("committee-secretary");
  EXPECT_TRUE(Get(committee_token, about_member.id()).ok());
  EXPECT_EQ(Get(committee_token, about_committee.id()).error_code(), grpc::PERMISSION_DENIED);

  // A report about a plain colleague stays in the branch, and the colleague cannot read it.
  auto about_colleague =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, colleague_).letter();
  EXPECT_EQ(about_colleague.organization_id(), branch_);
  EXPECT_EQ(Get(server_.SignIn("colleague"), about_colleague.id()).error_code(),
            grpc::PERMISSION_DENIED);

  // An admin scope on the root covers everything: the letter stays at the top and is still
  // hidden from them, also in inbox lists.
  v1::CreatePersonRequest above;
  above.set_request_id(TestServer::RequestId());
  above.mutable_person()->set_organization_id(root_);
  above.mutable_person()->set_display_name("组织部");
  above.mutable_person()->set_employee_number("admin-above");
  above.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
  above.mutable_person()->add_admin_organization_ids(root_);
  above.set_initial_password(testing::kPassword);
  v1::Person admin_above;
  ASSERT_TRUE(
      server_.people().CreatePerson(TestServer::Ctx(admin_).get(), above, &admin_above).ok());
  auto about_admin =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, admin_above.id()).letter();
  EXPECT_EQ(about_admin.organization_id(), root_);
  auto admin_above_token = server_.SignIn("admin-above");
  EXPECT_EQ(Get(admin_above_token, about_admin.id()).error_code(), grpc::PERMISSION_DENIED);
  auto top_inbox = Inbox(admin_above_token, root_);
  for (const auto& l : top_inbox.letters()) EXPECT_NE(l.id(), about_admin.id());
  EXPECT_TRUE(Get(admin_, about_admin.id()).ok());
  // Nor may they be assigned to it.
  v1::AssignLetterRequest assign;
  assign.set_request_id(TestServer::RequestId());
  assign.set_id(about_admin.id());
  assign.set_assignee_person_id(admin_above.id());
  v1::Letter out;
  EXPECT_EQ(feedback_->AssignLetter(TestServer::Ctx(admin_).get(), assign, &out).error_code(),
            grpc::FAILED_PRECONDITION);
}

TEST_F(FeedbackLettersTest, HandlersSeeTheAuthorsNameAndNobodyElseDoes) {
  auto named = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false).letter();
  auto anonymous = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, true).letter();
  auto report = Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, colleague_).letter();
  EXPECT_TRUE(named.author_display_name().empty());  // the author's own answer
  std::map<uint64_t, v1::Letter> inbox;
  const auto listed = Inbox(secretary_token_, branch_);
  for (const auto& l : listed.letters()) inbox[l.id()] = l;
  ASSERT_EQ(inbox.size(), 3u);
  EXPECT_EQ(inbox[named.id()].author_display_name(), "王师傅");
  EXPECT_TRUE(inbox[anonymous.id()].author_display_name().empty());
  EXPECT_EQ(inbox[anonymous.id()].author_person_id(), 0u);
  EXPECT_EQ(inbox[report.id()].about_display_name(), "李师傅");
  v1::Letter got;
  ASSERT_TRUE(Get(secretary_token_, named.id(), &got).ok());
  EXPECT_EQ(got.author_display_name(), "王师傅");
  // The author sees no handler-side names; a service account sees neither the author's id
  // nor the name.
  ASSERT_TRUE(Get(driver_token_, named.id(), &got).ok());
  EXPECT_TRUE(got.author_display_name().empty());
  const std::string integration = server_.ServiceToken(root_, v1::SCOPE_FEEDBACK_READ);
  const auto for_service = Inbox(integration, branch_);
  ASSERT_EQ(for_service.letters_size(), 3);
  for (const auto& l : for_service.letters()) {
    EXPECT_EQ(l.author_person_id(), 0u);
    EXPECT_TRUE(l.author_display_name().empty());
    EXPECT_TRUE(l.about_display_name().empty());
  }
}

TEST_F(FeedbackLettersTest, InboxFiltersAndPages) {
  std::set<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.insert(Submit(driver_token_,
                      i % 2 ? v1::LETTER_CATEGORY_SUGGESTION : v1::LETTER_CATEGORY_DIFFICULTY,
                      i == 4)
                   .letter()
                   .id());
  }
  auto first = *ids.begin();
  ASSERT_TRUE(Transition(secretary_token_, first, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  EXPECT_EQ(Inbox(secretary_token_, branch_, v1::LETTER_STATE_SUBMITTED).letters_size(), 4);
  EXPECT_EQ(Inbox(secretary_token_, branch_, v1::LETTER_STATE_ACKNOWLEDGED).letters_size(), 1);
  v1::ListInboxRequest r;
  r.set_organization_id(branch_);
  r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
  v1::ListLettersResponse out;
  ASSERT_TRUE(feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), r, &out).ok());
  EXPECT_EQ(out.letters_size(), 2);
  r.clear_category();
  r.set_overdue_only(true);
  ASSERT_TRUE(feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), r, &out).ok());
  EXPECT_EQ(out.letters_size(), 0);  // nothing is late yet
  r.set_overdue_only(false);
  r.set_page_size(2);
  std::set<uint64_t> seen;
  do {
    ASSERT_TRUE(feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), r, &out).ok());
    EXPECT_LE(out.letters_size(), 2);
    for (const auto& l : out.letters()) EXPECT_TRUE(seen.insert(l.id()).second);
    r.set_page_token(out.next_page_token());
  } while (!out.next_page_token().empty());
  EXPECT_EQ(seen, ids);
  r.set_page_token("garbage");
  auto status = feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), r, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "page_token");
}

TEST_F(FeedbackLettersTest, SettingsAreInheritedAndValidated) {
  v1::GetFeedbackSettingsRequest get;
  get.set_organization_id(branch_);
  v1::FeedbackSettings settings;
  ASSERT_TRUE(
      feedback_->GetFeedbackSettings(TestServer::Ctx(driver_token_).get(), get, &settings).ok());
  EXPECT_EQ(settings.acknowledge_within_days(), 2);
  EXPECT_EQ(settings.resolve_within_days(), 15);
  EXPECT_EQ(settings.auto_close_after_days(), 7);
  EXPECT_TRUE(settings.inherited());

  v1::UpdateFeedbackSettingsRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_settings()->set_organization_id(committee_);
  update.mutable_settings()->set_acknowledge_within_days(1);
  update.mutable_settings()->set_resolve_within_days(10);
  update.mutable_settings()->set_inherited(false);  // server-owned, ignored
  update.mutable_update_mask()->add_paths("acknowledge_within_days");
  update.mutable_update_mask()->add_paths("resolve_within_days");
  EXPECT_EQ(
      feedback_->UpdateFeedbackSettings(TestServer::Ctx(secretary_token_).get(), update, &settings)
          .error_code(),
      grpc::PERMISSION_DENIED);
  auto committee_token = server_.SignIn("committee-secretary");
  ASSERT_TRUE(
      feedback_->UpdateFeedbackSettings(TestServer::Ctx(committee_token).get(), update, &settings)
          .ok());
  EXPECT_EQ(settings.resolve_within_days(), 10);
  ASSERT_TRUE(
      feedback_->GetFeedbackSettings(TestServer::Ctx(driver_token_).get(), get, &settings).ok());
  EXPECT_EQ(settings.acknowledge_within_days(), 1);
  EXPECT_EQ(settings.auto_close_after_days(), 7);
  EXPECT_TRUE(settings.inherited());
  auto letter = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter();
  EXPECT_EQ(letter.resolve_due_time().seconds() - letter.submit_time().seconds(), 10 * 86400);

  struct Case {
    std::string path;
    int value;
    std::string field;
  } cases[] = {{"acknowledge_within_days", 0, "settings.acknowledge_within_days"},
               {"resolve_within_days", 366, "settings.resolve_within_days"},
               {"auto_close_after_days", -1, "settings.auto_close_after_days"},
               {"inherited", 1, "update_mask"},
               {"", 1, "update_mask"}};
  for (const auto& c : cases) {
    v1::UpdateFeedbackSettingsRequest bad;
    bad.set_request_id(TestServer::RequestId());
    bad.mutable_settings()->set_organization_id(branch_);
    bad.mutable_settings()->set_acknowledge_within_days(c.value);
    bad.mutable_settings()->set_resolve_within_days(c.value);
    bad.mutable_settings()->set_auto_close_after_days(c.value);
    if (!c.path.empty()) bad.mutable_update_mask()->add_paths(c.path);
    auto status =
        feedback_->UpdateFeedbackSettings(TestServer::Ctx(secretary_token_).get(), bad, &settings);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.path;
    EXPECT_EQ(ViolationField(status), c.field) << c.path;
  }
}

TEST_F(FeedbackLettersTest, ConcurrentCallsStayConsistent) {
  // Eight phones retry one anonymous submission at once: one letter, one code.
  v1::SubmitLetterRequest r;
  r.set_request_id(LongRequestId());
  r.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
  r.set_subject("并发");
  r.set_body("同一请求");
  r.set_anonymous(true);
  std::vector<std::thread> threads;
  std::vector<v1::SubmitLetterResponse> answers(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_TRUE(
          feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), r, &answers[i]).ok());
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  for (const auto& a : answers) {
    EXPECT_EQ(a.letter().id(), answers[0].letter().id());
    EXPECT_EQ(a.receipt_code(), answers[0].receipt_code());
  }
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 1);

  // Many replies to one letter at once: every event gets its own sequence.
  const uint64_t id = answers[0].letter().id();
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 5; ++j) {
        EXPECT_TRUE(
            Reply(secretary_token_, id, "回复 " + std::to_string(i) + "-" + std::to_string(j))
                .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  auto events = Events(secretary_token_, id);
  ASSERT_EQ(events.events_size(), 41);
  for (int i = 0; i < events.events_size(); ++i) EXPECT_EQ(events.events(i).sequence(), i + 1u);

  // A rough throughput figure: 16 phones submitting 25 letters each.
  constexpr int kPhones = 16, kEach = 25;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kPhones; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        grpc::Status status;
        Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, (i + j) % 2 == 0, 0, 0, &status);
        EXPECT_TRUE(status.ok()) << status.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ figures  ] " << kPhones * kEach << " submissions in " << seconds << " s ("
            << kPhones * kEach / seconds << "/s, synced commits)\n";
  v1::ListInboxRequest all;
  all.set_organization_id(branch_);
  all.set_page_size(1000);
  v1::ListLettersResponse listed;
  ASSERT_TRUE(feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), all, &listed).ok());
  EXPECT_EQ(listed.letters_size(), 1 + kPhones * kEach);
}

}  // namespace
}  // namespace branchline
