// minutes show | save | lock and ledger add | list | report (RecordsService): the record of a
// held meeting with its problems, and the branch's activity ledger counted by item.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "branchline/v1/records.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

struct MinutesOptions {
  uint64_t meeting = 0;
  uint32_t revision = 0;
  uint64_t version = 0;
  std::string file, reason, request_id;
  std::vector<std::string> resolutions, problems;
};

struct EntryOptions {
  uint64_t org = 0;
  std::string type, level, date, place, text, item, request_id, from, to;
  double hours = 0;
  std::vector<uint64_t> people;
  std::vector<std::string> names;
};

std::string ReadText(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path);
  if (!in) throw CtlError(kExitUsage, "--file: cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "--problem OWNER_ID:YYYY-MM-DD:description" (the description may hold ':').
v1::Problem ProblemArgument(const std::string& text) {
  const auto first = text.find(':');
  const auto second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos) {
    throw CtlError(kExitUsage,
                   "--problem: expected OWNER_ID:YYYY-MM-DD:description, got \"" + text + "\"");
  }
  v1::Problem p;
  try {
    p.set_owner_id(std::stoull(text.substr(0, first)));
  } catch (const std::exception&) {
    throw CtlError(kExitUsage, "--problem: the owner must be a person id, got \"" + text + "\"");
  }
  *p.mutable_due_date() =
      LocalDateArgument("--problem", text.substr(first + 1, second - first - 1));
  p.set_description(text.substr(second + 1));
  return p;
}

std::string StatusText(v1::ProblemStatus s) { return EnumText(v1::ProblemStatus_descriptor(), s); }

void PrintRecord(Session& session, const v1::MeetingRecord& r) {
  if (session.options().json) return PrintJson(ToJson(r));
  const int32_t offset = session.utc_offset_minutes();
  Names names(session);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"meeting", std::to_string(r.meeting_id())},
      {"organisation", names.Org(r.organization_id())},
      {"revision", std::to_string(r.revision())},
      {"version", std::to_string(r.version())},
      {"locked", r.locked() ? "yes, by " + names.Person(r.locked_by()) + " at " +
                                  FormatLocal(r.lock_time(), offset)
                            : "no"},
      {"recorded", names.Person(r.recorded_by()) + " at " + FormatLocal(r.record_time(), offset)}};
  if (!r.reason().empty()) fields.emplace_back("reason", r.reason());
  for (const auto& resolution : r.resolutions()) fields.emplace_back("resolution", resolution);
  PrintFields(std::cout, fields);
  std::cout << "\n" << r.minutes() << "\n";
  if (r.problems().empty()) return;
  std::cout << "\n";
  Table table({"PROBLEM", "OWNER", "DUE", "STATUS", "DESCRIPTION", "FIX"});
  for (const auto& p : r.problems()) {
    table.AddRow({std::to_string(p.id()), names.Person(p.owner_id()), LocalDateText(p.due_date()),
                  StatusText(p.status()), p.description(), p.fix().text()});
  }
  table.Print(std::cout);
}

// The current record, or nothing when the meeting has none yet.
std::optional<v1::MeetingRecord> CurrentRecord(Session& session, uint64_t meeting) {
  auto stub = v1::RecordsService::NewStub(session.channel());
  v1::GetMeetingRecordRequest r;
  r.set_meeting_id(meeting);
  try {
    return session.Call<v1::MeetingRecord>(
        [&](auto* c, auto* out) { return stub->GetMeetingRecord(c, r, out); });
  } catch (const RpcError& e) {
    if (e.status().error_code() == grpc::StatusCode::NOT_FOUND &&
        e.status().error_message().find("no record") != std::string::npos) {
      return std::nullopt;
    }
    throw;
  }
}

void Save(Session& session, const MinutesOptions& o) {
  // Based on the record as it is now: its problems stay, the given ones are added, and the
  // version read is the one the server checks (unless --version names an older read).
  auto current = CurrentRecord(session, o.meeting);
  v1::SaveMeetingRecordRequest r;
  r.set_request_id(OrNew(o.request_id));
  v1::MeetingRecord* record = r.mutable_record();
  if (current) *record = *current;
  record->set_meeting_id(o.meeting);
  if (!o.file.empty()) record->set_minutes(ReadText(o.file));
  if (!o.resolutions.empty()) {
    record->clear_resolutions();
    for (const auto& text : o.resolutions) record->add_resolutions(text);
  }
  for (const auto& text : o.problems) *record->add_problems() = ProblemArgument(text);
  r.set_expected_version(o.version ? o.version : (current ? current->version() : 0));
  r.set_reason(o.reason);
  auto stub = v1::RecordsService::NewStub(session.channel());
  PrintRecord(session, session.Call<v1::MeetingRecord>(
                           [&](auto* c, auto* out) { return stub->SaveMeetingRecord(c, r, out); }));
}

std::string TypeText(v1::LedgerEntryType t) {
  return EnumText(v1::LedgerEntryType_descriptor(), t);
}

