// Photos and files (issue #22): uploads in chunks that resume after a dropped connection,
// the digest and type checks, the quota, storage once per content, ranged downloads and
// thumbnails, who may read a file, and anonymous uploads that leave nothing leading to their
// author (no uploader, no exact time, no image metadata, no log line, no audit record).
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <sstream>

#include "branchline/v1/audit.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/records.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "services/common/digest.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/attendance_fixture.h"
#include "tests/services/sample_images.h"
#include "tests/services/study_domain_fixture.h"
#include "tests/storage/test_backends.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/error_details.h"
#include "tests/support/id_encodings.h"

namespace branchline::testing {
namespace {

constexpr int64_t kHourMicros = 3600LL * 1'000'000;

// The same photo as a phone stores it: an EXIF APP1 right after the start marker naming the
// camera ("HUAWEI P40") and, when `orientation` is set, how the phone was held; a comment with
// the place.
std::string PhoneJpeg(int width, int height, int orientation = 0) {
  const std::string plain = GradientJpeg(width, height);
  const std::string make = "HUAWEI P40";
  const int entries = orientation ? 2 : 1;
  const int data_offset = 8 + 2 + 12 * entries + 4;
  std::string tiff("MM\0*\0\0\0\x08", 8);  // big-endian TIFF, IFD0 at offset 8
  tiff += std::string("\0", 1) + static_cast<char>(entries);
  tiff += std::string("\x01\x0f\0\x02", 4);  // Make, ASCII
  tiff += std::string("\0\0\0", 3) + static_cast<char>(make.size() + 1);
  tiff += std::string("\0\0\0", 3) + static_cast<char>(data_offset);
  if (orientation) {
    tiff += std::string("\x01\x12\0\x03\0\0\0\x01\0", 9);  // Orientation, one SHORT
    tiff += static_cast<char>(orientation) + std::string("\0\0", 2);
  }
  tiff += std::string("\0\0\0\0", 4);  // no next IFD
  tiff += make + '\0';
  std::string exif = std::string("Exif\0\0", 6) + tiff;
  auto segment = [](char marker, const std::string& body) {
    const size_t length = body.size() + 2;
    return std::string("\xff", 1) + marker + static_cast<char>(length >> 8) +
           static_cast<char>(length & 0xff) + body;
  };
  return plain.substr(0, 2) + segment('\xe1', exif) + segment('\xfe', "GPS 39.9042N 116.4074E") +
         plain.substr(2);
}

std::string Pdf(size_t size) {
  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n";
  pdf.resize(size, ' ');
  return pdf;
}

std::string HexSha256(const std::string& bytes) { return ToHex(Sha256(bytes)); }

std::string Reason(const grpc::Status& status) { return DetailsOf(status).reason; }

// The tests that read the stored bytes open the RocksDB store the server left behind; on
// PostgreSQL (postgres_services_files) they are left to the RocksDB run.
FakeClock& UploadClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

class FilesTest : public AttendanceTest {
 protected:
  FilesTest()
      : AttendanceTest([](ServerOptions& o) {
          o.files.quota_bytes_per_organization = 1 << 20;
          o.files.max_file_bytes = 2 << 20;
          o.files.clock = &UploadClock();
        }) {}

  void SetUp() override {
    AttendanceTest::SetUp();
    files_ = v1::FileService::NewStub(server_.channel());
  }

  // The start of an upload of `bytes` to the branch, with a fresh request id long enough for
  // an anonymous upload.
  v1::StartUploadRequest StartRequest(const std::string& name, const std::string& bytes) const {
    v1::StartUploadRequest r;
    r.set_request_id(TestServer::RequestId() + "-0123456789abcdef");
    r.set_organization_id(branch_);
    r.set_file_name(name);
    r.set_size_bytes(bytes.size());
    r.set_sha256(HexSha256(bytes));
    return r;
  }
  grpc::Status Start(const std::string& token, const std::string& name, const std::string& bytes,
                     v1::Upload* out, bool anonymous = false, uint64_t org = 0,
                     const std::string& request_id = "") {
    v1::StartUploadRequest r = StartRequest(name, bytes);
    if (!request_id.empty()) r.set_request_id(request_id);
    if (org) r.set_organization_id(org);
    r.set_anonymous(anonymous);
    return files_->StartUpload(Ctx(token).get(), r, out);
  }
  grpc::Status Chunk(const std::string& token, const std::string& upload, uint64_t offset,
                     const std::string& data, v1::Upload* out) {
    v1::UploadChunkRequest r;
    r.set_upload_id(upload);
    r.set_offset(offset);
    r.set_data(data);
    return files_->UploadChunk(Ctx(token).get(), r, out);
  }
  grpc::Status Finish(const std::string& token, const std::string& upload, v1::File* out) {
    v1::FinishUploadRequest r;
    r.set_upload_id(upload);
    return files_->FinishUpload(Ctx(token).get(), r, out);
  }
  // Start, one chunk per `chunk` bytes, finish.
  grpc::Status UploadWhole(const std::string& token, const std::string& name,
                           const std::string& bytes, v1::File* out, bool anonymous = false,
                           size_t chunk = 256 << 10) {
    v1::Upload upload;
    auto status = Start(token, name, bytes, &upload, anonymous);
    if (!status.ok()) return status;
    for (size_t offset = 0; offset < bytes.size(); offset += chunk) {
      status = Chunk(token, upload.upload_id(), offset, bytes.substr(offset, chunk), &upload);
      if (!status.ok()) return status;
    }
    return Finish(token, upload.upload_id(), out);
  }
  v1::File MustUpload(const std::string& token, const std::string& name, const std::string& bytes,
                      bool anonymous = false) {
    v1::File file;
    auto status = UploadWhole(token, name, bytes, &file, anonymous);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return file;
  }
  grpc::Status Read(const std::string& token, uint64_t id, uint64_t offset, uint32_t length,
                    v1::FileContent* out, bool thumbnail = false) {
    v1::GetFileContentRequest r;
    r.set_id(id);
    r.set_offset(offset);
    r.set_length(length);
    r.set_thumbnail(thumbnail);
    return files_->GetFileContent(Ctx(token).get(), r, out);
  }
  // The whole file (or thumbnail) in ranges of `range` bytes, checked against its digest.
  std::string Download(const std::string& token, uint64_t id, uint32_t range,
                       bool thumbnail = false) {
    std::string bytes;
    v1::FileContent part;
    do {
      auto status = Read(token, id, bytes.size(), range, &part, thumbnail);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      bytes += part.data();
    } while (bytes.size() < part.total_bytes());
    EXPECT_EQ(HexSha256(bytes), part.sha256());
    return bytes;
  }

