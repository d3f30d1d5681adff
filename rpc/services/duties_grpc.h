#pragma once

#include "branchline/v1/duties.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/duties/duties.h"

namespace branchline {

// gRPC adapter of DutiesService over Duties. Synchronous: occasional edits by a branch's
// managers and board reads of a few dozen items.
class DutiesGrpc final : public v1::DutiesService::Service {
 public:
  DutiesGrpc(Duties& duties, const Authenticator& auth) : duties_(duties), auth_(auth) {}

  grpc::Status CreateResponsibilityArea(grpc::ServerContext* context,
                                        const v1::CreateResponsibilityAreaRequest* request,
                                        v1::ResponsibilityArea* response) override;
  grpc::Status UpdateResponsibilityArea(grpc::ServerContext* context,
                                        const v1::UpdateResponsibilityAreaRequest* request,
                                        v1::ResponsibilityArea* response) override;
  grpc::Status CreateDemonstrationPost(grpc::ServerContext* context,
                                       const v1::CreateDemonstrationPostRequest* request,
                                       v1::DemonstrationPost* response) override;
  grpc::Status UpdateDemonstrationPost(grpc::ServerContext* context,
                                       const v1::UpdateDemonstrationPostRequest* request,
                                       v1::DemonstrationPost* response) override;
  grpc::Status CreateDutyGroup(grpc::ServerContext* context,
                               const v1::CreateDutyGroupRequest* request,
                               v1::DutyGroup* response) override;
  grpc::Status UpdateDutyGroup(grpc::ServerContext* context,
                               const v1::UpdateDutyGroupRequest* request,
                               v1::DutyGroup* response) override;
  grpc::Status JoinDutyGroup(grpc::ServerContext* context, const v1::JoinDutyGroupRequest* request,
                             v1::DutyGroup* response) override;
  grpc::Status LeaveDutyGroup(grpc::ServerContext* context,
                              const v1::LeaveDutyGroupRequest* request,
                              v1::DutyGroup* response) override;
  grpc::Status EndDuty(grpc::ServerContext* context, const v1::EndDutyRequest* request,
                       v1::DutyBoardEntry* response) override;
  grpc::Status GetDutyBoard(grpc::ServerContext* context, const v1::GetDutyBoardRequest* request,
                            v1::DutyBoard* response) override;
  grpc::Status ListMyDuties(grpc::ServerContext* context, const v1::ListMyDutiesRequest* request,
                            v1::DutyBoard* response) override;

 private:
  Duties& duties_;
  const Authenticator& auth_;
};

}  // namespace branchline
