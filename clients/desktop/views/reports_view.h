#pragma once

#include <QWidget>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/attendance_models.h"

class QChartView;
class QLabel;
class QSpinBox;

namespace branchline::desk {

// Attendance rates per sub-organisation (table and chart) and meeting compliance per branch
// for one year, exported as CSV (for spreadsheets) or PDF (for the inspection handbook).
class ReportsView : public QWidget {
  Q_OBJECT

 public:
  explicit ReportsView(ApiClient* api, QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id);
  void Reload();
  // The tables into one file; false with `error` set when the file cannot be written.
  bool ExportCsv(const QString& path, QString* error) const;
  bool ExportPdf(const QString& path, QString* error);

  AttendanceReportModel* attendance_model() const { return attendance_; }
  AttendanceReportModel* teams_model() const { return teams_; }
  ComplianceModel* compliance_model() const { return compliance_; }
  const branchline::v1::AttendanceReport& report() const { return report_; }
  QChartView* chart() const { return chart_; }

 private:
  QString Title() const;

  ApiClient* api_;
  AttendanceReportModel* attendance_;  // by the organisation that held the meetings
  AttendanceReportModel* teams_;       // by the team of the people expected
  ComplianceModel* compliance_;
  branchline::v1::AttendanceReport report_;
  QSpinBox* year_;
  QLabel* total_;
  QChartView* chart_;
  uint64_t org_id_ = 0;
  QString org_name_;
};

}  // namespace branchline::desk
