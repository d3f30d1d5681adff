// Members' duties (DutiesService): responsibility areas, demonstration posts and groups with
// their lifecycle, history and dates, the board read by all staff, every refusal, and the
// authorization matrix.
#include <map>

#include "branchline/v1/duties.grpc.pb.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "tests/services/evaluation_fixture.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/change_feed.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

constexpr int32_t kOffset = 480;  // the test tenant's organisations: China Standard Time

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

google::protobuf::FieldMask Mask(std::initializer_list<std::string> paths) {
  google::protobuf::FieldMask mask;
  for (const auto& p : paths) mask.add_paths(p);
  return mask;
}

class DutiesTest : public EvaluationTest {
 protected:
  void SetUp() override {
    EvaluationTest::SetUp();
    // Not before the organisations were made (their first day is the earliest date allowed).
    EvaluationClock().Set(SystemClock().NowMicros());
    duties_ = v1::DutiesService::NewStub(server_.channel());
  }

  static int64_t TodayDay() { return LocalDay(ClockNow(), kOffset); }
  static v1::LocalDate Day(int64_t offset) { return DateOfDay(TodayDay() + offset); }

  v1::ResponsibilityArea AreaDraft() {
    v1::ResponsibilityArea a;
    a.set_organization_id(branch_);
    a.set_name("收费广场责任区");
    a.set_responsible_person_id(d1_id_);
    a.set_duties("负责广场车辆疏导，\n联系驾驶员一组的职工。");
    a.add_linked_person_ids(d3_id_);
    a.add_linked_organization_ids(group_);
    return a;
  }
  v1::DemonstrationPost PostDraft() {
    v1::DemonstrationPost p;
    p.set_organization_id(branch_);
    p.set_name("收费班长示范岗");
    p.set_leader_person_id(secretary_id_);
    p.set_description("微笑服务，零差错。");
    *p.mutable_to_date() = Day(30);
    return p;
  }
  v1::DutyGroup GroupDraft() {
    v1::DutyGroup g;
    g.set_organization_id(branch_);
    g.set_name("道路抢险党员突击队");
    g.set_kind(v1::DUTY_GROUP_KIND_EMERGENCY);
    g.set_purpose("雨雪天气道路抢险");
    auto* leader = g.add_members();
    leader->set_person_id(d1_id_);
    leader->set_role("队长");
    auto* member = g.add_members();
    member->set_person_id(d3_id_);
    member->set_role("队员");
    return g;
  }

