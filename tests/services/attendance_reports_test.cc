// AttendanceService rosters, histories, reports, schedules, compliance and CSV exports.
#include <map>
#include <set>
#include <sstream>

#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "services/common/local_day.h"
#include "tests/services/attendance_fixture.h"

namespace branchline::testing {
namespace {

using ReportsTest = AttendanceTest;
constexpr double kLat = 39.9042, kLon = 116.4074;

class ReportsWithMeetings : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    start_ = Now() - 90 * kMin;  // over (one hour long), check-in closed
    safety_ = MustCreate(Draft(start_));
    auto lecture = Draft(start_, v1::MEETING_TYPE_PARTY_LECTURE);
    lecture.set_organization_id(group_);
    lecture.mutable_audience()->set_organization_id(group_);
    lecture_ = MustCreate(lecture);
    v1::CheckInResponse out;
    // Safety meeting: d1 present, d2 late, d3 remote, secretary absent.
    ASSERT_TRUE(CheckIn(d1_, ByPlace(safety_.id(), kLat, kLon, start_), &out).ok());
    ASSERT_TRUE(CheckIn(d2_, ByPlace(safety_.id(), kLat, kLon, start_ + 20 * kMin), &out).ok());
    auto remote = Remote(safety_.id(), v1::REMOTE_REASON_DRIVING);
    *remote.mutable_device_time() = Ts(start_ + kMin);
    ASSERT_TRUE(CheckIn(d3_, remote, &out).ok());
    // Lecture (the group: three drivers): d1 present only.
    ASSERT_TRUE(CheckIn(d1_, ByPlace(lecture_.id(), kLat, kLon, start_), &out).ok());
  }
  int64_t start_ = 0;
  v1::Meeting safety_, lecture_;
};