void PrintEntry(Session& session, const v1::LedgerEntry& e) {
  if (session.options().json) return PrintJson(ToJson(e));
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(e.id())},
      {"organisation", Names(session).Org(e.organization_id())},
      {"type", TypeText(e.type())},
      {"date", LocalDateText(e.date())},
      {"item", e.item_code()},
      {"place", e.place()},
      {"text", e.text()}};
  if (e.type() == v1::LEDGER_ENTRY_TYPE_TALK) {
    fields.emplace_back("level", EnumText(v1::TalkLevel_descriptor(), e.talk_level()));
  }
  if (e.volunteer_hours() > 0) {
    std::ostringstream hours;
    hours << e.volunteer_hours();
    fields.emplace_back("hours", hours.str());
  }
  PrintFields(std::cout, fields);
}

v1::LedgerEntry EntryOf(Session& session, const EntryOptions& o) {
  v1::LedgerEntry e;
  e.set_organization_id(OrgOrOwn(session, o.org));
  e.set_type(static_cast<v1::LedgerEntryType>(
      ParseEnum(v1::LedgerEntryType_descriptor(), o.type, "--type")));
  if (!o.level.empty()) {
    e.set_talk_level(
        static_cast<v1::TalkLevel>(ParseEnum(v1::TalkLevel_descriptor(), o.level, "--level")));
  }
  *e.mutable_date() = LocalDateArgument("--date", o.date);
  e.set_place(o.place);
  e.set_text(o.text);
  e.set_item_code(o.item);
  e.set_volunteer_hours(o.hours);
  for (uint64_t p : o.people) e.add_person_ids(p);
  for (const auto& n : o.names) e.add_people_names(n);
  return e;
}

void ListEntries(Session& session, const EntryOptions& o) {
  v1::ListLedgerEntriesRequest r;
  r.set_organization_id(OrgOrOwn(session, o.org));
  if (!o.type.empty()) {
    r.set_type(static_cast<v1::LedgerEntryType>(
        ParseEnum(v1::LedgerEntryType_descriptor(), o.type, "--type")));
  }
  r.set_item_code(o.item);
  if (!o.from.empty()) *r.mutable_from_date() = LocalDateArgument("--from", o.from);
  if (!o.to.empty()) *r.mutable_to_date() = LocalDateArgument("--to", o.to);
  r.set_page_size(1000);
  auto stub = v1::RecordsService::NewStub(session.channel());
  std::vector<v1::LedgerEntry> entries;
  do {
    auto page = session.Call<v1::ListLedgerEntriesResponse>(
        [&](auto* c, auto* out) { return stub->ListLedgerEntries(c, r, out); });
    entries.insert(entries.end(), page.entries().begin(), page.entries().end());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : entries) list.push_back(ToJson(e));
    return PrintJson({{"entries", list}});
  }
  Table table({"ID", "DATE", "TYPE", "ITEM", "ORG", "TEXT"});
  Names names(session);
  for (const auto& e : entries) {
    table.AddRow({std::to_string(e.id()), LocalDateText(e.date()), TypeText(e.type()),
                  e.item_code(), names.Org(e.organization_id()), e.text()});
  }
  table.Print(std::cout);
}

void Report(Session& session, const EntryOptions& o) {
  v1::GetLedgerReportRequest r;
  r.set_organization_id(OrgOrOwn(session, o.org));
  *r.mutable_from_date() = LocalDateArgument("--from", o.from);
  *r.mutable_to_date() = LocalDateArgument("--to", o.to);
  auto stub = v1::RecordsService::NewStub(session.channel());
  auto report = session.Call<v1::LedgerReport>(
      [&](auto* c, auto* out) { return stub->GetLedgerReport(c, r, out); });
  if (session.options().json) return PrintJson(ToJson(report));
  Table items({"ITEM", "TITLE", "ENTRIES", "HOURS"});
  for (const auto& i : report.items()) {
    std::ostringstream hours;
    hours << i.volunteer_hours();
    items.AddRow(
        {i.code().empty() ? "-" : i.code(), i.title(), std::to_string(i.entries()), hours.str()});
  }
  items.Print(std::cout);
  std::cout << "\n";
  Table types({"TYPE", "ENTRIES"});
  for (const auto& t : report.types()) {
    types.AddRow({TypeText(t.type()), std::to_string(t.entries())});
  }
  types.Print(std::cout);
  std::ostringstream hours;
  hours << report.volunteer_hours();
  std::cout << "\nentries " << report.entries() << ", volunteer hours " << hours.str()
            << (report.hardship_hidden() ? " (hardship files not shown)" : "") << "\n";
}

}  // namespace