  // A study record of `token`'s person (an hour ago, 45 minutes) on a fresh material of the
  // branch.
  uint64_t StudyRecord(const std::string& token) {
    auto study = v1::StudyService::NewStub(server_.channel());
    v1::CreateMaterialRequest m;
    m.set_request_id(TestServer::RequestId());
    m.mutable_material()->set_organization_id(branch_);
    m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    m.mutable_material()->set_title("党章第二章");
    m.mutable_material()->set_body("学习内容");
    v1::Material material;
    auto status = study->CreateMaterial(Ctx(secretary_).get(), m, &material);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::RecordStudyRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_material_id(material.id());
    r.set_minutes(45);
    r.set_notes("手写笔记两页");
    *r.mutable_device_time() = Ts(Now() - kHourMicros);
    v1::StudyRecord record;
    status = study->RecordStudy(Ctx(token).get(), r, &record);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return record.id();
  }
  // A notice of the branch posted by its secretary: to `people` when given, else to the whole
  // branch.
  uint64_t Notice(const std::vector<uint64_t>& people = {}) {
    auto sync = v1::SyncService::NewStub(server_.channel());
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(branch_);
    for (uint64_t p : people) r.mutable_notice()->mutable_audience()->add_person_ids(p);
    r.mutable_notice()->set_title("安全学习通知");
    r.mutable_notice()->set_body("附件是本月安全学习材料，请下载阅读。");
    v1::Notice notice;
    auto status = sync->PostNotice(Ctx(secretary_).get(), r, &notice);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return notice.id();
  }

  std::unique_ptr<v1::FileService::Stub> files_;
};

TEST_F(FilesTest, AnUploadInThreeChunksResumesAfterTheConnectionDropsAndDownloadsInRanges) {
  const std::string photo = GradientJpeg(1000, 600);
  const size_t third = photo.size() / 3 + 1;
  v1::Upload upload;
  ASSERT_TRUE(Start(d1_, "IMG_20261203_101512.jpg", photo, &upload).ok());
  EXPECT_EQ(upload.received_bytes(), 0u);
  EXPECT_EQ(upload.max_chunk_bytes(), 512u << 10);
  const std::string id = upload.upload_id();
  ASSERT_TRUE(Chunk(d1_, id, 0, photo.substr(0, third), &upload).ok());
  ASSERT_TRUE(Chunk(d1_, id, third, photo.substr(third, third), &upload).ok());
  // The connection drops before the phone hears the second answer: it sends the second chunk
  // again, which is acknowledged without being stored twice ...
  ASSERT_TRUE(Chunk(d1_, id, third, photo.substr(third, third), &upload).ok());
  EXPECT_EQ(upload.received_bytes(), 2 * third);
  // ... and asks where to go on.
  v1::GetUploadRequest where;
  where.set_upload_id(id);
  ASSERT_TRUE(files_->GetUpload(Ctx(d1_).get(), where, &upload).ok());
  EXPECT_EQ(upload.received_bytes(), 2 * third);
  // A chunk from the wrong place says where the upload stands.
  auto skipped = Chunk(d1_, id, 2 * third + 10, photo.substr(2 * third + 10), &upload);
  EXPECT_EQ(skipped.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(skipped), "UPLOAD_OFFSET_MISMATCH");
  EXPECT_EQ(DetailsOf(skipped).metadata["received_bytes"], std::to_string(2 * third));
  // Finishing early is refused with what is missing.
  v1::File file;
  auto early = Finish(d1_, id, &file);
  EXPECT_EQ(Reason(early), "UPLOAD_INCOMPLETE");
  ASSERT_TRUE(Chunk(d1_, id, 2 * third, photo.substr(2 * third), &upload).ok());
  EXPECT_EQ(upload.received_bytes(), photo.size());
  ASSERT_TRUE(Finish(d1_, id, &file).ok());
  EXPECT_EQ(file.content_type(), "image/jpeg");
  EXPECT_EQ(file.file_name(), "IMG_20261203_101512.jpg");
  EXPECT_EQ(file.size_bytes(), photo.size());
  EXPECT_EQ(file.sha256(), HexSha256(photo));
  EXPECT_EQ(file.uploader_person_id(), d1_id_);
  EXPECT_EQ(file.width(), 1000u);
  EXPECT_EQ(file.height(), 600u);
  EXPECT_TRUE(file.has_thumbnail());
  EXPECT_FALSE(file.metadata_removed());
  // Finishing again (a lost answer) returns the same file; a chunk after the finish is refused.
  v1::File again;
  ASSERT_TRUE(Finish(d1_, id, &again).ok());
  EXPECT_EQ(again.id(), file.id());
  EXPECT_EQ(Reason(Chunk(d1_, id, 0, "x", &upload)), "UPLOAD_FINISHED");

  EXPECT_EQ(Download(d1_, file.id(), 4000), photo);
  const std::string thumbnail = Download(secretary_, file.id(), 1 << 20, /*thumbnail=*/true);
  EXPECT_EQ(thumbnail.substr(0, 3), "\xff\xd8\xff");
  // Ranges past the end and over the limit are refused naming the field.
  v1::FileContent part;
  auto past = Read(d1_, file.id(), photo.size() + 1, 10, &part);
  EXPECT_EQ(past.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(past), "offset");
  auto too_long = Read(d1_, file.id(), 0, (1 << 20) + 1, &part);
  EXPECT_EQ(ViolationField(too_long), "length");
  ASSERT_TRUE(Read(d1_, file.id(), photo.size(), 10, &part).ok());
  EXPECT_TRUE(part.data().empty());
}

TEST_F(FilesTest, APhotoTakenUprightHasItsShownSizeAndAnUprightThumbnail) {
  // Stored 640x480 with orientation 6: the phone was held upright.
  const v1::File file = MustUpload(d1_, "竖拍.jpg", PhoneJpeg(640, 480, 6));
  EXPECT_EQ(file.width(), 480u);
  EXPECT_EQ(file.height(), 640u);
  EXPECT_FALSE(file.metadata_removed());  // a named photo keeps its EXIF
  const std::string stored = Download(d1_, file.id(), 1 << 20);
  EXPECT_NE(stored.find("HUAWEI P40"), std::string::npos);
  const std::string thumbnail = Download(d1_, file.id(), 1 << 20, /*thumbnail=*/true);
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(thumbnail.data()), thumbnail.size());
  ASSERT_EQ(jpeg_read_header(&cinfo, TRUE), JPEG_HEADER_OK);
  EXPECT_EQ(cinfo.image_width, 240u);
  EXPECT_EQ(cinfo.image_height, 320u);
  jpeg_destroy_decompress(&cinfo);
}

TEST_F(FilesTest, AnIphonesHeicPhotoHasItsSizeAndAThumbnail) {
  const std::string heic = RedBlueHeic(640, 480);
  ASSERT_FALSE(heic.empty());
  v1::File file = MustUpload(d1_, "IMG_0042.HEIC", heic);
  EXPECT_EQ(file.content_type(), "image/heic");
  EXPECT_EQ(file.width(), 640u);
  EXPECT_EQ(file.height(), 480u);
  EXPECT_TRUE(file.has_thumbnail());
  EXPECT_EQ(Download(d1_, file.id(), 1 << 20), heic);  // kept as taken
  const std::string thumbnail = Download(d1_, file.id(), 1 << 20, /*thumbnail=*/true);
  EXPECT_EQ(thumbnail.substr(0, 3), "\xff\xd8\xff");
  // A HEIC image cut short is kept as evidence, without a thumbnail, and never fails the upload.
  v1::File damaged = MustUpload(d1_, "IMG_0043.HEIC", heic.substr(0, heic.size() * 2 / 3));
  EXPECT_EQ(damaged.content_type(), "image/heic");
  EXPECT_FALSE(damaged.has_thumbnail());
  // An anonymous letter takes no HEIC photo: its metadata cannot be removed.
  v1::File anonymous;
  auto refused = UploadWhole(d1_, "附件.heic", heic, &anonymous, /*anonymous=*/true);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "ANONYMOUS_FILE_TYPE");
}

