#!/usr/bin/env python3
"""Tests the example gateway against a local HTTP receiver on loopback and an in-process
NotificationService that keeps an outbox and an acknowledged position the way the server does
(entries after the acknowledged cursor; the position never moves back).

Usage: test_webhook_gateway.py STUBS_DIR
"""

import http.server
import json
import os
import sys
import threading
import unittest
from concurrent import futures

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STUBS", ""))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from branchline.v1 import notifications_pb2 as pb2  # noqa: E402
from branchline.v1 import notifications_pb2_grpc  # noqa: E402

import webhook_gateway  # noqa: E402

TOKEN = "gateway-token"


class FakeOutbox(notifications_pb2_grpc.NotificationServiceServicer):
    def __init__(self):
        self.entries = []
        self.acked = 0
        self.acks = []

    def _check(self, context):
        if ("authorization", "Bearer " + TOKEN) not in context.invocation_metadata():
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no token")

    def StreamOutbox(self, request, context):
        self._check(context)
        after = request.after_cursor or self.acked
        sent = 0
        for e in self.entries:
            if e.cursor > after and sent < (request.max_entries or 500):
                sent += 1
                yield e

    def AckOutbox(self, request, context):
        self._check(context)
        self.acks.append(request.cursor)
        self.acked = max(self.acked, request.cursor)
        return pb2.OutboxPosition(organization_id=request.organization_id,
                                  acked_cursor=self.acked)


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next scripted status (200 when the script is empty) and keeps
    the bodies it accepted."""
    script = []
    accepted = []
    attempts = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        Receiver.attempts.append((body["id"], self.headers["Idempotency-Key"]))
        status = Receiver.script.pop(0) if Receiver.script else 200
        if status == 200:
            Receiver.accepted.append(body)
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


def entry(cursor, person=7, marker=False):
    e = pb2.OutboxEntry(cursor=cursor)
    if not marker:
        e.notification.CopyFrom(pb2.Notification(
            id=cursor, person_id=person, kind=pb2.NOTIFICATION_KIND_CHECK_IN_CLOSING,
            title="签到即将截止", body="《周一安全例会》签到将于08:00截止，您还没有签到", urgent=True))
        e.devices.add(id=90 + cursor, person_id=person, platform=pb2.DEVICE_PLATFORM_HARMONY,
                      token="hms-%d" % person)
    return e


class GatewayTest(unittest.TestCase):
    def setUp(self):
        self.outbox = FakeOutbox()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        notifications_pb2_grpc.add_NotificationServiceServicer_to_server(self.outbox, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        Receiver.script, Receiver.accepted, Receiver.attempts = [], [], []
        self.sleeps = []
        stub = notifications_pb2_grpc.NotificationServiceStub(
            grpc.insecure_channel("127.0.0.1:%d" % port))
        self.gateway = webhook_gateway.Gateway(
            stub, pb2, TOKEN, 42, "http://127.0.0.1:%d/hook" % self.http.server_port,
            retries=3, backoff=0.5, timeout=5, sleep=self.sleeps.append)

    def tearDown(self):
        self.http.shutdown()
        self.http.server_close()
        self.server.stop(None)

    def test_retries_then_delivers_everything_in_order_and_acknowledges(self):
        self.outbox.entries = [entry(1), entry(2), entry(3, person=8)]
        Receiver.script = [503, 500]  # the webhook is down for two attempts
        self.assertEqual(self.gateway.drain_once(), 3)
        self.assertEqual([b["id"] for b in Receiver.accepted], [1, 2, 3])
        self.assertEqual(self.sleeps, [0.5, 1.0])  # exponential backoff
        self.assertEqual(Receiver.accepted[0]["title"], "签到即将截止")
        self.assertEqual(Receiver.accepted[0]["kind"], "NOTIFICATION_KIND_CHECK_IN_CLOSING")
        self.assertEqual(Receiver.accepted[2]["devices"], [{"platform": 3, "token": "hms-8"}])
        self.assertEqual(Receiver.attempts[0][1], "branchline-notification-1")
        self.assertEqual(self.outbox.acked, 3)
        self.assertEqual(self.gateway.drain_once(), 0)  # nothing comes twice

    def test_a_crash_before_the_ack_loses_nothing(self):
        self.outbox.entries = [entry(1), entry(2), entry(3)]
        Receiver.script = [200] + [503] * 4  # the second notification never gets through
        with self.assertRaises(webhook_gateway.DeliveryFailed):
            self.gateway.drain_once()
        self.assertEqual(self.outbox.acked, 1)
        self.assertEqual([b["id"] for b in Receiver.accepted], [1])
        # The gateway restarts: it resumes after its acknowledged position.
        self.assertEqual(self.gateway.drain_once(), 2)
        self.assertEqual([b["id"] for b in Receiver.accepted], [1, 2, 3])
        self.assertEqual(self.outbox.acked, 3)

    def test_refused_for_good_is_not_retried_and_markers_are_acknowledged(self):
        self.outbox.entries = [entry(1), entry(2, marker=True), entry(3)]
        Receiver.script = [400]
        self.assertEqual(self.gateway.drain_once(), 3)
        self.assertEqual([a[0] for a in Receiver.attempts], [1, 3])  # no retry, no marker post
        self.assertEqual(self.outbox.acks, [1, 2, 3])
        self.assertEqual(self.sleeps, [])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
