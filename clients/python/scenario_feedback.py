"""Feedback scenario: a driver files an anonymous difficulty and a named suggestion; the branch
secretary replies to one and escalates the other to the committee; the driver reads the reply
with the receipt code alone (no sign-in) and, once resolved, rates it.

Usage: /usr/bin/python3 scenario_feedback.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import sys
import uuid

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

from branchline.v1 import common_pb2, feedback_pb2, feedback_pb2_grpc  # noqa: E402
from branchline.v1 import organizations_pb2  # noqa: E402
from branchline_client import Client, check, create_person, request_id, violation_field  # noqa: E402


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id

    committee = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(), organization=organizations_pb2.Organization(
            parent_id=root, name="运输公司党委", kind=organizations_pb2.ORGANIZATION_KIND_COMMITTEE)))
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(), organization=organizations_pb2.Organization(
            parent_id=committee.id, name="运输四队党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    create_person(admin, branch.id, "王师傅", "13800000001", common_pb2.ROLE_EMPLOYEE)
    create_person(admin, branch.id, "张书记", "13800000002", common_pb2.ROLE_SECRETARY)
    create_person(admin, committee.id, "陈书记", "13800000003", common_pb2.ROLE_SECRETARY)

    driver = Client(address)
    driver.sign_in("13800000001", "password-123")
    secretary = Client(address)
    secretary.sign_in("13800000002", "password-123")
    committee_secretary = Client(address)
    committee_secretary.sign_in("13800000003", "password-123")
    mailbox = feedback_pb2_grpc.FeedbackServiceStub(driver.channel)

    # The anonymous difficulty: a long random request id, the receipt code shown once.
    anonymous_request = feedback_pb2.SubmitLetterRequest(
        request_id=str(uuid.uuid4()), category=feedback_pb2.LETTER_CATEGORY_DIFFICULTY,
        subject="连续夜班休息不足", body="这个月连着跑了六个夜班，第二天又排早班。", anonymous=True)
    anonymous = driver.call(mailbox.SubmitLetter, anonymous_request)
    code = anonymous.receipt_code
    check(code != "" and anonymous.letter.author_person_id == 0,
          "anonymous difficulty filed, receipt code shown, no author stored")
    again = driver.call(mailbox.SubmitLetter, anonymous_request)
    check(again.letter.id == anonymous.letter.id and again.receipt_code == code,
          "a retry returns the same letter and the same code")

    named = driver.call(mailbox.SubmitLetter, feedback_pb2.SubmitLetterRequest(
        request_id=request_id(), category=feedback_pb2.LETTER_CATEGORY_SUGGESTION,
        subject="建议在服务区增设休息室", body="长途司机中途休息不便。"))
    check(named.letter.author_person_id == driver.person.id, "named suggestion filed")
    mine = driver.call(mailbox.ListMyLetters, feedback_pb2.ListMyLettersRequest())
    check([l.id for l in mine.letters] == [named.letter.id], "my letters lists only the named letter")

    # The secretary works the inbox.
    inbox = secretary.call(mailbox.ListInbox, feedback_pb2.ListInboxRequest(
        organization_id=branch.id, state=feedback_pb2.LETTER_STATE_SUBMITTED))
    check({l.id for l in inbox.letters} == {anonymous.letter.id, named.letter.id},
          "both letters are in the branch inbox")
    for state in (feedback_pb2.LETTER_STATE_ACKNOWLEDGED, feedback_pb2.LETTER_STATE_IN_PROGRESS):
        secretary.call(mailbox.TransitionLetter, feedback_pb2.TransitionLetterRequest(
            request_id=request_id(), id=anonymous.letter.id, state=state))
    secretary.call(mailbox.ReplyToLetter, feedback_pb2.ReplyToLetterRequest(
        request_id=request_id(), id=anonymous.letter.id, text="已与调度沟通，下周起夜班后安排休息日。"))
    secretary.call(mailbox.AddInternalNote, feedback_pb2.AddInternalNoteRequest(
        request_id=request_id(), id=anonymous.letter.id, text="调度科王科长负责落实"))
    escalated = secretary.call(mailbox.EscalateLetter, feedback_pb2.EscalateLetterRequest(
        request_id=request_id(), id=named.letter.id, reason="需公司层面协调服务区"))
    check(escalated.organization_id == committee.id and list(escalated.escalated_from_organization_ids) == [branch.id],
          "the secretary escalates the suggestion to the committee")
    upper = committee_secretary.call(mailbox.ListInbox, feedback_pb2.ListInboxRequest(organization_id=committee.id))
    check([l.id for l in upper.letters] == [named.letter.id], "the committee sees it in its inbox")

    try:
        secretary.call(mailbox.TransitionLetter, feedback_pb2.TransitionLetterRequest(
            request_id=request_id(), id=anonymous.letter.id, state=feedback_pb2.LETTER_STATE_CLOSED))
        check(False, "closing an unresolved letter must be refused")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.FAILED_PRECONDITION and violation_field(error) == "state",
              "in progress -> closed is FAILED_PRECONDITION")

    # The driver reads the reply with the code alone: a channel without any token.
    anonymous_reader = feedback_pb2_grpc.FeedbackServiceStub(grpc.insecure_channel(address))
    view = anonymous_reader.GetLetterByReceipt(
        feedback_pb2.GetLetterByReceiptRequest(receipt_code=code), timeout=10)
    replies = [e.text for e in view.events if e.kind == feedback_pb2.LETTER_EVENT_KIND_REPLY]
    check(replies == ["已与调度沟通，下周起夜班后安排休息日。"], "the driver reads the reply with the receipt code")
    check(all(e.kind != feedback_pb2.LETTER_EVENT_KIND_INTERNAL_NOTE for e in view.events),
          "internal notes are not shown to the author")
    anonymous_reader.ReplyByReceipt(feedback_pb2.ReplyByReceiptRequest(
        request_id=str(uuid.uuid4()), receipt_code=code, text="谢谢，已经安排了。"), timeout=10)

    secretary.call(mailbox.TransitionLetter, feedback_pb2.TransitionLetterRequest(
        request_id=request_id(), id=anonymous.letter.id, state=feedback_pb2.LETTER_STATE_RESOLVED))
    rated = anonymous_reader.RateLetter(feedback_pb2.RateLetterRequest(
        request_id=str(uuid.uuid4()), receipt_code=code, rating=5, comment="处理及时"), timeout=10)
    check(rated.state == feedback_pb2.LETTER_STATE_CLOSED and rated.rating == 5,
          "the driver rates it with the code and the letter closes")

    try:
        middle = code.index(".") + 5
        wrong = code[:middle] + ("B" if code[middle] == "A" else "A") + code[middle + 1:]
        anonymous_reader.GetLetterByReceipt(
            feedback_pb2.GetLetterByReceiptRequest(receipt_code=wrong), timeout=10)
        check(False, "a wrong code must not open the letter")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.NOT_FOUND, "a wrong receipt code is NOT_FOUND")

    figures = committee_secretary.call(mailbox.GetFeedbackFigures, feedback_pb2.GetFeedbackFiguresRequest(
        organization_id=committee.id,
        start_time=timestamp_pb2.Timestamp(seconds=anonymous.letter.submit_time.seconds - 86400),
        end_time=timestamp_pb2.Timestamp(seconds=anonymous.letter.submit_time.seconds + 3 * 86400)))
    check(figures.letter_count == 2 and figures.resolved_count == 1 and figures.average_rating == 5.0,
          "the committee's figures count both letters, one resolved, rated 5")
    print("feedback scenario passed")


if __name__ == "__main__":
    main()
