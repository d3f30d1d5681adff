// Absences over date ranges (CalendarService.RequestAbsence and friends): an approved absence
// excuses its person from every meeting of its dates, meetings scheduled after the approval
// included, computed when rosters, histories and reports are read; withdrawing it restores
// the status; a check-in still wins. The matrix of who may call what is
// calendar_authorization_test.cc.
#include <cstdio>
#include <string>
#include <vector>

#include "tests/services/calendar_fixture.h"

namespace branchline::testing {
namespace {

constexpr double kLat = 39.9042, kLon = 116.4074;

class AbsenceTest : public CalendarTest {
 protected:
  v1::RequestAbsenceRequest Ask(int64_t from, int64_t to,
                                v1::AbsenceType type = v1::ABSENCE_TYPE_BUSINESS_TRIP) {
    v1::RequestAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_type(type);
    *r.mutable_from_date() = LocalDateOf(from);
    *r.mutable_to_date() = LocalDateOf(to);
    r.set_reason("去西安送货");
    return r;
  }
  grpc::Status Request(const std::string& token, const v1::RequestAbsenceRequest& r,
                       v1::AbsenceRequest* out) {
    return calendar_->RequestAbsence(Ctx(token).get(), r, out);
  }
  v1::AbsenceRequest MustRequest(const std::string& token, const v1::RequestAbsenceRequest& r) {
    v1::AbsenceRequest out;
    auto status = Request(token, r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status Decide(const std::string& token, uint64_t id, bool approve, v1::AbsenceRequest* out,
                      const std::string& note = "") {
    v1::DecideAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    r.set_approve(approve);
    r.set_note(note);
    return calendar_->DecideAbsence(Ctx(token).get(), r, out);
  }
  grpc::Status Withdraw(const std::string& token, uint64_t id, v1::AbsenceRequest* out) {
    v1::WithdrawAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    return calendar_->WithdrawAbsence(Ctx(token).get(), r, out);
  }
  // A driver's approved absence over the local dates of [from, to].
  v1::AbsenceRequest Approved(const std::string& token, int64_t from, int64_t to) {
    auto asked = MustRequest(token, Ask(from, to));
    v1::AbsenceRequest out;
    auto status = Decide(secretary_, asked.id(), /*approve=*/true, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.state(), v1::ABSENCE_STATE_APPROVED);
    return out;
  }
  std::vector<v1::AbsenceRequest> Mine(const std::string& token) {
    v1::ListAbsencesRequest r;
    r.set_mine(true);
    v1::ListAbsencesResponse out;
    auto status = calendar_->ListAbsences(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {out.absences().begin(), out.absences().end()};
  }
  static const v1::RosterEntry* EntryOf(const v1::Roster& roster, uint64_t person) {
    for (const auto& e : roster.entries()) {
      if (e.person_id() == person) return &e;
    }
    return nullptr;
  }
  // "出差 MM-DD 至 MM-DD" for the local dates of two instants (same year).
  static std::string Label(int64_t from, int64_t to) {
    auto f = LocalDateOf(from), t = LocalDateOf(to);
    char text[96];
    if (f.year() == t.year()) {
      std::snprintf(text, sizeof text, "出差 %02d-%02d 至 %02d-%02d", f.month(), f.day(), t.month(),
                    t.day());
    } else {
      std::snprintf(text, sizeof text, "出差 %04d-%02d-%02d 至 %04d-%02d-%02d", f.year(), f.month(),
                    f.day(), t.year(), t.month(), t.day());
    }
    return text;
  }
};

TEST_F(AbsenceTest, ApprovedAbsenceExcusesEveryMeetingOfItsDatesEvenOnesScheduledLater) {
  const int64_t from = Now() + kDay, to = Now() + 3 * kDay;
  auto before = MustCreate(Draft(Now() + kDay + kHour));
  auto outside = MustCreate(Draft(Now() + 5 * kDay));
  auto asked = MustRequest(d1_, Ask(from, to));
  EXPECT_EQ(asked.state(), v1::ABSENCE_STATE_PENDING);
  EXPECT_EQ(asked.person_id(), d1_id_);
  EXPECT_EQ(asked.organization_id(), group_);
  EXPECT_EQ(StatusOf(Roster(before.id()), d1_id_), v1::ATTENDANCE_STATUS_ABSENT);  // pending

  v1::AbsenceRequest decided;
  ASSERT_TRUE(Decide(secretary_, asked.id(), /*approve=*/true, &decided).ok());
  EXPECT_EQ(decided.state(), v1::ABSENCE_STATE_APPROVED);
  EXPECT_EQ(decided.decided_by(), secretary_id_);
  // Scheduled after the approval, on a date of the range.
  auto after = MustCreate(Draft(Now() + 2 * kDay));

  for (uint64_t meeting : {before.id(), after.id()}) {
    auto roster = Roster(meeting);
    const auto* e = EntryOf(roster, d1_id_);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->status(), v1::ATTENDANCE_STATUS_EXCUSED);
    EXPECT_EQ(e->absence_id(), asked.id());
    EXPECT_EQ(e->absence_label(), Label(from, to));
    EXPECT_EQ(roster.counts().excused(), 1);
    EXPECT_EQ(roster.counts().absent(), 3);
    EXPECT_EQ(StatusOf(roster, d2_id_), v1::ATTENDANCE_STATUS_ABSENT);
  }
  auto roster = Roster(outside.id());
  EXPECT_EQ(StatusOf(roster, d1_id_), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_EQ(EntryOf(roster, d1_id_)->absence_id(), 0u);
  EXPECT_EQ(roster.counts().excused(), 0);
}

TEST_F(AbsenceTest, WithdrawingRestoresTheStatusAndOnlyTheirOwn) {
  auto meeting = MustCreate(Draft(Now() + 2 * kDay));
  auto absence = Approved(d1_, Now() + kDay, Now() + 3 * kDay);
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d1_id_), v1::ATTENDANCE_STATUS_EXCUSED);
  v1::AbsenceRequest out;
  EXPECT_EQ(Withdraw(secretary_, absence.id(), &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Withdraw(d2_, absence.id(), &out).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Withdraw(d1_, absence.id(), &out).ok());
  EXPECT_EQ(out.state(), v1::ABSENCE_STATE_WITHDRAWN);
  EXPECT_TRUE(out.has_withdraw_time());
  auto roster = Roster(meeting.id());
  EXPECT_EQ(StatusOf(roster, d1_id_), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_EQ(roster.counts().excused(), 0);
  auto again = Withdraw(d1_, absence.id(), &out);
  EXPECT_EQ(again.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(again), "id");
  // A withdrawn absence cannot be decided either.
  EXPECT_EQ(Decide(secretary_, absence.id(), true, &out).error_code(), grpc::FAILED_PRECONDITION);
  // A pending one can be withdrawn too.
  auto pending = MustRequest(d2_, Ask(Now() + kDay, Now() + kDay));
  ASSERT_TRUE(Withdraw(d2_, pending.id(), &out).ok());
  EXPECT_EQ(out.state(), v1::ABSENCE_STATE_WITHDRAWN);
}

TEST_F(AbsenceTest, RefusedLeavesThemAbsentAndADecisionIsFinal) {
  auto meeting = MustCreate(Draft(Now() + 2 * kDay));
  auto asked = MustRequest(d1_, Ask(Now() + kDay, Now() + 3 * kDay));
  v1::AbsenceRequest out;
  auto no_note = Decide(secretary_, asked.id(), /*approve=*/false, &out);
  EXPECT_EQ(no_note.error_code(), grpc::INVALID_ARGUMENT);  // refusing needs a reason
  EXPECT_EQ(ViolationField(no_note), "note");
  ASSERT_TRUE(Decide(secretary_, asked.id(), /*approve=*/false, &out, "车队缺人").ok());
  EXPECT_EQ(out.state(), v1::ABSENCE_STATE_REFUSED);
  EXPECT_EQ(out.decision_note(), "车队缺人");
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d1_id_), v1::ATTENDANCE_STATUS_ABSENT);
  auto twice = Decide(secretary_, asked.id(), /*approve=*/true, &out);
  EXPECT_EQ(twice.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(twice), "id");
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d1_id_), v1::ATTENDANCE_STATUS_ABSENT);
  // Approved once, deciding again is refused the same way.
  auto approved = Approved(d2_, Now() + kDay, Now() + 3 * kDay);
  EXPECT_EQ(Decide(admin_, approved.id(), false, &out, "改了").error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d2_id_), v1::ATTENDANCE_STATUS_EXCUSED);
  // A refused absence cannot be withdrawn (there is nothing to restore).
  EXPECT_EQ(Withdraw(d1_, asked.id(), &out).error_code(), grpc::FAILED_PRECONDITION);
}

