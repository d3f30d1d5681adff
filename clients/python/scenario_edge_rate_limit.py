"""Edge rate limit, run through nginx (tests/e2e/run_edge.sh) after the other edge scenarios:
one address sends more calls at once than deploy/nginx's limit_req allows (rate + burst), and
the calls nginx refuses arrive as gRPC RESOURCE_EXHAUSTED naming the limit, with a RetryInfo,
the reason EDGE_RATE_LIMITED and a message in the caller's language, never as UNAVAILABLE
(which clients retry at once). The calls nginx lets through reach the
server (UNAUTHENTICATED: they carry no token, so the flood costs the server no database work).

Usage: BRANCHLINE_TLS_CA=ca.pem /usr/bin/python3 scenario_edge_rate_limit.py HOST:PORT [STUBS_DIR]
"""

import collections
import sys

sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402

from branchline.v1 import organizations_pb2  # noqa: E402
from branchline_client import (Client, check, error_reason, localized_message,  # noqa: E402
                               retry_delay)

# More than the template's default burst (100) plus what 20 r/s refills while they are sent.
CALLS = 400


def main():
    client = Client(sys.argv[1])
    calls = [client.orgs.GetOrganization.future(organizations_pb2.GetOrganizationRequest(id=1),
                                                 timeout=30) for _ in range(CALLS)]
    codes = collections.Counter()
    refused = None
    for call in calls:
        try:
            call.result()
            codes["OK"] += 1
        except grpc.RpcError as e:
            codes[e.code().name] += 1
            if e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and refused is None:
                refused = e
    print("codes of %d calls from one address: %s" % (CALLS, dict(codes)))
    check(codes["UNAUTHENTICATED"] > 0, "calls within the limit reach the server")
    check(refused is not None, "calls over the limit are refused with RESOURCE_EXHAUSTED")
    check("limit_req" in refused.details() and "branchline_per_address" in refused.details(),
          "the refusal names the limit (%s)" % refused.details())
    check(retry_delay(refused) == 1, "the refusal carries RetryInfo (%ss)" % retry_delay(refused))
    check(error_reason(refused) == "EDGE_RATE_LIMITED", "the reason is EDGE_RATE_LIMITED")
    check(localized_message(refused) == ("zh-CN", "您所在网络的请求过于频繁，请稍后再试。"),
          "without accept-language the message is Chinese (%s)" % (localized_message(refused),))
    # Callers asking for English: bursts until nginx refuses some (however much of the
    # allowance has come back meanwhile, ten bursts of 50 go over its 100).
    messages = set()
    for _ in range(10):
        english = [client.orgs.GetOrganization.future(
            organizations_pb2.GetOrganizationRequest(id=1), timeout=30,
            metadata=[("accept-language", "en-US,en;q=0.9,zh;q=0.5")]) for _ in range(50)]
        for call in english:
            try:
                call.result()
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    messages.add(localized_message(e))
        if messages:
            break
    check(messages == {("en", "Too many calls from your network address; try again in a moment.")},
          "with accept-language en the message is English (%s)" % messages)
    check(codes["UNAVAILABLE"] == 0, "no call was answered UNAVAILABLE")
    check(set(codes) <= {"UNAUTHENTICATED", "RESOURCE_EXHAUSTED"}, "no other answers")
    print("edge rate limit scenario passed")


if __name__ == "__main__":
    main()
