#include "clients/desktop/models/calendar_models.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {

std::string RecurrenceRule(const RepeatChoice& choice, const QDate& first) {
  static const char* const kDays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  std::string rule;
  if (choice.kind == RepeatChoice::Kind::kNone || !first.isValid()) return rule;
  if (choice.kind == RepeatChoice::Kind::kWeekly) {
    rule = "FREQ=WEEKLY";
    if (choice.interval > 1) rule += ";INTERVAL=" + std::to_string(choice.interval);
    std::vector<int> days = choice.weekdays;
    if (days.empty()) days.push_back(first.dayOfWeek());
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    rule += ";BYDAY=";
    for (size_t i = 0; i < days.size(); ++i) {
      if (days[i] < 1 || days[i] > 7) continue;
      rule += (i == 0 ? "" : ",") + std::string(kDays[days[i] - 1]);
    }
  } else {
    rule = "FREQ=MONTHLY;BYMONTHDAY=" + std::to_string(first.day());
  }
  if (choice.until.isValid()) {
    rule += ";UNTIL=" + choice.until.toString(QStringLiteral("yyyyMMdd")).toStdString();
  } else if (choice.count > 0) {
    rule += ";COUNT=" + std::to_string(choice.count);
  }
  return rule;
}

QString AbsenceTypeLabel(v1::AbsenceType type) {
  switch (type) {
    case v1::ABSENCE_TYPE_PERSONAL_LEAVE:
      return QStringLiteral("事假 Personal leave");
    case v1::ABSENCE_TYPE_SICK_LEAVE:
      return QStringLiteral("病假 Sick leave");
    case v1::ABSENCE_TYPE_BUSINESS_TRIP:
      return QStringLiteral("出差 Business trip");
    case v1::ABSENCE_TYPE_DUTY_RUN:
      return QStringLiteral("出车 Duty run");
    case v1::ABSENCE_TYPE_NIGHT_SHIFT_REST:
      return QStringLiteral("夜班休息 Night-shift rest");
    case v1::ABSENCE_TYPE_OTHER:
      return QStringLiteral("其他 Other");
    default:
      return QStringLiteral("?");
  }
}

QString AbsenceStateLabel(v1::AbsenceState state) {
  switch (state) {
    case v1::ABSENCE_STATE_PENDING:
      return QStringLiteral("待审批 Pending");
    case v1::ABSENCE_STATE_APPROVED:
      return QStringLiteral("已批准 Approved");
    case v1::ABSENCE_STATE_REFUSED:
      return QStringLiteral("未批准 Refused");
    case v1::ABSENCE_STATE_WITHDRAWN:
      return QStringLiteral("已撤回 Withdrawn");
    default:
      return QStringLiteral("?");
  }
}

QString FormatLocalDate(const v1::LocalDate& date) {
  if (date.year() == 0) return {};
  return QDate(date.year(), date.month(), date.day()).toString(QStringLiteral("yyyy-MM-dd"));
}

v1::LocalDate ToLocalDate(const QDate& date) {
  v1::LocalDate out;
  out.set_year(date.year());
  out.set_month(date.month());
  out.set_day(date.day());
  return out;
}

AbsencesModel::AbsencesModel(const NameLookup* names, QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::AbsenceRequest>(
               QStringLiteral("申请人 Person"),
               [names](const v1::AbsenceRequest& a) { return names->Name(a.person_id()); }),
           TextColumn<v1::AbsenceRequest>(
               QStringLiteral("类型 Type"),
               [](const v1::AbsenceRequest& a) { return AbsenceTypeLabel(a.type()); }),
           TextColumn<v1::AbsenceRequest>(QStringLiteral("日期 Dates"),
                                          [](const v1::AbsenceRequest& a) {
                                            return FormatLocalDate(a.from_date()) +
                                                   QStringLiteral(" 至 ") +
                                                   FormatLocalDate(a.to_date());
                                          }),
           TextColumn<v1::AbsenceRequest>(
               QStringLiteral("事由 Reason"),
               [](const v1::AbsenceRequest& a) { return QString::fromStdString(a.reason()); }),
           {QStringLiteral("状态 State"),
            [](const v1::AbsenceRequest& a, int role) -> QVariant {
              if (role == Qt::DisplayRole) return AbsenceStateLabel(a.state());
              if (role == Qt::BackgroundRole && a.state() == v1::ABSENCE_STATE_PENDING) {
                return QBrush(QColor(0xff, 0xf3, 0xcd));
              }
              return {};
            }}},
          parent) {}

}  // namespace branchline::desk
