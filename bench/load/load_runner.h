#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"

namespace branchline::bench {

// What a finished call reports: a gRPC status code (0..16), or kWrongAnswer when the server
// said OK but the answer was not what the workload expects (e.g. a check-in that was not new).
inline constexpr int kWrongAnswer = 17;
using Done = std::function<void(int code)>;

// One kind of call. Start() begins call number `n` of `slot` (slots never overlap: a slot
// starts its next call only after `done` of the previous one) and must call `done` exactly
// once, from any thread.
class Workload {
 public:
  virtual ~Workload() = default;
  virtual void Start(int slot, uint64_t n, Done done) = 0;
};

struct LoadOptions {
  std::string name;
  int concurrency = 64;  // calls kept outstanding
  double warmup_seconds = 2;
  double duration_seconds = 10;
  std::vector<int> server_pids;  // for CPU and RSS from /proc, summed (none: not measured)
};

struct LoadResult {
  std::string name;
  int concurrency = 0;
  double seconds = 0;
  uint64_t calls = 0;  // completed in the measured window, any status
  uint64_t ok = 0;
  double calls_per_second = 0;  // OK calls per second
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  std::vector<std::pair<std::string, uint64_t>> errors;  // status name -> count
  double server_cpu_cores = -1;                          // average cores busy
  double server_cpu_us_per_call = -1;
  double server_rss_mib = -1;

  nlohmann::json ToJson() const;
  // One row of the table printed by PrintTable.
  std::string Row() const;
  static std::string Header();
};

// Keeps `concurrency` calls of `workload` outstanding: a warm-up, then a measured window;
// latency is from Start to done of calls begun inside the window.
LoadResult RunLoad(Workload& workload, const LoadOptions& options);

// Server figures from /proc/<pid>: CPU seconds used so far and resident memory.
double ProcessCpuSeconds(int pid);
double ProcessRssMib(int pid);

std::string StatusName(int code);

}  // namespace branchline::bench
