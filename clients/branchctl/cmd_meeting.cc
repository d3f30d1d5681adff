// meeting schedule | list | show | code | roster | mark | cancel: meetings and their
// attendance (and `meeting series`, cmd_series.cc).
#include <fstream>
#include <iostream>

#include "branchline/v1/attendance.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

struct ScheduleOptions {
  uint64_t org = 0, host = 0;
  std::string title, type = "safety-meeting", start, agenda, request_id;
  int duration = 60;
  bool remote_allowed = false;
  bool members_only = false;
};

struct ListOptions {
  uint64_t org = 0;
  std::string from, to, type;
  bool cancelled = false;
};

std::string TypeText(v1::MeetingType type) { return EnumText(v1::MeetingType_descriptor(), type); }

void ShowMeeting(Session& session, const v1::Meeting& m) {
  if (session.options().json) return PrintJson(ToJson(m));
  int32_t offset = session.utc_offset_minutes();
  Names names(session);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(m.id())},
      {"title", m.title()},
      {"type", TypeText(m.type())},
      {"organisation", names.Org(m.organization_id())},
      {"host", names.Person(m.host_id())},
      {"start", FormatLocal(m.start_time(), offset)},
      {"end", FormatLocal(m.end_time(), offset)},
      {"check-in", "opens " + std::to_string(m.window().opens_minutes_before()) +
                       " min before, late after " +
                       std::to_string(m.window().late_after_minutes()) + " min, closes " +
                       std::to_string(m.window().closes_minutes_after()) + " min after start"},
      {"remote allowed", m.remote_allowed() ? "yes" : "no"}};
  if (m.audience().person_ids_size() > 0) {
    fields.emplace_back("audience", std::to_string(m.audience().person_ids_size()) + " people");
  } else {
    fields.emplace_back("audience", (m.audience().members_only() ? "party members of " : "") +
                                        names.Org(m.audience().organization_id()) + " and below");
  }
  if (!m.place().name().empty()) fields.emplace_back("place", m.place().name());
  if (!m.agenda().empty()) fields.emplace_back("agenda", m.agenda());
  if (m.cancelled()) fields.emplace_back("cancelled", m.cancel_reason());
  PrintFields(std::cout, fields);
}

v1::Meeting GetMeeting(Session& session, uint64_t id) {
  v1::GetMeetingRequest request;
  request.set_id(id);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  return session.Call<v1::Meeting>(
      [&](auto* c, auto* r) { return stub->GetMeeting(c, request, r); });
}

void Schedule(Session& session, const ScheduleOptions& o) {
  v1::CreateMeetingRequest request;
  request.set_request_id(OrNew(o.request_id));
  v1::Meeting* m = request.mutable_meeting();
  m->set_organization_id(o.org);
  m->set_title(o.title);
  m->set_type(
      static_cast<v1::MeetingType>(ParseEnum(v1::MeetingType_descriptor(), o.type, "--type")));
  *m->mutable_start_time() = TimeArgument("--start", o.start, session.utc_offset_minutes());
  *m->mutable_end_time() = TimestampOf(m->start_time().seconds() + o.duration * 60);
  m->mutable_audience()->set_organization_id(o.org);
  m->set_host_id(o.host);
  m->set_agenda(o.agenda);
  m->set_remote_allowed(o.remote_allowed);
  m->mutable_audience()->set_members_only(o.members_only);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  ShowMeeting(session, session.Call<v1::Meeting>(
                           [&](auto* c, auto* r) { return stub->CreateMeeting(c, request, r); }));
}

void List(Session& session, const ListOptions& o) {
  int32_t offset = session.utc_offset_minutes();
  v1::ListMeetingsRequest request;
  request.set_organization_id(OrgOrOwn(session, o.org));
  if (!o.from.empty()) *request.mutable_start_time_from() = TimeArgument("--from", o.from, offset);
  if (!o.to.empty()) *request.mutable_start_time_to() = TimeArgument("--to", o.to, offset);
  if (!o.type.empty()) {
    request.set_type(
        static_cast<v1::MeetingType>(ParseEnum(v1::MeetingType_descriptor(), o.type, "--type")));
  }
  request.set_show_cancelled(o.cancelled);
  request.set_page_size(1000);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  std::vector<v1::Meeting> meetings;
  do {
    auto page = session.Call<v1::ListMeetingsResponse>(
        [&](auto* c, auto* r) { return stub->ListMeetings(c, request, r); });
    meetings.insert(meetings.end(), page.meetings().begin(), page.meetings().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : meetings) list.push_back(ToJson(m));
    return PrintJson({{"meetings", list}});
  }
  Table table({"ID", "START", "TYPE", "TITLE", "ORGANISATION", "HOST"});
  Names names(session);
  for (const auto& m : meetings) {
    std::string title = m.title() + (m.cancelled() ? " (cancelled)" : "");
    table.AddRow({std::to_string(m.id()), FormatLocal(m.start_time(), offset), TypeText(m.type()),
                  title, names.Org(m.organization_id()), names.Person(m.host_id())});
  }
  table.Print(std::cout);
}

