// branchline-bench: prepares a fleet of people through the API, then keeps C calls of a
// workload outstanding against a server and prints calls/s, latency percentiles, errors by
// status code and the server's CPU and RSS, as a Markdown table row and as JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "bench/load/fleet.h"
#include "bench/load/load_runner.h"
#include "bench/load/workloads.h"

namespace {

// The comma-separated parts of `list`.
std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    parts.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// Separate connections: a distinct channel argument keeps gRPC from sharing one subchannel.
// `targets` is one host:port or several separated by commas (servers on one cluster): channel
// i goes to the (i mod n)-th, and the workloads spread calls over channels by slot.
std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& targets, int count) {
  const std::vector<std::string> each = Split(targets);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("branchline.bench.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    channels.push_back(
        grpc::CreateCustomChannel(each[i % each.size()], grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace branchline::bench;
  CLI::App app{"Branchline load generator"};
  app.require_subcommand(1);
  std::string target, fleet_path;

  branchline::bench::FleetShape shape;
  auto* prepare = app.add_subcommand("prepare", "Create people, meetings and a material");
  prepare->add_option("--target", target, "host:port of the server")->required();
  prepare->add_option("--fleet", fleet_path, "Where to write the fleet (JSON)")->required();
  prepare->add_option("--admin-password", shape.admin_password)->required();
  prepare->add_option("--people", shape.people)
      ->capture_default_str()
      ->check(CLI::Range(64, 1'000'000));
  prepare->add_option("--groups", shape.groups)->capture_default_str()->check(CLI::Range(1, 1000));
  prepare->add_option("--meetings", shape.meetings)
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));

  LoadOptions load;
  std::string workloads = "all", json_path;
  int channel_count = 4;
  auto* run = app.add_subcommand("run", "Run workloads and print their figures");
  run->add_option("--target", target,
                  "host:port of the server, or of several servers separated by commas")
      ->required();
  run->add_option("--fleet", fleet_path, "The fleet written by prepare")->required();
  run->add_option("--workloads", workloads, "Comma-separated names, or all")->capture_default_str();
  run->add_option("--concurrency", load.concurrency)
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  run->add_option("--channels", channel_count)->capture_default_str()->check(CLI::Range(1, 256));
  run->add_option("--warmup", load.warmup_seconds, "Seconds")->capture_default_str();
  run->add_option("--duration", load.duration_seconds, "Seconds measured")->capture_default_str();
  run->add_option("--server-pid", load.server_pids,
                  "Read CPU and RSS of this process (repeat for several servers: summed)");
  run->add_option("--label", load.name, "Name in the table (default: the workload)");
  run->add_option("--json", json_path, "Append one JSON object per workload to this file");
  CLI11_PARSE(app, argc, argv);

  if (*prepare) {
    auto fleet = PrepareFleet(Channels(target, 1)[0], shape);
    if (!fleet.ok()) {
      std::fprintf(stderr, "prepare failed: %s\n", std::string(fleet.status().message()).c_str());
      return 1;
    }
    auto saved = fleet->Save(fleet_path);
    if (!saved.ok()) return std::fprintf(stderr, "%s\n", saved.ToString().c_str()), 1;
    std::printf("prepared %zu people, %zu meetings\n", fleet->person_ids.size(),
                fleet->meeting_ids.size());
    return 0;
  }

  // A pid that is gone would read as 0 CPU: a figure that looks like a target met.
  for (int pid : load.server_pids) {
    if (!std::filesystem::exists("/proc/" + std::to_string(pid))) {
      return std::fprintf(stderr, "--server-pid %d: no such process\n", pid), 2;
    }
  }
  auto loaded = Fleet::Load(fleet_path);
  if (!loaded.ok()) return std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str()), 1;
  auto fleet = std::make_shared<Fleet>(std::move(*loaded));
  if (fleet->person_ids.size() < static_cast<size_t>(load.concurrency)) {
    std::fprintf(stderr, "the fleet has fewer people than --concurrency\n");
    return 1;
  }
  const std::vector<std::string> names = workloads == "all" ? WorkloadNames() : Split(workloads);
  auto channels = Channels(target, channel_count);
  std::ofstream json;
  if (!json_path.empty()) json.open(json_path, std::ios::app);
  int failed_runs = 0;
  std::cout << LoadResult::Header() << std::endl;
  for (const auto& name : names) {
    auto workload = MakeWorkload(name, fleet, channels, load.concurrency);
    if (!workload) {
      std::fprintf(stderr, "unknown workload %s\n", name.c_str());
      return 2;
    }
    LoadOptions options = load;
    if (options.name.empty() || names.size() > 1) options.name = name;
    LoadResult result = RunLoad(*workload, options);
    workload.reset();  // records how far check-ins got in the fleet
    std::cout << result.Row() << std::endl;
    if (json) json << result.ToJson().dump() << "\n";
    if (result.ok == 0) ++failed_runs;
  }
  auto saved = fleet->Save(fleet_path);
  if (!saved.ok()) return std::fprintf(stderr, "%s\n", saved.ToString().c_str()), 1;
  // A workload where no call succeeded is a broken setup, not a measurement.
  return failed_runs == 0 ? 0 : 3;
}
