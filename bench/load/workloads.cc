#include "bench/load/workloads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"

namespace branchline::bench {

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetNow(google::protobuf::Timestamp* ts) {
  int64_t now = NowMicros();
  ts->set_seconds(now / 1'000'000);
  ts->set_nanos(static_cast<int32_t>(now % 1'000'000) * 1000);
}

// Request ids unique across runs of the harness against the same data directory.
std::string RequestId(const char* kind, int slot, uint64_t n) {
  static const std::string run = std::to_string(NowMicros());
  return std::string("bench-") + kind + "-" + run + "-" + std::to_string(slot) + "-" +
         std::to_string(n);
}

// One callback-API call: owns context, request and answer until the call completes, then
// hands the answer to `check`, which turns it into the code reported (0 = as expected).
template <class Req, class Resp, class Issue, class Check>
void Call(const std::string& token, Req request, Issue issue, Check check, Done done) {
  struct State {
    grpc::ClientContext ctx;
    Req request;
    Resp response;
  };
  auto* state = new State;
  state->request = std::move(request);
  Authorize(state->ctx, token);
  issue(&state->ctx, &state->request, &state->response,
        [state, check = std::move(check), done = std::move(done)](grpc::Status status) {
          int code = status.ok() ? check(state->response) : status.error_code();
          delete state;
          done(code);
        });
}

auto AnyAnswer = [](const auto&) { return 0; };

// Shared by the workloads: the fleet, stubs over several channels, and which people belong
// to which slot.
class Base : public Workload {
 public:
  Base(std::shared_ptr<Fleet> fleet, std::vector<std::shared_ptr<grpc::Channel>> channels,
       int concurrency)
      : fleet_(std::move(fleet)), concurrency_(concurrency) {
    for (auto& c : channels) {
      attendance_.push_back(v1::AttendanceService::NewStub(c));
      study_.push_back(v1::StudyService::NewStub(c));
      feedback_.push_back(v1::FeedbackService::NewStub(c));
      sync_.push_back(v1::SyncService::NewStub(c));
    }
    cursors_.resize(fleet_->person_ids.size());
  }

 protected:
  // The people of a slot: slot, slot + C, slot + 2C, ...
  size_t PeoplePerSlot() const { return fleet_->person_ids.size() / concurrency_; }
  size_t Person(int slot, uint64_t n) const { return slot + concurrency_ * (n % PeoplePerSlot()); }
  const std::string& Token(size_t person) const { return fleet_->tokens[person]; }
  size_t Channel(int slot) const { return slot % attendance_.size(); }

