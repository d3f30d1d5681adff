// Every StudyService RPC × every kind of caller, each cell the documented outcome (see the
// rules on StudyService in proto/branchline/v1/study.proto).
#include <gtest/gtest.h>

#include <map>

#include "branchline/v1/study.grpc.pb.h"
#include "services/common/clock.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;
using namespace testing::matrix;  // NOLINT: table cell names

class StudyAuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    study_ = v1::StudyService::NewStub(server_.channel());
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "本支部").id();
    sibling_ = server_.CreateOrg(admin_, root_, "兄弟支部").id();
    member_ = server_.CreatePerson(admin_, branch_, "本人", "self").id();
    server_.CreatePerson(admin_, branch_, "同事", "colleague");
    server_.CreatePerson(admin_, branch_, "书记", "secretary", v1::ROLE_SECRETARY);
    server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);

    std::string self = server_.SignIn("self");
    tokens_["no token"] = "";
    tokens_["expired"] = server_.ExpiredToken(member_);
    tokens_["anonymous receipt holder"] = "";  // no token: only receipt RPCs accept them
    tokens_["tampered"] = TestServer::TamperedToken(self);
    tokens_["other tenant admin"] = server_.ForeignTenantAdminToken();
    tokens_["another member"] = server_.SignIn("colleague");
    tokens_["self"] = self;
    tokens_["secretary of branch"] = server_.SignIn("secretary");
    tokens_["secretary of sibling"] = server_.SignIn("sibling-secretary");
    tokens_["admin above"] = server_.AdminAboveToken(root_);
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_STUDY_READ);
    tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);

    // A material, a plan and a quiz of the branch.
    v1::CreateMaterialRequest m;
    m.set_request_id(TestServer::RequestId());
    m.mutable_material()->set_organization_id(branch_);
    m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    m.mutable_material()->set_title("党章");
    m.mutable_material()->set_body("正文");
    v1::Material material;
    ASSERT_TRUE(study_->CreateMaterial(TestServer::Ctx(admin_).get(), m, &material).ok());
    material_ = material.id();
    v1::CreateStudyPlanRequest p;
    p.set_request_id(TestServer::RequestId());
    p.mutable_plan()->set_organization_id(branch_);
    p.mutable_plan()->set_year(2030);
    p.mutable_plan()->set_title("计划");
    auto* item = p.mutable_plan()->add_items();
    item->set_topic("党史");
    item->set_required_minutes(60);
    item->set_due_date("2030-12-31");
    v1::StudyPlan plan;
    ASSERT_TRUE(study_->CreateStudyPlan(TestServer::Ctx(admin_).get(), p, &plan).ok());
    plan_ = plan.id();
    v1::Quiz quiz;
    ASSERT_TRUE(study_->CreateQuiz(TestServer::Ctx(admin_).get(), QuizRequest(), &quiz).ok());
    quiz_ = quiz.id();
  }

  v1::CreateQuizRequest QuizRequest() {
    v1::CreateQuizRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_quiz()->set_organization_id(branch_);
    r.mutable_quiz()->set_title("测验");
    auto* q = r.mutable_quiz()->add_questions();
    q->set_kind(v1::QUESTION_KIND_SINGLE_CHOICE);
    q->set_text("问题");
    q->add_options("甲");
    q->add_options("乙");
    q->add_correct_options(0);
    r.mutable_quiz()->set_draw_count(1);
    r.mutable_quiz()->set_pass_percent(100);
    r.mutable_quiz()->set_max_attempts(100);
    r.mutable_quiz()->set_time_limit_seconds(600);
    return r;
  }

  // A study record of "self", recorded now: the own-records RPCs act on it.
  uint64_t SelfRecord() {
    v1::RecordStudyRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_material_id(material_);
    r.set_minutes(5);
    *r.mutable_device_time() = ToTimestamp(SystemClock().NowMicros());
    v1::StudyRecord out;
    auto status = study_->RecordStudy(TestServer::Ctx(tokens_.at("self")).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }

  // A quiz attempt "self" started now.
  v1::QuizAttempt SelfAttempt() {
    v1::StartQuizAttemptRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_quiz_id(quiz_);
    v1::QuizAttempt out;
    auto status = study_->StartQuizAttempt(TestServer::Ctx(tokens_.at("self")).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    auto* c = ctx.get();
    if (op == "GetMaterial") {
      v1::GetMaterialRequest r;
      r.set_id(material_);
      v1::Material out;
      return study_->GetMaterial(c, r, &out).error_code();
    }
    if (op == "ListMaterials(subtree)") {
      v1::ListMaterialsRequest r;
      r.set_organization_id(branch_);
      r.set_include_descendants(true);
      v1::ListMaterialsResponse out;
      return study_->ListMaterials(c, r, &out).error_code();
    }
    if (op == "CreateMaterial") {
      v1::CreateMaterialRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_material()->set_organization_id(branch_);
      r.mutable_material()->set_kind(v1::MATERIAL_KIND_VIDEO);
      r.mutable_material()->set_title("视频");
      r.mutable_material()->set_link("https://example.com/v");
      v1::Material out;
      return study_->CreateMaterial(c, r, &out).error_code();
    }
    if (op == "UpdateMaterial") {
      v1::UpdateMaterialRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_material()->set_id(material_);
      r.mutable_material()->set_title("党章（修订）");
      r.mutable_update_mask()->add_paths("title");
      v1::Material out;
      return study_->UpdateMaterial(c, r, &out).error_code();
    }
    if (op == "ArchiveMaterial") {
      v1::CreateMaterialRequest m;
      m.set_request_id(TestServer::RequestId());
      m.mutable_material()->set_organization_id(branch_);
      m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
      m.mutable_material()->set_title("旧文件");
      m.mutable_material()->set_body("正文");
      v1::Material fresh;
      EXPECT_TRUE(study_->CreateMaterial(TestServer::Ctx(admin_).get(), m, &fresh).ok());
      v1::ArchiveMaterialRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(fresh.id());
      v1::Material out;
      return study_->ArchiveMaterial(c, r, &out).error_code();
    }
    if (op == "CreateStudyPlan") {
      v1::CreateStudyPlanRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_plan()->set_organization_id(branch_);
      const int year = next_year_++;  // one plan per organisation and year
      r.mutable_plan()->set_year(year);
      r.mutable_plan()->set_title("计划");
      auto* item = r.mutable_plan()->add_items();
      item->set_topic("党史");
      item->set_required_minutes(60);
      item->set_due_date(std::to_string(year) + "-12-31");
      v1::StudyPlan out;
      return study_->CreateStudyPlan(c, r, &out).error_code();
    }
    if (op == "ListStudyPlans") {
      v1::ListStudyPlansRequest r;
      r.set_organization_id(branch_);
      r.set_year(2030);
      v1::ListStudyPlansResponse out;
      return study_->ListStudyPlans(c, r, &out).error_code();
    }
    if (op == "ListMyPlanItems") {
      v1::ListMyPlanItemsRequest r;
      r.set_year(2030);
      v1::ListMyPlanItemsResponse out;
      return study_->ListMyPlanItems(c, r, &out).error_code();
    }
    if (op == "GetStudySettings") {
      v1::GetStudySettingsRequest r;
      r.set_organization_id(branch_);
      v1::StudySettings out;
      return study_->GetStudySettings(c, r, &out).error_code();
    }
    if (op == "ListQuizzes") {
      v1::ListQuizzesRequest r;
      r.set_organization_id(branch_);
      v1::ListQuizzesResponse out;
      return study_->ListQuizzes(c, r, &out).error_code();
    }
    if (op == "GetStudyPlan") {
      v1::GetStudyPlanRequest r;
      r.set_id(plan_);
      v1::StudyPlan out;
      return study_->GetStudyPlan(c, r, &out).error_code();
    }
    if (op == "UpdateStudyPlan") {
      v1::UpdateStudyPlanRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_plan()->set_id(plan_);
      r.mutable_plan()->set_title("新计划");
      r.mutable_update_mask()->add_paths("title");
      v1::StudyPlan out;
      return study_->UpdateStudyPlan(c, r, &out).error_code();
    }
    if (op == "RecordStudy") {
      v1::RecordStudyRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_material_id(material_);
      r.set_minutes(5);
      *r.mutable_device_time() = ToTimestamp(SystemClock().NowMicros());
      v1::StudyRecord out;
      return study_->RecordStudy(c, r, &out).error_code();
    }
    if (op == "GetStudyProgress") {
      v1::GetStudyProgressRequest r;
      r.set_person_id(member_);
      v1::StudyProgress out;
      return study_->GetStudyProgress(c, r, &out).error_code();
    }
    if (op == "ListStudyRecords") {
      v1::ListStudyRecordsRequest r;
      r.set_person_id(member_);
      v1::ListStudyRecordsResponse out;
      return study_->ListStudyRecords(c, r, &out).error_code();
    }
    if (op == "GetStudyReport") {
      v1::GetStudyReportRequest r;
      r.set_organization_id(branch_);
      v1::StudyReport out;
      return study_->GetStudyReport(c, r, &out).error_code();
    }
    if (op == "GetLeaderboard") {
      v1::GetLeaderboardRequest r;
      r.set_organization_id(branch_);
      v1::GetLeaderboardResponse out;
      return study_->GetLeaderboard(c, r, &out).error_code();
    }
    if (op == "SetStudySettings") {
      v1::SetStudySettingsRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_settings()->set_organization_id(branch_);
      r.mutable_settings()->set_max_notes_chars(3000);
      r.mutable_update_mask()->add_paths("max_notes_chars");
      v1::StudySettings out;
      return study_->SetStudySettings(c, r, &out).error_code();
    }
    if (op == "CreateQuiz") {
      v1::Quiz out;
      return study_->CreateQuiz(c, QuizRequest(), &out).error_code();
    }
    if (op == "GetQuiz") {
      v1::GetQuizRequest r;
      r.set_id(quiz_);
      v1::Quiz out;
      return study_->GetQuiz(c, r, &out).error_code();
    }
    if (op == "StartQuizAttempt") {
      v1::StartQuizAttemptRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_quiz_id(quiz_);
      v1::QuizAttempt out;
      return study_->StartQuizAttempt(c, r, &out).error_code();
    }
    // The own-records RPCs, each on a record or attempt of "self" made for this cell (so the
    // row before cannot have used it up): only self may touch them.
    if (op == "UpdateStudyRecord(self's)") {
      v1::UpdateStudyRecordRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(SelfRecord());
      r.set_minutes(7);
      r.mutable_update_mask()->add_paths("minutes");
      v1::StudyRecord out;
      return study_->UpdateStudyRecord(c, r, &out).error_code();
    }
    if (op == "DeleteStudyRecord(self's)") {
      v1::DeleteStudyRecordRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(SelfRecord());
      v1::DeleteStudyRecordResponse out;
      return study_->DeleteStudyRecord(c, r, &out).error_code();
    }
    if (op == "SubmitQuizAttempt(self's)") {
      const v1::QuizAttempt attempt = SelfAttempt();
      v1::SubmitQuizAttemptRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_attempt_id(attempt.id());
      for (const auto& q : attempt.questions()) {
        auto* answer = r.add_answers();
        answer->set_question_id(q.id());
        answer->add_chosen_options(0);
      }
      v1::QuizAttempt out;
      return study_->SubmitQuizAttempt(c, r, &out).error_code();
    }
    if (op == "ListQuizAttempts(self's)") {
      v1::ListQuizAttemptsRequest r;
      r.set_person_id(member_);
      r.set_quiz_id(quiz_);
      v1::ListQuizAttemptsResponse out;
      return study_->ListQuizAttempts(c, r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  TestServer server_;
  std::unique_ptr<v1::StudyService::Stub> study_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, sibling_ = 0, member_ = 0;
  uint64_t material_ = 0, plan_ = 0, quiz_ = 0;
  int next_year_ = 2040;
  std::map<std::string, std::string> tokens_;
};

TEST_F(StudyAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"GetMaterial",
                                        "ListMaterials(subtree)",
                                        "CreateMaterial",
                                        "GetStudyPlan",
                                        "UpdateStudyPlan",
                                        "RecordStudy",
                                        "GetStudyProgress",
                                        "ListStudyRecords",
                                        "GetStudyReport",
                                        "GetLeaderboard",
                                        "SetStudySettings",
                                        "CreateQuiz",
                                        "GetQuiz",
                                        "StartQuizAttempt",
                                        "UpdateMaterial",
                                        "ArchiveMaterial",
                                        "CreateStudyPlan",
                                        "ListStudyPlans",
                                        "ListMyPlanItems",
                                        "GetStudySettings",
                                        "ListQuizzes",
                                        "UpdateStudyRecord(self's)",
                                        "DeleteStudyRecord(self's)",
                                        "SubmitQuizAttempt(self's)",
                                        "ListQuizAttempts(self's)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                         GetM    ListM   CreM    GetP    UpdP    Record  Progr   Recs    Report  Board   Sett    CreQ    GetQ    Start
    {"no token",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",               {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",    {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"another member",        {OK, DENIED, DENIED, OK, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED, DENIED, OK, OK, OK, OK, DENIED, DENIED, DENIED, DENIED}},
    {"self",                  {OK, DENIED, DENIED, OK, DENIED, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED, DENIED, OK, OK, OK, OK, OK, OK, OK, OK}},
    {"secretary of branch",   {OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, DENIED, DENIED, DENIED, OK}},
    {"secretary of sibling",  {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"admin above",           {OK, OK, OK, OK, OK, DENIED, OK, OK, OK, OK, OK, OK, OK, DENIED, OK, OK, OK, OK, OK, OK, OK, DENIED, DENIED, DENIED, OK}},
    {"service with scope",    {OK, OK, DENIED, OK, DENIED, DENIED, OK, OK, OK, OK, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK, OK, DENIED, DENIED, DENIED, OK}},
    {"service without scope", {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
  };
  // clang-format on
  testing::ExpectMatrix({"study", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return Call(op, tokens_.at(caller));
                        });
}

}  // namespace
}  // namespace branchline
