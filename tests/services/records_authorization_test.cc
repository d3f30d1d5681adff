// Every RecordsService RPC × every kind of caller, each cell the documented outcome (in the
// style of calendar_authorization_test.cc): the host and managers write minutes, the audience,
// owners of problems, managers and records-scoped services read them; managers write the
// ledger, people of the subtree and records-scoped services read it.
#include <map>

#include "tests/services/records_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class RecordsAuthorizationTest : public RecordsTest {
 protected:
  void SetUp() override {
    RecordsTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    // The scoped service reads records; the attendance scope does not reach them.
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ);
    tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
    record_ = MustSave(RecordDraft(held_), 0);
    v1::LedgerItems items;
    EXPECT_TRUE(SetItems(ItemsDraft(branch_), &items).ok());
  }

  // A fresh held meeting with a record whose problem 1 d1 owns, so each allowed cell really
  // writes (a lock or a fix happens once).
  v1::MeetingRecord FreshRecord() {
    const uint64_t meeting = MustCreate(Draft(Now() - kHour)).id();
    return MustSave(RecordDraft(meeting), 0);
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::MeetingRecord record;
    v1::LedgerEntry entry;
    v1::LedgerItems items;
    if (op == "SaveMeetingRecord") {
      const uint64_t meeting = MustCreate(Draft(Now() - kHour)).id();
      v1::SaveMeetingRecordRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_record() = RecordDraft(meeting);
      return records_->SaveMeetingRecord(ctx.get(), r, &record).error_code();
    }
    if (op == "GetMeetingRecord") {
      v1::GetMeetingRecordRequest r;
      r.set_meeting_id(held_);
      return records_->GetMeetingRecord(ctx.get(), r, &record).error_code();
    }
    if (op == "ListMeetingRecordRevisions") {
      v1::ListMeetingRecordRevisionsRequest r;
      r.set_meeting_id(held_);
      v1::ListMeetingRecordRevisionsResponse out;
      return records_->ListMeetingRecordRevisions(ctx.get(), r, &out).error_code();
    }
    if (op == "LockMeetingRecord") {
      auto fresh = FreshRecord();
      v1::LockMeetingRecordRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(fresh.meeting_id());
      r.set_expected_version(fresh.version());
      return records_->LockMeetingRecord(ctx.get(), r, &record).error_code();
    }
    if (op == "UpdateProblem") {
      auto fresh = FreshRecord();
      v1::UpdateProblemRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(fresh.meeting_id());
      *r.mutable_problem() = fresh.problems(0);
      r.mutable_problem()->set_description("改为：出车记录须当日填写");
      r.set_expected_version(fresh.version());
      return records_->UpdateProblem(ctx.get(), r, &record).error_code();
    }
    if (op == "FixProblem(d1's)") {
      auto fresh = FreshRecord();
      v1::FixProblemRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_meeting_id(fresh.meeting_id());
      r.set_problem_id(fresh.problems(0).id());
      r.set_text("已整改");
      return records_->FixProblem(ctx.get(), r, &record).error_code();
    }
    if (op == "ListOpenProblems(branch)") {
      v1::ListOpenProblemsRequest r;
      r.set_organization_id(branch_);
      v1::ListOpenProblemsResponse out;
      return records_->ListOpenProblems(ctx.get(), r, &out).error_code();
    }
    if (op == "SetLedgerItems") {
      v1::SetLedgerItemsRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_items() = ItemsDraft(branch_);
      return records_->SetLedgerItems(ctx.get(), r, &items).error_code();
    }
    if (op == "ListLedgerItems") {
      v1::ListLedgerItemsRequest r;
      r.set_organization_id(branch_);
      return records_->ListLedgerItems(ctx.get(), r, &items).error_code();
    }
    if (op == "CreateLedgerEntry") {
      v1::CreateLedgerEntryRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_entry() = EntryDraft(Date(2026, 1, 6), "1.1");
      return records_->CreateLedgerEntry(ctx.get(), r, &entry).error_code();
    }
    if (op == "UpdateLedgerEntry") {
      auto fresh = MustAddEntry(EntryDraft(Date(2026, 1, 7), "1.1"));
      v1::UpdateLedgerEntryRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_entry() = fresh;
      r.mutable_entry()->set_place("收费站");
      r.set_expected_version(fresh.version());
      return records_->UpdateLedgerEntry(ctx.get(), r, &entry).error_code();
    }
    if (op == "VoidLedgerEntry") {
      auto fresh = MustAddEntry(EntryDraft(Date(2026, 1, 8), "1.1"));
      v1::VoidLedgerEntryRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(fresh.id());
      r.set_reason("重复");
      return records_->VoidLedgerEntry(ctx.get(), r, &entry).error_code();
    }
    if (op == "ListLedgerEntries") {
      v1::ListLedgerEntriesRequest r;
      r.set_organization_id(branch_);
      v1::ListLedgerEntriesResponse out;
      return records_->ListLedgerEntries(ctx.get(), r, &out).error_code();
    }
    if (op == "GetLedgerReport") {
      v1::GetLedgerReportRequest r;
      r.set_organization_id(branch_);
      *r.mutable_from_date() = Date(2026, 1, 1);
      *r.mutable_to_date() = Date(2026, 12, 31);
      v1::LedgerReport out;
      return records_->GetLedgerReport(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::map<std::string, std::string> tokens_;
  v1::MeetingRecord record_;
};

TEST_F(RecordsAuthorizationTest, MeetingRecords) {
  const std::vector<std::string> ops = {
      "SaveMeetingRecord", "GetMeetingRecord", "ListMeetingRecordRevisions", "LockMeetingRecord",
      "UpdateProblem",     "FixProblem(d1's)", "ListOpenProblems(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Save      Get       Revs      Lock      UpdProb   Fix       Open
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK,       OK,       DENIED,   DENIED,   OK,       DENIED}},
    {"employee of group below",  {DENIED,   OK,       OK,       DENIED,   DENIED,   DENIED,   DENIED}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   OK,       OK,       DENIED,   DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"records", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

TEST_F(RecordsAuthorizationTest, Ledger) {
  const std::vector<std::string> ops = {"SetLedgerItems",    "ListLedgerItems", "CreateLedgerEntry",
                                        "UpdateLedgerEntry", "VoidLedgerEntry", "ListLedgerEntries",
                                        "GetLedgerReport"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            SetItems  Items     Create    Update    Void      List      Report
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK,       DENIED,   DENIED,   DENIED,   OK,       OK}},
    {"employee of group below",  {DENIED,   OK,       DENIED,   DENIED,   DENIED,   OK,       OK}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   OK,       DENIED,   DENIED,   DENIED,   OK,       OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"ledger", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

}  // namespace
}  // namespace branchline::testing
