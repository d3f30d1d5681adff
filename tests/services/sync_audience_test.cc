// Audiences in the change feed: a member is told through ListChanges and WatchChanges only of
// what they may read, and every change they are told of answers its Get call. (Issue #19,
// finding 10: a meeting for two people, a notice for one driver and a plan item for one person
// reached every member of the branch, whose Get then answered PERMISSION_DENIED.) And audiences
// of party members only (issue #24): a branch's 三会一课 expect its party members, not its
// employees or activists, in every service that counts or tells an audience.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {
namespace {

class SyncAudienceTest : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    sync_ = v1::SyncService::NewStub(server_.channel());
    study_ = v1::StudyService::NewStub(server_.channel());
    // In the branch itself, not in the driver group below it.
    d4_id_ = server_.CreatePerson(admin_, branch_, "钱师傅", "d4").id();
    d4_ = server_.SignIn("d4");
  }

  static v1::Audience People(std::initializer_list<uint64_t> ids) {
    v1::Audience audience;
    for (uint64_t id : ids) audience.add_person_ids(id);
    return audience;
  }
  static v1::Audience Org(uint64_t id) {
    v1::Audience audience;
    audience.set_organization_id(id);
    return audience;
  }

  uint64_t Meeting(const v1::Audience& audience) {
    auto draft = Draft(Now() + 2 * kHour);
    *draft.mutable_audience() = audience;
    return MustCreate(draft).id();
  }
  uint64_t Notice(const v1::Audience& audience) {
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(branch_);
    *r.mutable_notice()->mutable_audience() = audience;
    r.mutable_notice()->set_title("体检通知");
    r.mutable_notice()->set_body("请于周三到职工医院体检。");
    v1::Notice out;
    auto status = sync_->PostNotice(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }
  static v1::StudyPlanItem Item(const std::string& topic, const v1::Audience& audience) {
    v1::StudyPlanItem item;
    item.set_topic(topic);
    item.set_required_minutes(60);
    item.set_due_date(std::to_string(kYear) + "-12-31");
    *item.mutable_audience() = audience;
    return item;
  }
  uint64_t Plan(std::initializer_list<v1::StudyPlanItem> items) {
    v1::CreateStudyPlanRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_plan()->set_organization_id(branch_);
    r.mutable_plan()->set_year(kYear);
    r.mutable_plan()->set_title("年度学习计划");
    for (const auto& item : items) *r.mutable_plan()->add_items() = item;
    v1::StudyPlan out;
    auto status = study_->CreateStudyPlan(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }

  std::string Cursor(const std::string& token) { return Changes(token, "").next_cursor(); }
  v1::ListChangesResponse Changes(const std::string& token, const std::string& cursor) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    v1::ListChangesResponse out;
    auto status = sync_->ListChanges(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  // The status of the Get call that reads the record a change names.
  grpc::Status GetRecord(const std::string& token, const v1::Change& change) {
    if (change.kind() == "meeting") {
      v1::GetMeetingRequest r;
      r.set_id(change.record_id());
      v1::Meeting out;
      return stub_->GetMeeting(Ctx(token).get(), r, &out);
    }
    if (change.kind() == "notice") {
      v1::GetNoticeRequest r;
      r.set_id(change.record_id());
      v1::Notice out;
      return sync_->GetNotice(Ctx(token).get(), r, &out);
    }
    if (change.kind() == "study_plan") {
      v1::GetStudyPlanRequest r;
      r.set_id(change.record_id());
      v1::StudyPlan out;
      return study_->GetStudyPlan(Ctx(token).get(), r, &out);
    }
    return grpc::Status(grpc::UNIMPLEMENTED, "no Get for " + change.kind());
  }
  // The records `token` is told of after `cursor`; each must answer its Get call.
  std::set<uint64_t> ToldOf(const std::string& token, const std::string& cursor) {
    std::set<uint64_t> told;
    const auto changes = Changes(token, cursor);
    for (const auto& change : changes.changes()) {
      auto status = GetRecord(token, change);
      EXPECT_TRUE(status.ok()) << change.ShortDebugString() << ": " << status.error_code() << " "
                               << status.error_message();
      told.insert(change.record_id());
    }
    return told;
  }
  v1::StudyPlan GetPlan(const std::string& token, uint64_t id) {
    v1::GetStudyPlanRequest r;
    r.set_id(id);
    v1::StudyPlan out;
    auto status = study_->GetStudyPlan(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static constexpr int kYear = 2099;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::StudyService::Stub> study_;
  uint64_t d4_id_ = 0;
  std::string d4_;
};

TEST_F(SyncAudienceTest, EachMemberIsToldOnlyOfWhatTheyMayReadAndCanReadAllOfIt) {
  const std::string c1 = Cursor(d1_), c2 = Cursor(d2_), c3 = Cursor(d3_), c4 = Cursor(d4_);
  const std::string c_secretary = Cursor(secretary_), c_outsider = Cursor(outsider_);
  const uint64_t for_two = Meeting(People({d1_id_, d2_id_}));
  const uint64_t for_one = Notice(People({d3_id_}));
  const uint64_t plan = Plan({Item("安全驾驶专题", People({d1_id_}))});
  const uint64_t for_group = Meeting(Org(group_));
  const uint64_t for_branch = Meeting(Org(branch_));
  const uint64_t notice_for_branch = Notice(Org(branch_));

  EXPECT_EQ(ToldOf(d1_, c1),
            (std::set<uint64_t>{for_two, plan, for_group, for_branch, notice_for_branch}));
  EXPECT_EQ(ToldOf(d2_, c2),
            (std::set<uint64_t>{for_two, for_group, for_branch, notice_for_branch}));
  EXPECT_EQ(ToldOf(d3_, c3),
            (std::set<uint64_t>{for_one, for_group, for_branch, notice_for_branch}));
  // In the branch but not in the group: only what is for the whole branch.
  EXPECT_EQ(ToldOf(d4_, c4), (std::set<uint64_t>{for_branch, notice_for_branch}));
  // The host of every meeting is told of them, wherever the audience is.
  EXPECT_EQ(ToldOf(secretary_, c_secretary),
            (std::set<uint64_t>{for_two, for_group, for_branch, notice_for_branch}));
  // Nobody outside the branch hears of any of it.
  EXPECT_TRUE(ToldOf(outsider_, c_outsider).empty());

  // The stream reads the same index: the first change d4 is sent is the branch's meeting.
  auto ctx = Ctx(d4_);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::WatchChangesRequest watch;
  watch.set_cursor(c4);
  watch.set_heartbeat_seconds(5);
  auto reader = sync_->WatchChanges(ctx.get(), watch);
  v1::WatchChangesResponse message;
  while (reader->Read(&message) && message.heartbeat()) {
  }
  ASSERT_TRUE(message.has_change()) << message.ShortDebugString();
  EXPECT_EQ(message.change().record_id(), for_branch);
  ctx->TryCancel();
}

TEST_F(SyncAudienceTest, PeopleTakenOffAnAudienceAreToldAndTheirGetSaysSo) {
  const uint64_t meeting = Meeting(People({d1_id_, d2_id_}));
  const std::string c2 = Cursor(d2_), c4 = Cursor(d4_);
  v1::UpdateMeetingRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_meeting()->set_id(meeting);
  *update.mutable_meeting()->mutable_audience() = People({d1_id_});
  update.mutable_update_mask()->add_paths("audience");
  v1::Meeting updated;
  ASSERT_TRUE(stub_->UpdateMeeting(Ctx(secretary_).get(), update, &updated).ok());

  // d2's copy is stale: they are told, and the Get tells their phone to drop it.
  auto changes = Changes(d2_, c2);
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).record_id(), meeting);
  EXPECT_EQ(GetRecord(d2_, changes.changes(0)).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Changes(d4_, c4).changes_size(), 0);
}

TEST_F(SyncAudienceTest, AStudyPlanShowsAMemberOnlyTheItemsForThem) {
  const uint64_t plan =
      Plan({Item("安全驾驶专题", People({d1_id_, d2_id_})), Item("党章学习", Org(branch_)),
            Item("新司机培训", People({d3_id_}))});
  auto topics = [](const v1::StudyPlan& p) {
    std::vector<std::string> out;
    for (const auto& item : p.items()) out.push_back(item.topic());
    return out;
  };
  const auto for_d1 = GetPlan(d1_, plan);
  EXPECT_EQ(topics(for_d1), (std::vector<std::string>{"安全驾驶专题", "党章学习"}));
  // Their own item names them alone, not who else it is for.
  ASSERT_EQ(for_d1.items(0).audience().person_ids_size(), 1);
  EXPECT_EQ(for_d1.items(0).audience().person_ids(0), d1_id_);
  EXPECT_EQ(topics(GetPlan(d3_, plan)), (std::vector<std::string>{"党章学习", "新司机培训"}));
  EXPECT_EQ(topics(GetPlan(d4_, plan)), (std::vector<std::string>{"党章学习"}));
  // The secretary runs the plan and sees it whole.
  const auto whole = GetPlan(secretary_, plan);
  ASSERT_EQ(whole.items_size(), 3);
  EXPECT_EQ(whole.items(0).audience().person_ids_size(), 2);

  v1::ListStudyPlansRequest list;
  list.set_organization_id(branch_);
  list.set_year(kYear);
  v1::ListStudyPlansResponse listed;
  ASSERT_TRUE(study_->ListStudyPlans(Ctx(d3_).get(), list, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);
  EXPECT_EQ(topics(listed.plans(0)), (std::vector<std::string>{"党章学习", "新司机培训"}));

  v1::ListMyPlanItemsRequest mine;
  mine.set_year(kYear);
  v1::ListMyPlanItemsResponse items;
  ASSERT_TRUE(study_->ListMyPlanItems(Ctx(d2_).get(), mine, &items).ok());
  ASSERT_EQ(items.items_size(), 2);
  for (const auto& item : items.items()) {
    for (uint64_t person : item.item().audience().person_ids()) EXPECT_EQ(person, d2_id_);
  }
}

v1::Audience PartyMembersOf(uint64_t org) {
  v1::Audience audience;
  audience.set_organization_id(org);
  audience.set_members_only(true);
  return audience;
}

TEST_F(SyncAudienceTest, AMembersOnlyMeetingExpectsThePartyMembersAlone) {
  // d3 is an employee; an activist joins the group; everyone else is a party member.
  const uint64_t activist_id =
      server_.CreatePerson(admin_, group_, "孙师傅", "d5", v1::ROLE_ACTIVIST).id();
  const std::string activist = server_.SignIn("d5");
  const std::string c1 = Cursor(d1_), c3 = Cursor(d3_), c5 = Cursor(activist);
  auto draft = Draft(Now() - 10 * kMin, v1::MEETING_TYPE_GENERAL_MEETING);
  *draft.mutable_audience() = PartyMembersOf(branch_);
  const v1::Meeting meeting = MustCreate(draft);
  EXPECT_TRUE(meeting.audience().members_only());

  auto lists = [&](const std::string& token) {
    v1::ListMyMeetingsRequest r;
    v1::ListMeetingsResponse out;
    EXPECT_TRUE(stub_->ListMyMeetings(Ctx(token).get(), r, &out).ok());
    for (const auto& m : out.meetings()) {
      if (m.id() == meeting.id()) return true;
    }
    return false;
  };
  EXPECT_TRUE(lists(d1_));
  EXPECT_TRUE(lists(secretary_));
  EXPECT_FALSE(lists(d3_));
  EXPECT_FALSE(lists(activist));

  v1::GetMeetingRequest get;
  get.set_id(meeting.id());
  v1::Meeting read;
  EXPECT_EQ(stub_->GetMeeting(Ctx(d3_).get(), get, &read).error_code(), grpc::PERMISSION_DENIED);
  v1::CheckInResponse checked;
  const auto refused = CheckIn(d3_, ByPlace(meeting.id(), 39.9042, 116.4074), &checked);
  EXPECT_EQ(refused.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(refused).reason, "NOT_IN_AUDIENCE");
  ASSERT_TRUE(CheckIn(d1_, ByPlace(meeting.id(), 39.9042, 116.4074), &checked).ok());

  // The roster and the report count the secretary, d1, d2 and d4: not d3, not the activist.
  auto roster = Roster(meeting.id());
  EXPECT_EQ(roster.counts().expected(), 4);
  EXPECT_EQ(StatusOf(roster, d3_id_), v1::ATTENDANCE_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusOf(roster, activist_id), v1::ATTENDANCE_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusOf(roster, d2_id_), v1::ATTENDANCE_STATUS_ABSENT);
  v1::GetAttendanceReportRequest report;
  report.set_organization_id(branch_);
  *report.mutable_start_time_from() = Ts(Now() - kHour);
  *report.mutable_start_time_to() = Ts(Now());
  v1::AttendanceReport figures;
  ASSERT_TRUE(stub_->GetAttendanceReport(Ctx(secretary_).get(), report, &figures).ok());
  EXPECT_EQ(figures.total().counts().expected(), 4);
  auto history_has = [&](uint64_t person) {
    v1::GetAttendanceHistoryRequest r;
    r.set_person_id(person);
    *r.mutable_start_time_from() = Ts(Now() - kHour);
    *r.mutable_start_time_to() = Ts(Now());
    v1::AttendanceHistory out;
    const auto status = stub_->GetAttendanceHistory(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& e : out.entries()) {
      if (e.meeting().id() == meeting.id()) return true;
    }
    return false;
  };
  EXPECT_TRUE(history_has(d2_id_));
  EXPECT_FALSE(history_has(d3_id_));  // an employee is not absent from a party meeting

  // The change feed tells the members, not the employee or the activist. (d1's feed also holds
  // their own check-in, which has no Get call: read it raw.)
  bool told_d1 = false;
  const auto d1_changes = Changes(d1_, c1);
  for (const auto& change : d1_changes.changes()) {
    told_d1 = told_d1 || (change.kind() == "meeting" && change.record_id() == meeting.id());
  }
  EXPECT_TRUE(told_d1);
  EXPECT_EQ(ToldOf(d3_, c3).count(meeting.id()), 0u);
  EXPECT_EQ(ToldOf(activist, c5).count(meeting.id()), 0u);

  // The employee is admitted as a probationary member from the meeting's day (the branch's
  // local day: just after its midnight the meeting began yesterday), so the meeting expects
  // them now.
  auto people = v1::PersonService::NewStub(server_.channel());
  v1::ChangeMembershipRequest promote;
  promote.set_request_id(TestServer::RequestId());
  promote.set_person_id(d3_id_);
  promote.set_role(v1::ROLE_PROBATIONARY_MEMBER);
  *promote.mutable_effective_date() =
      DateOfDay(LocalDay(ToMicros(meeting.start_time()), 480));  // UTC+8
  v1::Person promoted;
  const auto changed = people->ChangeMembership(Ctx(secretary_).get(), promote, &promoted);
  ASSERT_TRUE(changed.ok()) << changed.error_message();
  EXPECT_TRUE(lists(d3_));
  EXPECT_EQ(Roster(meeting.id()).counts().expected(), 5);
  EXPECT_EQ(StatusOf(Roster(meeting.id()), d3_id_), v1::ATTENDANCE_STATUS_ABSENT);
  EXPECT_TRUE(history_has(d3_id_));
}

TEST_F(SyncAudienceTest, AListOfPeopleCannotAlsoBeMembersOnly) {
  auto audience = People({d1_id_, d3_id_});
  audience.set_members_only(true);
  auto draft = Draft(Now() + kHour);
  *draft.mutable_audience() = audience;
  v1::Meeting out;
  const auto status = Create(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  const auto details = DetailsOf(status);
  EXPECT_EQ(details.reason, "AUDIENCE_MEMBERS_ONLY_WITH_PEOPLE");
  EXPECT_EQ(details.field, "meeting.audience.members_only");
  EXPECT_EQ(details.message, "已指定具体人员名单，不能再限定为仅党员。");
}

TEST_F(SyncAudienceTest, MembersOnlyNoticesAndStudyItemsReachThePartyMembersAlone) {
  const std::string c1 = Cursor(d1_), c3 = Cursor(d3_);
  const uint64_t notice = Notice(PartyMembersOf(branch_));
  const uint64_t plan =
      Plan({Item("党章学习", PartyMembersOf(branch_)), Item("安全规程", Org(branch_))});

  auto notices_of = [&](const std::string& token) {
    std::set<uint64_t> ids;
    v1::ListMyNoticesRequest r;
    do {
      v1::ListMyNoticesResponse out;
      EXPECT_TRUE(sync_->ListMyNotices(Ctx(token).get(), r, &out).ok());
      for (const auto& n : out.notices()) ids.insert(n.notice().id());
      r.set_page_token(out.next_page_token());
    } while (!r.page_token().empty());
    return ids;
  };
  EXPECT_EQ(notices_of(d1_).count(notice), 1u);
  EXPECT_EQ(notices_of(d3_).count(notice), 0u);
  v1::GetNoticeRequest get;
  get.set_id(notice);
  v1::Notice read;
  EXPECT_EQ(sync_->GetNotice(Ctx(d3_).get(), get, &read).error_code(), grpc::PERMISSION_DENIED);
  v1::ListNoticeReadersRequest readers;
  readers.set_id(notice);
  v1::ListNoticeReadersResponse who;
  ASSERT_TRUE(sync_->ListNoticeReaders(Ctx(secretary_).get(), readers, &who).ok());
  EXPECT_EQ(who.audience_count(), 4);  // the secretary, d1, d2 and d4

  const auto told_d1 = ToldOf(d1_, c1);
  const auto told_d3 = ToldOf(d3_, c3);
  EXPECT_EQ(told_d1.count(notice), 1u);
  EXPECT_EQ(told_d3.count(notice), 0u);
  EXPECT_EQ(told_d3.count(plan), 1u);  // the plan has an item for everyone

  auto topics = [](const v1::StudyPlan& p) {
    std::vector<std::string> out;
    for (const auto& item : p.items()) out.push_back(item.topic());
    return out;
  };
  EXPECT_EQ(topics(GetPlan(d1_, plan)), (std::vector<std::string>{"党章学习", "安全规程"}));
  EXPECT_EQ(topics(GetPlan(d3_, plan)), (std::vector<std::string>{"安全规程"}));
}

}  // namespace
}  // namespace branchline::testing
