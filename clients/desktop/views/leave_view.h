#pragma once

#include <QWidget>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/attendance_models.h"
#include "clients/desktop/models/calendar_models.h"

class QLabel;
class QPushButton;
class QTableView;

namespace branchline::desk {

// Leave requests of the selected meeting, approved or refused (refusal needs a reason); below
// them the absences over date ranges of the organisation's people (CalendarService): request
// one's own, withdraw it, and (managers) approve or refuse.
class LeaveView : public QWidget {
  Q_OBJECT

 public:
  LeaveView(ApiClient* api, const NameLookup* names, QWidget* parent = nullptr);

  void SetMeeting(uint64_t meeting_id);
  // Decides the request in `row`; `note` is required by the server to refuse.
  void Decide(int row, bool approve, const QString& note);

  LeaveModel* model() const { return model_; }

  // The organisation whose people's absences are listed (0: the caller's own).
  void SetOrganization(uint64_t org_id);
  void ReloadAbsences();
  void RequestAbsence(v1::AbsenceType type, const QDate& from, const QDate& to,
                      const QString& reason);
  void WithdrawAbsence(int row);
  void DecideAbsence(int row, bool approve, const QString& note);
  AbsencesModel* absences() const { return absences_; }

 private:
  void Reload();
  void DecideSelected(bool approve);
  void DecideSelectedAbsence(bool approve);
  void AskAbsence();

  ApiClient* api_;
  LeaveModel* model_;
  QTableView* table_;
  QLabel* title_;
  uint64_t meeting_id_ = 0;
  AbsencesModel* absences_;
  QTableView* absences_table_;
  QLabel* absences_title_;
  uint64_t org_id_ = 0;
};

}  // namespace branchline::desk
