#include "services/attendance/attendance_grpc.h"

#include <atomic>

#include "services/auth/grpc_handler.h"
#include "services/common/async_tag.h"

namespace branchline {

namespace {

// One CheckIn on the async API. The reads and checks run on a poller; the commit joins the
// store's next group commit and the answer is sent by the committer's thread, so no thread
// waits for the WAL sync. A poller can still wait briefly: on a key lock that an earlier
// check-in holds until its group is durable (the same person and meeting, or a hash
// collision among KeyLocks::kStripes).
//
// Lifetime: deleted once the handler has handed the call over (the start) and gRPC has
// finished it, whichever comes last; the answer may be sent before the start returns.
class CheckInCall {
 public:
  // Calls waiting to be matched with an incoming check-in, so a burst is not queued in gRPC.
  static constexpr int kWaiting = 16;

  CheckInCall(AttendanceGrpc& service, grpc::ServerCompletionQueue* queue, CheckIns& check_ins,
              const Authenticator& auth)
      : service_(service), queue_(queue), check_ins_(check_ins), auth_(auth) {
    service_.RequestCheckIn(&context_, &raw_request_, &responder_, queue_, queue_, &accepted_tag_);
  }

 private:
  void OnAccepted(bool ok) {
    if (!ok) {  // the server is shutting down
      delete this;
      return;
    }
    new CheckInCall(service_, queue_, check_ins_, auth_);  // waits for the next check-in
    Start();
    Release();
  }

  void Start() {
    if (auto refused = TakeRequestRefusal(static_cast<grpc::ServerContextBase*>(&context_))) {
      return Answer(0, *refused);
    }
    if (!grpc::SerializationTraits<v1::CheckInRequest>::Deserialize(&raw_request_, &request_)
             .ok()) {
      return Send(0, UnparseableRequest(), grpc::ByteBuffer());
    }
    auto caller = AuthenticateCall(auth_, &context_);
    if (!caller.ok()) return Answer(0, caller.status());
    check_ins_.CheckInAsync(*caller, request_, [this, person = caller->person_id](auto result) {
      Answer(person, std::move(result));
    });
  }

  // On the thread that has the answer. The access-log interceptor runs inside Finish on this
  // same thread and takes the caller from its thread-local slot (services/common/call_log.h).
  void Answer(uint64_t person, const absl::StatusOr<v1::CheckInResponse>& result) {
    if (!result.ok()) return Send(person, ToGrpcStatus(result.status()), grpc::ByteBuffer());
    grpc::ByteBuffer bytes;
    bool own_buffer;
    auto serialized =
        grpc::SerializationTraits<v1::CheckInResponse>::Serialize(*result, &bytes, &own_buffer);
    Send(person, serialized, std::move(bytes));
  }

  void Send(uint64_t person, const grpc::Status& status, grpc::ByteBuffer response) {
    SetLoggedCaller(person);
    if (status.ok()) {
      responder_.Finish(response, status, &finished_tag_);
    } else {
      responder_.FinishWithError(status, &finished_tag_);
    }
  }

  void Release() {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  AttendanceGrpc& service_;
  grpc::ServerCompletionQueue* const queue_;
  CheckIns& check_ins_;
  const Authenticator& auth_;
  grpc::ServerContext context_;
  grpc::ByteBuffer raw_request_;
  v1::CheckInRequest request_;
  grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder_{&context_};
  std::atomic<int> references_{2};  // the start, and the finish
  AsyncTag accepted_tag_{[this](bool ok) { OnAccepted(ok); }};
  AsyncTag finished_tag_{[this](bool) { Release(); }};
};

// CSV exports go out in chunks small enough for phones and proxies.
constexpr size_t kChunkBytes = 32 * 1024;

template <typename Fn>
grpc::Status StreamCsv(const Authenticator& auth, const grpc::ServerContext* context,
                       grpc::ServerWriter<v1::CsvChunk>* writer, Fn&& fn) {
  auto caller = AuthenticateCall(auth, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  CallCancellationScope cancellation = CancellationOf(context);
  absl::StatusOr<std::string> csv = fn(*caller);
  if (!csv.ok()) return ToGrpcStatus(csv.status());
  for (size_t at = 0; at < csv->size(); at += kChunkBytes) {
    v1::CsvChunk chunk;
    chunk.set_data(csv->substr(at, kChunkBytes));
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}
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

grpc::Status AttendanceGrpc::ListMyMeetings(grpc::ServerContext* context,
                                            const v1::ListMyMeetingsRequest* request,
                                            v1::ListMeetingsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return meetings_.ListMine(c, *request); });
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

void AttendanceGrpc::AcceptCheckIns(grpc::ServerCompletionQueue* queue) {
  for (int i = 0; i < CheckInCall::kWaiting; ++i) new CheckInCall(*this, queue, check_ins_, auth_);
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

grpc::Status AttendanceGrpc::ExportRoster(grpc::ServerContext* context,
                                          const v1::ExportRosterRequest* request,
                                          grpc::ServerWriter<v1::CsvChunk>* writer) {
  return StreamCsv(auth_, context, writer,
                   [&](const Caller& c) { return reports_.RosterCsv(c, *request); });
}

grpc::Status AttendanceGrpc::ExportAttendanceReport(
    grpc::ServerContext* context, const v1::ExportAttendanceReportRequest* request,
    grpc::ServerWriter<v1::CsvChunk>* writer) {
  return StreamCsv(auth_, context, writer,
                   [&](const Caller& c) { return reports_.ReportCsv(c, *request); });
}

}  // namespace branchline
