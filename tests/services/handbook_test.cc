// HandbookService: the branch and member handbooks hold what the other services answer for
// the same period and caller, as data and as PDF, CSV and JSON files; the refusals name their
// field; nobody reads a handbook they could not read section by section.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/handbook.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/common/digest.h"
#include "tests/services/records_fixture.h"
#include "tests/services/sample_images.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace branchline::testing {
namespace {

#define ASSERT_OK(call)                         \
  do {                                          \
    const grpc::Status s_ = (call);             \
    ASSERT_TRUE(s_.ok()) << s_.error_message(); \
  } while (0)
#define EXPECT_OK(call)                         \
  do {                                          \
    const grpc::Status s_ = (call);             \
    EXPECT_TRUE(s_.ok()) << s_.error_message(); \
  } while (0)

// A document attached to a meeting that is no photo (it has no thumbnail).
std::string PdfDocument() {
  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n";
  pdf.resize(2000, ' ');
  return pdf;
}

class HandbookTest : public RecordsTest {
 protected:
  void SetUp() override {
    RecordsTest::SetUp();
    handbooks_ = v1::HandbookService::NewStub(server_.channel());
    today_ = Today();
  }

  static v1::LocalDate DateAt(int64_t micros) {
    const std::time_t seconds = micros / kSec;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return Date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  }
  // The UTC date a day from now: whatever the organisations' offset, their today is on or
  // before it. The periods run from 300 days before.
  static v1::LocalDate Today() { return DateAt(Now() + 24 * kHour); }
  static v1::LocalDate PeriodStart() { return DateAt(Now() - 300 * 24 * kHour); }
  // A date that is past in every offset: what the ledger takes.
  static v1::LocalDate Yesterday() { return DateAt(Now() - 24 * kHour); }

  v1::GetBranchHandbookRequest BranchRequest(uint64_t org = 0) const {
    v1::GetBranchHandbookRequest r;
    r.set_organization_id(org ? org : branch_);
    *r.mutable_from_date() = PeriodStart();
    *r.mutable_to_date() = today_;
    return r;
  }
  grpc::Status Branch(const v1::GetBranchHandbookRequest& r, v1::BranchHandbook* out,
                      const std::string& token = "") {
    return handbooks_->GetBranchHandbook(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::GetMemberHandbookRequest MemberRequest(uint64_t person) const {
    v1::GetMemberHandbookRequest r;
    r.set_person_id(person);
    *r.mutable_from_date() = PeriodStart();
    *r.mutable_to_date() = today_;
    return r;
  }
  grpc::Status Member(const v1::GetMemberHandbookRequest& r, v1::MemberHandbook* out,
                      const std::string& token = "") {
    return handbooks_->GetMemberHandbook(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }

  // A whole export stream, chunks joined; `status` receives how it ended.
  template <typename Request>
  std::string Export(const Request& r, grpc::Status* status, const std::string& token) {
    auto ctx = Ctx(token);
    std::unique_ptr<grpc::ClientReader<v1::HandbookChunk>> reader;
    if constexpr (std::is_same_v<Request, v1::ExportBranchHandbookRequest>) {
      reader = handbooks_->ExportBranchHandbook(ctx.get(), r);
    } else {
      reader = handbooks_->ExportMemberHandbook(ctx.get(), r);
    }
    std::string file;
    v1::HandbookChunk chunk;
    while (reader->Read(&chunk)) file += chunk.data();
    *status = reader->Finish();
    return file;
  }
  v1::ExportBranchHandbookRequest BranchExport(v1::HandbookFormat format) const {
    const auto get = BranchRequest();
    v1::ExportBranchHandbookRequest r;
    r.set_organization_id(get.organization_id());
    *r.mutable_from_date() = get.from_date();
    *r.mutable_to_date() = get.to_date();
    r.set_format(format);
    return r;
  }

  // The text of a PDF as pdftotext reads it (poppler-utils).
  static std::string PdfText(const std::string& pdf) {
    TempDir dir;
    const std::string path = dir.Sub("handbook.pdf");
    std::ofstream(path, std::ios::binary) << pdf;
    std::string text;
    FILE* p = popen(("pdftotext -layout " + path + " - 2>&1").c_str(), "r");
    if (!p) return text;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, p)) > 0) text.append(buffer, n);
    pclose(p);
    return text;
  }

