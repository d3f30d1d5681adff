// StudyService through the real server: materials, plans, settings, study records and
// progress, with their refusals and idempotent retries.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "tests/services/study_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;
using testing::ViolationField;

class StudyServiceTest : public testing::StudyFixture {};

TEST_F(StudyServiceTest, MaterialsCreateGetListUpdateArchive) {
  auto doc = CreateMaterial(sec_, branch_, "党章全文");
  auto video = CreateMaterial(sec_, team_, "安全生产视频", v1::MATERIAL_KIND_VIDEO);
  EXPECT_NE(doc.id(), 0u);
  EXPECT_TRUE(doc.has_create_time());

  v1::GetMaterialRequest get;
  get.set_id(doc.id());
  v1::Material got;
  ASSERT_TRUE(study_->GetMaterial(Ctx(t1_).get(), get, &got).ok());  // a member below reads it
  EXPECT_EQ(got.title(), "党章全文");
  EXPECT_EQ(study_->GetMaterial(Ctx(sib_).get(), get, &got).error_code(), grpc::PERMISSION_DENIED);

  // Subtree listing with kind filter, paged.
  v1::ListMaterialsRequest list;
  list.set_organization_id(branch_);
  list.set_include_descendants(true);
  list.set_page_size(1);
  v1::ListMaterialsResponse page1, page2;
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &page1).ok());
  ASSERT_EQ(page1.materials_size(), 1);
  ASSERT_FALSE(page1.next_page_token().empty());
  list.set_page_token(page1.next_page_token());
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &page2).ok());
  ASSERT_EQ(page2.materials_size(), 1);
  EXPECT_TRUE(page2.next_page_token().empty());
  EXPECT_NE(page1.materials(0).id(), page2.materials(0).id());
  list.clear_page_token();
  list.set_page_size(0);
  list.set_kind(v1::MATERIAL_KIND_VIDEO);
  v1::ListMaterialsResponse videos;
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &videos).ok());
  ASSERT_EQ(videos.materials_size(), 1);
  EXPECT_EQ(videos.materials(0).id(), video.id());
  // Without descendants only the branch's own.
  list.set_include_descendants(false);
  list.set_kind(v1::MATERIAL_KIND_UNSPECIFIED);
  v1::ListMaterialsResponse own;
  ASSERT_TRUE(study_->ListMaterials(Ctx(t1_).get(), list, &own).ok());
  ASSERT_EQ(own.materials_size(), 1);
  // A member may not list a whole subtree.
  list.set_include_descendants(true);
  EXPECT_EQ(study_->ListMaterials(Ctx(t1_).get(), list, &own).error_code(),
            grpc::PERMISSION_DENIED);

  // Update with a mask; server-owned fields are ignored.
  v1::UpdateMaterialRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_material()->set_id(doc.id());
  update.mutable_material()->set_title("中国共产党章程");
  update.mutable_material()->set_kind(v1::MATERIAL_KIND_BOOK);
  update.mutable_material()->set_archived(true);
  update.mutable_update_mask()->add_paths("title");
  update.mutable_update_mask()->add_paths("kind");
  v1::Material updated;
  ASSERT_TRUE(study_->UpdateMaterial(Ctx(sec_).get(), update, &updated).ok());
  EXPECT_EQ(updated.title(), "中国共产党章程");
  EXPECT_EQ(updated.kind(), v1::MATERIAL_KIND_BOOK);
  EXPECT_FALSE(updated.archived());
  list.set_kind(v1::MATERIAL_KIND_BOOK);
  list.set_include_descendants(false);
  v1::ListMaterialsResponse books;
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &books).ok());
  ASSERT_EQ(books.materials_size(), 1);  // the kind index moved with it
  update.set_request_id(TestServer::RequestId());
  update.mutable_update_mask()->add_paths("archived");
  auto status = study_->UpdateMaterial(Ctx(sec_).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "update_mask");

  v1::ArchiveMaterialRequest archive;
  archive.set_request_id(TestServer::RequestId());
  archive.set_id(doc.id());
  v1::Material archived;
  EXPECT_EQ(study_->ArchiveMaterial(Ctx(t1_).get(), archive, &archived).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(study_->ArchiveMaterial(Ctx(sec_).get(), archive, &archived).ok());
  EXPECT_TRUE(archived.archived());
  v1::ListMaterialsResponse after;
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &after).ok());
  EXPECT_EQ(after.materials_size(), 0);
  // No study on an archived material.
  status = Record(t1_, RecordRequest(doc.id(), 30, ""));
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "material_id");
}

