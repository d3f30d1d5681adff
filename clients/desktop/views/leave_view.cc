#include "clients/desktop/views/leave_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "clients/desktop/views/tables.h"

namespace branchline::desk {

LeaveView::LeaveView(ApiClient* api, const NameLookup* names, QWidget* parent)
    : QWidget(parent), api_(api), model_(new LeaveModel(names, this)) {
  title_ = new QLabel(QStringLiteral("请假审批 Leave requests (select a meeting)"));
  table_ = MakeRowPickerTable(model_);
  auto* approve = new QPushButton(QStringLiteral("批准 Approve"));
  auto* refuse = new QPushButton(QStringLiteral("不批准 Refuse…"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(title_, 1);
  buttons->addWidget(approve);
  buttons->addWidget(refuse);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(buttons);
  layout->addWidget(table_);
  connect(approve, &QPushButton::clicked, this, [this] { DecideSelected(true); });
  connect(refuse, &QPushButton::clicked, this, [this] { DecideSelected(false); });
}

void LeaveView::SetMeeting(uint64_t meeting_id) {
  meeting_id_ = meeting_id;
  Reload();
}

void LeaveView::Reload() {
  model_->SetRows(std::vector<v1::LeaveRequest>{});
  if (meeting_id_ == 0) return;
  v1::ListLeaveRequestsRequest request;
  request.set_meeting_id(meeting_id_);
  request.set_page_size(1000);
  const uint64_t meeting = meeting_id_;
  api_->Call(
      this, &v1::AttendanceService::Stub::ListLeaveRequests, request,
      [this, meeting](const v1::ListLeaveRequestsResponse& response) {
        if (meeting != meeting_id_) return;
        model_->SetRows(response.leave_requests());
        title_->setText(QStringLiteral("请假审批 Leave requests: %1").arg(model_->rowCount()));
      });
}

void LeaveView::DecideSelected(bool approve) {
  const QModelIndex current = table_->currentIndex();
  if (!current.isValid()) return;
  QString note;
  if (!approve) {
    bool ok = false;
    note = QInputDialog::getText(this, QStringLiteral("不批准 Refuse"),
                                 QStringLiteral("理由 Reason (required)"), QLineEdit::Normal,
                                 QString(), &ok);
    if (!ok) return;
  }
  Decide(current.row(), approve, note);
}

void LeaveView::Decide(int row, bool approve, const QString& note) {
  const v1::LeaveRequest& leave = model_->row(row);
  v1::DecideLeaveRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_meeting_id(leave.meeting_id());
  request.set_person_id(leave.person_id());
  request.set_approve(approve);
  request.set_note(note.toStdString());
  api_->Call(this, &v1::AttendanceService::Stub::DecideLeave, request,
             [this](const v1::LeaveRequest&) { Reload(); });
}

}  // namespace branchline::desk
