#include "clients/desktop/views/study_view.h"

#include <QDate>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QChartView>
#include <memory>

#include "clients/desktop/models/formatting.h"
#include "clients/desktop/views/charts.h"
#include "clients/desktop/views/tables.h"

namespace branchline::desk {
namespace {

// People whose records feed the "over time" line; a branch office has a few dozen.
constexpr size_t kTimelinePeople = 300;

}  // namespace

StudyView::StudyView(ApiClient* api, QWidget* parent)
    : QWidget(parent),
      api_(api),
      items_(new PlanItemsModel(this)),
      progress_(new ProgressModel(this)),
      records_(new StudyRecordsModel(this)),
      sub_orgs_(new SubOrgStudyModel(this)) {
  year_ = new QSpinBox;
  year_->setRange(2000, 2100);
  year_->setValue(QDate::currentDate().year());
  year_->setPrefix(QStringLiteral("年度 Year "));
  summary_ = new QLabel;
  plans_ = new QListWidget;
  people_list_ = new QListWidget;
  completion_chart_ = new QChartView;
  completion_chart_->setRenderHint(QPainter::Antialiasing);
  completion_chart_->setMinimumHeight(220);
  timeline_chart_ = new QChartView;
  timeline_chart_->setRenderHint(QPainter::Antialiasing);
  timeline_chart_->setMinimumHeight(220);

  auto* top = new QHBoxLayout;
  top->addWidget(year_);
  top->addWidget(summary_, 1);
  auto* grid = new QGridLayout;
  grid->addWidget(Titled(QStringLiteral("学习计划 Plans"), plans_), 0, 0);
  grid->addWidget(Titled(QStringLiteral("计划内容 Items"), MakeTable(items_)), 0, 1);
  grid->addWidget(Titled(QStringLiteral("人员 People"), people_list_), 0, 2);
  grid->addWidget(Titled(QStringLiteral("个人进度 Progress"), MakeTable(progress_)), 0, 3);
  grid->addWidget(Titled(QStringLiteral("学习记录与笔记 Records and notes"), MakeTable(records_)),
                  1, 0, 1, 2);
  grid->addWidget(
      Titled(QStringLiteral("各组织完成情况 By sub-organisation"), MakeTable(sub_orgs_)), 1, 2, 1,
      2);
  grid->addWidget(completion_chart_, 2, 0, 1, 2);
  grid->addWidget(timeline_chart_, 2, 2, 1, 2);
  grid->setColumnStretch(1, 2);
  grid->setColumnStretch(3, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(grid, 1);

  connect(year_, &QSpinBox::valueChanged, this, [this] { Reload(); });
  connect(plans_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0 && row < static_cast<int>(plan_rows_.size())) {
      items_->SetRows(plan_rows_[static_cast<size_t>(row)].items());
    } else {
      items_->SetRows(std::vector<v1::StudyPlanItem>{});
    }
  });
  connect(people_list_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    if (item != nullptr) SelectPerson(item->data(Qt::UserRole).toULongLong());
  });
}

void StudyView::SetOrganization(uint64_t org_id, const std::vector<v1::Person>& people) {
  org_id_ = org_id;
  people_.clear();
  for (const auto& p : people) {
    if (p.kind() != v1::PERSON_KIND_SERVICE && !p.system_admin()) people_.push_back(p);
  }
  people_list_->clear();
  for (const auto& p : people_) {
    auto* item = new QListWidgetItem(QString::fromStdString(p.display_name()), people_list_);
    item->setData(Qt::UserRole, QVariant::fromValue<qulonglong>(p.id()));
  }
  Reload();
}