  std::shared_ptr<Fleet> fleet_;
  int concurrency_;
  std::vector<std::unique_ptr<v1::AttendanceService::Stub>> attendance_;
  std::vector<std::unique_ptr<v1::StudyService::Stub>> study_;
  std::vector<std::unique_ptr<v1::FeedbackService::Stub>> feedback_;
  std::vector<std::unique_ptr<v1::SyncService::Stub>> sync_;
  std::vector<std::string> cursors_;  // per person, for pulls
};

// The rotating codes of every meeting, fetched by the administrator (as a secretary's
// screen would show them) and refreshed every 5 s by a thread of its own.
class CodeBoard {
 public:
  CodeBoard(std::shared_ptr<Fleet> fleet, std::shared_ptr<grpc::Channel> channel)
      : fleet_(std::move(fleet)), stub_(v1::AttendanceService::NewStub(channel)) {
    codes_.resize(fleet_->meeting_ids.size());
    Refresh();
    thread_ = std::thread([this] {
      std::unique_lock lock(stop_mu_);
      while (!stop_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stop_; })) {
        lock.unlock();
        Refresh();
        lock.lock();
      }
    });
  }
  ~CodeBoard() {
    {
      std::lock_guard lock(stop_mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }
  std::string Code(size_t meeting) {
    std::lock_guard lock(mu_);
    return codes_[meeting];
  }

 private:
  void Refresh() {
    for (size_t i = 0; i < fleet_->meeting_ids.size(); ++i) {
      v1::GetCheckInCodeRequest r;
      r.set_meeting_id(fleet_->meeting_ids[i]);
      v1::CheckInCode out;
      grpc::ClientContext ctx;
      Authorize(ctx, fleet_->admin_token);
      if (stub_->GetCheckInCode(&ctx, r, &out).ok()) {
        std::lock_guard lock(mu_);
        codes_[i] = out.code();
      }
    }
  }
  std::shared_ptr<Fleet> fleet_;
  std::unique_ptr<v1::AttendanceService::Stub> stub_;
  std::mutex mu_;
  std::vector<std::string> codes_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Every workload in one class: `morning` mixes the others call by call.
class Workloads final : public Base {
 public:
  Workloads(std::string kind, std::shared_ptr<Fleet> fleet,
            std::vector<std::shared_ptr<grpc::Channel>> channels, int concurrency)
      : Base(fleet, channels, concurrency), kind_(std::move(kind)) {
    if (kind_ == "checkin" || kind_ == "morning") {
      codes_ = std::make_unique<CodeBoard>(fleet, channels[0]);
      check_ins_ = std::vector<uint64_t>(concurrency, 0);
      first_meeting_ = fleet->next_meeting;
    }
  }
  ~Workloads() override {
    if (check_ins_.empty()) return;
    uint64_t most = *std::max_element(check_ins_.begin(), check_ins_.end());
    // At most every meeting: a fast run (the echo baseline, a small fleet) uses them all up, and
    // the next run must then find none left rather than an index past the end.
    fleet_->next_meeting = static_cast<int>(
        std::min<uint64_t>(fleet_->meeting_ids.size(),
                           first_meeting_ + (most + PeoplePerSlot() - 1) / PeoplePerSlot()));
  }

  void Start(int slot, uint64_t n, Done done) override {
    if (kind_ != "morning") return StartKind(kind_, slot, n, std::move(done));
    // A deterministic spread of kinds over the calls of a slot.
    uint64_t r = (n * 2654435761u + slot * 40503u) % 100;
    const char* kind = r < 55   ? "checkin"
                       : r < 85 ? "pull"
                       : r < 93 ? "upcoming"
                       : r < 98 ? "study"
                                : "letter";
    StartKind(kind, slot, n, std::move(done));
  }

 private:
  void StartKind(const std::string& kind, int slot, uint64_t n, Done done) {
    size_t c = Channel(slot);
    if (kind == "checkin") return CheckIn(slot, std::move(done));
    size_t person = Person(slot, n);
    if (kind == "study") {
      v1::RecordStudyRequest r;
      r.set_request_id(RequestId("study", slot, n));
      r.set_material_id(fleet_->material_id);
      r.set_minutes(1);
      SetNow(r.mutable_device_time());
      return Call<v1::RecordStudyRequest, v1::StudyRecord>(
          Token(person), std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            study_[c]->async()->RecordStudy(ctx, req, resp, std::move(cb));
          },
          AnyAnswer, std::move(done));
    }
    if (kind == "letter") {
      v1::SubmitLetterRequest r;
      r.set_request_id(RequestId("letter", slot, n));
      r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
      r.set_subject("关于班车时间的建议");
      r.set_body("建议早班车提前十分钟发车，方便大家按时签到。");
      return Call<v1::SubmitLetterRequest, v1::SubmitLetterResponse>(
          Token(person), std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            feedback_[c]->async()->SubmitLetter(ctx, req, resp, std::move(cb));
          },
          AnyAnswer, std::move(done));
    }
    if (kind == "upcoming") {
      v1::ListMyMeetingsRequest r;
      r.set_page_size(10);
      return Call<v1::ListMyMeetingsRequest, v1::ListMeetingsResponse>(
          Token(person), std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            attendance_[c]->async()->ListMyMeetings(ctx, req, resp, std::move(cb));
          },
          [](const v1::ListMeetingsResponse& out) {
            return out.meetings_size() == 10 ? 0 : kWrongAnswer;
          },
          std::move(done));
    }
    if (kind == "pull") {
      v1::ListChangesRequest r;
      r.set_cursor(cursors_[person]);
      r.set_page_size(100);
      return Call<v1::ListChangesRequest, v1::ListChangesResponse>(
          Token(person), std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            sync_[c]->async()->ListChanges(ctx, req, resp, std::move(cb));
          },
          [this, person](const v1::ListChangesResponse& out) {
            cursors_[person] = out.next_cursor();
            return 0;
          },
          std::move(done));
    }
    if (kind == "roster") {
      v1::GetRosterRequest r;
      r.set_meeting_id(fleet_->meeting_ids[0]);
      r.set_page_size(1000);
      const int expected = static_cast<int>(fleet_->person_ids.size());
      return Call<v1::GetRosterRequest, v1::Roster>(
          fleet_->admin_token, std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            attendance_[c]->async()->GetRoster(ctx, req, resp, std::move(cb));
          },
          [expected](const v1::Roster& out) {
            // The whole fleet is expected; the first page is full (or the whole roster).
            return out.counts().expected() >= expected &&
                           out.entries_size() == std::min(1000, out.counts().expected())
                       ? 0
                       : kWrongAnswer;
          },
          std::move(done));
    }
    if (kind == "report") {
      v1::GetAttendanceReportRequest r;
      r.set_organization_id(fleet_->branch_id);
      int64_t now = NowMicros() / 1'000'000;
      r.mutable_start_time_from()->set_seconds(now - 90 * 86400);
      r.mutable_start_time_to()->set_seconds(now + 86400);
      return Call<v1::GetAttendanceReportRequest, v1::AttendanceReport>(
          fleet_->admin_token, std::move(r),
          [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
            attendance_[c]->async()->GetAttendanceReport(ctx, req, resp, std::move(cb));
          },
          AnyAnswer, std::move(done));
    }
    done(kWrongAnswer);
  }

  // Each check-in of a slot is a new (person, meeting) pair: the slot walks its people, then
  // moves to the next meeting. A pair that had checked in already is a WRONG_ANSWER. When the
  // fleet is used up the pairs start again, as real calls: the echo baseline (which is fast
  // enough to use a fleet up) answers them like any other, and the real server's answers
  // show up as WRONG_ANSWER rather than as calls that were never made.
  void CheckIn(int slot, Done done) {
    uint64_t k = check_ins_[slot]++;
    size_t person = slot + concurrency_ * (k % PeoplePerSlot());
    const size_t total = fleet_->meeting_ids.size(), first = static_cast<size_t>(first_meeting_);
    size_t meetings = total > first ? total - first : 0;
    if (meetings == 0) return done(kWrongAnswer);  // no meeting left to check in to at all
    size_t meeting = first_meeting_ + (k / PeoplePerSlot()) % meetings;
    v1::CheckInRequest r;
    r.set_request_id(RequestId("checkin", slot, k));
    r.set_meeting_id(fleet_->meeting_ids[meeting]);
    SetNow(r.mutable_device_time());
    r.mutable_code()->set_code(codes_->Code(meeting));
    SetNow(r.mutable_code()->mutable_captured_time());
    size_t c = Channel(slot);
    Call<v1::CheckInRequest, v1::CheckInResponse>(
        Token(person), std::move(r),
        [&, c](auto* ctx, auto* req, auto* resp, auto cb) {
          attendance_[c]->async()->CheckIn(ctx, req, resp, std::move(cb));
        },
        [](const v1::CheckInResponse& out) { return out.already_checked_in() ? kWrongAnswer : 0; },
        std::move(done));
  }

  std::string kind_;
  std::unique_ptr<CodeBoard> codes_;
  std::vector<uint64_t> check_ins_;  // per slot, only touched by that slot's chain
  int first_meeting_ = 0;
};

}  // namespace

std::vector<std::string> WorkloadNames() {
  return {"checkin", "study", "letter", "upcoming", "pull", "roster", "report", "morning"};
}

std::unique_ptr<Workload> MakeWorkload(const std::string& name, std::shared_ptr<Fleet> fleet,
                                       std::vector<std::shared_ptr<grpc::Channel>> channels,
                                       int concurrency) {
  for (const auto& known : WorkloadNames()) {
    if (known == name) {
      return std::make_unique<Workloads>(name, std::move(fleet), std::move(channels), concurrency);
    }
  }
  return nullptr;
}

}  // namespace branchline::bench