TEST_F(StudyServiceTest, MaterialValidationNamesTheFieldAndWritesNothing) {
  struct Case {
    std::function<void(v1::Material*)> mutate;
    std::string field;
  } cases[] = {
      {[](auto* m) { m->set_title(""); }, "material.title"},
      {[](auto* m) { m->set_title(std::string(201 * 3, 'x')); }, "material.title"},
      {[](auto* m) { m->set_kind(v1::MATERIAL_KIND_UNSPECIFIED); }, "material.kind"},
      {[](auto* m) { m->set_body(""); }, "material.body"},
      {[](auto* m) { m->set_link("ftp://x"); }, "material.link"},
      {[](auto* m) { m->set_estimated_minutes(-1); }, "material.estimated_minutes"},
  };
  for (auto& c : cases) {
    v1::CreateMaterialRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* m = r.mutable_material();
    m->set_organization_id(branch_);
    m->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    m->set_title("标题");
    m->set_body("正文");
    c.mutate(m);
    v1::Material out;
    auto status = study_->CreateMaterial(Ctx(sec_).get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(ViolationField(status), c.field);
  }
  v1::ListMaterialsRequest list;
  list.set_organization_id(branch_);
  v1::ListMaterialsResponse listed;
  ASSERT_TRUE(study_->ListMaterials(Ctx(sec_).get(), list, &listed).ok());
  EXPECT_EQ(listed.materials_size(), 0);
  // Unknown organisation and another tenant's look the same.
  v1::CreateMaterialRequest r;
  r.set_request_id(TestServer::RequestId());
  r.mutable_material()->set_organization_id(branch_ + 999);
  r.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  r.mutable_material()->set_title("x");
  r.mutable_material()->set_body("y");
  v1::Material out;
  auto status = study_->CreateMaterial(Ctx(sec_).get(), r, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "material.organization_id");
}

TEST_F(StudyServiceTest, CreateMaterialRetryReturnsTheFirstAnswer) {
  v1::CreateMaterialRequest r;
  r.set_request_id("material-retry");
  r.mutable_material()->set_organization_id(branch_);
  r.mutable_material()->set_kind(v1::MATERIAL_KIND_LECTURE);
  r.mutable_material()->set_title("党课");
  r.mutable_material()->set_link("https://example.com/lecture");
  v1::Material first, second;
  ASSERT_TRUE(study_->CreateMaterial(Ctx(sec_).get(), r, &first).ok());
  ASSERT_TRUE(study_->CreateMaterial(Ctx(sec_).get(), r, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  r.mutable_material()->set_title("另一个");
  EXPECT_EQ(study_->CreateMaterial(Ctx(sec_).get(), r, &second).error_code(), grpc::ALREADY_EXISTS);
}

TEST_F(StudyServiceTest, PlansCreateGetListUpdateAndMyItems) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto plan = CreatePlan(material.id());
  ASSERT_EQ(plan.items_size(), 2);
  EXPECT_NE(plan.items(0).id(), 0u);
  EXPECT_EQ(plan.items(0).audience().organization_id(), branch_);  // normalised

  // One plan per organisation and year.
  grpc::Status second;
  CreatePlan(material.id(), &second);
  EXPECT_EQ(second.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(ViolationField(second), "plan.year");

  v1::GetStudyPlanRequest get;
  get.set_id(plan.id());
  v1::StudyPlan got;
  ASSERT_TRUE(study_->GetStudyPlan(Ctx(t2_).get(), get, &got).ok());
  EXPECT_EQ(got.title(), "年度学习计划");

  v1::ListStudyPlansRequest list;
  list.set_organization_id(root_);
  list.set_year(year_);
  list.set_include_descendants(true);
  v1::ListStudyPlansResponse listed;
  ASSERT_TRUE(study_->ListStudyPlans(Ctx(admin_).get(), list, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);
  list.set_include_descendants(false);
  ASSERT_TRUE(study_->ListStudyPlans(Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.plans_size(), 0);

  // d1 gets both items, d2 only the subtree item.
  v1::ListMyPlanItemsResponse mine;
  ASSERT_TRUE(study_->ListMyPlanItems(Ctx(t1_).get(), {}, &mine).ok());
  EXPECT_EQ(mine.items_size(), 2);
  ASSERT_TRUE(study_->ListMyPlanItems(Ctx(t2_).get(), {}, &mine).ok());
  ASSERT_EQ(mine.items_size(), 1);
  EXPECT_EQ(mine.items(0).item().material_id(), material.id());
  EXPECT_EQ(mine.items(0).plan_id(), plan.id());

  // Update: keep item 0 (by id), drop item 1, add a new one.
  v1::UpdateStudyPlanRequest update;
  update.set_request_id(TestServer::RequestId());
  *update.mutable_plan() = plan;
  update.mutable_plan()->set_title("2026年学习计划");
  update.mutable_plan()->mutable_items()->DeleteSubrange(1, 1);
  auto* added = update.mutable_plan()->add_items();
  added->set_topic("安全规程");
  added->set_required_minutes(30);
  added->set_due_date(std::to_string(year_) + "-06-30");
  update.mutable_update_mask()->add_paths("title");
  update.mutable_update_mask()->add_paths("items");
  v1::StudyPlan updated;
  ASSERT_TRUE(study_->UpdateStudyPlan(Ctx(sec_).get(), update, &updated).ok());
  ASSERT_EQ(updated.items_size(), 2);
  EXPECT_EQ(updated.items(0).id(), plan.items(0).id());
  EXPECT_NE(updated.items(1).id(), 0u);
  EXPECT_NE(updated.items(1).id(), plan.items(1).id());
  // An id that is not the plan's is refused.
  update.set_request_id(TestServer::RequestId());
  update.mutable_plan()->mutable_items(0)->set_id(12345);
  auto status = study_->UpdateStudyPlan(Ctx(sec_).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "plan.items[0].id");
  // Members and other branches may not change it.
  update.set_request_id(TestServer::RequestId());
  EXPECT_EQ(study_->UpdateStudyPlan(Ctx(t1_).get(), update, &updated).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(StudyServiceTest, PlanValidationNamesTheField) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto sibling_material = CreateMaterial(sib_, sibling_, "别人的");
  struct Case {
    std::function<void(v1::StudyPlan*)> mutate;
    std::string field;
    grpc::StatusCode code = grpc::INVALID_ARGUMENT;
  } cases[] = {
      {[](auto* p) { p->set_year(1999); }, "plan.year"},
      {[](auto* p) { p->set_title(""); }, "plan.title"},
      {[](auto* p) { p->clear_items(); }, "plan.items"},
      {[](auto* p) { p->mutable_items(0)->set_required_minutes(0); },
       "plan.items[0].required_minutes"},
      {[](auto* p) { p->mutable_items(0)->set_due_date("2026-02-30"); }, "plan.items[0].due_date"},
      {[&](auto* p) { p->mutable_items(0)->set_due_date(std::to_string(year_ + 1) + "-01-01"); },
       "plan.items[0].due_date"},
      {[](auto* p) {
         p->mutable_items(0)->set_material_id(0);
         p->mutable_items(0)->set_topic("");
       },
       "plan.items[0].topic"},
      {[&](auto* p) { p->mutable_items(0)->set_material_id(sibling_material.id()); },
       "plan.items[0].material_id"},
      {[&](auto* p) { p->mutable_items(0)->set_material_id(material.id() + 999); },
       "plan.items[0].material_id", grpc::NOT_FOUND},
      {[&](auto* p) { p->mutable_items(0)->mutable_audience()->set_organization_id(sibling_); },
       "plan.items[0].audience.organization_id"},
  };
  for (auto& c : cases) {
    v1::CreateStudyPlanRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* p = r.mutable_plan();
    p->set_organization_id(branch_);
    p->set_year(year_);
    p->set_title("计划");
    auto* item = p->add_items();
    item->set_material_id(material.id());
    item->set_required_minutes(60);
    item->set_due_date(std::to_string(year_) + "-12-31");
    c.mutate(p);
    v1::StudyPlan out;
    auto status = study_->CreateStudyPlan(Ctx(sec_).get(), r, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.field << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field);
  }
  v1::ListStudyPlansRequest list;
  list.set_organization_id(branch_);
  list.set_year(year_);
  v1::ListStudyPlansResponse listed;
  ASSERT_TRUE(study_->ListStudyPlans(Ctx(sec_).get(), list, &listed).ok());
  EXPECT_EQ(listed.plans_size(), 0);
}

TEST_F(StudyServiceTest, RecordStudyUpdatesProgressAndRetriesOnce) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto plan = CreatePlan(material.id());
  auto r = ItemRequest(plan, 0, 90, "学习党章第一章，体会很深😀");
  v1::StudyRecord first, again;
  ASSERT_TRUE(Record(t1_, r, &first).ok());
  ASSERT_TRUE(Record(t1_, r, &again).ok());  // a retry
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(first.person_id(), d1_);
  EXPECT_EQ(first.material_id(), material.id());
  EXPECT_EQ(first.notes_chars(), 13);  // 12 Chinese characters (with the comma) and an emoji
  EXPECT_TRUE(first.by_due_date());
  EXPECT_FALSE(first.local_date().empty());
  ASSERT_TRUE(Record(t1_, ItemRequest(plan, 0, 40, "")).ok());
  ASSERT_TRUE(Record(t1_, ItemRequest(plan, 1, 60, "党史")).ok());

  auto p = Progress(t1_, 0);
  EXPECT_EQ(p.total_minutes(), 190);  // the retry counted once
  EXPECT_EQ(p.study_days(), 1);
  EXPECT_EQ(p.current_streak_days(), 1);
  EXPECT_EQ(p.longest_streak_days(), 1);
  EXPECT_EQ(p.notes_chars(), 15);
  EXPECT_EQ(p.notes_quota_chars(), 50'000);
  EXPECT_FALSE(p.notes_quota_met());
  EXPECT_EQ(p.points(), 19);  // 190 / 10, no notes bonus (< 100 characters)
  ASSERT_EQ(p.items_size(), 2);
  EXPECT_EQ(p.items(0).done_minutes(), 130);
  EXPECT_TRUE(p.items(0).complete());
  EXPECT_EQ(p.items(0).title(), "党章");
  EXPECT_EQ(p.items(1).done_minutes(), 60);
  ASSERT_EQ(p.plans_size(), 1);
  EXPECT_TRUE(p.plans(0).complete());

  v1::ListStudyRecordsRequest list;
  v1::ListStudyRecordsResponse records;
  ASSERT_TRUE(study_->ListStudyRecords(Ctx(t1_).get(), list, &records).ok());
  EXPECT_EQ(records.records_size(), 3);
  list.set_person_id(d1_);
  ASSERT_TRUE(study_->ListStudyRecords(Ctx(sec_).get(), list, &records).ok());
  EXPECT_EQ(records.records_size(), 3);
  EXPECT_EQ(study_->ListStudyRecords(Ctx(t2_).get(), list, &records).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(study_->ListStudyRecords(Ctx(sib_).get(), list, &records).error_code(),
            grpc::PERMISSION_DENIED);

  // d2 is not in item 1's audience.
  EXPECT_EQ(Record(t2_, ItemRequest(plan, 1, 10, "")).error_code(), grpc::PERMISSION_DENIED);
  // d2's progress has only the subtree item.
  auto p2 = Progress(sec_, d2_);
  EXPECT_EQ(p2.items_size(), 1);
  EXPECT_EQ(p2.total_minutes(), 0);
  EXPECT_FALSE(p2.plans(0).complete());
}

TEST_F(StudyServiceTest, RecordStudyRefusals) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto plan = CreatePlan(material.id());
  struct Case {
    std::function<void(v1::RecordStudyRequest*)> mutate;
    std::string field;
    grpc::StatusCode code = grpc::INVALID_ARGUMENT;
  } cases[] = {
      {[](auto* r) { r->set_minutes(0); }, "minutes"},
      {[](auto* r) { r->set_minutes(601); }, "minutes"},
      {[](auto* r) { r->clear_device_time(); }, "device_time"},
      {[](auto* r) {
         *r->mutable_device_time() = ToTimestamp(SystemClock().NowMicros() + 3'600'000'000LL);
       },
       "device_time"},
      {[](auto* r) {
         *r->mutable_device_time() = ToTimestamp(SystemClock().NowMicros() - 8 * 86'400'000'000LL);
       },
       "device_time"},
      {[](auto* r) { r->set_notes(std::string(5001, 'x')); }, "notes"},
      {[](auto* r) { r->set_notes("bell \x07"); }, "notes"},  // a control character
      {[](auto* r) { r->set_material_id(0); }, "plan_item_id"},
      {[&](auto* r) { r->set_material_id(material.id() + 999); }, "material_id", grpc::NOT_FOUND},
      {[&](auto* r) {
         r->set_plan_id(plan.id());
         r->set_plan_item_id(plan.items(0).id() + 999);
       },
       "plan_item_id", grpc::NOT_FOUND},
      {[&](auto* r) { r->set_plan_item_id(plan.items(0).id()); }, "plan_id"},
      {[](auto* r) { r->set_request_id(""); }, "request_id"},
  };
  for (auto& c : cases) {
    auto r = RecordRequest(material.id(), 30, "笔记");
    c.mutate(&r);
    auto status = Record(t1_, r);
    EXPECT_EQ(status.error_code(), c.code) << c.field << ": " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field);
  }
  // 5000 Chinese characters are within the limit although they are 15000 bytes.
  std::string notes;
  for (int i = 0; i < 5000; ++i) notes += "学";
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 30, notes)).ok());
  // The 24-hour cap of the local day.
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 600, "")).ok());
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 600, "")).ok());
  auto status = Record(t1_, RecordRequest(material.id(), 211, ""));
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "minutes");
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 210, "")).ok());  // exactly 24 h
  auto p = Progress(t1_, 0);
  EXPECT_EQ(p.total_minutes(), 1440);
  EXPECT_EQ(p.notes_chars(), 5000);
  // A service account records nothing.
  v1::CreateServiceAccountRequest create;
  create.set_request_id(TestServer::RequestId());
  create.set_organization_id(branch_);
  create.set_display_name("HR");
  create.add_scopes(v1::SCOPE_STUDY_READ);
  v1::CreateServiceAccountResponse created;
  ASSERT_TRUE(server_.auth().CreateServiceAccount(Ctx(admin_).get(), create, &created).ok());
  v1::SignInRequest sign_in;
  sign_in.set_service_key(created.service_key());
  v1::SignInResponse session;
  grpc::ClientContext ctx;
  ASSERT_TRUE(server_.auth().SignIn(&ctx, sign_in, &session).ok());
  EXPECT_EQ(Record(session.access_token(), RecordRequest(material.id(), 30, "")).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(StudyServiceTest, EditAndDeleteOwnRecords) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  v1::StudyRecord rec;
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 30, "初稿"), &rec).ok());

  v1::UpdateStudyRecordRequest update;
  update.set_request_id(TestServer::RequestId());
  update.set_id(rec.id());
  update.set_minutes(45);
  update.set_notes("修改后的学习笔记");
  update.mutable_update_mask()->add_paths("minutes");
  update.mutable_update_mask()->add_paths("notes");
  v1::StudyRecord updated;
  EXPECT_EQ(study_->UpdateStudyRecord(Ctx(t2_).get(), update, &updated).error_code(),
            grpc::PERMISSION_DENIED);  // not d2's record
  EXPECT_EQ(study_->UpdateStudyRecord(Ctx(sec_).get(), update, &updated).error_code(),
            grpc::PERMISSION_DENIED);  // only the person records their own study
  ASSERT_TRUE(study_->UpdateStudyRecord(Ctx(t1_).get(), update, &updated).ok());
  ASSERT_TRUE(study_->UpdateStudyRecord(Ctx(t1_).get(), update, &updated).ok());  // retry
  EXPECT_EQ(updated.minutes(), 45);
  EXPECT_EQ(updated.notes_chars(), 8);
  auto p = Progress(t1_, 0);
  EXPECT_EQ(p.total_minutes(), 45);
  EXPECT_EQ(p.notes_chars(), 8);
  update.set_request_id(TestServer::RequestId());
  update.set_minutes(0);
  auto status = study_->UpdateStudyRecord(Ctx(t1_).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "minutes");
  update.set_id(rec.id() + 999);
  update.set_minutes(10);
  status = study_->UpdateStudyRecord(Ctx(t1_).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);

  v1::DeleteStudyRecordRequest del;
  del.set_request_id(TestServer::RequestId());
  del.set_id(rec.id());
  v1::DeleteStudyRecordResponse deleted;
  EXPECT_EQ(study_->DeleteStudyRecord(Ctx(t2_).get(), del, &deleted).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(study_->DeleteStudyRecord(Ctx(t1_).get(), del, &deleted).ok());
  ASSERT_TRUE(study_->DeleteStudyRecord(Ctx(t1_).get(), del, &deleted).ok());  // retry
  EXPECT_EQ(deleted.id(), rec.id());
  p = Progress(t1_, 0);
  EXPECT_EQ(p.total_minutes(), 0);
  EXPECT_EQ(p.study_days(), 0);
  EXPECT_EQ(p.current_streak_days(), 0);
  v1::ListStudyRecordsResponse records;
  ASSERT_TRUE(study_->ListStudyRecords(Ctx(t1_).get(), {}, &records).ok());
  EXPECT_EQ(records.records_size(), 0);
  del.set_request_id(TestServer::RequestId());
  EXPECT_EQ(study_->DeleteStudyRecord(Ctx(t1_).get(), del, &deleted).error_code(), grpc::NOT_FOUND);
}