  grpc::Status CreateArea(const std::string& token, const v1::ResponsibilityArea& draft,
                          v1::ResponsibilityArea* out, const std::string& request_id = "") {
    v1::CreateResponsibilityAreaRequest r;
    r.set_request_id(request_id.empty() ? TestServer::RequestId() : request_id);
    *r.mutable_area() = draft;
    return duties_->CreateResponsibilityArea(Ctx(token).get(), r, out);
  }
  grpc::Status UpdateArea(const std::string& token, const v1::ResponsibilityArea& area,
                          const google::protobuf::FieldMask& mask, v1::ResponsibilityArea* out) {
    v1::UpdateResponsibilityAreaRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_area() = area;
    *r.mutable_update_mask() = mask;
    return duties_->UpdateResponsibilityArea(Ctx(token).get(), r, out);
  }
  grpc::Status CreatePost(const std::string& token, const v1::DemonstrationPost& draft,
                          v1::DemonstrationPost* out) {
    v1::CreateDemonstrationPostRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_post() = draft;
    return duties_->CreateDemonstrationPost(Ctx(token).get(), r, out);
  }
  grpc::Status UpdatePost(const std::string& token, const v1::DemonstrationPost& post,
                          const google::protobuf::FieldMask& mask, v1::DemonstrationPost* out) {
    v1::UpdateDemonstrationPostRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_post() = post;
    *r.mutable_update_mask() = mask;
    return duties_->UpdateDemonstrationPost(Ctx(token).get(), r, out);
  }
  grpc::Status CreateGroup(const std::string& token, const v1::DutyGroup& draft,
                           v1::DutyGroup* out) {
    v1::CreateDutyGroupRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_group() = draft;
    return duties_->CreateDutyGroup(Ctx(token).get(), r, out);
  }
  grpc::Status UpdateGroup(const std::string& token, const v1::DutyGroup& group,
                           const google::protobuf::FieldMask& mask, v1::DutyGroup* out) {
    v1::UpdateDutyGroupRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_group() = group;
    *r.mutable_update_mask() = mask;
    return duties_->UpdateDutyGroup(Ctx(token).get(), r, out);
  }
  grpc::Status Join(const std::string& token, uint64_t group, uint64_t person, v1::DutyGroup* out,
                    const v1::LocalDate* from = nullptr, const std::string& role = "队员") {
    v1::JoinDutyGroupRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_group_id(group);
    r.set_person_id(person);
    r.set_role(role);
    if (from) *r.mutable_from_date() = *from;
    return duties_->JoinDutyGroup(Ctx(token).get(), r, out);
  }
  grpc::Status Leave(const std::string& token, uint64_t group, uint64_t person, v1::DutyGroup* out,
                     const v1::LocalDate* to = nullptr) {
    v1::LeaveDutyGroupRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_group_id(group);
    r.set_person_id(person);
    if (to) *r.mutable_to_date() = *to;
    return duties_->LeaveDutyGroup(Ctx(token).get(), r, out);
  }
  grpc::Status End(const std::string& token, uint64_t id, v1::DutyBoardEntry* out,
                   const v1::LocalDate* to = nullptr) {
    v1::EndDutyRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    if (to) *r.mutable_to_date() = *to;
    return duties_->EndDuty(Ctx(token).get(), r, out);
  }
  grpc::Status Mine(const std::string& token, v1::DutyBoard* out, bool past = false) {
    v1::ListMyDutiesRequest r;
    r.set_include_past(past);
    return duties_->ListMyDuties(Ctx(token).get(), r, out);
  }
  grpc::Status Board(const std::string& token, uint64_t org, v1::DutyBoard* out,
                     bool subtree = false, bool past = false, int page_size = 0,
                     const std::string& page_token = "") {
    v1::GetDutyBoardRequest r;
    r.set_organization_id(org);
    r.set_include_subtree(subtree);
    r.set_include_past(past);
    r.set_page_size(page_size);
    r.set_page_token(page_token);
    return duties_->GetDutyBoard(Ctx(token).get(), r, out);
  }

  template <typename T>
  T Must(grpc::Status status, T value) {
    EXPECT_TRUE(status.ok()) << status.error_message();
    return value;
  }
  v1::ResponsibilityArea MustArea(const v1::ResponsibilityArea& draft) {
    v1::ResponsibilityArea out;
    auto status = CreateArea(secretary_, draft, &out);
    return Must(status, out);
  }
  v1::DutyGroup MustGroup(const v1::DutyGroup& draft) {
    v1::DutyGroup out;
    auto status = CreateGroup(secretary_, draft, &out);
    return Must(status, out);
  }

  std::unique_ptr<v1::DutiesService::Stub> duties_;
};