  // The encodings of the images drawn in a PDF, one per image as pdfimages -list lists them
  // ("jpeg" for an embedded JPEG).
  static std::vector<std::string> PdfImageEncodings(const std::string& pdf) {
    TempDir dir;
    const std::string path = dir.Sub("handbook.pdf");
    std::ofstream(path, std::ios::binary) << pdf;
    int exit_code = -1;
    std::istringstream lines(RunCommand("pdfimages -list " + path, &exit_code));
    EXPECT_EQ(exit_code, 0);
    std::vector<std::string> encodings;
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      int page = 0, num = 0, width = 0, height = 0;
      std::string type, color, comp, bpc, encoding;
      if (fields >> page >> num >> type >> width >> height >> color >> comp >> bpc >> encoding &&
          type == "image") {
        encodings.push_back(encoding);
      }
    }
    return encodings;
  }

  // A file uploaded by the secretary to the branch, in one chunk.
  v1::File MustUpload(const std::string& name, const std::string& bytes) {
    auto files = v1::FileService::NewStub(server_.channel());
    v1::StartUploadRequest start;
    start.set_request_id(TestServer::RequestId());
    start.set_organization_id(branch_);
    start.set_file_name(name);
    start.set_size_bytes(bytes.size());
    start.set_sha256(ToHex(Sha256(bytes)));
    v1::Upload upload;
    EXPECT_OK(files->StartUpload(Ctx(secretary_).get(), start, &upload));
    v1::UploadChunkRequest chunk;
    chunk.set_upload_id(upload.upload_id());
    chunk.set_offset(0);
    chunk.set_data(bytes);
    EXPECT_OK(files->UploadChunk(Ctx(secretary_).get(), chunk, &upload));
    v1::FinishUploadRequest finish;
    finish.set_upload_id(upload.upload_id());
    v1::File file;
    EXPECT_OK(files->FinishUpload(Ctx(secretary_).get(), finish, &file));
    return file;
  }
  void MustAttachToMeeting(uint64_t file, uint64_t meeting) {
    auto files = v1::FileService::NewStub(server_.channel());
    v1::AttachFileRequest attach;
    attach.set_request_id(TestServer::RequestId());
    attach.set_file_id(file);
    attach.mutable_to()->set_target(v1::ATTACHMENT_TARGET_MEETING);
    attach.mutable_to()->set_object_id(meeting);
    v1::File out;
    ASSERT_OK(files->AttachFile(Ctx(secretary_).get(), attach, &out));
  }

  std::unique_ptr<v1::HandbookService::Stub> handbooks_;
  v1::LocalDate today_;
};

TEST_F(HandbookTest, TheBranchHandbookHoldsWhatTheServicesAnswer) {
  Mark(held_, d1_id_, v1::ATTENDANCE_STATUS_PRESENT);
  Mark(held_, d2_id_, v1::ATTENDANCE_STATUS_ABSENT);
  MustSave(RecordDraft(held_), 0);
  MustAddEntry(EntryDraft(Yesterday()));
  // A meeting still to come is not yet held: it is not in the handbook.
  MustCreate(Draft(Now() + 3 * kHour));

  v1::BranchHandbook h;
  ASSERT_OK(Branch(BranchRequest(), &h));
  EXPECT_EQ(h.organization_id(), branch_);
  EXPECT_EQ(h.organization_name(), "运输四队党支部");
  EXPECT_TRUE(h.withheld_sections().empty());

  // Members: the branch's subtree, by name, with no contact details in the message type.
  std::set<uint64_t> members;
  for (const auto& m : h.members()) members.insert(m.person_id());
  EXPECT_EQ(members, (std::set<uint64_t>{secretary_id_, d1_id_, d2_id_, d3_id_}));
  for (int i = 1; i < h.members_size(); ++i) {
    EXPECT_LE(h.members(i - 1).display_name(), h.members(i).display_name());
  }

  ASSERT_EQ(h.meetings_size(), 1);
  const auto& meeting = h.meetings(0);
  EXPECT_EQ(meeting.meeting().id(), held_);
  const v1::Roster roster = Roster(held_);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(meeting.attendance(), roster.counts()));
  EXPECT_EQ(meeting.attendance().present(), 1);
  ASSERT_TRUE(meeting.has_minutes());
  EXPECT_EQ(meeting.minutes().problems_size(), 1);
  EXPECT_EQ(meeting.minutes().resolutions(0), "下月起每周一安全例会前学习十分钟");

  EXPECT_EQ(h.attendance().meetings(), 1);
  EXPECT_EQ(h.ledger().entries(), 1);
  EXPECT_EQ(h.study().organization_id(), branch_);
  EXPECT_EQ(h.mailbox().organization_id(), branch_);
}

