// The echo baseline: a bare gRPC server answering AttendanceService.CheckIn at once, with
// the same server settings as branchline-server (synchronous handlers, the same thread
// quota and transport arguments) and no storage, authentication or logging. The load
// generator sends it exactly the check-in requests it sends the real server, so the ratio
// of the two is what Branchline's own work costs.
#include <signal.h>

#include <cstdio>

#include "CLI/CLI.hpp"
#include "branchline/v1/attendance.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/server_settings.h"

namespace {

class EchoCheckIn final : public branchline::v1::AttendanceService::Service {
  grpc::Status CheckIn(grpc::ServerContext*, const branchline::v1::CheckInRequest* request,
                       branchline::v1::CheckInResponse* response) override {
    response->mutable_record()->set_meeting_id(request->meeting_id());
    *response->mutable_record()->mutable_device_time() = request->device_time();
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  CLI::App app{"Bare gRPC echo server (benchmark baseline)"};
  app.add_option("--listen", listen)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  EchoCheckIn service;
  grpc::ServerBuilder builder;
  grpc::ResourceQuota quota("echo");
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  branchline::ApplyServerSettings(builder, quota);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "cannot listen on %s\n", listen.c_str());
    return 1;
  }
  // Same line shape as branchline-server, so scripts find the port the same way.
  std::printf("echo server listening on %s (port %d)\n", listen.c_str(), port);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  server->Shutdown();
  return 0;
}
