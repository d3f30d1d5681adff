"""The driver app against the real server while the network fails.

A driver records actions offline (check-ins, leave requests, study records, named and
anonymous letters, two that the server must refuse); the app closes and opens again; then it
syncs while the server is SIGKILLed and restarted (also right after a batch went out), some
upload attempts run with deadlines too short to get their answer, and the change stream drops
with every kill and resumes from the persisted cursor. Meanwhile the office posts notices,
decides the leave requests and answers the letters.

Afterwards, checked through the API: every queued action is stored exactly once, the refused
ones stay in the queue with their errors, and the app saw every change addressed to the driver
exactly once, in order (compared with an undisturbed ListChanges pass from the same cursor).
Then a control run shows the check catches duplicates when an app regenerates request_ids on
retry, and a restart with a 2-second retention expires the app's cursor: it resyncs.

Usage: driver_app_failure_test.py SERVER_BINARY STUBS_DIR WORK_DIR
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER, STUBS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path[:0] = [STUBS, os.path.join(ROOT, "clients", "python"), os.path.join(ROOT, "clients")]

import grpc  # noqa: E402

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, common_pb2  # noqa: E402
from branchline.v1 import feedback_pb2, feedback_pb2_grpc, organizations_pb2  # noqa: E402
from branchline.v1 import study_pb2, study_pb2_grpc, sync_pb2, sync_pb2_grpc  # noqa: E402
from branchline_client import Client, check, create_person, request_id  # noqa: E402
from driver_app.app import DriverApp  # noqa: E402
from driver_app.backoff import RETRYABLE, Backoff  # noqa: E402

ADMIN_PASSWORD = "admin-password-1"
DRIVER, SECRETARY, PASSWORD = "13900000011", "13900000001", "password-123"
MINUTE = 60
# Quick reconnects for a test. NOT grpc.min_reconnect_backoff_ms: gRPC also uses it as the
# connect timeout, and 100 ms fails every handshake on a busy machine ("tcp handshaker
# shutdown"), so the channel would never come back.
TEST_CHANNEL = [("grpc.initial_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 500)]
rng = random.Random(int(os.environ.get("DRIVER_TEST_SEED", time.time())))


class ServerRunner:
    """The real binary on one loopback port (kept across restarts, like a phone's address)."""

    def __init__(self):
        self.port = 0
        self.proc = None
        self.starts = 0
        self.kills = 0
        self.extra = []
        self.lock = threading.Lock()

    def start(self):
        for _ in range(50):
            self.starts += 1
            log = os.path.join(WORK, "server-%d.log" % self.starts)
            with open(log, "w") as out:
                self.proc = subprocess.Popen(
                    [SERVER, "--listen", "127.0.0.1:%d" % self.port, "--data-dir",
                     os.path.join(WORK, "data"), "--admin-password", ADMIN_PASSWORD,
                     "--fast-password-hashing"] + self.extra, stdout=out, stderr=subprocess.STDOUT)
            deadline = time.time() + 15
            while time.time() < deadline and self.proc.poll() is None:
                found = re.search(r"\(port (\d+)\)", open(log).read())
                if found:
                    self.port = int(found.group(1))
                    return
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            time.sleep(0.1)  # the old port may still be held for a moment
        raise SystemExit("FAILED: the server did not start:\n" + open(log).read()[-3000:])

    def kill(self):
        with self.lock:
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
                self.kills += 1

    def bounce(self, after_s, down_s):
        """SIGKILL after `after_s`, start again `down_s` later (in a thread)."""
        def run():
            time.sleep(after_s)
            with self.lock:
                if not self.proc or self.proc.poll() is not None:
                    return  # already down: the other bounce restarts it
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
                self.kills += 1
                time.sleep(down_s)
                self.start()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def stop(self):
        with self.lock:
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=20)

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port


def retried(fn, attempts=80, on_unavailable=lambda: None):
    """An office call through server restarts: same request (same request_id) until answered."""
    for attempt in range(attempts):
        try:
            return fn()
        except grpc.RpcError as error:
            if error.code() not in RETRYABLE:
                raise
            if error.code() == grpc.StatusCode.UNAVAILABLE and attempt % 3 == 2:
                on_unavailable()  # see DriverApp._call_failed: a stuck channel is replaced
        time.sleep(min(0.05 * 2 ** attempt, 0.5))
    raise SystemExit("FAILED: an office call never got through")


def ts(seconds):
    from google.protobuf.timestamp_pb2 import Timestamp
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


