#include "clients/desktop/models/formatting.h"

#include <QTimeZone>

#include "clients/common/percent.h"

namespace branchline::desk {

QString MeetingTypeLabel(v1::MeetingType type) {
  switch (type) {
    case v1::MEETING_TYPE_GENERAL_MEETING:
      return QStringLiteral("党员大会 General meeting");
    case v1::MEETING_TYPE_COMMITTEE_MEETING:
      return QStringLiteral("支委会 Committee");
    case v1::MEETING_TYPE_GROUP_MEETING:
      return QStringLiteral("党小组会 Group meeting");
    case v1::MEETING_TYPE_PARTY_LECTURE:
      return QStringLiteral("党课 Lecture");
    case v1::MEETING_TYPE_THEME_PARTY_DAY:
      return QStringLiteral("主题党日 Theme day");
    case v1::MEETING_TYPE_ORGANIZATIONAL_LIFE:
      return QStringLiteral("组织生活会 Org. life");
    case v1::MEETING_TYPE_SAFETY_MEETING:
      return QStringLiteral("安全会 Safety");
    case v1::MEETING_TYPE_PRE_SHIFT_MEETING:
      return QStringLiteral("班前会 Pre-shift");
    case v1::MEETING_TYPE_OTHER:
      return QStringLiteral("其他 Other");
    default:
      return QStringLiteral("—");
  }
}

QString AttendanceStatusLabel(v1::AttendanceStatus status) {
  switch (status) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      return QStringLiteral("已到 Present");
    case v1::ATTENDANCE_STATUS_LATE:
      return QStringLiteral("迟到 Late");
    case v1::ATTENDANCE_STATUS_REMOTE:
      return QStringLiteral("远程 Remote");
    case v1::ATTENDANCE_STATUS_EXCUSED:
      return QStringLiteral("请假 Excused");
    case v1::ATTENDANCE_STATUS_MADE_UP:
      return QStringLiteral("已补学 Made up");
    case v1::ATTENDANCE_STATUS_ABSENT:
      return QStringLiteral("缺席 Absent");
    default:
      return QStringLiteral("未签到 Not yet");
  }
}

QString LeaveStateLabel(v1::LeaveState state) {
  switch (state) {
    case v1::LEAVE_STATE_PENDING:
      return QStringLiteral("待审批 Pending");
    case v1::LEAVE_STATE_APPROVED:
      return QStringLiteral("已批准 Approved");
    case v1::LEAVE_STATE_REFUSED:
      return QStringLiteral("未批准 Refused");
    default:
      return QStringLiteral("—");
  }
}

QString LetterStateLabel(v1::LetterState state) {
  switch (state) {
    case v1::LETTER_STATE_SUBMITTED:
      return QStringLiteral("待受理 Submitted");
    case v1::LETTER_STATE_ACKNOWLEDGED:
      return QStringLiteral("已受理 Acknowledged");
    case v1::LETTER_STATE_IN_PROGRESS:
      return QStringLiteral("办理中 In progress");
    case v1::LETTER_STATE_RESOLVED:
      return QStringLiteral("已办结 Resolved");
    case v1::LETTER_STATE_CLOSED:
      return QStringLiteral("已关闭 Closed");
    case v1::LETTER_STATE_REFUSED:
      return QStringLiteral("不予受理 Refused");
    default:
      return QStringLiteral("—");
  }
}

QString LetterCategoryLabel(v1::LetterCategory category) {
  switch (category) {
    case v1::LETTER_CATEGORY_DIFFICULTY:
      return QStringLiteral("困难求助 Difficulty");
    case v1::LETTER_CATEGORY_SUGGESTION:
      return QStringLiteral("意见建议 Suggestion");
    case v1::LETTER_CATEGORY_CRITICISM:
      return QStringLiteral("批评 Criticism");
    case v1::LETTER_CATEGORY_MISCONDUCT:
      return QStringLiteral("违纪举报 Misconduct");
    case v1::LETTER_CATEGORY_INNOVATION:
      return QStringLiteral("创新 Innovation");
    default:
      return QStringLiteral("—");
  }
}

