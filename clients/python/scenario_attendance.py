"""Attendance scenario: a host schedules the Monday safety meeting; three drivers check in by
code, place and remote; one asks for leave from a briefing and makes it up afterwards; the
rosters show each status and the CSV export opens in a spreadsheet.

Usage: /usr/bin/python3 scenario_attendance.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import sys
import time

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc  # noqa: E402
from branchline.v1 import common_pb2, organizations_pb2  # noqa: E402
from branchline_client import Client, check, create_person, request_id, violation_field  # noqa: E402

YARD = (39.9042, 116.4074)  # the fleet yard
MINUTE = 60


def ts(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


def attendance(client):
    return attendance_pb2_grpc.AttendanceServiceStub(client.channel)


def signed_in(address, phone):
    client = Client(address)
    client.sign_in(phone, "password-123")
    return client


def safety_meeting(host, org, start):
    return host.call(attendance(host).CreateMeeting, attendance_pb2.CreateMeetingRequest(
        request_id=request_id(),
        meeting=attendance_pb2.Meeting(
            organization_id=org, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
            title="周一安全例会", start_time=ts(start), end_time=ts(start + 60 * MINUTE),
            place=attendance_pb2.Place(latitude=YARD[0], longitude=YARD[1], radius_m=200,
                                       name="车队调度室"),
            remote_allowed=True, agenda="冬季防滑，疲劳驾驶", recording="https://example.invalid/rec")))


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="运输四队党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    create_person(admin, branch.id, "王书记", "13900000001", common_pb2.ROLE_SECRETARY)
    drivers = [create_person(admin, branch.id, name, phone, common_pb2.ROLE_FULL_MEMBER)
               for name, phone in (("张师傅", "13900000011"), ("李师傅", "13900000012"),
                                   ("赵师傅", "13900000013"))]
    host = signed_in(address, "13900000001")
    d1, d2, d3 = (signed_in(address, "139000000" + s) for s in ("11", "12", "13"))

    now = time.time()
    monday = safety_meeting(host, branch.id, now + 10 * MINUTE)
    check(monday.window.late_after_minutes == 5, "the host scheduled the safety meeting with default window")
    upcoming = d1.call(attendance(d1).ListMyMeetings, attendance_pb2.ListMyMeetingsRequest())
    check([m.id for m in upcoming.meetings] == [monday.id], "a driver sees it in my upcoming meetings")

    code = host.call(attendance(host).GetCheckInCode, attendance_pb2.GetCheckInCodeRequest(meeting_id=monday.id))
    check(len(code.code) == 6 and "<svg" in code.qr_svg, "the host shows the rotating code and its QR")

    by_code = d1.call(attendance(d1).CheckIn, attendance_pb2.CheckInRequest(
        request_id=request_id(), meeting_id=monday.id, device_time=ts(time.time()),
        code=attendance_pb2.CodeCheckIn(code=code.code, captured_time=ts(time.time()))))
    check(by_code.record.status == attendance_pb2.ATTENDANCE_STATUS_PRESENT, "driver 1 checked in by code")

    place_request = attendance_pb2.CheckInRequest(
        request_id=request_id(), meeting_id=monday.id, device_time=ts(time.time()),
        location=attendance_pb2.LocationCheckIn(latitude=YARD[0] + 0.0005, longitude=YARD[1], accuracy_m=8))
    by_place = d2.call(attendance(d2).CheckIn, place_request)
    retry = d2.call(attendance(d2).CheckIn, place_request)
    check(by_place.record.method == attendance_pb2.CHECK_IN_METHOD_LOCATION and retry == by_place,
          "driver 2 checked in by place; the retry returned the first answer")

    try:
        d3.call(attendance(d3).CheckIn, attendance_pb2.CheckInRequest(
            request_id=request_id(), meeting_id=monday.id, device_time=ts(time.time()),
            location=attendance_pb2.LocationCheckIn(latitude=YARD[0] + 0.05, longitude=YARD[1])))
        check(False, "a position 5 km away must be refused")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.FAILED_PRECONDITION and violation_field(error) == "location",
              "a position outside the radius is FAILED_PRECONDITION naming location")
    remote = d3.call(attendance(d3).CheckIn, attendance_pb2.CheckInRequest(
        request_id=request_id(), meeting_id=monday.id, device_time=ts(time.time()),
        remote=attendance_pb2.RemoteCheckIn(reason=attendance_pb2.REMOTE_REASON_DRIVING)))
    check(remote.record.status == attendance_pb2.ATTENDANCE_STATUS_REMOTE, "driver 3 attends remotely while driving")

    roster = host.call(attendance(host).GetRoster, attendance_pb2.GetRosterRequest(meeting_id=monday.id))
    statuses = {e.display_name: e.status for e in roster.entries}
    check(statuses == {"张师傅": attendance_pb2.ATTENDANCE_STATUS_PRESENT,
                       "李师傅": attendance_pb2.ATTENDANCE_STATUS_PRESENT,
                       "赵师傅": attendance_pb2.ATTENDANCE_STATUS_REMOTE,
                       "王书记": attendance_pb2.ATTENDANCE_STATUS_ABSENT},
          "the roster shows present, present, remote and the host still absent")

    # Leave and make-up on one meeting: driver 2 will be on the road during a short briefing
    # that ends a few seconds from now; he asks for leave, is excused, and once it is over he
    # watches the recording and records his make-up. (The server runs on the real clock, so
    # the scenario waits for the end of the briefing.)
    end = time.time() + 4
    briefing = host.call(attendance(host).CreateMeeting, attendance_pb2.CreateMeetingRequest(
        request_id=request_id(),
        meeting=attendance_pb2.Meeting(
            organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
            title="临时安全通报", start_time=ts(end - 20 * MINUTE), end_time=ts(end),
            recording="https://example.invalid/briefing")))
    leave = d2.call(attendance(d2).RequestLeave, attendance_pb2.RequestLeaveRequest(
        request_id=request_id(), meeting_id=briefing.id, reason="出车去新疆"))
    check(leave.state == attendance_pb2.LEAVE_STATE_PENDING, "driver 2 asked for leave")
    pending = host.call(attendance(host).ListLeaveRequests, attendance_pb2.ListLeaveRequestsRequest(
        meeting_id=briefing.id, state=attendance_pb2.LEAVE_STATE_PENDING))
    check([r.person_id for r in pending.leave_requests] == [drivers[1].id], "the host sees the pending request")
    decided = host.call(attendance(host).DecideLeave, attendance_pb2.DecideLeaveRequest(
        request_id=request_id(), meeting_id=briefing.id, person_id=drivers[1].id, approve=True))
    check(decided.state == attendance_pb2.LEAVE_STATE_APPROVED, "the host approved the leave")
    roster = host.call(attendance(host).GetRoster, attendance_pb2.GetRosterRequest(meeting_id=briefing.id))
    check({e.display_name: e.status for e in roster.entries}["李师傅"] == attendance_pb2.ATTENDANCE_STATUS_EXCUSED,
          "the roster shows driver 2 excused")

    time.sleep(max(0.0, end - time.time()) + 0.5)
    made_up = d2.call(attendance(d2).RecordMakeUp, attendance_pb2.RecordMakeUpRequest(
        request_id=request_id(), meeting_id=briefing.id, minutes=40, note="看了会议录像，写了心得"))
    check(made_up.status == attendance_pb2.ATTENDANCE_STATUS_MADE_UP and made_up.excused,
          "after the briefing driver 2 made it up")
    roster = host.call(attendance(host).GetRoster, attendance_pb2.GetRosterRequest(meeting_id=briefing.id))
    statuses = {e.display_name: e.status for e in roster.entries}
    check(statuses["李师傅"] == attendance_pb2.ATTENDANCE_STATUS_MADE_UP and
          statuses["张师傅"] == attendance_pb2.ATTENDANCE_STATUS_ABSENT and roster.counts.made_up == 1,
          "the roster of the briefing shows made up and absent")

    chunks = host.call(attendance(host).ExportRoster, attendance_pb2.ExportRosterRequest(meeting_id=monday.id))
    csv = b"".join(c.data for c in chunks)
    check(csv.startswith(b"\xef\xbb\xbf") and "远程参会".encode() in csv, "the roster exports as CSV with a BOM")
    print("attendance scenario passed")


if __name__ == "__main__":
    main()
