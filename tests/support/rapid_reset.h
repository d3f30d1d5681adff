#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace branchline::testing {

// A bounded HTTP/2 rapid-reset burst (CVE-2023-44487) against a server on this host, with the
// server's memory and a legitimate caller's latency measured around it. Loopback only (the
// connections are made by RawHttp2Client, which connects to 127.0.0.1 and nowhere else), and
// bounded in streams and in time.
struct RapidResetOptions {
  int port = 0;
  pid_t server_pid = 0;                      // whose RSS to read (/proc/<pid>/status)
  uint64_t max_streams = 150'000;            // HEADERS + RST_STREAM pairs, over all connections
  std::chrono::milliseconds max_time{4000};  // the burst stops at whichever comes first
  int connections = 1;                       // opened one after the other as the server closes them
  std::chrono::milliseconds settle{15000};   // how long to watch after the burst
  // A synchronous method answered without a token (UNAUTHENTICATED) or a request.
  std::string path = "/branchline.v1.OrganizationService/GetOrganization";
};

struct RapidResetResult {
  uint64_t streams_sent = 0;
  int connections_used = 0;
  int connections_closed_by_server = 0;
  double burst_seconds = 0;
  double rss_before_mib = 0;
  double rss_peak_mib = 0;   // during the burst and the settle time
  double rss_after_mib = 0;  // at the end of the settle time
  double worst_call_ms = 0;  // the slowest health check, one every 100 ms from start to end
  int failed_calls = 0;      // health checks that did not answer SERVING within 10 s

  std::string Summary() const;
};

RapidResetResult RunRapidReset(const RapidResetOptions& options);

// VmRSS of `pid` in MiB (0 when unreadable).
double RssMib(pid_t pid);

}  // namespace branchline::testing
