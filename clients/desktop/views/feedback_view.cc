#include "clients/desktop/views/feedback_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
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

FeedbackView::FeedbackView(ApiClient* api, const NameLookup* names, QWidget* parent)
    : QWidget(parent), api_(api), names_(names), model_(new InboxModel(names, this)) {
  header_ = new QLabel;
  overdue_only_ = new QCheckBox(QStringLiteral("只看逾期 Overdue only"));
  auto* refresh = new QPushButton(QStringLiteral("刷新 Refresh"));
  table_ = MakeRowPickerTable(model_);
  thread_ = new QTextBrowser;
  reply_ = new QPlainTextEdit;
  reply_->setPlaceholderText(QStringLiteral("回复或备注 Reply or note…"));
  reply_->setMaximumHeight(90);
  auto* send_reply = new QPushButton(QStringLiteral("公开回复 Reply"));
  auto* send_note = new QPushButton(QStringLiteral("内部备注 Internal note"));
  assignee_ = new QComboBox;
  auto* assign = new QPushButton(QStringLiteral("指派 Assign"));
  auto* escalate = new QPushButton(QStringLiteral("上报上级 Escalate…"));
  state_ = new QComboBox;
  for (auto s : {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS,
                 v1::LETTER_STATE_RESOLVED, v1::LETTER_STATE_CLOSED, v1::LETTER_STATE_REFUSED}) {
    state_->addItem(LetterStateLabel(s), static_cast<int>(s));
  }
  auto* transition = new QPushButton(QStringLiteral("变更状态 Set state"));

  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
  top->addWidget(overdue_only_);
  top->addWidget(refresh);
  auto* actions = new QGridLayout;
  actions->addWidget(reply_, 0, 0, 1, 4);
  actions->addWidget(send_reply, 1, 0);
  actions->addWidget(send_note, 1, 1);
  actions->addWidget(escalate, 1, 2, 1, 2);
  actions->addWidget(assignee_, 2, 0);
  actions->addWidget(assign, 2, 1);
  actions->addWidget(state_, 2, 2);
  actions->addWidget(transition, 2, 3);
  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(thread_, 1);
  right_layout->addLayout(actions);
  auto* split = new QSplitter;
  split->addWidget(table_);
  split->addWidget(right);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);

  connect(refresh, &QPushButton::clicked, this, &FeedbackView::Reload);
  connect(overdue_only_, &QCheckBox::toggled, this, &FeedbackView::Reload);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid()) LoadThread(model_->row(current.row()).id());
          });
  connect(send_reply, &QPushButton::clicked, this, [this] { Reply(reply_->toPlainText(), false); });
  connect(send_note, &QPushButton::clicked, this, [this] { Reply(reply_->toPlainText(), true); });
  connect(assign, &QPushButton::clicked, this,
          [this] { Assign(assignee_->currentData().toULongLong()); });
  connect(escalate, &QPushButton::clicked, this, [this] {
    bool ok = false;
    const QString reason =
        QInputDialog::getText(this, QStringLiteral("上报 Escalate"), QStringLiteral("原因 Reason"),
                              QLineEdit::Normal, QString(), &ok);
    if (ok) Escalate(reason);
  });
  connect(transition, &QPushButton::clicked, this, [this] {
    const auto state = static_cast<v1::LetterState>(state_->currentData().toInt());
    QString reason;
    if (state == v1::LETTER_STATE_REFUSED) {
      bool ok = false;
      reason = QInputDialog::getText(this, QStringLiteral("不予受理 Refuse"),
                                     QStringLiteral("理由 Reason (required)"), QLineEdit::Normal,
                                     QString(), &ok);
      if (!ok) return;
    }
    Transition(state, reason);
  });
}

void FeedbackView::SetOrganization(uint64_t org_id, const std::vector<v1::Person>& people) {
  org_id_ = org_id;
  letter_id_ = 0;
  thread_->clear();
  assignee_->clear();
  for (const auto& p : people) {
    if (p.kind() == v1::PERSON_KIND_SERVICE) continue;
    assignee_->addItem(QString::fromStdString(p.display_name()),
                       QVariant::fromValue<qulonglong>(p.id()));
  }
  Reload();
}

