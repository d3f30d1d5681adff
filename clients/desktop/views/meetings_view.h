#pragma once

#include <QWidget>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/attendance_models.h"

class QCalendarWidget;
class QTableView;

namespace branchline::desk {

class CheckInWindow;
class LeaveView;
class MinutesDialog;

// The selected organisation's meetings: a month calendar (days with meetings in bold), the
// list for that month, schedule (once or as a repeating series)/edit/cancel, the check-in screen,
// the record (minutes) of a held meeting, and leave requests of the selected meeting below.
class MeetingsView : public QWidget {
  Q_OBJECT

 public:
  MeetingsView(ApiClient* api, const NameLookup* names, QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id);
  void Reload();
  // Selects the meeting's row (and its leave requests); false when it is not listed.
  bool SelectMeeting(uint64_t meeting_id);
  // Opens the full-screen check-in view of a listed meeting.
  CheckInWindow* OpenCheckIn(uint64_t meeting_id, bool full_screen = true);
  // Opens the record (minutes) of a listed meeting in a window of its own, so the list stays
  // usable beside it; nullptr when the meeting is not listed.
  MinutesDialog* OpenMinutes(uint64_t meeting_id);
  // Creates (id 0) or updates a meeting as the dialog would.
  void SaveMeeting(const v1::Meeting& meeting);
  // Creates a series from the dialog's meeting and repeat rule (an RRULE value).
  void SaveSeries(const v1::Meeting& meeting, const std::string& rule);

  MeetingsModel* model() const { return model_; }
  LeaveView* leave_view() const { return leave_; }
  QCalendarWidget* calendar() const { return calendar_; }

 private:
  const v1::Meeting* Selected() const;
  void ScheduleNew();
  void EditSelected();
  void CancelSelected();
  void MarkCalendarDays();

  ApiClient* api_;
  const NameLookup* names_;
  MeetingsModel* model_;
  QCalendarWidget* calendar_;
  QTableView* table_;
  LeaveView* leave_;
  uint64_t org_id_ = 0;
};

}  // namespace branchline::desk
