#pragma once

#include "branchline/v1/organizations.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/org/org_tree.h"

namespace branchline {

// gRPC adapter of OrganizationService over OrgTree.
class OrganizationGrpc final : public v1::OrganizationService::Service {
 public:
  OrganizationGrpc(OrgTree& tree, const Authenticator& auth) : tree_(tree), auth_(auth) {}

  grpc::Status CreateOrganization(grpc::ServerContext* context,
                                  const v1::CreateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status GetOrganization(grpc::ServerContext* context,
                               const v1::GetOrganizationRequest* request,
                               v1::Organization* response) override;
  grpc::Status ListOrganizations(grpc::ServerContext* context,
                                 const v1::ListOrganizationsRequest* request,
                                 v1::ListOrganizationsResponse* response) override;
  grpc::Status UpdateOrganization(grpc::ServerContext* context,
                                  const v1::UpdateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status MoveOrganization(grpc::ServerContext* context,
                                const v1::MoveOrganizationRequest* request,
                                v1::Organization* response) override;
  grpc::Status ArchiveOrganization(grpc::ServerContext* context,
                                   const v1::ArchiveOrganizationRequest* request,
                                   v1::Organization* response) override;

 private:
  OrgTree& tree_;
  const Authenticator& auth_;
};

}  // namespace branchline
