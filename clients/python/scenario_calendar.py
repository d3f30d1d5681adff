"""Calendar scenario (issue #21), as the secretary of a transport fleet's branch lives it:

1. the Monday-style safety meeting as one weekly series for 8 weeks, with the Spring Festival
   week set as holidays, so its date is skipped (7 meetings, not 8);
2. a driver's week-long duty run, approved once, excusing him from two meetings: the series'
   first occurrence (created before the approval) and a meeting created after it;
3. the company's push gateway (a service account with SCOPE_NOTIFICATIONS_DELIVER, the example
   clients/gateway/webhook_gateway.py posting to a local webhook) receiving "check-in closes
   soon" for exactly those who neither checked in nor are excused.

The dates are relative to today (the test runs on any day), so the "Spring Festival week" is
the series' fourth week rather than the real one. The server runs its reminder pass every 2
seconds (--reminder-interval-seconds 2).

Usage: /usr/bin/python3 scenario_calendar.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import http.server
import json
import sys
import threading
import time

HERE = __file__.rsplit("/", 1)[0]
sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else HERE + "/gen")
sys.path.insert(0, HERE)
sys.path.insert(0, HERE + "/../gateway")

import grpc  # noqa: E402,F401
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, auth_pb2  # noqa: E402
from branchline.v1 import calendar_pb2, calendar_pb2_grpc, common_pb2  # noqa: E402
from branchline.v1 import notifications_pb2, notifications_pb2_grpc, organizations_pb2  # noqa: E402
from branchline_client import Client, check, create_person, request_id  # noqa: E402
from webhook_gateway import Gateway  # noqa: E402

OFFSET = 8 * 3600  # the branch's UTC+8
DAY = 86400
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def ts(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


def local_date(seconds):
    day = time.gmtime(seconds + OFFSET)
    return calendar_pb2.LocalDate(year=day.tm_year, month=day.tm_mon, day=day.tm_mday)


def local_midnight(seconds):
    """The instant local midnight starts the local day of `seconds`."""
    return (int(seconds) + OFFSET) // DAY * DAY - OFFSET


def date_key(d):
    return (d.year, d.month, d.day)


def signed_in(address, phone):
    client = Client(address)
    client.sign_in(phone, "password-123")
    return client


class Webhook(http.server.BaseHTTPRequestHandler):
    """The company's push endpoint: keeps every JSON body posted to it."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="运输四队党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH,
            utc_offset_minutes=OFFSET // 60)))
    secretary_person = create_person(admin, branch.id, "王书记", "13900000001", common_pb2.ROLE_SECRETARY)
    zhang = create_person(admin, branch.id, "张师傅", "13900000011", common_pb2.ROLE_FULL_MEMBER)
    li = create_person(admin, branch.id, "李师傅", "13900000012", common_pb2.ROLE_FULL_MEMBER)
    zhao = create_person(admin, branch.id, "赵师傅", "13900000013", common_pb2.ROLE_FULL_MEMBER)
    secretary = signed_in(address, "13900000001")
    d_zhang, d_li = signed_in(address, "13900000011"), signed_in(address, "13900000012")
    calendar = calendar_pb2_grpc.CalendarServiceStub(secretary.channel)
    attendance = attendance_pb2_grpc.AttendanceServiceStub(secretary.channel)
    notifications = notifications_pb2_grpc.NotificationServiceStub(secretary.channel)

    # Only what the scenario is about: no "starts in" reminders, no quiet hours.
    secretary.call(notifications.UpdateNotificationSettings,
                   notifications_pb2.UpdateNotificationSettingsRequest(
                       request_id=request_id(),
                       settings=notifications_pb2.NotificationSettings(organization_id=branch.id)))

    # 1. The weekly safety meeting, 07:30 local from tomorrow, for 8 weeks; week 4 is the
    # "Spring Festival" week.
    now = time.time()
    first = local_midnight(now) + DAY + 7 * 3600 + 30 * 60
    festival = [local_date(first + 21 * DAY + i * DAY) for i in range(7)]
    holidays = secretary.call(calendar.SetHolidays, calendar_pb2.SetHolidaysRequest(
        request_id=request_id(),
        holidays=calendar_pb2.HolidayList(organization_id=branch.id, dates=festival)))
    check(len(holidays.dates) == 7, "the secretary sets the Spring Festival week as holidays")
    until = local_date(first + 49 * DAY)
    weekday = WEEKDAYS[time.gmtime(first + OFFSET).tm_wday]
    rule = "FREQ=WEEKLY;BYDAY=%s;UNTIL=%04d%02d%02d" % (weekday, until.year, until.month, until.day)
    series = secretary.call(calendar.CreateMeetingSeries, calendar_pb2.CreateMeetingSeriesRequest(
        request_id=request_id(),
        series=calendar_pb2.MeetingSeries(
            rule=rule, horizon_days=60,
            meeting=attendance_pb2.Meeting(
                organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
                title="周一安全例会", start_time=ts(first), end_time=ts(first + 3600),
                remote_allowed=True,
                window=attendance_pb2.CheckInWindow(opens_minutes_before=30, late_after_minutes=10,
                                                    closes_minutes_after=60),
                place=attendance_pb2.Place(latitude=39.9042, longitude=116.4074, radius_m=300,
                                           name="车队调度室")))))
    check(series.id != 0, "one weekly series replaces 8 CreateMeeting calls (%s)" % rule)
    occurrences = secretary.call(calendar.ListSeriesOccurrences,
                                 calendar_pb2.ListSeriesOccurrencesRequest(series_id=series.id)).occurrences
    dates = [date_key(o.date) for o in occurrences]
    expected = [date_key(local_date(first + w * 7 * DAY)) for w in range(8) if w != 3]
    check(dates == expected, "7 meetings over 8 weeks: the Spring Festival week is skipped")
    check(not any(o.detached or o.cancelled for o in occurrences), "all of them follow the series")

    # 2. 李师傅's duty run from today for a week, approved once.
    li_calendar = calendar_pb2_grpc.CalendarServiceStub(d_li.channel)
    asked = d_li.call(li_calendar.RequestAbsence, calendar_pb2.RequestAbsenceRequest(
        request_id=request_id(), type=calendar_pb2.ABSENCE_TYPE_DUTY_RUN,
        # From an hour ago: just after local midnight, the briefing below began yesterday.
        from_date=local_date(now - 3600), to_date=local_date(now + 6 * DAY), reason="长途出车，往返新疆"))
    approved = secretary.call(calendar.DecideAbsence, calendar_pb2.DecideAbsenceRequest(
        request_id=request_id(), id=asked.id, approve=True))
    check(approved.state == calendar_pb2.ABSENCE_STATE_APPROVED, "the secretary approves the week once")

    # A meeting created after the approval, whose check-in closes in 10 minutes + 15 seconds.
    closes_after = 30
    start = time.time() + 15 + 10 * 60 - closes_after * 60
    briefing = secretary.call(attendance.CreateMeeting, attendance_pb2.CreateMeetingRequest(
        request_id=request_id(),
        meeting=attendance_pb2.Meeting(
            organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
            title="冬季防滑安全提示会", start_time=ts(start), end_time=ts(start + 3600),
            remote_allowed=True,
            window=attendance_pb2.CheckInWindow(opens_minutes_before=60, late_after_minutes=10,
                                                closes_minutes_after=closes_after))))
    zhang_attendance = attendance_pb2_grpc.AttendanceServiceStub(d_zhang.channel)
    checked = d_zhang.call(zhang_attendance.CheckIn, attendance_pb2.CheckInRequest(
        request_id=request_id(), meeting_id=briefing.id, device_time=ts(time.time()),
        remote=attendance_pb2.RemoteCheckIn(reason=attendance_pb2.REMOTE_REASON_DRIVING)))
    check(checked.record.status == attendance_pb2.ATTENDANCE_STATUS_REMOTE, "张师傅 checks in from the road")
    for meeting_id, what in ((occurrences[0].meeting_id, "the series' first meeting (created before)"),
                             (briefing.id, "the meeting created after the approval")):
        roster = secretary.call(attendance.GetRoster, attendance_pb2.GetRosterRequest(meeting_id=meeting_id))
        entry = [e for e in roster.entries if e.person_id == li.id][0]
        check(entry.status == attendance_pb2.ATTENDANCE_STATUS_EXCUSED and entry.absence_id == asked.id
              and "出车" in entry.absence_label,
              "李师傅 is excused from %s: %s" % (what, entry.absence_label))

    # 3. The push gateway drains the outbox into the company's webhook.
    account = admin.call(admin.auth.CreateServiceAccount, auth_pb2.CreateServiceAccountRequest(
        request_id=request_id(), organization_id=branch.id, display_name="企业微信推送网关",
        scopes=[common_pb2.SCOPE_NOTIFICATIONS_DELIVER]))
    gateway_client = Client(address)
    token = gateway_client.auth.SignIn(auth_pb2.SignInRequest(service_key=account.service_key),
                                       timeout=10).access_token
    server = http.server.HTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/push" % server.server_address[1]
    gateway = Gateway(notifications_pb2_grpc.NotificationServiceStub(gateway_client.channel),
                      notifications_pb2, token, branch.id, url)

    def closing():
        return {n["person_id"] for n in Webhook.received
                if n["kind"] == "NOTIFICATION_KIND_CHECK_IN_CLOSING" and n["meeting_id"] == briefing.id}

    deadline = time.time() + 75
    while time.time() < deadline:
        gateway.drain_once()
        if closing() and time.time() > start + closes_after * 60 - 10 * 60 + 5:
            gateway.drain_once()  # anything the same pass wrote after the first read
            break
        time.sleep(1)
    server.shutdown()
    check(closing() == {secretary_person.id, zhao.id},
          "the gateway posts \"check-in closes soon\" to 王书记 and 赵师傅 only "
          "(张师傅 checked in, 李师傅 is excused)")
    titles = {n["title"] for n in Webhook.received if n["kind"] == "NOTIFICATION_KIND_CHECK_IN_CLOSING"}
    check(titles == {"签到即将截止"}, "in Chinese: 签到即将截止")
    decided = [n for n in Webhook.received if n["kind"] == "NOTIFICATION_KIND_ABSENCE_DECIDED"]
    check(len(decided) == 1 and decided[0]["person_id"] == li.id,
          "and 李师傅 heard of the approval of his week away")
    again = gateway.drain_once()
    check(again == 0, "everything posted was acknowledged: a restarted gateway posts nothing again")
    print("calendar scenario passed")


if __name__ == "__main__":
    main()
