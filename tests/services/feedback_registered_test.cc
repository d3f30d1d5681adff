// Letters registered on a writer's behalf (RegisterLetter) and the outcomes of suggestions and
// innovation proposals (RecordLetterOutcome), through the real server.
#include <gtest/gtest.h>

#include <ctime>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/services/feedback_fixture.h"
#include "tests/support/error_details.h"

namespace branchline {
namespace {

using testing::TestServer;

// The google.rpc.ErrorInfo reason of a status ("" when none).
std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return "";
  for (const auto& any : rpc.details()) {
    if (any.type_url() == "type.googleapis.com/google.rpc.ErrorInfo") {
      google::rpc::ErrorInfo info;
      info.ParseFromString(any.value());
      EXPECT_EQ(info.domain(), "branchline.v1");
      // With its Chinese message (docs/errors.md).
      EXPECT_EQ(testing::DetailsOf(status).locale, "zh-CN") << info.reason();
      EXPECT_FALSE(testing::DetailsOf(status).message.empty()) << info.reason();
      return info.reason();
    }
  }
  return "";
}

int64_t CountOf(const v1::FeedbackFigures& f, v1::LetterChannel channel) {
  for (const auto& c : f.by_channel()) {
    if (c.channel() == channel) return c.count();
  }
  return 0;
}

int64_t CountOf(const v1::FeedbackFigures& f, v1::LetterOutcome outcome) {
  for (const auto& c : f.by_outcome()) {
    if (c.outcome() == outcome) return c.count();
  }
  return 0;
}

class FeedbackRegisteredTest : public testing::FeedbackTest {
 protected:
  v1::FeedbackFigures Figures(uint64_t org) {
    v1::GetFeedbackFiguresRequest r;
    r.set_organization_id(org);
    r.mutable_start_time()->set_seconds(time(nullptr) - 3 * 86400);
    r.mutable_end_time()->set_seconds(time(nullptr) + 86400);
    v1::FeedbackFigures out;
    auto s = feedback_->GetFeedbackFigures(TestServer::Ctx(admin_).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status RateAs(const std::string& token, uint64_t id, int rating,
                      v1::Letter* out = nullptr) {
    v1::RateLetterRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_rating(rating);
    r.set_comment("满意");
    v1::Letter letter;
    auto s = feedback_->RateLetter(TestServer::Ctx(token).get(), r, &letter);
    if (out) *out = letter;
    return s;
  }
};

// The path: a paper letter from the letter box, registered under the driver's name,
// handled, and rated by the driver (who has the app) through her own account.
TEST_F(FeedbackRegisteredTest, APaperLetterThroughToItsRating) {
  v1::RegisterLetterRequest r;
  r.set_author_person_id(driver_);
  v1::SubmitLetterResponse registered;
  ASSERT_TRUE(Register(secretary_token_, r, &registered).ok());
  const auto& l = registered.letter();
  EXPECT_EQ(l.channel(), v1::LETTER_CHANNEL_PAPER);
  EXPECT_EQ(l.author_person_id(), driver_);
  EXPECT_EQ(l.author_display_name(), "王师傅");
  EXPECT_FALSE(l.anonymous());
  EXPECT_TRUE(registered.receipt_code().empty());
  EXPECT_EQ(l.state(), v1::LETTER_STATE_SUBMITTED);
  // Received today: submitted at the start of the local day (UTC+8), deadlines from there.
  EXPECT_EQ((l.submit_time().seconds() + 8 * 3600) % 86400, 0);
  EXPECT_EQ(l.acknowledge_due_time().seconds() - l.submit_time().seconds(), 2 * 86400);
  EXPECT_EQ(l.resolve_due_time().seconds() - l.submit_time().seconds(), 15 * 86400);

  // The writer's letter: in her list, with the handler's act in the thread.
  v1::ListLettersResponse mine;
  ASSERT_TRUE(feedback_->ListMyLetters(TestServer::Ctx(driver_token_).get(), {}, &mine).ok());
  ASSERT_EQ(mine.letters_size(), 1);
  EXPECT_EQ(mine.letters(0).id(), l.id());
  auto events = Events(secretary_token_, l.id());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).kind(), v1::LETTER_EVENT_KIND_REGISTERED);
  EXPECT_EQ(events.events(0).person_id(), secretary_);
  auto inbox = Inbox(secretary_token_, branch_);
  ASSERT_EQ(inbox.letters_size(), 1);
  EXPECT_EQ(inbox.letters(0).channel(), v1::LETTER_CHANNEL_PAPER);

  Resolve(l.id());
  v1::Letter rated;
  ASSERT_TRUE(RateAs(driver_token_, l.id(), 5, &rated).ok());
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);
  EXPECT_EQ(rated.rating(), 5);

