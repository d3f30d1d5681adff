#include "services/feedback/receipts.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "services/common/absl_compat.h"
#include "services/common/digest.h"
#include "services/common/errors.h"

namespace branchline::feedback {

namespace {
constexpr size_t kSecretBytes = 16;  // 128 bits
constexpr size_t kSaltBytes = 16;

// The secret part of a code, decoded; empty when malformed.
std::string SecretOf(std::string_view code) {
  size_t dot = code.find('.');
  if (dot == std::string_view::npos) return {};
  std::string secret;
  if (!absl::WebSafeBase64Unescape(AbslView(code.substr(dot + 1)), &secret) ||
      secret.size() != kSecretBytes) {
    return {};
  }
  return secret;
}
}  // namespace

std::string Receipts::Code(uint32_t tenant, uint64_t letter_id, std::string_view request_id) const {
  std::string message = "branchline-receipt-v1";
  message.push_back('\0');
  message += std::to_string(tenant);
  message.push_back('\0');
  message.append(request_id);
  std::string secret = mac_.Mac(message).substr(0, kSecretBytes);
  return std::to_string(letter_id) + "." + absl::WebSafeBase64Escape(AbslView(secret));
}

void Receipts::Seal(internal::v1::LetterRecord& record, std::string_view code) {
  std::string salt(kSaltBytes, '\0');
  randombytes_buf(salt.data(), salt.size());
  record.set_receipt_hash(Sha256(salt + SecretOf(code)));
  record.set_receipt_salt(std::move(salt));
}

absl::StatusOr<uint64_t> Receipts::LetterId(std::string_view code, std::string_view field) {
  size_t dot = code.find('.');
  uint64_t id = 0;
  if (code.empty()) return InvalidField(field, "is required");
  if (dot == std::string_view::npos || !absl::SimpleAtoi(AbslView(code.substr(0, dot)), &id) ||
      id == 0 || SecretOf(code).empty()) {
    return InvalidField(field, "is not a receipt code");
  }
  return id;
}

bool Receipts::Opens(const internal::v1::LetterRecord& record, std::string_view code) {
  std::string secret = SecretOf(code);
  if (secret.empty() || record.receipt_hash().size() != SHA256_DIGEST_LENGTH) return false;
  std::string hash = Sha256(record.receipt_salt() + secret);
  return CRYPTO_memcmp(hash.data(), record.receipt_hash().data(), hash.size()) == 0;
}

std::string AnonymousRequestKey(std::string_view purpose, uint64_t scope_id,
                                std::string_view request_id) {
  std::string data(purpose);
  data.push_back('\0');
  data += std::to_string(scope_id);
  data.push_back('\0');
  data.append(request_id);
  return ToHex(Sha256(data));
}

}  // namespace branchline::feedback
