#include "rpc/services/org_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status OrganizationGrpc::CreateOrganization(grpc::ServerContext* context,
                                                  const v1::CreateOrganizationRequest* request,
                                                  v1::Organization* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.Create(c, *request); });
}

grpc::Status OrganizationGrpc::GetOrganization(grpc::ServerContext* context,
                                               const v1::GetOrganizationRequest* request,
                                               v1::Organization* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.Get(c, *request); });
}

grpc::Status OrganizationGrpc::ListOrganizations(grpc::ServerContext* context,
                                                 const v1::ListOrganizationsRequest* request,
                                                 v1::ListOrganizationsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.List(c, *request); });
}

grpc::Status OrganizationGrpc::UpdateOrganization(grpc::ServerContext* context,
                                                  const v1::UpdateOrganizationRequest* request,
                                                  v1::Organization* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.Update(c, *request); });
}

grpc::Status OrganizationGrpc::MoveOrganization(grpc::ServerContext* context,
                                                const v1::MoveOrganizationRequest* request,
                                                v1::Organization* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.Move(c, *request); });
}

grpc::Status OrganizationGrpc::ArchiveOrganization(grpc::ServerContext* context,
                                                   const v1::ArchiveOrganizationRequest* request,
                                                   v1::Organization* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return tree_.Archive(c, *request); });
}

}  // namespace branchline