TEST_F(StudyServiceTest, SettingsInheritAndApply) {
  v1::GetStudySettingsRequest get;
  get.set_organization_id(team_);
  v1::StudySettings settings;
  ASSERT_TRUE(study_->GetStudySettings(Ctx(t1_).get(), get, &settings).ok());
  EXPECT_EQ(settings.yearly_notes_quota_chars(), 50'000);
  EXPECT_EQ(settings.inherited_from(), 0u);

  v1::SetStudySettingsRequest set;
  set.set_request_id(TestServer::RequestId());
  set.mutable_settings()->set_organization_id(branch_);
  set.mutable_settings()->set_yearly_notes_quota_chars(10);
  set.mutable_settings()->set_max_notes_chars(20);
  set.mutable_update_mask()->add_paths("yearly_notes_quota_chars");
  set.mutable_update_mask()->add_paths("max_notes_chars");
  EXPECT_EQ(study_->SetStudySettings(Ctx(t1_).get(), set, &settings).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(study_->SetStudySettings(Ctx(sec_).get(), set, &settings).ok());
  EXPECT_EQ(settings.points_rule().minutes_per_point(), 10);  // untouched default
  ASSERT_TRUE(study_->GetStudySettings(Ctx(t1_).get(), get, &settings).ok());
  EXPECT_EQ(settings.inherited_from(), branch_);
  EXPECT_EQ(settings.max_notes_chars(), 20);

  auto material = CreateMaterial(sec_, branch_, "党章");
  auto status =
      Record(t1_, RecordRequest(material.id(), 30, "一二三四五六七八九十一二三四五六七八九十一"));
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "notes");
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 30, "一二三四五六七八九十😀")).ok());
  auto p = Progress(t1_, 0);
  EXPECT_EQ(p.notes_chars(), 11);
  EXPECT_EQ(p.notes_quota_chars(), 10);
  EXPECT_TRUE(p.notes_quota_met());

  set.set_request_id(TestServer::RequestId());
  set.mutable_settings()->set_max_notes_chars(100'001);
  status = study_->SetStudySettings(Ctx(sec_).get(), set, &settings);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "settings.max_notes_chars");
}

