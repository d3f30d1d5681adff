#include "services/attendance/attendance_grpc.h"

#include "services/auth/async_stream_call.h"
#include "services/auth/grpc_handler.h"

namespace branchline {

namespace {
// CSV exports go out in chunks small enough for phones and proxies.
constexpr size_t kChunkBytes = 32 * 1024;

// One CSV export (AsyncStreamCall): the CSV is made on the blocking pool (a roster walks the
// whole audience), then sent a chunk at a time with no thread held while the reader is slow.
template <typename Request>
class CsvExportCall final : public AsyncStreamCall {
 public:
  using Export = std::function<absl::StatusOr<std::string>(const Caller&, const Request&)>;

  CsvExportCall(StreamEnvironment& env, grpc::ServerCompletionQueue* queue, Requester request,
                Export make_csv)
      : AsyncStreamCall(env, queue),
        env_(env),
        queue_(queue),
        request_fn_(std::move(request)),
        make_csv_(std::move(make_csv)) {
    Listen(request_fn_);
  }

 private:
  void ListenForNext() override { new CsvExportCall(env_, queue_, request_fn_, make_csv_); }

  bool Parse(const grpc::ByteBuffer& bytes) override {
    grpc::ByteBuffer copy(bytes);
    return grpc::SerializationTraits<Request>::Deserialize(&copy, &request_).ok();
  }

  bool BeginsBlocking() const override { return true; }

  absl::Status Begin(const Caller& caller) override {
    auto csv = make_csv_(caller, request_);
    if (!csv.ok()) return csv.status();
    std::lock_guard lock(mu_);
    csv_ = std::move(*csv);
    return absl::OkStatus();
  }

  void ProduceLocked() override {
    if (sent_ >= csv_.size()) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    v1::CsvChunk chunk;
    chunk.set_data(csv_.substr(sent_, kChunkBytes));
    sent_ += chunk.data().size();
    QueueLocked(chunk);
  }

  StreamEnvironment& env_;
  grpc::ServerCompletionQueue* const queue_;
  const Requester request_fn_;
  const Export make_csv_;
  Request request_;
  std::string csv_;  // guarded by mu_
  size_t sent_ = 0;  // guarded by mu_
};
}  // namespace

grpc::Status AttendanceGrpc::CreateMeeting(grpc::ServerContext* context,
                                           const v1::CreateMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Create(c, *request); });
}

grpc::Status AttendanceGrpc::GetMeeting(grpc::ServerContext* context,
                                        const v1::GetMeetingRequest* request,
                                        v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Get(c, *request); });
}

grpc::Status AttendanceGrpc::ListMeetings(grpc::ServerContext* context,
                                          const v1::ListMeetingsRequest* request,
                                          v1::ListMeetingsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.List(c, *request); });
}

grpc::Status AttendanceGrpc::UpdateMeeting(grpc::ServerContext* context,
                                           const v1::UpdateMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Update(c, *request); });
}

grpc::Status AttendanceGrpc::CancelMeeting(grpc::ServerContext* context,
                                           const v1::CancelMeetingRequest* request,
                                           v1::Meeting* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.Cancel(c, *request); });
}

grpc::Status AttendanceGrpc::GetCheckInCode(grpc::ServerContext* context,
                                            const v1::GetCheckInCodeRequest* request,
                                            v1::CheckInCode* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.GetCode(c, *request); });
}

AttendanceGrpc::AttendanceGrpc(Meetings& meetings, CheckIns& check_ins, AttendanceReports& reports,
                               const Authenticator& auth, StreamEnvironment& streams)
    : meetings_(meetings),
      check_ins_(check_ins),
      reports_(reports),
      auth_(auth),
      streams_(streams),
      check_in_(auth, this, &AttendanceGrpc::RequestCheckIn, check_ins, &CheckIns::CheckInAsync),
      list_my_meetings_(auth, this, &AttendanceGrpc::RequestListMyMeetings, meetings,
                        &Meetings::ListMine) {}

void AttendanceGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  check_in_.Accept(queue);
  list_my_meetings_.Accept(queue);
  new CsvExportCall<v1::ExportRosterRequest>(
      streams_, queue, AsyncStreamCall::Bind(this, &AttendanceGrpc::RequestExportRoster),
      [this](const Caller& c, const v1::ExportRosterRequest& r) {
        return reports_.RosterCsv(c, r);
      });
  new CsvExportCall<v1::ExportAttendanceReportRequest>(
      streams_, queue, AsyncStreamCall::Bind(this, &AttendanceGrpc::RequestExportAttendanceReport),
      [this](const Caller& c, const v1::ExportAttendanceReportRequest& r) {
        return reports_.ReportCsv(c, r);
      });
}

grpc::Status AttendanceGrpc::MarkAttendance(grpc::ServerContext* context,
                                            const v1::MarkAttendanceRequest* request,
                                            v1::AttendanceRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.Mark(c, *request); });
}

grpc::Status AttendanceGrpc::RequestLeave(grpc::ServerContext* context,
                                          const v1::RequestLeaveRequest* request,
                                          v1::LeaveRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.RequestLeave(c, *request); });
}

grpc::Status AttendanceGrpc::DecideLeave(grpc::ServerContext* context,
                                         const v1::DecideLeaveRequest* request,
                                         v1::LeaveRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.DecideLeave(c, *request); });
}

grpc::Status AttendanceGrpc::ListLeaveRequests(grpc::ServerContext* context,
                                               const v1::ListLeaveRequestsRequest* request,
                                               v1::ListLeaveRequestsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.ListLeave(c, *request); });
}

grpc::Status AttendanceGrpc::RecordMakeUp(grpc::ServerContext* context,
                                          const v1::RecordMakeUpRequest* request,
                                          v1::AttendanceRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return check_ins_.MakeUp(c, *request); });
}

grpc::Status AttendanceGrpc::GetRoster(grpc::ServerContext* context,
                                       const v1::GetRosterRequest* request, v1::Roster* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Roster(c, *request); });
}

grpc::Status AttendanceGrpc::GetAttendanceHistory(grpc::ServerContext* context,
                                                  const v1::GetAttendanceHistoryRequest* request,
                                                  v1::AttendanceHistory* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.History(c, *request); });
}

grpc::Status AttendanceGrpc::GetAttendanceReport(grpc::ServerContext* context,
                                                 const v1::GetAttendanceReportRequest* request,
                                                 v1::AttendanceReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Report(c, *request); });
}

grpc::Status AttendanceGrpc::GetMeetingSchedule(grpc::ServerContext* context,
                                                const v1::GetMeetingScheduleRequest* request,
                                                v1::MeetingSchedule* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.GetSchedule(c, *request); });
}

grpc::Status AttendanceGrpc::SetMeetingSchedule(grpc::ServerContext* context,
                                                const v1::SetMeetingScheduleRequest* request,
                                                v1::MeetingSchedule* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.SetSchedule(c, *request); });
}

grpc::Status AttendanceGrpc::GetComplianceReport(grpc::ServerContext* context,
                                                 const v1::GetComplianceReportRequest* request,
                                                 v1::ComplianceReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Compliance(c, *request); });
}

}  // namespace branchline
