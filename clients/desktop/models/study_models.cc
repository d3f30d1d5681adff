#include "clients/desktop/models/study_models.h"

#include <QBrush>
#include <QColor>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {

PlanItemsModel::PlanItemsModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::StudyPlanItem>(
               QStringLiteral("主题 Topic"),
               [](const v1::StudyPlanItem& i) { return QString::fromStdString(i.topic()); }),
           TextColumn<v1::StudyPlanItem>(
               QStringLiteral("要求分钟 Minutes"),
               [](const v1::StudyPlanItem& i) { return QString::number(i.required_minutes()); }),
           TextColumn<v1::StudyPlanItem>(
               QStringLiteral("截止 Due"),
               [](const v1::StudyPlanItem& i) { return QString::fromStdString(i.due_date()); })},
          parent) {}

ProgressModel::ProgressModel(QObject* parent)
    : ProtoTableModel({TextColumn<v1::ItemProgress>(QStringLiteral("学习内容 Item"),
                                                    [](const v1::ItemProgress& p) {
                                                      return QString::fromStdString(p.title());
                                                    }),
                       TextColumn<v1::ItemProgress>(QStringLiteral("已学/要求 Done"),
                                                    [](const v1::ItemProgress& p) {
                                                      return QStringLiteral("%1 / %2 min")
                                                          .arg(p.done_minutes())
                                                          .arg(p.required_minutes());
                                                    }),
                       TextColumn<v1::ItemProgress>(QStringLiteral("截止 Due"),
                                                    [](const v1::ItemProgress& p) {
                                                      return QString::fromStdString(p.due_date());
                                                    }),
                       {QStringLiteral("状态 State"),
                        [](const v1::ItemProgress& p, int role) -> QVariant {
                          if (role == Qt::DisplayRole) {
                            if (p.complete()) return QStringLiteral("已完成 Complete");
                            if (p.behind_schedule()) return QStringLiteral("落后 Behind");
                            return QStringLiteral("进行中 Under way");
                          }
                          if (role == Qt::BackgroundRole) {
                            if (p.complete()) return QBrush(QColor(0xd4, 0xed, 0xda));
                            if (p.behind_schedule()) return QBrush(QColor(0xf8, 0xd7, 0xda));
                          }
                          return {};
                        }}},
                      parent) {}

StudyRecordsModel::StudyRecordsModel(QObject* parent)
    : ProtoTableModel({TextColumn<v1::StudyRecord>(QStringLiteral("日期 Date"),
                                                   [](const v1::StudyRecord& r) {
                                                     return QString::fromStdString(r.local_date());
                                                   }),
                       TextColumn<v1::StudyRecord>(
                           QStringLiteral("分钟 Minutes"),
                           [](const v1::StudyRecord& r) { return QString::number(r.minutes()); }),
                       TextColumn<v1::StudyRecord>(QStringLiteral("笔记 Notes"),
                                                   [](const v1::StudyRecord& r) {
                                                     return QString::fromStdString(r.notes());
                                                   })},
                      parent) {}

double CompletionShare(const v1::SubOrganizationReport& report) {
  return report.people() > 0 ? static_cast<double>(report.people_complete()) / report.people()
                             : 0.0;
}

SubOrgStudyModel::SubOrgStudyModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::SubOrganizationReport>(
               QStringLiteral("组织 Organisation"),
               [](const v1::SubOrganizationReport& r) { return QString::fromStdString(r.name()); }),
           TextColumn<v1::SubOrganizationReport>(
               QStringLiteral("人数 People"),
               [](const v1::SubOrganizationReport& r) { return QString::number(r.people()); }),
           TextColumn<v1::SubOrganizationReport>(QStringLiteral("完成 Complete"),
                                                 [](const v1::SubOrganizationReport& r) {
                                                   return QString::number(r.people_complete());
                                                 }),
           TextColumn<v1::SubOrganizationReport>(QStringLiteral("落后 Behind"),
                                                 [](const v1::SubOrganizationReport& r) {
                                                   return QString::number(r.people_behind());
                                                 }),
           TextColumn<v1::SubOrganizationReport>(QStringLiteral("完成率 Completion"),
                                                 [](const v1::SubOrganizationReport& r) {
                                                   return FormatPercent(CompletionShare(r));
                                                 }),
           TextColumn<v1::SubOrganizationReport>(QStringLiteral("总分钟 Minutes"),
                                                 [](const v1::SubOrganizationReport& r) {
                                                   return QString::number(r.total_minutes());
                                                 })},
          parent) {}

std::map<QDate, double> CompletionByDay(const std::vector<v1::StudyRecord>& records,
                                        const std::vector<v1::StudyPlan>& plans, int people) {
  std::map<uint64_t, int> required;  // plan item id -> required minutes
  qint64 required_total = 0;
  for (const auto& plan : plans) {
    for (const auto& item : plan.items()) {
      required[item.id()] = item.required_minutes();
      required_total += static_cast<qint64>(item.required_minutes()) * people;
    }
  }
  std::map<QDate, std::vector<const v1::StudyRecord*>> by_day;
  for (const auto& r : records) {
    const QDate day = QDate::fromString(QString::fromStdString(r.local_date()), Qt::ISODate);
    if (day.isValid() && required.count(r.plan_item_id()) > 0) by_day[day].push_back(&r);
  }
  std::map<QDate, double> out;
  if (required_total <= 0) return out;
  std::map<std::pair<uint64_t, uint64_t>, qint64> done;  // (person, item) -> minutes
  qint64 counted = 0;
  for (const auto& [day, day_records] : by_day) {
    for (const auto* r : day_records) {
      qint64& minutes = done[{r->person_id(), r->plan_item_id()}];
      const qint64 cap = required[r->plan_item_id()];
      const qint64 before = std::min(minutes, cap);
      minutes += r->minutes();
      counted += std::min(minutes, cap) - before;
    }
    out[day] = std::min(1.0, static_cast<double>(counted) / static_cast<double>(required_total));
  }
  return out;
}

}  // namespace branchline::desk
