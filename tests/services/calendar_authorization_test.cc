// Every CalendarService RPC × every kind of caller, each cell the documented outcome (in the
// style of attendance_authorization_test.cc): managers manage series and holidays, people of
// the organisation's subtree and read-scoped services read them.
#include <map>

#include "tests/services/calendar_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class CalendarAuthorizationTest : public CalendarTest {
 protected:
  void SetUp() override {
    CalendarTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    series_ = MustCreateSeries(SeriesDraft(Now() + kHour)).id();
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::MeetingSeries series;
    v1::HolidayList holidays;
    if (op == "CreateMeetingSeries") {
      v1::CreateMeetingSeriesRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_series() = SeriesDraft(Now() + kHour);
      return calendar_->CreateMeetingSeries(ctx.get(), r, &series).error_code();
    }
    if (op == "GetMeetingSeries") {
      v1::GetMeetingSeriesRequest r;
      r.set_id(series_);
      return calendar_->GetMeetingSeries(ctx.get(), r, &series).error_code();
    }
    if (op == "ListMeetingSeries") {
      v1::ListMeetingSeriesRequest r;
      r.set_organization_id(branch_);
      v1::ListMeetingSeriesResponse out;
      return calendar_->ListMeetingSeries(ctx.get(), r, &out).error_code();
    }
    if (op == "ListSeriesOccurrences") {
      v1::ListSeriesOccurrencesRequest r;
      r.set_series_id(series_);
      v1::ListSeriesOccurrencesResponse out;
      return calendar_->ListSeriesOccurrences(ctx.get(), r, &out).error_code();
    }
    if (op == "EndMeetingSeries") {
      // A new series per cell, so every allowed caller really ends one.
      uint64_t id = MustCreateSeries(SeriesDraft(Now() + kHour)).id();
      v1::EndMeetingSeriesRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(id);
      r.set_reason("调整");
      v1::EndMeetingSeriesResponse out;
      return calendar_->EndMeetingSeries(ctx.get(), r, &out).error_code();
    }
    if (op == "UpdateMeetingSeries") {
      v1::UpdateMeetingSeriesRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_series()->set_id(series_);
      r.mutable_series()->mutable_meeting()->set_title("安全例会（改）");
      r.mutable_update_mask()->add_paths("meeting.title");
      v1::UpdateMeetingSeriesResponse out;
      return calendar_->UpdateMeetingSeries(ctx.get(), r, &out).error_code();
    }
    if (op == "SplitMeetingSeries") {
      // A new series per cell, so every allowed caller really splits one.
      const int64_t start = Now() + kHour;
      uint64_t id = MustCreateSeries(SeriesDraft(start)).id();
      v1::SplitMeetingSeriesRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(id);
      *r.mutable_from_date() = LocalDateOf(start + 7 * kDay);
      *r.mutable_series() = SeriesDraft(start + 7 * kDay + kHour);
      v1::SplitMeetingSeriesResponse out;
      return calendar_->SplitMeetingSeries(ctx.get(), r, &out).error_code();
    }
    if (op == "SetHolidays") {
      v1::SetHolidaysRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_holidays()->set_organization_id(branch_);
      *r.mutable_holidays()->add_dates() = LocalDateOf(Now() + 30 * kDay);
      return calendar_->SetHolidays(ctx.get(), r, &holidays).error_code();
    }
    if (op == "ListHolidays") {
      v1::ListHolidaysRequest r;
      r.set_organization_id(branch_);
      return calendar_->ListHolidays(ctx.get(), r, &holidays).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::map<std::string, std::string> tokens_;
  uint64_t series_ = 0;
};

TEST_F(CalendarAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {
      "CreateMeetingSeries",   "GetMeetingSeries", "ListMeetingSeries",
      "ListSeriesOccurrences", "EndMeetingSeries", "UpdateMeetingSeries",
      "SplitMeetingSeries",    "SetHolidays",      "ListHolidays"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Create    Get       List      Occur     End       Update    Split     SetHol    ListHol
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   DENIED,   DENIED,   OK}},
    {"employee of group below",  {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   DENIED,   DENIED,   OK}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"calendar", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

// ExportMyCalendar: every person signed in exports their own meetings (another tenant's admin
// too: their own, none of ours); a service account attends no meetings.
TEST_F(CalendarAuthorizationTest, CalendarExport) {
  const std::vector<std::string> ops = {"ExportMyCalendar"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH}},
    {"tampered",                 {UNAUTH}},
    {"expired",                  {UNAUTH}},
    {"anonymous receipt holder", {UNAUTH}},
    {"other tenant admin",       {OK}},
    {"member of group below",    {OK}},
    {"employee of group below",  {OK}},
    {"secretary of branch",      {OK}},
    {"secretary of sibling",     {OK}},
    {"admin above",              {OK}},
    {"service with scope",       {DENIED}},
    {"service without scope",    {DENIED}},
  };
  // clang-format on
  ExpectMatrix({"calendar-export", ops, table}, [&](const std::string&, const std::string& caller) {
    auto ctx = Ctx(tokens_.at(caller));
    v1::ExportMyCalendarRequest r;
    auto reader = calendar_->ExportMyCalendar(ctx.get(), r);
    return StreamCellCode(*ctx, *reader);
  });
}

