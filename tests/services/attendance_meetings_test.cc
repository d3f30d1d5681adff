// AttendanceService meetings through the real server: create, get, list, update, cancel.
#include <functional>
#include <set>

#include "tests/services/attendance_fixture.h"

namespace branchline::testing {
namespace {

using MeetingsTest = AttendanceTest;

TEST_F(MeetingsTest, CreateFillsDefaultsAndAudienceReads) {
  auto m = MustCreate(Draft(Now() + kHour));
  EXPECT_NE(m.id(), 0u);
  EXPECT_EQ(m.host_id(), secretary_id_);
  EXPECT_EQ(m.created_by(), secretary_id_);
  EXPECT_EQ(m.audience().organization_id(), branch_);
  EXPECT_EQ(m.window().opens_minutes_before(), 30);  // safety meeting defaults
  EXPECT_EQ(m.window().late_after_minutes(), 5);
  EXPECT_TRUE(m.has_create_time());
  v1::GetMeetingRequest get;
  get.set_id(m.id());
  v1::Meeting got;
  ASSERT_TRUE(stub_->GetMeeting(Ctx(d1_).get(), get, &got).ok());  // in the audience
  EXPECT_EQ(got.title(), "周一安全例会");
  EXPECT_EQ(stub_->GetMeeting(Ctx(outsider_).get(), get, &got).error_code(),
            grpc::PERMISSION_DENIED);
  get.set_id(m.id() + 1000);
  EXPECT_EQ(stub_->GetMeeting(Ctx(d1_).get(), get, &got).error_code(), grpc::NOT_FOUND);
}

TEST_F(MeetingsTest, ServerOwnedFieldsAreIgnored) {
  auto draft = Draft(Now() + kHour);
  draft.set_id(12345);
  draft.set_cancelled(true);
  draft.set_created_by(d1_id_);
  auto m = MustCreate(draft);
  EXPECT_NE(m.id(), 12345u);
  EXPECT_FALSE(m.cancelled());
  EXPECT_EQ(m.created_by(), secretary_id_);
}

TEST_F(MeetingsTest, InvalidInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::function<void(v1::Meeting*)> mutate;
    std::string field;
  } cases[] = {
      {[](auto* m) { *m->mutable_end_time() = m->start_time(); }, "meeting.end_time"},
      {[](auto* m) { m->clear_end_time(); }, "meeting.end_time"},
      {[](auto* m) { m->clear_start_time(); }, "meeting.start_time"},
      {[](auto* m) { m->mutable_place()->set_radius_m(0); }, "meeting.place.radius_m"},
      {[](auto* m) { m->mutable_place()->set_radius_m(-5); }, "meeting.place.radius_m"},
      {[](auto* m) { m->mutable_place()->set_latitude(90.5); }, "meeting.place.latitude"},
      {[](auto* m) { m->mutable_place()->set_longitude(-181); }, "meeting.place.longitude"},
      {[](auto* m) { m->set_type(v1::MEETING_TYPE_UNSPECIFIED); }, "meeting.type"},
      {[](auto* m) { m->set_title(""); }, "meeting.title"},
      {[](auto* m) { m->set_title(std::string(101 * 3, 'x')); }, "meeting.title"},
      {[](auto* m) {
         m->mutable_window()->set_closes_minutes_after(10);
         m->mutable_window()->set_late_after_minutes(20);
       },
       "meeting.window.late_after_minutes"},
      {[](auto* m) { m->set_agenda(std::string(2001, 'a')); }, "meeting.agenda"},
  };
  for (auto& c : cases) {
    auto draft = Draft(Now() + kHour);
    c.mutate(&draft);
    v1::Meeting out;
    auto status = Create(draft, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(ViolationField(status), c.field);
  }
  v1::ListMeetingsRequest list;
  list.set_organization_id(branch_);
  list.set_show_cancelled(true);
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.meetings_size(), 0);
}

TEST_F(MeetingsTest, UnknownReferencesAndRightsAreRefused) {
  v1::Meeting out;
  auto draft = Draft(Now() + kHour);
  draft.set_organization_id(branch_ + 999);
  auto status = Create(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "meeting.organization_id");

  draft = Draft(Now() + kHour);
  draft.set_host_id(d1_id_ + 999);
  status = Create(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "meeting.host_id");

  draft = Draft(Now() + kHour);
  draft.mutable_audience()->add_person_ids(outsider_id_);  // not in the branch
  status = Create(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "meeting.audience.person_ids");

  EXPECT_EQ(Create(Draft(Now() + kHour), &out, d1_).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Create(Draft(Now() + kHour), &out, outsider_).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Create(Draft(Now() + kHour), &out, "x").error_code(), grpc::UNAUTHENTICATED);
}

TEST_F(MeetingsTest, RetryReturnsTheFirstMeeting) {
  v1::CreateMeetingRequest r;
  r.set_request_id("create-once");
  *r.mutable_meeting() = Draft(Now() + kHour);
  v1::Meeting first, second;
  ASSERT_TRUE(stub_->CreateMeeting(Ctx(secretary_).get(), r, &first).ok());
  ASSERT_TRUE(stub_->CreateMeeting(Ctx(secretary_).get(), r, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  r.mutable_meeting()->set_title("另一个");
  EXPECT_EQ(stub_->CreateMeeting(Ctx(secretary_).get(), r, &second).error_code(),
            grpc::ALREADY_EXISTS);
}

TEST_F(MeetingsTest, ListBySubtreeTimeAndTypeWithPaging) {
  int64_t base = Now() + 24 * kHour;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto d = Draft(base + i * kHour);
    if (i % 2) d.set_organization_id(group_);  // held by the group: still in the subtree
    if (i == 4) d.set_type(v1::MEETING_TYPE_PARTY_LECTURE);
    ids.push_back(MustCreate(d).id());
  }
  v1::ListMeetingsRequest list;
  list.set_organization_id(branch_);
  list.set_page_size(2);
  std::vector<uint64_t> seen;
  int pages = 0;
  do {
    v1::ListMeetingsResponse page;
    ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &page).ok());
    for (auto& m : page.meetings()) seen.push_back(m.id());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, ids);  // by start time, across organisations
  EXPECT_EQ(pages, 3);

