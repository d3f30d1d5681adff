// notifications list | read | devices | settings | mute: a person's notifications, push
// devices and opt-outs, and an organisation's reminder settings (NotificationService).
#include <cstdio>
#include <iostream>

#include "branchline/v1/notifications.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {

namespace {

struct ListOptions {
  bool unread = false;
  int limit = 50;
};

struct ReadOptions {
  std::vector<uint64_t> ids;
  bool all = false;
  std::string request_id;
};

struct DeviceOptions {
  std::string platform, token, app_version, request_id;
  uint64_t id = 0;
};

struct SettingsOptions {
  uint64_t org = 0;
  std::vector<int> hours;
  bool no_reminders = false;
  int study_days = 0;
  std::string quiet, request_id;
};

struct MuteOptions {
  std::vector<std::string> kinds;
  bool none = false;
  std::string request_id;
};

std::string KindText(v1::NotificationKind k) {
  return EnumText(v1::NotificationKind_descriptor(), k);
}

// "HH:MM" -> minutes after midnight; CtlError(kExitUsage) naming the flag otherwise.
int MinuteOfDay(const std::string& flag, const std::string& text) {
  int hh = 0, mm = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d%c", &hh, &mm, &rest) != 2 || hh < 0 || hh > 23 || mm < 0 ||
      mm > 59) {
    throw CtlError(kExitUsage, flag + ": expected HH:MM-HH:MM, got \"" + text + "\"");
  }
  return hh * 60 + mm;
}

