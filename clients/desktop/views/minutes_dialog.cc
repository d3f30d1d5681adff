#include "clients/desktop/views/minutes_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/views/handbook_view.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {

MinutesDialog::MinutesDialog(ApiClient* api, const v1::Meeting& meeting, const NameLookup* names,
                             QWidget* parent)
    : QDialog(parent),
      api_(api),
      names_(names),
      meeting_id_(meeting.id()),
      problems_(new ProblemsModel(names, this)),
      photos_(new MeetingPhotosModel(this)) {
  setWindowTitle(
      QStringLiteral("会议纪要 Minutes — %1").arg(QString::fromStdString(meeting.title())));
  resize(900, 700);
  auto* heading =
      new QLabel(QStringLiteral("<b>%1</b> · %2 · %3")
                     .arg(QString::fromStdString(meeting.title()).toHtmlEscaped(),
                          MeetingTypeLabel(meeting.type()), FormatTime(meeting.start_time())));
  state_ = new QLabel(QStringLiteral("加载中 Loading…"));
  state_->setWordWrap(true);
  minutes_ = new QTextBrowser;
  minutes_->setOpenExternalLinks(false);
  editor_ = new QPlainTextEdit;
  editor_->hide();
  resolutions_ = new QLabel;
  resolutions_->setWordWrap(true);
  resolutions_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  problems_table_ = MakeTable(problems_);
  edit_ = new QPushButton(QStringLiteral("编辑纪要 Edit minutes"));
  save_ = new QPushButton(QStringLiteral("保存 Save"));
  edit_->setEnabled(false);
  save_->hide();
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  // The photos as a strip of thumbnails (the server's are at most 320 pixels, shown smaller).
  photos_status_ = new QLabel;
  photos_view_ = new QListView;
  photos_view_->setModel(photos_);
  photos_view_->setViewMode(QListView::IconMode);
  photos_view_->setFlow(QListView::LeftToRight);
  photos_view_->setWrapping(false);
  photos_view_->setMovement(QListView::Static);
  photos_view_->setIconSize(QSize(160, 120));
  photos_view_->setSpacing(4);
  photos_view_->setFixedHeight(150);  // a row of thumbnails and its scroll bar
  save_photo_ = new QPushButton(QStringLiteral("保存原图 Save original…"));
  save_photo_->setEnabled(false);

  auto* text = new QWidget;
  auto* text_layout = new QVBoxLayout(text);
  text_layout->setContentsMargins(0, 0, 0, 0);
  text_layout->addWidget(minutes_, 1);
  text_layout->addWidget(editor_, 1);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(Titled(QStringLiteral("纪要 Minutes"), text));
  split->addWidget(Titled(QStringLiteral("决议 Resolutions"), resolutions_));
  split->addWidget(Titled(QStringLiteral("查摆问题 Problems"), problems_table_));
  split->setStretchFactor(0, 3);
  split->setStretchFactor(2, 2);
  auto* photos = new QWidget;
  auto* photos_layout = new QVBoxLayout(photos);
  photos_layout->setContentsMargins(0, 0, 0, 0);
  auto* photos_top = new QHBoxLayout;
  photos_top->addWidget(new QLabel(QStringLiteral("<b>照片 Photos</b>")));
  photos_top->addWidget(photos_status_, 1);
  photos_top->addWidget(save_photo_);
  photos_layout->addLayout(photos_top);
  photos_layout->addWidget(photos_view_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(edit_);
  buttons->addWidget(save_);
  buttons->addStretch();
  buttons->addWidget(close);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(state_);
  layout->addWidget(split, 1);
  layout->addWidget(photos);
  layout->addLayout(buttons);

  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(edit_, &QPushButton::clicked, this, &MinutesDialog::StartEditing);
  connect(save_, &QPushButton::clicked, this, &MinutesDialog::Save);
  connect(photos_view_->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& current) { save_photo_->setEnabled(current.isValid()); });
  connect(save_photo_, &QPushButton::clicked, this, &MinutesDialog::AskAndSavePhoto);
  connect(photos_view_, &QListView::doubleClicked, this, &MinutesDialog::AskAndSavePhoto);
}

void MinutesDialog::Load() {
  v1::GetMeetingRecordRequest request;
  request.set_meeting_id(meeting_id_);
  api_->Call(
      this, &v1::RecordsService::Stub::GetMeetingRecord, request,
      [this](const v1::MeetingRecord& record) { ShowRecord(record); },
      [this](const QString& error) { ShowError(error); });
  LoadPhotos();
}

