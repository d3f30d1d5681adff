#pragma once

#include <QWidget>
#include <vector>

#include "branchline/v1/people.pb.h"
#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/study_models.h"

class QChartView;
class QLabel;
class QListWidget;
class QSpinBox;
class QTableView;

namespace branchline::desk {

// Study of the selected organisation for one year: plans and their items, one person's
// progress and notes, and two charts: completion by sub-organisation and completion of the
// selection's plans over time (from everyone's study records).
class StudyView : public QWidget {
  Q_OBJECT

 public:
  explicit StudyView(ApiClient* api, QWidget* parent = nullptr);

  void SetOrganization(uint64_t org_id, const std::vector<branchline::v1::Person>& people);
  void Reload();
  // Shows one person's progress and records.
  void SelectPerson(uint64_t person_id);

  QListWidget* plans_list() const { return plans_; }
  PlanItemsModel* items_model() const { return items_; }
  ProgressModel* progress_model() const { return progress_; }
  StudyRecordsModel* records_model() const { return records_; }
  SubOrgStudyModel* sub_org_model() const { return sub_orgs_; }
  QChartView* completion_chart() const { return completion_chart_; }
  QChartView* timeline_chart() const { return timeline_chart_; }
  // Days on the "over time" line (for tests).
  int timeline_days() const { return timeline_days_; }
  double timeline_last_percent() const { return timeline_last_percent_; }

 private:
  void LoadTimeline();

  ApiClient* api_;
  uint64_t org_id_ = 0;
  std::vector<branchline::v1::Person> people_;
  std::vector<branchline::v1::StudyPlan> plan_rows_;
  QSpinBox* year_;
  QListWidget* plans_;
  QListWidget* people_list_;
  PlanItemsModel* items_;
  ProgressModel* progress_;
  StudyRecordsModel* records_;
  SubOrgStudyModel* sub_orgs_;
  QLabel* summary_;
  QChartView* completion_chart_;
  QChartView* timeline_chart_;
  int timeline_days_ = 0;
  double timeline_last_percent_ = 0;
  int generation_ = 0;  // bumps on every reload; stale answers are dropped
};

}  // namespace branchline::desk
