#include "clients/branchctl/app.h"

#include <iostream>

#include "CLI/CLI.hpp"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {

void AddRequestIdOption(CLI::App* command, std::string* request_id) {
  command->add_option("--request-id", *request_id,
                      "Idempotency key (default: a new random one); repeat a failed call with "
                      "the same key and it is done at most once");
}

google::protobuf::Timestamp TimeArgument(const std::string& flag, const std::string& text,
                                         int32_t utc_offset_minutes) {
  try {
    return ParseTime(text, utc_offset_minutes);
  } catch (const std::invalid_argument& e) {
    throw CtlError(kExitUsage, flag + ": " + e.what());
  }
}

uint64_t OrgOrOwn(Session& session, uint64_t org_id) {
  return org_id ? org_id : session.login().organization_id;
}

int CurrentYear(Session& session) {
  return LocalDate(std::time(nullptr), session.utc_offset_minutes()).year;
}

namespace {

// `localized`: the server's message for people (google.rpc.LocalizedMessage, in the language
// of the locale), shown first; `message` then follows as the detail for developers.
int ReportError(const GlobalOptions& options, ExitCode code, const std::string& status_name,
                const std::string& message,
                const std::vector<std::pair<std::string, std::string>>& fields,
                const std::string& localized = "", const std::string& reason = "") {
  if (options.json) {
    nlohmann::json error = {{"code", status_name}, {"exit_code", code}, {"message", message}};
    if (!localized.empty()) error["localized_message"] = localized;
    if (!reason.empty()) error["reason"] = reason;
    for (const auto& [field, why] : fields)
      error["field_violations"].push_back({{"field", field}, {"description", why}});
    std::cerr << nlohmann::json{{"error", error}}.dump() << "\n";
  } else if (!localized.empty()) {
    std::cerr << "branchctl: " << status_name << ": " << localized << "\n";
    std::cerr << "  detail" << (reason.empty() ? "" : " (" + reason + ")") << ": " << message
              << "\n";
    for (const auto& [field, why] : fields) std::cerr << "  field " << field << ": " << why << "\n";
  } else {
    std::cerr << "branchctl: " << status_name << ": " << message << "\n";
    for (const auto& [field, why] : fields) std::cerr << "  field " << field << ": " << why << "\n";
  }
  return code;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{
      "branchctl: the Branchline command line for administrators and scripts.\n"
      "Sign in once with `branchctl login`; every other command uses the stored token."};
  app.fallthrough(true);  // global flags may follow the subcommand: `branchctl org list --json`
  app.require_subcommand(1);
  app.footer(ExitCodeHelp());
  GlobalOptions options;
  app.add_option("--server", options.server,
                 "Server address host:port (default: the stored login's server, else "
                 "127.0.0.1:50051, the server's default --listen)")
      ->envname("BRANCHCTL_SERVER")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->each([&](const std::string&) { options.server_given = true; });
  app.add_option("--tls-ca", options.tls_ca, "Use TLS and trust this CA certificate (PEM file)")
      ->envname("BRANCHCTL_TLS_CA");
  app.add_option("--token-file", options.token_file,
                 "Where the login is kept (written 0600, directory 0700)")
      ->capture_default_str()
      ->envname("BRANCHCTL_TOKEN_FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--json", options.json, "Print JSON for scripts instead of tables");
  app.add_option("--timeout", options.timeout_seconds, "Deadline of each call in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));

  Session session(options);
  AddAuthCommands(app, session);
  AddHealthCommand(app, session);
  AddOrgCommands(app, session);
  AddPeopleCommands(app, session);
  AddMeetingCommands(app, session);
  AddStudyCommands(app, session);
  AddInboxCommands(app, session);
  AddReportCommands(app, session);
  AddBackupCommands(app, session);
  AddAbsenceCommands(app, session);
  AddEvaluationCommands(app, session);
  AddDutiesCommands(app, session);
  AddCalendarCommands(app, session);
  AddRecordsCommands(app, session);
  AddAuditCommands(app, session);
  AddFileCommands(app, session);
  AddHandbookCommands(app, session);
  AddNotificationCommands(app, session);
  AddDemoCommand(app, session);
  for (CLI::App* command : app.get_subcommands({})) {
    if (!command->get_subcommands({}).empty()) command->require_subcommand(1);
  }

  try {
    app.parse(argc, argv);
    return kExitOk;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const RpcError& e) {
    const grpc::Status& status = e.status();
    return ReportError(options, ExitCodeFor(status.error_code()), CodeName(status.error_code()),
                       status.error_message(), FieldViolations(status), LocalizedMessage(status),
                       ErrorReason(status));
  } catch (const CtlError& e) {
    return ReportError(options, e.code(), e.code() == kExitUsage ? "USAGE" : "ERROR", e.what(), {});
  } catch (const std::exception& e) {
    return ReportError(options, kExitOther, "ERROR", e.what(), {});
  }
}

}  // namespace branchline::ctl
