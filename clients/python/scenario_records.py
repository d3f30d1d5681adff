"""Records scenario, as an inspector from the company's party committee would check a branch:
the secretary writes the minutes of a life meeting with two problems and signs them off, a
member fixes his problem, the secretary records a heart-to-heart talk in the activity ledger,
and a member writes an anonymous letter. The committee's administrator then reads the branch's
audit trail: every named write with who, what and which client, and nothing of the anonymous
letter; the secretary may not read it. The trail exports as CSV for the archive. Last, the
secretary exports the month's branch handbook as PDF: its pages render as images and its text
holds the branch, the meeting with both problems and the talk.

Usage: /usr/bin/python3 scenario_records.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, audit_pb2, audit_pb2_grpc  # noqa: E402
from branchline.v1 import calendar_pb2, common_pb2, feedback_pb2, feedback_pb2_grpc  # noqa: E402
from branchline.v1 import handbook_pb2, handbook_pb2_grpc  # noqa: E402
from branchline.v1 import organizations_pb2, records_pb2, records_pb2_grpc  # noqa: E402
from branchline_client import Client, check, create_person, request_id  # noqa: E402

MINUTE = 60


def ts(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


def today_plus(days):
    day = time.gmtime(time.time() + days * 86400)
    return calendar_pb2.LocalDate(year=day.tm_year, month=day.tm_mon, day=day.tm_mday)


def signed_in(address, phone):
    client = Client(address)
    client.sign_in(phone, "password-123")
    return client


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="运输四队党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    secretary_person = create_person(admin, branch.id, "王书记", "13900000001", common_pb2.ROLE_SECRETARY)
    zhang = create_person(admin, branch.id, "张师傅", "13900000011", common_pb2.ROLE_FULL_MEMBER)
    li = create_person(admin, branch.id, "李师傅", "13900000012", common_pb2.ROLE_FULL_MEMBER)
    secretary = signed_in(address, "13900000001")
    d1, d2 = signed_in(address, "13900000011"), signed_in(address, "13900000012")

    now = time.time()
    meeting = secretary.call(attendance_pb2_grpc.AttendanceServiceStub(secretary.channel).CreateMeeting,
                             attendance_pb2.CreateMeetingRequest(
        request_id=request_id(),
        meeting=attendance_pb2.Meeting(
            organization_id=branch.id, type=attendance_pb2.MEETING_TYPE_ORGANIZATIONAL_LIFE,
            title="组织生活会", start_time=ts(now - 60 * MINUTE), end_time=ts(now - 5 * MINUTE))))
    records = records_pb2_grpc.RecordsServiceStub(secretary.channel)
    saved = secretary.call(records.SaveMeetingRecord, records_pb2.SaveMeetingRecordRequest(
        request_id=request_id(),
        record=records_pb2.MeetingRecord(
            meeting_id=meeting.id, minutes="## 批评与自我批评\n张师傅：出车记录不及时。",
            problems=[records_pb2.Problem(description="出车记录须当日填写", owner_id=zhang.id,
                                          due_date=today_plus(7)),
                      records_pb2.Problem(description="安全学习笔记补齐", owner_id=li.id,
                                          due_date=today_plus(14))])))
    check(len(saved.problems) == 2, "the secretary wrote the minutes with two problems")
    locked = secretary.call(records.LockMeetingRecord, records_pb2.LockMeetingRecordRequest(
        request_id=request_id(), meeting_id=meeting.id, expected_version=saved.version))
    check(locked.locked, "and signed them off")
    fixed = d1.call(records_pb2_grpc.RecordsServiceStub(d1.channel).FixProblem,
                    records_pb2.FixProblemRequest(request_id=request_id(), meeting_id=meeting.id,
                                                  problem_id=saved.problems[0].id, text="已整改，每日填写"))
    check(fixed.problems[0].status == records_pb2.PROBLEM_STATUS_FIXED, "Zhang fixed his problem")
    talk = secretary.call(records.CreateLedgerEntry, records_pb2.CreateLedgerEntryRequest(
        request_id=request_id(),
        entry=records_pb2.LedgerEntry(
            organization_id=branch.id, type=records_pb2.LEDGER_ENTRY_TYPE_TALK,
            talk_level=records_pb2.TALK_LEVEL_SECRETARY_MEMBER, date=today_plus(0),
            person_ids=[li.id], text="谈心谈话：家中老人住院，排班照顾")))
    check(talk.id > 0, "the secretary recorded a heart-to-heart talk")
    letter = d2.call(feedback_pb2_grpc.FeedbackServiceStub(d2.channel).SubmitLetter,
                     feedback_pb2.SubmitLetterRequest(
        request_id="anon-" + request_id(), category=feedback_pb2.LETTER_CATEGORY_SUGGESTION,
        subject="夜班调度", body="连续夜班后又排早班。", anonymous=True))
    check(letter.receipt_code != "", "Li wrote an anonymous letter")

    audit = audit_pb2_grpc.AuditServiceStub(admin.channel)
    trail = admin.call(audit.ListAuditRecords, audit_pb2.ListAuditRecordsRequest(
        organization_id=branch.id, page_size=100)).records
    by_method = {(r.method, r.person_name) for r in trail}
    check({("CreateMeeting", "王书记"), ("SaveMeetingRecord", "王书记"),
           ("LockMeetingRecord", "王书记"), ("FixProblem", "张师傅"),
           ("CreateLedgerEntry", "王书记")} <= by_method,
          "the committee's administrator reads every named write of the branch")
    check(all(r.method != "SubmitLetter" and r.person_id != li.id for r in trail),
          "the anonymous letter left no audit record")
    save = next(r for r in trail if r.method == "SaveMeetingRecord")
    check(save.object == "record.meeting_id=%d" % meeting.id,
          "each record names the object (%s)" % save.object)
    check("grpc-python" in save.client, "and the client it came from (%s)" % save.client)
    check([r.time.ToNanoseconds() for r in trail] == sorted((r.time.ToNanoseconds() for r in trail), reverse=True),
          "newest first")
    mine = admin.call(audit.ListAuditRecords, audit_pb2.ListAuditRecordsRequest(
        organization_id=branch.id, person_id=secretary_person.id)).records
    check(len(mine) == 4 and all(r.person_id == secretary_person.id for r in mine),
          "filtered by person: the secretary's four writes")
    try:
        secretary.call(audit_pb2_grpc.AuditServiceStub(secretary.channel).ListAuditRecords,
                       audit_pb2.ListAuditRecordsRequest(organization_id=branch.id))
        check(False, "the secretary must not read the audit trail")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.PERMISSION_DENIED,
              "the secretary may not read the trail of her own writes")
    csv = b"".join(chunk.data for chunk in audit.ExportAuditRecords(
        audit_pb2.ExportAuditRecordsRequest(organization_id=branch.id),
        metadata=admin.md(), timeout=10))
    text = csv.decode("utf-8")
    check(csv.startswith(b"\xef\xbb\xbf") and "王书记" in text and "LockMeetingRecord" in text
          and text.count("\r\n") == len(trail) + 1,
          "the trail exports as CSV with a header and one line per record")

    # The branch handbook for the month, as the inspector files it: a PDF whose pages turn into
    # images and whose text holds the branch, its people, the meeting and both problems.
    handbooks = handbook_pb2_grpc.HandbookServiceStub(secretary.channel)
    # Through tomorrow: the branch's local day may already be tomorrow's UTC date.
    today, month = today_plus(0), today_plus(1)
    first = calendar_pb2.LocalDate(year=today.year, month=today.month, day=1)
    pdf = b"".join(chunk.data for chunk in handbooks.ExportBranchHandbook(
        handbook_pb2.ExportBranchHandbookRequest(organization_id=branch.id, from_date=first,
                                                 to_date=month,
                                                 format=handbook_pb2.HANDBOOK_FORMAT_PDF),
        metadata=secretary.md(), timeout=30))
    check(pdf.startswith(b"%PDF-"), "the secretary exports the branch handbook as PDF")
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "handbook.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        subprocess.run(["pdftoppm", "-r", "50", "-png", path, os.path.join(workdir, "page")],
                       check=True)
        pages = sorted(p for p in os.listdir(workdir) if p.startswith("page") and p.endswith(".png"))
        check(pages and all(os.path.getsize(os.path.join(workdir, p)) > 1000 for p in pages),
              "its %d pages render as images" % len(pages))
        text = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")
    check("运输四队党支部" in text and "王书记" in text and "张师傅" in text,
          "the handbook names the branch and its people")
    check("组织生活会" in text and "出车记录须当日填写" in text and "安全学习笔记补齐" in text,
          "and holds the meeting with both problems of its minutes")
    check("谈心谈话：家中老人住院，排班照顾" in text, "and the heart-to-heart talk of the ledger")
    check("夜班调度" not in text and "连续夜班" not in text,
          "and nothing of the anonymous letter beyond the mailbox figures")
    data = secretary.call(handbooks.GetBranchHandbook, handbook_pb2.GetBranchHandbookRequest(
        organization_id=branch.id, from_date=first, to_date=month))
    check(len(data.meetings) == 1 and len(data.meetings[0].minutes.problems) == 2
          and data.ledger.entries == 1 and data.mailbox.letter_count == 1,
          "the same handbook as data: one meeting, two problems, one ledger entry, one letter")
    try:
        d1.call(handbooks.GetBranchHandbook, handbook_pb2.GetBranchHandbookRequest(
            organization_id=branch.id, from_date=first, to_date=month))
        check(False, "a member must not read the branch handbook")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.PERMISSION_DENIED,
              "a member may not read the branch handbook")
    print("records scenario: ok")


if __name__ == "__main__":
    main()
