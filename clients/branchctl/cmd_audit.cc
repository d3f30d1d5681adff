// audit list | export (AuditService): who wrote what, when and from which client, for the
// administrators of an organisation or above.
#include <iostream>

#include "branchline/v1/audit.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

struct AuditOptions {
  uint64_t org = 0, person = 0;
  std::string object, from, to, out;
  int limit = 200;
};

// The filters of both commands, as a ListAuditRecordsRequest.
v1::ListAuditRecordsRequest Filters(Session& session, const AuditOptions& o) {
  v1::ListAuditRecordsRequest r;
  r.set_organization_id(OrgOrOwn(session, o.org));
  r.set_person_id(o.person);
  r.set_object(o.object);
  const int32_t offset = session.utc_offset_minutes();
  if (!o.from.empty()) *r.mutable_from_time() = TimeArgument("--from", o.from, offset);
  if (!o.to.empty()) *r.mutable_to_time() = TimeArgument("--to", o.to, offset);
  return r;
}

void List(Session& session, const AuditOptions& o) {
  v1::ListAuditRecordsRequest r = Filters(session, o);
  r.set_page_size(std::min(o.limit, 500));
  auto stub = v1::AuditService::NewStub(session.channel());
  std::vector<v1::AuditRecord> records;
  do {
    auto page = session.Call<v1::ListAuditRecordsResponse>(
        [&](auto* c, auto* out) { return stub->ListAuditRecords(c, r, out); });
    records.insert(records.end(), page.records().begin(), page.records().end());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty() && static_cast<int>(records.size()) < o.limit);
  if (static_cast<int>(records.size()) > o.limit) records.resize(o.limit);
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& record : records) list.push_back(ToJson(record));
    return PrintJson({{"records", list}});
  }
  Table table({"TIME", "PERSON", "NAME", "ORG", "METHOD", "OBJECT", "CLIENT"});
  Names names(session);
  for (const auto& a : records) {
    table.AddRow({FormatLocal(a.time(), session.utc_offset_minutes()),
                  std::to_string(a.person_id()) + (a.service_account() ? " (service)" : ""),
                  a.person_name(), names.Org(a.organization_id()), a.method(), a.object(),
                  a.client()});
  }
  table.Print(std::cout);
}

void Export(Session& session, const AuditOptions& o) {
  const v1::ListAuditRecordsRequest filters = Filters(session, o);
  v1::ExportAuditRecordsRequest r;
  r.set_organization_id(filters.organization_id());
  r.set_person_id(filters.person_id());
  r.set_object(filters.object());
  if (filters.has_from_time()) *r.mutable_from_time() = filters.from_time();
  if (filters.has_to_time()) *r.mutable_to_time() = filters.to_time();
  auto stub = v1::AuditService::NewStub(session.channel());
  auto context = session.NewContext(session.AccessToken());
  auto reader = stub->ExportAuditRecords(context.get(), r);
  std::string file;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) file += chunk.data();
  grpc::Status status = reader->Finish();
  if (!status.ok()) throw RpcError(status);
  WriteOutputFile(o.out, file, "Audit records");
}

void AddFilterOptions(CLI::App* command, AuditOptions& o) {
  command->add_option("--org", o.org, "Organisation whose subtree (default: your own)");
  command->add_option("--person", o.person, "Only this person's writes");
  command->add_option("--object", o.object, "Only writes on this object, e.g. meeting_id=42");
  command->add_option("--from", o.from, "From this local time, YYYY-MM-DD[ HH:MM]");
  command->add_option("--to", o.to, "Before this local time, YYYY-MM-DD[ HH:MM]");
}

}  // namespace

void AddAuditCommands(CLI::App& app, Session& session) {
  auto* audit = app.add_subcommand("audit", "The audit trail: who wrote what, when, from where");
  auto l = std::make_shared<AuditOptions>();
  auto* list = audit->add_subcommand("list", "Audit records of a subtree, newest first");
  AddFilterOptions(list, *l);
  list->add_option("--limit", l->limit, "At most this many records (default 200)");
  list->callback([&session, l] { List(session, *l); });

  auto e = std::make_shared<AuditOptions>();
  auto* export_command = audit->add_subcommand("export", "Audit records as CSV (UTF-8 with BOM)");
  AddFilterOptions(export_command, *e);
  export_command->add_option("--out", e->out, "File (default audit.csv; - : stdout)");
  e->out = "audit.csv";
  export_command->callback([&session, e] { Export(session, *e); });
}

}  // namespace branchline::ctl
