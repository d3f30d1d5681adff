"""DriverApp: what a driver's phone does, without the screens.

- Actions are recorded offline into the local queue with a request_id chosen ONCE and the
  device time; the same request_id goes with every upload attempt, so the server stores each
  action once however often the answer is lost.
- sync_actions() uploads the queue in batches (UploadActions) with retries, exponential
  backoff with jitter and a deadline per attempt; each action's answer is applied on its own:
  DONE / ALREADY_DONE leave the queue (the answer is kept as a receipt), FAILED stays with its
  error for the driver to see.
- Changes: catch_up() pages through ListChanges; the watcher thread follows WatchChanges and
  reconnects from the persisted cursor after any drop. A cursor the server refuses with a
  google.rpc.ErrorInfo of domain "branchline.v1" and reason CURSOR_EXPIRED, CURSOR_FOREIGN or
  CURSOR_AHEAD (docs/errors.md) triggers resync(): take a fresh cursor, then re-read state.
"""

import threading
import time
import uuid

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2, status_pb2

from branchline.v1 import attendance_pb2, attendance_pb2_grpc, auth_pb2, auth_pb2_grpc
from branchline.v1 import feedback_pb2, study_pb2, sync_pb2, sync_pb2_grpc

from .backoff import RETRYABLE, Backoff
from .local_store import LocalStore

ERROR_DOMAIN = "branchline.v1"
RESYNC_REASONS = {"CURSOR_EXPIRED", "CURSOR_FOREIGN", "CURSOR_AHEAD"}
MAX_BATCH = 100  # the server's limit (OfflineBatch::kMaxActions)

# A channel for phones: reconnect quickly after a network change (Android: also call
# resetConnectBackoff() on a connectivity change), keepalive within the server's policy
# (it accepts pings no more often than every 30 s).
CHANNEL_OPTIONS = [
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.initial_reconnect_backoff_ms", 1_000),
    ("grpc.max_reconnect_backoff_ms", 30_000),
]


def closed_channel(error):
    """True for grpcio's refusal to start a call on a closed channel ("Cannot invoke RPC:
    Channel closed!"): another thread replaced the channel (App._call_failed) between reading
    the stub and calling it. The next attempt reads the new stub."""
    return isinstance(error, ValueError) and "Channel closed" in str(error)


def resync_reason(error):
    """The ErrorInfo reason when `error` tells the client to resync, else None."""
    if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
        return None
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.ErrorInfo()
                if (detail.Unpack(info) and info.domain == ERROR_DOMAIN
                        and info.reason in RESYNC_REASONS):
                    return info.reason
    return None


def _timestamp(seconds):
    t = Timestamp()
    t.FromNanoseconds(int(seconds * 1e9))
    return t