void StudyView::Reload() {
  if (org_id_ == 0) return;
  const int generation = ++generation_;
  progress_->SetRows(std::vector<v1::ItemProgress>{});
  records_->SetRows(std::vector<v1::StudyRecord>{});
  v1::ListStudyPlansRequest plans;
  plans.set_organization_id(org_id_);
  plans.set_year(year_->value());
  plans.set_include_descendants(true);
  plans.set_page_size(200);
  api_->Call(this, &v1::StudyService::Stub::ListStudyPlans, plans,
             [this, generation](const v1::ListStudyPlansResponse& response) {
               if (generation != generation_) return;
               plan_rows_.assign(response.plans().begin(), response.plans().end());
               plans_->clear();
               for (const auto& p : plan_rows_) plans_->addItem(QString::fromStdString(p.title()));
               if (!plan_rows_.empty()) plans_->setCurrentRow(0);
             });
  v1::GetStudyReportRequest report;
  report.set_organization_id(org_id_);
  report.set_year(year_->value());
  api_->Call(
      this, &v1::StudyService::Stub::GetStudyReport, report,
      [this, generation](const v1::StudyReport& response) {
        if (generation != generation_) return;
        sub_orgs_->SetRows(response.sub_organizations());
        summary_->setText(
            QStringLiteral("共 %1 人 people · 落后 %2 behind · 笔记达标 %3 notes quota met · "
                           "%4 分钟 minutes")
                .arg(response.people())
                .arg(response.people_behind())
                .arg(response.notes_quota_met())
                .arg(response.total_minutes()));
        QStringList names;
        QList<qreal> percents;
        for (const auto& s : response.sub_organizations()) {
          names << QString::fromStdString(s.name());
          percents << PercentRoundedHalfUp(CompletionShare(s));
        }
        ShowPercentBars(completion_chart_,
                        QStringLiteral("学习计划完成率 Plan completion by sub-organisation"), names,
                        percents, QStringLiteral("完成率 Completion"));
      });
  LoadTimeline();
  if (!people_.empty()) people_list_->setCurrentRow(0);
}

void StudyView::LoadTimeline() {
  const int generation = generation_;
  auto collected = std::make_shared<std::vector<v1::StudyRecord>>();
  auto remaining = std::make_shared<size_t>(std::min(people_.size(), kTimelinePeople));
  timeline_days_ = 0;
  // Plans were asked for first and calls run in order, so plan_rows_ is loaded by then.
  auto finish = [this, collected] {
    std::map<QDate, double> percents;
    for (const auto& [day, share] :
         CompletionByDay(*collected, plan_rows_, static_cast<int>(people_.size()))) {
      percents[day] = PercentRoundedHalfUp(share);
    }
    timeline_days_ = static_cast<int>(percents.size());
    timeline_last_percent_ = percents.empty() ? 0.0 : percents.rbegin()->second;
    ShowDailyPercentLine(timeline_chart_,
                         QStringLiteral("学习计划完成率变化 Plan completion over time"), percents,
                         QStringLiteral("完成率 Completion"));
  };
  if (*remaining == 0) {
    finish();
    return;
  }
  for (size_t i = 0; i < *remaining; ++i) {
    v1::ListStudyRecordsRequest request;
    request.set_person_id(people_[i].id());
    request.set_page_size(1000);
    auto done = [this, generation, collected, remaining, finish] {
      if (generation != generation_) return;
      if (--*remaining == 0) finish();
    };
    const int year = year_->value();
    api_->Call(
        this, &v1::StudyService::Stub::ListStudyRecords, request,
        [collected, done, year](const v1::ListStudyRecordsResponse& response) {
          for (const auto& r : response.records()) {
            if (QString::fromStdString(r.local_date()).startsWith(QString::number(year))) {
              collected->push_back(r);
            }
          }
          done();
        },
        [done](const QString&) { done(); });
  }
}

void StudyView::SelectPerson(uint64_t person_id) {
  const int generation = generation_;
  v1::GetStudyProgressRequest progress;
  progress.set_person_id(person_id);
  progress.set_year(year_->value());
  api_->Call(this, &v1::StudyService::Stub::GetStudyProgress, progress,
             [this, generation](const v1::StudyProgress& response) {
               if (generation == generation_) progress_->SetRows(response.items());
             });
  v1::ListStudyRecordsRequest records;
  records.set_person_id(person_id);
  records.set_page_size(200);
  api_->Call(this, &v1::StudyService::Stub::ListStudyRecords, records,
             [this, generation](const v1::ListStudyRecordsResponse& response) {
               if (generation == generation_) records_->SetRows(response.records());
             });
}

}  // namespace branchline::desk
