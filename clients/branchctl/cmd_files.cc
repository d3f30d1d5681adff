// file upload | get | show | list | attach | detach | attachments (FileService): photos and
// documents as evidence for records.
// An upload goes in chunks; run again with the same --request-id after an interruption and it
// goes on from the last chunk the server stored.
#include <openssl/sha.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "branchline/v1/files.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

// Chunks and ranges of a weak connection's size; the server allows up to 512 KiB / 1 MiB.
constexpr uint32_t kDefaultChunkKiB = 256;
constexpr uint32_t kReadBytes = 1 << 20;
// How often a chunk that failed with UNAVAILABLE is sent again before giving up.
constexpr int kChunkRetries = 5;

std::string HexSha256(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : digest) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CtlError(kExitUsage, "cannot read " + path);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

std::string BaseName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string SizeText(uint64_t bytes) {
  std::ostringstream out;
  if (bytes < 1024) {
    out << bytes << " B";
  } else if (bytes < (1 << 20)) {
    out << (bytes + 512) / 1024 << " KiB";
  } else {
    out.precision(1);
    out << std::fixed << bytes / 1048576.0 << " MiB";
  }
  return out.str();
}

void PrintFile(Session& session, const v1::File& f) {
  if (session.options().json) return PrintJson(ToJson(f));
  Names names(session);
  std::cout << "file " << f.id() << ": " << f.file_name() << " (" << f.content_type() << ", "
            << SizeText(f.size_bytes()) << ")\n"
            << "  organisation: " << names.Org(f.organization_id()) << "\n"
            << "  uploaded by:  "
            << (f.anonymous() ? "anonymous" : names.Person(f.uploader_person_id())) << "\n"
            << "  stored:       " << FormatLocal(f.create_time(), session.utc_offset_minutes())
            << "\n"
            << "  sha256:       " << f.sha256() << "\n";
  if (f.width() > 0) std::cout << "  pixels:       " << f.width() << " x " << f.height() << "\n";
  if (f.metadata_removed()) std::cout << "  metadata:     removed (anonymous)\n";
}

struct UploadOptions {
  std::string path, request_id;
  uint64_t org = 0;
  bool anonymous = false;
  uint32_t chunk_kib = kDefaultChunkKiB;
};

void Upload(Session& session, const UploadOptions& o) {
  const std::string data = ReadWholeFile(o.path);
  if (data.empty()) throw CtlError(kExitUsage, o.path + " is empty");
  if (o.chunk_kib == 0 || o.chunk_kib > 512) {
    throw CtlError(kExitUsage, "--chunk-kib must be 1..512");
  }
  auto stub = v1::FileService::NewStub(session.channel());
  v1::StartUploadRequest start;
  start.set_request_id(OrNew(o.request_id));
  start.set_organization_id(OrgOrOwn(session, o.org));
  start.set_file_name(BaseName(o.path));
  start.set_size_bytes(data.size());
  start.set_sha256(HexSha256(data));
  start.set_anonymous(o.anonymous);
  auto upload = session.Call<v1::Upload>(
      [&](auto* c, auto* out) { return stub->StartUpload(c, start, out); });
  if (upload.received_bytes() > 0 && upload.file_id() == 0) {
    std::cerr << "resuming at byte " << upload.received_bytes() << " of " << data.size() << "\n";
  }
  const size_t chunk = std::min<size_t>(o.chunk_kib * 1024, upload.max_chunk_bytes());
  int retries = 0;
  while (upload.file_id() == 0 && upload.received_bytes() < data.size()) {
    v1::UploadChunkRequest r;
    r.set_upload_id(upload.upload_id());
    r.set_offset(upload.received_bytes());
    r.set_data(data.substr(upload.received_bytes(), chunk));
    try {
      upload = session.Call<v1::Upload>(
          [&](auto* c, auto* out) { return stub->UploadChunk(c, r, out); });
      retries = 0;
    } catch (const RpcError& e) {
      // A dropped connection: ask where the upload stands and go on from there.
      if (e.status().error_code() != grpc::StatusCode::UNAVAILABLE &&
          e.status().error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        throw;
      }
      if (++retries > kChunkRetries) throw;
      std::cerr << "connection lost; resuming (" << retries << "/" << kChunkRetries << ")\n";
      v1::GetUploadRequest where;
      where.set_upload_id(upload.upload_id());
      upload = session.Call<v1::Upload>(
          [&](auto* c, auto* out) { return stub->GetUpload(c, where, out); });
    }
  }
  v1::FinishUploadRequest finish;
  finish.set_upload_id(upload.upload_id());
  auto file = session.Call<v1::File>(
      [&](auto* c, auto* out) { return stub->FinishUpload(c, finish, out); });
  PrintFile(session, file);
}

