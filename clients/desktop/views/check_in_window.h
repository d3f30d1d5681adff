#pragma once

#include <QDateTime>
#include <QWidget>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/attendance_models.h"

class QLabel;
class QTableView;
class QTimer;

namespace branchline::desk {

// The screen the host puts on the projector: the rotating QR code and its short code (fetched
// again when the current one expires, with a countdown) beside the roster filling in as
// people check in (polled every two seconds), with the counts. Esc closes it.
class CheckInWindow : public QWidget {
  Q_OBJECT

 public:
  CheckInWindow(ApiClient* api, const branchline::v1::Meeting& meeting, QWidget* parent = nullptr);

  // Fetches the first code and roster and starts the timers.
  void Start();

  RosterModel* roster_model() const { return roster_; }
  QString code_text() const;
  QString counts_text() const;
  const branchline::v1::CheckInCode& code() const { return code_; }
  const branchline::v1::StatusCounts& counts() const { return counts_; }
  int code_fetches() const { return code_fetches_; }
  int roster_fetches() const { return roster_fetches_; }

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  // The QR code is drawn for the label's size, so it stays sharp on any projector.
  void resizeEvent(QResizeEvent* event) override;

 private:
  void FetchCode();
  void FetchRoster();
  void Tick();
  void ShowQr();

  ApiClient* api_;
  branchline::v1::Meeting meeting_;
  branchline::v1::CheckInCode code_;
  branchline::v1::StatusCounts counts_;
  QDateTime code_expires_;
  RosterModel* roster_;
  QLabel* qr_;
  QLabel* code_label_;
  QLabel* countdown_;
  QLabel* counts_label_;
  QLabel* message_;
  QTableView* table_;
  QTimer* tick_;
  QTimer* poll_;
  bool code_in_flight_ = false;
  bool roster_in_flight_ = false;
  int code_fetches_ = 0;
  int roster_fetches_ = 0;
};

}  // namespace branchline::desk