TEST_F(DutiesTest, AreaIsCreatedEditedAndEndedWithItsHistory) {
  v1::ResponsibilityArea area, again;
  ASSERT_TRUE(CreateArea(secretary_, AreaDraft(), &area, "area-1").ok());
  ASSERT_TRUE(CreateArea(secretary_, AreaDraft(), &again, "area-1").ok());
  EXPECT_EQ(area.id(), again.id());  // idempotent
  EXPECT_EQ(area.responsible_person_name(), "张师傅");
  ASSERT_EQ(area.linked_person_names_size(), 1);
  EXPECT_EQ(area.linked_person_names(0), "赵师傅");
  ASSERT_EQ(area.linked_organization_names_size(), 1);
  EXPECT_EQ(area.linked_organization_names(0), "驾驶员一组");
  EXPECT_EQ(area.from_date().day(), Day(0).day());  // default: today
  EXPECT_FALSE(area.has_to_date());
  EXPECT_EQ(area.created_by(), secretary_id_);
  ASSERT_EQ(area.history_size(), 1);
  EXPECT_EQ(area.history(0).action(), "created");
  // The same request id for another request.
  auto other = AreaDraft();
  other.set_name("另一个责任区");
  EXPECT_EQ(CreateArea(secretary_, other, &again, "area-1").error_code(), grpc::ALREADY_EXISTS);

  // A new responsible member and duties.
  v1::ResponsibilityArea edit;
  edit.set_id(area.id());
  edit.set_responsible_person_id(d2_id_);
  edit.set_duties("负责夜间车辆疏导");
  v1::ResponsibilityArea edited;
  ASSERT_TRUE(
      UpdateArea(secretary_, edit, Mask({"responsible_person_id", "duties"}), &edited).ok());
  EXPECT_EQ(edited.responsible_person_name(), "李师傅");
  EXPECT_EQ(edited.duties(), "负责夜间车辆疏导");
  EXPECT_EQ(edited.name(), "收费广场责任区");  // not in the mask
  ASSERT_EQ(edited.history_size(), 2);
  EXPECT_EQ(edited.history(1).action(), "updated");
  EXPECT_EQ(edited.history(1).fields_size(), 2);
  EXPECT_EQ(edited.history(1).by_person_id(), secretary_id_);

  // Ended tomorrow: on the board until then, in the history after.
  v1::DutyBoardEntry ended;
  const auto tomorrow = Day(1);
  ASSERT_TRUE(End(secretary_, area.id(), &ended, &tomorrow).ok());
  ASSERT_TRUE(ended.has_area());
  EXPECT_TRUE(ended.area().ended());
  EXPECT_EQ(ended.area().to_date().day(), tomorrow.day());
  EXPECT_EQ(ended.area().history(2).action(), "ended");
  auto status = UpdateArea(secretary_, edit, Mask({"duties"}), &edited);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DUTY_ENDED");
  status = End(secretary_, area.id(), &ended);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "DUTY_ENDED");

  v1::DutyBoard board;
  ASSERT_TRUE(Board(d3_, branch_, &board).ok());
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).area().responsible_person_name(), "李师傅");
  EvaluationClock().Advance(2 * kEvalDay);
  ASSERT_TRUE(Board(d3_, branch_, &board).ok());
  EXPECT_EQ(board.entries_size(), 0);
  ASSERT_TRUE(Board(d3_, branch_, &board, /*subtree=*/false, /*past=*/true).ok());
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).area().history_size(), 3);
}

