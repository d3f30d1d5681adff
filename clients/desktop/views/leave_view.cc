#include "clients/desktop/views/leave_view.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
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
    : QWidget(parent),
      api_(api),
      model_(new LeaveModel(names, this)),
      absences_(new AbsencesModel(names, this)) {
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

  absences_title_ = new QLabel(QStringLiteral("长期请假 Absences over dates"));
  absences_table_ = MakeRowPickerTable(absences_);
  auto* ask = new QPushButton(QStringLiteral("申请 Request…"));
  auto* withdraw = new QPushButton(QStringLiteral("撤回 Withdraw"));
  auto* approve_absence = new QPushButton(QStringLiteral("批准 Approve"));
  auto* refuse_absence = new QPushButton(QStringLiteral("不批准 Refuse…"));
  auto* absence_buttons = new QHBoxLayout;
  absence_buttons->addWidget(absences_title_, 1);
  absence_buttons->addWidget(ask);
  absence_buttons->addWidget(withdraw);
  absence_buttons->addWidget(approve_absence);
  absence_buttons->addWidget(refuse_absence);
  layout->addLayout(absence_buttons);
  layout->addWidget(absences_table_);
  connect(ask, &QPushButton::clicked, this, [this] { AskAbsence(); });
  connect(withdraw, &QPushButton::clicked, this, [this] {
    const QModelIndex current = absences_table_->currentIndex();
    if (current.isValid()) WithdrawAbsence(current.row());
  });
  connect(approve_absence, &QPushButton::clicked, this, [this] { DecideSelectedAbsence(true); });
  connect(refuse_absence, &QPushButton::clicked, this, [this] { DecideSelectedAbsence(false); });
}

void LeaveView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  ReloadAbsences();
}

void LeaveView::ReloadAbsences() {
  v1::ListAbsencesRequest request;
  if (org_id_ == 0) {
    request.set_mine(true);
  } else {
    request.set_organization_id(org_id_);
  }
  request.set_page_size(1000);
  const uint64_t org = org_id_;
  api_->Call(this, &v1::CalendarService::Stub::ListAbsences, request,
             [this, org](const v1::ListAbsencesResponse& response) {
               if (org != org_id_) return;
               absences_->SetRows(response.absences());
               absences_title_->setText(
                   QStringLiteral("长期请假 Absences over dates: %1").arg(absences_->rowCount()));
             });
}

void LeaveView::RequestAbsence(v1::AbsenceType type, const QDate& from, const QDate& to,
                               const QString& reason) {
  v1::RequestAbsenceRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_type(type);
  *request.mutable_from_date() = ToLocalDate(from);
  *request.mutable_to_date() = ToLocalDate(to);
  request.set_reason(reason.toStdString());
  api_->Call(this, &v1::CalendarService::Stub::RequestAbsence, request,
             [this](const v1::AbsenceRequest&) { ReloadAbsences(); });
}

void LeaveView::WithdrawAbsence(int row) {
  v1::WithdrawAbsenceRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(absences_->row(row).id());
  api_->Call(this, &v1::CalendarService::Stub::WithdrawAbsence, request,
             [this](const v1::AbsenceRequest&) { ReloadAbsences(); });
}

void LeaveView::DecideAbsence(int row, bool approve, const QString& note) {
  v1::DecideAbsenceRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(absences_->row(row).id());
  request.set_approve(approve);
  request.set_note(note.toStdString());
  api_->Call(this, &v1::CalendarService::Stub::DecideAbsence, request,
             [this](const v1::AbsenceRequest&) { ReloadAbsences(); });
}

void LeaveView::DecideSelectedAbsence(bool approve) {
  const QModelIndex current = absences_table_->currentIndex();
  if (!current.isValid()) return;
  QString note;
  if (!approve) {
    bool ok = false;
    note = QInputDialog::getText(this, QStringLiteral("不批准 Refuse"),
                                 QStringLiteral("理由 Reason (required)"), QLineEdit::Normal,
                                 QString(), &ok);
    if (!ok) return;
  }
  DecideAbsence(current.row(), approve, note);
}

void LeaveView::AskAbsence() {
  QDialog dialog(this);
  dialog.setWindowTitle(QStringLiteral("申请长期请假 Request an absence"));
  auto* type = new QComboBox;
  for (int t = v1::ABSENCE_TYPE_PERSONAL_LEAVE; t <= v1::ABSENCE_TYPE_OTHER; ++t) {
    type->addItem(AbsenceTypeLabel(static_cast<v1::AbsenceType>(t)), t);
  }
  auto* from = new QDateEdit(QDate::currentDate());
  auto* to = new QDateEdit(QDate::currentDate().addDays(6));
  for (auto* edit : {from, to}) {
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
  }
  auto* reason = new QLineEdit;
  reason->setMaxLength(500);
  auto* form = new QFormLayout(&dialog);
  form->addRow(QStringLiteral("类型 Type"), type);
  form->addRow(QStringLiteral("从 From"), from);
  form->addRow(QStringLiteral("至 To"), to);
  form->addRow(QStringLiteral("事由 Reason"), reason);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  RequestAbsence(static_cast<v1::AbsenceType>(type->currentData().toInt()), from->date(),
                 to->date(), reason->text().trimmed());
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
