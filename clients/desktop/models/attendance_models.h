#pragma once

#include "branchline/v1/attendance.pb.h"
#include "clients/desktop/models/name_lookup.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// Meetings of the selected organisation: start, type, title, state.
class MeetingsModel : public ProtoTableModel<v1::Meeting> {
 public:
  explicit MeetingsModel(QObject* parent = nullptr);
};

// The live roster of one meeting; arrived people first is the server's order.
class RosterModel : public ProtoTableModel<v1::RosterEntry> {
 public:
  explicit RosterModel(QObject* parent = nullptr);
};

// Leave requests of one meeting; pending ones stand out so none is forgotten.
class LeaveModel : public ProtoTableModel<v1::LeaveRequest> {
 public:
  LeaveModel(const NameLookup* names, QObject* parent = nullptr);
};

// Attendance rates per sub-organisation (the report's by_organization or by_team rows).
class AttendanceReportModel : public ProtoTableModel<v1::OrganizationRates> {
 public:
  explicit AttendanceReportModel(QObject* parent = nullptr);
};

// One row per branch and year: compliant or which required meetings are missing.
class ComplianceModel : public ProtoTableModel<v1::BranchCompliance> {
 public:
  explicit ComplianceModel(QObject* parent = nullptr);
};

}  // namespace branchline::desk
