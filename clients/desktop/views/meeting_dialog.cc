#include "clients/desktop/views/meeting_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {

MeetingDialog::MeetingDialog(const v1::Meeting& meeting, QWidget* parent)
    : QDialog(parent), meeting_(meeting) {
  setWindowTitle(meeting.id() == 0 ? QStringLiteral("安排会议 Schedule a meeting")
                                   : QStringLiteral("编辑会议 Edit meeting"));
  title_ = new QLineEdit(QString::fromStdString(meeting.title()));
  title_->setMaxLength(100);
  type_ = new QComboBox;
  for (int t = v1::MEETING_TYPE_GENERAL_MEETING; t <= v1::MEETING_TYPE_OTHER; ++t) {
    type_->addItem(MeetingTypeLabel(static_cast<v1::MeetingType>(t)), t);
  }
  type_->setCurrentIndex(std::max(0, type_->findData(static_cast<int>(meeting.type()))));
  start_ = new QDateTimeEdit;
  start_->setCalendarPopup(true);
  start_->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
  QDateTime start = meeting.has_start_time()
                        ? ToDateTime(meeting.start_time())
                        : QDateTime(QDate::currentDate().addDays(1), QTime(9, 0));
  start_->setDateTime(start);
  minutes_ = new QSpinBox;
  minutes_->setRange(10, 24 * 60);
  minutes_->setSuffix(QStringLiteral(" min"));
  minutes_->setValue(meeting.has_end_time()
                         ? static_cast<int>(start.secsTo(ToDateTime(meeting.end_time())) / 60)
                         : 90);
  agenda_ = new QPlainTextEdit(QString::fromStdString(meeting.agenda()));
  remote_ = new QCheckBox(QStringLiteral("允许远程参会 Remote attendance allowed"));
  remote_->setChecked(meeting.remote_allowed());
  auto* form = new QFormLayout(this);
  form->addRow(QStringLiteral("标题 Title"), title_);
  form->addRow(QStringLiteral("类型 Type"), type_);
  form->addRow(QStringLiteral("开始 Start"), start_);
  form->addRow(QStringLiteral("时长 Duration"), minutes_);
  form->addRow(QStringLiteral("议程 Agenda"), agenda_);
  form->addRow(remote_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

v1::Meeting MeetingDialog::Result() const {
  v1::Meeting m = meeting_;
  m.set_title(title_->text().trimmed().toStdString());
  m.set_type(static_cast<v1::MeetingType>(type_->currentData().toInt()));
  const QDateTime start = start_->dateTime();
  *m.mutable_start_time() = ToTimestamp(start);
  *m.mutable_end_time() = ToTimestamp(start.addSecs(minutes_->value() * 60));
  m.set_agenda(agenda_->toPlainText().toStdString());
  m.set_remote_allowed(remote_->isChecked());
  return m;
}

std::vector<std::string> MeetingDialog::EditedPaths() {
  return {"title", "type", "start_time", "end_time", "agenda", "remote_allowed"};
}

}  // namespace branchline::desk
