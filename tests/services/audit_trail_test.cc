// The audit trail (issue #22): every write of a named caller leaves one record in its own
// commit — sync, async (CheckIn) and offline — naming the person, organisation, method,
// object and client, never the body; failed calls and replays leave none; anonymous actions
// leave none at all; administrators above read it by subtree, person, object and period;
// retention deletes it after its own window.
#include <algorithm>
#include <set>

#include "branchline/v1/audit.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kRetention = 3 * 365 * kDay;

class AuditTrailTest : public AttendanceTest {
 protected:
  AuditTrailTest()
      : AttendanceTest([this](ServerOptions& o) {
          o.retention_clock = &retention_clock_;
          o.audit_retention_micros = kRetention;
        }) {}

  void SetUp() override {
    AttendanceTest::SetUp();
    audit_ = v1::AuditService::NewStub(server_.channel());
    feedback_ = v1::FeedbackService::NewStub(server_.channel());
  }

  v1::ListAuditRecordsResponse List(v1::ListAuditRecordsRequest r, const std::string& token = "",
                                    grpc::Status* status = nullptr) {
    if (r.organization_id() == 0) r.set_organization_id(branch_);
    v1::ListAuditRecordsResponse out;
    auto s = audit_->ListAuditRecords(Ctx(token.empty() ? admin_ : token).get(), r, &out);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  // Every record of the branch's subtree (or r's organisation), newest first, across pages.
  std::vector<v1::AuditRecord> All(v1::ListAuditRecordsRequest r = {}) {
    std::vector<v1::AuditRecord> all;
    r.set_page_size(2);
    do {
      auto page = List(r);
      all.insert(all.end(), page.records().begin(), page.records().end());
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    return all;
  }

  // Every record of the tenant (read as the administrator of the root).
  size_t StoredRecords() {
    v1::ListAuditRecordsRequest r;
    r.set_organization_id(root_);
    return All(r).size();
  }

  v1::SubmitLetterResponse Letter(const std::string& token, bool anonymous,
                                  const std::string& request_id) {
    v1::SubmitLetterRequest r;
    r.set_request_id(request_id);
    r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
    r.set_subject("夜班调度");
    r.set_body("连续夜班后又排早班。");
    r.set_anonymous(anonymous);
    v1::SubmitLetterResponse out;
    auto s = feedback_->SubmitLetter(Ctx(token).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  FakeClock retention_clock_{SystemClock().NowMicros()};
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
};

TEST_F(AuditTrailTest, NamedWritesLeaveOneRecordEachNamingWhoWhatAndFromWhere) {
  const int64_t before = Now();
  // A sync write by the secretary, an async one by a driver (CheckIn on the pollers) with
  // the client a phone app announces.
  v1::Meeting meeting = MustCreate(Draft(Now() - 5 * kMin));
  v1::CheckInResponse checked;
  grpc::ChannelArguments args;
  args.SetUserAgentPrefix("branchline-android/3.2");
  auto phone =
      grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args);
  auto phone_stub = v1::AttendanceService::NewStub(phone);
  ASSERT_TRUE(
      phone_stub->CheckIn(Ctx(d1_).get(), ByCode(meeting.id(), Code(meeting.id()).code()), &checked)
          .ok());

  auto records = All();
  ASSERT_GE(records.size(), 2u);
  // Newest first: the check-in, then the meeting's creation by the admin fixture.
  EXPECT_EQ(records[0].method(), "CheckIn");
  EXPECT_EQ(records[0].person_id(), d1_id_);
  EXPECT_EQ(records[0].person_name(), "张师傅");
  EXPECT_EQ(records[0].organization_id(), group_);
  EXPECT_EQ(records[0].object(), "meeting_id=" + std::to_string(meeting.id()));
  EXPECT_EQ(records[0].client().rfind("branchline-android/3.2", 0), 0u) << records[0].client();
  EXPECT_FALSE(records[0].service_account());
  EXPECT_GE(ToMicros(records[0].time()), before);
  EXPECT_EQ(records[1].method(), "CreateMeeting");
  EXPECT_EQ(records[1].object(), "meeting.organization_id=" + std::to_string(branch_));
  // The body is never kept: no field of the record holds the request's text.
  for (const auto& r : records) {
    EXPECT_EQ(r.DebugString().find("运输四队"), std::string::npos) << r.DebugString();
  }
}

TEST_F(AuditTrailTest, FailedCallsAndReplaysLeaveNoRecord) {
  v1::Meeting meeting = MustCreate(Draft(Now() - 5 * kMin));
  const size_t start = StoredRecords();
  v1::CheckInResponse out;
  // Refused: the outsider is not in the audience.
  EXPECT_FALSE(CheckIn(outsider_, ByCode(meeting.id(), Code(meeting.id()).code()), &out).ok());
  EXPECT_EQ(StoredRecords(), start);
  // Done once, then replayed with the same request id: one record.
  v1::CheckInRequest r = ByCode(meeting.id(), Code(meeting.id()).code());
  ASSERT_TRUE(CheckIn(d2_, r, &out).ok());
  ASSERT_TRUE(CheckIn(d2_, r, &out).ok());
  EXPECT_EQ(StoredRecords(), start + 1);
}

TEST_F(AuditTrailTest, AnonymousActionsLeaveNoRecordNamedOnesDo) {
  const size_t start = StoredRecords();
  auto anonymous = Letter(d1_, true, "anon-request-id-" + TestServer::RequestId());
  ASSERT_FALSE(anonymous.receipt_code().empty());
  v1::ReplyByReceiptRequest reply;
  reply.set_request_id(TestServer::RequestId());
  reply.set_receipt_code(anonymous.receipt_code());
  reply.set_text("补充：上周三和周五都是这样。");
  v1::LetterEvent event;
  ASSERT_TRUE(feedback_->ReplyByReceipt(Ctx("").get(), reply, &event).ok());
  EXPECT_EQ(StoredRecords(), start) << "an anonymous letter or its receipt left an audit record";
  for (const auto& r : All()) EXPECT_NE(r.method(), "SubmitLetter");

  Letter(d1_, false, TestServer::RequestId());
  EXPECT_EQ(StoredRecords(), start + 1);
  v1::ListAuditRecordsRequest mine;
  mine.set_person_id(d1_id_);
  auto records = All(mine);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].method(), "SubmitLetter");

  // In storage: the only letter record is the named one, and no record names the receipt.
  const size_t listed = StoredRecords();
  server_.Stop();
  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  size_t stored = 0, letters = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kRecords, storage::AuditPrefix(storage::TenantOfId(root_)),
                         "",
                         [&](std::string_view, std::string_view value) {
                           v1::AuditRecord record;
                           EXPECT_TRUE(record.ParseFromArray(value.data(), value.size()));
                           ++stored;
                           if (record.method() == "SubmitLetter") {
                             ++letters;
                             EXPECT_EQ(record.person_id(), d1_id_);
                           }
                           EXPECT_NE(record.method(), "ReplyByReceipt");
                           return true;
                         })
                  .ok());
  EXPECT_EQ(stored, listed);
  EXPECT_EQ(letters, 1u);
}

