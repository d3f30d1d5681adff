#!/usr/bin/env python3
"""An example push gateway: drains Branchline's notification outbox and posts each
notification to a webhook URL (a WeCom/DingTalk robot, an SMS provider's HTTP API, a company's
own push service), with retries. docs/notifications.md describes the contract it follows:

  StreamOutbox(organization_id)    -> the entries after the gateway's acknowledged position
  post each notification (retrying) -> AckOutbox(cursor) once it was handed on

A gateway crash between a post and its acknowledgement posts that notification again on the
next run (at least once); the `Idempotency-Key: branchline-notification-<id>` header lets the
receiver drop the repeat. Nothing acknowledged is posted again and nothing is skipped.

Usage: webhook_gateway.py SERVER ORG_ID WEBHOOK_URL STUBS_DIR [--once]
The gateway's access token (a service account with SCOPE_NOTIFICATIONS_DELIVER over ORG_ID)
comes from $BRANCHLINE_GATEWAY_TOKEN.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


class DeliveryFailed(Exception):
    """A notification could not be posted within the retries: it stays unacknowledged."""


def payload(entry, names):
    """The JSON body posted for one outbox entry."""
    n = entry.notification
    return {
        "id": n.id,
        "person_id": n.person_id,
        "kind": names(n.kind),
        "title": n.title,
        "body": n.body,
        "urgent": n.urgent,
        "meeting_id": n.meeting_id,
        "absence_id": n.absence_id,
        "letter_id": n.letter_id,
        "plan_item_id": n.plan_item_id,
        "subject_person_id": n.subject_person_id,
        "devices": [{"platform": d.platform, "token": d.token} for d in entry.devices],
    }


def post(url, body, key, timeout):
    """Posts JSON; returns the HTTP status (raises on a network error)."""
    request = urllib.request.Request(
        url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


class Gateway:
    def __init__(self, stub, pb2, token, organization_id, url, retries=5, backoff=0.2,
                 timeout=10, sleep=time.sleep):
        self.stub = stub
        self.pb2 = pb2
        self.metadata = [("authorization", "Bearer " + token)]
        self.organization_id = organization_id
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep

    def deliver(self, entry):
        """Posts one notification, retrying network errors, 429 and 5xx with exponential
        backoff; any other 4xx is the receiver refusing it for good (not retried, logged)."""
        body = payload(entry, lambda k: self.pb2.NotificationKind.Name(k))
        key = "branchline-notification-%d" % entry.notification.id
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                status = post(self.url, body, key, self.timeout)
            except OSError:
                status = None
            if status is not None and 200 <= status < 300:
                return True
            if status is not None and 400 <= status < 500 and status != 429:
                print("notification %d refused by the webhook (%d)" % (entry.notification.id,
                      status), file=sys.stderr)
                return False
            if attempt < self.retries:
                self.sleep(delay)
                delay *= 2
        raise DeliveryFailed("notification %d: webhook unavailable" % entry.notification.id)

    def drain_once(self, max_entries=500):
        """One StreamOutbox call: posts its notifications in order and acknowledges each once
        posted. Returns how many entries it handled. Raises DeliveryFailed (the entries after
        the last acknowledged one come again on the next call)."""
        request = self.pb2.StreamOutboxRequest(organization_id=self.organization_id,
                                               max_entries=max_entries)
        handled = 0
        for entry in self.stub.StreamOutbox(request, metadata=self.metadata,
                                            timeout=self.timeout * 6):
            if entry.HasField("notification"):
                self.deliver(entry)
            # A position marker (no notification) is acknowledged too, to move past it.
            self.stub.AckOutbox(self.pb2.AckOutboxRequest(request_id=str(uuid.uuid4()),
                                                          organization_id=self.organization_id,
                                                          cursor=entry.cursor),
                                metadata=self.metadata, timeout=self.timeout)
            handled += 1
        return handled

    def run(self, idle=5.0):
        while True:
            try:
                if self.drain_once() == 0:
                    self.sleep(idle)
            except DeliveryFailed as e:
                print(e, file=sys.stderr)
                self.sleep(idle)


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    server, org, url, stubs = argv[1], int(argv[2]), argv[3], argv[4]
    sys.path.insert(0, stubs)
    import grpc
    from branchline.v1 import notifications_pb2, notifications_pb2_grpc
    token = os.environ.get("BRANCHLINE_GATEWAY_TOKEN", "")
    if not token:
        print("set BRANCHLINE_GATEWAY_TOKEN", file=sys.stderr)
        return 2
    stub = notifications_pb2_grpc.NotificationServiceStub(grpc.insecure_channel(server))
    gateway = Gateway(stub, notifications_pb2, token, org, url)
    if "--once" in argv:
        print("handled %d entries" % gateway.drain_once())
        return 0
    gateway.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