// Materials, plans and the settings a record inherits are read through the record cache
// (storage/record_cache.h), the settings' empty levels included: each edit below is made after
// a record has read (and so cached) what it changes, and must hold on the very next record.
TEST_F(StudyServiceTest, AnEditOfWhatARecordIsCheckedAgainstHoldsOnTheNextRecord) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto plan = CreatePlan(material.id());
  const std::string twelve = "一二三四五六七八九十一二";
  ASSERT_TRUE(Record(t1_, RecordRequest(material.id(), 10, twelve)).ok());
  ASSERT_TRUE(Record(t1_, ItemRequest(plan, 1, 10, "")).ok());

  // Settings on the team, a level that had none when the records above were checked.
  v1::SetStudySettingsRequest set;
  set.set_request_id(TestServer::RequestId());
  set.mutable_settings()->set_organization_id(team_);
  set.mutable_settings()->set_max_notes_chars(10);
  set.mutable_update_mask()->add_paths("max_notes_chars");
  v1::StudySettings settings;
  ASSERT_TRUE(study_->SetStudySettings(Ctx(sec_).get(), set, &settings).ok());
  auto status = Record(t1_, RecordRequest(material.id(), 10, twelve));
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "notes");

  // The plan's free topic handed to d2 only: d1's next record on it is refused.
  v1::UpdateStudyPlanRequest update;
  update.set_request_id(TestServer::RequestId());
  *update.mutable_plan() = plan;
  update.mutable_plan()->mutable_items(1)->mutable_audience()->clear_person_ids();
  update.mutable_plan()->mutable_items(1)->mutable_audience()->add_person_ids(d2_);
  update.mutable_update_mask()->add_paths("items");
  v1::StudyPlan updated;
  status = study_->UpdateStudyPlan(Ctx(sec_).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Record(t1_, ItemRequest(updated, 1, 10, "")).error_code(), grpc::PERMISSION_DENIED);

  v1::ArchiveMaterialRequest archive;
  archive.set_request_id(TestServer::RequestId());
  archive.set_id(material.id());
  v1::Material archived;
  ASSERT_TRUE(study_->ArchiveMaterial(Ctx(sec_).get(), archive, &archived).ok());
  status = Record(t1_, RecordRequest(material.id(), 10, ""));
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "material_id");
}