TEST_F(DutiesTest, AreaRefusalsNameTheField) {
  v1::ResponsibilityArea out;
  auto expect_invalid = [&](const v1::ResponsibilityArea& draft, const std::string& field) {
    auto status = CreateArea(secretary_, draft, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT)
        << field << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), field) << status.error_message();
  };
  auto bad = AreaDraft();
  bad.set_responsible_person_id(d3_id_);  // an employee, not a party member
  expect_invalid(bad, "area.responsible_person_id");
  bad.set_responsible_person_id(outsider_id_);  // another branch
  expect_invalid(bad, "area.responsible_person_id");
  bad.set_responsible_person_id(0);
  expect_invalid(bad, "area.responsible_person_id");
  bad.set_responsible_person_id(d1_id_ + 100000);
  auto status = CreateArea(secretary_, bad, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "area.responsible_person_id");

  bad = AreaDraft();
  bad.set_name("  ");
  expect_invalid(bad, "area.name");
  bad.set_name(Repeat("责", 61));  // characters, not bytes
  expect_invalid(bad, "area.name");
  bad.set_name(Repeat("责", 60));
  EXPECT_TRUE(CreateArea(secretary_, bad, &out).ok());
  bad = AreaDraft();
  bad.set_duties("");
  expect_invalid(bad, "area.duties");
  bad.set_duties(Repeat("职", 2001));
  expect_invalid(bad, "area.duties");

  bad = AreaDraft();
  *bad.mutable_from_date() = Day(-1);  // before the branch existed
  expect_invalid(bad, "area.from_date");
  bad = AreaDraft();
  bad.mutable_from_date()->set_year(2027);
  bad.mutable_from_date()->set_month(2);
  bad.mutable_from_date()->set_day(30);
  expect_invalid(bad, "area.from_date");
  bad = AreaDraft();
  *bad.mutable_from_date() = Day(5);
  *bad.mutable_to_date() = Day(4);
  expect_invalid(bad, "area.to_date");

  bad = AreaDraft();
  bad.add_linked_person_ids(d3_id_);
  expect_invalid(bad, "area.linked_person_ids");  // repeated
  bad = AreaDraft();
  bad.add_linked_person_ids(outsider_id_);
  expect_invalid(bad, "area.linked_person_ids");
  bad = AreaDraft();
  bad.add_linked_organization_ids(sibling_);
  expect_invalid(bad, "area.linked_organization_ids");
  bad = AreaDraft();
  bad.set_organization_id(0);
  expect_invalid(bad, "area.organization_id");

  v1::CreateResponsibilityAreaRequest no_id;
  *no_id.mutable_area() = AreaDraft();
  status = duties_->CreateResponsibilityArea(Ctx(secretary_).get(), no_id, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "request_id");

  // Updates.
  auto area = MustArea(AreaDraft());
  v1::ResponsibilityArea edit;
  edit.set_id(area.id());
  status = UpdateArea(secretary_, edit, Mask({}), &out);
  EXPECT_EQ(ViolationField(status), "update_mask");
  status = UpdateArea(secretary_, edit, Mask({"organization_id"}), &out);
  EXPECT_EQ(ViolationField(status), "update_mask");
  status = UpdateArea(secretary_, edit, Mask({"from_date"}), &out);
  EXPECT_EQ(ViolationField(status), "area.from_date");
  *edit.mutable_to_date() = Day(-1);
  status = UpdateArea(secretary_, edit, Mask({"to_date"}), &out);
  EXPECT_EQ(ViolationField(status), "area.to_date");
  edit.set_id(area.id() + 100000);
  status = UpdateArea(secretary_, edit, Mask({"name"}), &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "area.id");
  v1::DemonstrationPost post;
  ASSERT_TRUE(CreatePost(secretary_, PostDraft(), &post).ok());
  edit.set_id(post.id());  // a post is not an area
  EXPECT_EQ(UpdateArea(secretary_, edit, Mask({"name"}), &out).error_code(), grpc::NOT_FOUND);

  v1::DutyBoard board;
  ASSERT_TRUE(Board(secretary_, branch_, &board).ok());
  EXPECT_EQ(board.entries_size(), 3);  // the 60-character area, `area` and the post
}

TEST_F(DutiesTest, PostHasALeaderAndAPeriod) {
  v1::DemonstrationPost post;
  ASSERT_TRUE(CreatePost(secretary_, PostDraft(), &post).ok());
  EXPECT_EQ(post.leader_person_name(), "王书记");
  EXPECT_EQ(post.to_date().day(), Day(30).day());
  v1::DemonstrationPost edit, out;
  edit.set_id(post.id());
  edit.set_leader_person_id(d1_id_);
  *edit.mutable_to_date() = Day(60);
  ASSERT_TRUE(UpdatePost(secretary_, edit, Mask({"leader_person_id", "to_date"}), &out).ok());
  EXPECT_EQ(out.leader_person_name(), "张师傅");
  EXPECT_EQ(out.to_date().day(), Day(60).day());
  edit.set_leader_person_id(d3_id_);  // an employee
  auto status = UpdatePost(secretary_, edit, Mask({"leader_person_id"}), &out);
  EXPECT_EQ(ViolationField(status), "post.leader_person_id");
  auto bad = PostDraft();
  bad.set_description(Repeat("岗", 1001));
  EXPECT_EQ(ViolationField(CreatePost(secretary_, bad, &out)), "post.description");
  bad = PostDraft();
  bad.set_organization_id(sibling_);
  EXPECT_EQ(CreatePost(secretary_, bad, &out).error_code(), grpc::PERMISSION_DENIED);

  // Ending: not before its first day, not after its last.
  v1::DutyBoardEntry ended;
  auto late = Day(61);
  status = End(secretary_, post.id(), &ended, &late);
  EXPECT_EQ(ViolationField(status), "to_date");
  auto early = Day(-1);
  status = End(secretary_, post.id(), &ended, &early);
  EXPECT_EQ(ViolationField(status), "to_date");
  status = End(secretary_, post.id() + 100000, &ended);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "id");
  ASSERT_TRUE(End(secretary_, post.id(), &ended).ok());
  EXPECT_EQ(ended.post().to_date().day(), Day(0).day());
  EXPECT_EQ(Reason(UpdatePost(secretary_, edit, Mask({"name"}), &out)), "DUTY_ENDED");
}

