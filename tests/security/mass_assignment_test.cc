// Mass assignment: for every create and update RPC that takes a resource message, every field
// the server owns (ids, tenant, author, state flags, timestamps, inherited markers), sent by
// the client with a forged value, is refused or ignored: never stored.
//
// Table-driven: each row is an RPC with a valid baseline request and the server-owned fields
// of its resource. For each field the forged value is set (by reflection) on the baseline;
// update RPCs are tried twice, with the field outside and inside the update mask. Then:
//   - the answer is OK or a client error (INVALID_ARGUMENT, FAILED_PRECONDITION, ...);
//   - on OK, neither the answer nor the record read back holds the forged value;
//   - the record the forged id points at (the "victim") is byte-for-byte unchanged.
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

#include <functional>
#include <future>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/common/clock.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using testing::TestServer;

constexpr int64_t kForgedSeconds = 978'307'200;  // 2001-01-01: no record here is that old

struct Row {
  std::string service;   // "OrganizationService"
  std::string method;    // "CreateOrganization"
  std::string resource;  // the request's field holding the resource ("organization")
  std::vector<std::string> owned;
  // A valid request (for updates: of the record `Target` names, with a mask of a client
  // field).
  std::function<std::unique_ptr<Message>()> baseline;
};

class MassAssignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "本支部").id();
    other_org_ = server_.CreateOrg(admin_, root_, "兄弟支部").id();
    victim_person_ = server_.CreatePerson(admin_, branch_, "王师傅", "victim").id();
    stub_ = std::make_unique<grpc::GenericStub>(server_.channel());
    foreign_tenant_ = ForeignTenant();
    // One record of each kind: the victims forged ids point at, and the targets of updates.
    meeting_ = Create("AttendanceService", "CreateMeeting", *MeetingRequest());
    material_ = Create("StudyService", "CreateMaterial", *MaterialRequest());
    plan_ = Create("StudyService", "CreateStudyPlan", *PlanRequest());
    quiz_ = Create("StudyService", "CreateQuiz", *QuizRequest());
    notice_ = Create("SyncService", "PostNotice", *NoticeRequest());
  }

  uint64_t ForeignTenant() {
    server_.ForeignTenantAdminToken();
    return storage_tenant_ + 1;  // tenants are numbered in order: the next one exists now
  }

  static const google::protobuf::MethodDescriptor* Method(const std::string& service,
                                                          const std::string& method) {
    const auto* s = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
        "branchline.v1." + service);
    return s ? s->FindMethodByName(method) : nullptr;
  }

  // Calls `service/method` with `request`; on OK parses the answer into `answer`.
  grpc::Status Call(const std::string& service, const std::string& method, const Message& request,
                    std::unique_ptr<Message>* answer = nullptr) {
    const auto* m = Method(service, method);
    EXPECT_NE(m, nullptr) << method;
    if (!m) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, method);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer req(&slice, 1), reply;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&ctx, "/branchline.v1." + service + "/" + method, grpc::StubOptions(), &req,
                     &reply, [&](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    if (status.ok() && answer) {
      std::vector<grpc::Slice> slices;
      (void)reply.Dump(&slices);
      std::string out;
      for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
      answer->reset(MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
      EXPECT_TRUE((*answer)->ParseFromString(out));
    }
    return status;
  }

  uint64_t Create(const std::string& service, const std::string& method, const Message& request) {
    std::unique_ptr<Message> answer;
    auto status = Call(service, method, request, &answer);
    EXPECT_TRUE(status.ok()) << method << ": " << status.error_message();
    if (!status.ok()) return 0;
    const auto* id = answer->GetDescriptor()->FindFieldByName("id");
    return id ? answer->GetReflection()->GetUInt64(*answer, id) : 0;
  }

  // A record as stored, read with its Get RPC: by id, or by organisation for settings.
  std::string ReadBack(const std::string& service, const std::string& type, uint64_t key) {
    std::string method = "Get" + type;
    const auto* m = Method(service, method);
    if (!m) return "";
    std::unique_ptr<Message> request(
        MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
    const auto* f = request->GetDescriptor()->FindFieldByName("id");
    if (!f) f = request->GetDescriptor()->FindFieldByName("organization_id");
    request->GetReflection()->SetUInt64(request.get(), f, key);
    std::unique_ptr<Message> answer;
    auto status = Call(service, method, *request, &answer);
    EXPECT_TRUE(status.ok()) << method << "(" << key << "): " << status.error_message();
    return status.ok() ? answer->SerializeAsString() : "";
  }

  // --- Baselines ---------------------------------------------------------------------------
  std::string Rid() { return TestServer::RequestId(); }
  static google::protobuf::Timestamp In(int64_t seconds) {
    google::protobuf::Timestamp t;
    t.set_seconds(time(nullptr) + seconds);
    return t;
  }
  std::unique_ptr<Message> OrgRequest() {
    auto r = std::make_unique<v1::CreateOrganizationRequest>();
    r->set_request_id(Rid());
    r->mutable_organization()->set_parent_id(branch_);
    r->mutable_organization()->set_name("小组" + Rid());
    r->mutable_organization()->set_kind(v1::ORGANIZATION_KIND_GROUP);
    return r;
  }
  std::unique_ptr<Message> PersonRequest() {
    auto r = std::make_unique<v1::CreatePersonRequest>();
    r->set_request_id(Rid());
    r->mutable_person()->set_organization_id(branch_);
    r->mutable_person()->set_display_name("新人");
    r->mutable_person()->set_employee_number("e-" + Rid());
    r->mutable_person()->set_role(v1::ROLE_EMPLOYEE);
    r->set_initial_password(testing::kPassword);
    return r;
  }
  std::unique_ptr<Message> MeetingRequest() {
    auto r = std::make_unique<v1::CreateMeetingRequest>();
    r->set_request_id(Rid());
    auto* m = r->mutable_meeting();
    m->set_organization_id(branch_);
    m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    m->set_title("安全例会");
    *m->mutable_start_time() = In(3600);
    *m->mutable_end_time() = In(7200);
    m->set_remote_allowed(true);
    return r;
  }
  std::unique_ptr<Message> MaterialRequest() {
    auto r = std::make_unique<v1::CreateMaterialRequest>();
    r->set_request_id(Rid());
    r->mutable_material()->set_organization_id(branch_);
    r->mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    r->mutable_material()->set_title("党章");
    r->mutable_material()->set_body("正文");
    return r;
  }
  std::unique_ptr<Message> PlanRequest() {
    auto r = std::make_unique<v1::CreateStudyPlanRequest>();
    r->set_request_id(Rid());
    r->mutable_plan()->set_organization_id(branch_);
    r->mutable_plan()->set_year(next_year_++);  // one plan per organisation and year
    r->mutable_plan()->set_title("计划");
    auto* item = r->mutable_plan()->add_items();
    item->set_topic("党史");
    item->set_required_minutes(60);
    item->set_due_date("2030-12-31");
    return r;
  }
  std::unique_ptr<Message> QuizRequest() {
    auto r = std::make_unique<v1::CreateQuizRequest>();
    r->set_request_id(Rid());
    r->mutable_quiz()->set_organization_id(branch_);
    r->mutable_quiz()->set_title("测验");
    auto* q = r->mutable_quiz()->add_questions();
    q->set_kind(v1::QUESTION_KIND_SINGLE_CHOICE);
    q->set_text("问题");
    q->add_options("甲");
    q->add_options("乙");
    q->add_correct_options(0);
    r->mutable_quiz()->set_draw_count(1);
    r->mutable_quiz()->set_pass_percent(100);
    r->mutable_quiz()->set_max_attempts(3);
    r->mutable_quiz()->set_time_limit_seconds(600);
    return r;
  }
  std::unique_ptr<Message> NoticeRequest() {
    auto r = std::make_unique<v1::PostNoticeRequest>();
    r->set_request_id(Rid());
    r->mutable_notice()->set_organization_id(branch_);
    r->mutable_notice()->mutable_audience()->set_organization_id(branch_);
    r->mutable_notice()->set_title("通知");
    r->mutable_notice()->set_body("正文");
    return r;
  }
  // An update of `id` changing the client field `path` (its value set by `set`).
  template <typename Request>
  std::unique_ptr<Message> Update(const std::string& resource, uint64_t id, const std::string& path,
                                  const std::function<void(Message&)>& set) {
    auto r = std::make_unique<Request>();
    r->set_request_id(Rid());
    Message* res =
        r->GetReflection()->MutableMessage(r.get(), r->GetDescriptor()->FindFieldByName(resource));
    const auto* idf = res->GetDescriptor()->FindFieldByName("id");
    if (idf) {
      res->GetReflection()->SetUInt64(res, idf, id);
    } else {
      res->GetReflection()->SetUInt64(res, res->GetDescriptor()->FindFieldByName("organization_id"),
                                      id);
    }
    set(*res);
    r->mutable_update_mask()->add_paths(path);
    return r;
  }
  static std::function<void(Message&)> SetString(const std::string& field, const std::string& v) {
    return [=](Message& m) {
      m.GetReflection()->SetString(&m, m.GetDescriptor()->FindFieldByName(field), v);
    };
  }
  static std::function<void(Message&)> SetInt32(const std::string& field, int32_t v) {
    return [=](Message& m) {
      m.GetReflection()->SetInt32(&m, m.GetDescriptor()->FindFieldByName(field), v);
    };
  }

  std::vector<Row> Rows() {
    return {
        {"OrganizationService",
         "CreateOrganization",
         "organization",
         {"id", "ancestor_ids", "tenant_id", "archived", "create_time", "update_time"},
         [this] { return OrgRequest(); }},
        {"OrganizationService",
         "UpdateOrganization",
         "organization",
         {"ancestor_ids", "tenant_id", "archived", "create_time", "update_time", "parent_id"},
         [this] {
           return Update<v1::UpdateOrganizationRequest>("organization", branch_, "name",
                                                        SetString("name", "改名"));
         }},
        {"PersonService",
         "CreatePerson",
         "person",
         {"id", "tenant_id", "kind", "scopes", "active", "system_admin", "create_time",
          "update_time"},
         [this] { return PersonRequest(); }},
        {"PersonService",
         "UpdatePerson",
         "person",
         {"tenant_id", "kind", "scopes", "active", "system_admin", "create_time", "update_time"},
         [this] {
           return Update<v1::UpdatePersonRequest>("person", victim_person_, "display_name",
                                                  SetString("display_name", "改名"));
         }},
        {"AttendanceService",
         "CreateMeeting",
         "meeting",
         {"id", "cancelled", "cancel_reason", "created_by", "create_time", "update_time"},
         [this] { return MeetingRequest(); }},
        {"AttendanceService",
         "UpdateMeeting",
         "meeting",
         {"cancelled", "cancel_reason", "created_by", "create_time", "update_time"},
         [this] {
           return Update<v1::UpdateMeetingRequest>("meeting", meeting_, "title",
                                                   SetString("title", "改名"));
         }},
        {"StudyService",
         "CreateMaterial",
         "material",
         {"id", "archived", "create_time", "update_time"},
         [this] { return MaterialRequest(); }},
        {"StudyService",
         "UpdateMaterial",
         "material",
         {"archived", "create_time", "update_time"},
         [this] {
           return Update<v1::UpdateMaterialRequest>("material", material_, "title",
                                                    SetString("title", "改名"));
         }},
        {"StudyService",
         "CreateStudyPlan",
         "plan",
         {"id", "create_time", "update_time"},
         [this] { return PlanRequest(); }},
        {"StudyService",
         "UpdateStudyPlan",
         "plan",
         {"create_time", "update_time"},
         [this] {
           return Update<v1::UpdateStudyPlanRequest>("plan", plan_, "title",
                                                     SetString("title", "改名"));
         }},
        {"StudyService",
         "CreateQuiz",
         "quiz",
         {"id", "create_time"},
         [this] { return QuizRequest(); }},
        {"SyncService",
         "PostNotice",
         "notice",
         {"id", "author_id", "create_time"},
         [this] { return NoticeRequest(); }},
        {"StudyService",
         "SetStudySettings",
         "settings",
         {"inherited_from"},
         [this] {
           return Update<v1::SetStudySettingsRequest>("settings", branch_, "max_notes_chars",
                                                      SetInt32("max_notes_chars", 2000));
         }},
        {"FeedbackService",
         "UpdateFeedbackSettings",
         "settings",
         {"inherited"},
         [this] {
           return Update<v1::UpdateFeedbackSettingsRequest>(
               "settings", branch_, "resolve_within_days", SetInt32("resolve_within_days", 20));
         }},
    };
  }

  // The record a forged value of `field` points at (0: none), by resource.
  uint64_t VictimId(const std::string& resource, const std::string& field) {
    if (field == "id") {
      if (resource == "organization") return root_;
      if (resource == "person") return victim_person_;
      if (resource == "meeting") return meeting_;
      if (resource == "material") return material_;
      if (resource == "plan") return plan_;
      if (resource == "quiz") return quiz_;
      if (resource == "notice") return notice_;
    }
    // Never a value the record really has (the branch's parent and ancestor is the root).
    if (field == "parent_id" || field == "ancestor_ids") return other_org_;
    if (field == "created_by" || field == "author_id") return victim_person_;
    if (field == "inherited_from") return root_;
    return 0;
  }

  // Sets the forged value of `f` on `m`; returns a description.
  std::string Forge(Message& m, const FieldDescriptor* f, uint64_t victim) {
    const auto* r = m.GetReflection();
    r->ClearField(&m, f);
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = f->name() == "tenant_id" ? foreign_tenant_ : (victim ? victim : 424242);
        f->is_repeated() ? r->AddUInt64(&m, f, v) : r->SetUInt64(&m, f, v);
        return std::to_string(v);
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        // The value the server would never set on its own: active=false on a new person is
        // the one exception (a forged "inactive" is harmless), so forge what matters.
        r->SetBool(&m, f, f->name() != "active");
        return f->name() != "active" ? "true" : "false";
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = f->enum_type();
        int v = e->value(e->value_count() - 1)->number();
        f->is_repeated() ? r->AddEnumValue(&m, f, v) : r->SetEnumValue(&m, f, v);
        return e->value(e->value_count() - 1)->name();
      }
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(&m, f, "forged");
        return "\"forged\"";
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        google::protobuf::Timestamp t;
        t.set_seconds(kForgedSeconds);
        r->MutableMessage(&m, f)->CopyFrom(t);
        return "2001-01-01";
      }
      default:
        ADD_FAILURE() << "no forged value for " << f->full_name();
        return "";
    }
  }

  // Whether the resource `res` holds the forged value of `f`.
  static bool HoldsForged(const Message& res, const FieldDescriptor* f, const std::string& forged) {
    const auto* r = res.GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_UINT64:
        if (f->is_repeated()) {
          for (int i = 0; i < r->FieldSize(res, f); ++i) {
            if (std::to_string(r->GetRepeatedUInt64(res, f, i)) == forged) return true;
          }
          return false;
        }
        return std::to_string(r->GetUInt64(res, f)) == forged;
      case FieldDescriptor::CPPTYPE_BOOL:
        return (r->GetBool(res, f) ? "true" : "false") == forged;
      case FieldDescriptor::CPPTYPE_ENUM:
        if (f->is_repeated()) {
          for (int i = 0; i < r->FieldSize(res, f); ++i) {
            if (r->GetRepeatedEnum(res, f, i)->name() == forged) return true;
          }
          return false;
        }
        return r->GetEnum(res, f)->name() == forged;
      case FieldDescriptor::CPPTYPE_STRING:
        return "\"" + r->GetString(res, f) + "\"" == forged;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return r->HasField(res, f) &&
               static_cast<const google::protobuf::Timestamp&>(r->GetMessage(res, f)).seconds() ==
                   kForgedSeconds;
      default:
        return false;
    }
  }

  TestServer server_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, other_org_ = 0, victim_person_ = 0;
  uint64_t meeting_ = 0, material_ = 0, plan_ = 0, quiz_ = 0, notice_ = 0;
  uint32_t storage_tenant_ = 1;
  int next_year_ = 2030;
  uint64_t foreign_tenant_ = 0;
  std::unique_ptr<grpc::GenericStub> stub_;
};

