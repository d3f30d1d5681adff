#pragma once

#include <cstdint>
#include <string>

#include "CLI/CLI.hpp"
#include "branchline/v1/calendar.pb.h"
#include "clients/branchctl/session.h"
#include "google/protobuf/timestamp.pb.h"

namespace branchline::ctl {

// Each area registers its subcommands; callbacks run after the whole line is parsed, so they
// see the global flags through `session`.
void AddAuthCommands(CLI::App& app, Session& session);
void AddHealthCommand(CLI::App& app, Session& session);
void AddOrgCommands(CLI::App& app, Session& session);
void AddPeopleCommands(CLI::App& app, Session& session);
void AddMeetingCommands(CLI::App& app, Session& session);
// `meeting series ...` under the `meeting` command (cmd_series.cc).
void AddMeetingSeriesCommands(CLI::App& meeting, Session& session);
void AddStudyCommands(CLI::App& app, Session& session);
void AddInboxCommands(CLI::App& app, Session& session);
void AddReportCommands(CLI::App& app, Session& session);
void AddBackupCommands(CLI::App& app, Session& session);
void AddAbsenceCommands(CLI::App& app, Session& session);
void AddCalendarCommands(CLI::App& app, Session& session);
void AddRecordsCommands(CLI::App& app, Session& session);
void AddAuditCommands(CLI::App& app, Session& session);
void AddFileCommands(CLI::App& app, Session& session);
void AddHandbookCommands(CLI::App& app, Session& session);
void AddEvaluationCommands(CLI::App& app, Session& session);
void AddDutiesCommands(CLI::App& app, Session& session);
void AddNotificationCommands(CLI::App& app, Session& session);
void AddDemoCommand(CLI::App& app, Session& session);

// Helpers shared by the commands.
inline std::string IdText(uint64_t id) { return id ? std::to_string(id) : "-"; }
// `--request-id` for a mutating command: a retry with the same id changes nothing twice.
void AddRequestIdOption(CLI::App* command, std::string* request_id);
inline std::string OrNew(const std::string& request_id) {
  return request_id.empty() ? NewRequestId() : request_id;
}
// ParseTime with CtlError(kExitUsage) naming the flag.
google::protobuf::Timestamp TimeArgument(const std::string& flag, const std::string& text,
                                         int32_t utc_offset_minutes);
// A local date flag "YYYY-MM-DD" (the server checks that the date exists); CtlError(kExitUsage)
// naming the flag otherwise.
v1::LocalDate LocalDateArgument(const std::string& flag, const std::string& text);
// "YYYY-MM-DD".
std::string LocalDateText(const v1::LocalDate& date);
// The organisation to act on: the flag's value, else the signed-in person's organisation.
uint64_t OrgOrOwn(Session& session, uint64_t org_id);
// The current local year at the session's offset.
int CurrentYear(Session& session);

}  // namespace branchline::ctl