class Office:
    """The branch secretary's side, through restarts."""

    def __init__(self, address):
        self.address = address
        self.client = Client(address)
        self.reconnect()
        retried(lambda: self.client.sign_in(SECRETARY, PASSWORD), on_unavailable=self.reconnect)

    def reconnect(self):
        from branchline.v1 import auth_pb2_grpc
        self.client.channel = grpc.insecure_channel(self.address, options=TEST_CHANNEL)
        self.client.auth = auth_pb2_grpc.AuthServiceStub(self.client.channel)
        self.attendance = attendance_pb2_grpc.AttendanceServiceStub(self.client.channel)
        self.sync = sync_pb2_grpc.SyncServiceStub(self.client.channel)
        self.feedback = feedback_pb2_grpc.FeedbackServiceStub(self.client.channel)
        self.study = study_pb2_grpc.StudyServiceStub(self.client.channel)

    def call(self, method_name, request):
        """`method_name` as "service.Method", looked up on the current channel's stubs."""
        service, method = method_name.split(".")
        return retried(lambda: self.client.call(getattr(getattr(self, service), method), request,
                                                timeout=5), on_unavailable=self.reconnect)


def list_all(call, request, field):
    items = []
    while True:
        page = call(request)
        items += list(getattr(page, field))
        if not page.next_page_token:
            return items
        request.page_token = page.next_page_token


def stored_counts(office, driver_client, branch):
    """What the server holds, read through the API."""
    study = list_all(lambda r: driver_client.call(study_pb2_grpc.StudyServiceStub(
        driver_client.channel).ListStudyRecords, r), study_pb2.ListStudyRecordsRequest(page_size=100),
        "records")
    mine = list_all(lambda r: driver_client.call(feedback_pb2_grpc.FeedbackServiceStub(
        driver_client.channel).ListMyLetters, r), feedback_pb2.ListMyLettersRequest(page_size=100),
        "letters")
    inbox = list_all(lambda r: office.call("feedback.ListInbox", r),
                     feedback_pb2.ListInboxRequest(organization_id=branch, page_size=100), "letters")
    return {"study_records": len(study), "study_minutes": sum(r.minutes for r in study),
            "named_letters": len(mine), "all_letters": len(inbox)}


def oracle_changes(address, cursor):
    """Every change after `cursor` for the driver, read in one undisturbed pass."""
    driver = Client(address)
    driver.sign_in(DRIVER, PASSWORD)
    sync = sync_pb2_grpc.SyncServiceStub(driver.channel)
    seen = []
    while True:
        page = driver.call(sync.ListChanges, sync_pb2.ListChangesRequest(cursor=cursor, page_size=500))
        seen += [(c.sequence, c.kind, c.record_id, c.action) for c in page.changes]
        cursor = page.next_cursor
        if not page.has_more:
            return seen, driver


