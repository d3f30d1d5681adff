#include "clients/desktop/models/records_models.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

#include "clients/desktop/models/calendar_models.h"
#include "clients/desktop/models/formatting.h"

namespace branchline::desk {
namespace {

const QColor kVoided(0xe2, 0xe3, 0xe5);
const QColor kOverdue(0xf8, 0xd7, 0xda);

// The report's period limit (GetLedgerReportRequest.to_date).
constexpr qint64 kMaxReportDays = 366;

QDate ToQDate(const v1::LocalDate& date) { return QDate(date.year(), date.month(), date.day()); }

bool Overdue(const v1::Problem& p, const QDate& today) {
  return p.status() != v1::PROBLEM_STATUS_FIXED && p.due_date().year() != 0 &&
         ToQDate(p.due_date()) < today;
}

// A ledger cell: the text, grey behind a voided entry (it no longer counts).
template <class F>
ProtoTableModel<v1::LedgerEntry>::Column EntryColumn(QString header, F text) {
  return {std::move(header), [text](const v1::LedgerEntry& e, int role) -> QVariant {
            if (role == Qt::DisplayRole) return text(e);
            if (role == Qt::BackgroundRole && e.voided()) return QBrush(kVoided);
            return {};
          }};
}

}  // namespace

QString LedgerEntryTypeLabel(v1::LedgerEntryType type) {
  switch (type) {
    case v1::LEDGER_ENTRY_TYPE_TALK:
      return QStringLiteral("谈心谈话 Talk");
    case v1::LEDGER_ENTRY_TYPE_VISIT:
      return QStringLiteral("走访慰问 Visit");
    case v1::LEDGER_ENTRY_TYPE_VOLUNTEER:
      return QStringLiteral("志愿服务 Volunteer service");
    case v1::LEDGER_ENTRY_TYPE_PAIRING:
      return QStringLiteral("结对帮扶 Pairing");
    case v1::LEDGER_ENTRY_TYPE_HARDSHIP:
      return QStringLiteral("困难职工档案 Hardship file");
    case v1::LEDGER_ENTRY_TYPE_PROJECT:
      return QStringLiteral("攻坚项目 Problem-solving project");
    default:
      return QStringLiteral("—");
  }
}

QString TalkLevelLabel(v1::TalkLevel level) {
  switch (level) {
    case v1::TALK_LEVEL_SECRETARY_MEMBER:
      return QStringLiteral("书记与党员 Secretary–member");
    case v1::TALK_LEVEL_MEMBER_MEMBER:
      return QStringLiteral("党员之间 Member–member");
    case v1::TALK_LEVEL_MEMBER_STAFF:
      return QStringLiteral("党员与职工 Member–staff");
    default:
      return QString();
  }
}

QString FormatHours(double hours) { return QString::number(hours, 'f', 1); }

QString EntryDetailText(const v1::LedgerEntry& entry, const NameLookup& people) {
  switch (entry.type()) {
    case v1::LEDGER_ENTRY_TYPE_TALK:
      return TalkLevelLabel(entry.talk_level());
    case v1::LEDGER_ENTRY_TYPE_VOLUNTEER:
      return QStringLiteral("%1 小时 h").arg(FormatHours(entry.volunteer_hours()));
    case v1::LEDGER_ENTRY_TYPE_HARDSHIP: {
      const auto& file = entry.hardship();
      return file.worker_id() != 0 ? people.Name(file.worker_id())
                                   : QString::fromStdString(file.worker_name());
    }
    default:
      return QString();
  }
}

QString EntryPeopleText(const v1::LedgerEntry& entry, const NameLookup& people) {
  QStringList names;
  for (uint64_t id : entry.person_ids()) names << people.Name(id);
  for (const auto& name : entry.people_names()) names << QString::fromStdString(name);
  return names.join(QStringLiteral("、"));
}

QHash<QString, QString> LedgerItemTitles(const v1::LedgerItems& items) {
  QHash<QString, QString> titles;
  for (const auto& major : items.majors()) {
    const QString major_title = QString::fromStdString(major.title());
    titles.insert(QString::fromStdString(major.code()), major_title);
    for (const auto& minor : major.minors()) {
      titles.insert(QString::fromStdString(minor.code()),
                    major_title + QStringLiteral(" / ") + QString::fromStdString(minor.title()));
    }
  }
  return titles;
}

QString ItemText(const std::string& code, const QHash<QString, QString>& titles) {
  if (code.empty()) return QStringLiteral("—");
  const QString key = QString::fromStdString(code);
  const auto it = titles.find(key);
  return it == titles.end() ? key : key + QLatin1Char(' ') + *it;
}

QString ReportPeriodProblem(const QDate& from, const QDate& to) {
  if (!from.isValid() || !to.isValid()) return QStringLiteral("请选择日期 Choose the dates");
  if (to < from) return QStringLiteral("结束日期早于开始日期 The period ends before it starts");
  if (from.daysTo(to) > kMaxReportDays) {
    return QStringLiteral("统计期间最长 366 天 A report covers at most 366 days");
  }
  return QString();
}

QString LedgerTotalsText(const v1::LedgerReport& report) {
  QString text = QStringLiteral("%1 至 %2 · 条目 Entries %3 · 志愿服务 Volunteer hours %4")
                     .arg(FormatLocalDate(report.from_date()), FormatLocalDate(report.to_date()))
                     .arg(report.entries())
                     .arg(FormatHours(report.volunteer_hours()));
  if (report.hardship_hidden()) {
    text += QStringLiteral(" · 困难职工档案未计入 hardship files not counted (managers only)");
  }
  return text;
}

LedgerEntriesModel::LedgerEntriesModel(const NameLookup* people, const NameLookup* organizations,
                                       const QHash<QString, QString>* item_titles, QObject* parent)
    : ProtoTableModel(
          {EntryColumn(QStringLiteral("日期 Date"),
                       [](const v1::LedgerEntry& e) { return FormatLocalDate(e.date()); }),
           EntryColumn(QStringLiteral("类型 Type"),
                       [](const v1::LedgerEntry& e) { return LedgerEntryTypeLabel(e.type()); }),
           EntryColumn(QStringLiteral("详情 Detail"),
                       [people](const v1::LedgerEntry& e) { return EntryDetailText(e, *people); }),
           EntryColumn(QStringLiteral("台账项目 Item"),
                       [item_titles](const v1::LedgerEntry& e) {
                         return ItemText(e.item_code(), *item_titles);
                       }),
           EntryColumn(QStringLiteral("组织 Organisation"),
                       [organizations](const v1::LedgerEntry& e) {
                         return organizations->Name(e.organization_id());
                       }),
           EntryColumn(QStringLiteral("地点 Place"),
                       [](const v1::LedgerEntry& e) { return QString::fromStdString(e.place()); }),
           EntryColumn(QStringLiteral("人员 People"),
                       [people](const v1::LedgerEntry& e) { return EntryPeopleText(e, *people); }),
           // Voided entries only reach managers; the reason is what they need to see.
           EntryColumn(QStringLiteral("内容 Text"),
                       [](const v1::LedgerEntry& e) {
                         const QString text = QString::fromStdString(e.text());
                         if (!e.voided()) return text;
                         return QStringLiteral("[已作废 Voided: %1] %2")
                             .arg(QString::fromStdString(e.void_reason()), text);
                       })},
          parent) {}

LedgerItemCountsModel::LedgerItemCountsModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::LedgerItemCount>(QStringLiteral("编号 Code"),
                                           [](const v1::LedgerItemCount& c) {
                                             return c.code().empty()
                                                        ? QStringLiteral("—")
                                                        : QString::fromStdString(c.code());
                                           }),
           // The server's row without a code holds entries of no item or of a removed one.
           TextColumn<v1::LedgerItemCount>(QStringLiteral("项目 Item"),
                                           [](const v1::LedgerItemCount& c) {
                                             return c.code().empty()
                                                        ? QStringLiteral("未归项 No item")
                                                        : QString::fromStdString(c.title());
                                           }),
           TextColumn<v1::LedgerItemCount>(
               QStringLiteral("条目 Entries"),
               [](const v1::LedgerItemCount& c) { return QString::number(c.entries()); }),
           TextColumn<v1::LedgerItemCount>(
               QStringLiteral("志愿时长 Volunteer hours"),
               [](const v1::LedgerItemCount& c) { return FormatHours(c.volunteer_hours()); })},
          parent) {}

