// branchctl demo: loads a demo fleet branch into a running server through the public API
// only, as the people who would really do each thing: the administrator creates the
// organisation and people, the secretary schedules meetings, marks attendance from the paper
// sign-in sheet and handles letters, drivers record their own study and write letters.
//
// History is created honestly: past meetings are ordinary meetings with an earlier start time
// (the API allows scheduling them), attendance at them is host-marked (CHECK_IN_METHOD_MARKED,
// as a secretary would from a paper sheet), and study records carry the device time of the
// study day, which the server accepts only within its --max-offline-hours (default 7 days).
// Older days are skipped and counted; start the server with --max-offline-hours 744 for a
// full month.
//
// Every call carries a request id derived from stable names and dates, so running the demo
// again (as the same user) changes nothing that exists and only adds what a new day brings.
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <set>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/demo_data.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

using demo::People;

struct DemoOptions {
  uint64_t parent = 0;
  std::string password = demo::kDefaultPassword;
  int days = 30;
};

// One meeting the demo holds.
struct DemoMeeting {
  std::string key;  // stable part of request ids
  v1::MeetingType type;
  std::string title;
  Date date;
  int hour, minute, duration_minutes;
  bool party_members_only = false;
  bool open_all_day = false;  // check-in window covering the whole local day
  uint64_t id = 0;
};

bool IsPartyMember(v1::Role role) {
  return role == v1::ROLE_SECRETARY || role == v1::ROLE_COMMITTEE_MEMBER ||
         role == v1::ROLE_FULL_MEMBER || role == v1::ROLE_PROBATIONARY_MEMBER;
}

class DemoLoader {
 public:
  DemoLoader(Session& session, const DemoOptions& options)
      : session_(session),
        options_(options),
        orgs_(v1::OrganizationService::NewStub(session.channel())),
        people_(v1::PersonService::NewStub(session.channel())),
        auth_(v1::AuthService::NewStub(session.channel())),
        attendance_(v1::AttendanceService::NewStub(session.channel())),
        study_(v1::StudyService::NewStub(session.channel())),
        feedback_(v1::FeedbackService::NewStub(session.channel())),
        run_start_(std::time(nullptr)),
        run_start_micros_(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()) {}

  void Run() {
    LoadOrganisation();
    LoadPeople();
    LoadMeetings();
    MarkHistory();
    LoadStudy();
    LoadLetters();
    Report();
  }

 private:
  // Counts a record as made by this run or found from an earlier one (a retried request id
  // returns the first answer, with its first time). Informational: it assumes the server's
  // clock agrees with this machine's.
  void Count(const std::string& kind, const google::protobuf::Timestamp& created) {
    int64_t micros = created.seconds() * 1'000'000 + created.nanos() / 1000;
    (micros >= run_start_micros_ ? made_ : existing_)[kind]++;
  }

  template <typename Resp, typename Fn>
  Resp AsAdmin(Fn&& fn) {
    return session_.Call<Resp>(fn);
  }
  template <typename Resp, typename Fn>
  Resp As(size_t person, Fn&& fn) {
    return session_.CallAs<Resp>(TokenOf(person), fn);
  }

  // Demo people sign in with their own password, as their phones would.
  const std::string& TokenOf(size_t person) {
    auto it = tokens_.find(person);
    if (it != tokens_.end()) return it->second;
    v1::SignInRequest request;
    request.set_login(People()[person].phone);
    request.set_password(options_.password);
    auto answer = session_.CallAs<v1::SignInResponse>(
        "", [&](auto* c, auto* r) { return auth_->SignIn(c, request, r); });
    return tokens_[person] = answer.access_token();
  }

  void LoadOrganisation() {
    uint64_t parent = OrgOrOwn(session_, options_.parent);
    auto make = [&](uint64_t parent_id, const std::string& name, v1::OrganizationKind kind,
                    const std::string& key) {
      v1::CreateOrganizationRequest request;
      request.set_request_id("demo-org-" + key);
      request.mutable_organization()->set_parent_id(parent_id);
      request.mutable_organization()->set_name(name);
      request.mutable_organization()->set_kind(kind);
      auto org = AsAdmin<v1::Organization>(
          [&](auto* c, auto* r) { return orgs_->CreateOrganization(c, request, r); });
      Count("organisations", org.create_time());
      return org;
    };
    auto branch = make(parent, demo::BranchName(), v1::ORGANIZATION_KIND_BRANCH, "branch");
    branch_id_ = branch.id();
    offset_ = branch.has_utc_offset_minutes() ? branch.utc_offset_minutes() : 480;
    for (size_t t = 0; t < demo::Teams().size(); ++t) {
      team_ids_.push_back(make(branch_id_, demo::Teams()[t], v1::ORGANIZATION_KIND_TEAM,
                               "team-" + std::to_string(t + 1))
                              .id());
    }
  }

