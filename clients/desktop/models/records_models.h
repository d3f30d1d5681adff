#pragma once

#include <QDate>
#include <QHash>
#include <QString>

#include "branchline/v1/records.pb.h"
#include "clients/desktop/models/name_lookup.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// Records for inspection (docs/records.md): the activity ledger of an organisation and the
// minutes of a held meeting. Pure functions and models, tested without a server.

QString LedgerEntryTypeLabel(v1::LedgerEntryType type);
QString TalkLevelLabel(v1::TalkLevel level);

// Volunteer hours as the server keeps them, in tenths: "3.5", "12.0".
QString FormatHours(double hours);

// What only some types carry: a talk's level, volunteer hours, the worker of a hardship file;
// empty for the others.
QString EntryDetailText(const v1::LedgerEntry& entry, const NameLookup& people);

// Everyone taking part: people of Branchline by name, then the others as written
// ("张三、李四、王师傅").
QString EntryPeopleText(const v1::LedgerEntry& entry, const NameLookup& people);

// Item codes to titles for the items in force: a major item's own title, a minor item's
// "major / minor" (the report's form), so an entry's item reads the same in both tables.
QHash<QString, QString> LedgerItemTitles(const v1::LedgerItems& items);

// "3.2 谈心谈话 / 书记谈话": the code with its title; the bare code for an item since taken off
// the list; "—" for an entry that counts for no item.
QString ItemText(const std::string& code, const QHash<QString, QString>& titles);

// Why a report period cannot be asked for (the server's limits, said before the call), or
// empty when it can: the end before the start, or more than 366 days after it.
QString ReportPeriodProblem(const QDate& from, const QDate& to);

// "条目 Entries 12 · 志愿服务 Volunteer hours 35.5" and, when the caller is not a manager,
// that hardship files were left out, so the total is not mistaken for the whole ledger.
QString LedgerTotalsText(const v1::LedgerReport& report);

// Entries newest first as the server sends them; voided ones (managers only) in grey.
class LedgerEntriesModel : public ProtoTableModel<v1::LedgerEntry> {
 public:
  // The lookups and the titles are the view's or the window's; they outlive the model.
  LedgerEntriesModel(const NameLookup* people, const NameLookup* organizations,
                     const QHash<QString, QString>* item_titles, QObject* parent = nullptr);
};

// The report's counts per ledger item, in list order, zero counts included.
class LedgerItemCountsModel : public ProtoTableModel<v1::LedgerItemCount> {
 public:
  explicit LedgerItemCountsModel(QObject* parent = nullptr);
};

// The report's counts per entry type.
class LedgerTypeCountsModel : public ProtoTableModel<v1::LedgerTypeCount> {
 public:
  explicit LedgerTypeCountsModel(QObject* parent = nullptr);
};

// "未整改 Open", "未整改 Open · 已逾期 overdue" once the due date is before `today` (the
// record itself does not say; ListOpenProblems does), or "已整改 Fixed".
QString ProblemStatusText(const v1::Problem& problem, const QDate& today);

// How a fixed problem was fixed: "text (张三 2026-12-01 10:00)"; empty while open.
QString ProblemFixText(const v1::Problem& problem, const NameLookup& people);

// Where a record stands: signed off (by whom, when) or still a draft, its revision, and the
// reason of a revision made after the sign-off.
QString RecordStateText(const v1::MeetingRecord& record, const NameLookup& people);

// The resolutions numbered one per line, or "无 None".
QString ResolutionsText(const v1::MeetingRecord& record);

// The problems of one record; open overdue ones stand out.
class ProblemsModel : public ProtoTableModel<v1::Problem> {
 public:
  ProblemsModel(const NameLookup* people, QObject* parent = nullptr);
};

}  // namespace branchline::desk
