#include "rpc/services/files_grpc.h"

#include "rpc/call_log.h"
#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status FilesGrpc::StartUpload(grpc::ServerContext* context,
                                    const v1::StartUploadRequest* request, v1::Upload* response) {
  if (request->anonymous()) SuppressAccessLog(context);
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return uploads_.Start(c, *request); });
}

grpc::Status FilesGrpc::UploadChunk(grpc::ServerContext* context,
                                    const v1::UploadChunkRequest* request, v1::Upload* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    if (uploads_.IsAnonymous(c, request->upload_id())) SuppressAccessLog(context);
    return uploads_.Chunk(c, *request);
  });
}

grpc::Status FilesGrpc::GetUpload(grpc::ServerContext* context, const v1::GetUploadRequest* request,
                                  v1::Upload* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    if (uploads_.IsAnonymous(c, request->upload_id())) SuppressAccessLog(context);
    return uploads_.Status(c, *request);
  });
}

grpc::Status FilesGrpc::FinishUpload(grpc::ServerContext* context,
                                     const v1::FinishUploadRequest* request, v1::File* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    if (uploads_.IsAnonymous(c, request->upload_id())) SuppressAccessLog(context);
    return uploads_.Finish(c, *request);
  });
}

grpc::Status FilesGrpc::GetFile(grpc::ServerContext* context, const v1::GetFileRequest* request,
                                v1::File* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return library_.Get(c, *request); });
}

grpc::Status FilesGrpc::GetFileContent(grpc::ServerContext* context,
                                       const v1::GetFileContentRequest* request,
                                       v1::FileContent* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return library_.Content(c, *request); });
}

grpc::Status FilesGrpc::ListFiles(grpc::ServerContext* context, const v1::ListFilesRequest* request,
                                  v1::ListFilesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return library_.List(c, *request); });
}

grpc::Status FilesGrpc::AttachFile(grpc::ServerContext* context,
                                   const v1::AttachFileRequest* request, v1::File* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return library_.Attach(c, *request); });
}

grpc::Status FilesGrpc::DetachFile(grpc::ServerContext* context,
                                   const v1::DetachFileRequest* request, v1::File* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return library_.Detach(c, *request); });
}

grpc::Status FilesGrpc::ListAttachments(grpc::ServerContext* context,
                                        const v1::ListAttachmentsRequest* request,
                                        v1::ListAttachmentsResponse* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return library_.ListAttachments(c, *request);
  });
}

}  // namespace branchline
