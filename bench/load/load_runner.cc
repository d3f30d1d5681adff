#include "bench/load/load_runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/status/status.h"

namespace branchline::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Everything one slot records; only that slot's call chain touches it (calls of one slot
// never overlap), so no locks are needed while the load runs.
struct Slot {
  std::vector<uint32_t> latencies_us;
  uint64_t codes[kWrongAnswer + 1] = {};
  uint64_t next_call = 0;
};

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i] / 1000.0;
}

}  // namespace

std::string StatusName(int code) {
  if (code == kWrongAnswer) return "WRONG_ANSWER";
  // gRPC's codes are absl's codes, number for number.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "?" : name;
}

double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // state(3) ... utime is field 14, stime 15 (1-based over the whole line).
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

double ProcessRssMib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

LoadResult RunLoad(Workload& workload, const LoadOptions& options) {
  const int n = options.concurrency;
  std::vector<Slot> slots(n);
  for (auto& s : slots) s.latencies_us.reserve(1 << 14);
  auto begin = SteadyClock::now();
  auto measure_from = begin + std::chrono::duration_cast<SteadyClock::duration>(
                                  std::chrono::duration<double>(options.warmup_seconds));
  auto measure_to = measure_from + std::chrono::duration_cast<SteadyClock::duration>(
                                       std::chrono::duration<double>(options.duration_seconds));
  std::mutex mu;
  std::condition_variable all_done;
  int running = n;

  // Each slot is a chain: a finished call records itself and starts the next, until the
  // measured window is over. A call that completes inside Start (no RPC was sent) is
  // continued by the loop rather than by recursion, so the stack cannot grow.
  std::vector<std::atomic<int>> phase(n);  // 0 idle, 1 inside Start, 2 completed inside Start
  std::function<void(int)> start_next = [&](int slot) {
    for (;;) {
      auto started = SteadyClock::now();
      if (started >= measure_to) {
        std::lock_guard lock(mu);
        if (--running == 0) all_done.notify_all();
        return;
      }
      uint64_t call = slots[slot].next_call++;
      phase[slot] = 1;
      workload.Start(slot, call, [&, slot, started](int code) {
        auto finished = SteadyClock::now();
        Slot& s = slots[slot];
        if (started >= measure_from && finished <= measure_to) {
          s.latencies_us.push_back(static_cast<uint32_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(finished - started).count()));
          s.codes[std::clamp(code, 0, kWrongAnswer)]++;
        }
        int inside = 1;
        if (phase[slot].compare_exchange_strong(inside, 2)) return;  // Start's loop goes on
        start_next(slot);
      });
      int inside = 1;
      if (phase[slot].compare_exchange_strong(inside, 0)) return;  // the callback goes on
      phase[slot] = 0;
    }
  };

  double cpu_before = 0;
  std::thread sampler([&] {
    std::this_thread::sleep_until(measure_from);
    for (int pid : options.server_pids) cpu_before += ProcessCpuSeconds(pid);
  });
  for (int i = 0; i < n; ++i) start_next(i);
  sampler.join();
  std::this_thread::sleep_until(measure_to);
  double cpu_after = 0, rss = 0;
  for (int pid : options.server_pids) {
    cpu_after += ProcessCpuSeconds(pid);
    rss += ProcessRssMib(pid);
  }
  {
    std::unique_lock lock(mu);
    all_done.wait(lock, [&] { return running == 0; });
  }

  LoadResult r;
  r.name = options.name;
  r.concurrency = n;
  r.seconds = options.duration_seconds;
  std::vector<uint32_t> all;
  uint64_t codes[kWrongAnswer + 1] = {};
  for (auto& s : slots) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    for (int c = 0; c <= kWrongAnswer; ++c) codes[c] += s.codes[c];
  }
  std::sort(all.begin(), all.end());
  r.calls = all.size();
  r.ok = codes[0];
  r.calls_per_second = r.ok / r.seconds;
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  r.p999_ms = Percentile(all, 0.999);
  r.max_ms = all.empty() ? 0 : all.back() / 1000.0;
  for (int c = 1; c <= kWrongAnswer; ++c) {
    if (codes[c]) r.errors.emplace_back(StatusName(c), codes[c]);
  }
  if (!options.server_pids.empty()) {
    double cpu = cpu_after - cpu_before;
    r.server_cpu_cores = cpu / r.seconds;
    r.server_cpu_us_per_call = r.calls ? cpu * 1e6 / r.calls : -1;
    r.server_rss_mib = rss;
  }
  return r;
}

nlohmann::json LoadResult::ToJson() const {
  nlohmann::json errors_json = nlohmann::json::object();
  for (const auto& [name, count] : errors) errors_json[name] = count;
  return {{"workload", name},
          {"concurrency", concurrency},
          {"seconds", seconds},
          {"calls", calls},
          {"ok", ok},
          {"calls_per_second", calls_per_second},
          {"p50_ms", p50_ms},
          {"p99_ms", p99_ms},
          {"p999_ms", p999_ms},
          {"max_ms", max_ms},
          {"errors", errors_json},
          {"server_cpu_cores", server_cpu_cores},
          {"server_cpu_us_per_call", server_cpu_us_per_call},
          {"server_rss_mib", server_rss_mib}};
}

std::string LoadResult::Header() {
  return "| workload | C | calls/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU cores | "
         "server CPU µs/call | server RSS MiB |\n"
         "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|";
}

std::string LoadResult::Row() const {
  std::string errs;
  for (const auto& [name, count] : errors) {
    errs += (errs.empty() ? "" : ", ") + name + " " + std::to_string(count);
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "| %s | %d | %.0f | %.2f | %.2f | %.2f | %s | %.2f | %.0f | %.0f |", name.c_str(),
                concurrency, calls_per_second, p50_ms, p99_ms, p999_ms,
                errs.empty() ? "none" : errs.c_str(), server_cpu_cores, server_cpu_us_per_call,
                server_rss_mib);
  return buf;
}

}  // namespace branchline::bench
