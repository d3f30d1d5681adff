#pragma once

#include <QDate>
#include <QString>
#include <string>
#include <vector>

#include "branchline/v1/calendar.pb.h"
#include "clients/desktop/models/name_lookup.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// The meeting dialog's "repeat" choice for a new meeting.
struct RepeatChoice {
  enum class Kind { kNone, kWeekly, kMonthly };
  Kind kind = Kind::kNone;
  // Weekly: every `interval` weeks (1..52).
  int interval = 1;
  // Weekly: the weekdays, Qt::DayOfWeek 1 (Monday) .. 7 (Sunday); empty: the first date's.
  std::vector<int> weekdays;
  // The last local date (inclusive); when null, `count` occurrences (0: no end).
  QDate until;
  int count = 0;
};

// The choice as the RRULE value CalendarService.CreateMeetingSeries takes (the subset of
// docs/calendar.md): "" for no repeat; weekly "FREQ=WEEKLY[;INTERVAL=N];BYDAY=MO,WE"; monthly
// on the first date's day of the month "FREQ=MONTHLY;BYMONTHDAY=D"; then ";UNTIL=YYYYMMDD" or
// ";COUNT=N".
std::string RecurrenceRule(const RepeatChoice& choice, const QDate& first);

QString AbsenceTypeLabel(v1::AbsenceType type);
QString AbsenceStateLabel(v1::AbsenceState state);
// "2026-12-01"; empty when unset.
QString FormatLocalDate(const v1::LocalDate& date);
v1::LocalDate ToLocalDate(const QDate& date);

// Absences over date ranges of an organisation's people (or one's own); pending ones stand
// out, as pending leave does.
class AbsencesModel : public ProtoTableModel<v1::AbsenceRequest> {
 public:
  AbsencesModel(const NameLookup* names, QObject* parent = nullptr);
};

}  // namespace branchline::desk
