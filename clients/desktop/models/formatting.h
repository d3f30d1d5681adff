#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <QDateTime>
#include <QString>

#include "branchline/v1/attendance.pb.h"
#include "branchline/v1/feedback.pb.h"
#include "branchline/v1/organizations.pb.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// Labels the secretary reads: Chinese first (the office language), English after it so the
// screen is usable by auditors from elsewhere. Pure functions, tested.
QString MeetingTypeLabel(v1::MeetingType type);
QString AttendanceStatusLabel(v1::AttendanceStatus status);
QString LeaveStateLabel(v1::LeaveState state);
QString LetterStateLabel(v1::LetterState state);
QString LetterCategoryLabel(v1::LetterCategory category);
QString LetterEventKindLabel(v1::LetterEventKind kind);
QString PeriodStateLabel(v1::PeriodState state);
QString OrganizationKindLabel(v1::OrganizationKind kind);

// Local date and time ("2026-11-21 09:30"); empty for an unset timestamp.
QString FormatTime(const google::protobuf::Timestamp& time);
QDateTime ToDateTime(const google::protobuf::Timestamp& time);
google::protobuf::Timestamp ToTimestamp(const QDateTime& time);
// "87.5%" from a 0..1 share.
// "56.3%": one decimal, rounded half up (四舍五入) as Chinese reports expect.
QString FormatPercent(double share);
// The same rounding as a number for charts: 0.5625 -> 56.3.
double PercentRoundedHalfUp(double share);
// "0:42" for a countdown of 42 seconds; never negative.
QString FormatCountdown(qint64 seconds);
// "已签到 3 / 5 应到 · 迟到 1 · 请假 1 …": the check-in screen's headline.
QString FormatCounts(const v1::StatusCounts& counts);

}  // namespace branchline::desk
