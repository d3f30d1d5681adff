#include "rpc/services/calendar_grpc.h"

#include "rpc/chunked_export_call.h"
#include "rpc/grpc_handler.h"

namespace branchline {

void CalendarGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new ChunkedExportCall<v1::ExportMyCalendarRequest, v1::CalendarFileChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &CalendarGrpc::RequestExportMyCalendar),
      [this](const Caller& c, const v1::ExportMyCalendarRequest& r) {
        return export_.Export(c, r);
      });
}

grpc::Status CalendarGrpc::CreateMeetingSeries(grpc::ServerContext* context,
                                               const v1::CreateMeetingSeriesRequest* request,
                                               v1::MeetingSeries* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.Create(c, *request); });
}

grpc::Status CalendarGrpc::GetMeetingSeries(grpc::ServerContext* context,
                                            const v1::GetMeetingSeriesRequest* request,
                                            v1::MeetingSeries* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.Get(c, *request); });
}

grpc::Status CalendarGrpc::ListMeetingSeries(grpc::ServerContext* context,
                                             const v1::ListMeetingSeriesRequest* request,
                                             v1::ListMeetingSeriesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.List(c, *request); });
}

grpc::Status CalendarGrpc::ListSeriesOccurrences(grpc::ServerContext* context,
                                                 const v1::ListSeriesOccurrencesRequest* request,
                                                 v1::ListSeriesOccurrencesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.ListOccurrences(c, *request); });
}

grpc::Status CalendarGrpc::EndMeetingSeries(grpc::ServerContext* context,
                                            const v1::EndMeetingSeriesRequest* request,
                                            v1::EndMeetingSeriesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.End(c, *request); });
}

grpc::Status CalendarGrpc::UpdateMeetingSeries(grpc::ServerContext* context,
                                               const v1::UpdateMeetingSeriesRequest* request,
                                               v1::UpdateMeetingSeriesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.Update(c, *request); });
}

grpc::Status CalendarGrpc::SplitMeetingSeries(grpc::ServerContext* context,
                                              const v1::SplitMeetingSeriesRequest* request,
                                              v1::SplitMeetingSeriesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return series_.Split(c, *request); });
}

grpc::Status CalendarGrpc::SetHolidays(grpc::ServerContext* context,
                                       const v1::SetHolidaysRequest* request,
                                       v1::HolidayList* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return holidays_.Set(c, *request); });
}

grpc::Status CalendarGrpc::ListHolidays(grpc::ServerContext* context,
                                        const v1::ListHolidaysRequest* request,
                                        v1::HolidayList* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return holidays_.List(c, *request); });
}

grpc::Status CalendarGrpc::RequestAbsence(grpc::ServerContext* context,
                                          const v1::RequestAbsenceRequest* request,
                                          v1::AbsenceRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return absences_.Request(c, *request); });
}

grpc::Status CalendarGrpc::DecideAbsence(grpc::ServerContext* context,
                                         const v1::DecideAbsenceRequest* request,
                                         v1::AbsenceRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return absences_.Decide(c, *request); });
}

grpc::Status CalendarGrpc::WithdrawAbsence(grpc::ServerContext* context,
                                           const v1::WithdrawAbsenceRequest* request,
                                           v1::AbsenceRequest* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return absences_.Withdraw(c, *request); });
}

grpc::Status CalendarGrpc::ListAbsences(grpc::ServerContext* context,
                                        const v1::ListAbsencesRequest* request,
                                        v1::ListAbsencesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return absences_.List(c, *request); });
}

}  // namespace branchline
