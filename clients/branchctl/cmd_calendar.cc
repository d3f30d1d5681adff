// calendar export: the signed-in person's upcoming meetings as an iCalendar (.ics) file
// (CalendarService.ExportMyCalendar), for importing into a phone's own calendar.
#include <iostream>
#include <memory>
#include <string>

#include "branchline/v1/calendar.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/exit_codes.h"
#include "clients/branchctl/output.h"

namespace branchline::ctl {
namespace {

struct ExportOptions {
  int days = 0;
  std::string out = "branchline.ics";
};

void Export(Session& session, const ExportOptions& o) {
  v1::ExportMyCalendarRequest request;
  request.set_days(o.days);
  auto stub = v1::CalendarService::NewStub(session.channel());
  auto context = session.NewContext(session.AccessToken());
  auto reader = stub->ExportMyCalendar(context.get(), request);
  // The whole file first: a refused export leaves no half-written file behind.
  std::string file;
  v1::CalendarFileChunk chunk;
  while (reader->Read(&chunk)) file += chunk.data();
  grpc::Status status = reader->Finish();
  if (!status.ok()) throw RpcError(status);
  WriteOutputFile(o.out, file, "Calendar");
}

}  // namespace

void AddCalendarCommands(CLI::App& app, Session& session) {
  auto* calendar = app.add_subcommand("calendar", "Your meetings in your phone's calendar");
  auto e = std::make_shared<ExportOptions>();
  auto* export_command = calendar->add_subcommand(
      "export", "Write your upcoming meetings as an iCalendar (.ics) file to import");
  export_command->add_option("--days", e->days, "Days ahead (default 56, at most 366)");
  export_command->add_option("--out", e->out, "File to write (default branchline.ics; - : stdout)");
  export_command->callback([&session, e] { Export(session, *e); });
}

}  // namespace branchline::ctl
