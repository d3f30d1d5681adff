#pragma once

#include "branchline/v1/admin.grpc.pb.h"
#include "services/admin/backups.h"
#include "services/auth/authenticator.h"

namespace branchline {

// gRPC adapter of AdminService over Backups.
class AdminGrpc final : public v1::AdminService::Service {
 public:
  AdminGrpc(Backups& backups, const Authenticator& auth) : backups_(backups), auth_(auth) {}

  grpc::Status CreateBackup(grpc::ServerContext* context, const v1::CreateBackupRequest* request,
                            v1::Backup* response) override;
  grpc::Status ListBackups(grpc::ServerContext* context, const v1::ListBackupsRequest* request,
                           v1::ListBackupsResponse* response) override;
  grpc::Status VerifyBackup(grpc::ServerContext* context, const v1::VerifyBackupRequest* request,
                            v1::VerifyBackupResponse* response) override;

 private:
  Backups& backups_;
  const Authenticator& auth_;
};

}  // namespace branchline
