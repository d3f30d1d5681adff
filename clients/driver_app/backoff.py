"""Exponential backoff with full jitter, the retry schedule for calls that failed on the way."""

import random

import grpc

# Codes a retry can cure: the server was away or slow, the connection broke, or the server
# asked us to come back later. UNKNOWN is what a connection reset mid-call surfaces as.
RETRYABLE = frozenset({
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.CANCELLED,
})


class Backoff:
    """Delay before retry `attempt` (0-based): uniform in [0, min(cap, base * 2**attempt)].

    Full jitter spreads a fleet of phones that lost the same cell tower, so they do not all
    come back in the same second."""

    def __init__(self, base_s=1.0, cap_s=60.0, rng=None):
        self.base_s = base_s
        self.cap_s = cap_s
        self.rng = rng or random.Random()

    def delay(self, attempt):
        return self.rng.uniform(0, min(self.cap_s, self.base_s * (2 ** min(attempt, 30))))