TEST_F(HandbookTest, APeriodBeforeTheMeetingsHoldsNone) {
  MustSave(RecordDraft(held_), 0);
  auto r = BranchRequest();
  *r.mutable_from_date() = Date(2020, 1, 1);
  *r.mutable_to_date() = Date(2020, 12, 31);
  v1::BranchHandbook h;
  ASSERT_OK(Branch(r, &h));
  EXPECT_EQ(h.meetings_size(), 0);
  EXPECT_EQ(h.attendance().meetings(), 0);
  EXPECT_EQ(h.ledger().entries(), 0);
  EXPECT_EQ(h.members_size(), 4);  // members are who they are now
}

TEST_F(HandbookTest, BadRequestsNameTheirField) {
  v1::BranchHandbook h;
  auto r = BranchRequest();
  r.clear_from_date();
  auto s = Branch(r, &h);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(s), "from_date");

  r = BranchRequest();
  *r.mutable_to_date() = Date(2020, 1, 1);
  s = Branch(r, &h);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(s), "to_date");

  r = BranchRequest();
  *r.mutable_from_date() = Date(today_.year() - 2, 1, 1);  // more than 366 days
  EXPECT_EQ(ViolationField(Branch(r, &h)), "to_date");

  r = BranchRequest();
  *r.mutable_to_date() = Date(today_.year(), 2, 30);
  EXPECT_EQ(ViolationField(Branch(r, &h)), "to_date");

  r = BranchRequest();
  r.set_organization_id(0);
  EXPECT_EQ(ViolationField(Branch(r, &h)), "organization_id");
  r.set_organization_id(branch_ + 999);
  EXPECT_EQ(Branch(r, &h).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::Status status;
  auto e = BranchExport(v1::HANDBOOK_FORMAT_UNSPECIFIED);
  EXPECT_TRUE(Export(e, &status, secretary_).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "format");
  e.set_format(static_cast<v1::HandbookFormat>(42));
  Export(e, &status, secretary_);
  EXPECT_EQ(ViolationField(status), "format");

  v1::MemberHandbook m;
  auto mr = MemberRequest(0);
  EXPECT_EQ(ViolationField(Member(mr, &m)), "person_id");
  mr = MemberRequest(d1_id_);
  mr.clear_to_date();
  EXPECT_EQ(ViolationField(Member(mr, &m)), "to_date");
}