  void LoadPeople() {
    for (const auto& p : People()) {
      v1::CreatePersonRequest request;
      request.set_request_id("demo-person-" + p.phone);
      v1::Person* person = request.mutable_person();
      person->set_organization_id(p.team < 0 ? branch_id_ : team_ids_[p.team]);
      person->set_display_name(p.name);
      person->set_phone(p.phone);
      person->set_employee_number(p.employee_number);
      person->set_role(p.role);
      request.set_initial_password(options_.password);
      auto created = AsAdmin<v1::Person>(
          [&](auto* c, auto* r) { return people_->CreatePerson(c, request, r); });
      Count("people", created.create_time());
      person_ids_.push_back(created.id());
    }
  }

  void LoadMeetings() {
    int64_t today = DaysFromCivil(LocalDate(run_start_, offset_));
    int64_t monday = today - Weekday(today);
    // A month of weekly safety meetings before this week's, oldest first.
    for (int64_t day = monday - 7 * (options_.days / 7); day < monday; day += 7) {
      Date date = CivilFromDays(day);
      meetings_.push_back(
          {"safety-" + FormatDate(date), v1::MEETING_TYPE_SAFETY_MEETING,
           "安全例会（" + std::to_string(date.month) + "月" + std::to_string(date.day) + "日）",
           date, 8, 0, 60});
    }
    if (options_.days >= 20) {
      Date date = CivilFromDays(today - 20);
      meetings_.push_back({"theme-day-" + FormatDate(date), v1::MEETING_TYPE_THEME_PARTY_DAY,
                           "主题党日：重温入党誓词", date, 14, 30, 120, true});
    }
    meetings_.push_back({"safety-" + FormatDate(CivilFromDays(monday)),
                         v1::MEETING_TYPE_SAFETY_MEETING, "本周安全例会：冬季防滑防冻驾驶",
                         CivilFromDays(monday), 8, 0, 60});
    this_week_ = meetings_.size() - 1;
    meetings_.push_back({"pre-shift-" + FormatDate(CivilFromDays(today)),
                         v1::MEETING_TYPE_PRE_SHIFT_MEETING, "今日班前会：出车前安全提示",
                         CivilFromDays(today), 12, 0, 30, false, true});
    today_ = meetings_.size() - 1;

    for (auto& m : meetings_) {
      v1::CreateMeetingRequest request;
      request.set_request_id("demo-meeting-" + m.key);
      v1::Meeting* meeting = request.mutable_meeting();
      meeting->set_organization_id(branch_id_);
      meeting->set_type(m.type);
      meeting->set_title(m.title);
      int64_t start = LocalToUnix(m.date, m.hour, m.minute, offset_);
      *meeting->mutable_start_time() = TimestampOf(start);
      *meeting->mutable_end_time() = TimestampOf(start + m.duration_minutes * 60);
      meeting->mutable_audience()->set_organization_id(branch_id_);
      meeting->mutable_audience()->set_members_only(m.party_members_only);
      meeting->set_host_id(person_ids_[0]);
      meeting->set_remote_allowed(true);
      meeting->set_agenda(
          "一、传达上级安全生产通知；二、通报本周违章情况；三、布置下周出车安全重点。");
      if (m.open_all_day) {
        // Open from local midnight to 23:30, so `branchctl meeting code` works all day.
        meeting->mutable_window()->set_opens_minutes_before(m.hour * 60 + m.minute);
        meeting->mutable_window()->set_late_after_minutes(10);
        meeting->mutable_window()->set_closes_minutes_after(690);
      }
      meeting->mutable_place()->set_latitude(30.5728);
      meeting->mutable_place()->set_longitude(104.0668);
      meeting->mutable_place()->set_radius_m(200);
      meeting->mutable_place()->set_name("车队调度室");
      auto created = As<v1::Meeting>(
          0, [&](auto* c, auto* r) { return attendance_->CreateMeeting(c, request, r); });
      Count("meetings", created.create_time());
      m.id = created.id();
    }
  }