TEST_F(DutiesTest, GroupMembersJoinAndLeaveAndStayInTheirTeams) {
  auto group = MustGroup(GroupDraft());
  ASSERT_EQ(group.members_size(), 2);
  EXPECT_EQ(group.members(0).person_name(), "张师傅");
  EXPECT_EQ(group.members(0).role(), "队长");
  EXPECT_EQ(group.members(0).organization_id(), group_);  // still in their own team
  EXPECT_EQ(group.members(0).from_date().day(), group.from_date().day());
  // d1 is in a second group too.
  auto studio_draft = GroupDraft();
  studio_draft.set_name("节能降耗创新工作室");
  studio_draft.set_kind(v1::DUTY_GROUP_KIND_INNOVATION);
  studio_draft.mutable_members()->DeleteSubrange(1, 1);
  auto studio = MustGroup(studio_draft);
  EXPECT_EQ(studio.members(0).person_id(), d1_id_);

  v1::DutyGroup out;
  ASSERT_TRUE(Join(secretary_, group.id(), d2_id_, &out).ok());
  ASSERT_EQ(out.members_size(), 3);
  EXPECT_EQ(out.members(2).person_name(), "李师傅");
  auto status = Join(secretary_, group.id(), d2_id_, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ALREADY_IN_GROUP");
  EXPECT_EQ(ViolationField(status), "person_id");
  EXPECT_EQ(ViolationField(Join(secretary_, group.id(), outsider_id_, &out)), "person_id");
  auto before = Day(-1);
  EXPECT_EQ(ViolationField(Join(secretary_, studio.id(), d2_id_, &out, &before)), "from_date");
  EXPECT_EQ(ViolationField(Join(secretary_, studio.id(), d2_id_, &out, nullptr, Repeat("长", 21))),
            "role");

  // d2 leaves in three days; rejoining must come after that.
  auto leave_day = Day(3);
  ASSERT_TRUE(Leave(secretary_, group.id(), d2_id_, &out, &leave_day).ok());
  EXPECT_EQ(out.members(2).to_date().day(), leave_day.day());
  status = Leave(secretary_, group.id(), d2_id_, &out);
  EXPECT_EQ(Reason(status), "NOT_IN_GROUP");
  auto overlapping = Day(2);
  EXPECT_EQ(ViolationField(Join(secretary_, group.id(), d2_id_, &out, &overlapping)), "from_date");
  auto later = Day(10);
  ASSERT_TRUE(Join(secretary_, group.id(), d2_id_, &out, &later).ok());
  ASSERT_EQ(out.members_size(), 4);  // the first membership is kept with its dates
  auto too_early = Day(9);
  EXPECT_EQ(ViolationField(Leave(secretary_, group.id(), d2_id_, &out, &too_early)), "to_date");

  // The group's period cannot leave a member's dates outside it.
  v1::DutyGroup edit;
  edit.set_id(group.id());
  *edit.mutable_from_date() = Day(5);
  status = UpdateGroup(secretary_, edit, Mask({"from_date"}), &out);
  EXPECT_EQ(Reason(status), "MEMBER_OUTSIDE_PERIOD");
  edit.set_kind(v1::DUTY_GROUP_KIND_CUSTOM);
  status = UpdateGroup(secretary_, edit, Mask({"kind"}), &out);
  EXPECT_EQ(ViolationField(status), "group.custom_kind");
  edit.set_custom_kind("青年突击队");
  ASSERT_TRUE(UpdateGroup(secretary_, edit, Mask({"kind", "custom_kind"}), &out).ok());
  EXPECT_EQ(out.custom_kind(), "青年突击队");

  // Not ended today: d2 joins later. Ended on that day, the current members leave then.
  v1::DutyBoardEntry ended;
  status = End(secretary_, group.id(), &ended);
  EXPECT_EQ(ViolationField(status), "to_date");
  ASSERT_TRUE(End(secretary_, group.id(), &ended, &later).ok());
  for (const auto& m : ended.group().members()) {
    EXPECT_TRUE(m.has_to_date()) << m.person_id();
  }
  EXPECT_EQ(ended.group().members(0).to_date().day(), later.day());
  EXPECT_EQ(ended.group().members(2).to_date().day(), leave_day.day());
  EXPECT_EQ(Reason(Join(secretary_, group.id(), d2_id_, &out)), "DUTY_ENDED");
  EXPECT_EQ(Reason(Leave(secretary_, group.id(), d1_id_, &out)), "DUTY_ENDED");

  // Group refusals.
  auto bad = GroupDraft();
  bad.set_kind(v1::DUTY_GROUP_KIND_UNSPECIFIED);
  EXPECT_EQ(ViolationField(CreateGroup(secretary_, bad, &out)), "group.kind");
  bad = GroupDraft();
  bad.set_custom_kind("突击队");  // only for CUSTOM
  EXPECT_EQ(ViolationField(CreateGroup(secretary_, bad, &out)), "group.custom_kind");
  bad = GroupDraft();
  bad.mutable_members(1)->set_person_id(d1_id_);
  EXPECT_EQ(ViolationField(CreateGroup(secretary_, bad, &out)), "group.members[1].person_id");
  bad = GroupDraft();
  *bad.mutable_to_date() = Day(3);
  *bad.mutable_members(0)->mutable_from_date() = Day(4);
  EXPECT_EQ(ViolationField(CreateGroup(secretary_, bad, &out)), "group.members[0].from_date");
  bad = GroupDraft();
  bad.mutable_members(0)->set_person_id(outsider_id_);
  EXPECT_EQ(ViolationField(CreateGroup(secretary_, bad, &out)), "group.members[0].person_id");
}

TEST_F(DutiesTest, BoardListsCurrentItemsWithNamesForAllStaffPaged) {
  auto first = MustArea(AreaDraft());
  auto second_draft = AreaDraft();
  second_draft.set_name("加油站责任区");
  auto second = MustArea(second_draft);
  v1::DemonstrationPost post;
  ASSERT_TRUE(CreatePost(secretary_, PostDraft(), &post).ok());
  auto group = MustGroup(GroupDraft());
  auto below = AreaDraft();
  below.set_organization_id(group_);
  below.set_name("一组责任区");
  below.clear_linked_organization_ids();
  auto below_area = MustArea(below);

  // Areas first, newest first; then posts; then groups. Pages of two.
  std::vector<uint64_t> ids;
  std::string token;
  int pages = 0;
  do {
    v1::DutyBoard page;
    ASSERT_TRUE(Board(d3_, branch_, &page, false, false, 2, token).ok());
    EXPECT_EQ(page.organization_name(), "运输四队党支部");
    for (const auto& e : page.entries()) {
      if (e.has_area()) ids.push_back(e.area().id());
      if (e.has_post()) ids.push_back(e.post().id());
      if (e.has_group()) {
        ids.push_back(e.group().id());
        EXPECT_EQ(e.group().members(1).person_name(), "赵师傅");
      }
    }
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(ids, (std::vector<uint64_t>{second.id(), first.id(), post.id(), group.id()}));
  EXPECT_EQ(pages, 2);

  v1::DutyBoard board;
  ASSERT_TRUE(Board(d1_, branch_, &board, /*subtree=*/true).ok());
  EXPECT_EQ(board.entries_size(), 5);  // the group's area too
  ASSERT_TRUE(Board(d1_, group_, &board).ok());
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).area().id(), below_area.id());
  // Non-members read it (d3 is an employee); another branch's people do not.
  EXPECT_EQ(Board(outsider_, branch_, &board).error_code(), grpc::PERMISSION_DENIED);
  // The branch's secretary is not staff of the group below, but manages it.
  EXPECT_TRUE(Board(secretary_, group_, &board).ok());
  auto status = Board(d3_, 0, &board);
  EXPECT_EQ(ViolationField(status), "organization_id");
  status = Board(d3_, branch_, &board, false, false, -1);
  EXPECT_EQ(ViolationField(status), "page_size");
  status = Board(d3_, branch_, &board, false, false, 2, "not-a-token");
  EXPECT_EQ(ViolationField(status), "page_token");
}

