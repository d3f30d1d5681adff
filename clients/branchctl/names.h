#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "clients/branchctl/session.h"

namespace branchline::ctl {

// Names for the ids a table shows (issue #24: names, not ids): each organisation and person is
// looked up once per command (GetOrganization, GetPerson) and shown as "name (id)", so a
// reader sees who and where while a script can still pick up the id. An id the signed-in
// user may not read, or that no longer exists, stays a bare id; 0 is "-". --json output keeps
// plain ids and never calls this.
class Names {
 public:
  explicit Names(Session& session) : session_(session) {}

  std::string Org(uint64_t id);
  std::string Person(uint64_t id);

 private:
  std::string Lookup(std::map<uint64_t, std::string>& cache, uint64_t id,
                     const std::function<std::string()>& name_of);

  Session& session_;
  std::map<uint64_t, std::string> orgs_, people_;
};

}  // namespace branchline::ctl
