"""Edge scenario, run through nginx (tests/e2e/run_edge.sh): a secretary schedules a meeting
while a member's phone holds a WatchChanges stream; the stream gets the change and idle
heartbeats through the proxy; the member checks in; and the server's errors arrive with their
status codes and google.rpc details intact.

Usage: BRANCHLINE_TLS_CA=ca.pem /usr/bin/python3 scenario_edge.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import queue
import sys
import threading
import time

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, auth_pb2  # noqa: E402
from branchline.v1 import common_pb2, organizations_pb2, sync_pb2, sync_pb2_grpc  # noqa: E402
from branchline_client import Client, check, create_person, request_id, retry_delay  # noqa: E402
from branchline_client import violation_field  # noqa: E402


def ts(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


def error_of(call):
    try:
        call()
    except grpc.RpcError as e:
        return e
    raise SystemExit("FAILED: the call succeeded")


def watch(member, events):
    """Reads the member's WatchChanges stream into `events` until it ends."""
    stream = sync_pb2_grpc.SyncServiceStub(member.channel).WatchChanges(
        sync_pb2.WatchChangesRequest(heartbeat_seconds=5), metadata=member.md(), timeout=60)
    try:
        for message in stream:
            events.put(message)
    except grpc.RpcError as e:
        events.put(e)
    return stream


def next_event(events, predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            event = events.get(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            break
        if isinstance(event, grpc.RpcError):
            raise SystemExit("FAILED: the stream ended: %s %s" % (event.code(), event.details()))
        if predicate(event):
            return event
    return None


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    check(admin.token, "the administrator signed in through the edge (TLS at nginx)")
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=admin.person.organization_id, name="边缘测试支部",
            kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    create_person(admin, branch.id, "王书记", "13700000001", common_pb2.ROLE_SECRETARY)
    create_person(admin, branch.id, "张师傅", "13700000002", common_pb2.ROLE_FULL_MEMBER)
    secretary, member = Client(address), Client(address)
    secretary.sign_in("13700000001", "password-123")
    member.sign_in("13700000002", "password-123")

    events = queue.Queue()
    holder = []
    reader = threading.Thread(target=lambda: holder.append(watch(member, events)), daemon=True)
    reader.start()
    # The stream's first heartbeat arrives through nginx unbuffered.
    check(next_event(events, lambda m: m.heartbeat, 12) is not None,
          "the member's WatchChanges stream gets idle heartbeats through the edge")

    attendance = attendance_pb2_grpc.AttendanceServiceStub(secretary.channel)
    start = time.time() + 5 * 60
    meeting = secretary.call(attendance.CreateMeeting, attendance_pb2.CreateMeetingRequest(
        request_id=request_id(),
        meeting=attendance_pb2.Meeting(
            organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
            title="边缘安全例会", start_time=ts(start), end_time=ts(start + 3600))))
    change = next_event(events, lambda m: m.change.kind == "meeting"
                        and m.change.record_id == meeting.id, 15)
    check(change is not None, "the stream delivered the new meeting as it committed")

    code = secretary.call(attendance.GetCheckInCode,
                          attendance_pb2.GetCheckInCodeRequest(meeting_id=meeting.id))
    record = member.call(attendance_pb2_grpc.AttendanceServiceStub(member.channel).CheckIn,
                         attendance_pb2.CheckInRequest(
                             request_id=request_id(), meeting_id=meeting.id,
                             device_time=ts(time.time()),
                             code=attendance_pb2.CodeCheckIn(code=code.code,
                                                             captured_time=ts(time.time()))))
    check(record.record.status == attendance_pb2.ATTENDANCE_STATUS_PRESENT,
          "the member checked in by code through the edge")
    holder and holder[0].cancel()

    # Errors keep their codes and details through nginx.
    bad = error_of(lambda: secretary.call(attendance.CreateMeeting, attendance_pb2.CreateMeetingRequest(
        request_id=request_id(), meeting=attendance_pb2.Meeting(organization_id=branch.id))))
    check(bad.code() == grpc.StatusCode.INVALID_ARGUMENT and violation_field(bad),
          "INVALID_ARGUMENT arrives with its BadRequest field (%s)" % violation_field(bad))
    denied = error_of(lambda: member.call(member.orgs.CreateOrganization,
                                          organizations_pb2.CreateOrganizationRequest(
                                              request_id=request_id(),
                                              organization=organizations_pb2.Organization(
                                                  parent_id=branch.id, name="第三小组",
                                                  kind=organizations_pb2.ORGANIZATION_KIND_BRANCH))))
    check(denied.code() == grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED arrives")
    member.token = member.token[:-2] + ("AA" if not member.token.endswith("AA") else "BB")
    unauth = error_of(lambda: member.call(member.orgs.GetOrganization,
                                          organizations_pb2.GetOrganizationRequest(id=branch.id)))
    check(unauth.code() == grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED arrives")
    missing = error_of(lambda: admin.call(attendance_pb2_grpc.AttendanceServiceStub(admin.channel).GetMeeting,
                                          attendance_pb2.GetMeetingRequest(id=meeting.id + 999)))
    check(missing.code() == grpc.StatusCode.NOT_FOUND, "NOT_FOUND arrives")

    # The sign-in throttle answers RESOURCE_EXHAUSTED with RetryInfo, counted per person and
    # client address (which the edge passes on as X-Real-IP).
    guesser = Client(address)
    for _ in range(5):
        error_of(lambda: guesser.auth.SignIn(auth_pb2.SignInRequest(
            login="13700000002", password="wrong-password"), timeout=10))
    throttled = error_of(lambda: guesser.auth.SignIn(auth_pb2.SignInRequest(
        login="13700000002", password="password-123"), timeout=10))
    check(throttled.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and retry_delay(throttled),
          "RESOURCE_EXHAUSTED arrives with RetryInfo (%ss)" % retry_delay(throttled))
    print("edge scenario passed")


if __name__ == "__main__":
    main()
