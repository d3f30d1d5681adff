// rapid_reset_burst: a bounded HTTP/2 rapid-reset burst against a Branchline server on this
// host, printing its RSS before, at peak and after, and a legitimate caller's worst latency
// (tests/support/rapid_reset.h). Loopback only.
//   rapid_reset_burst PORT SERVER_PID [STREAMS (<= 1,000,000)] [SECONDS (<= 10)]
//                     [CONNECTIONS (<= 1,000)] [SETTLE_SECONDS (<= 60)]
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/support/rapid_reset.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s PORT SERVER_PID [STREAMS] [SECONDS] [CONNECTIONS] [SETTLE_SECONDS]\n",
                 argv[0]);
    return 2;
  }
  branchline::testing::RapidResetOptions options;
  options.port = std::atoi(argv[1]);
  options.server_pid = static_cast<pid_t>(std::atoi(argv[2]));
  if (argc > 3) options.max_streams = std::min(std::strtoull(argv[3], nullptr, 10), 1'000'000ULL);
  if (argc > 4) options.max_time = std::chrono::seconds(std::clamp(std::atoi(argv[4]), 1, 10));
  if (argc > 5) options.connections = std::clamp(std::atoi(argv[5]), 1, 1000);
  if (argc > 6) options.settle = std::chrono::seconds(std::clamp(std::atoi(argv[6]), 0, 60));
  auto result = branchline::testing::RunRapidReset(options);
  std::printf("%s\n", result.Summary().c_str());
  return 0;
}