void FeedbackView::Reload() {
  if (org_id_ == 0) return;
  v1::ListInboxRequest request;
  request.set_organization_id(org_id_);
  request.set_overdue_only(overdue_only_->isChecked());
  request.set_page_size(500);
  const uint64_t org = org_id_;
  api_->Call(this, &v1::FeedbackService::Stub::ListInbox, request,
             [this, org](const v1::ListLettersResponse& response) {
               if (org != org_id_) return;
               model_->SetRows(response.letters());
               table_->resizeColumnsToContents();
               header_->setText(QStringLiteral("<b>来信 %1 letters</b> · <span "
                                               "style='color:#b00020'>逾期 %2 overdue</span>")
                                    .arg(model_->rowCount())
                                    .arg(model_->OverdueCount()));
               if (letter_id_ == 0 || !SelectLetter(letter_id_)) {
                 if (model_->rowCount() > 0) table_->selectRow(0);
               }
             });
}

bool FeedbackView::SelectLetter(uint64_t letter_id) {
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (model_->row(r).id() == letter_id) {
      table_->selectRow(r);
      LoadThread(letter_id);
      return true;
    }
  }
  return false;
}

QString FeedbackView::thread_html() const { return thread_->toHtml(); }
QString FeedbackView::thread_text() const { return thread_->toPlainText(); }

void FeedbackView::LoadThread(uint64_t letter_id) {
  letter_id_ = letter_id;
  v1::GetLetterRequest get;
  get.set_id(letter_id);
  api_->Call(this, &v1::FeedbackService::Stub::GetLetter, get,
             [this, letter_id](const v1::Letter& letter) {
               if (letter_id != letter_id_) return;
               letter_ = letter;
               v1::ListLetterEventsRequest list;
               list.set_id(letter_id);
               list.set_page_size(500);
               api_->Call(this, &v1::FeedbackService::Stub::ListLetterEvents, list,
                          [this, letter_id](const v1::ListLetterEventsResponse& response) {
                            if (letter_id != letter_id_) return;
                            events_.assign(response.events().begin(), response.events().end());
                            thread_->setHtml(RenderThreadHtml(letter_, events_, *names_));
                          });
             });
}

void FeedbackView::AfterAction(uint64_t letter_id) {
  reply_->clear();
  letter_id_ = letter_id;
  Reload();
}

void FeedbackView::Reply(const QString& text, bool internal_note) {
  if (letter_id_ == 0 || text.trimmed().isEmpty()) return;
  const uint64_t id = letter_id_;
  if (internal_note) {
    v1::AddInternalNoteRequest request;
    request.set_request_id(ApiClient::NewRequestId());
    request.set_id(id);
    request.set_text(text.toStdString());
    api_->Call(this, &v1::FeedbackService::Stub::AddInternalNote, request,
               [this, id](const v1::LetterEvent&) { AfterAction(id); });
    return;
  }
  v1::ReplyToLetterRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(id);
  request.set_text(text.toStdString());
  api_->Call(this, &v1::FeedbackService::Stub::ReplyToLetter, request,
             [this, id](const v1::LetterEvent&) { AfterAction(id); });
}

void FeedbackView::Assign(uint64_t person_id) {
  if (letter_id_ == 0 || person_id == 0) return;
  v1::AssignLetterRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(letter_id_);
  request.set_assignee_person_id(person_id);
  api_->Call(this, &v1::FeedbackService::Stub::AssignLetter, request,
             [this](const v1::Letter& l) { AfterAction(l.id()); });
}

void FeedbackView::Escalate(const QString& reason) {
  if (letter_id_ == 0) return;
  v1::EscalateLetterRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(letter_id_);
  request.set_reason(reason.toStdString());
  // The letter leaves this inbox for the parent's; the list reload shows that.
  api_->Call(this, &v1::FeedbackService::Stub::EscalateLetter, request,
             [this](const v1::Letter&) { AfterAction(0); });
}

void FeedbackView::Transition(v1::LetterState state, const QString& reason) {
  if (letter_id_ == 0) return;
  v1::TransitionLetterRequest request;
  request.set_request_id(ApiClient::NewRequestId());
  request.set_id(letter_id_);
  request.set_state(state);
  request.set_reason(reason.toStdString());
  api_->Call(this, &v1::FeedbackService::Stub::TransitionLetter, request,
             [this](const v1::Letter& l) { AfterAction(l.id()); });
}

}  // namespace branchline::desk