LedgerTypeCountsModel::LedgerTypeCountsModel(QObject* parent)
    : ProtoTableModel({TextColumn<v1::LedgerTypeCount>(QStringLiteral("类型 Type"),
                                                       [](const v1::LedgerTypeCount& c) {
                                                         return LedgerEntryTypeLabel(c.type());
                                                       }),
                       TextColumn<v1::LedgerTypeCount>(QStringLiteral("条目 Entries"),
                                                       [](const v1::LedgerTypeCount& c) {
                                                         return QString::number(c.entries());
                                                       })},
                      parent) {}

QString ProblemStatusText(const v1::Problem& problem, const QDate& today) {
  if (problem.status() == v1::PROBLEM_STATUS_FIXED) return QStringLiteral("已整改 Fixed");
  if (Overdue(problem, today)) return QStringLiteral("未整改 Open · 已逾期 overdue");
  return QStringLiteral("未整改 Open");
}

QString ProblemFixText(const v1::Problem& problem, const NameLookup& people) {
  if (problem.status() != v1::PROBLEM_STATUS_FIXED) return QString();
  const auto& fix = problem.fix();
  return QStringLiteral("%1 (%2 %3)")
      .arg(QString::fromStdString(fix.text()), people.Name(fix.fixed_by()),
           FormatTime(fix.fix_time()));
}

