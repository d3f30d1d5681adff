#include "clients/desktop/views/meetings_view.h"

#include <QCalendarWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QPushButton>
#include <QScreen>
#include <QSplitter>
#include <QTableView>
#include <QTextCharFormat>
#include <QVBoxLayout>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/views/check_in_window.h"
#include "clients/desktop/views/leave_view.h"
#include "clients/desktop/views/meeting_dialog.h"
#include "clients/desktop/views/minutes_dialog.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {

MeetingsView::MeetingsView(ApiClient* api, const NameLookup* names, QWidget* parent)
    : QWidget(parent), api_(api), names_(names), model_(new MeetingsModel(this)) {
  calendar_ = new QCalendarWidget;
  calendar_->setGridVisible(true);
  calendar_->setFirstDayOfWeek(Qt::Monday);
  table_ = MakeRowPickerTable(model_);
  auto* schedule = new QPushButton(QStringLiteral("安排会议 Schedule…"));
  auto* edit = new QPushButton(QStringLiteral("编辑 Edit…"));
  auto* cancel = new QPushButton(QStringLiteral("取消会议 Cancel…"));
  auto* check_in = new QPushButton(QStringLiteral("签到大屏 Check-in screen"));
  auto* minutes = new QPushButton(QStringLiteral("纪要 Minutes…"));
  auto* refresh = new QPushButton(QStringLiteral("刷新 Refresh"));
  auto* buttons = new QHBoxLayout;
  for (auto* b : {schedule, edit, cancel, check_in, minutes, refresh}) buttons->addWidget(b);
  buttons->addStretch();
  leave_ = new LeaveView(api, names);

  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addLayout(buttons);
  right_layout->addWidget(table_);
  auto* top = new QSplitter;
  top->addWidget(calendar_);
  top->addWidget(right);
  top->setStretchFactor(1, 1);
  auto* vertical = new QSplitter(Qt::Vertical);
  vertical->addWidget(top);
  vertical->addWidget(leave_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(vertical);

  connect(calendar_, &QCalendarWidget::currentPageChanged, this, [this] { Reload(); });
  connect(calendar_, &QCalendarWidget::clicked, this, [this](QDate day) {
    for (int r = 0; r < model_->rowCount(); ++r) {
      if (ToDateTime(model_->row(r).start_time()).date() == day) {
        table_->selectRow(r);
        return;
      }
    }
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            leave_->SetMeeting(current.isValid() ? model_->row(current.row()).id() : 0);
          });
  connect(schedule, &QPushButton::clicked, this, &MeetingsView::ScheduleNew);
  connect(edit, &QPushButton::clicked, this, &MeetingsView::EditSelected);
  connect(cancel, &QPushButton::clicked, this, &MeetingsView::CancelSelected);
  connect(check_in, &QPushButton::clicked, this, [this] {
    if (const v1::Meeting* m = Selected()) OpenCheckIn(m->id());
  });
  connect(minutes, &QPushButton::clicked, this, [this] {
    if (const v1::Meeting* m = Selected()) OpenMinutes(m->id());
  });
  connect(refresh, &QPushButton::clicked, this, &MeetingsView::Reload);
}

void MeetingsView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  leave_->SetOrganization(org_id);
  Reload();
}

void MeetingsView::Reload() {
  if (org_id_ == 0) return;
  // The shown month plus the days of the neighbouring months the calendar also shows.
  const QDate first(calendar_->yearShown(), calendar_->monthShown(), 1);
  v1::ListMeetingsRequest request;
  request.set_organization_id(org_id_);
  *request.mutable_start_time_from() = ToTimestamp(QDateTime(first.addDays(-7), QTime(0, 0)));
  *request.mutable_start_time_to() =
      ToTimestamp(QDateTime(first.addMonths(1).addDays(14), QTime(0, 0)));
  request.set_show_cancelled(true);
  request.set_page_size(500);
  const uint64_t org = org_id_;
  api_->Call(this, &v1::AttendanceService::Stub::ListMeetings, request,
             [this, org](const v1::ListMeetingsResponse& response) {
               if (org != org_id_) return;
               const uint64_t selected = Selected() ? Selected()->id() : 0;
               model_->SetRows(response.meetings());
               table_->resizeColumnsToContents();
               MarkCalendarDays();
               if (selected == 0 || !SelectMeeting(selected)) leave_->SetMeeting(0);
             });
}

