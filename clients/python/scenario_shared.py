"""The shared client scenario (clients/SCENARIO.md) in Python: prints its JSON-lines transcript.

Usage: /usr/bin/python3 scenario_shared.py HOST:PORT ADMIN_PASSWORD TAG [STUBS_DIR]
"""

import json
import sys
import time

sys.path.insert(0, sys.argv[4] if len(sys.argv) > 4 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, common_pb2  # noqa: E402
from branchline.v1 import feedback_pb2, feedback_pb2_grpc, organizations_pb2  # noqa: E402
from branchline.v1 import people_pb2, study_pb2, study_pb2_grpc  # noqa: E402
from branchline_client import Client, request_id, violation_field  # noqa: E402

PASSWORD = "password-123"


class StepFailed(Exception):
    pass


def emit(step, status, **values):
    print(json.dumps(dict(step=step, status=status, **values), ensure_ascii=False,
                     separators=(",", ":")), flush=True)


def expect_ok(step, call, describe):
    """Runs `call`; prints the step with `describe(answer)`, or its error status and stops."""
    try:
        answer = call()
    except grpc.RpcError as error:
        emit(step, error.code().name)
        raise StepFailed(step)
    emit(step, "OK", **describe(answer))
    return answer


def expect_refusal(step, call, code, with_field=False):
    """Runs `call`, which must fail with `code`; prints its status (and the BadRequest field)."""
    try:
        call()
    except grpc.RpcError as error:
        extra = {"field": violation_field(error)} if with_field else {}
        emit(step, error.code().name, **extra)
        if error.code() != code:
            raise StepFailed(step)
        return
    emit(step, "OK")
    raise StepFailed(step)


def ts(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


def enum_name(enum_type, value):
    return enum_type.Name(value)


def mistyped(code):
    return "".join(str((int(d) + 5) % 10) for d in code)


def main():
    address, admin_password, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    admin, host, member = Client(address), Client(address), Client(address)
    expect_ok("sign_in", lambda: admin.sign_in("admin", admin_password), lambda r: {"who": "admin"})

    branch = expect_ok(
        "create_branch",
        lambda: admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
            request_id=request_id(), organization=organizations_pb2.Organization(
                parent_id=admin.person.organization_id, name="运输四队党支部",
                kind=organizations_pb2.ORGANIZATION_KIND_BRANCH))),
        lambda o: {"name": o.name, "kind": enum_name(organizations_pb2.OrganizationKind, o.kind),
                   "utc_offset_minutes": o.utc_offset_minutes})

    for name, role, login in (("王书记", common_pb2.ROLE_SECRETARY, tag + "-host"),
                              ("张师傅", common_pb2.ROLE_FULL_MEMBER, tag + "-member")):
        expect_ok(
            "create_person",
            lambda: admin.call(admin.people.CreatePerson, people_pb2.CreatePersonRequest(
                request_id=request_id(), initial_password=PASSWORD, person=people_pb2.Person(
                    organization_id=branch.id, display_name=name, employee_number=login, role=role))),
            lambda p: {"name": p.display_name, "role": enum_name(common_pb2.Role, p.role)})

    for who, client in (("host", host), ("member", member)):
        expect_ok("sign_in", lambda: client.sign_in(tag + "-" + who, PASSWORD),
                  lambda r: {"who": who, "name": r.person.display_name})

    attendance = attendance_pb2_grpc.AttendanceServiceStub(host.channel)
    start = time.time() + 10 * 60
    meeting = expect_ok(
        "schedule_meeting",
        lambda: host.call(attendance.CreateMeeting, attendance_pb2.CreateMeetingRequest(
            request_id=request_id(), meeting=attendance_pb2.Meeting(
                organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING,
                title="周一安全例会", start_time=ts(start), end_time=ts(start + 3600)))),
        lambda m: {"title": m.title, "type": enum_name(attendance_pb2.MeetingType, m.type),
                   "late_after_minutes": m.window.late_after_minutes})

    code = expect_ok(
        "get_check_in_code",
        lambda: host.call(attendance.GetCheckInCode,
                          attendance_pb2.GetCheckInCodeRequest(meeting_id=meeting.id)),
        lambda c: {"code_digits": len(c.code), "has_qr_svg": "<svg" in c.qr_svg})

    def check_in(typed_code):
        now = time.time()
        return member.call(attendance.CheckIn, attendance_pb2.CheckInRequest(
            request_id=request_id(), meeting_id=meeting.id, device_time=ts(now),
            code=attendance_pb2.CodeCheckIn(code=typed_code, captured_time=ts(now))))

    expect_refusal("check_in_wrong_code", lambda: check_in(mistyped(code.code)),
                   grpc.StatusCode.INVALID_ARGUMENT, with_field=True)
    expect_ok("check_in", lambda: check_in(code.code),
              lambda r: {"attendance": enum_name(attendance_pb2.AttendanceStatus, r.record.status),
                         "method": enum_name(attendance_pb2.CheckInMethod, r.record.method)})

    study = study_pb2_grpc.StudyServiceStub(host.channel)
    material = expect_ok(
        "create_material",
        lambda: host.call(study.CreateMaterial, study_pb2.CreateMaterialRequest(
            request_id=request_id(), material=study_pb2.Material(
                organization_id=branch.id, kind=study_pb2.MATERIAL_KIND_BOOK, title="中国共产党章程",
                body="第一章 党员", estimated_minutes=120))),
        lambda m: {"title": m.title, "kind": enum_name(study_pb2.MaterialKind, m.kind)})
    expect_ok(
        "record_study",
        lambda: member.call(study.RecordStudy, study_pb2.RecordStudyRequest(
            request_id=request_id(), material_id=material.id, minutes=45,
            notes="收车后学习党章第一章🚚", device_time=ts(time.time() - 60))),
        lambda r: {"minutes": r.minutes, "notes_chars": r.notes_chars})

    mailbox = feedback_pb2_grpc.FeedbackServiceStub(member.channel)
    letters = (
        (False, feedback_pb2.LETTER_CATEGORY_SUGGESTION, "建议在服务区增设休息室", "长途司机中途休息不便。"),
        (True, feedback_pb2.LETTER_CATEGORY_DIFFICULTY, "连续夜班休息不足", "这个月连着跑了六个夜班。"))
    for anonymous, category, subject, body in letters:
        def describe(r, anonymous=anonymous):
            values = {"anonymous": r.letter.anonymous,
                      "category": enum_name(feedback_pb2.LetterCategory, r.letter.category),
                      "state": enum_name(feedback_pb2.LetterState, r.letter.state)}
            if anonymous:
                values["author_recorded"] = r.letter.author_person_id != 0
            else:
                values["author_is_caller"] = r.letter.author_person_id == member.person.id
            values["receipt_code_issued"] = r.receipt_code != ""
            return values
        expect_ok("submit_letter", lambda: member.call(mailbox.SubmitLetter, feedback_pb2.SubmitLetterRequest(
            request_id=request_id(), category=category, subject=subject, body=body,
            anonymous=anonymous)), describe)

    def roster_of(client):
        return client.call(attendance.GetRoster, attendance_pb2.GetRosterRequest(meeting_id=meeting.id))

    expect_ok("read_roster", lambda: roster_of(host),
              lambda r: {"roster": {e.display_name: enum_name(attendance_pb2.AttendanceStatus, e.status)
                                    for e in r.entries},
                         "expected": r.counts.expected, "present": r.counts.present,
                         "absent": r.counts.absent})
    expect_ok("read_progress",
              lambda: host.call(study.GetStudyProgress, study_pb2.GetStudyProgressRequest(
                  person_id=member.person.id, year=0)),
              lambda p: {"total_minutes": p.total_minutes, "notes_chars": p.notes_chars,
                         "study_days": p.study_days})
    expect_refusal("member_reads_roster", lambda: roster_of(member), grpc.StatusCode.PERMISSION_DENIED)


if __name__ == "__main__":
    try:
        main()
    except StepFailed as failed:
        print("scenario failed at step %s" % failed, file=sys.stderr)
        sys.exit(1)