void MinutesDialog::LoadPhotos() {
  v1::ListAttachmentsRequest request;
  request.mutable_of()->set_target(v1::ATTACHMENT_TARGET_MEETING);
  request.mutable_of()->set_object_id(meeting_id_);
  photos_status_->setText(QStringLiteral("加载中 Loading…"));
  api_->Call(
      this, &v1::FileService::Stub::ListAttachments, request,
      [this](const v1::ListAttachmentsResponse& attachments) {
        ShowPhotos(attachments);
        // A thumbnail that fails leaves the file's name in its place (and the status bar says
        // why); the original can still be saved.
        for (const v1::File& file : attachments.files()) {
          if (!file.has_thumbnail()) continue;
          api_->ReadFile(this, file.id(), /*thumbnail=*/true,
                         [this, id = file.id()](const QByteArray& bytes) {
                           photos_->SetThumbnail(id, bytes);
                         });
        }
      },
      [this](const QString& error) {
        ShowPhotos(v1::ListAttachmentsResponse());
        photos_status_->setText(error);
      });
}

void MinutesDialog::ShowPhotos(const v1::ListAttachmentsResponse& attachments) {
  photos_->SetRows(attachments.files());
  save_photo_->setEnabled(false);
  photos_status_->setText(
      attachments.files().empty()
          ? QStringLiteral("无照片 No photos")
          : QStringLiteral("%1 个文件 files · 双击保存原图 Double-click to save the original")
                .arg(attachments.files_size()));
}

void MinutesDialog::AskAndSavePhoto() {
  const QModelIndex current = photos_view_->currentIndex();
  if (!current.isValid()) return;
  const QString path =
      QFileDialog::getSaveFileName(this, QStringLiteral("保存原图 Save original"),
                                   QString::fromStdString(photos_->row(current.row()).file_name()));
  if (!path.isEmpty()) SavePhoto(current.row(), path);
}

void MinutesDialog::SavePhoto(int row, const QString& path) {
  if (row < 0 || row >= photos_->rowCount()) return;
  const v1::File& file = photos_->row(row);
  photos_status_->setText(
      QStringLiteral("正在下载 Downloading %1…").arg(QString::fromStdString(file.file_name())));
  api_->ReadFile(
      this, file.id(), /*thumbnail=*/false,
      [this, path](const QByteArray& bytes) {
        QString error;
        if (!HandbookView::SaveFile(path, bytes, &error)) {
          FailPhotoSave(error);
          return;
        }
        photos_status_->setText(QStringLiteral("已保存 Saved: %1").arg(path));
        emit PhotoSaved(path);
      },
      [this](const QString& error) { FailPhotoSave(error); });
}

void MinutesDialog::FailPhotoSave(const QString& message) {
  photos_status_->setText(QStringLiteral("保存失败 Save failed: %1").arg(message));
  emit PhotoSaveFailed(message);
}

QString MinutesDialog::photos_status_text() const { return photos_status_->text(); }

void MinutesDialog::ShowRecord(const v1::MeetingRecord& record) {
  record_ = record;
  state_->setText(RecordStateText(record, *names_));
  // The minutes are Markdown (docs/records.md); shown rendered, as the phones show them.
  minutes_->setMarkdown(QString::fromStdString(record.minutes()));
  minutes_->show();
  editor_->hide();
  save_->hide();
  edit_->show();
  edit_->setEnabled(editable());
  resolutions_->setText(ResolutionsText(record));
  problems_->SetRows(record.problems());
  problems_table_->resizeColumnsToContents();
}

void MinutesDialog::ShowError(const QString& error) {
  record_.reset();
  state_->setText(error);
  minutes_->clear();
  resolutions_->setText(QStringLiteral("无 None"));
  problems_->SetRows(std::vector<v1::Problem>());
  edit_->setEnabled(false);
}

bool MinutesDialog::editable() const { return record_.has_value() && !record_->locked(); }

QString MinutesDialog::state_text() const { return state_->text(); }
QString MinutesDialog::minutes_text() const { return minutes_->toPlainText(); }
QString MinutesDialog::resolutions_text() const { return resolutions_->text(); }

v1::SaveMeetingRecordRequest MinutesDialog::SaveRequest(const QString& minutes) const {
  v1::SaveMeetingRecordRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  if (record_) {
    *request.mutable_record() = *record_;
    request.set_expected_version(record_->version());
  }
  request.mutable_record()->set_meeting_id(meeting_id_);
  request.mutable_record()->set_minutes(minutes.toStdString());
  return request;
}

void MinutesDialog::StartEditing() {
  if (!editable()) return;
  editor_->setPlainText(QString::fromStdString(record_->minutes()));
  minutes_->hide();
  editor_->show();
  edit_->hide();
  save_->show();
}

void MinutesDialog::Save() {
  if (!editable()) return;
  save_->setEnabled(false);
  api_->Call(
      this, &v1::RecordsService::Stub::SaveMeetingRecord, SaveRequest(editor_->toPlainText()),
      [this](const v1::MeetingRecord& saved) {
        save_->setEnabled(true);
        ShowRecord(saved);
      },
      [this](const QString& error) {
        // Keep the editor and its text: a stale version or a refusal must not lose the typing.
        save_->setEnabled(true);
        state_->setText(error);
      });
}

}  // namespace branchline::desk