TEST_F(FilesTest, AStartIsFoundAgainByItsRequestIdAndAReusedIdIsRefused) {
  const std::string pdf = Pdf(3000);
  v1::Upload first, retried;
  ASSERT_TRUE(Start(d1_, "检查记录.pdf", pdf, &first, false, 0, "start-retry-0123456789").ok());
  ASSERT_TRUE(Start(d1_, "检查记录.pdf", pdf, &retried, false, 0, "start-retry-0123456789").ok());
  EXPECT_EQ(first.upload_id(), retried.upload_id());
  v1::Upload other;
  auto reused = Start(d1_, "别的.pdf", Pdf(100), &other, false, 0, "start-retry-0123456789");
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // Another person's upload behaves like one that does not exist.
  v1::Upload theirs;
  auto foreign = Chunk(d2_, first.upload_id(), 0, pdf, &theirs);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(foreign), "upload_id");
}

TEST_F(FilesTest, AWrongDigestIsRefusedAndTheUploadStartsOver) {
  const std::string pdf = Pdf(5000);
  v1::StartUploadRequest r = StartRequest("会议记录.pdf", pdf);
  r.set_sha256(HexSha256(Pdf(4999) + "x"));
  v1::Upload upload;
  ASSERT_TRUE(files_->StartUpload(Ctx(d1_).get(), r, &upload).ok());
  ASSERT_TRUE(Chunk(d1_, upload.upload_id(), 0, pdf, &upload).ok());
  v1::File file;
  auto refused = Finish(d1_, upload.upload_id(), &file);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "UPLOAD_DIGEST_MISMATCH");
  v1::GetUploadRequest where;
  where.set_upload_id(upload.upload_id());
  ASSERT_TRUE(files_->GetUpload(Ctx(d1_).get(), where, &upload).ok());
  EXPECT_EQ(upload.received_bytes(), 0u);
}

TEST_F(FilesTest, TypesAreJudgedByContentAndADisguisedProgramIsRefused) {
  std::string elf(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  elf.resize(4096, '\0');
  v1::File file;
  auto refused = UploadWhole(d1_, "photo.jpg", elf, &file);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(refused), "FILE_TYPE_NOT_ALLOWED");
  EXPECT_FALSE(DetailsOf(refused).metadata["found"].empty());
  // A PDF named like a photo is a PDF.
  const v1::File pdf = MustUpload(d1_, "photo.jpg", Pdf(2000));
  EXPECT_EQ(pdf.content_type(), "application/pdf");
  EXPECT_FALSE(pdf.has_thumbnail());
  // Names with a path, sizes over the limit and digests that are not hex name their field.
  v1::Upload upload;
  EXPECT_EQ(ViolationField(Start(d1_, "../etc/passwd", Pdf(10), &upload)), "file_name");
  auto big = Start(d1_, "big.pdf", std::string((2 << 20) + 1, 'x'), &upload);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(big), "FILE_TOO_LARGE");
  v1::StartUploadRequest r = StartRequest("a.pdf", Pdf(10));
  r.set_sha256("not hex");
  EXPECT_EQ(ViolationField(files_->StartUpload(Ctx(d1_).get(), r, &upload)), "sha256");
}

