// login, logout, whoami: the stored login every other command uses.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"

namespace branchline::ctl {
namespace {

struct LoginOptions {
  std::string user;
  std::string password;
  bool password_stdin = false;
  uint64_t tenant = 0;
};

// Reads the password without echo when stdin is a terminal.
std::string PromptPassword() {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    std::cerr << "Password: " << std::flush;
    termios old_mode{};
    tcgetattr(STDIN_FILENO, &old_mode);
    termios quiet = old_mode;
    quiet.c_lflag &= ~ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, password);
    tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, password);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

void Login(Session& session, const LoginOptions& o) {
  v1::SignInRequest request;
  request.set_tenant_id(o.tenant);
  request.set_login(o.user);
  request.set_password(o.password_stdin || o.password.empty() ? PromptPassword() : o.password);
  auto auth = v1::AuthService::NewStub(session.channel());
  auto answer = session.CallAs<v1::SignInResponse>(
      "", [&](auto* c, auto* r) { return auth->SignIn(c, request, r); });
  StoredLogin login;
  login.server = session.server();
  login.access_token = answer.access_token();
  login.access_expire_unix = answer.access_token_expire_time().seconds();
  login.refresh_token = answer.refresh_token();
  login.person_id = answer.person().id();
  login.organization_id = answer.person().organization_id();
  login.display_name = answer.person().display_name();
  // Local times are shown in the person's organisation's offset.
  auto orgs = v1::OrganizationService::NewStub(session.channel());
  v1::GetOrganizationRequest get_org;
  get_org.set_id(login.organization_id);
  v1::Organization org;
  if (orgs->GetOrganization(session.NewContext(login.access_token).get(), get_org, &org).ok() &&
      org.has_utc_offset_minutes()) {
    login.utc_offset_minutes = org.utc_offset_minutes();
  }
  session.SaveLogin(login);
  if (session.options().json) {
    PrintJson({{"person", ToJson(answer.person())},
               {"token_file", session.options().token_file},
               {"server", login.server}});
    return;
  }
  std::cout << "Signed in to " << login.server << " as " << answer.person().display_name()
            << " (person " << login.person_id << ", organisation " << login.organization_id
            << ").\nToken kept in " << session.options().token_file << " (mode 0600).\n";
}

void Logout(Session& session) {
  if (!session.signed_in()) {
    std::cout << "Not signed in.\n";
    return;
  }
  v1::SignOutRequest request;
  request.set_request_id(NewRequestId());
  auto auth = v1::AuthService::NewStub(session.channel());
  std::string note;
  try {
    session.Call<v1::SignOutResponse>(
        [&](auto* c, auto* r) { return auth->SignOut(c, request, r); });
  } catch (const RpcError& e) {
    // The local token goes either way; an expired session needs no sign-out.
    note = " (the server answered " + CodeName(e.status().error_code()) + ")";
  }
  session.ForgetLogin();
  std::cout << "Signed out" << note << "; removed " << session.options().token_file << ".\n";
}

void WhoAmI(Session& session) {
  v1::GetPersonRequest request;
  request.set_id(session.login().person_id);
  auto people = v1::PersonService::NewStub(session.channel());
  auto person =
      session.Call<v1::Person>([&](auto* c, auto* r) { return people->GetPerson(c, request, r); });
  if (session.options().json) {
    PrintJson(ToJson(person));
    return;
  }
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", person.display_name()},
      {"person", std::to_string(person.id())},
      {"organisation", Names(session).Org(person.organization_id())},
      {"role", EnumText(v1::Role_descriptor(), person.role())},
      {"login", person.phone().empty() ? person.employee_number() : person.phone()},
      {"server", session.server()}};
  if (person.system_admin()) fields.emplace_back("system admin", "yes");
  PrintFields(std::cout, fields);
}

}  // namespace

void AddAuthCommands(CLI::App& app, Session& session) {
  auto o = std::make_shared<LoginOptions>();
  auto* login = app.add_subcommand("login", "Sign in and keep the token in the token file");
  login->add_option("--user,-u", o->user, "Login: phone, employee number or `admin`")->required();
  login->add_option("--password", o->password,
                    "Password (visible in the process list: prefer the prompt or "
                    "--password-stdin)");
  login->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin");
  login->add_option("--tenant", o->tenant, "Tenant id (default: the first tenant)");
  login->callback([&session, o] { Login(session, *o); });

  app.add_subcommand("logout", "End the session on the server and remove the token file")
      ->callback([&session] { Logout(session); });
  app.add_subcommand("whoami", "Show the signed-in person")->callback([&session] {
    WhoAmI(session);
  });
}

}  // namespace branchline::ctl