TEST_F(ReportsWithMeetings, RosterListsEveryoneWithCountsAndPages) {
  auto roster = Roster(safety_.id());
  EXPECT_EQ(roster.counts().expected(), 4);
  EXPECT_EQ(roster.counts().present(), 1);
  EXPECT_EQ(roster.counts().late(), 1);
  EXPECT_EQ(roster.counts().remote(), 1);
  EXPECT_EQ(roster.counts().absent(), 1);
  EXPECT_EQ(StatusOf(roster, secretary_id_), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_EQ(StatusOf(roster, d2_id_), v1::ATTENDANCE_STATUS_LATE);
  for (const auto& e : roster.entries()) EXPECT_FALSE(e.display_name().empty());

  v1::GetRosterRequest r;
  r.set_meeting_id(safety_.id());
  r.set_page_size(3);
  std::set<uint64_t> people;
  int pages = 0;
  do {
    v1::Roster page;
    ASSERT_TRUE(stub_->GetRoster(Ctx(secretary_).get(), r, &page).ok());
    EXPECT_EQ(page.counts().expected(), 4);  // counts cover the whole roster on every page
    for (auto& e : page.entries()) EXPECT_TRUE(people.insert(e.person_id()).second);
    r.set_page_token(page.next_page_token());
    ++pages;
  } while (!r.page_token().empty());
  EXPECT_EQ(people.size(), 4u);
  EXPECT_EQ(pages, 2);
  r.set_page_token("nonsense");
  v1::Roster bad;
  EXPECT_EQ(ViolationField(stub_->GetRoster(Ctx(secretary_).get(), r, &bad)), "page_token");
  r.set_page_token("");
  EXPECT_EQ(stub_->GetRoster(Ctx(d1_).get(), r, &bad).error_code(), grpc::PERMISSION_DENIED);
}

TEST_F(ReportsWithMeetings, HistoryOfAPersonWithRates) {
  v1::GetAttendanceHistoryRequest r;
  *r.mutable_start_time_from() = Ts(start_ - kHour);
  *r.mutable_start_time_to() = Ts(Now());
  v1::AttendanceHistory history;
  ASSERT_TRUE(stub_->GetAttendanceHistory(Ctx(d2_).get(), r, &history).ok());  // own
  ASSERT_EQ(history.entries_size(), 2);
  EXPECT_EQ(history.rates().counts().expected(), 2);
  EXPECT_EQ(history.rates().counts().late(), 1);
  EXPECT_EQ(history.rates().counts().absent(), 1);
  EXPECT_DOUBLE_EQ(history.rates().attendance_rate(), 0.5);

  r.set_person_id(d2_id_);
  EXPECT_TRUE(stub_->GetAttendanceHistory(Ctx(secretary_).get(), r, &history).ok());
  EXPECT_EQ(stub_->GetAttendanceHistory(Ctx(d1_).get(), r, &history).error_code(),
            grpc::PERMISSION_DENIED);
  r.clear_start_time_to();
  EXPECT_EQ(ViolationField(stub_->GetAttendanceHistory(Ctx(d2_).get(), r, &history)),
            "start_time_to");
  *r.mutable_start_time_to() = Ts(Now() + 500LL * 24 * kHour);
  EXPECT_EQ(ViolationField(stub_->GetAttendanceHistory(Ctx(d2_).get(), r, &history)),
            "start_time_to");
}

TEST_F(ReportsWithMeetings, SubtreeReportByTypeAndSubOrganization) {
  v1::GetAttendanceReportRequest r;
  r.set_organization_id(branch_);
  *r.mutable_start_time_from() = Ts(start_ - kHour);
  *r.mutable_start_time_to() = Ts(Now());
  v1::AttendanceReport report;
  ASSERT_TRUE(stub_->GetAttendanceReport(Ctx(secretary_).get(), r, &report).ok());
  EXPECT_EQ(report.meetings(), 2);
  EXPECT_EQ(report.total().counts().expected(), 7);  // 4 + 3
  EXPECT_EQ(report.total().counts().present(), 2);
  EXPECT_EQ(report.total().counts().absent(), 3);
  ASSERT_EQ(report.by_type_size(), 2);
  for (const auto& t : report.by_type()) {
    if (t.type() == v1::MEETING_TYPE_PARTY_LECTURE) {
      EXPECT_EQ(t.rates().counts().expected(), 3);
      EXPECT_NEAR(t.rates().attendance_rate(), 1.0 / 3, 1e-9);
    } else {
      EXPECT_EQ(t.type(), v1::MEETING_TYPE_SAFETY_MEETING);
      EXPECT_DOUBLE_EQ(t.rates().attendance_rate(), 0.75);
    }
  }
  ASSERT_EQ(report.by_organization_size(), 2);  // the branch itself and its group
  for (const auto& o : report.by_organization()) {
    EXPECT_EQ(o.meetings(), 1);
    EXPECT_EQ(o.name(), o.organization_id() == group_ ? "驾驶员一组" : "运输四队党支部");
  }
  EXPECT_EQ(stub_->GetAttendanceReport(Ctx(d1_).get(), r, &report).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(ReportsWithMeetings, ExportsAreCsvWithBom) {
  v1::ExportRosterRequest r;
  r.set_meeting_id(safety_.id());
  auto ctx = Ctx(secretary_);
  auto reader = stub_->ExportRoster(ctx.get(), r);
  std::string csv;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("张师傅"), std::string::npos);
  EXPECT_NE(csv.find("迟到"), std::string::npos);
  EXPECT_NE(csv.find("缺席"), std::string::npos);

  v1::ExportAttendanceReportRequest report;
  report.set_organization_id(branch_);
  *report.mutable_start_time_from() = Ts(start_ - kHour);
  *report.mutable_start_time_to() = Ts(Now());
  auto ctx2 = Ctx(secretary_);
  auto report_reader = stub_->ExportAttendanceReport(ctx2.get(), report);
  csv.clear();
  while (report_reader->Read(&chunk)) csv += chunk.data();
  ASSERT_TRUE(report_reader->Finish().ok());
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("党课"), std::string::npos);
  EXPECT_NE(csv.find("驾驶员一组"), std::string::npos);

  auto ctx3 = Ctx(d1_);
  auto denied = stub_->ExportRoster(ctx3.get(), r);
  while (denied->Read(&chunk)) {
  }
  EXPECT_EQ(denied->Finish().error_code(), grpc::PERMISSION_DENIED);
}

// Splits a CSV without quoted fields into lines of fields (the fixture's texts have none).
std::vector<std::vector<std::string>> CsvRows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(csv.substr(3));  // after the BOM
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    if (!line.empty() && line.back() == ',') fields.push_back("");
    rows.push_back(std::move(fields));
  }
  return rows;
}

