// An anonymous letter's whole life through the real server, then the database and the log
// output are searched byte by byte for anything that links the letter to its author.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "branchline/internal/v1/feedback_records.pb.h"
#include "branchline/internal/v1/records.pb.h"
#include "spdlog/spdlog.h"
#include "storage/index_ids.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/feedback_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;

// Every way the author's id could be written down: big-endian (keys), varint (protobuf
// fields), decimal (logs, text).
std::vector<std::string> Encodings(uint64_t id) {
  std::vector<std::string> out;
  std::string be;
  for (int shift = 56; shift >= 0; shift -= 8) be.push_back(static_cast<char>(id >> shift));
  out.push_back(be);
  std::string varint;
  for (uint64_t v = id; v >= 0x80; v >>= 7) varint.push_back(static_cast<char>((v & 0x7f) | 0x80));
  varint.push_back(static_cast<char>(id >> (7 * (varint.size()))));
  out.push_back(varint);
  out.push_back(std::to_string(id));
  return out;
}

bool Mentions(std::string_view bytes, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    if (bytes.find(n) != std::string_view::npos) return true;
  }
  return false;
}

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

  storage::StoreOptions options;
  options.path = server_.dir().Sub("data/db");
  auto store = storage::Store::Open(options);
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

}  // namespace
}  // namespace branchline