def main(server):
    started = time.time()
    server.start()
    admin = Client(server.address)
    admin.sign_in("admin", ADMIN_PASSWORD)
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(), organization=organizations_pb2.Organization(
            parent_id=admin.person.organization_id, name="运输四队党支部",
            kind=organizations_pb2.ORGANIZATION_KIND_BRANCH))).id
    create_person(admin, branch, "王书记", SECRETARY, common_pb2.ROLE_SECRETARY)
    driver = create_person(admin, branch, "张师傅", DRIVER, common_pb2.ROLE_FULL_MEMBER)

    db = os.path.join(WORK, "driver-app.sqlite")
    fast = dict(backoff=Backoff(base_s=0.05, cap_s=0.5), channel_options=TEST_CHANNEL,
                heartbeat_seconds=5)
    app = DriverApp(db, server.address, DRIVER, PASSWORD, **fast)
    app.catch_up()  # first start: resync, the cursor every later change is counted from
    first_cursor = app.store.cursor()
    check(first_cursor and app.stats["resyncs"] == 1, "the app's first start took a cursor (resync)")
    app.close()

    office = Office(server.address)
    material = office.call("study.CreateMaterial", study_pb2.CreateMaterialRequest(
        request_id=request_id(), material=study_pb2.Material(
            organization_id=branch, kind=study_pb2.MATERIAL_KIND_DOCUMENT, title="安全生产规程",
            body="第一章 总则"))).id
    now = time.time()

    def meeting(title, start):
        return office.call("attendance.CreateMeeting", attendance_pb2.CreateMeetingRequest(
            request_id=request_id(), meeting=attendance_pb2.Meeting(
                organization_id=branch, type=attendance_pb2.MEETING_TYPE_SAFETY_MEETING, title=title,
                start_time=ts(start), end_time=ts(start + 60 * MINUTE), remote_allowed=True))).id
    soon = [meeting("安全例会 %d" % i, now + 5 * MINUTE) for i in range(40)]
    later = [meeting("培训 %d" % i, now + 2 * 86400) for i in range(30)]

    # Offline: the server is gone while the driver records the day's actions.
    server.kill()
    app = DriverApp(db, server.address, DRIVER, PASSWORD, **fast)
    for m in soon:
        app.check_in_remote(m)
    for m in later:
        app.request_leave(m, "出车去新疆")
    for i in range(40):
        app.record_study(material, 10, "收车后学习安全规程 %d" % i)
    named, anonymous = 15, 15
    for i in range(named + anonymous):
        app.submit_letter(branch, "建议 %d" % i, "路段夜间照明不足，建议加装路灯。", anonymous=i >= named)
    app.record_study(material, 0, "零分钟")  # refused: minutes must be 1..600
    app.check_in_remote(soon[0] + 999_999)   # refused: no such meeting
    queued = len(app.store.pending())
    app.close()
    app = None
    good = queued - 2
    check(queued == 142, "142 actions queued offline")

    # The app process starts again: the queue is still there.
    attempts = {"n": 0}

    def deadline(attempt):
        attempts["n"] += 1
        return 0.004 if attempts["n"] % 4 == 2 else 5.0  # every 4th attempt cannot get its answer

    batches = {"n": 0}

    def before_upload(attempt, batch):
        batches["n"] += 1
        if batches["n"] in (2, 6, 11):  # kill the server just after this batch went out
            bouncers.append(server.bounce(after_s=rng.uniform(0.002, 0.03), down_s=0.3))

    bouncers = []
    server.start()
    app = DriverApp(db, server.address, DRIVER, PASSWORD, batch_size=10, attempt_deadline=deadline,
                    before_upload=before_upload, max_attempts=200, **fast)
    check(len(app.store.pending()) == queued, "the queue survived the app restarting")
    app.start_watch()

    stop_chaos = threading.Event()

    def chaos():
        while not stop_chaos.wait(rng.uniform(1.5, 2.5)):
            server.bounce(0, rng.uniform(0.1, 0.5)).join()

    chaos_thread = threading.Thread(target=chaos, daemon=True)
    chaos_thread.start()

    def office_work():
        for i in range(20):
            office.call("sync.PostNotice", sync_pb2.PostNoticeRequest(
                request_id=request_id(), notice=sync_pb2.Notice(
                    organization_id=branch, title="通知 %d" % i, body="请注意行车安全。")))
            time.sleep(0.1)
    office_thread = threading.Thread(target=office_work, daemon=True)
    office_thread.start()

    try:
        totals = app.sync_actions()
    finally:
        if os.environ.get("DRIVER_TEST_DEBUG"):
            for e in app.errors:
                print(e)
    office_thread.join()
    # The answers: leave decided, named letters replied to (while the server still bounces).
    receipts = {rid: sync_pb2.ActionResult.FromString(blob) for rid, _, _, blob in app.store.receipts()}
    for m in later:
        office.call("attendance.DecideLeave", attendance_pb2.DecideLeaveRequest(
            request_id=request_id(), meeting_id=m, person_id=driver.id, approve=True))
    named_letters = [r.letter.letter.id for r in receipts.values()
                     if r.WhichOneof("result") == "letter" and not r.letter.letter.anonymous]
    for letter in named_letters:
        office.call("feedback.ReplyToLetter", feedback_pb2.ReplyToLetterRequest(
            request_id=request_id(), id=letter, text="已转交路政部门，谢谢建议。"))
    stop_chaos.set()
    chaos_thread.join()
    for b in bouncers:
        b.join()
    if server.proc.poll() is not None:
        server.start()

    print("uploads: %s; %d server kills; app stats %s" % (totals, server.kills, app.stats))
    check(server.kills >= 3, "the server was SIGKILLed %d times during the sync" % server.kills)
    check(app.stats["upload_failures"] >= 1, "some upload attempts failed and were retried")

    # Exactly once, through the API.
    check(app.store.pending() == [], "nothing is left to upload")
    failed = app.store.failed()
    check(sorted(code for _, _, code, _ in failed) ==
          sorted([grpc.StatusCode.INVALID_ARGUMENT.value[0], grpc.StatusCode.NOT_FOUND.value[0]]),
          "the two refused actions stay in the queue with their errors")
    check(len(receipts) == good and totals["done"] + totals["already_done"] == good,
          "every good action has its answer kept (%d done, %d already done)" %
          (totals["done"], totals["already_done"]))
    anonymous_receipts = [r for r in receipts.values()
                          if r.WhichOneof("result") == "letter" and r.letter.receipt_code]
    check(len(anonymous_receipts) == anonymous, "each anonymous letter's receipt code is kept")
    driver_client = Client(server.address)
    driver_client.sign_in(DRIVER, PASSWORD)
    expected = {"study_records": 40, "study_minutes": 400, "named_letters": named,
                "all_letters": named + anonymous}
    counts = stored_counts(office, driver_client, branch)
    check(counts == expected, "every action is stored exactly once: %s" % counts)
    for m in soon[:5] + soon[-5:]:
        roster = office.call("attendance.GetRoster", attendance_pb2.GetRosterRequest(meeting_id=m))
        statuses = [e.status for e in roster.entries if e.display_name == "张师傅"]
        check(statuses == [attendance_pb2.ATTENDANCE_STATUS_REMOTE], "check-in stored once (meeting %d)" % m)

    # Exactly once, in order: the changes the app received against an undisturbed pass.
    oracle, _ = oracle_changes(server.address, first_cursor)
    deadline_s = time.time() + 20
    while len(app.store.delivered()) < len(oracle) and time.time() < deadline_s:
        time.sleep(0.1)
    app.stop_watch()
    late = app.catch_up()
    delivered = app.store.delivered()
    sequences = [d[0] for d in delivered]
    check(len(oracle) > 150, "%d changes were addressed to the driver meanwhile" % len(oracle))
    check(len(set(sequences)) == len(sequences), "no change was delivered twice")
    check(delivered == oracle, "the app saw every change exactly once, in order "
          "(%d changes, %d by the stream, %d by catch-up)" %
          (len(delivered), sum(1 for _ in delivered) - late, late))
    check(app.stats["stream_drops"] >= 1 and app.stats["stream_connects"] >= 2,
          "the stream dropped and resumed (%d connects)" % app.stats["stream_connects"])
    app.close()

    # Control: an app that makes new request_ids on retry duplicates; the same check sees it.
    control_db = os.path.join(WORK, "control.sqlite")
    control = DriverApp(control_db, server.address, DRIVER, PASSWORD, **fast)
    for i in range(3):
        control.record_study(material, 5, "对照 %d" % i)
    lost = sync_pb2.UploadActionsRequest()
    for _, _, _, payload in control.store.pending():
        lost.actions.add().ParseFromString(payload)
    control.sync.UploadActions(lost, metadata=control._metadata(), timeout=10)  # answer "lost"
    for _, rid, _, payload in control.store.pending():  # the bug: fresh ids for the retry
        action = sync_pb2.OfflineAction.FromString(payload)
        action.study_record.request_id = request_id()
        control.store._db.execute("UPDATE actions SET payload=? WHERE request_id=?",
                                  (action.SerializeToString(), rid))
    control.sync_actions()
    control.close()
    counts = stored_counts(office, driver_client, branch)
    check(counts["study_records"] == 46,
          "control: an app that regenerates request_ids on retry stores 46 study records where "
          "43 were recorded, which the exactly-once check above would refuse")

    # Retention: the server restarts keeping changes for 2 s; the app comes back later.
    server.stop()
    server.extra = ["--change-retention-seconds", "2", "--change-prune-interval-seconds", "1"]
    server.start()
    office = Office(server.address)
    office.call("sync.PostNotice", sync_pb2.PostNoticeRequest(
        request_id=request_id(), notice=sync_pb2.Notice(
            organization_id=branch, title="过期之后", body="这条通知在游标过期后才被读到。")))
    time.sleep(3.5)
    app = DriverApp(db, server.address, DRIVER, PASSWORD, **fast)
    before = len(app.store.delivered())
    app.catch_up()
    notices = [sync_pb2.MyNotice.FromString(p).notice.title for _, p in app.store.snapshot("notice")]
    check(app.stats["resyncs"] == 1 and "过期之后" in notices,
          "an expired cursor (CURSOR_EXPIRED) made the app resync; the snapshot has the notice")
    check(len(app.store.delivered()) == before, "nothing was delivered from the expired range")
    app.close()
    server.stop()
    print("driver app failure test passed in %.1f s" % (time.time() - started))


if __name__ == "__main__":
    runner = ServerRunner()
    try:
        main(runner)
    finally:
        if runner.proc and runner.proc.poll() is None:
            runner.proc.kill()
            runner.proc.wait()
