#pragma once

#include <QDialog>

#include "branchline/v1/attendance.pb.h"
#include "clients/desktop/models/calendar_models.h"

class QCheckBox;
class QDateEdit;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace branchline::desk {

// Schedules a new meeting or edits one: title, type, start, duration, agenda, remote allowed.
// A new meeting may repeat (weekly on chosen weekdays, every N weeks, or monthly on the start's
// day, until a date or for a number of times): the caller then creates a series
// (CalendarService.CreateMeetingSeries) with RepeatRule() instead of one meeting.
// Pure form: the caller sends the call, so the dialog stays testable without a server.
class MeetingDialog : public QDialog {
  Q_OBJECT

 public:
  // `meeting` pre-fills the form (an empty message for a new meeting).
  explicit MeetingDialog(const branchline::v1::Meeting& meeting, QWidget* parent = nullptr);

  // The meeting as edited (start/end, title, type, agenda, remote_allowed and the audience's
  // members_only set).
  branchline::v1::Meeting Result() const;
  // The fields an update changes (update_mask paths).
  static std::vector<std::string> EditedPaths();

  // The repeat choice (kNone when editing a meeting) and its RRULE ("" for no repeat).
  RepeatChoice Repeat() const;
  std::string RepeatRule() const;

  QLineEdit* title_edit() const { return title_; }
  QDateTimeEdit* start_edit() const { return start_; }
  // Repeat controls (null when editing an existing meeting).
  QComboBox* repeat_combo() const { return repeat_; }
  QSpinBox* interval_spin() const { return interval_; }
  QCheckBox* weekday_box(int day) const { return weekdays_[day - 1]; }  // 1 = Monday
  QCheckBox* members_only_box() const { return members_only_; }
  QComboBox* end_combo() const { return end_; }
  QDateEdit* until_edit() const { return until_; }
  QSpinBox* count_spin() const { return count_; }

 private:
  branchline::v1::Meeting meeting_;
  QLineEdit* title_;
  QComboBox* type_;
  QDateTimeEdit* start_;
  QSpinBox* minutes_;
  QPlainTextEdit* agenda_;
  QCheckBox* remote_;
  QCheckBox* members_only_;
  QComboBox* repeat_ = nullptr;
  QSpinBox* interval_ = nullptr;
  QCheckBox* weekdays_[7] = {};
  QComboBox* end_ = nullptr;
  QDateEdit* until_ = nullptr;
  QSpinBox* count_ = nullptr;
};

}  // namespace branchline::desk
