#include "rpc/services/admin_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status AdminGrpc::CreateBackup(grpc::ServerContext* context,
                                     const v1::CreateBackupRequest* request, v1::Backup* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return backups_.Create(c, *request); });
}

grpc::Status AdminGrpc::ListBackups(grpc::ServerContext* context,
                                    const v1::ListBackupsRequest* request,
                                    v1::ListBackupsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return backups_.List(c, *request); });
}

grpc::Status AdminGrpc::VerifyBackup(grpc::ServerContext* context,
                                     const v1::VerifyBackupRequest* request,
                                     v1::VerifyBackupResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return backups_.Verify(c, *request); });
}

}  // namespace branchline