class DriverApp:
    def __init__(self, db_path, address, login, password, *, batch_size=50,
                 backoff=None, channel_options=None, attempt_deadline=None, before_upload=None,
                 clock=time.time, heartbeat_seconds=30, max_attempts=30):
        self.store = LocalStore(db_path)
        self.login, self.password = login, password
        self.batch_size = min(batch_size, MAX_BATCH)
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.heartbeat_seconds = heartbeat_seconds
        self.max_attempts = max_attempts
        # Test hooks: the deadline of upload attempt n, and a call before each attempt.
        self.attempt_deadline = attempt_deadline or (lambda attempt: 20.0)
        self.before_upload = before_upload or (lambda attempt, batch: None)
        self.address = address
        self.channel_options = channel_options or CHANNEL_OPTIONS
        self._channel_lock = threading.Lock()
        self._unavailable_in_a_row = 0
        self._open_channel()
        self._token = None
        self._token_lock = threading.Lock()
        self._watch_stop = threading.Event()
        self._watch_thread = None
        self._watch_call = None
        self._changes_lock = threading.Lock()  # one reader of the change log at a time
        self.errors = []  # (what, code, details) of failed calls, for diagnostics
        self.stats = {"upload_attempts": 0, "upload_failures": 0, "stream_connects": 0,
                      "stream_drops": 0, "heartbeats": 0, "resyncs": 0,
                      "channel_resets": 0, "silent_streams": 0}

    def _open_channel(self):
        self.channel = grpc.insecure_channel(self.address, options=self.channel_options)
        self.auth = auth_pb2_grpc.AuthServiceStub(self.channel)
        self.sync = sync_pb2_grpc.SyncServiceStub(self.channel)
        self.attendance = attendance_pb2_grpc.AttendanceServiceStub(self.channel)

    def _call_failed(self, error):
        """Counts UNAVAILABLE answers in a row; after 3, replaces the channel.

        grpcio 1.51 channels were seen to stay in TRANSIENT_FAILURE, failing every call with
        the stale "Connection refused" of an earlier attempt, long after the server came back
        on the same port (the driver-app failure test hit it on every run). A new channel
        connects at once. On Android the same cure is resetConnectBackoff()/enterIdle()."""
        if error.code() != grpc.StatusCode.UNAVAILABLE:
            return
        with self._channel_lock:
            self._unavailable_in_a_row += 1
            if self._unavailable_in_a_row < 3:
                return
            self._unavailable_in_a_row = 0
            old = self.channel
            self._open_channel()
            self.stats["channel_resets"] += 1
        old.close()  # calls still on it end CANCELLED and are retried on the new one

    def _call_succeeded(self):
        self._unavailable_in_a_row = 0

    def close(self):
        self.stop_watch()
        self.channel.close()
        self.store.close()

    # --- recording actions offline ---

    def record(self, action):
        """Queues an OfflineAction: fixes its request_id (once, here) and its device time."""
        kind = action.WhichOneof("action")
        inner = getattr(action, kind)
        if not inner.request_id:
            inner.request_id = str(uuid.uuid4())
        now = self.clock()
        if "device_time" in inner.DESCRIPTOR.fields_by_name and not inner.HasField("device_time"):
            inner.device_time.CopyFrom(_timestamp(now))
        self.store.enqueue(inner.request_id, kind, action.SerializeToString(), int(now * 1e6))
        return inner.request_id

    def check_in_remote(self, meeting_id, reason=attendance_pb2.REMOTE_REASON_DRIVING):
        return self.record(sync_pb2.OfflineAction(check_in=attendance_pb2.CheckInRequest(
            meeting_id=meeting_id, remote=attendance_pb2.RemoteCheckIn(reason=reason))))

    def request_leave(self, meeting_id, reason):
        return self.record(sync_pb2.OfflineAction(leave_request=attendance_pb2.RequestLeaveRequest(
            meeting_id=meeting_id, reason=reason)))

    def record_study(self, material_id, minutes, notes):
        return self.record(sync_pb2.OfflineAction(study_record=study_pb2.RecordStudyRequest(
            material_id=material_id, minutes=minutes, notes=notes)))

    def submit_letter(self, organization_id, subject, body, anonymous,
                      category=feedback_pb2.LETTER_CATEGORY_SUGGESTION):
        return self.record(sync_pb2.OfflineAction(letter=feedback_pb2.SubmitLetterRequest(
            organization_id=organization_id, subject=subject, body=body, anonymous=anonymous,
            category=category)))

    # --- calls with a token and retries ---

    def _metadata(self):
        with self._token_lock:
            if self._token is None:
                response = self.auth.SignIn(
                    auth_pb2.SignInRequest(login=self.login, password=self.password), timeout=10)
                self._token = response.access_token
            return [("authorization", "Bearer " + self._token)]

    def _forget_token(self):
        with self._token_lock:
            self._token = None

    def _retrying(self, fn):
        """fn(metadata) with backoff on retryable codes and one new sign-in when the token is
        refused. Resync errors and other codes propagate."""
        for attempt in range(self.max_attempts):
            try:
                answer = fn(self._metadata())
                self._call_succeeded()
                return answer
            except grpc.RpcError as error:
                self._call_failed(error)
                if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                    self._forget_token()
                elif error.code() not in RETRYABLE:
                    raise
            except ValueError as error:
                if not closed_channel(error):
                    raise
            time.sleep(self.backoff.delay(attempt))
        raise TimeoutError("gave up after %d attempts" % self.max_attempts)

    # --- uploading the queue ---

    def sync_actions(self):
        """Uploads the whole queue; returns {"done": n, "already_done": n, "failed": n}."""
        totals = {"done": 0, "already_done": 0, "failed": 0}
        while True:
            batch = self.store.pending(self.batch_size)
            if not batch:
                return totals
            request = sync_pb2.UploadActionsRequest()
            for _, _, _, payload in batch:
                request.actions.add().ParseFromString(payload)
            response = self._upload(request, batch)
            done, failed = [], []
            for result in response.results:
                seq, request_id, kind, _ = batch[result.index]
                if result.outcome in (sync_pb2.ACTION_OUTCOME_DONE,
                                      sync_pb2.ACTION_OUTCOME_ALREADY_DONE):
                    outcome = sync_pb2.ActionOutcome.Name(result.outcome)[len("ACTION_OUTCOME_"):]
                    done.append((seq, request_id, kind, outcome, result.SerializeToString()))
                    totals["done" if outcome == "DONE" else "already_done"] += 1
                else:
                    failed.append((seq, result.error.code, result.error.message))
                    totals["failed"] += 1
            self.store.settle(done, failed)

    def _upload(self, request, batch):
        """One batch, retried until answered. The same bytes (same request_ids) every time."""
        for attempt in range(self.max_attempts):
            self.stats["upload_attempts"] += 1
            self.store.count_attempt([seq for seq, _, _, _ in batch])
            try:
                metadata = self._metadata()
                self.before_upload(attempt, batch)
                answer = self.sync.UploadActions(request, metadata=metadata,
                                                 timeout=self.attempt_deadline(attempt))
                self._call_succeeded()
                return answer
            except grpc.RpcError as error:
                self._call_failed(error)
                self.stats["upload_failures"] += 1
                self.errors.append(("upload", error.code().name, error.details()))
                if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                    self._forget_token()
                elif error.code() not in RETRYABLE:
                    raise
            except ValueError as error:
                if not closed_channel(error):
                    raise
                self.stats["upload_failures"] += 1
            time.sleep(self.backoff.delay(attempt))
        raise TimeoutError("upload gave up after %d attempts" % self.max_attempts)

    # --- following changes ---

    def resync(self):
        """The answer to a refused cursor (and the first start): a fresh cursor FIRST, then the
        state. A change committed in between is then both in the state and after the cursor:
        seen twice at worst, never missed; applying a change means re-reading its record, so
        twice is harmless."""
        head = self._retrying(lambda md: self.sync.ListChanges(
            sync_pb2.ListChangesRequest(page_size=1), metadata=md, timeout=10))
        rows = []
        token = ""
        while True:
            page = self._retrying(lambda md: self.sync.ListMyNotices(
                sync_pb2.ListMyNoticesRequest(page_size=100, page_token=token), metadata=md,
                timeout=10))
            rows += [("notice", n.notice.id, n.SerializeToString()) for n in page.notices]
            token = page.next_page_token
            if not token:
                break
        meetings = self._retrying(lambda md: self.attendance.ListMyMeetings(
            attendance_pb2.ListMyMeetingsRequest(page_size=100), metadata=md, timeout=10))
        rows += [("meeting", m.id, m.SerializeToString()) for m in meetings.meetings]
        self.store.replace_snapshot(rows, head.next_cursor)
        self.stats["resyncs"] += 1

    def catch_up(self, page_size=100):
        """Pages through ListChanges from the stored cursor until caught up; returns how many
        changes arrived. Resyncs when the cursor is refused."""
        with self._changes_lock:
            received = 0
            while True:
                cursor = self.store.cursor()
                if cursor is None:
                    self.resync()
                    continue
                try:
                    page = self._retrying(lambda md: self.sync.ListChanges(
                        sync_pb2.ListChangesRequest(cursor=cursor, page_size=page_size),
                        metadata=md, timeout=10))
                except grpc.RpcError as error:
                    if resync_reason(error) is None:
                        raise
                    self.resync()
                    continue
                self.store.apply_changes(page.changes, page.next_cursor, "list")
                received += len(page.changes)
                if not page.has_more:
                    return received

    def start_watch(self):
        self._watch_stop.clear()
        self._watch_thread = threading.Thread(target=self._watch_loop, daemon=True)
        self._watch_thread.start()

    def stop_watch(self):
        if not self._watch_thread:
            return
        self._watch_stop.set()
        call = self._watch_call
        if call is not None:
            call.cancel()
        self._watch_thread.join()
        self._watch_thread = None

    def _start_silence_watchdog(self, call, last_message):
        """Cancels `call` when nothing (not even a heartbeat) arrived for 2.5 heartbeats: the
        path is dead even if TCP has not noticed yet (a phone that changed networks). The
        watch loop then reconnects from the stored cursor."""
        limit = 2.5 * self.heartbeat_seconds

        def watch():
            while call.is_active() and not self._watch_stop.is_set():
                if time.monotonic() - last_message[0] > limit:
                    self.stats["silent_streams"] += 1
                    call.cancel()
                    return
                time.sleep(min(1.0, limit / 5))
        threading.Thread(target=watch, daemon=True).start()

    def _watch_loop(self):
        attempt = 0
        while not self._watch_stop.is_set():
            with self._changes_lock:
                try:
                    cursor = self.store.cursor()
                    if cursor is None:
                        self.resync()
                        continue
                    call = self.sync.WatchChanges(
                        sync_pb2.WatchChangesRequest(cursor=cursor,
                                                     heartbeat_seconds=self.heartbeat_seconds),
                        metadata=self._metadata())
                    self._watch_call = call
                    if self._watch_stop.is_set():
                        call.cancel()
                    self.stats["stream_connects"] += 1
                    last_message = [time.monotonic()]
                    self._start_silence_watchdog(call, last_message)
                    for message in call:
                        last_message[0] = time.monotonic()
                        attempt = 0
                        self._call_succeeded()
                        if message.HasField("change"):
                            self.store.apply_changes([message.change], message.cursor, "stream")
                        else:
                            self.stats["heartbeats"] += 1
                            self.store.put("cursor", message.cursor)
                except grpc.RpcError as error:
                    if self._watch_stop.is_set():
                        return
                    self._call_failed(error)
                    if resync_reason(error) is not None:
                        self.resync()
                        continue
                    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                        self._forget_token()
                    self.stats["stream_drops"] += 1
                except TimeoutError:  # a resync that gave up: try again later
                    self.stats["stream_drops"] += 1
                except ValueError as error:  # the channel was replaced under this call
                    if not closed_channel(error):
                        raise
                    self.stats["stream_drops"] += 1
                finally:
                    self._watch_call = None
            self._watch_stop.wait(self.backoff.delay(attempt))
            attempt += 1
