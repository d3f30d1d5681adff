#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "branchline/v1/study.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/local_day.h"
#include "services/study/study_rules.h"
#include "tests/support/test_server.h"

namespace branchline::testing {

// A real server with a small tree for the study tests:
//   root ── branch (secretary "sec") ── team (drivers "d1", "d2")
//        └─ sibling (secretary "sib")
class StudyFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "运输公司党支部").id();
    team_ = server_.CreateOrg(admin_, branch_, "运输四队", v1::ORGANIZATION_KIND_TEAM).id();
    sibling_ = server_.CreateOrg(admin_, root_, "收费站党支部").id();
    server_.CreatePerson(admin_, branch_, "书记", "sec", v1::ROLE_SECRETARY);
    server_.CreatePerson(admin_, sibling_, "兄弟书记", "sib", v1::ROLE_SECRETARY);
    d1_ = server_.CreatePerson(admin_, team_, "王师傅", "d1").id();
    d2_ = server_.CreatePerson(admin_, team_, "李师傅", "d2").id();
    sec_ = server_.SignIn("sec");
    sib_ = server_.SignIn("sib");
    t1_ = server_.SignIn("d1");
    t2_ = server_.SignIn("d2");
    study_ = v1::StudyService::NewStub(server_.channel());
    year_ = YearOfDay(LocalDay(SystemClock().NowMicros(), 480));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return TestServer::Ctx(token);
  }

  v1::Material CreateMaterial(const std::string& token, uint64_t org, const std::string& title,
                              v1::MaterialKind kind = v1::MATERIAL_KIND_DOCUMENT) {
    v1::CreateMaterialRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_material()->set_organization_id(org);
    r.mutable_material()->set_kind(kind);
    r.mutable_material()->set_title(title);
    r.mutable_material()->set_body("学习内容");
    r.mutable_material()->set_estimated_minutes(60);
    v1::Material out;
    auto status = study_->CreateMaterial(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // A plan of this year for the branch: item 0 on `material` (120 min, due end of year),
  // item 1 a free topic for d1 only (60 min, due end of year).
  v1::StudyPlan CreatePlan(uint64_t material, grpc::Status* status_out = nullptr) {
    v1::CreateStudyPlanRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* p = r.mutable_plan();
    p->set_organization_id(branch_);
    p->set_year(year_);
    p->set_title("年度学习计划");
    auto* a = p->add_items();
    a->set_material_id(material);
    a->set_required_minutes(120);
    a->set_due_date(std::to_string(year_) + "-12-31");
    auto* b = p->add_items();
    b->set_topic("党史专题");
    b->set_required_minutes(60);
    b->set_due_date(std::to_string(year_) + "-12-31");
    b->mutable_audience()->add_person_ids(d1_);
    v1::StudyPlan out;
    auto status = study_->CreateStudyPlan(Ctx(sec_).get(), r, &out);
    if (status_out) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return out;
  }

  v1::RecordStudyRequest RecordRequest(uint64_t material, int minutes, const std::string& notes) {
    v1::RecordStudyRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_material_id(material);
    r.set_minutes(minutes);
    r.set_notes(notes);
    *r.mutable_device_time() = ToTimestamp(SystemClock().NowMicros() - 60'000'000);
    return r;
  }
  v1::RecordStudyRequest ItemRequest(const v1::StudyPlan& plan, int item, int minutes,
                                     const std::string& notes) {
    auto r = RecordRequest(0, minutes, notes);
    r.set_plan_id(plan.id());
    r.set_plan_item_id(plan.items(item).id());
    return r;
  }
  grpc::Status Record(const std::string& token, const v1::RecordStudyRequest& r,
                      v1::StudyRecord* out = nullptr) {
    v1::StudyRecord ignored;
    return study_->RecordStudy(Ctx(token).get(), r, out ? out : &ignored);
  }

  v1::StudyProgress Progress(const std::string& token, uint64_t person) {
    v1::GetStudyProgressRequest r;
    r.set_person_id(person);
    v1::StudyProgress out;
    auto status = study_->GetStudyProgress(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  TestServer server_;
  std::string admin_, sec_, sib_, t1_, t2_;
  uint64_t root_ = 0, branch_ = 0, team_ = 0, sibling_ = 0, d1_ = 0, d2_ = 0;
  int32_t year_ = 0;
  std::unique_ptr<v1::StudyService::Stub> study_;
};

}  // namespace branchline::testing
