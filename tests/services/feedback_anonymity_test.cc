// An anonymous letter's whole life through the real server, then the database and the log
// output are searched byte by byte for anything that links the letter to its author.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "branchline/internal/v1/feedback_records.pb.h"
#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "services/common/clock.h"
#include "spdlog/spdlog.h"
#include "storage/index_ids.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/feedback_fixture.h"
#include "tests/support/id_encodings.h"
#include "tests/support/metrics_scrape.h"

namespace branchline {
namespace {

using testing::Encodings;
using testing::Mentions;
using testing::TestServer;

class FeedbackAnonymityTest : public testing::FeedbackTest {};

TEST_F(FeedbackAnonymityTest, NoStoredByteOrLogLineLinksTheLetterToItsAuthor) {
  spdlog::set_level(spdlog::level::trace);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();

  // The whole life of an anonymous letter: submitted (and retried), answered, written back,
  // escalated, resolved, rated; and a named letter by the same driver beside it.
  v1::SubmitLetterRequest submit;
  submit.set_request_id("6f1c2d7e-0b4a-4c1e-9d55-3a8f0e2b7c91");
  submit.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
  submit.set_subject("家里老人生病，想调白班");
  submit.set_body("匿名反映");
  submit.set_anonymous(true);
  v1::SubmitLetterResponse submitted, retried;
  ASSERT_TRUE(
      feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), submit, &submitted).ok());
  ASSERT_TRUE(feedback_->SubmitLetter(TestServer::Ctx(driver_token_).get(), submit, &retried).ok());
  EXPECT_EQ(submitted.receipt_code(), retried.receipt_code());
  const uint64_t letter = submitted.letter().id();
  const std::string code = submitted.receipt_code();
  const uint64_t named = Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false).letter().id();

  ASSERT_TRUE(Reply(secretary_token_, letter, "请说明需要调整的日期", /*wait=*/true).ok());
  v1::ReplyByReceiptRequest back;
  back.set_request_id("2b0e7a51-93c4-4f0a-8e61-d2c5f7a9b304");
  back.set_receipt_code(code);
  back.set_text("下个月");
  v1::LetterEvent event;
  ASSERT_TRUE(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &event).ok());
  ASSERT_TRUE(Transition(secretary_token_, letter, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Escalate(secretary_token_, letter).ok());
  auto committee_token = server_.SignIn("committee-secretary");
  ASSERT_TRUE(Transition(committee_token, letter, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Transition(committee_token, letter, v1::LETTER_STATE_IN_PROGRESS).ok());
  ASSERT_TRUE(Transition(committee_token, letter, v1::LETTER_STATE_RESOLVED).ok());
  v1::RateLetterRequest rate;
  rate.set_request_id("c3d9e0f1-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
  rate.set_receipt_code(code);
  rate.set_rating(5);
  v1::Letter rated;
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).ok());
  EXPECT_EQ(rated.state(), v1::LETTER_STATE_CLOSED);

  server_.Stop();
  std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  spdlog::set_level(spdlog::level::warn);

  const auto author = Encodings(driver_);
  const auto letter_ids = Encodings(letter);
  // The log never holds the receipt, the author's name or the letter's words, and the
  // anonymous submission (and its retry) leave no access-log line at all: the only
  // SubmitLetter line is the named letter's, the only line naming the driver.
  EXPECT_FALSE(Mentions(log, {"王师傅", code, "家里老人生病", "匿名反映"})) << log;
  size_t submit_lines = 0, driver_lines = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    bool submit = line.find("FeedbackService/SubmitLetter") != std::string::npos;
    submit_lines += submit;
    if (Mentions(line, {std::to_string(driver_)})) {
      ++driver_lines;
      EXPECT_TRUE(submit) << "the author is named in: " << line;
    }
  }
  EXPECT_EQ(submit_lines, 1u) << log;
  EXPECT_EQ(driver_lines, 1u) << log;

  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  int letter_records = 0, events = 0, indexes = 0, idempotency = 0, changes = 0;

  // Letters and their threads.
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kLetters, "", "",
                         [&](std::string_view key, std::string_view value) {
                           internal::v1::LetterRecord record;
                           if (!record.ParseFromArray(value.data(), value.size()) ||
                               record.letter().id() != letter) {
                             return true;
                           }
                           ++letter_records;
                           EXPECT_FALSE(Mentions(key, author));
                           EXPECT_FALSE(Mentions(value, author));
                           EXPECT_FALSE(Mentions(value, {code}));
                           EXPECT_EQ(record.letter().author_person_id(), 0u);
                           // Submitted at local midnight (UTC+8): nothing finer than the day.
                           EXPECT_EQ((record.letter().submit_time().seconds() + 8 * 3600) % 86400,
                                     0);
                           EXPECT_EQ(record.letter().submit_time().nanos(), 0);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(letter_records, 1);
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kLetterEvents, storage::LetterEventPrefix(letter), "",
                         [&](std::string_view key, std::string_view value) {
                           ++events;
                           EXPECT_FALSE(Mentions(key, author));
                           EXPECT_FALSE(Mentions(value, author));
                           v1::LetterEvent e;
                           EXPECT_TRUE(e.ParseFromArray(value.data(), value.size()));
                           bool by_author = e.kind() == v1::LETTER_EVENT_KIND_SUBMITTED ||
                                            e.kind() == v1::LETTER_EVENT_KIND_AUTHOR_REPLY ||
                                            e.kind() == v1::LETTER_EVENT_KIND_RATED;
                           if (by_author) {
                             EXPECT_EQ(e.person_id(), 0u);
                             EXPECT_EQ((e.create_time().seconds() + 8 * 3600) % 86400, 0)
                                 << e.ShortDebugString();
                           }
                           return true;
                         })
                  .ok());
  EXPECT_EQ(events, 9);
  // Every feedback index entry of the letter; the author index has only the named letter.
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIndex, "", "",
                         [&](std::string_view key, std::string_view value) {
                           storage::KeyReader reader(key);
                           reader.U32();
                           auto index = reader.U16().value_or(0);
                           if (index < 300 || index > 399) return true;
                           if (index == static_cast<uint16_t>(storage::Index::kLetterByAuthor)) {
                             EXPECT_EQ(storage::TrailingId(key), named);
                           }
                           if (storage::TrailingId(key) != letter) return true;
                           ++indexes;
                           EXPECT_FALSE(Mentions(key, author));
                           EXPECT_FALSE(Mentions(value, author));
                           return true;
                         })
                  .ok());
  EXPECT_GE(indexes, 2);  // inbox and by-submission (closed: no due entry)
  // Idempotency: entries that hold the letter do not name the author, and no entry of the
  // author's holds the letter.
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIdempotency, "", "",
                         [&](std::string_view key, std::string_view value) {
                           storage::KeyReader reader(key);
                           reader.U32();
                           uint64_t caller = reader.U64().value_or(0);
                           bool holds_letter = Mentions(value, letter_ids);
                           if (holds_letter) {
                             ++idempotency;
                             EXPECT_NE(caller, driver_);
                             EXPECT_FALSE(Mentions(value, author));
                             EXPECT_FALSE(Mentions(key, author));
                             EXPECT_FALSE(Mentions(key, {submit.request_id()}));
                             EXPECT_FALSE(Mentions(value, {code}));
                           }
                           return true;
                         })
                  .ok());
  EXPECT_GE(idempotency, 3);  // submit, reply and rating by receipt (handlers' calls too)
  // Change log: nothing about the letter is addressed to the author.
  int addressed_to_author = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kChanges, "", "",
                         [&](std::string_view, std::string_view value) {
                           internal::v1::ChangeRecord change;
                           EXPECT_TRUE(change.ParseFromArray(value.data(), value.size()));
                           // The named letter's changes are addressed to its author, so
                           // sync can tell them.
                           if (change.record_id() == named && change.person_ids_size() == 1 &&
                               change.person_ids(0) == driver_) {
                             ++addressed_to_author;
                           }
                           if (change.record_id() != letter) return true;
                           ++changes;
                           EXPECT_EQ(change.person_ids_size(), 0);
                           EXPECT_NE(change.action(), "submitted");  // not even dated
                           return true;
                         })
                  .ok());
  EXPECT_GE(changes, 5);
  EXPECT_EQ(addressed_to_author, 1);
}

