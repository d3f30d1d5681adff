#pragma once

#include "branchline/v1/people.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/people/people_directory.h"

namespace branchline {

// gRPC adapter of PersonService over PeopleDirectory.
class PersonGrpc final : public v1::PersonService::Service {
 public:
  PersonGrpc(PeopleDirectory& people, const Authenticator& auth) : people_(people), auth_(auth) {}

  grpc::Status CreatePerson(grpc::ServerContext* context, const v1::CreatePersonRequest* request,
                            v1::Person* response) override;
  grpc::Status GetPerson(grpc::ServerContext* context, const v1::GetPersonRequest* request,
                         v1::Person* response) override;
  grpc::Status ListPeople(grpc::ServerContext* context, const v1::ListPeopleRequest* request,
                          v1::ListPeopleResponse* response) override;
  grpc::Status UpdatePerson(grpc::ServerContext* context, const v1::UpdatePersonRequest* request,
                            v1::Person* response) override;
  grpc::Status DeactivatePerson(grpc::ServerContext* context,
                                const v1::DeactivatePersonRequest* request,
                                v1::Person* response) override;
  grpc::Status ImportPeople(grpc::ServerContext* context, const v1::ImportPeopleRequest* request,
                            v1::ImportPeopleResponse* response) override;
  grpc::Status ChangeMembership(grpc::ServerContext* context,
                                const v1::ChangeMembershipRequest* request,
                                v1::Person* response) override;
  grpc::Status ListMemberships(grpc::ServerContext* context,
                               const v1::ListMembershipsRequest* request,
                               v1::ListMembershipsResponse* response) override;

 private:
  PeopleDirectory& people_;
  const Authenticator& auth_;
};

}  // namespace branchline
