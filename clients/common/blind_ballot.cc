// RSA_padding_add_PKCS1_PSS_mgf1 and RSA_verify_PKCS1_PSS_mgf1 are the OpenSSL functions that
// expose EMSA-PSS encoding on its own, which blinding needs (the EVP interface only signs);
// OpenSSL 3 deprecates them but keeps them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "clients/common/blind_ballot.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

namespace branchline::clients {

namespace {

constexpr int kSaltBytes = 48;  // RFC 9474: sLen = hLen for SHA-384
constexpr int kTokenBytes = 32;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::unique_ptr<EVP_PKEY, PkeyFree> ParseKey(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return std::unique_ptr<EVP_PKEY, PkeyFree>(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

std::string Bytes(const BIGNUM* b, int size) {
  std::string out(size, '\0');
  BN_bn2binpad(b, reinterpret_cast<unsigned char*>(out.data()), size);
  return out;
}

Bn Number(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

std::string Sha384(std::string_view data) {
  std::string out(SHA384_DIGEST_LENGTH, '\0');
  SHA384(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

std::optional<BlindBallot> Blind(std::string_view public_key_der) {
  auto key = ParseKey(public_key_der);
  const RSA* rsa = key ? EVP_PKEY_get0_RSA(key.get()) : nullptr;
  if (!rsa) return std::nullopt;
  const int size = RSA_size(rsa);
  const BIGNUM *n = nullptr, *e = nullptr;
  RSA_get0_key(rsa, &n, &e, nullptr);
  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());

  BlindBallot out;
  out.public_key = std::string(public_key_der);
  out.token.resize(kTokenBytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.token.data()), kTokenBytes) != 1) {
    return std::nullopt;
  }
  const std::string hash = Sha384(out.token);
  std::vector<unsigned char> encoded(size);
  if (RSA_padding_add_PKCS1_PSS_mgf1(const_cast<RSA*>(rsa), encoded.data(),
                                     reinterpret_cast<const unsigned char*>(hash.data()),
                                     EVP_sha384(), EVP_sha384(), kSaltBytes) != 1) {
    return std::nullopt;
  }
  Bn m(BN_bin2bn(encoded.data(), size, nullptr));
  // A random r invertible mod n (all but a negligible few are).
  Bn r(BN_new()), inverse;
  do {
    if (BN_rand_range(r.get(), n) != 1) return std::nullopt;
    inverse.reset(BN_mod_inverse(nullptr, r.get(), n, ctx.get()));
  } while (BN_is_zero(r.get()) || !inverse);
  Bn blinded(BN_new());
  if (BN_mod_exp(blinded.get(), r.get(), e, n, ctx.get()) != 1 ||
      BN_mod_mul(blinded.get(), blinded.get(), m.get(), n, ctx.get()) != 1) {
    return std::nullopt;
  }
  out.blinded = Bytes(blinded.get(), size);
  out.unblinder = Bytes(inverse.get(), size);
  return out;
}

std::optional<FinishedBallot> Finish(const BlindBallot& ballot, std::string_view blind_signature) {
  auto key = ParseKey(ballot.public_key);
  const RSA* rsa = key ? EVP_PKEY_get0_RSA(key.get()) : nullptr;
  if (!rsa) return std::nullopt;
  const int size = RSA_size(rsa);
  if (static_cast<int>(blind_signature.size()) != size) return std::nullopt;
  const BIGNUM* n = nullptr;
  RSA_get0_key(rsa, &n, nullptr, nullptr);
  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
  Bn s = Number(blind_signature), inverse = Number(ballot.unblinder);
  if (!s || !inverse || BN_mod_mul(s.get(), s.get(), inverse.get(), n, ctx.get()) != 1) {
    return std::nullopt;
  }
  FinishedBallot out{ballot.token, Bytes(s.get(), size)};
  // s^e mod n must be the EMSA-PSS encoding of the token's hash.
  std::vector<unsigned char> encoded(size);
  if (RSA_public_decrypt(size, reinterpret_cast<const unsigned char*>(out.signature.data()),
                         encoded.data(), const_cast<RSA*>(rsa), RSA_NO_PADDING) != size) {
    return std::nullopt;
  }
  const std::string hash = Sha384(out.token);
  if (RSA_verify_PKCS1_PSS_mgf1(const_cast<RSA*>(rsa),
                                reinterpret_cast<const unsigned char*>(hash.data()), EVP_sha384(),
                                EVP_sha384(), encoded.data(), kSaltBytes) != 1) {
    return std::nullopt;
  }
  return out;
}

}  // namespace branchline::clients