void AddRecordsCommands(CLI::App& app, Session& session) {
  auto* minutes = app.add_subcommand("minutes", "The record (minutes) of a held meeting");

  auto s = std::make_shared<MinutesOptions>();
  auto* show = minutes->add_subcommand("show", "Show a meeting's record, or one revision");
  show->add_option("meeting", s->meeting, "Meeting id")->required();
  show->add_option("--revision", s->revision, "A revision (default: the current one)");
  show->callback([&session, s] {
    v1::GetMeetingRecordRequest r;
    r.set_meeting_id(s->meeting);
    r.set_revision(s->revision);
    auto stub = v1::RecordsService::NewStub(session.channel());
    PrintRecord(session, session.Call<v1::MeetingRecord>([&](auto* c, auto* out) {
      return stub->GetMeetingRecord(c, r, out);
    }));
  });

  auto v = std::make_shared<MinutesOptions>();
  auto* save = minutes->add_subcommand(
      "save", "Write a meeting's minutes (Markdown) and add problems; after the lock, --reason");
  save->add_option("meeting", v->meeting, "Meeting id")->required();
  save->add_option("--file", v->file, "Minutes in Markdown ('-': standard input)");
  save->add_option("--resolution", v->resolutions, "A resolution (repeat; replaces the list)");
  save->add_option("--problem", v->problems,
                   "A new problem OWNER_ID:YYYY-MM-DD:description (repeat)");
  save->add_option("--reason", v->reason, "Why (required once the record is locked)");
  save->add_option("--version", v->version,
                   "The version your edit is based on (default: the current one)");
  AddRequestIdOption(save, &v->request_id);
  save->callback([&session, v] { Save(session, *v); });

  auto k = std::make_shared<MinutesOptions>();
  auto* lock = minutes->add_subcommand("lock", "Sign a meeting's record off");
  lock->add_option("meeting", k->meeting, "Meeting id")->required();
  lock->add_option("--version", k->version, "The version you read (default: the current one)");
  AddRequestIdOption(lock, &k->request_id);
  lock->callback([&session, k] {
    v1::LockMeetingRecordRequest r;
    r.set_request_id(OrNew(k->request_id));
    r.set_meeting_id(k->meeting);
    uint64_t version = k->version;
    if (version == 0) {
      auto current = CurrentRecord(session, k->meeting);
      if (!current) throw CtlError(kExitUsage, "meeting has no record to lock");
      version = current->version();
    }
    r.set_expected_version(version);
    auto stub = v1::RecordsService::NewStub(session.channel());
    PrintRecord(session, session.Call<v1::MeetingRecord>([&](auto* c, auto* out) {
      return stub->LockMeetingRecord(c, r, out);
    }));
  });

  auto* ledger =
      app.add_subcommand("ledger", "The activity ledger (talks, visits, volunteering ...)");
  auto a = std::make_shared<EntryOptions>();
  auto* add = ledger->add_subcommand("add", "Add an entry to an organisation's ledger");
  add->add_option("--org", a->org, "Organisation (default: your own)");
  add->add_option("--type", a->type, "Kind: " + EnumChoices(v1::LedgerEntryType_descriptor()))
      ->required();
  add->add_option("--level", a->level,
                  "For talks, between whom: " + EnumChoices(v1::TalkLevel_descriptor()));
  add->add_option("--date", a->date, "Local date, YYYY-MM-DD")->required();
  add->add_option("--text", a->text, "What happened")->required();
  add->add_option("--place", a->place, "Where");
  add->add_option("--item", a->item, "Ledger item code it counts for");
  add->add_option("--hours", a->hours, "Volunteer hours (in tenths)");
  add->add_option("--person", a->people, "A person id taking part (repeat)");
  add->add_option("--name", a->names, "Someone else taking part, by name (repeat)");
  AddRequestIdOption(add, &a->request_id);
  add->callback([&session, a] {
    v1::CreateLedgerEntryRequest r;
    r.set_request_id(OrNew(a->request_id));
    *r.mutable_entry() = EntryOf(session, *a);
    auto stub = v1::RecordsService::NewStub(session.channel());
    PrintEntry(session, session.Call<v1::LedgerEntry>([&](auto* c, auto* out) {
      return stub->CreateLedgerEntry(c, r, out);
    }));
  });

  auto l = std::make_shared<EntryOptions>();
  auto* list = ledger->add_subcommand("list", "Entries of an organisation's subtree, newest first");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_option("--type", l->type, "Only: " + EnumChoices(v1::LedgerEntryType_descriptor()));
  list->add_option("--item", l->item, "Only entries of this item");
  list->add_option("--from", l->from, "From this local date, YYYY-MM-DD");
  list->add_option("--to", l->to, "Up to this local date, YYYY-MM-DD");
  list->callback([&session, l] { ListEntries(session, *l); });

  auto p = std::make_shared<EntryOptions>();
  auto* report = ledger->add_subcommand("report", "Counts per item and type for a period");
  report->add_option("--org", p->org, "Organisation (default: your own)");
  report->add_option("--from", p->from, "First local date, YYYY-MM-DD")->required();
  report->add_option("--to", p->to, "Last local date, YYYY-MM-DD")->required();
  report->callback([&session, p] { Report(session, *p); });
}

}  // namespace branchline::ctl
