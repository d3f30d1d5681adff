#include "services/attendance/check_in_code.h"

#include <openssl/crypto.h>
#include <qrencode.h>
#include <sodium.h>

#include <cstdio>
#include <memory>

#include "services/common/hmac_sha256.h"
#include "storage/key_codec.h"

namespace branchline::attendance {

int64_t CodeStep(int64_t micros) {
  constexpr int64_t step = kCodeStepSeconds * 1'000'000;
  return micros >= 0 ? micros / step : -((-micros + step - 1) / step);
}

int64_t CodeStepStartMicros(int64_t step) { return step * kCodeStepSeconds * 1'000'000; }

namespace {
std::string CodeFor(const HmacSha256& keyed, uint64_t meeting_id, int64_t step) {
  std::string digest = keyed.Mac(storage::KeyBuilder().U64(meeting_id).I64(step).key());
  const auto* mac = reinterpret_cast<const unsigned char*>(digest.data());
  size_t len = digest.size();
  // RFC 4226 dynamic truncation.
  int offset = mac[len - 1] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", binary % 1'000'000u);
  return digits;
}
}  // namespace

std::string CheckInCodeFor(std::string_view secret, uint64_t meeting_id, int64_t step) {
  return CodeFor(HmacSha256(secret), meeting_id, step);
}

bool VerifyCheckInCode(std::string_view secret, uint64_t meeting_id, std::string_view code,
                       int64_t captured_micros) {
  if (code.size() != 6) return false;
  // Keyed once for the three steps: OpenSSL's one-shot HMAC() looks the algorithm up on
  // every call (4 % of a check-in's CPU for three of them).
  const HmacSha256 keyed(secret);
  int64_t step = CodeStep(captured_micros);
  bool ok = false;
  for (int64_t s = step - 1; s <= step + 1; ++s) {
    std::string expected = CodeFor(keyed, meeting_id, s);
    ok |= CRYPTO_memcmp(expected.data(), code.data(), 6) == 0;
  }
  return ok;
}

std::string NewCodeSecret() {
  std::string secret(kCodeSecretBytes, '\0');
  if (sodium_init() < 0) std::abort();  // no randomness: nothing safe to do
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string QrSvg(std::string_view payload) {
  std::string text(payload);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) return {};
  const int n = qr->width;
  const int quiet = 4;
  const int size = n + 2 * quiet;
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (qr->data[y * n + x] & 1) {
        svg += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
      }
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace branchline::attendance