TEST_F(AbsenceTest, OnlyTheApproversOfTheirLeaveDecide) {
  auto asked = MustRequest(d1_, Ask(Now() + kDay, Now() + 2 * kDay));
  auto other = MustRequest(d2_, Ask(Now() + kDay, Now() + 2 * kDay));
  server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);
  const std::string sibling_secretary = server_.SignIn("sibling-secretary");
  v1::AbsenceRequest out;
  EXPECT_EQ(Decide(d1_, asked.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);  // own
  EXPECT_EQ(Decide(d1_, other.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Decide(d3_, other.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Decide(sibling_secretary, asked.id(), true, &out).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Decide(outsider_, asked.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Decide(server_.ForeignTenantAdminToken(), asked.id(), true, &out).error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(Decide(secretary_, 424242, true, &out).error_code(), grpc::NOT_FOUND);
  // Nobody's refusal above decided anything.
  for (const auto& a : Mine(d1_)) EXPECT_EQ(a.state(), v1::ABSENCE_STATE_PENDING);

  // Lists: the sibling's secretary and members see nothing of the branch; its secretary and
  // the admin above see the subtree's (the drivers are in the group below the branch).
  v1::ListAbsencesRequest list;
  list.set_organization_id(branch_);
  v1::ListAbsencesResponse listed;
  EXPECT_EQ(calendar_->ListAbsences(Ctx(sibling_secretary).get(), list, &listed).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(calendar_->ListAbsences(Ctx(d1_).get(), list, &listed).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(calendar_->ListAbsences(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.absences_size(), 2);
  list.set_state(v1::ABSENCE_STATE_PENDING);
  list.set_page_size(1);
  ASSERT_TRUE(calendar_->ListAbsences(Ctx(secretary_).get(), list, &listed).ok());
  ASSERT_EQ(listed.absences_size(), 1);
  EXPECT_EQ(listed.absences(0).id(), asked.id());
  EXPECT_FALSE(listed.next_page_token().empty());
  list.set_page_token(listed.next_page_token());
  ASSERT_TRUE(calendar_->ListAbsences(Ctx(secretary_).get(), list, &listed).ok());
  ASSERT_EQ(listed.absences_size(), 1);
  EXPECT_EQ(listed.absences(0).id(), other.id());
  list.set_page_token("");
  list.set_state(v1::ABSENCE_STATE_APPROVED);
  list.set_page_size(0);
  ASSERT_TRUE(calendar_->ListAbsences(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.absences_size(), 0);
  list.set_state(static_cast<v1::AbsenceState>(42));
  EXPECT_EQ(ViolationField(calendar_->ListAbsences(Ctx(secretary_).get(), list, &listed)), "state");
  // Each person lists their own only.
  ASSERT_EQ(Mine(d1_).size(), 1u);
  EXPECT_EQ(Mine(d1_)[0].id(), asked.id());
  EXPECT_TRUE(Mine(d3_).empty());
}

TEST_F(AbsenceTest, NobodyDecidesTheirOwnAbsenceAManagerAboveDoes) {
  auto meeting = MustCreate(Draft(Now() + 2 * kDay));
  auto asked = MustRequest(secretary_, Ask(Now() + kDay, Now() + 3 * kDay));
  v1::AbsenceRequest out;
  EXPECT_EQ(Decide(secretary_, asked.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Mine(secretary_).at(0).state(), v1::ABSENCE_STATE_PENDING);
  EXPECT_EQ(StatusOf(Roster(meeting.id()), secretary_id_), v1::ATTENDANCE_STATUS_ABSENT);
  ASSERT_TRUE(Decide(admin_, asked.id(), true, &out).ok());
  EXPECT_EQ(out.state(), v1::ABSENCE_STATE_APPROVED);
  EXPECT_EQ(StatusOf(Roster(meeting.id()), secretary_id_), v1::ATTENDANCE_STATUS_EXCUSED);
}

TEST_F(AbsenceTest, AfterATransferTheNewBranchDecides) {
  auto asked = MustRequest(d1_, Ask(Now() + kDay, Now() + 3 * kDay));
  v1::UpdatePersonRequest move;
  move.set_request_id(TestServer::RequestId());
  move.mutable_person()->set_id(d1_id_);
  move.mutable_person()->set_organization_id(sibling_);
  move.mutable_update_mask()->add_paths("organization_id");
  v1::Person moved;
  ASSERT_TRUE(server_.people().UpdatePerson(Ctx(admin_).get(), move, &moved).ok());
  server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);
  const std::string sibling_secretary = server_.SignIn("sibling-secretary");
  v1::AbsenceRequest out;
  EXPECT_EQ(Decide(secretary_, asked.id(), true, &out).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Decide(sibling_secretary, asked.id(), true, &out).ok());
  EXPECT_EQ(out.state(), v1::ABSENCE_STATE_APPROVED);
}

TEST_F(AbsenceTest, RefusesBadInputNamingTheFieldAndWritesNothing) {
  struct Case {
    v1::RequestAbsenceRequest request;
    std::string field;
  };
  const int64_t from = Now() + kDay;
  std::vector<Case> cases;
  auto unspecified = Ask(from, from);
  unspecified.set_type(v1::ABSENCE_TYPE_UNSPECIFIED);
  cases.push_back({unspecified, "type"});
  auto unknown = Ask(from, from);
  unknown.set_type(static_cast<v1::AbsenceType>(99));
  cases.push_back({unknown, "type"});
  auto no_from = Ask(from, from);
  no_from.clear_from_date();
  cases.push_back({no_from, "from_date"});
  auto no_to = Ask(from, from);
  no_to.clear_to_date();
  cases.push_back({no_to, "to_date"});
  auto february_30 = Ask(from, from);
  february_30.mutable_from_date()->set_month(2);
  february_30.mutable_from_date()->set_day(30);
  cases.push_back({february_30, "from_date"});
  auto month_13 = Ask(from, from);
  month_13.mutable_to_date()->set_month(13);
  cases.push_back({month_13, "to_date"});
  cases.push_back({Ask(from + 2 * kDay, from), "to_date"});   // before from_date
  cases.push_back({Ask(from, from + 62 * kDay), "to_date"});  // 63 days
  auto no_reason = Ask(from, from);
  no_reason.set_reason("   ");
  cases.push_back({no_reason, "reason"});
  auto long_reason = Ask(from, from);
  std::string text;
  for (int i = 0; i < 501; ++i) text += "货";
  long_reason.set_reason(text);
  cases.push_back({long_reason, "reason"});
  // (Invalid UTF-8 never reaches the service: the request does not parse.)
  auto control = Ask(from, from);
  control.set_reason("出车\x07");
  cases.push_back({control, "reason"});
  for (const auto& c : cases) {
    v1::AbsenceRequest out;
    auto status = Request(d1_, c.request, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT)
        << c.field << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field) << status.error_message();
  }
  EXPECT_TRUE(Mine(d1_).empty());
  // The limits themselves are fine: 500 characters, 62 days.
  auto longest = Ask(from, from + 61 * kDay);
  longest.set_reason(text.substr(0, 500 * 3));
  auto made = MustRequest(d1_, longest);
  EXPECT_EQ(made.reason().size(), 1500u);
  // A service account is never away; an unknown id is NOT_FOUND; a missing one names id.
  v1::AbsenceRequest out;
  EXPECT_EQ(Request(server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ), Ask(from, from), &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(Decide(secretary_, 0, true, &out)), "id");
  EXPECT_EQ(ViolationField(Withdraw(d1_, 0, &out)), "id");
  EXPECT_EQ(Withdraw(d1_, 424242, &out).error_code(), grpc::NOT_FOUND);
}

TEST_F(AbsenceTest, RetryWithTheSameRequestIdReturnsTheFirstAnswer) {
  auto r = Ask(Now() + kDay, Now() + 2 * kDay);
  auto first = MustRequest(d1_, r);
  auto second = MustRequest(d1_, r);
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(Mine(d1_).size(), 1u);

  v1::DecideAbsenceRequest decide;
  decide.set_request_id(TestServer::RequestId());
  decide.set_id(first.id());
  decide.set_approve(true);
  v1::AbsenceRequest a, b;
  ASSERT_TRUE(calendar_->DecideAbsence(Ctx(secretary_).get(), decide, &a).ok());
  // The retry answers the first decision instead of "already decided".
  ASSERT_TRUE(calendar_->DecideAbsence(Ctx(secretary_).get(), decide, &b).ok());
  EXPECT_EQ(b.state(), v1::ABSENCE_STATE_APPROVED);
  EXPECT_EQ(ToMicros(a.decide_time()), ToMicros(b.decide_time()));

  v1::WithdrawAbsenceRequest withdraw;
  withdraw.set_request_id(TestServer::RequestId());
  withdraw.set_id(first.id());
  ASSERT_TRUE(calendar_->WithdrawAbsence(Ctx(d1_).get(), withdraw, &a).ok());
  ASSERT_TRUE(calendar_->WithdrawAbsence(Ctx(d1_).get(), withdraw, &b).ok());
  EXPECT_EQ(b.state(), v1::ABSENCE_STATE_WITHDRAWN);
}

// A held meeting: the driver who checked in during his absence counts as attended, the one
// who did not is excused in the roster, the CSV, the history and the report.
TEST_F(AbsenceTest, ACheckInDuringTheAbsenceCountsAsAttended) {
  const int64_t start = Now() - 90 * kMin;  // over, check-in closed
  auto meeting = MustCreate(Draft(start));
  v1::CheckInResponse checked;
  ASSERT_TRUE(CheckIn(d1_, ByPlace(meeting.id(), kLat, kLon, start), &checked).ok());
  Approved(d1_, start - kDay, start + kDay);
  auto absence = Approved(d2_, start, start);
  auto roster = Roster(meeting.id());
  EXPECT_EQ(StatusOf(roster, d1_id_), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(EntryOf(roster, d1_id_)->absence_id(), 0u);
  EXPECT_EQ(StatusOf(roster, d2_id_), v1::ATTENDANCE_STATUS_EXCUSED);
  EXPECT_EQ(EntryOf(roster, d2_id_)->absence_id(), absence.id());
  EXPECT_EQ(roster.counts().present(), 1);
  EXPECT_EQ(roster.counts().excused(), 1);
  EXPECT_EQ(roster.counts().absent(), 2);  // secretary, d3

  // The roster CSV shows the absence in the leave column.
  v1::ExportRosterRequest export_request;
  export_request.set_meeting_id(meeting.id());
  auto ctx = Ctx(secretary_);
  auto reader = stub_->ExportRoster(ctx.get(), export_request);
  std::string csv;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_NE(csv.find("请假（" + Label(start, start) + "）：去西安送货"), std::string::npos) << csv;

  v1::GetAttendanceHistoryRequest h;
  h.set_person_id(d2_id_);
  *h.mutable_start_time_from() = Ts(start - kHour);
  *h.mutable_start_time_to() = Ts(Now());
  v1::AttendanceHistory history;
  ASSERT_TRUE(stub_->GetAttendanceHistory(Ctx(secretary_).get(), h, &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_EQ(history.entries(0).status(), v1::ATTENDANCE_STATUS_EXCUSED);
  EXPECT_EQ(history.entries(0).absence_label(), Label(start, start));
  h.set_person_id(d1_id_);
  ASSERT_TRUE(stub_->GetAttendanceHistory(Ctx(secretary_).get(), h, &history).ok());
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_EQ(history.entries(0).status(), v1::ATTENDANCE_STATUS_PRESENT);

  v1::GetAttendanceReportRequest r;
  r.set_organization_id(branch_);
  *r.mutable_start_time_from() = Ts(start - kHour);
  *r.mutable_start_time_to() = Ts(Now());
  v1::AttendanceReport report;
  ASSERT_TRUE(stub_->GetAttendanceReport(Ctx(secretary_).get(), r, &report).ok());
  EXPECT_EQ(report.total().counts().expected(), 4);
  EXPECT_EQ(report.total().counts().present(), 1);
  EXPECT_EQ(report.total().counts().excused(), 1);
  EXPECT_EQ(report.total().counts().absent(), 2);

  // Withdrawn, d2 is absent again everywhere.
  v1::AbsenceRequest out;
  ASSERT_TRUE(Withdraw(d2_, absence.id(), &out).ok());
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d2_id_), v1::ATTENDANCE_STATUS_ABSENT);
  ASSERT_TRUE(stub_->GetAttendanceReport(Ctx(secretary_).get(), r, &report).ok());
  EXPECT_EQ(report.total().counts().excused(), 0);
  EXPECT_EQ(report.total().counts().absent(), 3);
}

}  // namespace
}  // namespace branchline::testing