  // Past meetings: the secretary enters the paper sign-in sheet (host-marked attendance);
  // some people were absent and a few of them made up afterwards.
  void MarkHistory() {
    for (const auto& m : meetings_) {
      int64_t end = LocalToUnix(m.date, m.hour, m.minute, offset_) + m.duration_minutes * 60;
      if (end > run_start_) continue;
      int64_t day = DaysFromCivil(m.date);
      for (size_t p = 0; p < People().size(); ++p) {
        if (m.party_members_only && !IsPartyMember(People()[p].role)) continue;
        int pattern = static_cast<int>((p * 7 + day * 3) % 10);
        if (pattern == 0) {
          if (p % 2 == 0) MakeUp(m, p);
          continue;
        }
        v1::MarkAttendanceRequest request;
        request.set_request_id("demo-mark-" + m.key + "-" + People()[p].phone);
        request.set_meeting_id(m.id);
        request.set_person_id(person_ids_[p]);
        request.set_status(pattern == 1   ? v1::ATTENDANCE_STATUS_LATE
                           : pattern == 2 ? v1::ATTENDANCE_STATUS_REMOTE
                                          : v1::ATTENDANCE_STATUS_PRESENT);
        request.set_note(pattern == 2 ? "出车在途，电话参会" : "据纸质签到表录入");
        auto record = As<v1::AttendanceRecord>(
            0, [&](auto* c, auto* r) { return attendance_->MarkAttendance(c, request, r); });
        Count("attendance marks", record.server_time());
      }
    }
  }

  void MakeUp(const DemoMeeting& m, size_t person) {
    v1::RecordMakeUpRequest request;
    request.set_request_id("demo-makeup-" + m.key);
    request.set_meeting_id(m.id);
    request.set_minutes(45);
    request.set_note("观看会议录像并学习会议记录");
    auto record = As<v1::AttendanceRecord>(
        person, [&](auto* c, auto* r) { return attendance_->RecordMakeUp(c, request, r); });
    Count("make-ups", record.make_up_time());
  }

  void LoadStudy() {
    std::vector<uint64_t> material_ids;
    for (const auto& d : demo::Materials()) {
      v1::CreateMaterialRequest request;
      request.set_request_id("demo-material-" + d.key);
      v1::Material* material = request.mutable_material();
      material->set_organization_id(branch_id_);
      material->set_kind(d.kind);
      material->set_title(d.title);
      material->set_body(d.body);
      material->set_link(d.link);
      material->set_estimated_minutes(d.estimated_minutes);
      auto created = As<v1::Material>(
          0, [&](auto* c, auto* r) { return study_->CreateMaterial(c, request, r); });
      Count("materials", created.create_time());
      material_ids.push_back(created.id());
    }
    int year = LocalDate(run_start_, offset_).year;
    v1::CreateStudyPlanRequest request;
    request.set_request_id("demo-plan-" + std::to_string(year));
    v1::StudyPlan* plan = request.mutable_plan();
    plan->set_organization_id(branch_id_);
    plan->set_year(year);
    plan->set_title("第三车队党支部" + std::to_string(year) + "年度学习计划");
    const char* due[] = {"-03-31", "-06-30", "-09-30", "-12-31"};
    const int minutes[] = {120, 60, 90, 120};
    for (size_t i = 0; i < material_ids.size() && i < 4; ++i) {
      auto* item = plan->add_items();
      item->set_material_id(material_ids[i]);
      item->set_required_minutes(minutes[i]);
      item->set_due_date(std::to_string(year) + due[i]);
    }
    auto topic = plan->add_items();
    topic->set_topic("学习贯彻“安全生产月”活动精神");
    topic->set_required_minutes(60);
    topic->set_due_date(std::to_string(year) + "-12-31");
    auto created = As<v1::StudyPlan>(
        0, [&](auto* c, auto* r) { return study_->CreateStudyPlan(c, request, r); });
    Count("study plans", created.create_time());
    plan_id_ = created.id();

    // Study records, newest day first, so the server's offline limit is found at once.
    const auto& notes = demo::StudyNotes();
    for (int d = 1; d <= options_.days && !study_limit_days_; ++d) {
      int64_t day = DaysFromCivil(LocalDate(run_start_, offset_)) - d;
      Date date = CivilFromDays(day);
      for (size_t p = 0; p < People().size(); ++p) {
        if ((p + d) % 3 == 0) continue;  // nobody studies every day
        size_t item = (d / 7 + p) % created.items_size();
        v1::RecordStudyRequest record;
        record.set_request_id("demo-study-" + FormatDate(date));
        if (date.year == year) {
          record.set_plan_id(plan_id_);
          record.set_plan_item_id(created.items(item).id());
        } else {
          record.set_material_id(material_ids[item % material_ids.size()]);
        }
        if (record.plan_item_id() == 0 && record.material_id() == 0)
          record.set_material_id(material_ids[0]);
        record.set_minutes(20 + static_cast<int>((p * 13 + d * 7) % 5) * 10);
        record.set_notes(notes[(p + d) % notes.size()]);
        *record.mutable_device_time() = TimestampOf(LocalToUnix(date, 20, 30, offset_));
        try {
          auto stored = As<v1::StudyRecord>(
              p, [&](auto* c, auto* r) { return study_->RecordStudy(c, record, r); });
          Count("study records", stored.server_time());
        } catch (const RpcError& e) {
          auto fields = FieldViolations(e.status());
          bool too_old = e.status().error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
                         !fields.empty() && fields[0].first == "device_time";
          if (!too_old) throw;
          study_limit_days_ = d;
          study_limit_reason_ = fields[0].second;
          break;
        }
      }
    }
  }

