#include "clients/desktop/tests/seed.h"

#include <grpcpp/grpcpp.h>

#include <QCryptographicHash>
#include <QDateTime>
#include <chrono>
#include <stdexcept>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"

namespace branchline::desk::testing {
namespace {

namespace v1 = ::branchline::v1;

int request_counter = 0;
std::string RequestId() { return "desk-e2e-seed-request-" + std::to_string(++request_counter); }

// One signed-in caller with stubs and a clock shifted like the server's.
class Caller {
 public:
  Caller(const std::string& address, int64_t offset_seconds)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        offset_(offset_seconds),
        auth_(v1::AuthService::NewStub(channel_)),
        orgs(v1::OrganizationService::NewStub(channel_)),
        people(v1::PersonService::NewStub(channel_)),
        attendance(v1::AttendanceService::NewStub(channel_)),
        study(v1::StudyService::NewStub(channel_)),
        feedback(v1::FeedbackService::NewStub(channel_)),
        files(v1::FileService::NewStub(channel_)) {}

  v1::Person SignIn(const std::string& login, const std::string& password) {
    v1::SignInRequest request;
    request.set_login(login);
    request.set_password(password);
    v1::SignInResponse response = Must(auth_.get(), &v1::AuthService::Stub::SignIn, request);
    token_ = response.access_token();
    return response.person();
  }

  template <class Stub, class Req, class Resp>
  Resp Must(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
            const Req& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
    Resp response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    if (!status.ok()) {
      throw std::runtime_error("seed call failed: " + status.error_message() + " (" +
                               request.GetTypeName() + ")");
    }
    return response;
  }

