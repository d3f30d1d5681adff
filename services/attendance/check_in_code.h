#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace branchline::attendance {

// Rotating check-in codes, time-stepped like TOTP (RFC 6238) but keyed per meeting:
// code = HOTP-style dynamic truncation of HMAC-SHA256(secret, meeting id BE || step BE),
// six digits. Binding the meeting id into the MAC keeps a code of one meeting from verifying
// for another even if two secrets collided. Pure functions, thread-safe.

inline constexpr int64_t kCodeStepSeconds = 30;
inline constexpr size_t kCodeSecretBytes = 32;

// The time step containing `micros` (floor division, so negative times work too).
int64_t CodeStep(int64_t micros);
// The first instant (micros) of `step`.
int64_t CodeStepStartMicros(int64_t step);

// The six-digit code of `meeting_id` for `step`.
std::string CheckInCodeFor(std::string_view secret, uint64_t meeting_id, int64_t step);

// Whether `code` is the meeting's code of the step containing `captured_micros`, or of one
// step either side (clock skew between the host's screen and the phone). Compares in constant
// time. A code outside that band (an old code replayed later) never verifies.
bool VerifyCheckInCode(std::string_view secret, uint64_t meeting_id, std::string_view code,
                       int64_t captured_micros);

// A fresh random secret of kCodeSecretBytes bytes.
std::string NewCodeSecret();

// The QR code of `payload` as a standalone SVG document (libqrencode, error correction M);
// empty when the payload cannot be encoded.
std::string QrSvg(std::string_view payload);

}  // namespace branchline::attendance