TEST_F(AuditTrailTest, FiltersByPersonObjectAndPeriodAndPagesNewestFirst) {
  v1::Meeting a = MustCreate(Draft(Now() - 5 * kMin));
  v1::Meeting b = MustCreate(Draft(Now() - 4 * kMin));
  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, ByCode(a.id(), Code(a.id()).code()), &out).ok());
  const int64_t middle = Now();
  ASSERT_TRUE(CheckIn(d1_, ByCode(b.id(), Code(b.id()).code()), &out).ok());
  ASSERT_TRUE(CheckIn(d2_, ByCode(b.id(), Code(b.id()).code()), &out).ok());

  v1::ListAuditRecordsRequest by_person;
  by_person.set_person_id(d1_id_);
  auto d1 = All(by_person);
  ASSERT_EQ(d1.size(), 2u);
  EXPECT_EQ(d1[0].object(), "meeting_id=" + std::to_string(b.id()));
  EXPECT_EQ(d1[1].object(), "meeting_id=" + std::to_string(a.id()));

  v1::ListAuditRecordsRequest by_object;
  by_object.set_object("meeting_id=" + std::to_string(b.id()));
  auto on_b = All(by_object);
  ASSERT_EQ(on_b.size(), 2u);
  std::set<uint64_t> people = {on_b[0].person_id(), on_b[1].person_id()};
  EXPECT_EQ(people, (std::set<uint64_t>{d1_id_, d2_id_}));

  v1::ListAuditRecordsRequest later;
  *later.mutable_from_time() = Ts(middle);
  for (const auto& r : All(later)) EXPECT_GE(ToMicros(r.time()), middle);
  EXPECT_EQ(All(later).size(), 2u);
  v1::ListAuditRecordsRequest earlier;
  *earlier.mutable_to_time() = Ts(middle);
  earlier.set_person_id(d1_id_);
  ASSERT_EQ(All(earlier).size(), 1u);

  // Newest first across every page.
  auto all = All();
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(ToMicros(all[i - 1].time()), ToMicros(all[i].time()));
  }
}

