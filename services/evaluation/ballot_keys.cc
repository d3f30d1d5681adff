#include "services/evaluation/ballot_keys.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "services/common/errors.h"

namespace branchline::evaluation {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Ctx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

Pkey ParsePrivate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

Pkey ParsePublic(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace

absl::StatusOr<BallotKey> NewBallotKey() {
  Pkey key(EVP_RSA_gen(kBallotKeyBits));
  if (!key) return absl::InternalError("RSA key generation failed");
  BallotKey out;
  unsigned char* der = nullptr;
  int n = i2d_PrivateKey(key.get(), &der);
  if (n <= 0) return absl::InternalError("RSA private key encoding failed");
  out.private_der.assign(reinterpret_cast<char*>(der), n);
  OPENSSL_clear_free(der, n);
  der = nullptr;
  n = i2d_PUBKEY(key.get(), &der);
  if (n <= 0) return absl::InternalError("RSA public key encoding failed");
  out.public_der.assign(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  return out;
}

absl::StatusOr<std::string> SignBlinded(std::string_view private_der, std::string_view blinded) {
  Pkey key = ParsePrivate(private_der);
  if (!key) return absl::DataLossError("stored ballot key does not parse");
  const size_t size = static_cast<size_t>(EVP_PKEY_get_size(key.get()));
  if (blinded.size() != size) {
    return InvalidField("blinded_token", "must be " + std::to_string(size) + " bytes");
  }
  Ctx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  // No padding: the client already encoded (EMSA-PSS) and blinded the token; the server
  // computes blinded^d mod n and nothing else, so it learns nothing of the token.
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) <= 0) {
    return absl::InternalError("RSA signing setup failed");
  }
  std::string sig(size, '\0');
  size_t sig_len = sig.size();
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                    reinterpret_cast<const unsigned char*>(blinded.data()), blinded.size()) <= 0 ||
      sig_len != size) {
    // The one input OpenSSL refuses here is a number not below the modulus.
    return InvalidField("blinded_token", "is not below the round key's modulus");
  }
  return sig;
}

bool VerifyBallot(std::string_view public_der, std::string_view token, std::string_view signature) {
  Pkey key = ParsePublic(public_der);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  if (!md || EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha384(), nullptr, key.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) <= 0) {
    return false;
  }
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(token.data()),
                          token.size()) == 1;
}

}  // namespace branchline::evaluation
