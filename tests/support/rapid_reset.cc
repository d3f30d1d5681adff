#include "tests/support/rapid_reset.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/raw_http2.h"

namespace branchline::testing {

double RssMib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

std::string RapidResetResult::Summary() const {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << streams_sent << " resets in " << burst_seconds << " s over "
      << connections_used << " connection(s) (" << connections_closed_by_server
      << " closed by the server); RSS " << rss_before_mib << " MiB before, " << rss_peak_mib
      << " MiB at peak, " << rss_after_mib << " MiB after the settle time; slowest health check "
      << worst_call_ms << " ms, " << failed_calls << " failed";
  return out.str();
}

RapidResetResult RunRapidReset(const RapidResetOptions& options) {
  RapidResetResult result;
  result.rss_before_mib = result.rss_peak_mib = RssMib(options.server_pid);
  std::atomic<bool> stop{false};
  std::atomic<double> peak{result.rss_peak_mib};
  // A legitimate caller on its own connection, and the server's memory, every 100 ms.
  std::thread watcher([&] {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(options.port),
                                       grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    while (!stop) {
      peak = std::max(peak.load(), RssMib(options.server_pid));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::Slice empty("");  // HealthCheckRequest{} (service "": the whole server)
      grpc::ByteBuffer request(&empty, 1), reply;
      std::promise<grpc::Status> done;
      const auto start = std::chrono::steady_clock::now();
      stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                     [&](grpc::Status s) { done.set_value(std::move(s)); });
      grpc::Status status = done.get_future().get();
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      result.worst_call_ms = std::max(result.worst_call_ms, ms);
      if (!status.ok()) ++result.failed_calls;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a baseline call or two

  const auto start = std::chrono::steady_clock::now();
  const auto end = start + options.max_time;
  constexpr int kPerWrite = 500;  // pairs per write(): what a flooding client sends at once
  for (int c = 0; c < options.connections && result.streams_sent < options.max_streams &&
                  std::chrono::steady_clock::now() < end;
       ++c) {
    RawHttp2Client client(options.port);
    if (!client.connected()) break;
    ++result.connections_used;
    while (result.streams_sent < options.max_streams && std::chrono::steady_clock::now() < end) {
      const uint64_t n = std::min<uint64_t>(kPerWrite, options.max_streams - result.streams_sent);
      for (uint64_t i = 0; i < n; ++i) client.StartAndReset(options.path);
      if (!client.Flush() || !client.Poll(std::chrono::milliseconds(0))) {
        ++result.connections_closed_by_server;
        break;
      }
      result.streams_sent += n;
      if (client.calls_started() > (1u << 30)) break;  // stream ids run out at 2^31
    }
  }
  result.burst_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto settle_end = std::chrono::steady_clock::now() + options.settle;
  while (std::chrono::steady_clock::now() < settle_end) {
    peak = std::max(peak.load(), RssMib(options.server_pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  result.rss_after_mib = RssMib(options.server_pid);
  stop = true;
  watcher.join();
  result.rss_peak_mib = std::max(peak.load(), result.rss_after_mib);
  return result;
}

}  // namespace branchline::testing
