#include "rpc/services/people_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status PersonGrpc::CreatePerson(grpc::ServerContext* context,
                                      const v1::CreatePersonRequest* request,
                                      v1::Person* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.Create(c, *request); });
}

grpc::Status PersonGrpc::GetPerson(grpc::ServerContext* context,
                                   const v1::GetPersonRequest* request, v1::Person* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.Get(c, *request); });
}

grpc::Status PersonGrpc::ListPeople(grpc::ServerContext* context,
                                    const v1::ListPeopleRequest* request,
                                    v1::ListPeopleResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.List(c, *request); });
}

grpc::Status PersonGrpc::UpdatePerson(grpc::ServerContext* context,
                                      const v1::UpdatePersonRequest* request,
                                      v1::Person* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.Update(c, *request); });
}

grpc::Status PersonGrpc::DeactivatePerson(grpc::ServerContext* context,
                                          const v1::DeactivatePersonRequest* request,
                                          v1::Person* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.Deactivate(c, *request); });
}

grpc::Status PersonGrpc::ImportPeople(grpc::ServerContext* context,
                                      const v1::ImportPeopleRequest* request,
                                      v1::ImportPeopleResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.Import(c, *request); });
}

grpc::Status PersonGrpc::ChangeMembership(grpc::ServerContext* context,
                                          const v1::ChangeMembershipRequest* request,
                                          v1::Person* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return people_.ChangeMembership(c, *request);
  });
}

grpc::Status PersonGrpc::ListMemberships(grpc::ServerContext* context,
                                         const v1::ListMembershipsRequest* request,
                                         v1::ListMembershipsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return people_.ListMemberships(c, *request); });
}

}  // namespace branchline