TEST_F(ReportsTest, RosterCsvNamesTheTeamEmployeeNumberAndLeaveReason) {
  auto m = MustCreate(Draft(Now() + 2 * kHour));
  auto ask = [&](const std::string& token, const std::string& reason) {
    v1::RequestLeaveRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(m.id());
    r.set_reason(reason);
    v1::LeaveRequest leave;
    ASSERT_TRUE(stub_->RequestLeave(Ctx(token).get(), r, &leave).ok());
  };
  ask(d1_, "出车去新疆");
  ask(d2_, "家中有事");
  v1::DecideLeaveRequest decide;
  decide.set_request_id(TestServer::RequestId());
  decide.set_meeting_id(m.id());
  decide.set_person_id(d1_id_);
  decide.set_approve(true);
  v1::LeaveRequest decided;
  ASSERT_TRUE(stub_->DecideLeave(Ctx(secretary_).get(), decide, &decided).ok());

  std::string csv = RosterCsv(m.id());
  auto rows = CsvRows(csv);
  ASSERT_EQ(rows.size(), 2u + 4u);  // meeting line, headers, secretary and three drivers
  EXPECT_EQ(rows[1][0], "工号 employee_number");
  EXPECT_EQ(rows[1][2], "班组 organization");
  EXPECT_EQ(rows[1][7], "请假事由 leave_reason");
  std::map<std::string, std::vector<std::string>> by_number;
  for (size_t i = 2; i < rows.size(); ++i) by_number[rows[i][0]] = rows[i];
  ASSERT_EQ(by_number.count("d1"), 1u);
  EXPECT_EQ(by_number["d1"][1], "张师傅");
  EXPECT_EQ(by_number["d1"][2], "驾驶员一组");
  EXPECT_EQ(by_number["d1"][3], "请假");
  EXPECT_EQ(by_number["d1"][7], "出车去新疆");
  EXPECT_EQ(by_number["d1"][9], std::to_string(d1_id_));
  EXPECT_EQ(by_number["d2"][3], "缺席");
  EXPECT_EQ(by_number["d2"][7], "家中有事（待审批）");
  EXPECT_EQ(by_number["d3"][7], "");
  EXPECT_EQ(by_number["sec"][2], "运输四队党支部");
}

TEST_F(ReportsTest, RosterOfAListedAudienceKeepsPeopleWhoCheckedInAndLeft) {
  auto d = Draft(Now() + 10 * kMin);
  d.mutable_audience()->add_person_ids(d1_id_);
  d.mutable_audience()->add_person_ids(d2_id_);
  auto m = MustCreate(d);
  v1::CheckInResponse out;
  ASSERT_TRUE(CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_ON_DUTY), &out).ok());
  EXPECT_EQ(CheckIn(d3_, Remote(m.id(), v1::REMOTE_REASON_ON_DUTY), &out).error_code(),
            grpc::PERMISSION_DENIED);  // not listed
  auto roster = Roster(m.id());
  EXPECT_EQ(roster.counts().expected(), 2);
  EXPECT_EQ(roster.counts().remote(), 1);
  EXPECT_EQ(roster.counts().absent(), 1);

  // d1 leaves the audience after checking in: their check-in still shows.
  v1::UpdateMeetingRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_meeting()->set_id(m.id());
  update.mutable_meeting()->mutable_audience()->add_person_ids(d2_id_);
  update.mutable_update_mask()->add_paths("audience");
  v1::Meeting updated;
  ASSERT_TRUE(stub_->UpdateMeeting(Ctx(secretary_).get(), update, &updated).ok());
  roster = Roster(m.id());
  EXPECT_EQ(roster.counts().expected(), 2);
  EXPECT_EQ(StatusOf(roster, d1_id_), v1::ATTENDANCE_STATUS_REMOTE);
  v1::ListMyMeetingsRequest mine;
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(stub_->ListMyMeetings(Ctx(d1_).get(), mine, &listed).ok());
  EXPECT_EQ(listed.meetings_size(), 0);  // the index followed the audience change
}

