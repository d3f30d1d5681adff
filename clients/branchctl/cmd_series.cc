// meeting series create | list | show | occurrences | update | split | end: recurring
// meetings (CalendarService): the Monday safety meeting as one series instead of 52 meetings.
#include <cstdio>
#include <iostream>
#include <memory>

#include "branchline/v1/calendar.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/exit_codes.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

struct TemplateOptions {
  uint64_t org = 0, host = 0;
  std::string title, type, start, time, rule, agenda, request_id, from;
  int duration = 0, horizon = -1;
  bool remote_allowed = false;
  bool members_only = false;
};

constexpr int64_t kDaySeconds = 24 * 3600;

std::unique_ptr<v1::CalendarService::Stub> Stub(Session& session) {
  return v1::CalendarService::NewStub(session.channel());
}

void ShowSeries(Session& session, const v1::MeetingSeries& s) {
  if (session.options().json) return PrintJson(ToJson(s));
  const int32_t offset = session.utc_offset_minutes();
  const auto& m = s.meeting();
  Names names(session);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(s.id())},
      {"title", m.title()},
      {"type", EnumText(v1::MeetingType_descriptor(), m.type())},
      {"organisation", names.Org(s.organization_id())},
      {"rule", s.rule()},
      {"first", FormatLocal(m.start_time(), offset)},
      {"minutes", std::to_string((m.end_time().seconds() - m.start_time().seconds()) / 60)},
      {"host", names.Person(m.host_id())},
      {"horizon days", s.horizon_days() > 0 ? std::to_string(s.horizon_days()) : "default"}};
  if (!m.place().name().empty()) fields.emplace_back("place", m.place().name());
  if (!m.agenda().empty()) fields.emplace_back("agenda", m.agenda());
  if (s.ended()) fields.emplace_back("ended", "last date " + LocalDateText(s.last_date()));
  PrintFields(std::cout, fields);
}

std::string IdList(const google::protobuf::RepeatedField<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out.empty() ? "-" : out;
}

v1::MeetingSeries GetSeries(Session& session, uint64_t id) {
  v1::GetMeetingSeriesRequest request;
  request.set_id(id);
  auto stub = Stub(session);
  return session.Call<v1::MeetingSeries>(
      [&](auto* c, auto* r) { return stub->GetMeetingSeries(c, request, r); });
}

// Local "HH:MM" on the local day of `day_of`: the instant.
google::protobuf::Timestamp AtLocalTime(const std::string& flag, const std::string& text,
                                        const google::protobuf::Timestamp& day_of, int32_t offset) {
  int hours = 0, minutes = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d%c", &hours, &minutes, &rest) != 2 || hours > 23 ||
      minutes > 59 || hours < 0 || minutes < 0) {
    throw CtlError(kExitUsage, flag + ": expected a local time HH:MM, got \"" + text + "\"");
  }
  const int64_t local = day_of.seconds() + offset * 60;
  const int64_t midnight = local - ((local % kDaySeconds) + kDaySeconds) % kDaySeconds;
  return TimestampOf(midnight + hours * 3600 + minutes * 60 - offset * 60);
}

void Create(Session& session, const TemplateOptions& o) {
  v1::CreateMeetingSeriesRequest request;
  request.set_request_id(OrNew(o.request_id));
  auto* s = request.mutable_series();
  auto* m = s->mutable_meeting();
  m->set_organization_id(o.org);
  m->mutable_audience()->set_organization_id(o.org);
  m->set_title(o.title);
  m->set_type(static_cast<v1::MeetingType>(ParseEnum(
      v1::MeetingType_descriptor(), o.type.empty() ? "safety-meeting" : o.type, "--type")));
  *m->mutable_start_time() = TimeArgument("--start", o.start, session.utc_offset_minutes());
  *m->mutable_end_time() =
      TimestampOf(m->start_time().seconds() + (o.duration > 0 ? o.duration : 60) * 60);
  m->set_host_id(o.host);
  m->set_agenda(o.agenda);
  m->set_remote_allowed(o.remote_allowed);
  m->mutable_audience()->set_members_only(o.members_only);
  s->set_rule(o.rule);
  s->set_horizon_days(o.horizon > 0 ? o.horizon : 0);
  auto stub = Stub(session);
  ShowSeries(session, session.Call<v1::MeetingSeries>([&](auto* c, auto* r) {
    return stub->CreateMeetingSeries(c, request, r);
  }));
}

