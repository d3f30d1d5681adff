#pragma once

#include <QDate>
#include <QString>
#include <map>
#include <vector>

#include "branchline/v1/study.pb.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// The items of one study plan.
class PlanItemsModel : public ProtoTableModel<v1::StudyPlanItem> {
 public:
  explicit PlanItemsModel(QObject* parent = nullptr);
};

// One person's progress per plan item; items behind schedule stand out.
class ProgressModel : public ProtoTableModel<v1::ItemProgress> {
 public:
  explicit ProgressModel(QObject* parent = nullptr);
};

// One person's study records with their notes (读书笔记).
class StudyRecordsModel : public ProtoTableModel<v1::StudyRecord> {
 public:
  explicit StudyRecordsModel(QObject* parent = nullptr);
};

// Completion per sub-organisation (the report's sub_organizations rows).
class SubOrgStudyModel : public ProtoTableModel<v1::SubOrganizationReport> {
 public:
  explicit SubOrgStudyModel(QObject* parent = nullptr);
};

// Share of people who completed their plans, 0 when nobody is expected.
double CompletionShare(const v1::SubOrganizationReport& report);

// Minutes studied up to and including each day with records (cumulative), from the records of
// everyone in the selection: the "over time" line. Records without a local date are skipped.
std::map<QDate, qint64> CumulativeMinutesByDay(const std::vector<v1::StudyRecord>& records);

}  // namespace branchline::desk