// by_team: a branch with two teams (the second with a nested crew), an empty team and people
// directly in the branch. The branch holds meetings for its whole subtree, a team holds one
// for itself, one has a listed audience; check-ins, marks, a make-up, absences over dates and
// a person deactivated after checking in. The expected figures are counted here from what the
// test did, person by person, and must match by_team; by_team must add up to the total; the
// empty team has no row (a row of zeros would read as 0 % attendance); the CSV has the rows.
TEST_F(ReportsTest, ByTeamAttributesEachPersonToTheirTeam) {
  auto calendar = v1::CalendarService::NewStub(server_.channel());
  auto people = v1::PersonService::NewStub(server_.channel());
  const uint64_t team2 =
      server_.CreateOrg(admin_, branch_, "驾驶员二组", v1::ORGANIZATION_KIND_GROUP).id();
  const uint64_t crew =
      server_.CreateOrg(admin_, team2, "二组夜班", v1::ORGANIZATION_KIND_GROUP).id();
  const uint64_t empty =
      server_.CreateOrg(admin_, branch_, "维修组", v1::ORGANIZATION_KIND_GROUP).id();
  const uint64_t m1 = server_.CreatePerson(admin_, branch_, "钱干事", "m1").id();
  const uint64_t e1 = server_.CreatePerson(admin_, team2, "孙师傅", "e1").id();
  const uint64_t e2 = server_.CreatePerson(admin_, crew, "周师傅", "e2").id();
  const uint64_t e3 = server_.CreatePerson(admin_, crew, "吴师傅", "e3").id();
  std::map<uint64_t, uint64_t> team_of = {
      {secretary_id_, branch_}, {m1, branch_}, {d1_id_, group_}, {d2_id_, group_},
      {d3_id_, group_},         {e1, team2},   {e2, team2},      {e3, team2}};

  // Meetings on the last three local days (China Standard Time), all over.
  const int64_t today = LocalDay(Now(), 480);
  auto at = [&](int days_ago, int hour) {
    return LocalDayStartMicros(today - days_ago, 480) + hour * kHour;
  };
  struct Held {
    v1::Meeting meeting;
    std::set<uint64_t> audience;  // filled once everyone's status is final
  };
  std::vector<Held> held;
  auto hold = [&](int64_t start, uint64_t org, v1::MeetingType type,
                  const std::vector<uint64_t>& listed = {}) -> uint64_t {
    auto d = Draft(start, type);
    d.set_organization_id(org);
    d.mutable_audience()->set_organization_id(org);
    for (uint64_t id : listed) d.mutable_audience()->add_person_ids(id);
    held.push_back({MustCreate(d), {}});
    return held.back().meeting.id();
  };
  const uint64_t a = hold(at(1, 9), branch_, v1::MEETING_TYPE_SAFETY_MEETING);
  const uint64_t team_meeting = hold(at(1, 15), team2, v1::MEETING_TYPE_GROUP_MEETING);
  const uint64_t b = hold(at(2, 9), branch_, v1::MEETING_TYPE_SAFETY_MEETING);
  const uint64_t listed =
      hold(at(2, 14), branch_, v1::MEETING_TYPE_COMMITTEE_MEETING, {d1_id_, e1});
  const uint64_t c = hold(at(3, 9), branch_, v1::MEETING_TYPE_PARTY_LECTURE);
  MustCreate(Draft(Now() + 2 * kHour));  // not held yet: in no figure

  std::map<std::pair<uint64_t, uint64_t>, v1::AttendanceStatus> recorded;  // meeting, person
  auto mark = [&](uint64_t meeting, uint64_t person, v1::AttendanceStatus status) {
    Mark(meeting, person, status);
    recorded[{meeting, person}] = status;
  };
  auto make_up = [&](const std::string& token, uint64_t person, uint64_t meeting) {
    v1::RecordMakeUpRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_meeting_id(meeting);
    r.set_minutes(45);
    v1::AttendanceRecord out;
    auto result = stub_->RecordMakeUp(Ctx(token).get(), r, &out);
    ASSERT_TRUE(result.ok()) << result.error_message();
    recorded[{meeting, person}] = v1::ATTENDANCE_STATUS_MADE_UP;
  };
  std::map<uint64_t, int64_t> away_on;  // person -> the one local day of their absence
  auto away = [&](const std::string& login, uint64_t person, int days_ago) {
    const auto date = DayToCivil(today - days_ago);
    v1::RequestAbsenceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_type(v1::ABSENCE_TYPE_BUSINESS_TRIP);
    r.mutable_from_date()->set_year(date.year);
    r.mutable_from_date()->set_month(date.month);
    r.mutable_from_date()->set_day(date.day);
    *r.mutable_to_date() = r.from_date();
    r.set_reason("出车");
    v1::AbsenceRequest asked, decided;
    auto result = calendar->RequestAbsence(Ctx(server_.SignIn(login)).get(), r, &asked);
    ASSERT_TRUE(result.ok()) << result.error_message();
    v1::DecideAbsenceRequest decide;
    decide.set_request_id(TestServer::RequestId());
    decide.set_id(asked.id());
    decide.set_approve(true);
    result = calendar->DecideAbsence(Ctx(secretary_).get(), decide, &decided);
    ASSERT_TRUE(result.ok()) << result.error_message();
    away_on[person] = today - days_ago;
  };

  // A (branch, everyone): the group fine, team 2 thin, e2 away that day, e3 present and then
  // deactivated (their check-in still counts, under their team, and they stay expected at
  // every meeting before the deactivation).
  mark(a, d1_id_, v1::ATTENDANCE_STATUS_PRESENT);
  mark(a, d2_id_, v1::ATTENDANCE_STATUS_LATE);
  mark(a, d3_id_, v1::ATTENDANCE_STATUS_PRESENT);  // away that day too: the check-in wins
  mark(a, secretary_id_, v1::ATTENDANCE_STATUS_PRESENT);
  mark(a, e3, v1::ATTENDANCE_STATUS_PRESENT);
  mark(a, e1, v1::ATTENDANCE_STATUS_ABSENT);
  away("e2", e2, 1);
  away("d3", d3_id_, 1);
  // The team's own meeting, the same day: e1 remote, e2 excused by the absence.
  mark(team_meeting, e1, v1::ATTENDANCE_STATUS_REMOTE);
  // B: m1 marked absent but away (excused), d2 made up, e1 present, the rest absent.
  mark(b, m1, v1::ATTENDANCE_STATUS_ABSENT);
  away("m1", m1, 2);
  make_up(d2_, d2_id_, b);
  mark(b, e1, v1::ATTENDANCE_STATUS_PRESENT);
  // The listed meeting: d1 late, e1 absent.
  mark(listed, d1_id_, v1::ATTENDANCE_STATUS_LATE);
  // C: the lecture; e1 made it up, e2 remote, d1 present.
  make_up(server_.SignIn("e1"), e1, c);
  mark(c, e2, v1::ATTENDANCE_STATUS_REMOTE);
  mark(c, d1_id_, v1::ATTENDANCE_STATUS_PRESENT);
  v1::DeactivatePersonRequest deactivate;
  deactivate.set_request_id(TestServer::RequestId());
  deactivate.set_id(e3);
  v1::Person deactivated;
  ASSERT_TRUE(people->DeactivatePerson(Ctx(admin_).get(), deactivate, &deactivated).ok());

  // Who each meeting expected on its date: the subtree of its organisation (e3 too: deactivated
  // today, after every meeting, so on each roster; memberships with dates), or its list.
  for (auto& h : held) {
    if (h.meeting.audience().person_ids_size() > 0) {
      h.audience.insert(h.meeting.audience().person_ids().begin(),
                        h.meeting.audience().person_ids().end());
      continue;
    }
    for (const auto& [person, team] : team_of) {
      if (h.meeting.organization_id() == branch_ ||
          (h.meeting.organization_id() == team2 && team == team2)) {
        h.audience.insert(person);
      }
    }
  }
  // The expected figures, person by person.
  std::map<uint64_t, v1::StatusCounts> want;
  std::map<uint64_t, int> want_meetings;
  for (const auto& h : held) {
    std::set<uint64_t> counted = h.audience;
    for (const auto& [key, status] : recorded) {
      if (key.first == h.meeting.id()) counted.insert(key.second);
    }
    std::set<uint64_t> teams_here;
    for (uint64_t person : counted) {
      auto it = recorded.find({h.meeting.id(), person});
      auto status = it == recorded.end() ? v1::ATTENDANCE_STATUS_ABSENT : it->second;
      auto away_it = away_on.find(person);
      if (status == v1::ATTENDANCE_STATUS_ABSENT && h.audience.count(person) &&
          away_it != away_on.end() &&
          away_it->second == LocalDay(ToMicros(h.meeting.start_time()), 480)) {
        status = v1::ATTENDANCE_STATUS_EXCUSED;
      }
      auto& w = want[team_of.at(person)];
      w.set_expected(w.expected() + 1);
      if (status == v1::ATTENDANCE_STATUS_PRESENT) w.set_present(w.present() + 1);
      if (status == v1::ATTENDANCE_STATUS_LATE) w.set_late(w.late() + 1);
      if (status == v1::ATTENDANCE_STATUS_REMOTE) w.set_remote(w.remote() + 1);
      if (status == v1::ATTENDANCE_STATUS_EXCUSED) w.set_excused(w.excused() + 1);
      if (status == v1::ATTENDANCE_STATUS_MADE_UP) w.set_made_up(w.made_up() + 1);
      if (status == v1::ATTENDANCE_STATUS_ABSENT) w.set_absent(w.absent() + 1);
      teams_here.insert(team_of.at(person));
    }
    for (uint64_t team : teams_here) ++want_meetings[team];
  }
  // The scenario covers every status in every team that had people.
  ASSERT_EQ(want.size(), 3u);
  EXPECT_GT(want[team2].excused(), 0);
  EXPECT_GT(want[team2].made_up(), 0);
  EXPECT_GT(want[branch_].excused(), 0);

  v1::GetAttendanceReportRequest r;
  r.set_organization_id(branch_);
  *r.mutable_start_time_from() = Ts(at(4, 0));
  *r.mutable_start_time_to() = Ts(Now());
  v1::AttendanceReport report;
  ASSERT_TRUE(stub_->GetAttendanceReport(Ctx(secretary_).get(), r, &report).ok());
  EXPECT_EQ(report.meetings(), 5);
  const std::map<uint64_t, std::string> names = {
      {branch_, "运输四队党支部"}, {group_, "驾驶员一组"}, {team2, "驾驶员二组"}};
  v1::StatusCounts sum;
  std::vector<uint64_t> order;
  for (const auto& row : report.by_team()) {
    SCOPED_TRACE(row.name());
    order.push_back(row.organization_id());
    EXPECT_NE(row.organization_id(), empty);
    EXPECT_NE(row.organization_id(), crew);  // counted under its team
    ASSERT_EQ(want.count(row.organization_id()), 1u);
    EXPECT_EQ(row.name(), names.at(row.organization_id()));
    EXPECT_EQ(row.meetings(), want_meetings[row.organization_id()]);
    const auto& got = row.rates().counts();
    const auto& w = want[row.organization_id()];
    EXPECT_EQ(got.DebugString(), w.DebugString());
    const double attended = w.present() + w.late() + w.remote();
    EXPECT_DOUBLE_EQ(row.rates().attendance_rate(), attended / w.expected());
    EXPECT_DOUBLE_EQ(row.rates().completion_rate(),
                     (attended + w.excused() + w.made_up()) / w.expected());
    sum.set_expected(sum.expected() + got.expected());
    sum.set_present(sum.present() + got.present());
    sum.set_late(sum.late() + got.late());
    sum.set_remote(sum.remote() + got.remote());
    sum.set_excused(sum.excused() + got.excused());
    sum.set_made_up(sum.made_up() + got.made_up());
    sum.set_absent(sum.absent() + got.absent());
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{branch_, group_, team2})) << "sorted by id";
  // The sum check: every person-meeting of the total is in exactly one team.
  EXPECT_EQ(sum.DebugString(), report.total().counts().DebugString());
  // by_organization still counts each meeting whole under the organisation that held it.
  ASSERT_EQ(report.by_organization_size(), 2);
  EXPECT_EQ(report.by_organization(1).organization_id(), team2);
  EXPECT_EQ(report.by_organization(1).meetings(), 1);

  // The CSV: one 班组 row per team, with the figures of by_team.
  v1::ExportAttendanceReportRequest export_request;
  export_request.set_organization_id(branch_);
  *export_request.mutable_start_time_from() = r.start_time_from();
  *export_request.mutable_start_time_to() = r.start_time_to();
  std::vector<std::vector<std::string>> team_rows;
  for (auto& row : CsvRows(ReportCsv(export_request))) {
    if (row[0] == "班组") team_rows.push_back(std::move(row));
  }
  ASSERT_EQ(team_rows.size(), 3u);
  for (size_t i = 0; i < team_rows.size(); ++i) {
    const auto& t = report.by_team(i);
    EXPECT_EQ(team_rows[i][1], t.name());
    EXPECT_EQ(team_rows[i][2], std::to_string(t.meetings()));
    EXPECT_EQ(team_rows[i][3], std::to_string(t.rates().counts().expected()));
    EXPECT_EQ(team_rows[i][9], std::to_string(t.rates().counts().absent()));
  }
}