  auto figures = Figures(branch_);
  EXPECT_EQ(figures.letter_count(), 1);
  EXPECT_EQ(CountOf(figures, v1::LETTER_CHANNEL_PAPER), 1);
  EXPECT_EQ(figures.resolved_count(), 1);
  EXPECT_EQ(figures.rated_count(), 1);
  EXPECT_DOUBLE_EQ(figures.average_rating(), 5.0);
}

// A caller without the app: named in free text; the handler records the rating they gave on
// the phone. Nobody's "my letters" holds it.
TEST_F(FeedbackRegisteredTest, AWriterNamedInTextIsRatedByTheHandler) {
  v1::RegisterLetterRequest r;
  r.set_author_name("  退休职工老周 ");
  r.set_channel(v1::LETTER_CHANNEL_PHONE);
  r.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
  v1::SubmitLetterResponse registered;
  ASSERT_TRUE(Register(secretary_token_, r, &registered).ok());
  const uint64_t id = registered.letter().id();
  EXPECT_EQ(registered.letter().author_name(), "退休职工老周");
  EXPECT_EQ(registered.letter().author_person_id(), 0u);
  EXPECT_EQ(registered.letter().channel(), v1::LETTER_CHANNEL_PHONE);
  v1::ListLettersResponse mine;
  ASSERT_TRUE(feedback_->ListMyLetters(TestServer::Ctx(secretary_token_).get(), {}, &mine).ok());
  EXPECT_EQ(mine.letters_size(), 0);
  // A service account reads the letter without the writer's name.
  v1::Letter as_service;
  ASSERT_TRUE(Get(server_.ServiceToken(branch_, v1::SCOPE_FEEDBACK_READ), id, &as_service).ok());
  EXPECT_TRUE(as_service.author_name().empty());

  // Not resolved yet: the rating waits.
  EXPECT_EQ(RateAs(secretary_token_, id, 4).error_code(), grpc::FAILED_PRECONDITION);
  Resolve(id);
  // Someone else than a handler may not rate it for the writer.
  EXPECT_EQ(RateAs(driver_token_, id, 4).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(RateAs(server_.SignIn("sibling-secretary"), id, 4).error_code(),
            grpc::PERMISSION_DENIED);
  v1::Letter rated;
  ASSERT_TRUE(RateAs(secretary_token_, id, 4, &rated).ok());
  EXPECT_EQ(rated.rating(), 4);
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);
  auto events = Events(secretary_token_, id);
  EXPECT_EQ(events.events(events.events_size() - 1).kind(), v1::LETTER_EVENT_KIND_RATED);
  EXPECT_EQ(events.events(events.events_size() - 1).person_id(), secretary_);
  EXPECT_EQ(Figures(branch_).rated_count(), 1);
}

// An anonymous letter handed in at the office: the handler prints the receipt code; the
// writer follows it with the code alone; a retry shows the same code.
TEST_F(FeedbackRegisteredTest, AnAnonymousRegisteredLetterHasAReceipt) {
  v1::RegisterLetterRequest r;
  r.set_request_id("9d2f6a0e-1c3b-4e5d-8f7a-6b5c4d3e2f10");
  r.set_anonymous(true);
  r.set_channel(v1::LETTER_CHANNEL_IN_PERSON);
  v1::SubmitLetterResponse first, retried;
  auto status = Register(secretary_token_, r, &first);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  ASSERT_TRUE(Register(secretary_token_, r, &retried).ok());
  ASSERT_FALSE(first.receipt_code().empty());
  EXPECT_EQ(first.receipt_code(), retried.receipt_code());
  EXPECT_EQ(first.letter().id(), retried.letter().id());
  EXPECT_TRUE(first.letter().anonymous());
  EXPECT_EQ(first.letter().author_person_id(), 0u);
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 1);
  // The same request id submitted in the app is another letter with another code.
  v1::SubmitLetterRequest app;
  app.set_request_id(r.request_id());
  app.set_category(v1::LETTER_CATEGORY_SUGGESTION);
  app.set_subject("同一个请求号");
  app.set_body("应用里提交");
  app.set_anonymous(true);
  v1::SubmitLetterResponse submitted;
  ASSERT_TRUE(feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), app, &submitted).ok());
  EXPECT_NE(submitted.letter().id(), first.letter().id());
  EXPECT_NE(submitted.receipt_code().substr(submitted.receipt_code().find('.')),
            first.receipt_code().substr(first.receipt_code().find('.')));

  const uint64_t id = first.letter().id();
  auto events = Events(secretary_token_, id);
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).kind(), v1::LETTER_EVENT_KIND_REGISTERED);
  EXPECT_EQ(events.events(0).person_id(), 0u);
  EXPECT_EQ((events.events(0).create_time().seconds() + 8 * 3600) % 86400, 0);

  v1::GetLetterByReceiptRequest get;
  get.set_receipt_code(first.receipt_code());
  v1::GetLetterByReceiptResponse got;
  ASSERT_TRUE(feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).ok());
  EXPECT_EQ(got.letter().id(), id);
  EXPECT_EQ(got.letter().channel(), v1::LETTER_CHANNEL_IN_PERSON);
  Resolve(id);
  // The handler cannot rate an anonymous letter for anyone: only the code can.
  EXPECT_EQ(RateAs(secretary_token_, id, 3).error_code(), grpc::PERMISSION_DENIED);
  v1::RateLetterRequest rate;
  rate.set_request_id(TestServer::RequestId());
  rate.set_receipt_code(first.receipt_code());
  rate.set_rating(3);
  v1::Letter rated;
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).ok());
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);
  auto figures = Figures(branch_);
  EXPECT_EQ(CountOf(figures, v1::LETTER_CHANNEL_IN_PERSON), 1);
  EXPECT_EQ(CountOf(figures, v1::LETTER_CHANNEL_APP), 1);
  EXPECT_EQ(figures.letter_count(), 2);
}

