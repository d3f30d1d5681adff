#pragma once

#include "branchline/v1/files.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/files/file_library.h"
#include "services/files/uploads.h"

namespace branchline {

// gRPC adapter of FileService over Uploads and FileLibrary. Synchronous: a chunk is one
// durable write of at most 512 KiB. Calls about an anonymous upload leave no access-log line
// and no metric (rpc/methods.cc: kUnlessAnonymous).
class FilesGrpc final : public v1::FileService::Service {
 public:
  FilesGrpc(Uploads& uploads, FileLibrary& library, const Authenticator& auth)
      : uploads_(uploads), library_(library), auth_(auth) {}

  grpc::Status StartUpload(grpc::ServerContext* context, const v1::StartUploadRequest* request,
                           v1::Upload* response) override;
  grpc::Status UploadChunk(grpc::ServerContext* context, const v1::UploadChunkRequest* request,
                           v1::Upload* response) override;
  grpc::Status GetUpload(grpc::ServerContext* context, const v1::GetUploadRequest* request,
                         v1::Upload* response) override;
  grpc::Status FinishUpload(grpc::ServerContext* context, const v1::FinishUploadRequest* request,
                            v1::File* response) override;
  grpc::Status GetFile(grpc::ServerContext* context, const v1::GetFileRequest* request,
                       v1::File* response) override;
  grpc::Status GetFileContent(grpc::ServerContext* context,
                              const v1::GetFileContentRequest* request,
                              v1::FileContent* response) override;
  grpc::Status ListFiles(grpc::ServerContext* context, const v1::ListFilesRequest* request,
                         v1::ListFilesResponse* response) override;
  grpc::Status AttachFile(grpc::ServerContext* context, const v1::AttachFileRequest* request,
                          v1::File* response) override;
  grpc::Status DetachFile(grpc::ServerContext* context, const v1::DetachFileRequest* request,
                          v1::File* response) override;
  grpc::Status ListAttachments(grpc::ServerContext* context,
                               const v1::ListAttachmentsRequest* request,
                               v1::ListAttachmentsResponse* response) override;

 private:
  Uploads& uploads_;
  FileLibrary& library_;
  const Authenticator& auth_;
};

}  // namespace branchline
