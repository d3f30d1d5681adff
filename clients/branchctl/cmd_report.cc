// report attendance | study: subtree reports as tables, JSON, or CSV files (UTF-8 with BOM).
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/csv.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"
#include "clients/common/percent.h"

namespace branchline::ctl {
namespace {

struct AttendanceOptions {
  uint64_t org = 0;
  std::string from, to, csv;
};

struct StudyOptions {
  uint64_t org = 0;
  int year = 0;
  std::string csv;
};

// Writes CSV bytes to a file, or to stdout for "-".
class CsvSink {
 public:
  explicit CsvSink(const std::string& path) : path_(path) {
    if (path != "-") {
      file_.open(path, std::ios::binary | std::ios::trunc);
      if (!file_) throw CtlError(kExitOther, "cannot write " + path);
    }
  }
  void Write(const std::string& bytes) { (path_ == "-" ? std::cout : file_) << bytes; }
  void Done(const std::string& what) {
    if (path_ == "-") return;
    file_.close();
    if (!file_) throw CtlError(kExitOther, "cannot write " + path_);
    std::cerr << what << " written to " << path_ << "\n";
  }

 private:
  std::string path_;
  std::ofstream file_;
};

void Attendance(Session& session, const AttendanceOptions& o) {
  int32_t offset = session.utc_offset_minutes();
  uint64_t org = OrgOrOwn(session, o.org);
  // Default period: the last 30 local days up to the end of today.
  int64_t today = DaysFromCivil(LocalDate(std::time(nullptr), offset));
  auto from = o.from.empty() ? TimestampOf(LocalToUnix(CivilFromDays(today - 30), 0, 0, offset))
                             : TimeArgument("--from", o.from, offset);
  auto to = o.to.empty() ? TimestampOf(LocalToUnix(CivilFromDays(today + 1), 0, 0, offset))
                         : TimeArgument("--to", o.to, offset);
  auto stub = v1::AttendanceService::NewStub(session.channel());
  if (!o.csv.empty()) {
    v1::ExportAttendanceReportRequest request;
    request.set_organization_id(org);
    *request.mutable_start_time_from() = from;
    *request.mutable_start_time_to() = to;
    auto context = session.NewContext(session.AccessToken());
    auto reader = stub->ExportAttendanceReport(context.get(), request);
    CsvSink sink(o.csv);
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) sink.Write(chunk.data());
    grpc::Status status = reader->Finish();
    if (!status.ok()) throw RpcError(status);
    return sink.Done("Attendance report");
  }
  v1::GetAttendanceReportRequest request;
  request.set_organization_id(org);
  *request.mutable_start_time_from() = from;
  *request.mutable_start_time_to() = to;
  auto report = session.Call<v1::AttendanceReport>(
      [&](auto* c, auto* r) { return stub->GetAttendanceReport(c, request, r); });
  if (session.options().json) return PrintJson(ToJson(report));
  std::cout << "Attendance " << FormatLocal(from, offset) << " to " << FormatLocal(to, offset)
            << ": " << report.meetings() << " meetings held, attendance "
            << clients::PercentText(report.total().attendance_rate()) << ", completion "
            << clients::PercentText(report.total().completion_rate()) << "\n\n";
  // By the organisation that held the meetings, then by the team of the people expected.
  auto print_orgs = [](const char* first_column,
                       const google::protobuf::RepeatedPtrField<v1::OrganizationRates>& rows) {
    Table table({first_column, "NAME", "MEETINGS", "EXPECTED", "ATTENDANCE", "COMPLETION"});
    for (const auto& r : rows) {
      table.AddRow({std::to_string(r.organization_id()), r.name(), std::to_string(r.meetings()),
                    std::to_string(r.rates().counts().expected()),
                    clients::PercentText(r.rates().attendance_rate()),
                    clients::PercentText(r.rates().completion_rate())});
    }
    table.Print(std::cout);
    std::cout << "\n";
  };
  print_orgs("ORGANISATION", report.by_organization());
  print_orgs("TEAM", report.by_team());
  Table by_type({"TYPE", "MEETINGS", "EXPECTED", "ATTENDANCE", "COMPLETION"});
  for (const auto& r : report.by_type()) {
    by_type.AddRow({EnumText(v1::MeetingType_descriptor(), r.type()), std::to_string(r.meetings()),
                    std::to_string(r.rates().counts().expected()),
                    clients::PercentText(r.rates().attendance_rate()),
                    clients::PercentText(r.rates().completion_rate())});
  }
  by_type.Print(std::cout);
}

void Study(Session& session, const StudyOptions& o) {
  v1::GetStudyReportRequest request;
  request.set_organization_id(OrgOrOwn(session, o.org));
  request.set_year(o.year ? o.year : CurrentYear(session));
  auto stub = v1::StudyService::NewStub(session.channel());
  auto report = session.Call<v1::StudyReport>(
      [&](auto* c, auto* r) { return stub->GetStudyReport(c, request, r); });
  const std::vector<std::string> headers = {"organization_id", "name",          "people",
                                            "people_complete", "people_behind", "total_minutes"};
  auto row = [](const v1::SubOrganizationReport& s) {
    return std::vector<std::string>{
        std::to_string(s.organization_id()), s.name(),
        std::to_string(s.people()),          std::to_string(s.people_complete()),
        std::to_string(s.people_behind()),   std::to_string(s.total_minutes())};
  };
  if (!o.csv.empty()) {
    CsvSink sink(o.csv);
    sink.Write(kUtf8Bom + CsvLine(headers));
    for (const auto& s : report.sub_organizations()) sink.Write(CsvLine(row(s)));
    return sink.Done("Study report");
  }
  if (session.options().json) return PrintJson(ToJson(report));
  std::cout << "Study " << report.year() << ": " << report.people() << " people, "
            << report.total_minutes() << " minutes, " << report.people_behind()
            << " behind schedule, notes quota met by " << report.notes_quota_met() << "\n\n";
  Table plans({"PLAN", "TITLE", "PEOPLE", "COMPLETE", "DONE MIN", "REQUIRED MIN"});
  for (const auto& p : report.plans()) {
    plans.AddRow({std::to_string(p.plan_id()), p.title(), std::to_string(p.people()),
                  std::to_string(p.people_complete()), std::to_string(p.done_minutes()),
                  std::to_string(p.required_minutes())});
  }
  plans.Print(std::cout);
  std::cout << "\n";
  Table orgs({"ORGANISATION", "NAME", "PEOPLE", "COMPLETE", "BEHIND", "MINUTES"});
  for (const auto& s : report.sub_organizations()) orgs.AddRow(row(s));
  orgs.Print(std::cout);
}

}  // namespace

void AddReportCommands(CLI::App& app, Session& session) {
  auto* report = app.add_subcommand("report", "Attendance and study reports, with CSV export");

  auto a = std::make_shared<AttendanceOptions>();
  auto* attendance = report->add_subcommand(
      "attendance", "Attendance rates of a subtree by organisation and meeting type");
  attendance->add_option("--org", a->org, "Root of the subtree (default: your organisation)");
  attendance->add_option("--from", a->from, "Period start, local date (default: 30 days ago)");
  attendance->add_option("--to", a->to, "Period end, exclusive (default: tomorrow)");
  attendance->add_option("--csv", a->csv,
                         "Write the server's CSV export to this file (- : stdout)");
  attendance->callback([&session, a] { Attendance(session, *a); });

  auto s = std::make_shared<StudyOptions>();
  auto* study = report->add_subcommand("study", "Study completion of a subtree in a year");
  study->add_option("--org", s->org, "Root of the subtree (default: your organisation)");
  study->add_option("--year", s->year, "Year (default: this year)");
  study->add_option("--csv", s->csv, "Write the per-organisation rows as CSV (- : stdout)");
  study->callback([&session, s] { Study(session, *s); });
}

}  // namespace branchline::ctl