void List(Session& session, uint64_t org, bool ended) {
  v1::ListMeetingSeriesRequest request;
  request.set_organization_id(OrgOrOwn(session, org));
  request.set_show_ended(ended);
  request.set_page_size(1000);
  auto stub = Stub(session);
  std::vector<v1::MeetingSeries> all;
  do {
    auto page = session.Call<v1::ListMeetingSeriesResponse>(
        [&](auto* c, auto* r) { return stub->ListMeetingSeries(c, request, r); });
    all.insert(all.end(), page.series().begin(), page.series().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : all) list.push_back(ToJson(s));
    return PrintJson({{"series", list}});
  }
  Table table({"ID", "TITLE", "RULE", "FIRST", "ENDED"});
  for (const auto& s : all) {
    table.AddRow({std::to_string(s.id()), s.meeting().title(), s.rule(),
                  FormatLocal(s.meeting().start_time(), session.utc_offset_minutes()),
                  s.ended() ? LocalDateText(s.last_date()) : "-"});
  }
  table.Print(std::cout);
}

void Occurrences(Session& session, uint64_t id) {
  v1::ListSeriesOccurrencesRequest request;
  request.set_series_id(id);
  request.set_page_size(1000);
  auto stub = Stub(session);
  std::vector<v1::SeriesOccurrence> all;
  do {
    auto page = session.Call<v1::ListSeriesOccurrencesResponse>(
        [&](auto* c, auto* r) { return stub->ListSeriesOccurrences(c, request, r); });
    all.insert(all.end(), page.occurrences().begin(), page.occurrences().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& o : all) list.push_back(ToJson(o));
    return PrintJson({{"occurrences", list}});
  }
  Table table({"DATE", "MEETING"});
  for (const auto& o : all) table.AddRow({LocalDateText(o.date()), std::to_string(o.meeting_id())});
  table.Print(std::cout);
}

// The fields of `o` given on the command line over `m`; the mask paths they set (prefixed).
std::vector<std::string> ApplyTemplate(Session& session, const TemplateOptions& o, v1::Meeting* m,
                                       const std::string& prefix) {
  std::vector<std::string> paths;
  const int32_t offset = session.utc_offset_minutes();
  if (!o.title.empty()) {
    m->set_title(o.title);
    paths.push_back(prefix + "title");
  }
  if (!o.type.empty()) {
    m->set_type(
        static_cast<v1::MeetingType>(ParseEnum(v1::MeetingType_descriptor(), o.type, "--type")));
    paths.push_back(prefix + "type");
  }
  const int64_t length = m->end_time().seconds() - m->start_time().seconds();
  if (!o.time.empty()) {
    *m->mutable_start_time() = AtLocalTime("--time", o.time, m->start_time(), offset);
    *m->mutable_end_time() = TimestampOf(m->start_time().seconds() + length);
    paths.push_back(prefix + "start_time");
    paths.push_back(prefix + "end_time");
  }
  if (o.duration > 0) {
    *m->mutable_end_time() = TimestampOf(m->start_time().seconds() + o.duration * 60);
    paths.push_back(prefix + "end_time");
  }
  if (o.host != 0) {
    m->set_host_id(o.host);
    paths.push_back(prefix + "host_id");
  }
  if (!o.agenda.empty()) {
    m->set_agenda(o.agenda);
    paths.push_back(prefix + "agenda");
  }
  return paths;
}