// The board's changes reach the phones of its staff (members and employees, of the
// organisation and below: the board is published to them), and nobody of another branch.
TEST_F(DutiesTest, StaffPhonesPullTheBoardsChanges) {
  ChangeFeed employee(server_.channel(), d3_), member(server_.channel(), d1_),
      outsider(server_.channel(), outsider_);
  auto area = MustArea(AreaDraft());
  auto below = AreaDraft();
  below.set_organization_id(group_);
  below.set_name("一组责任区");
  below.clear_linked_organization_ids();
  auto below_area = MustArea(below);
  v1::DutyBoardEntry ended;
  ASSERT_TRUE(End(secretary_, area.id(), &ended).ok());
  const std::vector<std::string> expected = {ChangeFeed::Entry("duty", "created", area.id()),
                                             ChangeFeed::Entry("duty", "created", below_area.id()),
                                             ChangeFeed::Entry("duty", "ended", area.id())};
  EXPECT_EQ(employee.Since(), expected);
  EXPECT_EQ(member.Since(), expected);
  EXPECT_TRUE(outsider.Since().empty());
  // The outsider may not read the board those changes name either.
  v1::DutyBoard board;
  EXPECT_EQ(Board(outsider_, branch_, &board).error_code(), grpc::PERMISSION_DENIED);
}