TEST_F(StudyServiceTest, ReportAndLeaderboard) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  auto plan = CreatePlan(material.id());
  ASSERT_TRUE(Record(t1_, ItemRequest(plan, 0, 120, "学习")).ok());
  ASSERT_TRUE(Record(t1_, ItemRequest(plan, 1, 60, "")).ok());
  ASSERT_TRUE(Record(t2_, ItemRequest(plan, 0, 50, "")).ok());

  v1::GetStudyReportRequest r;
  r.set_organization_id(branch_);
  v1::StudyReport report;
  ASSERT_TRUE(study_->GetStudyReport(Ctx(sec_).get(), r, &report).ok());
  EXPECT_EQ(report.people(), 3);  // the secretary, d1, d2
  EXPECT_EQ(report.total_minutes(), 230);
  ASSERT_EQ(report.plans_size(), 1);
  EXPECT_EQ(report.plans(0).people(), 3);
  EXPECT_EQ(report.plans(0).people_complete(), 1);
  EXPECT_EQ(report.plans(0).required_minutes(), 120 * 3 + 60);
  EXPECT_EQ(report.plans(0).done_minutes(), 120 + 60 + 50);
  ASSERT_EQ(report.sub_organizations_size(), 2);
  EXPECT_EQ(report.sub_organizations(0).organization_id(), branch_);
  EXPECT_EQ(report.sub_organizations(0).people(), 1);
  EXPECT_EQ(report.sub_organizations(1).organization_id(), team_);
  EXPECT_EQ(report.sub_organizations(1).name(), "运输四队");
  EXPECT_EQ(report.sub_organizations(1).people(), 2);
  EXPECT_EQ(report.sub_organizations(1).people_complete(), 1);
  EXPECT_EQ(report.sub_organizations(1).total_minutes(), 230);
  // Per plan within each sub-organisation.
  ASSERT_EQ(report.sub_organizations(1).plans_size(), 1);
  EXPECT_EQ(report.sub_organizations(1).plans(0).people(), 2);
  EXPECT_EQ(report.sub_organizations(1).plans(0).people_complete(), 1);
  EXPECT_EQ(report.sub_organizations(1).plans(0).required_minutes(), 120 * 2 + 60);
  EXPECT_EQ(report.sub_organizations(1).plans(0).done_minutes(), 230);
  EXPECT_EQ(report.sub_organizations(0).plans(0).people(), 1);
  EXPECT_EQ(report.sub_organizations(0).plans(0).done_minutes(), 0);
  EXPECT_EQ(report.people_behind(), 0);  // due at the end of the year

  r.set_plan_id(plan.id() + 999);
  auto status = study_->GetStudyReport(Ctx(sec_).get(), r, &report);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "plan_id");
  EXPECT_EQ(study_->GetStudyReport(Ctx(t1_).get(), r, &report).error_code(),
            grpc::PERMISSION_DENIED);

  v1::GetLeaderboardRequest lb;
  lb.set_organization_id(branch_);
  lb.set_page_size(2);
  v1::GetLeaderboardResponse page1, page2;
  ASSERT_TRUE(study_->GetLeaderboard(Ctx(sec_).get(), lb, &page1).ok());
  ASSERT_EQ(page1.entries_size(), 2);
  EXPECT_EQ(page1.entries(0).person_id(), d1_);
  EXPECT_EQ(page1.entries(0).points(), 18);
  EXPECT_EQ(page1.entries(0).rank(), 1);
  EXPECT_EQ(page1.entries(1).person_id(), d2_);
  EXPECT_EQ(page1.entries(1).points(), 5);
  ASSERT_FALSE(page1.next_page_token().empty());
  lb.set_page_token(page1.next_page_token());
  ASSERT_TRUE(study_->GetLeaderboard(Ctx(sec_).get(), lb, &page2).ok());
  ASSERT_EQ(page2.entries_size(), 1);
  EXPECT_EQ(page2.entries(0).rank(), 3);
  EXPECT_TRUE(page2.next_page_token().empty());
  // A token of another query is refused.
  lb.set_organization_id(team_);
  status = study_->GetLeaderboard(Ctx(sec_).get(), lb, &page2);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "page_token");
}