// Absences over date ranges: anyone signed in asks for their own; the managers of the
// person's organisation (who decide their leave) decide; only the person withdraws; managers
// and read-scoped services list an organisation's.
class AbsenceAuthorizationTest : public CalendarAuthorizationTest {
 protected:
  // A pending absence of the driver d1 (the "member of group below" row).
  uint64_t PendingAbsence() {
    v1::RequestAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_type(v1::ABSENCE_TYPE_DUTY_RUN);
    *r.mutable_from_date() = LocalDateOf(Now() + kDay);
    *r.mutable_to_date() = LocalDateOf(Now() + 7 * kDay);
    r.set_reason("出车");
    v1::AbsenceRequest out;
    auto status = calendar_->RequestAbsence(Ctx(d1_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }

  grpc::StatusCode CallAbsence(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::AbsenceRequest out;
    if (op == "RequestAbsence") {
      v1::RequestAbsenceRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_type(v1::ABSENCE_TYPE_BUSINESS_TRIP);
      *r.mutable_from_date() = LocalDateOf(Now() + kDay);
      *r.mutable_to_date() = LocalDateOf(Now() + 3 * kDay);
      r.set_reason("出差");
      return calendar_->RequestAbsence(ctx.get(), r, &out).error_code();
    }
    if (op == "DecideAbsence") {
      v1::DecideAbsenceRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(PendingAbsence());
      r.set_approve(true);
      return calendar_->DecideAbsence(ctx.get(), r, &out).error_code();
    }
    if (op == "WithdrawAbsence") {
      v1::WithdrawAbsenceRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(PendingAbsence());
      return calendar_->WithdrawAbsence(ctx.get(), r, &out).error_code();
    }
    if (op == "ListAbsences") {
      v1::ListAbsencesRequest r;
      r.set_organization_id(branch_);
      v1::ListAbsencesResponse list;
      return calendar_->ListAbsences(ctx.get(), r, &list).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }
};

TEST_F(AbsenceAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"RequestAbsence", "DecideAbsence", "WithdrawAbsence(d1's)",
                                        "ListAbsences(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Request   Decide    Withdraw  List
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {OK,       NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {OK,       DENIED,   OK,       DENIED}},
    {"employee of group below",  {OK,       DENIED,   DENIED,   DENIED}},
    {"secretary of branch",      {OK,       OK,       DENIED,   OK}},
    {"secretary of sibling",     {OK,       DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       DENIED,   OK}},
    {"service with scope",       {DENIED,   DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"absences", ops, table}, [&](const std::string& op, const std::string& caller) {
    std::string name = op.substr(0, op.find('('));
    return CallAbsence(name, tokens_.at(caller));
  });
}

}  // namespace
}  // namespace branchline::testing
