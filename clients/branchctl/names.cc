#include "clients/branchctl/names.h"

#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"

namespace branchline::ctl {

std::string Names::Lookup(std::map<uint64_t, std::string>& cache, uint64_t id,
                          const std::function<std::string()>& name_of) {
  if (id == 0) return "-";
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  std::string text = std::to_string(id);
  try {
    const std::string name = name_of();
    if (!name.empty()) text = name + " (" + text + ")";
  } catch (const RpcError&) {
    // Not readable by this user (or gone): the id is all a table can show.
  }
  return cache.emplace(id, std::move(text)).first->second;
}

std::string Names::Org(uint64_t id) {
  return Lookup(orgs_, id, [&] {
    v1::GetOrganizationRequest request;
    request.set_id(id);
    auto stub = v1::OrganizationService::NewStub(session_.channel());
    return session_
        .Call<v1::Organization>(
            [&](auto* c, auto* r) { return stub->GetOrganization(c, request, r); })
        .name();
  });
}

std::string Names::Person(uint64_t id) {
  return Lookup(people_, id, [&] {
    v1::GetPersonRequest request;
    request.set_id(id);
    auto stub = v1::PersonService::NewStub(session_.channel());
    return session_
        .Call<v1::Person>([&](auto* c, auto* r) { return stub->GetPerson(c, request, r); })
        .display_name();
  });
}

}  // namespace branchline::ctl
