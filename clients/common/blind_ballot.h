#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace branchline::clients {

// The client's half of an anonymous round's ballot (RFC 9474 RSA blind signatures,
// RSABSSA-SHA384-PSS-Deterministic; the server's half is services/evaluation/ballot_keys.h):
//
//   BlindBallot b = Blind(round.ballot_public_key());        // a random token, blinded
//   IssueBallot(round, b.blinded)   -> blind_signature         // authenticated, once
//   Ballot ballot = Finish(b, blind_signature)                 // the server never sees it
//   SubmitBallotRating(round, subject, scores, ballot)         // no token, any time later
//
// The server signs only the blinded value (token encoded, times r^e mod n for a random r),
// so it cannot tell which ballot it signed for whom. Keep the BlindBallot (token and
// unblinding factor) on the device until the ballot is finished: a retry of IssueBallot
// must send the same blinded value, since the server refuses a second one. Thread-safe.
struct BlindBallot {
  std::string token;       // 32 random bytes: the ballot's identity
  std::string blinded;     // sent to IssueBallot
  std::string unblinder;   // r^-1 mod n, big-endian; secret
  std::string public_key;  // the round's key (DER) it was made for
};

struct FinishedBallot {
  std::string token;
  std::string signature;
};

// nullopt when the key does not parse as an RSA public key.
std::optional<BlindBallot> Blind(std::string_view public_key_der);

// Unblinds the server's answer and checks it is a valid signature of the token under the
// round's key; nullopt when it is not (a server that signed with another key could otherwise
// mark this ballot).
std::optional<FinishedBallot> Finish(const BlindBallot& ballot, std::string_view blind_signature);

}  // namespace branchline::clients
