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
      "CreateMeetingSeries", "GetMeetingSeries", "ListMeetingSeries", "ListSeriesOccurrences",
      "EndMeetingSeries",    "SetHolidays",      "ListHolidays"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Create    Get       List      Occur     End       SetHol    ListHol
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   OK}},
    {"employee of group below",  {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   OK}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"calendar", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

}  // namespace
}  // namespace branchline::testing