struct GetOptions {
  uint64_t id = 0;
  std::string out;
  bool thumbnail = false;
};

void Get(Session& session, const GetOptions& o) {
  auto stub = v1::FileService::NewStub(session.channel());
  v1::GetFileRequest describe;
  describe.set_id(o.id);
  auto file =
      session.Call<v1::File>([&](auto* c, auto* out) { return stub->GetFile(c, describe, out); });
  std::string bytes;
  v1::FileContent part;
  do {
    v1::GetFileContentRequest r;
    r.set_id(o.id);
    r.set_offset(bytes.size());
    r.set_length(kReadBytes);
    r.set_thumbnail(o.thumbnail);
    part = session.Call<v1::FileContent>(
        [&](auto* c, auto* out) { return stub->GetFileContent(c, r, out); });
    bytes += part.data();
  } while (!part.data().empty() && bytes.size() < part.total_bytes());
  if (HexSha256(bytes) != part.sha256()) {
    throw CtlError(kExitOther, "the downloaded bytes do not match the file's SHA-256");
  }
  const std::string path =
      !o.out.empty() ? o.out : (o.thumbnail ? "thumbnail-" + file.file_name() : file.file_name());
  WriteOutputFile(path, bytes, o.thumbnail ? "Thumbnail" : "File");
}

struct ListOptions {
  uint64_t org = 0;
  int limit = 200;
};

void List(Session& session, const ListOptions& o) {
  auto stub = v1::FileService::NewStub(session.channel());
  v1::ListFilesRequest r;
  r.set_organization_id(OrgOrOwn(session, o.org));
  r.set_page_size(std::min(o.limit, 500));
  std::vector<v1::File> files;
  v1::ListFilesResponse page;
  do {
    page = session.Call<v1::ListFilesResponse>(
        [&](auto* c, auto* out) { return stub->ListFiles(c, r, out); });
    files.insert(files.end(), page.files().begin(), page.files().end());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty() && static_cast<int>(files.size()) < o.limit);
  if (static_cast<int>(files.size()) > o.limit) files.resize(o.limit);
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : files) list.push_back(ToJson(f));
    return PrintJson({{"files", list},
                      {"quota_bytes", std::to_string(page.quota_bytes())},
                      {"used_bytes", std::to_string(page.used_bytes())}});
  }
  Names names(session);
  Table table({"ID", "NAME", "TYPE", "SIZE", "UPLOADED BY", "STORED"});
  for (const auto& f : files) {
    table.AddRow({std::to_string(f.id()), f.file_name(), f.content_type(), SizeText(f.size_bytes()),
                  f.anonymous() ? "anonymous" : names.Person(f.uploader_person_id()),
                  FormatLocal(f.create_time(), session.utc_offset_minutes())});
  }
  table.Print(std::cout);
  std::cout << SizeText(page.used_bytes()) << " of " << SizeText(page.quota_bytes()) << " used\n";
}

constexpr const char* kRecordHelp = "meeting:ID, ledger:ID, study:ID or notice:ID";

// "meeting:42", "ledger:7", "study:12" (a study record) or "notice:5".
v1::AttachmentRef RecordArgument(const std::string& text) {
  v1::AttachmentRef ref;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (kind == "meeting") {
    ref.set_target(v1::ATTACHMENT_TARGET_MEETING);
  } else if (kind == "ledger") {
    ref.set_target(v1::ATTACHMENT_TARGET_LEDGER_ENTRY);
  } else if (kind == "study") {
    ref.set_target(v1::ATTACHMENT_TARGET_STUDY_RECORD);
  } else if (kind == "notice") {
    ref.set_target(v1::ATTACHMENT_TARGET_NOTICE);
  }
  uint64_t id = 0;
  if (colon != std::string::npos) {
    try {
      id = std::stoull(text.substr(colon + 1));
    } catch (const std::exception&) {
      id = 0;
    }
  }
  if (ref.target() == v1::ATTACHMENT_TARGET_UNSPECIFIED || id == 0) {
    throw CtlError(kExitUsage, std::string("a record is ") + kRecordHelp + ", not '" + text + "'");
  }
  ref.set_object_id(id);
  return ref;
}