void Update(Session& session, uint64_t id, const TemplateOptions& o) {
  v1::UpdateMeetingSeriesRequest request;
  request.set_request_id(OrNew(o.request_id));
  *request.mutable_series() = GetSeries(session, id);
  auto paths = ApplyTemplate(session, o, request.mutable_series()->mutable_meeting(), "meeting.");
  if (o.horizon >= 0) {
    request.mutable_series()->set_horizon_days(o.horizon);
    paths.push_back("horizon_days");
  }
  if (paths.empty()) throw CtlError(kExitUsage, "nothing to update: give --title, --time, ...");
  for (const auto& p : paths) request.mutable_update_mask()->add_paths(p);
  auto stub = Stub(session);
  auto response = session.Call<v1::UpdateMeetingSeriesResponse>(
      [&](auto* c, auto* r) { return stub->UpdateMeetingSeries(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(response));
  ShowSeries(session, response.series());
  PrintFields(std::cout, {{"updated meetings", IdList(response.updated_meeting_ids())},
                          {"kept as they are", IdList(response.kept_meeting_ids())}});
}

void Split(Session& session, uint64_t id, const TemplateOptions& o) {
  v1::SplitMeetingSeriesRequest request;
  request.set_request_id(OrNew(o.request_id));
  request.set_id(id);
  *request.mutable_from_date() = LocalDateArgument("--from", o.from);
  const auto old = GetSeries(session, id);
  auto* s = request.mutable_series();
  *s->mutable_meeting() = old.meeting();
  s->set_rule(o.rule.empty() ? old.rule() : o.rule);
  s->set_horizon_days(o.horizon >= 0 ? o.horizon : old.horizon_days());
  // The new first occurrence: --start, else from_date at the series' time of day.
  auto* m = s->mutable_meeting();
  const int64_t length = m->end_time().seconds() - m->start_time().seconds();
  const int32_t offset = session.utc_offset_minutes();
  if (!o.start.empty()) {
    *m->mutable_start_time() = TimeArgument("--start", o.start, offset);
  } else {
    const auto& d = request.from_date();
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d 00:00", d.year(), d.month(), d.day());
    const int64_t local = old.meeting().start_time().seconds() + offset * 60;
    const int64_t time_of_day = ((local % kDaySeconds) + kDaySeconds) % kDaySeconds;
    *m->mutable_start_time() =
        TimestampOf(TimeArgument("--from", text, offset).seconds() + time_of_day);
  }
  *m->mutable_end_time() = TimestampOf(m->start_time().seconds() + length);
  ApplyTemplate(session, o, m, "");
  auto stub = Stub(session);
  auto response = session.Call<v1::SplitMeetingSeriesResponse>(
      [&](auto* c, auto* r) { return stub->SplitMeetingSeries(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(response));
  std::cout << "Series " << response.old_series().id() << " ends on "
            << LocalDateText(response.old_series().last_date()) << "; new series:\n";
  ShowSeries(session, response.new_series());
  PrintFields(std::cout, {{"moved meetings", IdList(response.moved_meeting_ids())},
                          {"cancelled meetings", IdList(response.cancelled_meeting_ids())},
                          {"kept (checked in)", IdList(response.kept_meeting_ids())}});
}

void End(Session& session, uint64_t id, const std::string& reason, const std::string& last,
         const std::string& request_id) {
  v1::EndMeetingSeriesRequest request;
  request.set_request_id(OrNew(request_id));
  request.set_id(id);
  request.set_reason(reason);
  if (!last.empty()) *request.mutable_last_date() = LocalDateArgument("--last-date", last);
  auto stub = Stub(session);
  auto response = session.Call<v1::EndMeetingSeriesResponse>(
      [&](auto* c, auto* r) { return stub->EndMeetingSeries(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(response));
  ShowSeries(session, response.series());
  PrintFields(std::cout, {{"cancelled meetings", IdList(response.cancelled_meeting_ids())},
                          {"kept (checked in)", IdList(response.kept_meeting_ids())}});
}

void AddTemplateOptions(CLI::App* command, TemplateOptions* o) {
  command->add_option("--title", o->title, "Title, 1..100 characters");
  command->add_option("--type", o->type, "Type: " + EnumChoices(v1::MeetingType_descriptor()));
  command->add_option("--duration", o->duration, "Minutes");
  command->add_option("--host", o->host, "Host person id");
  command->add_option("--agenda", o->agenda, "Agenda");
  command->add_option("--horizon", o->horizon, "Days ahead occurrences are created (0: 56)");
  AddRequestIdOption(command, &o->request_id);
}

}  // namespace

void AddMeetingSeriesCommands(CLI::App& meeting, Session& session) {
  auto* series = meeting.add_subcommand(
      "series", "Recurring meetings: create, list, show, occurrences, update, split, end");

  auto c = std::make_shared<TemplateOptions>();
  auto* create = series->add_subcommand("create", "Create a series (its first weeks at once)");
  create->add_option("--org", c->org, "Organisation holding it (its subtree attends)")->required();
  create->add_option("--start", c->start, "First occurrence, local 'YYYY-MM-DD HH:MM'")->required();
  create->add_option("--rule", c->rule, "RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO")->required();
  create->add_flag("--remote-allowed", c->remote_allowed, "Allow remote attendance");
  create->add_flag("--members-only", c->members_only,
                   "Only the party members of the organisation (not activists or employees)");
  AddTemplateOptions(create, c.get());
  create->get_option("--title")->required();
  create->callback([&session, c] { Create(session, *c); });

  auto list_org = std::make_shared<uint64_t>(0);
  auto list_ended = std::make_shared<bool>(false);
  auto* list = series->add_subcommand("list", "The series of an organisation");
  list->add_option("--org", *list_org, "Organisation (default: your own)");
  list->add_flag("--ended", *list_ended, "Include ended series");
  list->callback([&session, list_org, list_ended] { List(session, *list_org, *list_ended); });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = series->add_subcommand("show", "Show one series");
  show->add_option("id", *show_id, "Series id")->required();
  show->callback([&session, show_id] { ShowSeries(session, GetSeries(session, *show_id)); });

  auto occ_id = std::make_shared<uint64_t>(0);
  auto* occurrences =
      series->add_subcommand("occurrences", "The meetings created so far, by local date");
  occurrences->add_option("id", *occ_id, "Series id")->required();
  occurrences->callback([&session, occ_id] { Occurrences(session, *occ_id); });

  auto u_id = std::make_shared<uint64_t>(0);
  auto u = std::make_shared<TemplateOptions>();
  auto* update = series->add_subcommand(
      "update",
      "Edit the whole series (later occurrences not edited or cancelled alone follow); "
      "the dates stay");
  update->add_option("id", *u_id, "Series id")->required();
  update->add_option("--time", u->time, "New local start time HH:MM");
  AddTemplateOptions(update, u.get());
  update->callback([&session, u_id, u] { Update(session, *u_id, *u); });

  auto p_id = std::make_shared<uint64_t>(0);
  auto p = std::make_shared<TemplateOptions>();
  auto* split = series->add_subcommand(
      "split", "This and following: end the series before --from, continue as a new series");
  split->add_option("id", *p_id, "Series id")->required();
  split->add_option("--from", p->from, "First local date of the new series, YYYY-MM-DD")
      ->required();
  split->add_option("--rule", p->rule, "New RRULE (default: the series' own)");
  split->add_option("--start", p->start,
                    "New first occurrence 'YYYY-MM-DD HH:MM' (default: --from at the old time)");
  split->add_option("--time", p->time, "New local start time HH:MM");
  AddTemplateOptions(split, p.get());
  split->callback([&session, p_id, p] { Split(session, *p_id, *p); });

  auto e_id = std::make_shared<uint64_t>(0);
  auto e = std::make_shared<TemplateOptions>();
  auto* end = series->add_subcommand(
      "end", "End a series: later occurrences without check-ins are cancelled");
  end->add_option("id", *e_id, "Series id")->required();
  end->add_option("--reason", e->agenda, "Why, 1..200 characters")->required();
  end->add_option("--last-date", e->from, "Last local date kept, YYYY-MM-DD (default: today)");
  AddRequestIdOption(end, &e->request_id);
  end->callback([&session, e_id, e] { End(session, *e_id, e->agenda, e->from, e->request_id); });
}

}  // namespace branchline::ctl
