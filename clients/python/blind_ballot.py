"""The client's half of an anonymous round's ballot, as clients/common/blind_ballot.h does it in
C++: RSA blind signatures (RFC 9474) over EMSA-PSS with SHA-384 and a 48-byte salt.

    ballot = BlindBallot(round.ballot_public_key)        # a random token, blinded
    IssueBallot(round, ballot.blinded)  -> signature      # signed in: "this rater has a ballot"
    token, signature = ballot.finish(blind_signature)     # the server never saw either
    SubmitBallotRating(round, subject, scores, Ballot(token, signature))   # no sign-in

The server signs only token-encoding x r^e mod n for a random r, so it cannot tell which
ballot it signed for whom. Python's integers do the modular arithmetic; `cryptography` (Debian's
python3-cryptography) parses the key and checks the finished signature.
"""

import hashlib
import secrets

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

SALT_BYTES = 48  # RFC 9474: sLen = hLen for SHA-384
TOKEN_BYTES = 32


def _mgf1(seed, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _emsa_pss_encode(message, em_bits):
    """RFC 8017 section 9.1.1 with SHA-384, MGF1-SHA-384 and a random 48-byte salt."""
    m_hash = hashlib.sha384(message).digest()
    em_len = (em_bits + 7) // 8
    salt = secrets.token_bytes(SALT_BYTES)
    h = hashlib.sha384(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - SALT_BYTES - len(h) - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(db, _mgf1(h, em_len - len(h) - 1)))
    masked = bytes([masked[0] & (0xFF >> (8 * em_len - em_bits))]) + masked[1:]
    return masked + h + b"\xbc"


class BlindBallot:
    """A random token, blinded for the round's key. Keep it until the ballot is finished: a
    retried IssueBallot must send the same blinded value."""

    def __init__(self, public_key_der):
        self.key = serialization.load_der_public_key(public_key_der)
        numbers = self.key.public_numbers()
        self.n, self.e = numbers.n, numbers.e
        self.size = (self.n.bit_length() + 7) // 8
        self.token = secrets.token_bytes(TOKEN_BYTES)
        encoded = int.from_bytes(_emsa_pss_encode(self.token, self.n.bit_length() - 1), "big")
        while True:
            r = secrets.randbelow(self.n - 2) + 2
            try:
                self._unblinder = pow(r, -1, self.n)
                break
            except ValueError:  # r shares a factor with n: practically never
                continue
        self.blinded = (encoded * pow(r, self.e, self.n) % self.n).to_bytes(self.size, "big")

    def finish(self, blind_signature):
        """(token, signature): the unblinded signature, checked against the round's key (a
        server that signed with another key could otherwise recognise this ballot)."""
        s = int.from_bytes(blind_signature, "big") * self._unblinder % self.n
        signature = s.to_bytes(self.size, "big")
        self.key.verify(signature, self.token,
                        padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=SALT_BYTES),
                        hashes.SHA384())
        return self.token, signature