  list.set_page_size(0);
  list.set_type(v1::MEETING_TYPE_PARTY_LECTURE);
  v1::ListMeetingsResponse by_type;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &by_type).ok());
  ASSERT_EQ(by_type.meetings_size(), 1);
  EXPECT_EQ(by_type.meetings(0).id(), ids[4]);

  list.set_type(v1::MEETING_TYPE_UNSPECIFIED);
  *list.mutable_start_time_from() = Ts(base + kHour);
  *list.mutable_start_time_to() = Ts(base + 3 * kHour);
  v1::ListMeetingsResponse ranged;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &ranged).ok());
  ASSERT_EQ(ranged.meetings_size(), 2);
  EXPECT_EQ(ranged.meetings(0).id(), ids[1]);
  EXPECT_EQ(ranged.meetings(1).id(), ids[2]);

  list.set_organization_id(group_);  // only the group's own meetings
  list.clear_start_time_from();
  list.clear_start_time_to();
  v1::ListMeetingsResponse group;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &group).ok());
  EXPECT_EQ(group.meetings_size(), 2);

  list.set_page_token("garbage");
  auto status = stub_->ListMeetings(Ctx(secretary_).get(), list, &group);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "page_token");
  list.set_page_token("");
  EXPECT_EQ(stub_->ListMeetings(Ctx(d1_).get(), list, &group).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(MeetingsTest, MyUpcomingMeetingsMergeSubtreeAndListedAudiences) {
  int64_t now = Now();
  auto subtree = MustCreate(Draft(now + 2 * kHour));
  auto listed_draft = Draft(now + kHour);
  listed_draft.mutable_audience()->add_person_ids(d1_id_);
  auto listed = MustCreate(listed_draft);
  auto others_draft = Draft(now + 3 * kHour);
  others_draft.mutable_audience()->add_person_ids(d2_id_);
  MustCreate(others_draft);
  MustCreate(Draft(now - 3 * kHour));  // already over
  auto running = MustCreate(Draft(now - 10 * kMin));
  auto cancelled = MustCreate(Draft(now + 4 * kHour));
  Cancel(cancelled.id(), "暴雪");
  auto sibling_draft = Draft(now + kHour);
  sibling_draft.set_organization_id(sibling_);
  v1::Meeting sibling_meeting;
  ASSERT_TRUE(Create(sibling_draft, &sibling_meeting, admin_).ok());

  v1::ListMyMeetingsRequest mine;
  v1::ListMeetingsResponse response;
  ASSERT_TRUE(stub_->ListMyMeetings(Ctx(d1_).get(), mine, &response).ok());
  std::vector<uint64_t> ids;
  for (auto& m : response.meetings()) ids.push_back(m.id());
  EXPECT_EQ(ids, (std::vector<uint64_t>{running.id(), listed.id(), subtree.id()}));

  mine.set_page_size(1);
  ASSERT_TRUE(stub_->ListMyMeetings(Ctx(d1_).get(), mine, &response).ok());
  ASSERT_EQ(response.meetings_size(), 1);
  mine.set_page_token(response.next_page_token());
  ASSERT_TRUE(stub_->ListMyMeetings(Ctx(d1_).get(), mine, &response).ok());
  ASSERT_EQ(response.meetings_size(), 1);
  EXPECT_EQ(response.meetings(0).id(), listed.id());
}

TEST_F(MeetingsTest, UpdateNeedsAMaskAndMovesTheIndexes) {
  auto m = MustCreate(Draft(Now() + 48 * kHour));
  v1::UpdateMeetingRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_meeting()->set_id(m.id());
  update.mutable_meeting()->set_title("改期的安全例会");
  *update.mutable_meeting()->mutable_start_time() = Ts(Now() + kHour);
  *update.mutable_meeting()->mutable_end_time() = Ts(Now() + 2 * kHour);
  v1::Meeting out;
  auto status = stub_->UpdateMeeting(Ctx(secretary_).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "update_mask");
  update.mutable_update_mask()->add_paths("title");
  update.mutable_update_mask()->add_paths("start_time");
  update.mutable_update_mask()->add_paths("end_time");
  update.mutable_update_mask()->add_paths("place");  // cleared: absent in the request
  ASSERT_TRUE(stub_->UpdateMeeting(Ctx(secretary_).get(), update, &out).ok());
  EXPECT_EQ(out.title(), "改期的安全例会");
  EXPECT_FALSE(out.has_place());
  EXPECT_EQ(out.window().late_after_minutes(), 5);  // not in the mask

  v1::ListMeetingsRequest list;
  list.set_organization_id(branch_);
  *list.mutable_start_time_to() = Ts(Now() + 3 * kHour);
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &listed).ok());
  ASSERT_EQ(listed.meetings_size(), 1);  // found at its new start only
  *list.mutable_start_time_from() = Ts(Now() + 40 * kHour);
  list.clear_start_time_to();
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.meetings_size(), 0);

  update.set_request_id(TestServer::RequestId());
  *update.mutable_meeting()->mutable_end_time() = Ts(Now());
  status = stub_->UpdateMeeting(Ctx(secretary_).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "meeting.end_time");
  update.set_request_id(TestServer::RequestId());
  EXPECT_EQ(stub_->UpdateMeeting(Ctx(d1_).get(), update, &out).error_code(),
            grpc::PERMISSION_DENIED);
  update.clear_update_mask();
  update.mutable_update_mask()->add_paths("cancelled");
  EXPECT_EQ(stub_->UpdateMeeting(Ctx(secretary_).get(), update, &out).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(MeetingsTest, CancelKeepsTheMeetingAndBlocksChanges) {
  auto m = MustCreate(Draft(Now() + kHour));
  v1::CancelMeetingRequest cancel;
  cancel.set_request_id(TestServer::RequestId());
  cancel.set_id(m.id());
  v1::Meeting out;
  auto status = stub_->CancelMeeting(Ctx(secretary_).get(), cancel, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "reason");
  cancel.set_reason("台风");
  EXPECT_EQ(stub_->CancelMeeting(Ctx(d1_).get(), cancel, &out).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->CancelMeeting(Ctx(secretary_).get(), cancel, &out).ok());
  EXPECT_TRUE(out.cancelled());
  EXPECT_EQ(out.cancel_reason(), "台风");

  v1::UpdateMeetingRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_meeting()->set_id(m.id());
  update.mutable_meeting()->set_title("x");
  update.mutable_update_mask()->add_paths("title");
  EXPECT_EQ(stub_->UpdateMeeting(Ctx(secretary_).get(), update, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  v1::GetCheckInCodeRequest code;
  code.set_meeting_id(m.id());
  v1::CheckInCode c;
  EXPECT_EQ(stub_->GetCheckInCode(Ctx(secretary_).get(), code, &c).error_code(),
            grpc::FAILED_PRECONDITION);
  v1::CheckInResponse checked;
  EXPECT_EQ(CheckIn(d1_, Remote(m.id(), v1::REMOTE_REASON_DRIVING), &checked).error_code(),
            grpc::FAILED_PRECONDITION);
}

TEST_F(MeetingsTest, TheHostRunsTheMeetingWithoutBeingAManager) {
  auto draft = Draft(Now() + 10 * kMin);
  draft.set_host_id(d1_id_);
  auto m = MustCreate(draft);
  auto code = Code(m.id(), d1_);  // the host sees the code
  EXPECT_EQ(code.code().size(), 6u);
  v1::GetCheckInCodeRequest r;
  r.set_meeting_id(m.id());
  v1::CheckInCode out;
  EXPECT_EQ(stub_->GetCheckInCode(Ctx(d2_).get(), r, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Roster(m.id(), 0, d1_).counts().expected(), 4);  // secretary and three drivers
}

}  // namespace
}  // namespace branchline::testing
