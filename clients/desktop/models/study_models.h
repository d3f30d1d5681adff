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

// Completion over time, the "over time" line: for each day with records, the share (0..1) of
// all required minutes done so far, where each person counts at most an item's required
// minutes on that item and everyone in `people` is expected to do every item of `plans`.
// Records of items not in `plans`, or without a valid local date, are skipped.
std::map<QDate, double> CompletionByDay(const std::vector<v1::StudyRecord>& records,
                                        const std::vector<v1::StudyPlan>& plans, int people);

}  // namespace branchline::desk