TEST_F(FeedbackRegisteredTest, RefusalsOfRegistration) {
  auto expect = [&](v1::RegisterLetterRequest r, const std::string& token, grpc::StatusCode code,
                    const std::string& field, const std::string& reason = "") {
    v1::SubmitLetterResponse out;
    auto s = Register(token, r, &out);
    EXPECT_EQ(s.error_code(), code) << field << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(field), std::string::npos) << s.error_message();
    EXPECT_EQ(ReasonOf(s), reason) << field;
  };
  v1::RegisterLetterRequest ok;
  ok.set_author_name("老周");
  auto r = ok;
  *r.mutable_received_date() = LocalDateToday(1);
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "received_date", "RECEIVED_DATE_IN_FUTURE");
  r = ok;
  *r.mutable_received_date() = LocalDateToday(-1);  // the branch was created today
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "received_date",
         "RECEIVED_DATE_BEFORE_ORGANIZATION");
  r = ok;
  r.mutable_received_date()->set_year(2026);
  r.mutable_received_date()->set_month(2);
  r.mutable_received_date()->set_day(30);
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "received_date");
  r = ok;
  r.set_channel(v1::LETTER_CHANNEL_APP);
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "channel");
  r = ok;
  r.clear_author_name();
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "writer", "WRITER_REQUIRED");
  r = ok;
  r.set_anonymous(false);
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "writer", "WRITER_REQUIRED");
  r = ok;
  r.set_author_name(std::string(51, 'x'));
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "author_name");
  r = ok;
  r.set_anonymous(true);
  r.set_request_id("short-id");
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "request_id");
  r = ok;
  r.set_author_person_id(sibling_secretary_);
  expect(r, secretary_token_, grpc::FAILED_PRECONDITION, "author_person_id",
         "WRITER_OUTSIDE_ORGANIZATION");
  r = ok;
  r.set_author_person_id(driver_ + 100000);
  expect(r, secretary_token_, grpc::NOT_FOUND, "author_person_id");
  r = ok;
  r.set_subject(std::string(101, 'x'));
  expect(r, secretary_token_, grpc::INVALID_ARGUMENT, "subject");
  // Who may register: handlers of the organisation only.
  expect(ok, driver_token_, grpc::PERMISSION_DENIED, "registering");
  expect(ok, server_.SignIn("sibling-secretary"), grpc::PERMISSION_DENIED, "registering");
  expect(ok, server_.ServiceToken(branch_, v1::SCOPE_FEEDBACK_READ), grpc::PERMISSION_DENIED,
         "service accounts");
  r = ok;
  r.set_organization_id(sibling_ + 100000);
  expect(r, secretary_token_, grpc::NOT_FOUND, "organization_id");
  // Nothing was stored.
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 0);
  // A handler above registers for the branch; a named retry is idempotent.
  r = ok;
  r.set_request_id(TestServer::RequestId());
  v1::SubmitLetterResponse a, b;
  auto committee = server_.SignIn("committee-secretary");
  ASSERT_TRUE(Register(committee, r, &a).ok());
  ASSERT_TRUE(Register(committee, r, &b).ok());
  EXPECT_EQ(a.letter().id(), b.letter().id());
  EXPECT_EQ(Inbox(secretary_token_, branch_).letters_size(), 1);
}

