// backup create | list | verify: online backups through AdminService (system administrators).
#include <iostream>

#include "branchline/v1/admin.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

std::vector<std::string> Row(const v1::Backup& b, int32_t offset) {
  return {std::to_string(b.id()), FormatLocal(b.create_time(), offset),
          std::to_string(b.file_count()), std::to_string(b.size_bytes())};
}

const std::vector<std::string> kHeaders = {"ID", "CREATED", "FILES", "BYTES"};

}  // namespace

void AddBackupCommands(CLI::App& app, Session& session) {
  auto* backup = app.add_subcommand(
      "backup", "Online backups into the server's --backup-dir (system administrators)");

  auto request_id = std::make_shared<std::string>();
  auto* create = backup->add_subcommand("create", "Back up the database while it serves");
  AddRequestIdOption(create, request_id.get());
  create->callback([&session, request_id] {
    v1::CreateBackupRequest request;
    request.set_request_id(OrNew(*request_id));
    auto admin = v1::AdminService::NewStub(session.channel());
    auto b = session.Call<v1::Backup>(
        [&](auto* c, auto* r) { return admin->CreateBackup(c, request, r); });
    if (session.options().json) return PrintJson(ToJson(b));
    Table table(kHeaders);
    table.AddRow(Row(b, session.utc_offset_minutes()));
    table.Print(std::cout);
  });

  backup->add_subcommand("list", "List the backups, oldest first")->callback([&session] {
    auto admin = v1::AdminService::NewStub(session.channel());
    auto list = session.Call<v1::ListBackupsResponse>(
        [&](auto* c, auto* r) { return admin->ListBackups(c, v1::ListBackupsRequest(), r); });
    if (session.options().json) return PrintJson(ToJson(list));
    Table table(kHeaders);
    for (const auto& b : list.backups()) table.AddRow(Row(b, session.utc_offset_minutes()));
    table.Print(std::cout);
  });

  auto id = std::make_shared<uint32_t>(0);
  auto* verify = backup->add_subcommand(
      "verify", "Check every file of a backup against its size and checksum");
  verify->add_option("id", *id, "Backup id")->required();
  verify->callback([&session, id] {
    v1::VerifyBackupRequest request;
    request.set_id(*id);
    auto admin = v1::AdminService::NewStub(session.channel());
    auto answer = session.Call<v1::VerifyBackupResponse>(
        [&](auto* c, auto* r) { return admin->VerifyBackup(c, request, r); });
    if (session.options().json) return PrintJson(ToJson(answer));
    std::cout << "Backup " << answer.backup().id() << " verified: " << answer.backup().file_count()
              << " files, " << answer.backup().size_bytes() << " bytes intact.\n";
  });
}

}  // namespace branchline::ctl
