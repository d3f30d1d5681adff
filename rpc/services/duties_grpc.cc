#include "rpc/services/duties_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status DutiesGrpc::CreateResponsibilityArea(
    grpc::ServerContext* context, const v1::CreateResponsibilityAreaRequest* request,
    v1::ResponsibilityArea* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.CreateArea(c, *request); });
}

grpc::Status DutiesGrpc::UpdateResponsibilityArea(
    grpc::ServerContext* context, const v1::UpdateResponsibilityAreaRequest* request,
    v1::ResponsibilityArea* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.UpdateArea(c, *request); });
}

grpc::Status DutiesGrpc::CreateDemonstrationPost(grpc::ServerContext* context,
                                                 const v1::CreateDemonstrationPostRequest* request,
                                                 v1::DemonstrationPost* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.CreatePost(c, *request); });
}

grpc::Status DutiesGrpc::UpdateDemonstrationPost(grpc::ServerContext* context,
                                                 const v1::UpdateDemonstrationPostRequest* request,
                                                 v1::DemonstrationPost* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.UpdatePost(c, *request); });
}

grpc::Status DutiesGrpc::CreateDutyGroup(grpc::ServerContext* context,
                                         const v1::CreateDutyGroupRequest* request,
                                         v1::DutyGroup* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.CreateGroup(c, *request); });
}

grpc::Status DutiesGrpc::UpdateDutyGroup(grpc::ServerContext* context,
                                         const v1::UpdateDutyGroupRequest* request,
                                         v1::DutyGroup* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.UpdateGroup(c, *request); });
}

grpc::Status DutiesGrpc::JoinDutyGroup(grpc::ServerContext* context,
                                       const v1::JoinDutyGroupRequest* request,
                                       v1::DutyGroup* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.Join(c, *request); });
}

grpc::Status DutiesGrpc::LeaveDutyGroup(grpc::ServerContext* context,
                                        const v1::LeaveDutyGroupRequest* request,
                                        v1::DutyGroup* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.Leave(c, *request); });
}

grpc::Status DutiesGrpc::EndDuty(grpc::ServerContext* context, const v1::EndDutyRequest* request,
                                 v1::DutyBoardEntry* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.End(c, *request); });
}

grpc::Status DutiesGrpc::GetDutyBoard(grpc::ServerContext* context,
                                      const v1::GetDutyBoardRequest* request,
                                      v1::DutyBoard* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.Board(c, *request); });
}

grpc::Status DutiesGrpc::ListMyDuties(grpc::ServerContext* context,
                                      const v1::ListMyDutiesRequest* request,
                                      v1::DutyBoard* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return duties_.Mine(c, *request); });
}

}  // namespace branchline
