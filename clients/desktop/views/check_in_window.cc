#include "clients/desktop/views/check_in_window.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/models/qr_image.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {

CheckInWindow::CheckInWindow(ApiClient* api, const v1::Meeting& meeting, QWidget* parent)
    : QWidget(parent), api_(api), meeting_(meeting), roster_(new RosterModel(this)) {
  setWindowTitle(QStringLiteral("签到 Check-in — %1").arg(QString::fromStdString(meeting.title())));
  setStyleSheet(QStringLiteral("background:white"));
  auto* title = new QLabel(QStringLiteral("%1\n%2").arg(QString::fromStdString(meeting.title()),
                                                        FormatTime(meeting.start_time())));
  title->setStyleSheet(QStringLiteral("font-size:28px;font-weight:bold"));
  title->setAlignment(Qt::AlignCenter);
  qr_ = new QLabel;
  qr_->setAlignment(Qt::AlignCenter);
  qr_->setMinimumSize(360, 360);
  code_label_ = new QLabel(QStringLiteral("……"));
  code_label_->setAlignment(Qt::AlignCenter);
  code_label_->setStyleSheet(
      QStringLiteral("font-size:64px;font-weight:bold;letter-spacing:12px;font-family:monospace"));
  countdown_ = new QLabel;
  countdown_->setAlignment(Qt::AlignCenter);
  countdown_->setStyleSheet(QStringLiteral("font-size:20px;color:#555"));
  message_ = new QLabel;
  message_->setWordWrap(true);
  message_->setStyleSheet(QStringLiteral("color:#b00020;font-size:16px"));
  counts_label_ = new QLabel;
  counts_label_->setWordWrap(true);
  counts_label_->setStyleSheet(QStringLiteral("font-size:22px;font-weight:bold"));
  table_ = MakeTable(roster_);
  table_->setStyleSheet(QStringLiteral("font-size:18px"));

  auto* left = new QVBoxLayout;
  left->addWidget(title);
  left->addWidget(qr_, 1);
  left->addWidget(code_label_);
  left->addWidget(countdown_);
  left->addWidget(message_);
  auto* right = new QVBoxLayout;
  right->addWidget(counts_label_);
  right->addWidget(table_, 1);
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(left, 1);
  layout->addLayout(right, 1);

  tick_ = new QTimer(this);
  tick_->setInterval(1000);
  connect(tick_, &QTimer::timeout, this, &CheckInWindow::Tick);
  poll_ = new QTimer(this);
  poll_->setInterval(2000);
  connect(poll_, &QTimer::timeout, this, &CheckInWindow::FetchRoster);
}

void CheckInWindow::Start() {
  FetchCode();
  FetchRoster();
  tick_->start();
  poll_->start();
}

QString CheckInWindow::code_text() const { return code_label_->text(); }
QString CheckInWindow::counts_text() const { return counts_label_->text(); }

void CheckInWindow::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Escape) {
    close();
    return;
  }
  QWidget::keyPressEvent(event);
}

void CheckInWindow::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  ShowQr();
}

void CheckInWindow::ShowQr() {
  const QString payload = QString::fromStdString(code_.qr_payload());
  const QImage unit = RenderQrCode(payload, 1);
  if (unit.isNull()) return;
  const int side = std::max(200, std::min(qr_->width(), qr_->height()));
  qr_->setPixmap(QPixmap::fromImage(RenderQrCode(payload, std::max(1, side / unit.width()))));
}

void CheckInWindow::Tick() {
  if (!code_expires_.isValid()) return;
  const qint64 left = QDateTime::currentDateTime().secsTo(code_expires_);
  countdown_->setText(QStringLiteral("二维码刷新 new code in %1").arg(FormatCountdown(left)));
  if (left <= 0) FetchCode();
}

void CheckInWindow::FetchCode() {
  if (code_in_flight_) return;
  code_in_flight_ = true;
  v1::GetCheckInCodeRequest request;
  request.set_meeting_id(meeting_.id());
  api_->Call(
      this, &v1::AttendanceService::Stub::GetCheckInCode, request,
      [this](const v1::CheckInCode& code) {
        code_in_flight_ = false;
        ++code_fetches_;
        code_ = code;
        code_expires_ = ToDateTime(code.expire_time());
        code_label_->setText(QString::fromStdString(code.code()));
        ShowQr();
        message_->clear();
        Tick();
      },
      [this](const QString& message) {
        code_in_flight_ = false;
        // Outside the window or unreachable: say so, and try again on the next expiry.
        message_->setText(message);
        code_expires_ = QDateTime::currentDateTime().addSecs(10);
      });
}

void CheckInWindow::FetchRoster() {
  if (roster_in_flight_) return;
  roster_in_flight_ = true;
  v1::GetRosterRequest request;
  request.set_meeting_id(meeting_.id());
  request.set_page_size(1000);
  api_->Call(
      this, &v1::AttendanceService::Stub::GetRoster, request,
      [this](const v1::Roster& roster) {
        roster_in_flight_ = false;
        ++roster_fetches_;
        counts_ = roster.counts();
        counts_label_->setText(FormatCounts(roster.counts()));
        roster_->SetRows(roster.entries());
        table_->resizeColumnsToContents();
      },
      [this](const QString& message) {
        roster_in_flight_ = false;
        message_->setText(message);
      });
}

}  // namespace branchline::desk