void MeetingsView::MarkCalendarDays() {
  calendar_->setDateTextFormat(QDate(), QTextCharFormat());
  QTextCharFormat marked;
  marked.setFontWeight(QFont::Bold);
  marked.setBackground(QColor(0xd1, 0xec, 0xf1));
  for (const auto& m : model_->rows()) {
    if (!m.cancelled()) calendar_->setDateTextFormat(ToDateTime(m.start_time()).date(), marked);
  }
}

bool MeetingsView::SelectMeeting(uint64_t meeting_id) {
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (model_->row(r).id() == meeting_id) {
      table_->selectRow(r);
      leave_->SetMeeting(meeting_id);
      return true;
    }
  }
  return false;
}

const v1::Meeting* MeetingsView::Selected() const {
  const QModelIndex current = table_->currentIndex();
  return current.isValid() && current.row() < model_->rowCount() ? &model_->row(current.row())
                                                                 : nullptr;
}

CheckInWindow* MeetingsView::OpenCheckIn(uint64_t meeting_id, bool full_screen) {
  for (const auto& m : model_->rows()) {
    if (m.id() != meeting_id) continue;
    auto* window = new CheckInWindow(api_, m);
    window->setAttribute(Qt::WA_DeleteOnClose);
    if (full_screen) {
      // Without a window manager (a kiosk, Xvfb) full screen alone keeps the default size.
      window->setGeometry(screen()->geometry());
      window->showFullScreen();
    } else {
      window->show();
    }
    window->Start();
    return window;
  }
  return nullptr;
}

MinutesDialog* MeetingsView::OpenMinutes(uint64_t meeting_id) {
  for (const auto& m : model_->rows()) {
    if (m.id() != meeting_id) continue;
    auto* dialog = new MinutesDialog(api_, m, names_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->Load();
    return dialog;
  }
  return nullptr;
}

void MeetingsView::ScheduleNew() {
  if (org_id_ == 0) return;
  v1::Meeting blank;
  blank.set_type(v1::MEETING_TYPE_GROUP_MEETING);
  MeetingDialog dialog(blank, this);
  if (dialog.exec() != QDialog::Accepted) return;
  const std::string rule = dialog.RepeatRule();
  if (rule.empty()) {
    SaveMeeting(dialog.Result());
  } else {
    SaveSeries(dialog.Result(), rule);
  }
}

void MeetingsView::SaveSeries(const v1::Meeting& meeting, const std::string& rule) {
  v1::CreateMeetingSeriesRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  auto* series = request.mutable_series();
  *series->mutable_meeting() = meeting;
  series->mutable_meeting()->set_organization_id(org_id_);
  series->set_rule(rule);
  api_->Call(this, &v1::CalendarService::Stub::CreateMeetingSeries, request,
             [this](const v1::MeetingSeries& created) {
               calendar_->setSelectedDate(ToDateTime(created.meeting().start_time()).date());
               Reload();
             });
}

void MeetingsView::EditSelected() {
  const v1::Meeting* m = Selected();
  if (m == nullptr) return;
  MeetingDialog dialog(*m, this);
  if (dialog.exec() == QDialog::Accepted) SaveMeeting(dialog.Result());
}

void MeetingsView::SaveMeeting(const v1::Meeting& meeting) {
  if (meeting.id() == 0) {
    v1::CreateMeetingRequest request;
    request.set_request_id(ApiClient::NewRequestId());
    *request.mutable_meeting() = meeting;
    request.mutable_meeting()->set_organization_id(org_id_);
    api_->Call(this, &v1::AttendanceService::Stub::CreateMeeting, request,
               [this](const v1::Meeting& created) {
                 calendar_->setSelectedDate(ToDateTime(created.start_time()).date());
                 Reload();
               });
    return;
  }
  v1::UpdateMeetingRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  *request.mutable_meeting() = meeting;
  for (const auto& path : MeetingDialog::EditedPaths())
    request.mutable_update_mask()->add_paths(path);
  api_->Call(this, &v1::AttendanceService::Stub::UpdateMeeting, request,
             [this](const v1::Meeting&) { Reload(); });
}

void MeetingsView::CancelSelected() {
  const v1::Meeting* m = Selected();
  if (m == nullptr) return;
  bool ok = false;
  const QString reason =
      QInputDialog::getText(this, QStringLiteral("取消会议 Cancel meeting"),
                            QStringLiteral("原因 Reason"), QLineEdit::Normal, QString(), &ok);
  if (!ok) return;
  v1::CancelMeetingRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(m->id());
  request.set_reason(reason.toStdString());
  api_->Call(this, &v1::AttendanceService::Stub::CancelMeeting, request,
             [this](const v1::Meeting&) { Reload(); });
}

}  // namespace branchline::desk
