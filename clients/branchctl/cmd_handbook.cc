// handbook branch | member (HandbookService): the two handbooks of a period as a PDF to print
// and file for inspection, or as CSV or JSON to archive.
#include "branchline/v1/handbook.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/output.h"

namespace branchline::ctl {
namespace {

struct HandbookOptions {
  uint64_t org = 0, person = 0;
  std::string from, to, format = "pdf", out;
};

v1::HandbookFormat Format(const HandbookOptions& o) {
  return static_cast<v1::HandbookFormat>(
      ParseEnum(v1::HandbookFormat_descriptor(), o.format, "--format"));
}

// "handbook-<what>-<from>-<to>.<format>" unless --out names the file.
std::string OutPath(const HandbookOptions& o, const std::string& what) {
  if (!o.out.empty()) return o.out;
  return "handbook-" + what + "-" + o.from + "-" + o.to + "." +
         EnumText(v1::HandbookFormat_descriptor(), Format(o));
}

// The whole stream first, so a refusal leaves no half-written file.
template <typename Chunk>
std::string ReadAll(grpc::ClientReader<Chunk>& reader) {
  std::string file;
  Chunk chunk;
  while (reader.Read(&chunk)) file += chunk.data();
  grpc::Status status = reader.Finish();
  if (!status.ok()) throw RpcError(status);
  return file;
}

void Branch(Session& session, const HandbookOptions& o) {
  v1::ExportBranchHandbookRequest r;
  r.set_organization_id(OrgOrOwn(session, o.org));
  *r.mutable_from_date() = LocalDateArgument("--from", o.from);
  *r.mutable_to_date() = LocalDateArgument("--to", o.to);
  r.set_format(Format(o));
  auto stub = v1::HandbookService::NewStub(session.channel());
  auto context = session.NewContext(session.AccessToken());
  auto reader = stub->ExportBranchHandbook(context.get(), r);
  WriteOutputFile(OutPath(o, "branch-" + std::to_string(r.organization_id())), ReadAll(*reader),
                  "Branch handbook");
}

void Member(Session& session, const HandbookOptions& o) {
  v1::ExportMemberHandbookRequest r;
  r.set_person_id(o.person ? o.person : session.login().person_id);
  *r.mutable_from_date() = LocalDateArgument("--from", o.from);
  *r.mutable_to_date() = LocalDateArgument("--to", o.to);
  r.set_format(Format(o));
  auto stub = v1::HandbookService::NewStub(session.channel());
  auto context = session.NewContext(session.AccessToken());
  auto reader = stub->ExportMemberHandbook(context.get(), r);
  WriteOutputFile(OutPath(o, "member-" + std::to_string(r.person_id())), ReadAll(*reader),
                  "Member handbook");
}

void AddPeriodOptions(CLI::App* command, HandbookOptions& o) {
  command->add_option("--from", o.from, "First day, YYYY-MM-DD")->required();
  command->add_option("--to", o.to, "Last day, YYYY-MM-DD (at most 366 days)")->required();
  command->add_option("--format", o.format, "pdf (default), csv or json");
  command->add_option("--out", o.out,
                      "File (default handbook-<branch|member>-<id>-<from>-<to>.<format>; - : "
                      "stdout)");
}

}  // namespace

void AddHandbookCommands(CLI::App& app, Session& session) {
  auto* handbook =
      app.add_subcommand("handbook", "The two handbooks of a period, for inspection (两本台账)");
  auto b = std::make_shared<HandbookOptions>();
  auto* branch = handbook->add_subcommand(
      "branch",
      "A branch's members, meetings with attendance and minutes, compliance, study, "
      "ledger, mailbox figures and evaluations");
  branch->add_option("--org", b->org, "Organisation (default: your own)");
  AddPeriodOptions(branch, *b);
  branch->callback([&session, b] { Branch(session, *b); });

  auto m = std::make_shared<HandbookOptions>();
  auto* member = handbook->add_subcommand(
      "member", "A member's attendance, study, commitments, ledger entries and evaluations");
  member->add_option("--person", m->person, "Person (default: yourself)");
  AddPeriodOptions(member, *m);
  member->callback([&session, m] { Member(session, *m); });
}

}  // namespace branchline::ctl
