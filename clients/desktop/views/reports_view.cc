#include "clients/desktop/views/reports_view.h"

#include <QBuffer>
#include <QDate>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPageSize>
#include <QPdfWriter>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTextDocument>
#include <QVBoxLayout>
#include <QtCharts/QChartView>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/models/table_export.h"
#include "clients/desktop/views/charts.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {

ReportsView::ReportsView(ApiClient* api, QWidget* parent)
    : QWidget(parent),
      api_(api),
      attendance_(new AttendanceReportModel(this)),
      teams_(new AttendanceReportModel(this)),
      compliance_(new ComplianceModel(this)) {
  year_ = new QSpinBox;
  year_->setRange(2000, 2100);
  year_->setValue(QDate::currentDate().year());
  year_->setPrefix(QStringLiteral("年度 Year "));
  total_ = new QLabel;
  auto* csv = new QPushButton(QStringLiteral("导出 CSV Export CSV…"));
  auto* pdf = new QPushButton(QStringLiteral("导出 PDF Export PDF…"));
  chart_ = new QChartView;
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setMinimumHeight(260);
  auto* top = new QHBoxLayout;
  top->addWidget(year_);
  top->addWidget(total_, 1);
  top->addWidget(csv);
  top->addWidget(pdf);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(new QLabel(QStringLiteral("<b>出勤率 Attendance by organisation</b>")));
  layout->addWidget(MakeTable(attendance_), 1);
  layout->addWidget(new QLabel(QStringLiteral("<b>出勤率 Attendance by team</b>")));
  layout->addWidget(MakeTable(teams_), 1);
  layout->addWidget(chart_, 1);
  layout->addWidget(new QLabel(QStringLiteral("<b>会议达标 Meeting compliance by branch</b>")));
  layout->addWidget(MakeTable(compliance_), 1);

  connect(year_, &QSpinBox::valueChanged, this, [this] { Reload(); });
  ConnectExport(
      csv, this, QStringLiteral("csv"), [this] { return Title(); },
      [this](const QString& path, QString* error) { return ExportCsv(path, error); });
  ConnectExport(
      pdf, this, QStringLiteral("pdf"), [this] { return Title(); },
      [this](const QString& path, QString* error) { return ExportPdf(path, error); });
}

void ReportsView::SetOrganization(uint64_t org_id) {
  org_id_ = org_id;
  Reload();
}

QString ReportsView::Title() const {
  return QStringLiteral("考勤报表 Attendance %1 %2").arg(org_name_).arg(year_->value());
}

void ReportsView::Reload() {
  if (org_id_ == 0) return;
  const int year = year_->value();
  const uint64_t org = org_id_;
  v1::GetAttendanceReportRequest request;
  request.set_organization_id(org);
  *request.mutable_start_time_from() = ToTimestamp(QDateTime(QDate(year, 1, 1), QTime(0, 0)));
  *request.mutable_start_time_to() = ToTimestamp(QDateTime(QDate(year + 1, 1, 1), QTime(0, 0)));
  api_->Call(this, &v1::AttendanceService::Stub::GetAttendanceReport, request,
             [this, org](const v1::AttendanceReport& report) {
               if (org != org_id_) return;
               report_ = report;
               attendance_->SetRows(report.by_organization());
               teams_->SetRows(report.by_team());
               total_->setText(QStringLiteral("会议 %1 meetings · 出勤率 attendance %2 · 完成率 "
                                              "completion %3")
                                   .arg(report.meetings())
                                   .arg(FormatPercent(report.total().attendance_rate()),
                                        FormatPercent(report.total().completion_rate())));
               QStringList names;
               QList<qreal> rates;
               for (const auto& o : report.by_organization()) {
                 names << QString::fromStdString(o.name());
                 rates << PercentRoundedHalfUp(o.rates().attendance_rate());
               }
               ShowPercentBars(chart_, QStringLiteral("出勤率 Attendance rate by organisation"),
                               names, rates, QStringLiteral("出勤率 Attendance"));
             });
  v1::GetOrganizationRequest get;
  get.set_id(org);
  api_->Call(this, &v1::OrganizationService::Stub::GetOrganization, get,
             [this, org](const v1::Organization& o) {
               if (org == org_id_) org_name_ = QString::fromStdString(o.name());
             });
  v1::GetComplianceReportRequest compliance;
  compliance.set_organization_id(org);
  compliance.set_year(year);
  compliance.set_page_size(500);
  api_->Call(this, &v1::AttendanceService::Stub::GetComplianceReport, compliance,
             [this, org](const v1::ComplianceReport& report) {
               if (org == org_id_) compliance_->SetRows(report.branches());
             });
}

bool ReportsView::ExportCsv(const QString& path, QString* error) const {
  const QString blank = QStringLiteral("\r\n");  // between the three tables
  return WriteCsvFile(
      path,
      TableToCsv(*attendance_) + blank + TableToCsv(*teams_) + blank + TableToCsv(*compliance_),
      error);
}

bool ReportsView::ExportPdf(const QString& path, QString* error) {
  QPdfWriter writer(path);
  if (!writer.setPageSize(QPageSize(QPageSize::A4))) {
    *error = QStringLiteral("page size");
    return false;
  }
  writer.setTitle(Title());
  writer.setCreator(QStringLiteral("Branchline desktop"));
  writer.setResolution(150);
  // The chart as an image inside the document, so the PDF shows what the screen shows.
  QByteArray png;
  QBuffer buffer(&png);
  buffer.open(QIODevice::WriteOnly);
  chart_->grab().toImage().save(&buffer, "PNG");
  QTextDocument document;
  document.setDefaultFont(QFont(QStringLiteral("Noto Sans CJK SC"), 9));
  document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart.png")),
                       QImage::fromData(png, "PNG"));
  const QString html =
      QStringLiteral("<h1>%1</h1><p>%2</p>")
          .arg(Title().toHtmlEscaped(), total_->text().toHtmlEscaped()) +
      TableToHtml(*attendance_, QStringLiteral("出勤率 Attendance by organisation")) +
      TableToHtml(*teams_, QStringLiteral("出勤率 Attendance by team")) +
      QStringLiteral("<p><img src='chart.png' width='600'/></p>") +
      TableToHtml(*compliance_, QStringLiteral("会议达标 Meeting compliance by branch"));
  document.setHtml(html);
  document.print(&writer);
  if (!QFile::exists(path) || QFile(path).size() == 0) {
    *error = QStringLiteral("could not write %1").arg(path);
    return false;
  }
  return true;
}

}  // namespace branchline::desk
