#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/load/fleet.h"
#include "bench/load/load_runner.h"

namespace branchline::bench {

// Names accepted by MakeWorkload, in the order `run --workloads all` runs them.
std::vector<std::string> WorkloadNames();

// The calls, each through the real API as a member of the fleet (or its administrator):
//   checkin   CheckIn by rotating code; every call a new (person, meeting) pair and request id
//   study     RecordStudy of one minute on the fleet's material
//   letter    SubmitLetter (named) to the caller's own organisation
//   upcoming  ListMyMeetings, page of 10
//   pull      ListChanges from the caller's last cursor (a phone syncing), page of 100
//   roster    GetRoster of a meeting that expects every person, page of 1000
//   report    GetAttendanceReport over the branch for the last 90 days (and the next day)
//   morning   55% checkin, 30% pull, 8% upcoming, 5% study, 2% letter
// People are partitioned between slots, so per-person state (cursors) needs no locks.
// `concurrency` must be the concurrency the workload is run at.
std::unique_ptr<Workload> MakeWorkload(const std::string& name, std::shared_ptr<Fleet> fleet,
                                       std::vector<std::shared_ptr<grpc::Channel>> channels,
                                       int concurrency);

}  // namespace branchline::bench
