#include "clients/desktop/models/attendance_models.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QStringList>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {
namespace {

QColor StatusColor(v1::AttendanceStatus status) {
  switch (status) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      return QColor(0xd4, 0xed, 0xda);
    case v1::ATTENDANCE_STATUS_LATE:
      return QColor(0xff, 0xf3, 0xcd);
    case v1::ATTENDANCE_STATUS_REMOTE:
      return QColor(0xd1, 0xec, 0xf1);
    case v1::ATTENDANCE_STATUS_EXCUSED:
      return QColor(0xe2, 0xe3, 0xe5);
    case v1::ATTENDANCE_STATUS_ABSENT:
      return QColor(0xf8, 0xd7, 0xda);
    default:
      return QColor();
  }
}

}  // namespace

MeetingsModel::MeetingsModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::Meeting>(QStringLiteral("开始 Start"),
                                   [](const v1::Meeting& m) { return FormatTime(m.start_time()); }),
           TextColumn<v1::Meeting>(QStringLiteral("类型 Type"),
                                   [](const v1::Meeting& m) { return MeetingTypeLabel(m.type()); }),
           {QStringLiteral("标题 Title"),
            [](const v1::Meeting& m, int role) -> QVariant {
              if (role == Qt::DisplayRole) return QString::fromStdString(m.title());
              if (role == Qt::FontRole && m.cancelled()) {
                QFont f;
                f.setStrikeOut(true);
                return f;
              }
              return {};
            }},
           TextColumn<v1::Meeting>(QStringLiteral("状态 State"),
                                   [](const v1::Meeting& m) {
                                     return m.cancelled() ? QStringLiteral("已取消 Cancelled")
                                                          : QString();
                                   })},
          parent) {}

RosterModel::RosterModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::RosterEntry>(
               QStringLiteral("姓名 Name"),
               [](const v1::RosterEntry& e) { return QString::fromStdString(e.display_name()); }),
           {QStringLiteral("状态 Status"),
            [](const v1::RosterEntry& e, int role) -> QVariant {
              if (role == Qt::DisplayRole) {
                // An absence over dates says which: "请假（出差 12-01 至 12-07）".
                if (e.absence_label().empty()) return AttendanceStatusLabel(e.status());
                return QStringLiteral("%1（%2）")
                    .arg(AttendanceStatusLabel(e.status()),
                         QString::fromStdString(e.absence_label()));
              }
              if (role == Qt::BackgroundRole) {
                QColor c = StatusColor(e.status());
                return c.isValid() ? QVariant(QBrush(c)) : QVariant();
              }
              return {};
            }},
           TextColumn<v1::RosterEntry>(
               QStringLiteral("签到时间 Time"),
               [](const v1::RosterEntry& e) { return FormatTime(e.record().server_time()); })},
          parent) {}

LeaveModel::LeaveModel(const NameLookup* names, QObject* parent)
    : ProtoTableModel({TextColumn<v1::LeaveRequest>(QStringLiteral("申请人 Person"),
                                                    [names](const v1::LeaveRequest& l) {
                                                      return names->Name(l.person_id());
                                                    }),
                       TextColumn<v1::LeaveRequest>(QStringLiteral("事由 Reason"),
                                                    [](const v1::LeaveRequest& l) {
                                                      return QString::fromStdString(l.reason());
                                                    }),
                       {QStringLiteral("状态 State"),
                        [](const v1::LeaveRequest& l, int role) -> QVariant {
                          if (role == Qt::DisplayRole) return LeaveStateLabel(l.state());
                          if (role == Qt::BackgroundRole && l.state() == v1::LEAVE_STATE_PENDING) {
                            return QBrush(QColor(0xff, 0xf3, 0xcd));
                          }
                          return {};
                        }},
                       TextColumn<v1::LeaveRequest>(
                           QStringLiteral("申请时间 Asked"),
                           [](const v1::LeaveRequest& l) { return FormatTime(l.create_time()); })},
                      parent) {}

AttendanceReportModel::AttendanceReportModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::OrganizationRates>(
               QStringLiteral("组织 Organisation"),
               [](const v1::OrganizationRates& r) { return QString::fromStdString(r.name()); }),
           TextColumn<v1::OrganizationRates>(
               QStringLiteral("会议 Meetings"),
               [](const v1::OrganizationRates& r) { return QString::number(r.meetings()); }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("应到 Expected"),
                                             [](const v1::OrganizationRates& r) {
                                               return QString::number(
                                                   r.rates().counts().expected());
                                             }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("出席 Present"),
                                             [](const v1::OrganizationRates& r) {
                                               const auto& c = r.rates().counts();
                                               return QString::number(c.present() + c.late() +
                                                                      c.remote());
                                             }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("请假 Excused"),
                                             [](const v1::OrganizationRates& r) {
                                               return QString::number(r.rates().counts().excused());
                                             }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("缺席 Absent"),
                                             [](const v1::OrganizationRates& r) {
                                               return QString::number(r.rates().counts().absent());
                                             }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("出勤率 Attendance"),
                                             [](const v1::OrganizationRates& r) {
                                               return FormatPercent(r.rates().attendance_rate());
                                             }),
           TextColumn<v1::OrganizationRates>(QStringLiteral("完成率 Completion"),
                                             [](const v1::OrganizationRates& r) {
                                               return FormatPercent(r.rates().completion_rate());
                                             })},
          parent) {}

ComplianceModel::ComplianceModel(QObject* parent)
    : ProtoTableModel(
          {TextColumn<v1::BranchCompliance>(
               QStringLiteral("支部 Branch"),
               [](const v1::BranchCompliance& b) { return QString::fromStdString(b.name()); }),
           {QStringLiteral("达标 Compliant"),
            [](const v1::BranchCompliance& b, int role) -> QVariant {
              if (role == Qt::DisplayRole) {
                return b.compliant() ? QStringLiteral("是 Yes") : QStringLiteral("否 No");
              }
              if (role == Qt::BackgroundRole && !b.compliant()) {
                return QBrush(QColor(0xf8, 0xd7, 0xda));
              }
              return {};
            }},
           TextColumn<v1::BranchCompliance>(QStringLiteral("缺少 Missing"),
                                            [](const v1::BranchCompliance& b) {
                                              QStringList parts;
                                              for (const auto& p : b.missing()) {
                                                parts
                                                    << QStringLiteral("%1 %2 (%3/%4)")
                                                           .arg(QString::fromStdString(p.period()),
                                                                MeetingTypeLabel(p.type()))
                                                           .arg(p.held())
                                                           .arg(p.required());
                                              }
                                              return parts.join(QStringLiteral("; "));
                                            })},
          parent) {}

}  // namespace branchline::desk
