#include "clients/desktop/views/meeting_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
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
  // 三会一课 are for party members: employees and activists of the branch are not expected.
  members_only_ = new QCheckBox(QStringLiteral("仅党员参加 Party members only"));
  members_only_->setChecked(meeting.audience().members_only());
  members_only_->setEnabled(meeting.audience().person_ids_size() == 0);  // a list is exact
  auto* form = new QFormLayout(this);
  form->addRow(QStringLiteral("标题 Title"), title_);
  form->addRow(QStringLiteral("类型 Type"), type_);
  form->addRow(QStringLiteral("开始 Start"), start_);
  form->addRow(QStringLiteral("时长 Duration"), minutes_);
  form->addRow(QStringLiteral("议程 Agenda"), agenda_);
  form->addRow(remote_);
  form->addRow(members_only_);
  if (meeting.id() == 0) {
    // Repeat: a series instead of one meeting.
    repeat_ = new QComboBox;
    repeat_->addItem(QStringLiteral("不重复 Once"), static_cast<int>(RepeatChoice::Kind::kNone));
    repeat_->addItem(QStringLiteral("每周 Weekly"), static_cast<int>(RepeatChoice::Kind::kWeekly));
    repeat_->addItem(QStringLiteral("每月 Monthly (same day)"),
                     static_cast<int>(RepeatChoice::Kind::kMonthly));
    interval_ = new QSpinBox;
    interval_->setRange(1, 52);
    interval_->setPrefix(QStringLiteral("每 every "));
    interval_->setSuffix(QStringLiteral(" 周 weeks"));
    auto* days = new QHBoxLayout;
    static const char* const kNames[] = {"一", "二", "三", "四", "五", "六", "日"};
    for (int d = 0; d < 7; ++d) {
      weekdays_[d] = new QCheckBox(QString::fromUtf8(kNames[d]));
      days->addWidget(weekdays_[d]);
    }
    weekdays_[start.date().dayOfWeek() - 1]->setChecked(true);
    end_ = new QComboBox;
    end_->addItem(QStringLiteral("截止日期 Until"));
    end_->addItem(QStringLiteral("次数 Times"));
    until_ = new QDateEdit(start.date().addDays(7 * 8 - 1));
    until_->setCalendarPopup(true);
    until_->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    count_ = new QSpinBox;
    count_->setRange(1, 520);
    count_->setValue(8);
    auto* ending = new QHBoxLayout;
    ending->addWidget(end_);
    ending->addWidget(until_);
    ending->addWidget(count_);
    form->addRow(QStringLiteral("重复 Repeat"), repeat_);
    form->addRow(QStringLiteral("间隔 Interval"), interval_);
    form->addRow(QStringLiteral("星期 Weekdays"), days);
    form->addRow(QStringLiteral("结束 Ends"), ending);
    auto sync = [this] {
      const auto kind = static_cast<RepeatChoice::Kind>(repeat_->currentData().toInt());
      interval_->setEnabled(kind == RepeatChoice::Kind::kWeekly);
      for (auto* box : weekdays_) box->setEnabled(kind == RepeatChoice::Kind::kWeekly);
      end_->setEnabled(kind != RepeatChoice::Kind::kNone);
      until_->setEnabled(kind != RepeatChoice::Kind::kNone && end_->currentIndex() == 0);
      count_->setEnabled(kind != RepeatChoice::Kind::kNone && end_->currentIndex() == 1);
    };
    connect(repeat_, &QComboBox::currentIndexChanged, this, sync);
    connect(end_, &QComboBox::currentIndexChanged, this, sync);
    sync();
  }
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
  if (m.audience().person_ids_size() == 0) {
    m.mutable_audience()->set_members_only(members_only_->isChecked());
  }
  return m;
}

RepeatChoice MeetingDialog::Repeat() const {
  RepeatChoice choice;
  if (repeat_ == nullptr) return choice;
  choice.kind = static_cast<RepeatChoice::Kind>(repeat_->currentData().toInt());
  if (choice.kind == RepeatChoice::Kind::kWeekly) {
    choice.interval = interval_->value();
    for (int d = 1; d <= 7; ++d) {
      if (weekdays_[d - 1]->isChecked()) choice.weekdays.push_back(d);
    }
  }
  if (end_->currentIndex() == 0) {
    choice.until = until_->date();
  } else {
    choice.count = count_->value();
  }
  return choice;
}

std::string MeetingDialog::RepeatRule() const { return RecurrenceRule(Repeat(), start_->date()); }

std::vector<std::string> MeetingDialog::EditedPaths() {
  return {"title", "type", "start_time", "end_time", "agenda", "remote_allowed", "audience"};
}

}  // namespace branchline::desk
