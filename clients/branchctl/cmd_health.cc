// health: the standard grpc.health.v1 check; needs no sign-in, so it works before login.
#include <iostream>

#include "clients/branchctl/commands.h"
#include "clients/branchctl/output.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace branchline::ctl {

void AddHealthCommand(CLI::App& app, Session& session) {
  auto service = std::make_shared<std::string>();
  auto* health = app.add_subcommand("health", "Ask the server whether it is serving");
  health->add_option("--service", *service, "Service name (default: the whole server)");
  health->callback([&session, service] {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(*service);
    auto stub = grpc::health::v1::Health::NewStub(session.channel());
    auto answer = session.CallAs<grpc::health::v1::HealthCheckResponse>(
        "", [&](auto* c, auto* r) { return stub->Check(c, request, r); });
    const std::string status =
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(answer.status());
    if (session.options().json) {
      PrintJson({{"server", session.server()}, {"status", status}});
    } else {
      std::cout << session.server() << ": " << status << "\n";
    }
    if (answer.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      throw CtlError(kExitUnavailable, "the server is not serving");
    }
  });
}

}  // namespace branchline::ctl
