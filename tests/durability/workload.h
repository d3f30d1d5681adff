// A write workload with an oracle, for tests that break the server or the network under load
// and then check that nothing acknowledged was lost, nothing was written twice and nothing
// appeared that no client sent.
//
// Every call carries a unique request_id that is also written into the record it creates
// (a check-in's remote text, a study record's notes, a letter's subject), so the oracle can
// find each call's record on the server and tell a duplicate from a phantom.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace branchline::durability {

// What the client knows about a call after it returned.
enum class Outcome {
  kAcknowledged,  // OK: the write must be there, exactly once
  kRefused,       // a definite error: the write must not be there
  kUnknown,       // UNAVAILABLE, deadline, cancelled: there once or not at all
};
enum class Kind { kCheckIn, kStudy, kLetter };

struct Call {
  Kind kind;
  std::string request_id;
  uint64_t meeting_id = 0;    // check-ins
  int64_t device_micros = 0;  // the phone's time, fixed: a retry must be the same request
  Outcome outcome = Outcome::kUnknown;
  uint64_t record_id = 0;  // study records and letters, from the acknowledged answer
  grpc::StatusCode code = grpc::OK;
  std::string message;
};

// Outcome of one gRPC status from the client's point of view.
Outcome Classify(const grpc::Status& status);

// Stubs on one channel to one server address: plaintext, or TLS trusting `tls_ca` (PEM) when
// set (the nginx edge).
struct Stubs {
  explicit Stubs(const std::string& address, const std::string& tls_ca = "");
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AuthService::Stub> auth;
  std::unique_ptr<v1::OrganizationService::Stub> orgs;
  std::unique_ptr<v1::PersonService::Stub> people;
  std::unique_ptr<v1::AttendanceService::Stub> attendance;
  std::unique_ptr<v1::StudyService::Stub> study;
  std::unique_ptr<v1::FeedbackService::Stub> feedback;
};

// A context with the token and a deadline.
std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token, int deadline_ms);

// The administrator who sets up the world between crashes, when the server is up: every
// call is retried with the same request_id until it succeeds (a retry after a lost answer
// returns the first answer), so set-up itself is exactly-once too.
class Admin {
 public:
  explicit Admin(std::string admin_password) : password_(std::move(admin_password)) {}
  void Connect(const std::string& address);

  // Creates the branch and the material the workload uses; call once.
  void CreateWorld();
  // A new member of the branch; returns their id.
  uint64_t CreatePerson(const std::string& login, const std::string& password);
  // A meeting of the branch open for remote check-in now.
  uint64_t CreateMeeting(const std::string& title);
  // (meeting, person) -> remote text of every attendance record of `meeting`.
  std::map<uint64_t, std::string> CheckInTexts(uint64_t meeting);

  uint64_t branch() const { return branch_; }
  uint64_t material() const { return material_; }

 private:
  // Runs `call` until it answers OK (fails the test after many tries); signs in again
  // when the token is refused.
  template <typename F>
  void Retry(const char* what, F call);
  void SignIn();

  std::string password_;
  std::unique_ptr<Stubs> stubs_;
  std::string token_;
  uint64_t branch_ = 0, material_ = 0;
  int counter_ = 0;
};

// One person's calls and what the oracle found of them.
struct PersonLog {
  std::string login, password;
  uint64_t person_id = 0;
  std::vector<Call> calls;
  int study_calls = 0;
};

struct ClientStats {
  uint64_t acknowledged = 0, refused = 0, unknown = 0, resolved_present = 0, resolved_absent = 0;
  uint64_t lost = 0, duplicates = 0, phantoms = 0;

  ClientStats& operator+=(const ClientStats& o) {
    acknowledged += o.acknowledged;
    refused += o.refused;
    unknown += o.unknown;
    resolved_present += o.resolved_present;
    resolved_absent += o.resolved_absent;
    lost += o.lost;
    duplicates += o.duplicates;
    phantoms += o.phantoms;
    return *this;
  }
};

// One client thread's actor: its own channel and people. Not thread-safe; one thread each.
class OracleClient {
 public:
  OracleClient(int index, uint64_t seed) : index_(index), rng_(seed) {}

  // New channel to `address` (the server may have moved to a new port after a restart), over
  // TLS trusting `tls_ca` when set (Stubs).
  void Connect(const std::string& address, const std::string& tls_ca = "");
  // Starts writing as a new person (admin creates them); call before the first Run and
  // whenever NeedsNewPerson().
  void AddPerson(Admin& admin);
  bool NeedsNewPerson() const;
  // Signs the current person in (between crashes, while the server is up).
  void SignIn() { Token(); }

  // Writes with unique request_ids until the first unknown outcome (the server died or the
  // connection broke), `stop` is set, or `max_calls` calls were made. `meetings` are the
  // meetings this client may check into (once each).
  void Run(const std::vector<uint64_t>& meetings, const std::atomic<bool>& stop,
           int max_calls = 1 << 30, int deadline_ms = 5000);

  // Compares the server with the log of every person (only the current one when
  // `current_only`); `check_in_texts` maps meeting -> person -> remote text, for the meetings
  // to check. Unknown calls may be present once or absent. Returns the violations found.
  std::vector<std::string> Verify(
      const std::map<uint64_t, std::map<uint64_t, std::string>>& check_in_texts, bool current_only);
  // Retries every unknown call with its request_id until it answers, and checks the answer
  // names the record Verify found (when it found one): no duplicate from a retry.
  std::vector<std::string> ResolveUnknowns(int deadline_ms = 5000);

  // Sends one call and retries it with the same request_id until it is answered (for the
  // lossy-proxy test, where answers get lost but the server lives).
  void WriteWithRetries(const std::vector<uint64_t>& meetings, int deadline_ms, int max_tries);

  const ClientStats& stats() const { return stats_; }
  std::set<uint64_t> CheckInMeetings() const;

 private:
  Call MakeCall(Kind kind, uint64_t meeting);
  grpc::Status Send(Call& call, int deadline_ms);
  grpc::Status SendOnce(Call& call, int deadline_ms);
  Kind PickKind(const std::vector<uint64_t>& meetings, uint64_t* meeting);
  const std::string& Token();

  int index_;
  std::mt19937_64 rng_;
  std::unique_ptr<Stubs> stubs_;
  std::vector<PersonLog> people_;
  std::string token_;
  uint64_t counter_ = 0;
  uint64_t material_ = 0;
  ClientStats stats_;
  // request_id -> record id Verify found for an unknown call.
  std::map<std::string, uint64_t> found_unknown_;
};

}  // namespace branchline::durability
