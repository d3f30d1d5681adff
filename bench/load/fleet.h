#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace branchline::bench {

// What `prepare` made through the API and `run` needs: people with access tokens, the
// meetings they check in to, a study material, and the organisation to report on.
struct Fleet {
  std::string admin_token;
  uint64_t branch_id = 0;  // every person is in this branch's subtree
  uint64_t material_id = 0;
  std::vector<uint64_t> meeting_ids;  // all expect the whole branch (roster size = people)
  std::vector<uint64_t> person_ids;
  std::vector<std::string> tokens;  // access token of person_ids[i]
  // Check-ins so far used meetings [0, next_meeting): each check-in run starts at a fresh
  // meeting so every (person, meeting) pair is new, across runs of the harness too.
  int next_meeting = 0;

  absl::Status Save(const std::string& path) const;
  static absl::StatusOr<Fleet> Load(const std::string& path);
};

struct FleetShape {
  int people = 10'000;
  int groups = 20;    // groups under the branch, people spread evenly
  int meetings = 40;  // check-in capacity is people x meetings distinct check-ins
  std::string admin_password;
};

// Builds the fleet through the public API of a server started with --fast-password-hashing
// (10,000 sign-ins at interactive Argon2 cost would take minutes). The meetings start in an
// hour with a check-in window open from now, so code check-ins succeed for the next hour.
absl::StatusOr<Fleet> PrepareFleet(std::shared_ptr<grpc::Channel> channel, const FleetShape& shape);

// A context with the bearer token and a generous deadline.
void Authorize(grpc::ClientContext& ctx, const std::string& token);

}  // namespace branchline::bench