// Each person's own duties (我的职责), from the boards of their organisation and its
// ancestors: the areas they answer for or are linked to, the posts they lead, the groups they
// are in now; a group left shows again with include_past; nobody else's.
TEST_F(DutiesTest, EachPersonListsTheirOwnDuties) {
  auto area = MustArea(AreaDraft());  // the branch's: d1 responsible, d3 linked
  v1::DemonstrationPost post;         // the branch's: the secretary leads it
  ASSERT_TRUE(CreatePost(secretary_, PostDraft(), &post).ok());
  auto group = MustGroup(GroupDraft());  // the branch's: d1 and d3
  auto below = AreaDraft();              // the drivers' group's: d1 responsible
  below.set_organization_id(group_);
  below.set_name("一组责任区");
  below.clear_linked_person_ids();
  below.clear_linked_organization_ids();
  auto below_area = MustArea(below);
  auto ids = [&](const std::string& token, bool past = false) {
    v1::DutyBoard board;
    EXPECT_TRUE(Mine(token, &board, past).ok());
    std::vector<uint64_t> out;
    for (const auto& e : board.entries()) {
      out.push_back(e.has_area() ? e.area().id() : e.has_post() ? e.post().id() : e.group().id());
    }
    return out;
  };
  // Areas first (the group's own before the branch's), then posts, then groups.
  EXPECT_EQ(ids(d1_), (std::vector<uint64_t>{below_area.id(), area.id(), group.id()}));
  EXPECT_EQ(ids(d3_), (std::vector<uint64_t>{area.id(), group.id()}));
  EXPECT_EQ(ids(secretary_), (std::vector<uint64_t>{post.id()}));
  EXPECT_TRUE(ids(d2_).empty());
  EXPECT_TRUE(ids(outsider_).empty());
  v1::DutyBoard board;
  ASSERT_TRUE(Mine(d1_, &board).ok());
  EXPECT_EQ(board.organization_id(), group_);
  EXPECT_EQ(board.entries(1).area().responsible_person_name(), "张师傅");  // names filled
  // d3 leaves the group: gone from the current list, there in the history.
  v1::DutyGroup left;
  ASSERT_TRUE(Leave(secretary_, group.id(), d3_id_, &left).ok());
  EXPECT_EQ(ids(d3_), (std::vector<uint64_t>{area.id()}));
  EXPECT_EQ(ids(d3_, /*past=*/true), (std::vector<uint64_t>{area.id(), group.id()}));
  // A service account has no duties of its own.
  EXPECT_EQ(Mine(server_.ServiceToken(branch_, v1::SCOPE_EVALUATION_READ), &board).error_code(),
            grpc::PERMISSION_DENIED);
}