TEST_F(HandbookTest, OnlyThoseWhoReadTheRecordsReadTheBranchHandbook) {
  v1::BranchHandbook h;
  EXPECT_EQ(Branch(BranchRequest(), &h, d1_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Branch(BranchRequest(), &h, outsider_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Branch(BranchRequest(), &h, server_.AdminAboveToken(root_)).ok());
  // A records-reading service sees the records; what its scope does not cover is named, not
  // silently missing.
  const auto service = server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ);
  ASSERT_OK(Branch(BranchRequest(), &h, service));
  EXPECT_FALSE(h.withheld_sections().empty());
  const std::set<std::string> withheld(h.withheld_sections().begin(), h.withheld_sections().end());
  EXPECT_TRUE(withheld.count("mailbox")) << h.ShortDebugString();
  EXPECT_FALSE(withheld.count("ledger"));
  EXPECT_EQ(Branch(BranchRequest(), &h, server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_READ))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(HandbookTest, TheMemberHandbookHoldsTheirOwnRecords) {
  Mark(held_, d1_id_, v1::ATTENDANCE_STATUS_PRESENT);
  MustAddEntry(EntryDraft(Yesterday()));  // names d1
  auto other = EntryDraft(Yesterday());
  other.clear_person_ids();
  other.add_person_ids(d2_id_);
  MustAddEntry(other);

  v1::MemberHandbook h;
  ASSERT_OK(Member(MemberRequest(d1_id_), &h));
  EXPECT_EQ(h.member().person_id(), d1_id_);
  EXPECT_EQ(h.member().display_name(), "张师傅");
  EXPECT_EQ(h.organization_name(), "驾驶员一组");
  EXPECT_TRUE(h.withheld_sections().empty()) << h.ShortDebugString();
  ASSERT_EQ(h.attendance().entries_size(), 1);
  EXPECT_EQ(h.attendance().entries(0).meeting().id(), held_);
  EXPECT_EQ(h.attendance().entries(0).status(), v1::ATTENDANCE_STATUS_PRESENT);
  ASSERT_EQ(h.ledger_entries_size(), 1);  // not d2's
  EXPECT_EQ(h.ledger_entries(0).person_ids(0), d1_id_);

  // Their own handbook: the branch's ledger is its people's, so the talk is in it too.
  v1::MemberHandbook own;
  ASSERT_OK(Member(MemberRequest(d1_id_), &own, d1_));
  EXPECT_TRUE(own.withheld_sections().empty()) << own.ShortDebugString();
  EXPECT_EQ(own.attendance().entries_size(), 1);
  ASSERT_EQ(own.ledger_entries_size(), 1);
  EXPECT_EQ(own.ledger_entries(0).person_ids(0), d1_id_);
  // A records-scoped service reads the ledger; what its scope does not cover is named.
  v1::MemberHandbook by_service;
  ASSERT_OK(Member(MemberRequest(d1_id_), &by_service,
                   server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ)));
  EXPECT_EQ(by_service.ledger_entries_size(), 1);
  const std::set<std::string> withheld(by_service.withheld_sections().begin(),
                                       by_service.withheld_sections().end());
  EXPECT_TRUE(withheld.count("study")) << by_service.ShortDebugString();
  EXPECT_FALSE(withheld.count("ledger_entries"));

  // Nobody reads a colleague's handbook; a stranger finds no such person.
  EXPECT_EQ(Member(MemberRequest(d1_id_), &h, d2_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const auto stranger = Member(MemberRequest(d1_id_), &h, outsider_).error_code();
  EXPECT_TRUE(stranger == grpc::StatusCode::PERMISSION_DENIED ||
              stranger == grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Member(MemberRequest(d1_id_), &h, server_.ForeignTenantAdminToken()).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(HandbookTest, ExportsArePdfCsvAndJsonOfTheSameHandbook) {
  MustSave(RecordDraft(held_), 0);
  v1::BranchHandbook data;
  ASSERT_OK(Branch(BranchRequest(), &data));

  grpc::Status status;
  const std::string pdf = Export(BranchExport(v1::HANDBOOK_FORMAT_PDF), &status, secretary_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(pdf.substr(0, 5), "%PDF-");
  const std::string text = PdfText(pdf);
  EXPECT_NE(text.find("运输四队党支部"), std::string::npos) << text;
  EXPECT_NE(text.find("王书记"), std::string::npos);
  EXPECT_NE(text.find("周一安全例会"), std::string::npos);
  EXPECT_NE(text.find("出车记录填写不全"), std::string::npos);  // the problem in the minutes

  const std::string csv = Export(BranchExport(v1::HANDBOOK_FORMAT_CSV), &status, secretary_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("运输四队党支部"), std::string::npos);
  EXPECT_NE(csv.find("张师傅"), std::string::npos);

  const std::string json = Export(BranchExport(v1::HANDBOOK_FORMAT_JSON), &status, secretary_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::BranchHandbook parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  parsed.clear_generate_time();
  data.clear_generate_time();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, data))
      << parsed.ShortDebugString() << "\n"
      << data.ShortDebugString();

  // The member's exports, and a refusal ends the stream with its status and no bytes.
  v1::ExportMemberHandbookRequest member;
  member.set_person_id(d1_id_);
  *member.mutable_from_date() = BranchRequest().from_date();
  *member.mutable_to_date() = today_;
  member.set_format(v1::HANDBOOK_FORMAT_PDF);
  const std::string member_pdf = Export(member, &status, d1_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(PdfText(member_pdf).find("张师傅"), std::string::npos);
  EXPECT_TRUE(Export(member, &status, d2_).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(HandbookTest, AMeetingsPhotosAreInTheHandbookAndTheirThumbnailsInItsPdf) {
  MustSave(RecordDraft(held_), 0);
  const v1::File agenda = MustUpload("会议议程.pdf", PdfDocument());
  const v1::File photo = MustUpload("会场.jpg", GradientJpeg(640, 480));
  ASSERT_NE(photo.id(), 0u);
  ASSERT_TRUE(photo.has_thumbnail());
  ASSERT_FALSE(agenda.has_thumbnail());
  MustAttachToMeeting(agenda.id(), held_);
  MustAttachToMeeting(photo.id(), held_);

  v1::BranchHandbook h;
  ASSERT_OK(Branch(BranchRequest(), &h));
  ASSERT_EQ(h.meetings_size(), 1);
  EXPECT_EQ(h.meetings(0).attachments(), 2);
  ASSERT_EQ(h.meetings(0).photos_size(), 1);  // the agenda is no photo
  EXPECT_EQ(h.meetings(0).photos(0).id(), photo.id());
  EXPECT_EQ(h.meetings(0).photos(0).file_name(), "会场.jpg");
  EXPECT_TRUE(h.meetings(0).photos(0).has_thumbnail());

  // The PDF shows the thumbnail (read with the secretary's rights), as the JPEG it is.
  grpc::Status status;
  const std::string pdf = Export(BranchExport(v1::HANDBOOK_FORMAT_PDF), &status, secretary_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(PdfImageEncodings(pdf), std::vector<std::string>{"jpeg"});
  const std::string text = PdfText(pdf);
  EXPECT_NE(text.find("会场.jpg"), std::string::npos) << text;
  EXPECT_EQ(text.find("另有"), std::string::npos) << text;  // nothing left out
  // So does that of a manager above, who reads the meeting and so its photo.
  const std::string by_admin =
      Export(BranchExport(v1::HANDBOOK_FORMAT_PDF), &status, server_.AdminAboveToken(root_));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(PdfImageEncodings(by_admin), std::vector<std::string>{"jpeg"});

  const std::string csv = Export(BranchExport(v1::HANDBOOK_FORMAT_CSV), &status, secretary_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(csv.find("\r\n照片：会场.jpg\r\n"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("会议议程.pdf"), std::string::npos);
}

// HandbookService × every kind of caller (docs/authorization.md, "handbooks").
class HandbookAuthorizationTest : public HandbookTest {
 protected:
  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    if (op == "GetBranchHandbook(branch)") {
      v1::BranchHandbook out;
      return handbooks_->GetBranchHandbook(ctx.get(), BranchRequest(), &out).error_code();
    }
    if (op == "ExportBranchHandbook(branch)") {
      grpc::Status status;
      Export(BranchExport(v1::HANDBOOK_FORMAT_CSV), &status, token);
      return status.error_code();
    }
    if (op == "GetMemberHandbook(d1)") {
      v1::MemberHandbook out;
      return handbooks_->GetMemberHandbook(ctx.get(), MemberRequest(d1_id_), &out).error_code();
    }
    if (op == "ExportMemberHandbook(d1)") {
      v1::ExportMemberHandbookRequest r;
      r.set_person_id(d1_id_);
      *r.mutable_from_date() = MemberRequest(d1_id_).from_date();
      *r.mutable_to_date() = today_;
      r.set_format(v1::HANDBOOK_FORMAT_CSV);
      grpc::Status status;
      Export(r, &status, token);
      return status.error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }
};

TEST_F(HandbookAuthorizationTest, Matrix) {
  using namespace testing::matrix;  // NOLINT: table cell names
  auto tokens = MatrixCallers();
  tokens["member of group below"] = d1_;
  tokens["colleague of the member"] = d2_;
  tokens["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ);
  tokens["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
  const std::vector<std::string> ops = {"GetBranchHandbook(branch)", "ExportBranchHandbook(branch)",
                                        "GetMemberHandbook(d1)", "ExportMemberHandbook(d1)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Branch    Export    Member    Export
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   DENIED,   OK,       OK}},
    {"colleague of the member",  {DENIED,   DENIED,   DENIED,   DENIED}},
    {"secretary of branch",      {OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK}},
    {"service with scope",       {OK,       OK,       OK,       OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"handbooks", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens.at(caller));
  });
}

}  // namespace
}  // namespace branchline::testing
