#pragma once

#include <QWidget>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/attendance_models.h"

class QLabel;
class QPushButton;
class QTableView;

namespace branchline::desk {

// Leave requests of the selected meeting, approved or refused (refusal needs a reason).
class LeaveView : public QWidget {
  Q_OBJECT

 public:
  LeaveView(ApiClient* api, const NameLookup* names, QWidget* parent = nullptr);

  void SetMeeting(uint64_t meeting_id);
  // Decides the request in `row`; `note` is required by the server to refuse.
  void Decide(int row, bool approve, const QString& note);

  LeaveModel* model() const { return model_; }

 private:
  void Reload();
  void DecideSelected(bool approve);

  ApiClient* api_;
  LeaveModel* model_;
  QTableView* table_;
  QLabel* title_;
  uint64_t meeting_id_ = 0;
};

}  // namespace branchline::desk