TEST_F(ReportsTest, ScheduleDefaultsInheritanceAndValidation) {
  v1::GetMeetingScheduleRequest get;
  get.set_organization_id(group_);
  v1::MeetingSchedule schedule;
  ASSERT_TRUE(stub_->GetMeetingSchedule(Ctx(secretary_).get(), get, &schedule).ok());
  EXPECT_EQ(schedule.source_organization_id(), 0u);  // the regulation defaults
  EXPECT_EQ(schedule.rules_size(), 6);

  v1::SetMeetingScheduleRequest set;
  set.set_request_id(TestServer::RequestId());
  set.mutable_schedule()->set_organization_id(branch_);
  auto* rule = set.mutable_schedule()->add_rules();
  rule->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
  rule->set_frequency(v1::SCHEDULE_FREQUENCY_MONTHLY);
  rule->set_min_count(4);
  *set.mutable_schedule()->add_rules() = *rule;
  EXPECT_EQ(ViolationField(stub_->SetMeetingSchedule(Ctx(secretary_).get(), set, &schedule)),
            "schedule.rules");
  set.mutable_schedule()->mutable_rules()->RemoveLast();
  EXPECT_EQ(stub_->SetMeetingSchedule(Ctx(d1_).get(), set, &schedule).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->SetMeetingSchedule(Ctx(secretary_).get(), set, &schedule).ok());
  EXPECT_EQ(schedule.source_organization_id(), branch_);
  ASSERT_TRUE(stub_->GetMeetingSchedule(Ctx(secretary_).get(), get, &schedule).ok());
  EXPECT_EQ(schedule.source_organization_id(), branch_);  // inherited by the group
  ASSERT_EQ(schedule.rules_size(), 1);
  EXPECT_EQ(schedule.rules(0).min_count(), 4);

  set.set_request_id(TestServer::RequestId());
  set.mutable_schedule()->clear_rules();  // back to the defaults
  ASSERT_TRUE(stub_->SetMeetingSchedule(Ctx(secretary_).get(), set, &schedule).ok());
  EXPECT_EQ(schedule.source_organization_id(), 0u);
  EXPECT_EQ(schedule.rules_size(), 6);
}