void Code(Session& session, uint64_t meeting_id, const std::string& svg_file) {
  v1::GetCheckInCodeRequest request;
  request.set_meeting_id(meeting_id);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  auto code = session.Call<v1::CheckInCode>(
      [&](auto* c, auto* r) { return stub->GetCheckInCode(c, request, r); });
  if (!svg_file.empty()) {
    std::ofstream out(svg_file, std::ios::binary);
    out << code.qr_svg();
    if (!out) throw CtlError(kExitOther, "cannot write " + svg_file);
  }
  if (session.options().json) {
    code.clear_qr_svg();  // large; --svg writes it to a file
    return PrintJson(ToJson(code));
  }
  int32_t offset = session.utc_offset_minutes();
  PrintFields(std::cout, {{"meeting", std::to_string(code.meeting_id())},
                          {"code", code.code()},
                          {"valid from", FormatLocal(code.valid_from(), offset, true)},
                          {"replaced at", FormatLocal(code.expire_time(), offset, true)},
                          {"qr payload", code.qr_payload()}});
  if (!svg_file.empty()) std::cout << "QR code written to " << svg_file << "\n";
}

void Roster(Session& session, uint64_t meeting_id) {
  v1::GetRosterRequest request;
  request.set_meeting_id(meeting_id);
  request.set_page_size(1000);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  v1::Roster roster;
  std::vector<v1::RosterEntry> entries;
  do {
    roster =
        session.Call<v1::Roster>([&](auto* c, auto* r) { return stub->GetRoster(c, request, r); });
    entries.insert(entries.end(), roster.entries().begin(), roster.entries().end());
    request.set_page_token(roster.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    roster.clear_entries();
    roster.clear_next_page_token();
    nlohmann::json json = ToJson(roster);
    json["entries"] = nlohmann::json::array();
    for (const auto& e : entries) json["entries"].push_back(ToJson(e));
    return PrintJson(json);
  }
  const auto& n = roster.counts();
  std::cout << roster.meeting().title() << ": expected " << n.expected() << ", present "
            << n.present() << ", late " << n.late() << ", remote " << n.remote() << ", excused "
            << n.excused() << ", made up " << n.made_up() << ", absent " << n.absent() << "\n";
  int32_t offset = session.utc_offset_minutes();
  Table table({"PERSON", "NAME", "STATUS", "METHOD", "TIME"});
  for (const auto& e : entries) {
    table.AddRow(
        {std::to_string(e.person_id()), e.display_name(),
         EnumText(v1::AttendanceStatus_descriptor(), e.status()),
         e.has_record() ? EnumText(v1::CheckInMethod_descriptor(), e.record().method()) : "-",
         e.has_record() ? FormatLocal(e.record().server_time(), offset) : "-"});
  }
  table.Print(std::cout);
}

struct MarkOptions {
  uint64_t meeting = 0, person = 0;
  std::string status, note, request_id;
};

void Mark(Session& session, const MarkOptions& o) {
  v1::MarkAttendanceRequest request;
  request.set_request_id(OrNew(o.request_id));
  request.set_meeting_id(o.meeting);
  request.set_person_id(o.person);
  request.set_status(static_cast<v1::AttendanceStatus>(
      ParseEnum(v1::AttendanceStatus_descriptor(), o.status, "--status")));
  request.set_note(o.note);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  auto record = session.Call<v1::AttendanceRecord>(
      [&](auto* c, auto* r) { return stub->MarkAttendance(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(record));
  std::cout << "Person " << record.person_id() << " marked "
            << EnumText(v1::AttendanceStatus_descriptor(), record.status()) << " at meeting "
            << record.meeting_id() << ".\n";
}

}  // namespace

void AddMeetingCommands(CLI::App& app, Session& session) {
  auto* meeting =
      app.add_subcommand("meeting", "Meetings: schedule, list, check-in code, roster, marks");

  auto s = std::make_shared<ScheduleOptions>();
  auto* schedule = meeting->add_subcommand("schedule", "Schedule a meeting for an organisation");
  schedule->add_option("--org", s->org, "Organisation holding it (its subtree attends)")
      ->required();
  schedule->add_option("--title", s->title, "Title, 1..100 characters")->required();
  schedule->add_option("--type", s->type, "Type: " + EnumChoices(v1::MeetingType_descriptor()))
      ->capture_default_str();
  schedule->add_option("--start", s->start, "Start, local time 'YYYY-MM-DD HH:MM' (or with +08:00)")
      ->required();
  schedule->add_option("--duration", s->duration, "Minutes")->capture_default_str();
  schedule->add_option("--host", s->host, "Host person id (default: you)");
  schedule->add_option("--agenda", s->agenda, "Agenda");
  schedule->add_flag("--remote-allowed", s->remote_allowed, "Allow remote attendance");
  schedule->add_flag("--members-only", s->members_only,
                     "Only the party members of the organisation (not activists or employees)");
  AddRequestIdOption(schedule, &s->request_id);
  schedule->callback([&session, s] { Schedule(session, *s); });

  auto l = std::make_shared<ListOptions>();
  auto* list = meeting->add_subcommand("list", "List the meetings of an organisation's subtree");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_option("--from", l->from, "Starting at or after this local date/time");
  list->add_option("--to", l->to, "Starting before this local date/time");
  list->add_option("--type", l->type, "Only this type");
  list->add_flag("--cancelled", l->cancelled, "Include cancelled meetings");
  list->callback([&session, l] { List(session, *l); });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = meeting->add_subcommand("show", "Show one meeting");
  show->add_option("id", *show_id, "Meeting id")->required();
  show->callback([&session, show_id] { ShowMeeting(session, GetMeeting(session, *show_id)); });

  auto code_id = std::make_shared<uint64_t>(0);
  auto svg = std::make_shared<std::string>();
  auto* code = meeting->add_subcommand(
      "code", "The current rotating check-in code (hosts and managers, while check-in is open)");
  code->add_option("id", *code_id, "Meeting id")->required();
  code->add_option("--svg", *svg, "Also write the QR code to this SVG file");
  code->callback([&session, code_id, svg] { Code(session, *code_id, *svg); });

  auto roster_id = std::make_shared<uint64_t>(0);
  auto* roster = meeting->add_subcommand("roster", "Everyone expected, with their status");
  roster->add_option("id", *roster_id, "Meeting id")->required();
  roster->callback([&session, roster_id] { Roster(session, *roster_id); });

  auto k = std::make_shared<MarkOptions>();
  auto* mark = meeting->add_subcommand(
      "mark", "Host or manager: record a person's attendance (e.g. from a paper sheet)");
  mark->add_option("id", k->meeting, "Meeting id")->required();
  mark->add_option("--person", k->person, "Person id")->required();
  mark->add_option("--status", k->status, "present, late, remote or absent")->required();
  mark->add_option("--note", k->note, "Why, up to 200 characters");
  AddRequestIdOption(mark, &k->request_id);
  mark->callback([&session, k] { Mark(session, *k); });

  auto c = std::make_shared<MarkOptions>();
  auto* cancel = meeting->add_subcommand("cancel", "Cancel a meeting (it stays readable)");
  cancel->add_option("id", c->meeting, "Meeting id")->required();
  cancel->add_option("--reason", c->note, "Why, 1..200 characters")->required();
  AddRequestIdOption(cancel, &c->request_id);
  cancel->callback([&session, c] {
    v1::CancelMeetingRequest request;
    request.set_request_id(OrNew(c->request_id));
    request.set_id(c->meeting);
    request.set_reason(c->note);
    auto stub = v1::AttendanceService::NewStub(session.channel());
    ShowMeeting(session, session.Call<v1::Meeting>([&](auto* ctx, auto* r) {
      return stub->CancelMeeting(ctx, request, r);
    }));
  });

  AddMeetingSeriesCommands(*meeting, session);
}

}  // namespace branchline::ctl