// Managers of the organisation (or an ancestor) write; its staff, managers and read-scoped
// services read the board; nobody outside the subtree does.
TEST_F(DutiesTest, AuthorizationMatrix) {
  auto tokens = MatrixCallers();
  tokens["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_EVALUATION_READ);
  tokens["member of group below"] = d1_;
  tokens["employee of group below"] = d3_;
  const std::vector<std::string> ops = {"CreateResponsibilityArea",
                                        "UpdateResponsibilityArea",
                                        "CreateDemonstrationPost",
                                        "UpdateDemonstrationPost",
                                        "CreateDutyGroup",
                                        "UpdateDutyGroup",
                                        "JoinDutyGroup",
                                        "LeaveDutyGroup",
                                        "EndDuty",
                                        "GetDutyBoard(branch)",
                                        "ListMyDuties"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH, UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH, UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH, UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH, UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, OK}},
    {"member of group below",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   OK, OK}},
    {"employee of group below",  {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   OK, OK}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK, OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED, OK}},
    {"admin above",              {OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK, OK}},
    {"service with scope",       {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   OK, DENIED}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED, DENIED}},
  };
  // clang-format on
  ExpectMatrix({"duties", ops, table}, [&](const std::string& op, const std::string& caller) {
    const std::string& token = tokens.at(caller);
    if (op == "CreateResponsibilityArea") {
      v1::ResponsibilityArea out;
      return CreateArea(token, AreaDraft(), &out).error_code();
    }
    if (op == "UpdateResponsibilityArea") {
      auto area = MustArea(AreaDraft());
      area.set_name("新责任区");
      v1::ResponsibilityArea out;
      return UpdateArea(token, area, Mask({"name"}), &out).error_code();
    }
    if (op == "CreateDemonstrationPost") {
      v1::DemonstrationPost out;
      return CreatePost(token, PostDraft(), &out).error_code();
    }
    if (op == "UpdateDemonstrationPost") {
      v1::DemonstrationPost post, out;
      EXPECT_TRUE(CreatePost(secretary_, PostDraft(), &post).ok());
      post.set_name("新示范岗");
      return UpdatePost(token, post, Mask({"name"}), &out).error_code();
    }
    if (op == "CreateDutyGroup") {
      v1::DutyGroup out;
      return CreateGroup(token, GroupDraft(), &out).error_code();
    }
    if (op == "UpdateDutyGroup") {
      auto group = MustGroup(GroupDraft());
      group.set_name("新突击队");
      v1::DutyGroup out;
      return UpdateGroup(token, group, Mask({"name"}), &out).error_code();
    }
    if (op == "JoinDutyGroup") {
      auto group = MustGroup(GroupDraft());
      v1::DutyGroup out;
      return Join(token, group.id(), d2_id_, &out).error_code();
    }
    if (op == "LeaveDutyGroup") {
      auto group = MustGroup(GroupDraft());
      v1::DutyGroup out;
      return Leave(token, group.id(), d3_id_, &out).error_code();
    }
    if (op == "EndDuty") {
      auto area = MustArea(AreaDraft());
      v1::DutyBoardEntry out;
      return End(token, area.id(), &out).error_code();
    }
    v1::DutyBoard board;
    if (op == "ListMyDuties") return Mine(token, &board).error_code();
    return Board(token, branch_, &board).error_code();
  });
}

}  // namespace
}  // namespace branchline::testing
