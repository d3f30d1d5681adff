// Photos and files (issue #22): uploads in chunks that resume after a dropped connection,
// the digest and type checks, the quota, storage once per content, ranged downloads and
// thumbnails, who may read a file, and anonymous uploads that leave nothing leading to their
// author (no uploader, no exact time, no image metadata, no log line, no audit record).
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "branchline/v1/audit.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/records.grpc.pb.h"
#include "services/common/digest.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/error_details.h"
#include "tests/support/id_encodings.h"

namespace branchline::testing {
namespace {

constexpr int64_t kHourMicros = 3600LL * 1'000'000;

// A baseline JPEG of a colour gradient, `width` x `height`, encoded by libjpeg.
std::string EncodeJpeg(int width, int height) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(width * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    for (int x = 0; x < width; ++x) {
      row[3 * x] = static_cast<unsigned char>(x * 255 / width);
      row[3 * x + 1] = static_cast<unsigned char>(cinfo.next_scanline * 255 / height);
      row[3 * x + 2] = static_cast<unsigned char>((x + cinfo.next_scanline) % 256);
    }
    JSAMPROW rows[] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string jpeg(reinterpret_cast<char*>(buffer), size);
  free(buffer);
  return jpeg;
}

// The same photo as a phone stores it: an EXIF APP1 right after the start marker naming the
// camera ("HUAWEI P40") and, when `orientation` is set, how the phone was held; a comment with
// the place.
std::string PhoneJpeg(int width, int height, int orientation = 0) {
  const std::string plain = EncodeJpeg(width, height);
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
bool OnPostgres() { return std::getenv("BRANCHLINE_TEST_STORAGE") != nullptr; }

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

  std::unique_ptr<v1::FileService::Stub> files_;
};

TEST_F(FilesTest, AnUploadInThreeChunksResumesAfterTheConnectionDropsAndDownloadsInRanges) {
  const std::string photo = EncodeJpeg(1000, 600);
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
  if (OnPostgres()) GTEST_SKIP() << "reads the RocksDB store";
  const std::string photo = EncodeJpeg(400, 300);
  const v1::File first = MustUpload(d1_, "a.jpg", photo);
  const v1::File second = MustUpload(d2_, "b.jpg", photo);
  EXPECT_NE(first.id(), second.id());
  EXPECT_EQ(first.sha256(), second.sha256());
  server_.Stop();
  storage::StoreOptions options;
  options.path = server_.dir().Sub("data/db");
  auto store = storage::Store::Open(options);
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
  const v1::File file = MustUpload(d1_, "笔记.jpg", EncodeJpeg(200, 100));
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
  if (OnPostgres()) GTEST_SKIP() << "reads the RocksDB store";
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
  storage::StoreOptions options;
  options.path = server_.dir().Sub("data/db");
  auto store = storage::Store::Open(options);
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
  const v1::File photo = MustUpload(d1_, "会场.jpg", EncodeJpeg(320, 240));
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
  const v1::File photo = MustUpload(secretary_, "走访.jpg", EncodeJpeg(200, 200));
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
  const v1::File named = MustUpload(d1_, "b.jpg", EncodeJpeg(200, 100));
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
  }

  v1::AttachmentRef Meeting() const {
    v1::AttachmentRef ref;
    ref.set_target(v1::ATTACHMENT_TARGET_MEETING);
    ref.set_object_id(meeting_);
    return ref;
  }
  // A fresh file of the secretary (readable by every manager), attached to the meeting when
  // `attached`.
  uint64_t SecretarysFile(bool attached) {
    static int n = 0;
    const v1::File f = MustUpload(secretary_, "会场.pdf", Pdf(150 + ++n));
    if (attached) {
      v1::AttachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_file_id(f.id());
      *r.mutable_to() = Meeting();
      v1::File out;
      EXPECT_TRUE(files_->AttachFile(Ctx(secretary_).get(), r, &out).ok());
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
    if (op == "AttachFile(meeting)") {
      v1::AttachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_file_id(SecretarysFile(false));
      *r.mutable_to() = Meeting();
      return files_->AttachFile(ctx.get(), r, &file).error_code();
    }
    if (op == "DetachFile(meeting)") {
      v1::DetachFileRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_file_id(SecretarysFile(true));
      *r.mutable_from() = Meeting();
      return files_->DetachFile(ctx.get(), r, &file).error_code();
    }
    if (op == "ListAttachments(meeting)") {
      v1::ListAttachmentsRequest r;
      *r.mutable_of() = Meeting();
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
  uint64_t meeting_ = 0;
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
  const std::vector<std::string> ops = {"AttachFile(meeting)", "DetachFile(meeting)",
                                        "ListAttachments(meeting)"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Attach    Detach    List
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   DENIED,   OK}},
    {"employee of group below",  {DENIED,   DENIED,   OK}},
    {"secretary of branch",      {OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK}},
    {"service with scope",       {DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"file-attachments", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 return Call(op, tokens_.at(caller));
               });
}

}  // namespace
}  // namespace branchline::testing
