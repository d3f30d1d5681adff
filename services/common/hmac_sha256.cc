#include "services/common/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace branchline {

namespace {
const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Only allocation failure gets here; the server cannot go on without its signing keys.
EVP_MAC_CTX* Checked(EVP_MAC_CTX* ctx, const char* what) {
  if (!ctx) throw std::runtime_error(std::string("HMAC-SHA256: ") + what + " failed");
  return ctx;
}

EVP_MAC_CTX* Prepare(std::string_view key) {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = Checked(hmac ? EVP_MAC_CTX_new(hmac) : nullptr, "EVP_MAC_CTX_new");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, Bytes(key), key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    Checked(nullptr, "EVP_MAC_init");
  }
  return ctx;
}
}  // namespace

void HmacSha256::Free::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

HmacSha256::HmacSha256(std::string_view key) : prepared_(Prepare(key)) {}

HmacSha256::HmacSha256(const HmacSha256& other)
    : prepared_(Checked(EVP_MAC_CTX_dup(other.prepared_.get()), "EVP_MAC_CTX_dup")) {}

HmacSha256::~HmacSha256() = default;

std::string HmacSha256::Mac(std::string_view data) const {
  std::unique_ptr<EVP_MAC_CTX, Free> ctx(
      Checked(EVP_MAC_CTX_dup(prepared_.get()), "EVP_MAC_CTX_dup"));
  std::string mac(kMacBytes, '\0');
  size_t len = 0;
  if (EVP_MAC_update(ctx.get(), Bytes(data), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(mac.data()), &len, mac.size()) !=
          1 ||
      len != kMacBytes) {
    Checked(nullptr, "EVP_MAC_final");
  }
  return mac;
}

}  // namespace branchline