TEST_F(FilesTest, TheQuotaIsCheckedAtTheStartAndAgainAtTheFinish) {
  v1::Upload upload;
  auto over = Start(d1_, "big.pdf", Pdf((1 << 20) + 1), &upload);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Reason(over), "FILE_QUOTA_EXHAUSTED");
  EXPECT_EQ(DetailsOf(over).metadata["quota_bytes"], std::to_string(1 << 20));
  // Two uploads that each fit alone: the second to finish does not.
  const std::string a = Pdf(600 << 10), b = Pdf((600 << 10) + 1);
  v1::Upload first, second;
  ASSERT_TRUE(Start(d1_, "a.pdf", a, &first).ok());
  ASSERT_TRUE(Start(d2_, "b.pdf", b, &second).ok());
  ASSERT_TRUE(Chunk(d1_, first.upload_id(), 0, a.substr(0, 512 << 10), &first).ok());
  ASSERT_TRUE(Chunk(d1_, first.upload_id(), 512 << 10, a.substr(512 << 10), &first).ok());
  ASSERT_TRUE(Chunk(d2_, second.upload_id(), 0, b.substr(0, 512 << 10), &second).ok());
  ASSERT_TRUE(Chunk(d2_, second.upload_id(), 512 << 10, b.substr(512 << 10), &second).ok());
  v1::File file;
  ASSERT_TRUE(Finish(d1_, first.upload_id(), &file).ok());
  auto full = Finish(d2_, second.upload_id(), &file);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Reason(full), "FILE_QUOTA_EXHAUSTED");
  EXPECT_EQ(DetailsOf(full).metadata["used_bytes"], std::to_string(a.size()));
  // A chunk over the chunk limit is refused before anything is stored.
  v1::Upload third;
  ASSERT_TRUE(Start(d1_, "c.pdf", Pdf(100), &third).ok());
  EXPECT_EQ(
      ViolationField(Chunk(d1_, third.upload_id(), 0, std::string((512 << 10) + 1, 'x'), &third)),
      "data");

  v1::ListFilesRequest list;
  list.set_organization_id(branch_);
  v1::ListFilesResponse listed;
  ASSERT_TRUE(files_->ListFiles(Ctx(secretary_).get(), list, &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).file_name(), "a.pdf");
  EXPECT_EQ(listed.used_bytes(), a.size());
  EXPECT_EQ(listed.quota_bytes(), 1u << 20);
  EXPECT_EQ(files_->ListFiles(Ctx(d1_).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(FilesTest, TheSameContentIsStoredOnce) {
  if (storage::testing::ServiceSuitesOnPostgres()) GTEST_SKIP() << "reads the RocksDB store";
  const std::string photo = GradientJpeg(400, 300);
  const v1::File first = MustUpload(d1_, "a.jpg", photo);
  const v1::File second = MustUpload(d2_, "b.jpg", photo);
  EXPECT_NE(first.id(), second.id());
  EXPECT_EQ(first.sha256(), second.sha256());
  server_.Stop();
  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  int contents = 0;
  const std::string tag = storage::KeyBuilder(storage::TenantOfId(first.id())).Str("content").key();
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kFiles, tag, "",
                         [&](std::string_view, std::string_view) {
                           ++contents;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(contents, 2);  // the photo and its thumbnail, once each
}

TEST_F(FilesTest, UploadersAndManagersReadAFileOthersDoNot) {
  const v1::File file = MustUpload(d1_, "笔记.jpg", GradientJpeg(200, 100));
  v1::GetFileRequest get;
  get.set_id(file.id());
  v1::File seen;
  EXPECT_TRUE(files_->GetFile(Ctx(d1_).get(), get, &seen).ok());
  EXPECT_TRUE(files_->GetFile(Ctx(secretary_).get(), get, &seen).ok());
  EXPECT_TRUE(
      files_->GetFile(Ctx(server_.ServiceToken(root_, v1::SCOPE_RECORDS_READ)).get(), get, &seen)
          .ok());
  EXPECT_EQ(files_->GetFile(Ctx(d2_).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(files_->GetFile(Ctx(outsider_).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(files_->GetFile(Ctx(server_.ForeignTenantAdminToken()).get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Uploads go to the caller's own organisation or one above it, never sideways.
  v1::Upload upload;
  EXPECT_EQ(Start(d1_, "a.pdf", Pdf(10), &upload, false, sibling_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Start(d1_, "a.pdf", Pdf(10), &upload, false, group_).ok());
  EXPECT_EQ(Start(secretary_, "a.pdf", Pdf(10), &upload, false, root_).error_code(),
            grpc::StatusCode::OK);
}

TEST_F(FilesTest, UnfinishedUploadsExpireWithTheirChunks) {
  v1::Upload upload;
  const std::string pdf = Pdf(1000);
  ASSERT_TRUE(Start(d1_, "a.pdf", pdf, &upload).ok());
  ASSERT_TRUE(Chunk(d1_, upload.upload_id(), 0, pdf.substr(0, 500), &upload).ok());
  auto pruned = server_.server().PruneUploadsNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0u);
  UploadClock().Advance(49 * kHourMicros);
  pruned = server_.server().PruneUploadsNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_GE(*pruned, 1u);
  v1::GetUploadRequest where;
  where.set_upload_id(upload.upload_id());
  EXPECT_EQ(files_->GetUpload(Ctx(d1_).get(), where, &upload).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(FilesTest, AnAnonymousPhotoKeepsNoAuthorNoTimeNoMetadataAndLeavesNoTrace) {
  if (storage::testing::ServiceSuitesOnPostgres()) GTEST_SKIP() << "reads the RocksDB store";
  const std::string photo = PhoneJpeg(640, 480);
  ASSERT_NE(photo.find("HUAWEI P40"), std::string::npos);
  // Too short a request id to be the upload's only key; a PDF (author fields) is refused.
  v1::Upload upload;
  EXPECT_EQ(ViolationField(Start(d1_, "a.jpg", photo, &upload, true, 0, "short-id")), "request_id");
  v1::File file;
  EXPECT_EQ(Reason(UploadWhole(d1_, "举报材料.pdf", Pdf(3000), &file, /*anonymous=*/true)),
            "ANONYMOUS_FILE_TYPE");

  spdlog::set_level(spdlog::level::info);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  file = MustUpload(d1_, "IMG_20261203_101512.jpg", photo, /*anonymous=*/true);
  const std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  spdlog::set_level(spdlog::level::warn);
  EXPECT_EQ(log.find("FileService"), std::string::npos) << log;
  EXPECT_FALSE(Mentions(log, Encodings(d1_id_))) << log;

  EXPECT_EQ(file.uploader_person_id(), 0u);
  EXPECT_TRUE(file.anonymous());
  EXPECT_TRUE(file.metadata_removed());
  EXPECT_EQ(file.file_name(), "附件.jpg");
  EXPECT_EQ(ToMicros(file.create_time()) % (24 * kHourMicros), 0);
  EXPECT_NE(file.sha256(), HexSha256(photo));
  // The anonymous author cannot read it back as its uploader; the branch's managers can, and
  // the stored photo has neither the camera nor the place.
  v1::GetFileRequest get;
  get.set_id(file.id());
  v1::File seen;
  EXPECT_EQ(files_->GetFile(Ctx(d1_).get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string stored = Download(secretary_, file.id(), 1 << 20);
  EXPECT_EQ(stored.substr(0, 3), "\xff\xd8\xff");
  EXPECT_EQ(stored.find("HUAWEI"), std::string::npos);
  EXPECT_EQ(stored.find("GPS"), std::string::npos);
  EXPECT_EQ(stored.find("Exif"), std::string::npos);
  // No audit record names the author for it.
  auto audit = v1::AuditService::NewStub(server_.channel());
  v1::ListAuditRecordsRequest records;
  records.set_organization_id(root_);
  records.set_person_id(d1_id_);
  v1::ListAuditRecordsResponse listed;
  ASSERT_TRUE(audit->ListAuditRecords(Ctx(admin_).get(), records, &listed).ok());
  for (const auto& record : listed.records()) {
    EXPECT_TRUE(record.method().find("Upload") == std::string::npos) << record.DebugString();
  }

  // Nothing stored with the file or its upload holds the author's id.
  server_.Stop();
  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  const auto author = Encodings(d1_id_);
  int values = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kFiles, "", "",
                         [&](std::string_view key, std::string_view value) {
                           ++values;
                           EXPECT_FALSE(Mentions(key, author));
                           EXPECT_FALSE(Mentions(value, author));
                           return true;
                         })
                  .ok());
  EXPECT_GT(values, 0);
}

TEST_F(FilesTest, NamedUploadsLeaveAuditRecords) {
  MustUpload(d1_, "a.pdf", Pdf(100));
  auto audit = v1::AuditService::NewStub(server_.channel());
  v1::ListAuditRecordsRequest records;
  records.set_organization_id(root_);
  records.set_person_id(d1_id_);
  v1::ListAuditRecordsResponse listed;
  ASSERT_TRUE(audit->ListAuditRecords(Ctx(admin_).get(), records, &listed).ok());
  std::multiset<std::string> methods;
  for (const auto& record : listed.records()) methods.insert(record.method());
  EXPECT_EQ(methods.count("StartUpload"), 1u);
  EXPECT_EQ(methods.count("UploadChunk"), 1u);
  EXPECT_EQ(methods.count("FinishUpload"), 1u);
}

v1::AttachmentRef Ref(v1::AttachmentTarget target, uint64_t id) {
  v1::AttachmentRef ref;
  ref.set_target(target);
  ref.set_object_id(id);
  return ref;
}

class FileAttachmentTest : public FilesTest {
 protected:
  grpc::Status Attach(const std::string& token, uint64_t file, const v1::AttachmentRef& to,
                      v1::File* out) {
    v1::AttachFileRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_file_id(file);
    *r.mutable_to() = to;
    return files_->AttachFile(Ctx(token).get(), r, out);
  }
  grpc::Status Detach(const std::string& token, uint64_t file, const v1::AttachmentRef& from) {
    v1::DetachFileRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_file_id(file);
    *r.mutable_from() = from;
    v1::File out;
    return files_->DetachFile(Ctx(token).get(), r, &out);
  }
  grpc::Status Attachments(const std::string& token, const v1::AttachmentRef& of,
                           v1::ListAttachmentsResponse* out) {
    v1::ListAttachmentsRequest r;
    *r.mutable_of() = of;
    return files_->ListAttachments(Ctx(token).get(), r, out);
  }
  grpc::StatusCode Readable(const std::string& token, uint64_t file) {
    v1::GetFileRequest r;
    r.set_id(file);
    v1::File out;
    return files_->GetFile(Ctx(token).get(), r, &out).error_code();
  }
  // A ledger entry of the branch, dated yesterday.
  uint64_t LedgerEntry(v1::LedgerEntryType type) {
    auto records = v1::RecordsService::NewStub(server_.channel());
    v1::CreateLedgerEntryRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* e = r.mutable_entry();
    e->set_organization_id(branch_);
    e->set_type(type);
    const int64_t yesterday = (Now() - 24 * kHourMicros) / 1'000'000;
    std::tm day{};
    const std::time_t t = yesterday + 8 * 3600;
    gmtime_r(&t, &day);
    e->mutable_date()->set_year(day.tm_year + 1900);
    e->mutable_date()->set_month(day.tm_mon + 1);
    e->mutable_date()->set_day(day.tm_mday);
    e->set_text("走访张师傅家");
    if (type == v1::LEDGER_ENTRY_TYPE_HARDSHIP) {
      e->mutable_hardship()->set_worker_id(d1_id_);
      e->mutable_hardship()->set_difficulty("家中老人住院");
    }
    v1::LedgerEntry out;
    auto status = records->CreateLedgerEntry(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }
};

TEST_F(FileAttachmentTest, AMeetingsPhotoIsReadByTheReadersOfItsMinutes) {
  const uint64_t meeting = MustCreate(Draft(Now() - 2 * kHourMicros)).id();
  const v1::AttachmentRef to = Ref(v1::ATTACHMENT_TARGET_MEETING, meeting);
  const v1::File photo = MustUpload(d1_, "会场.jpg", GradientJpeg(320, 240));
  EXPECT_EQ(Readable(d2_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
  v1::File attached;
  // Only the meeting's host and managers attach; the uploader alone may not.
  EXPECT_EQ(Attach(d1_, photo.id(), to, &attached).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Attach(secretary_, photo.id(), to, &attached).ok());
  ASSERT_EQ(attached.attached_to_size(), 1);
  EXPECT_EQ(attached.attached_to(0).object_id(), meeting);
  // Everyone the meeting expected reads it now, and the meeting lists it (once, however often
  // it is attached).
  ASSERT_TRUE(Attach(secretary_, photo.id(), to, &attached).ok());
  EXPECT_EQ(attached.attached_to_size(), 1);
  EXPECT_EQ(Readable(d2_, photo.id()), grpc::StatusCode::OK);
  v1::ListAttachmentsResponse listed;
  ASSERT_TRUE(Attachments(d2_, to, &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).id(), photo.id());
  v1::FileContent part;
  EXPECT_TRUE(Read(d2_, photo.id(), 0, 100, &part).ok());
  // Outside the meeting's audience: nothing.
  EXPECT_EQ(Readable(outsider_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Attachments(outsider_, to, &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Detached, it is d1's and the managers' again.
  ASSERT_TRUE(Detach(secretary_, photo.id(), to).ok());
  EXPECT_EQ(Readable(d2_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
  auto again = Detach(secretary_, photo.id(), to);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(again), "from.object_id");
  ASSERT_TRUE(Attachments(secretary_, to, &listed).ok());
  EXPECT_EQ(listed.files_size(), 0);
}

TEST_F(FileAttachmentTest, LedgerFilesFollowTheEntrysReadersAndAHardshipFilesStayWithManagers) {
  const uint64_t visit = LedgerEntry(v1::LEDGER_ENTRY_TYPE_VISIT);
  const uint64_t hardship = LedgerEntry(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
  const v1::File photo = MustUpload(secretary_, "走访.jpg", GradientJpeg(200, 200));
  const v1::File letter = MustUpload(secretary_, "困难申请.pdf", Pdf(500));
  v1::File out;
  ASSERT_TRUE(
      Attach(secretary_, photo.id(), Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, visit), &out).ok());
  ASSERT_TRUE(
      Attach(secretary_, letter.id(), Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, hardship), &out)
          .ok());
  EXPECT_EQ(Readable(d3_, photo.id()), grpc::StatusCode::OK);  // the branch's people read it
  EXPECT_EQ(Readable(d3_, letter.id()), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAttachmentsResponse listed;
  EXPECT_EQ(
      Attachments(d3_, Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, hardship), &listed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Members do not attach to the ledger; unknown targets and records name their field.
  const v1::File mine = MustUpload(d1_, "mine.pdf", Pdf(300));
  EXPECT_EQ(
      Attach(d1_, mine.id(), Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, visit), &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(
                Attach(secretary_, photo.id(), Ref(v1::ATTACHMENT_TARGET_UNSPECIFIED, 1), &out)),
            "to.target");
  auto missing =
      Attach(secretary_, photo.id(), Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, visit + 999), &out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "to.object_id");
}

TEST_F(FileAttachmentTest, ARecordHoldsAtMostTwentyFiles) {
  const uint64_t visit = LedgerEntry(v1::LEDGER_ENTRY_TYPE_VISIT);
  const auto to = Ref(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, visit);
  v1::File out;
  for (int i = 0; i < 20; ++i) {
    const v1::File f = MustUpload(secretary_, "p" + std::to_string(i) + ".pdf", Pdf(200 + i));
    ASSERT_TRUE(Attach(secretary_, f.id(), to, &out).ok()) << i;
  }
  const v1::File extra = MustUpload(secretary_, "extra.pdf", Pdf(400));
  auto full = Attach(secretary_, extra.id(), to, &out);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Reason(full), "TOO_MANY_ATTACHMENTS");
  EXPECT_EQ(DetailsOf(full).metadata["max"], "20");
}

TEST_F(FileAttachmentTest, ALettersPhotosGoWithItAndAnAnonymousLetterTakesOnlyAnonymousOnes) {
  auto feedback = v1::FeedbackService::NewStub(server_.channel());
  auto letter = [&](bool anonymous, std::vector<uint64_t> files, v1::SubmitLetterResponse* out) {
    v1::SubmitLetterRequest r;
    r.set_request_id(TestServer::RequestId() + "-0123456789abcdef");
    r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
    r.set_subject("调度室漏雨");
    r.set_body("见照片");
    r.set_anonymous(anonymous);
    for (uint64_t f : files) r.add_attachment_file_ids(f);
    return feedback->SubmitLetter(Ctx(d1_).get(), r, out);
  };
  const v1::File anonymous = MustUpload(d1_, "a.jpg", PhoneJpeg(200, 100), /*anonymous=*/true);
  const v1::File named = MustUpload(d1_, "b.jpg", GradientJpeg(200, 100));
  const v1::File theirs = MustUpload(d2_, "c.pdf", Pdf(300));
  v1::SubmitLetterResponse out;
  // A named file would name the anonymous author; another person's file is not the author's.
  auto refused = letter(true, {anonymous.id(), named.id()}, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(refused), "attachment_file_ids[1]");
  EXPECT_EQ(ViolationField(letter(false, {theirs.id()}, &out)), "attachment_file_ids[0]");
  EXPECT_EQ(ViolationField(letter(false, {named.id(), named.id()}, &out)),
            "attachment_file_ids[1]");
  EXPECT_EQ(letter(false, {named.id() + 999}, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(letter(true, {anonymous.id()}, &out).ok());
  ASSERT_EQ(out.letter().attachment_file_ids_size(), 1);
  EXPECT_EQ(out.letter().attachment_file_ids(0), anonymous.id());
  const auto of = Ref(v1::ATTACHMENT_TARGET_LETTER, out.letter().id());
  v1::ListAttachmentsResponse listed;
  ASSERT_TRUE(Attachments(secretary_, of, &listed).ok());  // the letter's handler
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).uploader_person_id(), 0u);
  EXPECT_EQ(Attachments(d2_, of, &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A letter's files are fixed at its submission.
  v1::File attached;
  EXPECT_EQ(Attach(secretary_, named.id(), of, &attached).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(letter(false, {named.id()}, &out).ok());
  EXPECT_EQ(Readable(d1_, named.id()), grpc::StatusCode::OK);
}

TEST_F(FileAttachmentTest, APaperLettersScanGoesWithItsRegistration) {
  auto feedback = v1::FeedbackService::NewStub(server_.channel());
  auto registered = [&](const std::string& token, bool anonymous, std::vector<uint64_t> files,
                        v1::SubmitLetterResponse* out) {
    v1::RegisterLetterRequest r;
    r.set_request_id(TestServer::RequestId() + "-0123456789abcdef");
    r.set_organization_id(branch_);
    r.set_channel(v1::LETTER_CHANNEL_PAPER);
    const std::time_t now = std::time(nullptr) + 8 * 3600;  // the branch's day (UTC+8)
    std::tm local{};
    gmtime_r(&now, &local);
    r.mutable_received_date()->set_year(local.tm_year + 1900);
    r.mutable_received_date()->set_month(local.tm_mon + 1);
    r.mutable_received_date()->set_day(local.tm_mday);
    r.set_category(v1::LETTER_CATEGORY_DIFFICULTY);
    r.set_subject("家属住院，申请困难补助");
    r.set_body("见信件扫描件");
    if (anonymous) {
      r.set_anonymous(true);
    } else {
      r.set_author_name("王师傅");
    }
    for (uint64_t f : files) r.add_attachment_file_ids(f);
    return feedback->RegisterLetter(Ctx(token).get(), r, out);
  };
  const v1::File scan = MustUpload(secretary_, "来信扫描.pdf", Pdf(400));
  const v1::File photo = MustUpload(secretary_, "p.jpg", PhoneJpeg(200, 100), /*anonymous=*/true);
  const v1::File members = MustUpload(d1_, "d.jpg", GradientJpeg(200, 100));
  v1::SubmitLetterResponse out;
  // The handler's own uploads only; an anonymous letter takes only anonymous ones; at most 5.
  EXPECT_EQ(ViolationField(registered(secretary_, false, {members.id()}, &out)),
            "attachment_file_ids[0]");
  auto named_on_anonymous = registered(secretary_, true, {scan.id()}, &out);
  EXPECT_EQ(named_on_anonymous.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(named_on_anonymous), "attachment_file_ids[0]");
  EXPECT_EQ(ViolationField(registered(secretary_, false, {1, 2, 3, 4, 5, 6}, &out)),
            "attachment_file_ids");
  // A member registers nothing, files or not.
  EXPECT_EQ(registered(d1_, false, {members.id()}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(registered(secretary_, false, {scan.id()}, &out).ok());
  ASSERT_EQ(out.letter().attachment_file_ids_size(), 1);
  v1::ListAttachmentsResponse listed;
  ASSERT_TRUE(
      Attachments(secretary_, Ref(v1::ATTACHMENT_TARGET_LETTER, out.letter().id()), &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).id(), scan.id());
  EXPECT_EQ(
      Attachments(d1_, Ref(v1::ATTACHMENT_TARGET_LETTER, out.letter().id()), &listed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(registered(secretary_, true, {photo.id()}, &out).ok());
  EXPECT_FALSE(out.receipt_code().empty());
  ASSERT_TRUE(
      Attachments(secretary_, Ref(v1::ATTACHMENT_TARGET_LETTER, out.letter().id()), &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).uploader_person_id(), 0u);
}

TEST_F(FileAttachmentTest, ANotebookPhotoIsAttachedByWhoStudiedAndReadByTheirManagers) {
  const uint64_t record = StudyRecord(d1_);
  const v1::AttachmentRef to = Ref(v1::ATTACHMENT_TARGET_STUDY_RECORD, record);
  // Uploaded for the organisation at the top, which the branch's secretary does not manage:
  // whatever they read of it comes from the record.
  v1::File photo;
  {
    v1::Upload upload;
    const std::string jpeg = GradientJpeg(320, 240);
    ASSERT_TRUE(Start(d1_, "学习笔记.jpg", jpeg, &upload, false, root_).ok());
    ASSERT_TRUE(Chunk(d1_, upload.upload_id(), 0, jpeg, &upload).ok());
    ASSERT_TRUE(Finish(d1_, upload.upload_id(), &photo).ok());
  }
  EXPECT_EQ(Readable(secretary_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);

  v1::File attached;
  ASSERT_TRUE(Attach(d1_, photo.id(), to, &attached).ok());
  ASSERT_EQ(attached.attached_to_size(), 1);
  EXPECT_EQ(attached.attached_to(0).target(), v1::ATTACHMENT_TARGET_STUDY_RECORD);
  EXPECT_EQ(attached.attached_to(0).object_id(), record);
  // The person reads it back on the record; so does their manager, also through GetFile and
  // GetFileContent now that it is attached.
  v1::ListAttachmentsResponse listed;
  ASSERT_TRUE(Attachments(d1_, to, &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).id(), photo.id());
  ASSERT_TRUE(Attachments(secretary_, to, &listed).ok());
  ASSERT_EQ(listed.files_size(), 1);
  EXPECT_EQ(listed.files(0).id(), photo.id());
  EXPECT_EQ(Readable(secretary_, photo.id()), grpc::StatusCode::OK);
  v1::FileContent part;
  EXPECT_TRUE(Read(secretary_, photo.id(), 0, 100, &part).ok());
  // A colleague of the same group and a person of another branch read neither.
  auto colleague = Attachments(d2_, to, &listed);
  EXPECT_EQ(colleague.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Readable(d2_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Attachments(outsider_, to, &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Readable(outsider_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
  // Only the person who studied changes the record's files: not a colleague with a photo of
  // their own, not even a manager.
  const v1::File theirs = MustUpload(d2_, "别人的笔记.jpg", GradientJpeg(100, 100));
  auto foreign = Attach(d2_, theirs.id(), to, &attached);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const v1::File managers = MustUpload(secretary_, "书记的.pdf", Pdf(400));
  EXPECT_EQ(Attach(secretary_, managers.id(), to, &attached).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Detach(secretary_, photo.id(), to).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Attachments(d1_, to, &listed).ok());
  EXPECT_EQ(listed.files_size(), 1);
  // An unknown record is NOT_FOUND naming the field, for changes and for reads.
  auto missing =
      Attach(d1_, photo.id(), Ref(v1::ATTACHMENT_TARGET_STUDY_RECORD, record + 999), &attached);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "to.object_id");
  auto unlisted = Attachments(d1_, Ref(v1::ATTACHMENT_TARGET_STUDY_RECORD, record + 999), &listed);
  EXPECT_EQ(unlisted.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(unlisted), "of.object_id");
  // So is a deleted one.
  const uint64_t gone = StudyRecord(d1_);
  auto study = v1::StudyService::NewStub(server_.channel());
  v1::DeleteStudyRecordRequest remove;
  remove.set_request_id(TestServer::RequestId());
  remove.set_id(gone);
  v1::DeleteStudyRecordResponse removed;
  ASSERT_TRUE(study->DeleteStudyRecord(Ctx(d1_).get(), remove, &removed).ok());
  auto deleted = Attach(d1_, photo.id(), Ref(v1::ATTACHMENT_TARGET_STUDY_RECORD, gone), &attached);
  EXPECT_EQ(deleted.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(deleted), "to.object_id");
  // The person takes the photo off again.
  ASSERT_TRUE(Detach(d1_, photo.id(), to).ok());
  EXPECT_EQ(Readable(secretary_, photo.id()), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(FileAttachmentTest, ANoticesDocumentIsAttachedByItsManagersAndReadByItsAudience) {
  const uint64_t notice = Notice({d1_id_, d3_id_});
  const v1::AttachmentRef to = Ref(v1::ATTACHMENT_TARGET_NOTICE, notice);
  const std::string pdf = Pdf(3000);
  const v1::File document = MustUpload(secretary_, "安全学习材料.pdf", pdf);
  EXPECT_EQ(Readable(d1_, document.id()), grpc::StatusCode::PERMISSION_DENIED);
  v1::File attached;
  ASSERT_TRUE(Attach(secretary_, document.id(), to, &attached).ok());
  ASSERT_EQ(attached.attached_to_size(), 1);
  EXPECT_EQ(attached.attached_to(0).target(), v1::ATTACHMENT_TARGET_NOTICE);
  EXPECT_EQ(attached.attached_to(0).object_id(), notice);
  // The audience lists and downloads it.
  for (const std::string* reader : {&d1_, &d3_}) {
    v1::ListAttachmentsResponse listed;
    ASSERT_TRUE(Attachments(*reader, to, &listed).ok());
    ASSERT_EQ(listed.files_size(), 1);
    EXPECT_EQ(listed.files(0).id(), document.id());
    EXPECT_EQ(Readable(*reader, document.id()), grpc::StatusCode::OK);
    EXPECT_EQ(Download(*reader, document.id(), 1000), pdf);
  }
  // A colleague the notice was not for, and a person of another branch, read nothing.
  v1::ListAttachmentsResponse listed;
  auto colleague = Attachments(d2_, to, &listed);
  EXPECT_EQ(colleague.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Readable(d2_, document.id()), grpc::StatusCode::PERMISSION_DENIED);
  v1::FileContent part;
  EXPECT_EQ(Read(d2_, document.id(), 0, 100, &part).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Attachments(outsider_, to, &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A member of the audience does not attach (nor detach), even a file of their own.
  const v1::File mine = MustUpload(d1_, "我的.pdf", Pdf(500));
  EXPECT_EQ(Attach(d1_, mine.id(), to, &attached).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Detach(d1_, document.id(), to).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto missing =
      Attach(secretary_, document.id(), Ref(v1::ATTACHMENT_TARGET_NOTICE, notice + 999), &attached);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolationField(missing), "to.object_id");
  // Detached by a manager, it is the managers' again.
  ASSERT_TRUE(Detach(secretary_, document.id(), to).ok());
  EXPECT_EQ(Readable(d1_, document.id()), grpc::StatusCode::PERMISSION_DENIED);
}

// The study record's rules over time, with a fake clock: the person still attaches a week
// after recording, long after the 24-hour grace period of editing the record has passed.
class StudyAttachmentRulesTest : public StudyDomainFixture {
 protected:
  StudyAttachmentRulesTest() : StudyDomainFixture(2) {}
};

TEST_F(StudyAttachmentRulesTest, ThePersonAttachesAWeekLaterAndNobodyElseDoes) {
  v1::CreateMaterialRequest m;
  m.set_request_id("material");
  m.mutable_material()->set_organization_id(branch_);
  m.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  m.mutable_material()->set_title("党章");
  m.mutable_material()->set_body("正文");
  auto material = catalog_->CreateMaterial(admin_, m);
  ASSERT_TRUE(material.ok()) << material.status();
  v1::RecordStudyRequest r;
  r.set_request_id("record");
  r.set_material_id(material->id());
  r.set_minutes(30);
  *r.mutable_device_time() = ToTimestamp(clock_.NowMicros() - kMinute);
  auto record = journal_->Record(callers_[0], r);
  ASSERT_TRUE(record.ok()) << record.status();

  clock_.Advance(7 * 24 * 60 * kMinute);
  v1::UpdateStudyRecordRequest edit;
  edit.set_request_id("edit");
  edit.set_id(record->id());
  edit.set_minutes(40);
  edit.mutable_update_mask()->add_paths("minutes");
  EXPECT_EQ(journal_->Update(callers_[0], edit).status().code(),
            absl::StatusCode::kFailedPrecondition);  // the record itself is fixed now
  EXPECT_TRUE(journal_->RequireAttachmentChange(callers_[0], record->id(), "to.object_id").ok());
  EXPECT_TRUE(journal_->RequireAttachmentRead(callers_[0], record->id(), "of.object_id").ok());
  EXPECT_TRUE(journal_->RequireAttachmentRead(admin_, record->id(), "of.object_id").ok());
  EXPECT_EQ(journal_->RequireAttachmentChange(admin_, record->id(), "to.object_id").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(journal_->RequireAttachmentChange(callers_[1], record->id(), "to.object_id").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(journal_->RequireAttachmentRead(callers_[1], record->id(), "of.object_id").code(),
            absl::StatusCode::kPermissionDenied);
  const absl::Status missing =
      journal_->RequireAttachmentChange(callers_[0], record->id() + 999, "to.object_id");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(missing.message()).rfind("to.object_id: study record", 0), 0u)
      << missing.message();
}

// FileService × every kind of caller (docs/authorization.md, "files"). The upload calls act on
// a fresh upload of d1 (the member row), so the member's cells really write; anyone else
// finds another person's named upload as if it did not exist.
class FilesAuthorizationTest : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_RECORDS_READ);
    tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
    file_ = MustUpload(d1_, "笔记.pdf", Pdf(100));
    meeting_ = MustCreate(Draft(Now() - 2 * kHourMicros)).id();
    study_record_ = StudyRecord(d1_);
    notice_ = Notice();
  }

  v1::AttachmentRef Meeting() const { return Ref(v1::ATTACHMENT_TARGET_MEETING, meeting_); }
  // The record of each "(…)" column of the attachment matrix: a held meeting of the branch,
  // a study record of d1 (the member row), a notice of the branch to all of it.
  v1::AttachmentRef RecordOf(const std::string& op) const {
    if (op.find("(study record)") != std::string::npos) {
      return Ref(v1::ATTACHMENT_TARGET_STUDY_RECORD, study_record_);
    }
    if (op.find("(notice)") != std::string::npos) {
      return Ref(v1::ATTACHMENT_TARGET_NOTICE, notice_);
    }
    return Meeting();
  }
  // A fresh file of whoever changes `record`'s files (d1 for their study record, else the
  // secretary, whose files every manager reads), attached to it by them when `attached`.
  uint64_t FileFor(const v1::AttachmentRef& record, bool attached) {
    static int n = 0;
    const std::string& owner =
        record.target() == v1::ATTACHMENT_TARGET_STUDY_RECORD ? d1_ : secretary_;
    const v1::File f = MustUpload(owner, "会场.pdf", Pdf(150 + ++n));
    if (attached) {
      v1::AttachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_file_id(f.id());
      *r.mutable_to() = record;
      v1::File out;
      EXPECT_TRUE(files_->AttachFile(Ctx(owner).get(), r, &out).ok());
    }
    return f.id();
  }

  // A fresh upload of d1, with every byte sent when `complete`.
  std::string FreshUpload(bool complete) {
    const std::string pdf = Pdf(100);
    v1::Upload upload;
    EXPECT_TRUE(Start(d1_, "a.pdf", pdf, &upload).ok());
    if (complete) {
      EXPECT_TRUE(Chunk(d1_, upload.upload_id(), 0, pdf, &upload).ok());
    }
    return upload.upload_id();
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::Upload upload;
    v1::File file;
    if (op == "StartUpload(branch)") {
      return files_->StartUpload(ctx.get(), StartRequest("a.pdf", Pdf(100)), &upload).error_code();
    }
    if (op == "UploadChunk(d1's)") {
      v1::UploadChunkRequest r;
      r.set_upload_id(FreshUpload(false));
      r.set_data(Pdf(100));
      return files_->UploadChunk(ctx.get(), r, &upload).error_code();
    }
    if (op == "GetUpload(d1's)") {
      v1::GetUploadRequest r;
      r.set_upload_id(FreshUpload(false));
      return files_->GetUpload(ctx.get(), r, &upload).error_code();
    }
    if (op == "FinishUpload(d1's)") {
      v1::FinishUploadRequest r;
      r.set_upload_id(FreshUpload(true));
      return files_->FinishUpload(ctx.get(), r, &file).error_code();
    }
    if (op == "GetFile(d1's)") {
      v1::GetFileRequest r;
      r.set_id(file_.id());
      return files_->GetFile(ctx.get(), r, &file).error_code();
    }
    if (op == "GetFileContent(d1's)") {
      v1::GetFileContentRequest r;
      r.set_id(file_.id());
      v1::FileContent content;
      return files_->GetFileContent(ctx.get(), r, &content).error_code();
    }
    if (op.rfind("AttachFile(", 0) == 0) {
      v1::AttachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_to() = RecordOf(op);
      r.set_file_id(FileFor(r.to(), false));
      return files_->AttachFile(ctx.get(), r, &file).error_code();
    }
    if (op.rfind("DetachFile(", 0) == 0) {
      v1::DetachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_from() = RecordOf(op);
      r.set_file_id(FileFor(r.from(), true));
      return files_->DetachFile(ctx.get(), r, &file).error_code();
    }
    if (op.rfind("ListAttachments(", 0) == 0) {
      v1::ListAttachmentsRequest r;
      *r.mutable_of() = RecordOf(op);
      v1::ListAttachmentsResponse out;
      return files_->ListAttachments(ctx.get(), r, &out).error_code();
    }
    if (op == "ListFiles(branch)") {
      v1::ListFilesRequest r;
      r.set_organization_id(branch_);
      v1::ListFilesResponse out;
      return files_->ListFiles(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::map<std::string, std::string> tokens_;
  v1::File file_;
  uint64_t meeting_ = 0, study_record_ = 0, notice_ = 0;
};

TEST_F(FilesAuthorizationTest, Matrix) {
  using namespace testing::matrix;  // NOLINT: table cell names
  const std::vector<std::string> ops = {
      "StartUpload(branch)", "UploadChunk(d1's)",    "GetUpload(d1's)",  "FinishUpload(d1's)",
      "GetFile(d1's)",       "GetFileContent(d1's)", "ListFiles(branch)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Start     Chunk     Status    Finish    Get       Content   List
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {OK,       OK,       OK,       OK,       OK,       OK,       DENIED}},
    {"employee of group below",  {OK,       NOTFOUND, NOTFOUND, NOTFOUND, DENIED,   DENIED,   DENIED}},
    {"secretary of branch",      {OK,       NOTFOUND, NOTFOUND, NOTFOUND, OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   NOTFOUND, NOTFOUND, NOTFOUND, DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       NOTFOUND, NOTFOUND, NOTFOUND, OK,       OK,       OK}},
    {"service with scope",       {DENIED,   NOTFOUND, NOTFOUND, NOTFOUND, OK,       OK,       OK}},
    {"service without scope",    {DENIED,   NOTFOUND, NOTFOUND, NOTFOUND, DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"files", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

TEST_F(FilesAuthorizationTest, AttachmentsMatrix) {
  using namespace testing::matrix;  // NOLINT: table cell names
  const std::vector<std::string> ops = {
      "AttachFile(meeting)",      "DetachFile(meeting)",      "ListAttachments(meeting)",
      "AttachFile(study record)", "DetachFile(study record)", "ListAttachments(study record)",
      "AttachFile(notice)",       "DetachFile(notice)",       "ListAttachments(notice)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            meeting                       study record (d1's)           notice (to the branch)
    //                            Attach    Detach    List      Attach    Detach    List      Attach    Detach    List
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   DENIED,   OK,       OK,       OK,       OK,       DENIED,   DENIED,   OK}},
    {"employee of group below",  {DENIED,   DENIED,   OK,       DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   OK}},
    {"secretary of branch",      {OK,       OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   DENIED,   OK,       DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"file-attachments", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 return Call(op, tokens_.at(caller));
               });
}

}  // namespace
}  // namespace branchline::testing
