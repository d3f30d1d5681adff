#include "server/bootstrap.h"

#include <sodium.h>

#include <cstdlib>

#include "services/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {
std::string GeneratePassword() {
  // 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  for (int i = 0; i < 16; ++i)
    password.push_back(kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)]);
  return password;
}
}  // namespace

absl::Status BootstrapIfEmpty(storage::Store& store, OrgTree& orgs, PeopleDirectory& people,
                              PasswordHasher& hasher, std::string admin_password,
                              std::ostream& out) {
  bool empty = true;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kOrganizations, "", "", [&](auto, auto) {
    empty = false;
    return false;
  }));
  if (!empty) return absl::OkStatus();

  bool generated = false;
  if (admin_password.empty()) {
    if (const char* env = std::getenv("BRANCHLINE_ADMIN_PASSWORD")) admin_password = env;
  }
  if (admin_password.empty()) {
    admin_password = GeneratePassword();
    generated = true;
  }
  RETURN_IF_ERROR(ValidatePassword(admin_password, "admin password"));
  ASSIGN_OR_RETURN(std::string hash, hasher.Hash(admin_password));

  Mutation m(store);
  v1::Organization root;
  root.set_name("Branchline");
  root.set_kind(v1::ORGANIZATION_KIND_COMPANY);
  ASSIGN_OR_RETURN(root, orgs.StageTenantRoot(m, root));
  v1::Person admin;
  admin.set_organization_id(root.id());
  admin.set_display_name("管理员 Administrator");
  admin.set_employee_number("admin");
  admin.set_role(v1::ROLE_EMPLOYEE);
  admin.set_system_admin(true);
  admin.add_admin_organization_ids(root.id());
  internal::v1::Credential credential;
  credential.set_password_hash(hash);
  ASSIGN_OR_RETURN(admin, people.StageNew(m, admin, credential));
  RETURN_IF_ERROR(CommitMutation(m));
  spdlog::info("first start: created tenant {} root organization {} and the 'admin' account",
               root.tenant_id(), root.id());
  if (generated) {
    out << "Initial password for 'admin' (shown once, not logged): " << admin_password << std::endl;
  }
  return absl::OkStatus();
}

}  // namespace branchline
