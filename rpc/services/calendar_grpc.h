#pragma once

#include "branchline/v1/calendar.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/calendar/absences.h"
#include "services/calendar/calendar_export.h"
#include "services/calendar/holidays.h"
#include "services/calendar/recurring_meetings.h"

namespace branchline {

// gRPC adapter of CalendarService over RecurringMeetings, Holidays, Absences and
// CalendarExport. Synchronous, as these are a secretary's occasional calls, except
// ExportMyCalendar: a stream (ChunkedExportCall, like AttendanceService's CSV exports), so a
// phone reading slowly holds no thread.
class CalendarGrpc final
    : public v1::CalendarService::WithRawMethod_ExportMyCalendar<v1::CalendarService::Service>,
      public AcceptsAsyncCalls {
 public:
  CalendarGrpc(RecurringMeetings& series, Holidays& holidays, Absences& absences,
               const CalendarExport& calendar_export, const Authenticator& auth,
               StreamEnvironment& streams)
      : series_(series),
        holidays_(holidays),
        absences_(absences),
        export_(calendar_export),
        auth_(auth),
        streams_(streams) {}

  // Accepts the ExportMyCalendar streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status CreateMeetingSeries(grpc::ServerContext* context,
                                   const v1::CreateMeetingSeriesRequest* request,
                                   v1::MeetingSeries* response) override;
  grpc::Status GetMeetingSeries(grpc::ServerContext* context,
                                const v1::GetMeetingSeriesRequest* request,
                                v1::MeetingSeries* response) override;
  grpc::Status ListMeetingSeries(grpc::ServerContext* context,
                                 const v1::ListMeetingSeriesRequest* request,
                                 v1::ListMeetingSeriesResponse* response) override;
  grpc::Status ListSeriesOccurrences(grpc::ServerContext* context,
                                     const v1::ListSeriesOccurrencesRequest* request,
                                     v1::ListSeriesOccurrencesResponse* response) override;
  grpc::Status EndMeetingSeries(grpc::ServerContext* context,
                                const v1::EndMeetingSeriesRequest* request,
                                v1::EndMeetingSeriesResponse* response) override;
  grpc::Status UpdateMeetingSeries(grpc::ServerContext* context,
                                   const v1::UpdateMeetingSeriesRequest* request,
                                   v1::UpdateMeetingSeriesResponse* response) override;
  grpc::Status SplitMeetingSeries(grpc::ServerContext* context,
                                  const v1::SplitMeetingSeriesRequest* request,
                                  v1::SplitMeetingSeriesResponse* response) override;
  grpc::Status SetHolidays(grpc::ServerContext* context, const v1::SetHolidaysRequest* request,
                           v1::HolidayList* response) override;
  grpc::Status ListHolidays(grpc::ServerContext* context, const v1::ListHolidaysRequest* request,
                            v1::HolidayList* response) override;
  grpc::Status RequestAbsence(grpc::ServerContext* context,
                              const v1::RequestAbsenceRequest* request,
                              v1::AbsenceRequest* response) override;
  grpc::Status DecideAbsence(grpc::ServerContext* context, const v1::DecideAbsenceRequest* request,
                             v1::AbsenceRequest* response) override;
  grpc::Status WithdrawAbsence(grpc::ServerContext* context,
                               const v1::WithdrawAbsenceRequest* request,
                               v1::AbsenceRequest* response) override;
  grpc::Status ListAbsences(grpc::ServerContext* context, const v1::ListAbsencesRequest* request,
                            v1::ListAbsencesResponse* response) override;

 private:
  RecurringMeetings& series_;
  Holidays& holidays_;
  Absences& absences_;
  const CalendarExport& export_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