QString RecordStateText(const v1::MeetingRecord& record, const NameLookup& people) {
  QString text = record.locked()
                     ? QStringLiteral("已签发锁定 Locked by %1 at %2")
                           .arg(people.Name(record.locked_by()), FormatTime(record.lock_time()))
                     : QStringLiteral("草稿 Draft, not locked yet");
  text += QStringLiteral(" · 第 %1 版 Revision %1").arg(record.revision());
  if (!record.reason().empty()) {
    text += QStringLiteral(" · 修订原因 Reason: %1").arg(QString::fromStdString(record.reason()));
  }
  text += QStringLiteral(" · 记录 Recorded by %1 at %2")
              .arg(people.Name(record.recorded_by()), FormatTime(record.record_time()));
  return text;
}

QString ResolutionsText(const v1::MeetingRecord& record) {
  if (record.resolutions().empty()) return QStringLiteral("无 None");
  QStringList lines;
  for (int i = 0; i < record.resolutions_size(); ++i) {
    lines << QStringLiteral("%1. %2").arg(i + 1).arg(QString::fromStdString(record.resolutions(i)));
  }
  return lines.join(QLatin1Char('\n'));
}

ProblemsModel::ProblemsModel(const NameLookup* people, QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::Problem>(QStringLiteral("编号 No."),
                                   [](const v1::Problem& p) { return QString::number(p.id()); }),
           TextColumn<v1::Problem>(
               QStringLiteral("问题 Problem"),
               [](const v1::Problem& p) { return QString::fromStdString(p.description()); }),
           TextColumn<v1::Problem>(
               QStringLiteral("责任人 Owner"),
               [people](const v1::Problem& p) { return people->Name(p.owner_id()); }),
           TextColumn<v1::Problem>(
               QStringLiteral("整改期限 Due"),
               [](const v1::Problem& p) { return FormatLocalDate(p.due_date()); }),
           {QStringLiteral("状态 Status"),
            [](const v1::Problem& p, int role) -> QVariant {
              const QDate today = QDate::currentDate();
              if (role == Qt::DisplayRole) return ProblemStatusText(p, today);
              if (role == Qt::BackgroundRole && Overdue(p, today)) return QBrush(kOverdue);
              return {};
            }},
           TextColumn<v1::Problem>(
               QStringLiteral("整改情况 Fix"),
               [people](const v1::Problem& p) { return ProblemFixText(p, *people); })},
          parent) {}

}  // namespace branchline::desk