  void LoadLetters() {
    // Anonymous letters carry only the day of submission, so "already there" is decided by
    // the inbox as it was before this run, not by a time.
    std::set<uint64_t> before;
    v1::ListInboxRequest inbox;
    inbox.set_organization_id(branch_id_);
    inbox.set_page_size(1000);
    do {
      auto page = As<v1::ListLettersResponse>(
          0, [&](auto* c, auto* r) { return feedback_->ListInbox(c, inbox, r); });
      for (const auto& letter : page.letters()) before.insert(letter.id());
      inbox.set_page_token(page.next_page_token());
    } while (!inbox.page_token().empty());
    for (const auto& l : demo::Letters()) {
      v1::SubmitLetterRequest request;
      // Anonymous submissions need a long request id; a retry returns the same receipt.
      request.set_request_id("demo-letter-" + l.key + (l.anonymous ? "-anonymous" : ""));
      request.set_organization_id(branch_id_);
      request.set_category(l.category);
      request.set_subject(l.subject);
      request.set_body(l.body);
      request.set_anonymous(l.anonymous);
      auto answer = As<v1::SubmitLetterResponse>(
          l.author, [&](auto* c, auto* r) { return feedback_->SubmitLetter(c, request, r); });
      (before.count(answer.letter().id()) ? existing_ : made_)["letters"]++;
      if (l.anonymous) receipt_code_ = answer.receipt_code();
      for (v1::LetterState state : l.handled_to) {
        v1::TransitionLetterRequest move;
        move.set_request_id("demo-letter-" + l.key + "-" +
                            EnumText(v1::LetterState_descriptor(), state));
        move.set_id(answer.letter().id());
        move.set_state(state);
        As<v1::Letter>(0,
                       [&](auto* c, auto* r) { return feedback_->TransitionLetter(c, move, r); });
      }
      if (!l.reply.empty()) {
        v1::ReplyToLetterRequest reply;
        reply.set_request_id("demo-letter-" + l.key + "-reply");
        reply.set_id(answer.letter().id());
        reply.set_text(l.reply);
        As<v1::LetterEvent>(
            0, [&](auto* c, auto* r) { return feedback_->ReplyToLetter(c, reply, r); });
      }
    }
  }

