// UploadActions: a driver's offline queue, answered action by action.
#include <gtest/gtest.h>

#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/attendance_fixture.h"

namespace branchline::testing {
namespace {

class SyncBatchTest : public AttendanceTest {
 protected:
  void SetUp() override {
    AttendanceTest::SetUp();
    sync_ = v1::SyncService::NewStub(server_.channel());
    auto study = v1::StudyService::NewStub(server_.channel());
    v1::CreateMaterialRequest m;
    m.set_request_id(TestServer::RequestId());
    m.mutable_material()->set_organization_id(branch_);
    m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    m.mutable_material()->set_title("安全生产规程");
    m.mutable_material()->set_body("第一章");
    v1::Material material;
    ASSERT_TRUE(study->CreateMaterial(Ctx(secretary_).get(), m, &material).ok());
    material_ = material.id();
  }

  v1::OfflineAction Study(int minutes, int64_t device_time) {
    v1::OfflineAction a;
    auto* r = a.mutable_study_record();
    r->set_request_id(TestServer::RequestId());
    r->set_material_id(material_);
    r->set_minutes(minutes);
    r->set_notes("收车后学习安全规程，记了笔记。");
    *r->mutable_device_time() = Ts(device_time);
    return a;
  }
  v1::OfflineAction Letter(bool anonymous) {
    v1::OfflineAction a;
    auto* r = a.mutable_letter();
    r->set_request_id("letter-" + TestServer::RequestId() + "-0123456789abcdef");
    r->set_category(v1::LETTER_CATEGORY_SUGGESTION);
    r->set_subject(anonymous ? "夜班照明不足" : "建议增加停车区");
    r->set_body("路段夜间照明不足，建议加装路灯。");
    r->set_anonymous(anonymous);
    return a;
  }
  grpc::Status Upload(const v1::UploadActionsRequest& request, v1::UploadActionsResponse* out) {
    return sync_->UploadActions(Ctx(d1_).get(), request, out);
  }

  std::unique_ptr<v1::SyncService::Stub> sync_;
  uint64_t material_ = 0;
};

TEST_F(SyncBatchTest, EachActionIsAnsweredOnItsOwnAndARetryIsAlreadyDone) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  auto code = Code(m.id()).code();
  v1::UploadActionsRequest request;
  *request.add_actions()->mutable_check_in() = ByCode(m.id(), code);
  *request.add_actions()->mutable_check_in() = ByCode(m.id() + 999, code);  // unknown meeting
  *request.add_actions() = Study(45, Now() - 2 * kHour);                    // offline two hours
  *request.add_actions() = Study(0, Now());                                 // bad minutes
  *request.add_actions() = Letter(/*anonymous=*/false);
  *request.add_actions() = Letter(/*anonymous=*/true);
  request.add_actions();  // names no action

  v1::UploadActionsResponse first;
  ASSERT_TRUE(Upload(request, &first).ok());
  ASSERT_EQ(first.results_size(), 7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(first.results(i).index(), i);
  EXPECT_EQ(first.results(0).outcome(), v1::ACTION_OUTCOME_DONE);
  EXPECT_EQ(first.results(0).check_in().record().status(), v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(first.results(1).outcome(), v1::ACTION_OUTCOME_FAILED);
  EXPECT_EQ(first.results(1).error().code(), grpc::NOT_FOUND);
  EXPECT_EQ(first.results(2).outcome(), v1::ACTION_OUTCOME_DONE);
  EXPECT_EQ(first.results(2).study_record().minutes(), 45);
  EXPECT_EQ(first.results(3).outcome(), v1::ACTION_OUTCOME_FAILED);
  EXPECT_EQ(first.results(3).error().code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(first.results(4).outcome(), v1::ACTION_OUTCOME_DONE);
  EXPECT_FALSE(first.results(4).letter().letter().anonymous());
  EXPECT_EQ(first.results(5).outcome(), v1::ACTION_OUTCOME_DONE);
  EXPECT_FALSE(first.results(5).letter().receipt_code().empty());
  EXPECT_EQ(first.results(6).outcome(), v1::ACTION_OUTCOME_FAILED);

  // The answer was lost; the phone uploads the same queue again.
  v1::UploadActionsResponse again;
  ASSERT_TRUE(Upload(request, &again).ok());
  EXPECT_EQ(again.results(0).outcome(), v1::ACTION_OUTCOME_ALREADY_DONE);
  EXPECT_EQ(again.results(0).check_in().SerializeAsString(),
            first.results(0).check_in().SerializeAsString());
  EXPECT_EQ(again.results(2).outcome(), v1::ACTION_OUTCOME_ALREADY_DONE);
  EXPECT_EQ(again.results(2).study_record().id(), first.results(2).study_record().id());
  EXPECT_EQ(again.results(4).outcome(), v1::ACTION_OUTCOME_ALREADY_DONE);
  EXPECT_EQ(again.results(4).letter().letter().id(), first.results(4).letter().letter().id());
  EXPECT_EQ(again.results(5).letter().receipt_code(), first.results(5).letter().receipt_code());
  EXPECT_EQ(again.results(1).outcome(), v1::ACTION_OUTCOME_FAILED);

  // Exactly one check-in and one study record exist.
  v1::GetRosterRequest roster;
  roster.set_meeting_id(m.id());
  v1::Roster got;
  ASSERT_TRUE(stub_->GetRoster(Ctx(secretary_).get(), roster, &got).ok());
  int present = 0;
  for (const auto& e : got.entries()) present += e.status() == v1::ATTENDANCE_STATUS_PRESENT;
  EXPECT_EQ(present, 1);
  auto study = v1::StudyService::NewStub(server_.channel());
  v1::ListStudyRecordsRequest list;
  v1::ListStudyRecordsResponse records;
  ASSERT_TRUE(study->ListStudyRecords(Ctx(d1_).get(), list, &records).ok());
  EXPECT_EQ(records.records_size(), 1);
}

TEST_F(SyncBatchTest, BatchesAreBoundedAndNeedAToken) {
  v1::UploadActionsRequest empty;
  v1::UploadActionsResponse out;
  auto status = Upload(empty, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "actions");
  v1::UploadActionsRequest huge;
  for (int i = 0; i < 101; ++i) *huge.add_actions() = Study(10, Now());
  status = Upload(huge, &out);
  EXPECT_EQ(status.error_code(), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ViolationField(status), "actions");
  EXPECT_EQ(sync_->UploadActions(Ctx("").get(), huge, &out).error_code(), grpc::UNAUTHENTICATED);
}

}  // namespace
}  // namespace branchline::testing
