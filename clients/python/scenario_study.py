"""Study scenario: a secretary publishes a material, a yearly plan and a quiz; two drivers
record study with Chinese notes; one passes the quiz; the progress report shows both.

Usage: /usr/bin/python3 scenario_study.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import sys
import time

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

from branchline.v1 import common_pb2, organizations_pb2, people_pb2  # noqa: E402
from branchline.v1 import study_pb2, study_pb2_grpc  # noqa: E402
from branchline_client import Client, check, request_id, violation_field  # noqa: E402


def now_ts(seconds_ago=60):
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int((time.time() - seconds_ago) * 1e9))
    return ts


def local_year(offset_minutes):
    return time.gmtime(time.time() + offset_minutes * 60).tm_year


def study(client):
    return study_pb2_grpc.StudyServiceStub(client.channel)


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id

    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="运输公司第四党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    people = {}
    for login, name, role in [("sec", "赵书记", common_pb2.ROLE_SECRETARY),
                              ("driver1", "王师傅", common_pb2.ROLE_FULL_MEMBER),
                              ("driver2", "李师傅", common_pb2.ROLE_PROBATIONARY_MEMBER)]:
        people[login] = admin.call(admin.people.CreatePerson, people_pb2.CreatePersonRequest(
            request_id=request_id(),
            person=people_pb2.Person(organization_id=branch.id, display_name=name,
                                     employee_number=login, role=role),
            initial_password="password-123"))
    sec, d1, d2 = Client(address), Client(address), Client(address)
    sec.sign_in("sec", "password-123")
    d1.sign_in("driver1", "password-123")
    d2.sign_in("driver2", "password-123")
    year = local_year(branch.utc_offset_minutes)

    # The secretary publishes a material and the yearly plan.
    material = sec.call(study(sec).CreateMaterial, study_pb2.CreateMaterialRequest(
        request_id=request_id(),
        material=study_pb2.Material(organization_id=branch.id, kind=study_pb2.MATERIAL_KIND_BOOK,
                                    title="中国共产党章程", body="第一章 党员……", estimated_minutes=120)))
    plan = sec.call(study(sec).CreateStudyPlan, study_pb2.CreateStudyPlanRequest(
        request_id=request_id(),
        plan=study_pb2.StudyPlan(
            organization_id=branch.id, year=year, title="%d年度学习计划" % year,
            items=[study_pb2.StudyPlanItem(material_id=material.id, required_minutes=60,
                                           due_date="%d-12-31" % year)])))
    check(len(plan.items) == 1 and plan.items[0].id != 0, "the secretary published the plan")

    mine = d1.call(study(d1).ListMyPlanItems, study_pb2.ListMyPlanItemsRequest())
    check([i.item.id for i in mine.items] == [plan.items[0].id], "driver 1 sees the plan item")

    # Two drivers record study with Chinese notes; a retry writes nothing twice.
    notes1 = "学习党章第一章，牢记初心使命🚚"
    record = study_pb2.RecordStudyRequest(
        request_id=request_id(), plan_id=plan.id, plan_item_id=plan.items[0].id, minutes=70,
        notes=notes1, device_time=now_ts())
    first = d1.call(study(d1).RecordStudy, record)
    again = d1.call(study(d1).RecordStudy, record)
    check(first.id == again.id, "a retried check-in returns the first record")
    check(first.notes_chars == len(notes1), "notes are counted in characters (%d)" % first.notes_chars)
    d2.call(study(d2).RecordStudy, study_pb2.RecordStudyRequest(
        request_id=request_id(), plan_id=plan.id, plan_item_id=plan.items[0].id, minutes=30,
        notes="收车后学习了党的历史", device_time=now_ts()))

    try:
        d2.call(study(d2).RecordStudy, study_pb2.RecordStudyRequest(
            request_id=request_id(), material_id=material.id, minutes=601, device_time=now_ts()))
        check(False, "601 minutes must be refused")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.INVALID_ARGUMENT and violation_field(error) == "minutes",
              "601 minutes is INVALID_ARGUMENT naming minutes")

    # A quiz; driver 1 passes it without ever seeing the answers first.
    bank = sec.call(study(sec).CreateQuiz, study_pb2.CreateQuizRequest(
        request_id=request_id(),
        quiz=study_pb2.Quiz(
            organization_id=branch.id, title="党章知识测验", draw_count=2, pass_percent=100,
            max_attempts=3, time_limit_seconds=600,
            questions=[
                study_pb2.QuizQuestion(kind=study_pb2.QUESTION_KIND_SINGLE_CHOICE,
                                       text="党的根本宗旨是？", options=["全心全意为人民服务", "发展经济"],
                                       correct_options=[0]),
                study_pb2.QuizQuestion(kind=study_pb2.QUESTION_KIND_MULTIPLE_CHOICE,
                                       text="“三会一课”包括哪些？",
                                       options=["支部党员大会", "支部委员会", "党小组会", "运动会"],
                                       correct_options=[0, 1, 2]),
            ])))
    attempt = d1.call(study(d1).StartQuizAttempt, study_pb2.StartQuizAttemptRequest(
        request_id=request_id(), quiz_id=bank.id))
    check(all(len(q.correct_options) == 0 for q in attempt.questions),
          "the attempt's questions carry no answers")
    answers = [study_pb2.QuizAnswer(question_id=q.id, chosen_options=bank.questions[q.id].correct_options)
               for q in attempt.questions]
    scored = d1.call(study(d1).SubmitQuizAttempt, study_pb2.SubmitQuizAttemptRequest(
        request_id=request_id(), attempt_id=attempt.id, answers=answers))
    check(scored.passed and scored.score_percent == 100, "driver 1 passed the quiz")

    # The progress report shows both drivers.
    report = sec.call(study(sec).GetStudyReport, study_pb2.GetStudyReportRequest(
        organization_id=branch.id, year=year))
    check(report.people == 3 and report.total_minutes == 100, "the report counts both drivers' minutes")
    check(report.plans[0].people_complete == 1, "one person completed the plan")
    board = sec.call(study(sec).GetLeaderboard, study_pb2.GetLeaderboardRequest(
        organization_id=branch.id, year=year))
    order = [e.person_id for e in board.entries]
    check(order[:2] == [people["driver1"].id, people["driver2"].id],
          "the leaderboard ranks driver 1 (quiz passed) before driver 2")
    p1 = sec.call(study(sec).GetStudyProgress, study_pb2.GetStudyProgressRequest(
        person_id=people["driver1"].id, year=year))
    p2 = sec.call(study(sec).GetStudyProgress, study_pb2.GetStudyProgressRequest(
        person_id=people["driver2"].id, year=year))
    check(p1.items[0].complete and p1.quizzes_passed == 1 and p1.current_streak_days == 1,
          "driver 1: item complete, quiz passed, one-day streak")
    check(p2.total_minutes == 30 and not p2.items[0].complete and p2.notes_chars == 10,
          "driver 2: 30 minutes, item not complete, 10 characters of notes")

    try:
        d2.call(study(d2).GetStudyProgress, study_pb2.GetStudyProgressRequest(
            person_id=people["driver1"].id, year=year))
        check(False, "a driver must not read another's progress")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.PERMISSION_DENIED,
              "reading another driver's progress is PERMISSION_DENIED")

    print("study scenario passed")


if __name__ == "__main__":
    main()