std::string TypeOf(const Message& resource) { return resource.GetDescriptor()->name(); }

TEST_F(MassAssignmentTest, ServerOwnedFieldsAreNeverStored) {
  int refused = 0, ignored = 0;
  for (const Row& row : Rows()) {
    const bool update = row.method.rfind("Create", 0) != 0 && row.method != "PostNotice";
    for (const std::string& field : row.owned) {
      for (bool in_mask : update ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
        auto request = row.baseline();
        const auto* rf = request->GetDescriptor()->FindFieldByName(row.resource);
        ASSERT_NE(rf, nullptr) << row.method << "." << row.resource;
        Message* res = request->GetReflection()->MutableMessage(request.get(), rf);
        const auto* f = res->GetDescriptor()->FindFieldByName(field);
        ASSERT_NE(f, nullptr) << row.method << ": " << row.resource << "." << field;
        const uint64_t victim = VictimId(row.resource, field);
        const std::string type = TypeOf(*res);
        // The settings' Get RPCs are GetStudySettings / GetFeedbackSettings.
        const std::string victim_before =
            victim && field == "id" ? ReadBack(row.service, type, victim) : "";
        const std::string forged = Forge(*res, f, victim);
        if (in_mask) {
          auto* mask =
              static_cast<google::protobuf::FieldMask*>(request->GetReflection()->MutableMessage(
                  request.get(), request->GetDescriptor()->FindFieldByName("update_mask")));
          mask->add_paths(field);
        }
        const std::string where = row.method + " with " + row.resource + "." + field + " = " +
                                  forged + (in_mask ? " (in the update mask)" : "");
        std::unique_ptr<Message> answer;
        grpc::Status status = Call(row.service, row.method, *request, &answer);
        if (!status.ok()) {
          ++refused;
          EXPECT_TRUE(status.error_code() == grpc::INVALID_ARGUMENT ||
                      status.error_code() == grpc::FAILED_PRECONDITION ||
                      status.error_code() == grpc::PERMISSION_DENIED)
              << where << ": " << status.error_code() << " " << status.error_message();
        } else {
          ++ignored;
          // The answer is the resource itself, or holds it (settings, notices).
          const Message* out = answer.get();
          if (out->GetDescriptor() != res->GetDescriptor()) {
            const auto* holder = out->GetDescriptor()->FindFieldByName(row.resource);
            if (holder) out = &out->GetReflection()->GetMessage(*out, holder);
          }
          ASSERT_EQ(out->GetDescriptor(), res->GetDescriptor()) << where;
          EXPECT_FALSE(HoldsForged(*out, f, forged)) << where << ": the answer holds it";
          // Read back what was stored.
          const auto* idf = out->GetDescriptor()->FindFieldByName("id");
          const auto* orgf = out->GetDescriptor()->FindFieldByName("organization_id");
          uint64_t key = idf ? out->GetReflection()->GetUInt64(*out, idf)
                             : out->GetReflection()->GetUInt64(*out, orgf);
          std::string stored_bytes = ReadBack(row.service, type, key);
          std::unique_ptr<Message> stored(out->New());
          if (!stored_bytes.empty() && stored->ParseFromString(stored_bytes)) {
            const Message* s = stored.get();
            const auto* holder = s->GetDescriptor()->FindFieldByName(row.resource);
            if (s->GetDescriptor() != res->GetDescriptor() && holder) {
              s = &s->GetReflection()->GetMessage(*s, holder);
            }
            EXPECT_FALSE(HoldsForged(*s, f, forged)) << where << ": the stored record holds it";
          }
        }
        if (!victim_before.empty()) {
          EXPECT_EQ(ReadBack(row.service, type, victim), victim_before)
              << where << ": the record with the forged id changed";
        }
      }
    }
  }
  std::cout << refused << " forged requests refused, " << ignored
            << " accepted with the forged field ignored\n";
}

}  // namespace
}  // namespace branchline