TEST_F(StudyServiceTest, EveryOtherMutatingCallRetriesToTheFirstAnswer) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  // Each request is sent twice with the same request id: the second answer is the first one,
  // byte for byte, and nothing is written twice (a second plan would be ALREADY_EXISTS).
  auto twice = [&](auto method, const auto& request, auto* first, auto* second) {
    ASSERT_TRUE(((*study_).*method)(Ctx(sec_).get(), request, first).ok());
    ASSERT_TRUE(((*study_).*method)(Ctx(sec_).get(), request, second).ok());
    EXPECT_EQ(first->SerializeAsString(), second->SerializeAsString());
  };
  v1::UpdateMaterialRequest um;
  um.set_request_id(TestServer::RequestId());
  um.mutable_material()->set_id(material.id());
  um.mutable_material()->set_estimated_minutes(90);
  um.mutable_update_mask()->add_paths("estimated_minutes");
  v1::Material m1, m2;
  twice(&v1::StudyService::Stub::UpdateMaterial, um, &m1, &m2);

  v1::CreateStudyPlanRequest cp;
  cp.set_request_id(TestServer::RequestId());
  cp.mutable_plan()->set_organization_id(branch_);
  cp.mutable_plan()->set_year(year_);
  cp.mutable_plan()->set_title("计划");
  auto* item = cp.mutable_plan()->add_items();
  item->set_material_id(material.id());
  item->set_required_minutes(60);
  item->set_due_date(std::to_string(year_) + "-12-31");
  v1::StudyPlan p1, p2;
  twice(&v1::StudyService::Stub::CreateStudyPlan, cp, &p1, &p2);

  v1::UpdateStudyPlanRequest up;
  up.set_request_id(TestServer::RequestId());
  *up.mutable_plan() = p1;
  up.mutable_plan()->add_items()->CopyFrom(p1.items(0));
  up.mutable_plan()->mutable_items(1)->set_id(0);  // a new item: gets an id once
  up.mutable_update_mask()->add_paths("items");
  v1::StudyPlan u1, u2;
  twice(&v1::StudyService::Stub::UpdateStudyPlan, up, &u1, &u2);
  EXPECT_EQ(u1.items_size(), 2);

  v1::SetStudySettingsRequest ss;
  ss.set_request_id(TestServer::RequestId());
  ss.mutable_settings()->set_organization_id(branch_);
  ss.mutable_settings()->mutable_points_rule()->set_minutes_per_point(5);
  ss.mutable_update_mask()->add_paths("points_rule");
  v1::StudySettings s1, s2;
  twice(&v1::StudyService::Stub::SetStudySettings, ss, &s1, &s2);
  EXPECT_EQ(s1.points_rule().minutes_per_point(), 5);
  EXPECT_EQ(s1.points_rule().quiz_pass_points(), 20);  // unset fields take the default

  v1::CreateQuizRequest cq;
  cq.set_request_id(TestServer::RequestId());
  auto* quiz = cq.mutable_quiz();
  quiz->set_organization_id(branch_);
  quiz->set_title("测验");
  auto* q = quiz->add_questions();
  q->set_kind(v1::QUESTION_KIND_SINGLE_CHOICE);
  q->set_text("问题");
  q->add_options("甲");
  q->add_options("乙");
  q->add_correct_options(1);
  quiz->set_draw_count(1);
  quiz->set_pass_percent(50);
  quiz->set_max_attempts(1);
  quiz->set_time_limit_seconds(60);
  v1::Quiz q1, q2;
  twice(&v1::StudyService::Stub::CreateQuiz, cq, &q1, &q2);
  v1::ListQuizzesRequest lq;
  lq.set_organization_id(branch_);
  v1::ListQuizzesResponse quizzes;
  ASSERT_TRUE(study_->ListQuizzes(Ctx(sec_).get(), lq, &quizzes).ok());
  EXPECT_EQ(quizzes.quizzes_size(), 1);

  v1::ArchiveMaterialRequest am;
  am.set_request_id(TestServer::RequestId());
  am.set_id(material.id());
  v1::Material a1, a2;
  twice(&v1::StudyService::Stub::ArchiveMaterial, am, &a1, &a2);
  EXPECT_TRUE(a1.archived());
}

