#pragma once

#include <QDialog>
#include <optional>

#include "branchline/v1/attendance.pb.h"
#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/photo_models.h"
#include "clients/desktop/models/records_models.h"

class QLabel;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace branchline::desk {

// The record (minutes) of one meeting, opened from the meetings tab: the Markdown minutes,
// the resolutions, the problems with owner, due date, status and fix, and whether the record
// is signed off. A draft (not locked) record's minutes can be edited and saved; a locked one
// is read-only here, since a change after the sign-off needs a reason and makes a revision
// (branchctl minutes save --reason). Below, the meeting's photos (FileService attachments) as
// thumbnails; "保存原图" or a double-click saves a photo's original file.
class MinutesDialog : public QDialog {
  Q_OBJECT

 public:
  // `names` is the window's; it outlives the dialog.
  MinutesDialog(ApiClient* api, const branchline::v1::Meeting& meeting, const NameLookup* names,
                QWidget* parent = nullptr);

  // Asks for the current record and the meeting's photos.
  void Load();
  // Asks for the meeting's photos, then the thumbnails of those that have one.
  void LoadPhotos();

  // What the answers do on screen; public so the tests can give answers without a server.
  void ShowRecord(const branchline::v1::MeetingRecord& record);
  // No record to show (none written yet, a refusal, the server unreachable): the words.
  void ShowError(const QString& error);
  // The meeting's attachments (ListAttachments); their thumbnails are not asked for here.
  void ShowPhotos(const branchline::v1::ListAttachmentsResponse& attachments);

  // Downloads the original of the photo in `row` and writes it to `path`; PhotoSaved or
  // PhotoSaveFailed tells the outcome, and photos_status_text() says it. The button and a
  // double-click ask for `path` and call this.
  void SavePhoto(int row, const QString& path);

  // The save of `minutes` over the record shown: everything else as read (so problems and
  // resolutions stay), based on the version read so a concurrent edit is refused, not lost.
  branchline::v1::SaveMeetingRecordRequest SaveRequest(const QString& minutes) const;

  // Whether the shown record may be edited here (there is one and it is not locked).
  bool editable() const;
  ProblemsModel* problems_model() const { return problems_; }
  QString state_text() const;
  QString minutes_text() const;
  QString resolutions_text() const;
  MeetingPhotosModel* photos_model() const { return photos_; }
  QString photos_status_text() const;

 signals:
  void PhotoSaved(const QString& path);
  void PhotoSaveFailed(const QString& message);

 private:
  void StartEditing();
  void Save();
  void AskAndSavePhoto();
  void FailPhotoSave(const QString& message);

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
  MeetingPhotosModel* photos_;
  QLabel* photos_status_;
  QListView* photos_view_;
  QPushButton* save_photo_;
};

}  // namespace branchline::desk
