#pragma once

#include <QDialog>
#include <optional>

#include "branchline/v1/attendance.pb.h"
#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/records_models.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace branchline::desk {

// The record (minutes) of one meeting, opened from the meetings tab: the Markdown minutes,
// the resolutions, the problems with owner, due date, status and fix, and whether the record
// is signed off. A draft (not locked) record's minutes can be edited and saved; a locked one
// is read-only here, since a change after the sign-off needs a reason and makes a revision
// (branchctl minutes save --reason).
class MinutesDialog : public QDialog {
  Q_OBJECT

 public:
  // `names` is the window's; it outlives the dialog.
  MinutesDialog(ApiClient* api, const branchline::v1::Meeting& meeting, const NameLookup* names,
                QWidget* parent = nullptr);

  // Asks for the current record.
  void Load();

  // What the answers do on screen; public so the tests can give answers without a server.
  void ShowRecord(const branchline::v1::MeetingRecord& record);
  // No record to show (none written yet, a refusal, the server unreachable): the words.
  void ShowError(const QString& error);

  // The save of `minutes` over the record shown: everything else as read (so problems and
  // resolutions stay), based on the version read so a concurrent edit is refused, not lost.
  branchline::v1::SaveMeetingRecordRequest SaveRequest(const QString& minutes) const;

  // Whether the shown record may be edited here (there is one and it is not locked).
  bool editable() const;
  ProblemsModel* problems_model() const { return problems_; }
  QString state_text() const;
  QString minutes_text() const;
  QString resolutions_text() const;

 private:
  void StartEditing();
  void Save();

  ApiClient* api_;
  const NameLookup* names_;
  uint64_t meeting_id_;
  std::optional<branchline::v1::MeetingRecord> record_;
  ProblemsModel* problems_;
  QLabel* state_;
  QTextBrowser* minutes_;
  QPlainTextEdit* editor_;
  QLabel* resolutions_;
  QTableView* problems_table_;
  QPushButton* edit_;
  QPushButton* save_;
};

}  // namespace branchline::desk