QString LetterEventKindLabel(v1::LetterEventKind kind) {
  switch (kind) {
    case v1::LETTER_EVENT_KIND_SUBMITTED:
      return QStringLiteral("提交 Submitted");
    case v1::LETTER_EVENT_KIND_STATE_CHANGED:
      return QStringLiteral("状态变更 State changed");
    case v1::LETTER_EVENT_KIND_REPLY:
      return QStringLiteral("公开回复 Public reply");
    case v1::LETTER_EVENT_KIND_AUTHOR_REPLY:
      return QStringLiteral("来信人回复 Author wrote");
    case v1::LETTER_EVENT_KIND_INTERNAL_NOTE:
      return QStringLiteral("内部备注 Internal note");
    case v1::LETTER_EVENT_KIND_ASSIGNED:
      return QStringLiteral("指派 Assigned");
    case v1::LETTER_EVENT_KIND_ESCALATED:
      return QStringLiteral("上报 Escalated");
    case v1::LETTER_EVENT_KIND_RATED:
      return QStringLiteral("评价 Rated");
    case v1::LETTER_EVENT_KIND_REGISTERED:
      return QStringLiteral("代为登记 Registered");
    case v1::LETTER_EVENT_KIND_OUTCOME:
      return QStringLiteral("处理结果 Outcome");
    case v1::LETTER_EVENT_KIND_MISCONDUCT_MARKED:
      return QStringLiteral("标记违纪 Misconduct marked");
    default:
      return QStringLiteral("—");
  }
}

QString PeriodStateLabel(v1::PeriodState state) {
  switch (state) {
    case v1::PERIOD_STATE_MET:
      return QStringLiteral("达标 Met");
    case v1::PERIOD_STATE_MISSED:
      return QStringLiteral("未达标 Missed");
    case v1::PERIOD_STATE_DUE:
      return QStringLiteral("进行中 Due");
    default:
      return QStringLiteral("—");
  }
}

QString OrganizationKindLabel(v1::OrganizationKind kind) {
  switch (kind) {
    case v1::ORGANIZATION_KIND_COMPANY:
      return QStringLiteral("公司");
    case v1::ORGANIZATION_KIND_COMMITTEE:
      return QStringLiteral("党委");
    case v1::ORGANIZATION_KIND_BRANCH:
      return QStringLiteral("支部");
    case v1::ORGANIZATION_KIND_GROUP:
      return QStringLiteral("党小组");
    case v1::ORGANIZATION_KIND_TEAM:
      return QStringLiteral("班组");
    default:
      return QString();
  }
}

QDateTime ToDateTime(const google::protobuf::Timestamp& time) {
  return QDateTime::fromMSecsSinceEpoch(time.seconds() * 1000 + time.nanos() / 1000000);
}

google::protobuf::Timestamp ToTimestamp(const QDateTime& time) {
  google::protobuf::Timestamp out;
  const qint64 ms = time.toMSecsSinceEpoch();
  out.set_seconds(ms / 1000);
  out.set_nanos(static_cast<int>(ms % 1000) * 1000000);
  return out;
}

QString FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return QString();
  return ToDateTime(time).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString FormatPercent(double share) { return QString::fromStdString(clients::PercentText(share)); }

double PercentRoundedHalfUp(double share) { return clients::PercentTenths(share) / 10.0; }

QString FormatCountdown(qint64 seconds) {
  if (seconds < 0) seconds = 0;
  return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QString FormatCounts(const v1::StatusCounts& c) {
  const int arrived = c.present() + c.late() + c.remote();
  return QStringLiteral(
             "已签到 Checked in %1 / %2 应到 · 迟到 late %3 · 远程 remote %4 · "
             "请假 excused %5 · 缺席 absent %6")
      .arg(arrived)
      .arg(c.expected())
      .arg(c.late())
      .arg(c.remote())
      .arg(c.excused())
      .arg(c.absent());
}

}  // namespace branchline::desk