  void Report() {
    const std::vector<std::string> kinds = {"organisations",    "people",        "meetings",
                                            "attendance marks", "make-ups",      "materials",
                                            "study plans",      "study records", "letters"};
    if (session_.options().json) {
      nlohmann::json counts, people = nlohmann::json::array();
      for (const auto& k : kinds) counts[k] = {{"made", made_[k]}, {"existing", existing_[k]}};
      for (size_t p = 0; p < People().size(); ++p) {
        people.push_back({{"name", People()[p].name},
                          {"login", People()[p].phone},
                          {"person_id", std::to_string(person_ids_[p])},
                          {"role", EnumText(v1::Role_descriptor(), People()[p].role)}});
      }
      nlohmann::json meetings = nlohmann::json::array();
      for (const auto& m : meetings_)
        meetings.push_back({{"id", std::to_string(m.id)}, {"title", m.title}});
      PrintJson({{"branch_id", std::to_string(branch_id_)},
                 {"plan_id", std::to_string(plan_id_)},
                 {"password", options_.password},
                 {"people", people},
                 {"meetings", meetings},
                 {"this_week_meeting_id", std::to_string(meetings_[this_week_].id)},
                 {"today_meeting_id", std::to_string(meetings_[today_].id)},
                 {"anonymous_receipt_code", receipt_code_},
                 {"study_days_refused_from", study_limit_days_},
                 {"counts", counts}});
      return;
    }
    std::cout << "Demo organisation " << demo::BranchName() << " (id " << branch_id_
              << ") is loaded.\n\n";
    Table counts({"WHAT", "MADE NOW", "ALREADY THERE"});
    for (const auto& k : kinds)
      counts.AddRow({k, std::to_string(made_[k]), std::to_string(existing_[k])});
    counts.Print(std::cout);
    if (study_limit_days_) {
      std::cout << "\nStudy history stops " << study_limit_days_
                << " days back: the server refused older device times (" << study_limit_reason_
                << ").\nFor a full month, restart the server with --max-offline-hours 744 and "
                   "run `branchctl demo` again.\n";
    }
    std::cout << "\nSign in as any of these people (password: " << options_.password << "):\n";
    Table people({"NAME", "LOGIN", "ROLE", "WHERE"});
    for (size_t p = 0; p < People().size(); ++p) {
      const auto& d = People()[p];
      people.AddRow({d.name, d.phone, EnumText(v1::Role_descriptor(), d.role),
                     d.team < 0 ? demo::BranchName() : demo::Teams()[d.team]});
    }
    people.Print(std::cout);
    std::cout << "\nThe anonymous letter's receipt code (its author's only key): " << receipt_code_
              << "\n\nTry:\n"
              << "  branchctl org list --tree --parent " << branch_id_ << "\n"
              << "  branchctl meeting list --org " << branch_id_ << "\n"
              << "  branchctl meeting roster " << meetings_[this_week_].id << "\n"
              << "  branchctl meeting code " << meetings_[today_].id << "\n"
              << "  branchctl study plans --org " << branch_id_ << "\n"
              << "  branchctl inbox list --org " << branch_id_ << "\n"
              << "  branchctl report attendance --org " << branch_id_ << "\n"
              << "  branchctl report study --org " << branch_id_ << "\n"
              << "  branchctl login --user " << People()[0].phone << "   # the branch secretary\n";
  }

  Session& session_;
  const DemoOptions& options_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<v1::PersonService::Stub> people_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::AttendanceService::Stub> attendance_;
  std::unique_ptr<v1::StudyService::Stub> study_;
  std::unique_ptr<v1::FeedbackService::Stub> feedback_;
  int64_t run_start_;
  int64_t run_start_micros_;
  int32_t offset_ = 480;
  uint64_t branch_id_ = 0, plan_id_ = 0;
  std::vector<uint64_t> team_ids_, person_ids_;
  std::vector<DemoMeeting> meetings_;
  size_t this_week_ = 0, today_ = 0;
  std::map<size_t, std::string> tokens_;
  std::map<std::string, int> made_, existing_;
  int study_limit_days_ = 0;
  std::string study_limit_reason_;
  std::string receipt_code_;
};

}  // namespace

void AddDemoCommand(CLI::App& app, Session& session) {
  auto o = std::make_shared<DemoOptions>();
  auto* demo = app.add_subcommand(
      "demo",
      "Load a demo fleet branch (people, meetings, a study plan, letters and a month of "
      "history) into the server; running it again duplicates nothing. Needs a login that "
      "manages the parent organisation, e.g. admin");
  demo->add_option("--parent", o->parent,
                   "Organisation to create the branch under (default: your own)");
  demo->add_option("--password", o->password, "Password of every demo person")
      ->capture_default_str();
  demo->add_option("--days", o->days, "Days of history")
      ->capture_default_str()
      ->check(CLI::Range(7, 60));
  demo->callback([&session, o] { DemoLoader(session, *o).Run(); });
}

}  // namespace branchline::ctl
