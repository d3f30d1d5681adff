#include "clients/desktop/views/minutes_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {

MinutesDialog::MinutesDialog(ApiClient* api, const v1::Meeting& meeting, const NameLookup* names,
                             QWidget* parent)
    : QDialog(parent),
      api_(api),
      names_(names),
      meeting_id_(meeting.id()),
      problems_(new ProblemsModel(names, this)) {
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
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(edit_);
  buttons->addWidget(save_);
  buttons->addStretch();
  buttons->addWidget(close);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(state_);
  layout->addWidget(split, 1);
  layout->addLayout(buttons);

  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(edit_, &QPushButton::clicked, this, &MinutesDialog::StartEditing);
  connect(save_, &QPushButton::clicked, this, &MinutesDialog::Save);
}

void MinutesDialog::Load() {
  v1::GetMeetingRecordRequest request;
  request.set_meeting_id(meeting_id_);
  api_->Call(
      this, &v1::RecordsService::Stub::GetMeetingRecord, request,
      [this](const v1::MeetingRecord& record) { ShowRecord(record); },
      [this](const QString& error) { ShowError(error); });
}

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