TEST_F(ReportsTest, ComplianceOverAPreparedYear) {
  // Last year, in China Standard Time: the branch held everything the regulations ask
  // except the Q4 general meeting, March's committee meeting and two theme party days; a
  // cancelled general meeting in Q4 does not count.
  int year = DayToCivil(LocalDay(Now(), 480)).year - 1;
  auto at = [&](int month, int day) {
    return LocalDayStartMicros(CivilToDay(year, month, day), 480) + 9 * kHour;
  };
  auto hold = [&](v1::MeetingType type, int month, int day, uint64_t org) {
    auto d = Draft(at(month, day), type);
    d.set_organization_id(org);
    d.mutable_audience()->set_organization_id(org);
    return MustCreate(d);
  };
  for (int q = 0; q < 3; ++q) hold(v1::MEETING_TYPE_GENERAL_MEETING, q * 3 + 2, 10, branch_);
  auto cancelled = hold(v1::MEETING_TYPE_GENERAL_MEETING, 11, 10, branch_);
  Cancel(cancelled.id(), "改期");
  for (int month = 1; month <= 12; ++month) {
    if (month != 3) hold(v1::MEETING_TYPE_COMMITTEE_MEETING, month, 5, branch_);
    hold(v1::MEETING_TYPE_GROUP_MEETING, month, 20, group_);  // held by the group
    if (month != 7 && month != 8) hold(v1::MEETING_TYPE_THEME_PARTY_DAY, month, 1, branch_);
  }
  for (int q = 0; q < 4; ++q) hold(v1::MEETING_TYPE_PARTY_LECTURE, q * 3 + 1, 15, branch_);
  hold(v1::MEETING_TYPE_ORGANIZATIONAL_LIFE, 12, 28, branch_);
  hold(v1::MEETING_TYPE_SAFETY_MEETING, 6, 1, branch_);  // not in the schedule: ignored
  // An empty branch next to it misses everything.
  auto empty = server_.CreateOrg(admin_, root_, "空支部");

  v1::GetComplianceReportRequest r;
  r.set_organization_id(root_);
  r.set_year(year);
  v1::ComplianceReport report;
  ASSERT_TRUE(stub_->GetComplianceReport(Ctx(admin_).get(), r, &report).ok());
  ASSERT_EQ(report.branches_size(), 3);  // branch, sibling, empty (groups are not branches)
  const v1::BranchCompliance* ours = nullptr;
  for (const auto& b : report.branches()) {
    if (b.organization_id() == branch_) ours = &b;
    if (b.organization_id() == empty.id()) {
      EXPECT_FALSE(b.compliant());
      EXPECT_EQ(b.missing_size(), 4 + 12 + 12 + 4 + 12 + 1);
    }
  }
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->periods_size(), 4 + 12 + 12 + 4 + 12 + 1);
  EXPECT_FALSE(ours->compliant());
  std::set<std::string> missing;
  for (const auto& p : ours->missing()) {
    EXPECT_EQ(p.state(), v1::PERIOD_STATE_MISSED);
    EXPECT_EQ(p.held(), 0);
    missing.insert(std::to_string(p.type()) + " " + p.period());
  }
  std::string y = std::to_string(year);
  EXPECT_EQ(missing, (std::set<std::string>{
                         std::to_string(v1::MEETING_TYPE_GENERAL_MEETING) + " " + y + "-Q4",
                         std::to_string(v1::MEETING_TYPE_COMMITTEE_MEETING) + " " + y + "-03",
                         std::to_string(v1::MEETING_TYPE_THEME_PARTY_DAY) + " " + y + "-07",
                         std::to_string(v1::MEETING_TYPE_THEME_PARTY_DAY) + " " + y + "-08",
                     }));

  // Only the branch, through the branch itself; members may not read it; bad years.
  r.set_organization_id(branch_);
  ASSERT_TRUE(stub_->GetComplianceReport(Ctx(secretary_).get(), r, &report).ok());
  ASSERT_EQ(report.branches_size(), 1);
  EXPECT_EQ(report.branches(0).missing_size(), 4);
  EXPECT_EQ(stub_->GetComplianceReport(Ctx(d1_).get(), r, &report).error_code(),
            grpc::PERMISSION_DENIED);
  r.set_year(1999);
  EXPECT_EQ(ViolationField(stub_->GetComplianceReport(Ctx(secretary_).get(), r, &report)), "year");

  // This year's months that are not over yet are DUE, not missed.
  r.set_year(year + 1);
  ASSERT_TRUE(stub_->GetComplianceReport(Ctx(secretary_).get(), r, &report).ok());
  bool due = false;
  for (const auto& p : report.branches(0).periods()) due |= p.state() == v1::PERIOD_STATE_DUE;
  EXPECT_TRUE(due);
}

}  // namespace
}  // namespace branchline::testing