  // Now on the server's clock, in seconds.
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() -
           offset_;
  }
  google::protobuf::Timestamp At(int64_t seconds) const {
    google::protobuf::Timestamp t;
    t.set_seconds(seconds);
    return t;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  int64_t offset_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::string token_;

 public:
  std::unique_ptr<v1::OrganizationService::Stub> orgs;
  std::unique_ptr<v1::PersonService::Stub> people;
  std::unique_ptr<v1::AttendanceService::Stub> attendance;
  std::unique_ptr<v1::StudyService::Stub> study;
  std::unique_ptr<v1::FeedbackService::Stub> feedback;
  std::unique_ptr<v1::FileService::Stub> files;
};

const char* kPhones[] = {"13800000001", "13800000002", "13800000003", "13800000004"};
const char* kNames[] = {"张伟", "李娜", "王芳", "刘洋"};

uint64_t CreateOrg(Caller& admin, uint64_t parent, const std::string& name,
                   v1::OrganizationKind kind) {
  v1::CreateOrganizationRequest request;
  request.set_request_id(RequestId());
  request.mutable_organization()->set_parent_id(parent);
  request.mutable_organization()->set_name(name);
  request.mutable_organization()->set_kind(kind);
  return admin.Must(admin.orgs.get(), &v1::OrganizationService::Stub::CreateOrganization, request)
      .id();
}

uint64_t CreateMeeting(Caller& admin, uint64_t org, const std::string& title, int64_t start) {
  v1::CreateMeetingRequest request;
  request.set_request_id(RequestId());
  v1::Meeting* m = request.mutable_meeting();
  m->set_organization_id(org);
  m->set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  m->set_title(title);
  *m->mutable_start_time() = admin.At(start);
  *m->mutable_end_time() = admin.At(start + 3600);
  m->mutable_window()->set_opens_minutes_before(60);
  m->mutable_window()->set_late_after_minutes(10);
  m->mutable_window()->set_closes_minutes_after(120);
  m->set_agenda("学习党章，讨论冬季安全");
  return admin.Must(admin.attendance.get(), &v1::AttendanceService::Stub::CreateMeeting, request)
      .id();
}

void CheckIn(Caller& admin, Caller& member, uint64_t meeting) {
  v1::GetCheckInCodeRequest get;
  get.set_meeting_id(meeting);
  const v1::CheckInCode code =
      admin.Must(admin.attendance.get(), &v1::AttendanceService::Stub::GetCheckInCode, get);
  v1::CheckInRequest request;
  request.set_request_id(RequestId());
  request.set_meeting_id(meeting);
  *request.mutable_device_time() = member.At(member.Now());
  request.mutable_code()->set_code(code.code());
  *request.mutable_code()->mutable_captured_time() = member.At(member.Now());
  request.mutable_code()->set_typed(true);
  member.Must(member.attendance.get(), &v1::AttendanceService::Stub::CheckIn, request);
}

void AskLeave(Caller& member, uint64_t meeting, const std::string& reason) {
  v1::RequestLeaveRequest request;
  request.set_request_id(RequestId());
  request.set_meeting_id(meeting);
  request.set_reason(reason);
  member.Must(member.attendance.get(), &v1::AttendanceService::Stub::RequestLeave, request);
}

uint64_t Letter(Caller& author, uint64_t org, v1::LetterCategory category,
                const std::string& subject, const std::string& body, bool anonymous) {
  v1::SubmitLetterRequest request;
  request.set_request_id(RequestId() + "-letter-padding");
  request.set_organization_id(org);
  request.set_category(category);
  request.set_subject(subject);
  request.set_body(body);
  request.set_anonymous(anonymous);
  return author.Must(author.feedback.get(), &v1::FeedbackService::Stub::SubmitLetter, request)
      .letter()
      .id();
}

void Study(Caller& member, const SeededData& data, int item, int minutes,
           const std::string& notes) {
  v1::GetStudyPlanRequest get;
  get.set_id(data.plan_id);
  const v1::StudyPlan plan =
      member.Must(member.study.get(), &v1::StudyService::Stub::GetStudyPlan, get);
  v1::RecordStudyRequest request;
  request.set_request_id(RequestId());
  request.set_plan_id(data.plan_id);
  request.set_plan_item_id(plan.items(item).id());
  request.set_minutes(minutes);
  request.set_notes(notes);
  *request.mutable_device_time() = member.At(member.Now());
  member.Must(member.study.get(), &v1::StudyService::Stub::RecordStudy, request);
}

std::unique_ptr<Caller> Member(const std::string& address, int64_t offset, int index) {
  auto caller = std::make_unique<Caller>(address, offset);
  caller->SignIn(kPhones[index], kMemberPassword);
  return caller;
}

}  // namespace

void SeedPast(const std::string& address, int64_t offset, SeededData* data) {
  Caller admin(address, offset);
  const v1::Person me = admin.SignIn("admin", kAdminPassword);
  data->branch_id =
      CreateOrg(admin, me.organization_id(), "收费站党支部", v1::ORGANIZATION_KIND_BRANCH);
  data->group_ids = {CreateOrg(admin, data->branch_id, "一班组", v1::ORGANIZATION_KIND_GROUP),
                     CreateOrg(admin, data->branch_id, "二班组", v1::ORGANIZATION_KIND_GROUP)};
  for (int i = 0; i < 4; ++i) {
    v1::CreatePersonRequest request;
    request.set_request_id(RequestId());
    request.mutable_person()->set_organization_id(data->group_ids[static_cast<size_t>(i / 2)]);
    request.mutable_person()->set_display_name(kNames[i]);
    request.mutable_person()->set_phone(kPhones[i]);
    request.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
    request.set_initial_password(kMemberPassword);
    data->people.push_back(
        admin.Must(admin.people.get(), &v1::PersonService::Stub::CreatePerson, request).id());
  }
  std::vector<std::unique_ptr<Caller>> members;
  for (int i = 0; i < 4; ++i) members.push_back(Member(address, offset, i));

  data->past_meeting_id =
      CreateMeeting(admin, data->branch_id, "十一月支部党员大会", admin.Now() + 10 * 60);
  for (int i = 0; i < 3; ++i)
    CheckIn(admin, *members[static_cast<size_t>(i)], data->past_meeting_id);
  AskLeave(*members[3], data->past_meeting_id, "高速抢险值班");
  v1::DecideLeaveRequest decide;
  decide.set_request_id(RequestId());
  decide.set_meeting_id(data->past_meeting_id);
  decide.set_person_id(data->people[3]);
  decide.set_approve(true);
  admin.Must(admin.attendance.get(), &v1::AttendanceService::Stub::DecideLeave, decide);

  data->anonymous_letter_id =
      Letter(*members[1], data->branch_id, v1::LETTER_CATEGORY_DIFFICULTY, "连续夜班休息不足",
             "这个月连着六个夜班，第二天又排早班。", true);
  data->named_letter_id = Letter(*members[0], data->branch_id, v1::LETTER_CATEGORY_SUGGESTION,
                                 "建议收费亭增设取暖器", "冬季夜班太冷。", false);

  const int year = QDateTime::fromSecsSinceEpoch(admin.Now()).date().year();
  v1::CreateStudyPlanRequest plan;
  plan.set_request_id(RequestId());
  plan.mutable_plan()->set_organization_id(data->branch_id);
  plan.mutable_plan()->set_year(year);
  plan.mutable_plan()->set_title(std::to_string(year) + "年度理论学习计划");
  for (const auto& [topic, minutes] : {std::pair<std::string, int>{"学习党章", 60},
                                       std::pair<std::string, int>{"安全生产法", 30}}) {
    v1::StudyPlanItem* item = plan.mutable_plan()->add_items();
    item->set_topic(topic);
    item->set_required_minutes(minutes);
    item->set_due_date(std::to_string(year) + "-12-31");
  }
  data->plan_id =
      admin.Must(admin.study.get(), &v1::StudyService::Stub::CreateStudyPlan, plan).id();
  Study(*members[0], *data, 0, 30, "第一章 党员的义务");
  Study(*members[2], *data, 1, 30, "安全生产责任制");
}

void SeedPresent(const std::string& address, SeededData* data) {
  Caller admin(address, 0);
  admin.SignIn("admin", kAdminPassword);
  std::vector<std::unique_ptr<Caller>> members;
  for (int i = 0; i < 4; ++i) members.push_back(Member(address, 0, i));
  data->live_meeting_id =
      CreateMeeting(admin, data->branch_id, "主题党日：冬季安全", admin.Now() + 10 * 60);
  CheckIn(admin, *members[0], data->live_meeting_id);
  CheckIn(admin, *members[2], data->live_meeting_id);
  AskLeave(*members[3], data->live_meeting_id, "跑长途，在路上");
  data->fresh_letter_id = Letter(*members[2], data->branch_id, v1::LETTER_CATEGORY_INNOVATION,
                                 "ETC车道改进建议", "高峰期可以临时开放一条混合车道。", false);
  Study(*members[0], *data, 0, 40, "第二章 党的组织制度");
  Study(*members[0], *data, 1, 30, "学习了安全生产法第三章");
  Study(*members[1], *data, 0, 20, "");
}

void SeedMeetingPhoto(const std::string& address, const std::string& file_name,
                      const std::string& photo, SeededPhoto* data) {
  Caller admin(address, 0);
  const v1::Person me = admin.SignIn("admin", kAdminPassword);
  data->branch_id =
      CreateOrg(admin, me.organization_id(), "机务段党支部", v1::ORGANIZATION_KIND_BRANCH);
  data->meeting_id =
      CreateMeeting(admin, data->branch_id, "十二月支部党员大会", admin.Now() + 10 * 60);
  v1::StartUploadRequest start;
  start.set_request_id(RequestId());
  start.set_organization_id(data->branch_id);
  start.set_file_name(file_name);
  start.set_size_bytes(photo.size());
  start.set_sha256(
      QCryptographicHash::hash(QByteArray::fromStdString(photo), QCryptographicHash::Sha256)
          .toHex()
          .toStdString());
  v1::Upload upload = admin.Must(admin.files.get(), &v1::FileService::Stub::StartUpload, start);
  if (upload.max_chunk_bytes() == 0) throw std::runtime_error("StartUpload: no max_chunk_bytes");
  while (upload.received_bytes() < photo.size()) {
    v1::UploadChunkRequest chunk;
    chunk.set_upload_id(upload.upload_id());
    chunk.set_offset(upload.received_bytes());
    chunk.set_data(photo.substr(upload.received_bytes(), upload.max_chunk_bytes()));
    upload = admin.Must(admin.files.get(), &v1::FileService::Stub::UploadChunk, chunk);
    ++data->upload_chunks;
  }
  v1::FinishUploadRequest finish;
  finish.set_upload_id(upload.upload_id());
  data->file_id = admin.Must(admin.files.get(), &v1::FileService::Stub::FinishUpload, finish).id();
  v1::AttachFileRequest attach;
  attach.set_request_id(RequestId());
  attach.set_file_id(data->file_id);
  attach.mutable_to()->set_target(v1::ATTACHMENT_TARGET_MEETING);
  attach.mutable_to()->set_object_id(data->meeting_id);
  admin.Must(admin.files.get(), &v1::FileService::Stub::AttachFile, attach);
}

void CheckInMember(const std::string& address, uint64_t meeting, int index) {
  Caller admin(address, 0);
  admin.SignIn("admin", kAdminPassword);
  CheckIn(admin, *Member(address, 0, index), meeting);
}

}  // namespace branchline::desk::testing