// The clock the inspection test's server publishes held-back changes by: at 0 nothing is due
// until the test moves it (the server is built before any member of the fixture).
FakeClock& PublicationClock() {
  static FakeClock clock(0);
  return clock;
}

constexpr int64_t kDayMicros = 86'400'000'000;

// Issue #19, finding 9: a driver's phone uploads her study records together with her anonymous
// letter, a reply and a rating by receipt code; she also reads and replies by receipt on their
// own. Then everything an administrator, an integration or an operator can read is inspected:
// the feed (before and after the publication of held-back changes), her own changes, the access
// log and the metrics. Nothing may name her or stand within a day of her named actions.
class FeedbackInspectionTest : public testing::FeedbackTest {
 protected:
  FeedbackInspectionTest()
      : FeedbackTest([](ServerOptions& options) {
          options.metrics_listen = "127.0.0.1:0";
          options.publication_clock = &PublicationClock();
        }) {
    PublicationClock().Set(0);
  }

  v1::OfflineAction Study() {
    v1::OfflineAction a;
    auto* r = a.mutable_study_record();
    r->set_request_id(TestServer::RequestId());
    r->set_material_id(material_);
    r->set_minutes(30);
    r->set_notes("收车后学习安全规程。");
    *r->mutable_device_time() = ToTimestamp(SystemClock().NowMicros());
    return a;
  }
  v1::UploadActionsResponse Upload(std::initializer_list<v1::OfflineAction> actions) {
    v1::UploadActionsRequest request;
    for (const auto& a : actions) *request.add_actions() = a;
    v1::UploadActionsResponse out;
    EXPECT_TRUE(sync_->UploadActions(TestServer::Ctx(driver_token_).get(), request, &out).ok());
    for (const auto& result : out.results()) {
      EXPECT_EQ(result.outcome(), v1::ACTION_OUTCOME_DONE) << result.ShortDebugString();
    }
    return out;
  }
  // Every change of the feed after `cursor`, as `token` reads it.
  std::vector<v1::Change> Feed(const std::string& token, const std::string& cursor) {
    std::vector<v1::Change> out;
    v1::ListFeedRequest r;
    r.set_organization_id(root_);
    r.set_cursor(cursor);
    for (;;) {
      v1::ListFeedResponse page;
      auto status = sync_->ListFeed(TestServer::Ctx(token).get(), r, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      out.insert(out.end(), page.changes().begin(), page.changes().end());
      r.set_cursor(page.next_cursor());
      if (!status.ok() || !page.has_more()) return out;
    }
  }
  std::string FeedCursor(const std::string& token) {
    v1::ListFeedRequest r;
    r.set_organization_id(root_);
    v1::ListFeedResponse page;
    EXPECT_TRUE(sync_->ListFeed(TestServer::Ctx(token).get(), r, &page).ok());
    return page.next_cursor();
  }

  std::unique_ptr<v1::SyncService::Stub> sync_ = v1::SyncService::NewStub(server_.channel());
  uint64_t material_ = 0;
};

TEST_F(FeedbackInspectionTest, NoFeedLogLineOrMetricPutsTheAuthorNextToHerLetter) {
  auto study = v1::StudyService::NewStub(server_.channel());
  v1::CreateMaterialRequest m;
  m.set_request_id(TestServer::RequestId());
  m.mutable_material()->set_organization_id(branch_);
  m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  m.mutable_material()->set_title("安全生产规程");
  m.mutable_material()->set_body("第一章");
  v1::Material material;
  ASSERT_TRUE(study->CreateMaterial(TestServer::Ctx(secretary_token_).get(), m, &material).ok());
  material_ = material.id();
  const std::string integration = server_.ServiceToken(root_, v1::SCOPE_FEED_READ);
  const std::string admin_cursor = FeedCursor(admin_);
  const std::string integration_cursor = FeedCursor(integration);
  v1::ListChangesResponse own_start;
  ASSERT_TRUE(sync_->ListChanges(TestServer::Ctx(driver_token_).get(), {}, &own_start).ok());

  spdlog::set_level(spdlog::level::info);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  // Her phone's queue: a study record and the anonymous letter.
  v1::OfflineAction letter_action;
  auto* submit = letter_action.mutable_letter();
  submit->set_request_id("letter-" + TestServer::RequestId() + "-0123456789abcdef");
  submit->set_category(v1::LETTER_CATEGORY_CRITICISM);
  submit->set_subject("调度员作风粗暴");
  submit->set_body("夜班调度经常当众训斥驾驶员。");
  submit->set_anonymous(true);
  auto first = Upload({Study(), letter_action});
  const std::string code = first.results(1).letter().receipt_code();
  const uint64_t letter = first.results(1).letter().letter().id();
  ASSERT_FALSE(code.empty());
  ASSERT_TRUE(Reply(secretary_token_, letter, "请说明具体班次", /*wait=*/true).ok());
  // The upload: her own study record, then a reply by receipt code.
  v1::OfflineAction reply_action;
  reply_action.mutable_letter_reply()->set_request_id(TestServer::RequestId());
  reply_action.mutable_letter_reply()->set_receipt_code(code);
  reply_action.mutable_letter_reply()->set_text("周二夜班");
  Upload({Study(), reply_action});
  // On their own: reading and writing back by receipt code.
  v1::GetLetterByReceiptRequest get;
  get.set_receipt_code(code);
  v1::GetLetterByReceiptResponse got;
  ASSERT_TRUE(feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).ok());
  v1::ReplyByReceiptRequest back;
  back.set_request_id(TestServer::RequestId());
  back.set_receipt_code(code);
  back.set_text("还有周四");
  v1::LetterEvent event;
  ASSERT_TRUE(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &event).ok());
  Resolve(letter);
  v1::OfflineAction rate_action;
  rate_action.mutable_letter_rating()->set_request_id(TestServer::RequestId());
  rate_action.mutable_letter_rating()->set_receipt_code(code);
  rate_action.mutable_letter_rating()->set_rating(4);
  Upload({Study(), rate_action});
  ASSERT_TRUE(feedback_->GetLetterByReceipt(TestServer::Ctx("").get(), get, &got).ok());
  EXPECT_EQ(got.letter().state(), v1::LETTER_STATE_CLOSED);
  const std::string metrics = testing::ScrapeMetrics(server_.server().metrics_port());
  const std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  spdlog::set_level(spdlog::level::warn);

  // The access log: the receipt holder's calls leave no line; her uploads are logged as hers,
  // like any upload (a missing line would mark the ones that held an anonymous action).
  int upload_lines = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find("ByReceipt"), std::string::npos) << line;
    EXPECT_EQ(line.find("RateLetter"), std::string::npos) << line;
    EXPECT_EQ(line.find("SubmitLetter"), std::string::npos) << line;
    EXPECT_EQ(line.find(code), std::string::npos) << line;
    if (line.find("SyncService/UploadActions") != std::string::npos) {
      ++upload_lines;
      EXPECT_NE(line.find("caller=" + std::to_string(driver_)), std::string::npos) << line;
    }
  }
  EXPECT_EQ(upload_lines, 3) << log;
  // Metrics: no series of a method only the anonymous author calls.
  ASSERT_FALSE(metrics.empty());
  for (const char* method : {"GetLetterByReceipt", "ReplyByReceipt", "RateLetter"}) {
    EXPECT_EQ(metrics.find(method), std::string::npos) << method << "\n" << metrics;
  }
  EXPECT_NE(metrics.find("SyncService/UploadActions"), std::string::npos);

  // Her own changes never mention the letter.
  v1::ListChangesRequest own;
  own.set_cursor(own_start.next_cursor());
  v1::ListChangesResponse own_changes;
  ASSERT_TRUE(sync_->ListChanges(TestServer::Ctx(driver_token_).get(), own, &own_changes).ok());
  for (const auto& c : own_changes.changes()) EXPECT_NE(c.record_id(), letter);

  // The feed, as an administrator and as an integration reads it: before the held-back changes
  // are published, nothing the author did is in it; after, they are, dated two days on.
  auto inspect = [&](const std::vector<v1::Change>& feed, int expected_by_author) {
    std::vector<int64_t> named;  // commit times of her named actions
    for (const auto& c : feed) {
      for (uint64_t p : c.person_ids()) {
        if (p == driver_) named.push_back(ToMicros(c.commit_time()));
      }
    }
    EXPECT_EQ(named.size(), 3u);  // the three study records
    int by_author = 0;
    for (const auto& c : feed) {
      if (c.record_id() != letter) continue;
      EXPECT_EQ(c.person_ids_size(), 0) << c.ShortDebugString();
      if (c.action() != "author_replied" && c.action() != "rated") continue;
      ++by_author;
      for (int64_t at : named) {
        EXPECT_GE(std::llabs(ToMicros(c.commit_time()) - at), kDayMicros) << c.ShortDebugString();
      }
      // Dated to a local midnight (UTC+8), never to the minute.
      EXPECT_EQ((c.commit_time().seconds() + 8 * 3600) % 86400, 0) << c.ShortDebugString();
      EXPECT_EQ(c.commit_time().nanos(), 0);
    }
    EXPECT_EQ(by_author, expected_by_author);
  };
  inspect(Feed(admin_, admin_cursor), 0);
  inspect(Feed(integration, integration_cursor), 0);
  // A pass before they are due publishes nothing.
  PublicationClock().Set(SystemClock().NowMicros());
  ASSERT_TRUE(server_.server().PublishDeferredChangesNow().ok());
  EXPECT_EQ(*server_.server().PublishDeferredChangesNow(), 0u);
  inspect(Feed(admin_, admin_cursor), 0);
  PublicationClock().Set(SystemClock().NowMicros() + 3 * kDayMicros);
  auto published = server_.server().PublishDeferredChangesNow();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 3u);  // two replies and the rating
  inspect(Feed(admin_, admin_cursor), 3);
  inspect(Feed(integration, integration_cursor), 3);
  EXPECT_EQ(*server_.server().PublishDeferredChangesNow(), 0u);  // published once
}