TEST_F(StudyServiceTest, ConcurrentCheckInsCountEveryMinuteOnce) {
  auto material = CreateMaterial(sec_, branch_, "党章");
  // 32 people check in 5 times each from 16 client threads; a person's records land on
  // different threads (so their progress record is contended), and each call is retried.
  constexpr int kPeople = 32, kRecords = 5, kThreads = 16;
  std::vector<std::string> tokens;
  std::vector<uint64_t> ids;
  for (int i = 0; i < kPeople; ++i) {
    ids.push_back(
        server_.CreatePerson(admin_, team_, "司机" + std::to_string(i), "c" + std::to_string(i))
            .id());
    tokens.push_back(server_.SignIn("c" + std::to_string(i)));
  }
  std::atomic<int> failures{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kPeople * kRecords; i += kThreads) {
        auto r = RecordRequest(material.id(), 7, "收车后学习");
        const auto& token = tokens[i / kRecords];
        if (!Record(token, r).ok()) ++failures;
        if (!Record(token, r).ok()) ++failures;  // the retry of a lost answer
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << kPeople * kRecords << " synced check-ins (+ as many retries) from " << kThreads
            << " threads in " << seconds << " s: " << static_cast<int>(kPeople * kRecords / seconds)
            << " check-ins/s\n";
  EXPECT_EQ(failures.load(), 0);
  for (uint64_t id : ids) {
    auto p = Progress(sec_, id);
    EXPECT_EQ(p.total_minutes(), 7 * kRecords) << id;
    EXPECT_EQ(p.notes_chars(), 5 * kRecords) << id;
  }
}

TEST_F(StudyServiceTest, ReportFollowsAMovedOrganization) {
  v1::CreateStudyPlanRequest r;
  r.set_request_id(TestServer::RequestId());
  r.mutable_plan()->set_organization_id(team_);
  r.mutable_plan()->set_year(year_);
  r.mutable_plan()->set_title("车队计划");
  auto* item = r.mutable_plan()->add_items();
  item->set_topic("安全规程");
  item->set_required_minutes(30);
  item->set_due_date(std::to_string(year_) + "-12-31");
  v1::StudyPlan plan;
  ASSERT_TRUE(study_->CreateStudyPlan(Ctx(sec_).get(), r, &plan).ok());
  // The team moves below the sibling branch: its plan now counts there.
  v1::MoveOrganizationRequest move;
  move.set_request_id(TestServer::RequestId());
  move.set_id(team_);
  move.set_new_parent_id(sibling_);
  v1::Organization moved;
  ASSERT_TRUE(server_.orgs().MoveOrganization(Ctx(admin_).get(), move, &moved).ok());
  v1::GetStudyReportRequest get;
  get.set_organization_id(sibling_);
  v1::StudyReport report;
  ASSERT_TRUE(study_->GetStudyReport(Ctx(sib_).get(), get, &report).ok());
  ASSERT_EQ(report.plans_size(), 1);
  EXPECT_EQ(report.plans(0).plan_id(), plan.id());
  EXPECT_EQ(report.plans(0).people(), 2);  // the two drivers
  get.set_organization_id(branch_);
  ASSERT_TRUE(study_->GetStudyReport(Ctx(sec_).get(), get, &report).ok());
  EXPECT_EQ(report.plans_size(), 0);
}

}  // namespace
}  // namespace branchline