TEST_F(FeedbackRegisteredTest, OutcomesOfProposals) {
  const uint64_t id = Submit(driver_token_, v1::LETTER_CATEGORY_INNOVATION, false).letter().id();
  // Not yet considered.
  auto s = RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_ADOPTED);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "LETTER_NOT_CONSIDERED");
  ASSERT_TRUE(Transition(secretary_token_, id, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  // Only the handlers.
  EXPECT_EQ(RecordOutcome(driver_token_, id, v1::LETTER_OUTCOME_ADOPTED).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(RecordOutcome(server_.SignIn("sibling-secretary"), id, v1::LETTER_OUTCOME_ADOPTED)
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(RecordOutcome(secretary_token_, id + 1000000, v1::LETTER_OUTCOME_ADOPTED).error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_UNSPECIFIED).error_code(),
            grpc::INVALID_ARGUMENT);
  v1::Letter letter;
  ASSERT_TRUE(RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_ADOPTED, "", 0, &letter).ok());
  EXPECT_EQ(letter.outcome(), v1::LETTER_OUTCOME_ADOPTED);
  EXPECT_TRUE(letter.has_outcome_time());
  s = RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_ADOPTED);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "OUTCOME_NOT_ALLOWED");
  s = RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_IMPLEMENTED, "  ");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(s), "BENEFIT_REQUIRED");
  EXPECT_NE(s.error_message().find("benefit"), std::string::npos);
  EXPECT_EQ(
      RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_IMPLEMENTED, "省油", -1).error_code(),
      grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_IMPLEMENTED,
                            "改进后每车每月节油约30升", 1'250'000, &letter)
                  .ok());
  EXPECT_EQ(letter.benefit(), "改进后每车每月节油约30升");
  EXPECT_EQ(letter.benefit_amount_cents(), 1'250'000);
  s = RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_DECLINED, "不可行");
  EXPECT_EQ(ReasonOf(s), "OUTCOME_NOT_ALLOWED");
  ASSERT_TRUE(
      RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_REWARDED, "合理化建议奖", 0, &letter)
          .ok());
  EXPECT_EQ(letter.outcome(), v1::LETTER_OUTCOME_REWARDED);
  EXPECT_EQ(letter.reward(), "合理化建议奖");
  EXPECT_EQ(letter.benefit(), "改进后每车每月节油约30升");  // kept
  s = RecordOutcome(secretary_token_, id, v1::LETTER_OUTCOME_IMPLEMENTED, "再记一次");
  EXPECT_EQ(ReasonOf(s), "OUTCOME_NOT_ALLOWED");
  // The author sees the outcome and its entries in the thread.
  v1::Letter seen;
  ASSERT_TRUE(Get(driver_token_, id, &seen).ok());
  EXPECT_EQ(seen.outcome(), v1::LETTER_OUTCOME_REWARDED);
  int outcomes = 0;
  const auto thread1 = Events(driver_token_, id);
  for (const auto& e : thread1.events()) {
    outcomes += e.kind() == v1::LETTER_EVENT_KIND_OUTCOME;
  }
  EXPECT_EQ(outcomes, 3);

  // Declined needs a reason; a difficulty has no outcome; a refused letter neither.
  const uint64_t other = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false).letter().id();
  ASSERT_TRUE(Transition(secretary_token_, other, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  s = RecordOutcome(secretary_token_, other, v1::LETTER_OUTCOME_DECLINED, "");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(s), "DECLINE_REASON_REQUIRED");
  ASSERT_TRUE(RecordOutcome(secretary_token_, other, v1::LETTER_OUTCOME_DECLINED, "与安全规程冲突",
                            0, &letter)
                  .ok());
  EXPECT_EQ(letter.decline_reason(), "与安全规程冲突");
  EXPECT_EQ(ReasonOf(RecordOutcome(secretary_token_, other, v1::LETTER_OUTCOME_REWARDED)),
            "OUTCOME_NOT_ALLOWED");
  const uint64_t difficulty =
      Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  ASSERT_TRUE(Transition(secretary_token_, difficulty, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  s = RecordOutcome(secretary_token_, difficulty, v1::LETTER_OUTCOME_ADOPTED);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "LETTER_NOT_A_PROPOSAL");
  const uint64_t refused =
      Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false).letter().id();
  ASSERT_TRUE(Transition(secretary_token_, refused, v1::LETTER_STATE_REFUSED, "重复来信").ok());
  EXPECT_EQ(ReasonOf(RecordOutcome(secretary_token_, refused, v1::LETTER_OUTCOME_ADOPTED)),
            "LETTER_NOT_CONSIDERED");

  auto figures = Figures(branch_);
  EXPECT_EQ(CountOf(figures, v1::LETTER_OUTCOME_REWARDED), 1);
  EXPECT_EQ(CountOf(figures, v1::LETTER_OUTCOME_DECLINED), 1);
  EXPECT_EQ(CountOf(figures, v1::LETTER_OUTCOME_ADOPTED), 0);
  EXPECT_EQ(figures.by_outcome_size(), 2);
  EXPECT_EQ(figures.benefit_amount_cents(), 1'250'000);
}

}  // namespace
}  // namespace branchline