struct AttachOptions {
  uint64_t file = 0;
  std::string record, request_id;
};

void Attach(Session& session, const AttachOptions& o, bool detach) {
  auto stub = v1::FileService::NewStub(session.channel());
  v1::File file;
  if (detach) {
    v1::DetachFileRequest r;
    r.set_request_id(OrNew(o.request_id));
    r.set_file_id(o.file);
    *r.mutable_from() = RecordArgument(o.record);
    file = session.Call<v1::File>([&](auto* c, auto* out) { return stub->DetachFile(c, r, out); });
  } else {
    v1::AttachFileRequest r;
    r.set_request_id(OrNew(o.request_id));
    r.set_file_id(o.file);
    *r.mutable_to() = RecordArgument(o.record);
    file = session.Call<v1::File>([&](auto* c, auto* out) { return stub->AttachFile(c, r, out); });
  }
  PrintFile(session, file);
}

void Attachments(Session& session, const std::string& record) {
  auto stub = v1::FileService::NewStub(session.channel());
  v1::ListAttachmentsRequest r;
  *r.mutable_of() = RecordArgument(record);
  auto listed = session.Call<v1::ListAttachmentsResponse>(
      [&](auto* c, auto* out) { return stub->ListAttachments(c, r, out); });
  if (session.options().json) return PrintJson(ToJson(listed));
  Table table({"ID", "NAME", "TYPE", "SIZE"});
  for (const auto& f : listed.files()) {
    table.AddRow(
        {std::to_string(f.id()), f.file_name(), f.content_type(), SizeText(f.size_bytes())});
  }
  table.Print(std::cout);
}

}  // namespace

void AddFileCommands(CLI::App& app, Session& session) {
  auto* file = app.add_subcommand("file", "Photos and documents: upload, download, list");

  auto u = std::make_shared<UploadOptions>();
  auto* upload = file->add_subcommand("upload", "Upload a file in chunks (resumable)");
  upload->add_option("path", u->path, "The file (JPEG, PNG, HEIC, PDF or DOCX)")->required();
  upload->add_option("--org", u->org, "Organisation it belongs to (default: your own)");
  upload->add_flag("--anonymous", u->anonymous,
                   "For an anonymous letter: stored without you, its time or its metadata");
  upload->add_option("--chunk-kib", u->chunk_kib, "Chunk size in KiB (default 256, at most 512)");
  AddRequestIdOption(upload, &u->request_id);
  upload->callback([&session, u] { Upload(session, *u); });

  auto g = std::make_shared<GetOptions>();
  auto* get = file->add_subcommand("get", "Download a file (or its thumbnail)");
  get->add_option("id", g->id, "File id")->required();
  get->add_option("--out", g->out, "Where to write it (default: its name; - : stdout)");
  get->add_flag("--thumbnail", g->thumbnail, "The thumbnail of an image instead");
  get->callback([&session, g] { Get(session, *g); });

  auto s = std::make_shared<uint64_t>(0);
  auto* show = file->add_subcommand("show", "Describe a file");
  show->add_option("id", *s, "File id")->required();
  show->callback([&session, s] {
    auto stub = v1::FileService::NewStub(session.channel());
    v1::GetFileRequest r;
    r.set_id(*s);
    PrintFile(session,
              session.Call<v1::File>([&](auto* c, auto* out) { return stub->GetFile(c, r, out); }));
  });

  for (bool detach : {false, true}) {
    auto a = std::make_shared<AttachOptions>();
    auto* command = file->add_subcommand(
        detach ? "detach" : "attach",
        detach ? "Take a file off a record (the file stays)"
               : "Put a file on a meeting, ledger entry, study record or notice");
    command->add_option("id", a->file, "File id")->required();
    command->add_option("record", a->record, kRecordHelp)->required();
    AddRequestIdOption(command, &a->request_id);
    command->callback([&session, a, detach] { Attach(session, *a, detach); });
  }
  auto r = std::make_shared<std::string>();
  auto* attachments = file->add_subcommand(
      "attachments", "The files of a meeting, ledger entry, study record or notice");
  attachments->add_option("record", *r, kRecordHelp)->required();
  attachments->callback([&session, r] { Attachments(session, *r); });

  auto l = std::make_shared<ListOptions>();
  auto* list = file->add_subcommand("list", "An organisation's files with its quota");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_option("--limit", l->limit, "At most this many files (default 200)");
  list->callback([&session, l] { List(session, *l); });
}

}  // namespace branchline::ctl