TEST_F(AuditTrailTest, OnlyAdministratorsAboveReadAndOnlyTheirSubtree) {
  MustCreate(Draft(Now() - 5 * kMin));
  v1::CheckInResponse out;
  grpc::Status status;
  // The secretary manages the branch but does not administer it; a driver even less.
  List({}, secretary_, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  List({}, d1_, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  List({}, server_.ForeignTenantAdminToken(), &status);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  List({}, "", &status);  // the admin: allowed
  EXPECT_TRUE(status.ok());
  // An administrator of the sibling branch sees nothing of this branch's people.
  const std::string above = server_.AdminAboveToken(sibling_);
  v1::ListAuditRecordsRequest sibling;
  sibling.set_organization_id(sibling_);
  auto page = List(sibling, above);
  for (const auto& r : page.records()) EXPECT_NE(r.person_id(), secretary_id_);
  v1::ListAuditRecordsRequest branch;
  branch.set_organization_id(branch_);
  List(branch, above, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
}

TEST_F(AuditTrailTest, BadFiltersAreInvalidArgumentNamingTheField) {
  grpc::Status status;
  v1::ListAuditRecordsRequest r;
  r.set_organization_id(branch_);
  *r.mutable_from_time() = Ts(Now());
  *r.mutable_to_time() = Ts(Now() - kHour);
  List(r, "", &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("to_time"), std::string::npos) << status.error_message();
  v1::ListAuditRecordsRequest bad_page;
  bad_page.set_organization_id(branch_);
  bad_page.set_page_token("not-a-token");
  List(bad_page, "", &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  v1::ListAuditRecordsRequest negative;
  negative.set_organization_id(branch_);
  negative.set_page_size(-1);
  List(negative, "", &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  v1::ListAuditRecordsRequest none;
  v1::ListAuditRecordsResponse out;
  status = audit_->ListAuditRecords(Ctx(admin_).get(), none, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
}

TEST_F(AuditTrailTest, RetentionDeletesRecordsOlderThanItsOwnWindow) {
  MustCreate(Draft(Now() - 5 * kMin));
  const size_t kept = StoredRecords();
  ASSERT_GT(kept, 0u);
  // A day short of three years: nothing is old enough.
  retention_clock_.Advance(kRetention - kDay);
  auto pruned = server_.server().PruneAuditNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0u);
  EXPECT_EQ(StoredRecords(), kept);
  // Two days later everything written today is.
  retention_clock_.Advance(2 * kDay);
  pruned = server_.server().PruneAuditNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_GE(*pruned, kept);
  EXPECT_EQ(StoredRecords(), 0u);
  v1::ListAuditRecordsRequest mine;
  mine.set_person_id(secretary_id_);
  EXPECT_TRUE(All(mine).empty());
}

TEST_F(AuditTrailTest, ExportIsACsvOfTheSameRecords) {
  v1::Meeting meeting = MustCreate(Draft(Now() - 5 * kMin));
  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, ByCode(meeting.id(), Code(meeting.id()).code()), &out).ok());
  v1::ExportAuditRecordsRequest r;
  r.set_organization_id(branch_);
  r.set_person_id(d1_id_);
  auto ctx = Ctx(admin_);
  auto reader = audit_->ExportAuditRecords(ctx.get(), r);
  std::string csv;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(csv.find("张师傅"), std::string::npos);
  EXPECT_NE(csv.find("CheckIn"), std::string::npos);
  EXPECT_NE(csv.find("meeting_id=" + std::to_string(meeting.id())), std::string::npos);
  // Two lines: the header and the one check-in.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2);
}

// AuditService × every kind of caller: only administrators of the organisation or above.
TEST_F(AuditTrailTest, AuthorizationMatrix) {
  using namespace testing::matrix;  // NOLINT: table cell names
  auto tokens = MatrixCallers();
  tokens["member of group below"] = d1_;
  const std::vector<std::string> ops = {"ListAuditRecords(branch)", "ExportAuditRecords(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            List      Export
    {"no token",                 {UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   DENIED}},
    {"secretary of branch",      {DENIED,   DENIED}},
    {"secretary of sibling",     {DENIED,   DENIED}},
    {"admin above",              {OK,       OK}},
    {"service with scope",       {DENIED,   DENIED}},
    {"service without scope",    {DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"audit", ops, table}, [&](const std::string& op, const std::string& caller) {
    const std::string& token = tokens.at(caller);
    if (op == "ListAuditRecords(branch)") {
      v1::ListAuditRecordsRequest r;
      r.set_organization_id(branch_);
      v1::ListAuditRecordsResponse out;
      return audit_->ListAuditRecords(Ctx(token).get(), r, &out).error_code();
    }
    v1::ExportAuditRecordsRequest r;
    r.set_organization_id(branch_);
    auto ctx = Ctx(token);
    auto reader = audit_->ExportAuditRecords(ctx.get(), r);
    return StreamCellCode(*ctx, *reader);
  });
}

}  // namespace
}  // namespace branchline::testing
