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

std::map<QDate, qint64> CumulativeMinutesByDay(const std::vector<v1::StudyRecord>& records) {
  std::map<QDate, qint64> per_day;
  for (const auto& r : records) {
    QDate day = QDate::fromString(QString::fromStdString(r.local_date()), Qt::ISODate);
    if (!day.isValid()) continue;
    per_day[day] += r.minutes();
  }
  qint64 running = 0;
  for (auto& [day, minutes] : per_day) {
    running += minutes;
    minutes = running;
  }
  return per_day;
}

}  // namespace branchline::desk