// A letter handed in at the office and registered anonymously by the secretary: neither the
// writer nor the secretary, nor the time of day, may be found with it in storage, the access
// log or the metrics. Only "a handler registered an anonymous letter on this day" remains.
class FeedbackRegisteredAnonymityTest : public testing::FeedbackTest {
 protected:
  FeedbackRegisteredAnonymityTest()
      : FeedbackTest([](ServerOptions& options) { options.metrics_listen = "127.0.0.1:0"; }) {}
};

TEST_F(FeedbackRegisteredAnonymityTest, NeitherWriterNorHandlerNorTimeIsStored) {
  spdlog::set_level(spdlog::level::info);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  v1::RegisterLetterRequest r;
  r.set_request_id("5a7c9e1b-3d5f-4a6b-8c0d-2e4f6a8b0c1d");
  r.set_anonymous(true);
  r.set_channel(v1::LETTER_CHANNEL_IN_PERSON);
  r.set_category(v1::LETTER_CATEGORY_CRITICISM);
  r.set_subject("调度员作风粗暴");
  r.set_body("当面反映，不愿留名");
  v1::SubmitLetterResponse registered, retried;
  ASSERT_TRUE(Register(secretary_token_, r, &registered).ok());
  ASSERT_TRUE(Register(secretary_token_, r, &retried).ok());
  EXPECT_EQ(registered.receipt_code(), retried.receipt_code());
  const uint64_t letter = registered.letter().id();
  const std::string code = registered.receipt_code();
  const std::string metrics = testing::ScrapeMetrics(server_.server().metrics_port());
  // A named registration beside it is logged as usual.
  v1::RegisterLetterRequest named;
  named.set_author_name("老周");
  ASSERT_TRUE(Register(secretary_token_, named).ok());
  server_.Stop();
  const std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  spdlog::set_level(spdlog::level::warn);

  // Metrics: no series of RegisterLetter while only anonymous ones were made.
  ASSERT_FALSE(metrics.empty());
  EXPECT_EQ(metrics.find("RegisterLetter"), std::string::npos) << metrics;
  // Access log: one RegisterLetter line, the named one's.
  int register_lines = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find(code), std::string::npos) << line;
    EXPECT_EQ(line.find("当面反映"), std::string::npos) << line;
    register_lines += line.find("FeedbackService/RegisterLetter") != std::string::npos;
  }
  EXPECT_EQ(register_lines, 1) << log;

  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  const auto handler = Encodings(secretary_);
  const auto letter_ids = Encodings(letter);
  int records = 0, events = 0, indexes = 0, idempotency = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kLetters, storage::RecordKey(letter), "",
                         [&](std::string_view key, std::string_view value) {
                           internal::v1::LetterRecord record;
                           EXPECT_TRUE(record.ParseFromArray(value.data(), value.size()));
                           ++records;
                           EXPECT_FALSE(Mentions(value, handler));
                           EXPECT_FALSE(Mentions(value, {code}));
                           EXPECT_EQ(record.letter().author_person_id(), 0u);
                           EXPECT_TRUE(record.letter().author_name().empty());
                           EXPECT_EQ(record.letter().channel(), v1::LETTER_CHANNEL_IN_PERSON);
                           EXPECT_EQ((record.letter().submit_time().seconds() + 8 * 3600) % 86400,
                                     0);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(records, 1);
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kLetterEvents, storage::LetterEventPrefix(letter), "",
                         [&](std::string_view, std::string_view value) {
                           ++events;
                           EXPECT_FALSE(Mentions(value, handler));
                           v1::LetterEvent e;
                           EXPECT_TRUE(e.ParseFromArray(value.data(), value.size()));
                           EXPECT_EQ(e.kind(), v1::LETTER_EVENT_KIND_REGISTERED);
                           EXPECT_EQ(e.person_id(), 0u);
                           EXPECT_EQ((e.create_time().seconds() + 8 * 3600) % 86400, 0);
                           EXPECT_EQ(e.create_time().nanos(), 0);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(events, 1);
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIndex, "", "",
                         [&](std::string_view key, std::string_view value) {
                           storage::KeyReader reader(key);
                           reader.U32();
                           auto index = reader.U16().value_or(0);
                           if (index < 300 || index > 399) return true;
                           EXPECT_NE(index, static_cast<uint16_t>(storage::Index::kLetterByAuthor));
                           if (storage::TrailingId(key) != letter) return true;
                           ++indexes;
                           EXPECT_FALSE(Mentions(key, handler));
                           EXPECT_FALSE(Mentions(value, handler));
                           return true;
                         })
                  .ok());
  EXPECT_EQ(indexes, 3);  // inbox, due, by submission
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIdempotency, "", "",
                         [&](std::string_view key, std::string_view value) {
                           if (!Mentions(value, letter_ids)) return true;
                           ++idempotency;
                           storage::KeyReader reader(key);
                           reader.U32();
                           EXPECT_EQ(reader.U64().value_or(1), 0u);  // no caller
                           EXPECT_FALSE(Mentions(key, handler));
                           EXPECT_FALSE(Mentions(value, handler));
                           EXPECT_FALSE(Mentions(key, {r.request_id()}));
                           EXPECT_FALSE(Mentions(value, {code}));
                           return true;
                         })
                  .ok());
  EXPECT_EQ(idempotency, 1);
  // The change log holds nothing of the registration (its commit time would date it).
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kChanges, "", "",
                         [&](std::string_view, std::string_view value) {
                           internal::v1::ChangeRecord change;
                           EXPECT_TRUE(change.ParseFromArray(value.data(), value.size()));
                           EXPECT_NE(change.record_id(), letter) << change.ShortDebugString();
                           return true;
                         })
                  .ok());
}

}  // namespace
}  // namespace branchline
