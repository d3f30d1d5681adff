"""Evaluation scenario (issue #20), as a fleet branch runs its quarter:

1. 张师傅, a party member, records his commitment for the quarter and reports progress; the
   staff of the branch read it (commitments are published to them);
2. the quarterly commitment rating (承诺践诺测评, template COMMITMENT_QUARTERLY): five staff
   members rate how he kept it. The template is anonymous for every rater, so each takes a
   ballot while signed in (IssueBallot: the server signs a blinded token and learns only "this
   rater has a ballot") and rates later over a connection that carries no sign-in at all
   (SubmitBallotRating). Until the fifth rating his figures are withheld ("too few ratings");
   one rater changes her mind before the close; a forged ballot and a second ballot are refused;
3. the branch's half-yearly rating by all staff (职工评议支部, BRANCH_HALF_YEARLY), four criteria.
Scores and grades are checked against figures computed here.

Usage: /usr/bin/python3 scenario_evaluation.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import sys

HERE = __file__.rsplit("/", 1)[0]
sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else HERE + "/gen")
sys.path.insert(0, HERE)

import grpc  # noqa: E402

from blind_ballot import BlindBallot  # noqa: E402
from branchline.v1 import common_pb2, evaluation_pb2, evaluation_pb2_grpc  # noqa: E402
from branchline.v1 import organizations_pb2  # noqa: E402
from branchline_client import Client, channel_to, check, create_person, request_id  # noqa: E402

EVAL = evaluation_pb2


def signed_in(address, phone):
    client = Client(address)
    client.sign_in(phone, "password-123")
    return client


def half_up(value, places=2):
    """Rounded half up, as the server and Chinese reports round (not banker's rounding)."""
    scale = 10 ** places
    return int(value * scale + 0.5 + 1e-9) / scale


def score_of_100(averages, criteria):
    """The server's rule (docs/evaluation.md): 100 x sum(weight x average / scale_max) / sum(weight)."""
    total = sum(c.weight for c in criteria)
    return 100 * sum(c.weight * averages[c.name] / c.scale_max for c in criteria) / total


def refused_with(call, code):
    try:
        call()
    except grpc.RpcError as error:
        return error.code() == code
    return False


class Rater:
    """A staff member with a ballot for one round: takes it signed in, rates without."""

    def __init__(self, client, stub, round_, anonymous_stub):
        self.anonymous_stub = anonymous_stub
        self.round_id = round_.id
        blind = BlindBallot(round_.ballot_public_key)
        answer = client.call(stub.IssueBallot, EVAL.IssueBallotRequest(
            round_id=round_.id, blinded_token=blind.blinded))
        token, signature = blind.finish(answer.blind_signature)
        self.ballot = EVAL.Ballot(token=token, signature=signature)

    def rate(self, subject_id, scores):
        return self.anonymous_stub.SubmitBallotRating(EVAL.SubmitBallotRatingRequest(
            round_id=self.round_id, subject_id=subject_id, ballot=self.ballot,
            scores=[EVAL.CriterionScore(criterion=name, score=value)
                    for name, value in scores.items()]), timeout=10)


def subject_result(secretary, stub, round_id, subject_id):
    results = secretary.call(stub.GetRoundResults, EVAL.GetRoundResultsRequest(
        round_id=round_id, subject_id=subject_id))
    return results, results.subjects[0]


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=admin.person.organization_id, name="运输四队党支部",
            kind=organizations_pb2.ORGANIZATION_KIND_BRANCH, utc_offset_minutes=480)))
    create_person(admin, branch.id, "王书记", "13900000001", common_pb2.ROLE_SECRETARY)
    zhang_person = create_person(admin, branch.id, "张师傅", "13900000011",
                                 common_pb2.ROLE_FULL_MEMBER)
    staff_names = ["刘师傅", "陈师傅", "杨师傅", "黄师傅", "周师傅"]
    for i, name in enumerate(staff_names):
        create_person(admin, branch.id, name, "1390000002%d" % i, common_pb2.ROLE_EMPLOYEE)
    secretary = signed_in(address, "13900000001")
    zhang = signed_in(address, "13900000011")
    staff = [signed_in(address, "1390000002%d" % i) for i in range(5)]
    stub = evaluation_pb2_grpc.EvaluationServiceStub(secretary.channel)
    # The ballot ratings travel over their own channel with no token: nothing ties them to a
    # sign-in.
    anonymous_stub = evaluation_pb2_grpc.EvaluationServiceStub(channel_to(address))

    # 1. The commitment, published to the staff.
    commitment = zhang.call(stub.RecordCommitment, EVAL.RecordCommitmentRequest(
        request_id=request_id(), commitment=EVAL.Commitment(
            period_label="2026年第四季度", post="长途货运驾驶员",
            text="本季度安全行车无事故，带好两名新司机，每月参加一次道路抢险演练。")))
    zhang.call(stub.ReportCommitmentProgress, EVAL.ReportCommitmentProgressRequest(
        request_id=request_id(), commitment_id=commitment.id,
        text="十月、十一月安全行车 2.1 万公里，新司机小周已能独立出车。"))
    seen = staff[0].call(stub.ListCommitments, EVAL.ListCommitmentsRequest(
        organization_id=branch.id, period_label="2026年第四季度")).commitments
    check([c.id for c in seen] == [commitment.id] and len(seen[0].progress) == 1,
          "a driver of the branch reads 张师傅's commitment and its progress")

    # 2. The quarterly commitment rating.
    rating = secretary.call(stub.CreateRound, EVAL.CreateRoundRequest(
        request_id=request_id(), template_kind=EVAL.EVALUATION_TEMPLATE_COMMITMENT_QUARTERLY,
        round=EVAL.EvaluationRound(organization_id=branch.id, title="承诺践诺测评",
                                   period_label="2026年第四季度")))
    check(rating.anonymous and rating.min_raters == 5,
          "the commitment rating is anonymous and shows figures from 5 raters on")
    check(zhang_person.id in rating.subject_ids, "张师傅 is one of its subjects")
    criterion = rating.criteria[0]
    raters = [Rater(s, stub, rating, anonymous_stub) for s in staff]
    check(refused_with(lambda: staff[0].call(stub.IssueBallot, EVAL.IssueBallotRequest(
        round_id=rating.id, blinded_token=BlindBallot(rating.ballot_public_key).blinded)),
        grpc.StatusCode.ALREADY_EXISTS), "a second ballot for the same rater is refused")
    forged = EVAL.Ballot(token=b"\x01" * 32, signature=raters[0].ballot.signature)
    check(refused_with(lambda: anonymous_stub.SubmitBallotRating(EVAL.SubmitBallotRatingRequest(
        round_id=rating.id, subject_id=zhang_person.id, ballot=forged,
        scores=[EVAL.CriterionScore(criterion=criterion.name, score=1)]), timeout=10),
        grpc.StatusCode.PERMISSION_DENIED), "a forged ballot is refused")

    scores = [5, 5, 4, 4, 5]
    for rater, score in zip(raters[:4], scores[:4]):
        rater.rate(zhang_person.id, {criterion.name: score})
    _, withheld = subject_result(secretary, stub, rating.id, zhang_person.id)
    check(withheld.raters == 4 and withheld.too_few_ratings and not withheld.final_grade,
          "after four ratings his figures are withheld (too few ratings)")
    raters[4].rate(zhang_person.id, {criterion.name: scores[4]})
    results, shown = subject_result(secretary, stub, rating.id, zhang_person.id)
    expected = half_up(score_of_100({criterion.name: sum(scores) / 5}, rating.criteria))
    check(not shown.too_few_ratings and abs(shown.rater_score - expected) < 1e-9,
          "after the fifth his score is %.2f (computed here: %.2f)" % (shown.rater_score, expected))
    check(shown.final_grade == "优秀", "which is 优秀 (90 and above)")
    check(results.participating_raters == 5 and results.eligible_raters == 7,
          "5 of the branch's 7 staff took a ballot")

    scores[1] = 3  # 陈师傅 thinks again before the close
    receipt = raters[1].rate(zhang_person.id, {criterion.name: scores[1]})
    _, changed = subject_result(secretary, stub, rating.id, zhang_person.id)
    expected = half_up(score_of_100({criterion.name: sum(scores) / 5}, rating.criteria))
    check(receipt.replaced and changed.raters == 5 and abs(changed.rater_score - expected) < 1e-9,
          "a rater changes her rating: still 5 raters, score %.2f" % changed.rater_score)
    check(changed.final_grade == "合格", "now 合格 (75 to 90)")

    # 3. The branch's half-yearly rating by all staff.
    branch_round = secretary.call(stub.CreateRound, EVAL.CreateRoundRequest(
        request_id=request_id(), template_kind=EVAL.EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY,
        round=EVAL.EvaluationRound(organization_id=branch.id, title="职工评议支部",
                                   period_label="2026年下半年")))
    check(branch_round.subject_kind == EVAL.EVALUATION_SUBJECT_KIND_ORGANIZATION and
          len(branch_round.criteria) == 4, "the branch itself is rated on four criteria")
    subject = branch_round.subject_ids[0]
    given = [[5, 4, 4, 5], [4, 4, 3, 4], [5, 5, 4, 4], [3, 4, 4, 3], [5, 4, 5, 4]]
    for client, row in zip(staff, given):
        Rater(client, stub, branch_round, anonymous_stub).rate(
            subject, {c.name: v for c, v in zip(branch_round.criteria, row)})
    _, branch_result = subject_result(secretary, stub, branch_round.id, subject)
    averages = {c.name: sum(row[i] for row in given) / len(given)
                for i, c in enumerate(branch_round.criteria)}
    expected = half_up(score_of_100(averages, branch_round.criteria))
    check(abs(branch_result.rater_score - expected) < 1e-9 and branch_result.raters == 5,
          "the staff rate the branch %.2f (computed here: %.2f), grade %s"
          % (branch_result.rater_score, expected, branch_result.final_grade))
    mine = staff[2].call(stub.ListRounds, EVAL.ListRoundsRequest(mine=True)).rounds
    check({r.id for r in mine} == {rating.id, branch_round.id},
          "a driver's phone lists both rounds to rate")
    print("evaluation scenario: ok")


if __name__ == "__main__":
    main()
