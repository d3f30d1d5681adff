#pragma once

#include <QDialog>

#include "branchline/v1/attendance.pb.h"

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace branchline::desk {

// Schedules a new meeting or edits one: title, type, start, duration, agenda, remote allowed.
// Pure form: the caller sends the call, so the dialog stays testable without a server.
class MeetingDialog : public QDialog {
  Q_OBJECT

 public:
  // `meeting` pre-fills the form (an empty message for a new meeting).
  explicit MeetingDialog(const branchline::v1::Meeting& meeting, QWidget* parent = nullptr);

  // The meeting as edited (start/end, title, type, agenda, remote_allowed set).
  branchline::v1::Meeting Result() const;
  // The fields an update changes (update_mask paths).
  static std::vector<std::string> EditedPaths();

  QLineEdit* title_edit() const { return title_; }
  QDateTimeEdit* start_edit() const { return start_; }

 private:
  branchline::v1::Meeting meeting_;
  QLineEdit* title_;
  QComboBox* type_;
  QDateTimeEdit* start_;
  QSpinBox* minutes_;
  QPlainTextEdit* agenda_;
  QCheckBox* remote_;
};

}  // namespace branchline::desk