std::string MinuteText(int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

void PrintSettings(Session& session, const v1::NotificationSettings& s) {
  if (session.options().json) return PrintJson(ToJson(s));
  std::string hours;
  for (int h : s.meeting_reminder_hours()) hours += (hours.empty() ? "" : ", ") + std::to_string(h);
  PrintFields(std::cout,
              {{"organisation", std::to_string(s.organization_id())},
               {"meeting reminders (hours ahead)", hours.empty() ? "none" : hours},
               {"study reminders (days ahead)", std::to_string(s.study_due_days())},
               {"quiet hours",
                s.quiet_start_minute() == s.quiet_end_minute()
                    ? "none"
                    : MinuteText(s.quiet_start_minute()) + "-" + MinuteText(s.quiet_end_minute())},
               {"set by", s.source_organization_id() ? std::to_string(s.source_organization_id())
                                                     : "defaults"}});
}

void List(Session& session, const ListOptions& o) {
  v1::ListMyNotificationsRequest request;
  request.set_unread_only(o.unread);
  request.set_page_size(o.limit);
  auto stub = v1::NotificationService::NewStub(session.channel());
  auto page = session.Call<v1::ListMyNotificationsResponse>(
      [&](auto* c, auto* r) { return stub->ListMyNotifications(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(page));
  Table table({"ID", "TIME", "KIND", "READ", "TITLE", "BODY"});
  const int32_t offset = session.utc_offset_minutes();
  for (const auto& n : page.notifications()) {
    table.AddRow({std::to_string(n.id()), FormatLocal(n.create_time(), offset), KindText(n.kind()),
                  n.has_read_time() ? "yes" : "no", n.title(), n.body()});
  }
  table.Print(std::cout);
}

void PrintDevices(Session& session, const v1::ListDevicesResponse& devices) {
  if (session.options().json) return PrintJson(ToJson(devices));
  Table table({"ID", "PLATFORM", "TOKEN", "APP", "REGISTERED"});
  for (const auto& d : devices.devices()) {
    table.AddRow({std::to_string(d.id()), EnumText(v1::DevicePlatform_descriptor(), d.platform()),
                  "…" + d.token_suffix(), d.app_version(),
                  FormatLocal(d.register_time(), session.utc_offset_minutes())});
  }
  table.Print(std::cout);
}

}  // namespace

void AddNotificationCommands(CLI::App& app, Session& session) {
  auto* top = app.add_subcommand("notifications", "Your notifications, devices and settings");

  auto l = std::make_shared<ListOptions>();
  auto* list = top->add_subcommand("list", "Your notifications, newest first");
  list->add_flag("--unread", l->unread, "Only those not yet read");
  list->add_option("--limit", l->limit, "At most this many (default 50, at most 1000)");
  list->callback([&session, l] { List(session, *l); });

  auto r = std::make_shared<ReadOptions>();
  auto* read = top->add_subcommand("read", "Mark notifications read");
  read->add_option("ids", r->ids, "Notification ids");
  read->add_flag("--all", r->all, "Every unread notification");
  AddRequestIdOption(read, &r->request_id);
  read->callback([&session, r] {
    if (r->all == !r->ids.empty()) throw CtlError(kExitUsage, "give ids or --all");
    v1::MarkNotificationsReadRequest request;
    request.set_request_id(OrNew(r->request_id));
    request.set_all(r->all);
    for (uint64_t id : r->ids) request.add_ids(id);
    auto stub = v1::NotificationService::NewStub(session.channel());
    auto done = session.Call<v1::MarkNotificationsReadResponse>(
        [&](auto* c, auto* out) { return stub->MarkNotificationsRead(c, request, out); });
    if (session.options().json) return PrintJson(ToJson(done));
    std::cout << "marked " << done.marked() << " read\n";
  });

  auto* devices = top->add_subcommand("devices", "Your push devices");
  devices->require_subcommand(0, 1);
  devices->callback([&session, devices] {
    if (!devices->get_subcommands().empty()) return;
    v1::ListDevicesRequest request;
    request.set_page_size(1000);
    auto stub = v1::NotificationService::NewStub(session.channel());
    PrintDevices(session, session.Call<v1::ListDevicesResponse>([&](auto* c, auto* out) {
      return stub->ListDevices(c, request, out);
    }));
  });
  auto d = std::make_shared<DeviceOptions>();
  auto* add = devices->add_subcommand("register", "Register a device token for push");
  add->add_option("--platform", d->platform,
                  "Channel: " + EnumChoices(v1::DevicePlatform_descriptor()))
      ->required();
  add->add_option("--token", d->token, "The push token")->required();
  add->add_option("--app-version", d->app_version, "App version");
  AddRequestIdOption(add, &d->request_id);
  add->callback([&session, d] {
    v1::RegisterDeviceRequest request;
    request.set_request_id(OrNew(d->request_id));
    request.set_platform(static_cast<v1::DevicePlatform>(
        ParseEnum(v1::DevicePlatform_descriptor(), d->platform, "--platform")));
    request.set_token(d->token);
    request.set_app_version(d->app_version);
    auto stub = v1::NotificationService::NewStub(session.channel());
    v1::ListDevicesResponse one;
    *one.add_devices() = session.Call<v1::Device>(
        [&](auto* c, auto* out) { return stub->RegisterDevice(c, request, out); });
    PrintDevices(session, one);
  });
  auto* remove = devices->add_subcommand("remove", "Remove one of your devices");
  remove->add_option("id", d->id, "Device id")->required();
  AddRequestIdOption(remove, &d->request_id);
  remove->callback([&session, d] {
    v1::RemoveDeviceRequest request;
    request.set_request_id(OrNew(d->request_id));
    request.set_id(d->id);
    auto stub = v1::NotificationService::NewStub(session.channel());
    session.Call<v1::RemoveDeviceResponse>(
        [&](auto* c, auto* out) { return stub->RemoveDevice(c, request, out); });
    if (!session.options().json) std::cout << "removed device " << d->id << "\n";
  });

  auto s = std::make_shared<SettingsOptions>();
  auto* settings = top->add_subcommand(
      "settings",
      "An organisation's reminder settings; with --hours/--quiet/--study-days, set them");
  settings->add_option("--org", s->org, "Organisation (default: your own)");
  settings->add_option("--hours", s->hours, "Meeting reminders this many hours ahead (repeat)");
  settings->add_flag("--no-reminders", s->no_reminders, "No meeting reminders");
  settings->add_option("--quiet", s->quiet, "Quiet hours HH:MM-HH:MM local, or \"none\"");
  settings->add_option("--study-days", s->study_days,
                       "Study reminders this many days before an item's due date (1..30)");
  AddRequestIdOption(settings, &s->request_id);
  settings->callback([&session, s] {
    auto stub = v1::NotificationService::NewStub(session.channel());
    v1::GetNotificationSettingsRequest get;
    get.set_organization_id(OrgOrOwn(session, s->org));
    auto current = session.Call<v1::NotificationSettings>(
        [&](auto* c, auto* out) { return stub->GetNotificationSettings(c, get, out); });
    if (s->hours.empty() && !s->no_reminders && s->quiet.empty() && s->study_days == 0) {
      return PrintSettings(session, current);
    }
    v1::UpdateNotificationSettingsRequest update;
    update.set_request_id(OrNew(s->request_id));
    auto* next = update.mutable_settings();
    *next = current;
    next->set_organization_id(get.organization_id());
    if (s->no_reminders || !s->hours.empty()) next->clear_meeting_reminder_hours();
    for (int h : s->hours) next->add_meeting_reminder_hours(h);
    if (s->study_days != 0) next->set_study_due_days(s->study_days);
    if (s->quiet == "none") {
      next->set_quiet_start_minute(0);
      next->set_quiet_end_minute(0);
    } else if (!s->quiet.empty()) {
      auto dash = s->quiet.find('-');
      if (dash == std::string::npos) {
        throw CtlError(kExitUsage, "--quiet: expected HH:MM-HH:MM, got \"" + s->quiet + "\"");
      }
      next->set_quiet_start_minute(MinuteOfDay("--quiet", s->quiet.substr(0, dash)));
      next->set_quiet_end_minute(MinuteOfDay("--quiet", s->quiet.substr(dash + 1)));
    }
    PrintSettings(session, session.Call<v1::NotificationSettings>([&](auto* c, auto* out) {
      return stub->UpdateNotificationSettings(c, update, out);
    }));
  });

  auto m = std::make_shared<MuteOptions>();
  auto* mute = top->add_subcommand(
      "mute", "Your opt-outs: the kinds you receive nothing of (no kinds: show them)");
  mute->add_option("kinds", m->kinds, "Kinds: " + EnumChoices(v1::NotificationKind_descriptor()));
  mute->add_flag("--none", m->none, "Receive every kind again");
  AddRequestIdOption(mute, &m->request_id);
  mute->callback([&session, m] {
    auto stub = v1::NotificationService::NewStub(session.channel());
    v1::NotificationPreferences prefs;
    if (m->kinds.empty() && !m->none) {
      prefs = session.Call<v1::NotificationPreferences>([&](auto* c, auto* out) {
        return stub->GetMyNotificationPreferences(c, v1::GetMyNotificationPreferencesRequest(),
                                                  out);
      });
    } else {
      v1::UpdateMyNotificationPreferencesRequest request;
      request.set_request_id(OrNew(m->request_id));
      for (const auto& k : m->kinds) {
        request.add_muted_kinds(static_cast<v1::NotificationKind>(
            ParseEnum(v1::NotificationKind_descriptor(), k, "kinds")));
      }
      prefs = session.Call<v1::NotificationPreferences>([&](auto* c, auto* out) {
        return stub->UpdateMyNotificationPreferences(c, request, out);
      });
    }
    if (session.options().json) return PrintJson(ToJson(prefs));
    std::string kinds;
    for (int k : prefs.muted_kinds()) {
      kinds += (kinds.empty() ? "" : ", ") + KindText(static_cast<v1::NotificationKind>(k));
    }
    std::cout << "muted: " << (kinds.empty() ? "nothing" : kinds) << "\n";
  });
}

}  // namespace branchline::ctl
