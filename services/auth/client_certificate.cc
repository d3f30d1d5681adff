#include "services/auth/client_certificate.h"

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <memory>

#include "services/common/errors.h"

namespace branchline {

std::string CertificateSha256FromPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return "";
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return "";
  unsigned char* der = nullptr;
  int length = i2d_X509(cert.get(), &der);
  if (length <= 0) return "";
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(der, static_cast<size_t>(length), reinterpret_cast<unsigned char*>(digest.data()));
  OPENSSL_free(der);
  return digest;
}

absl::StatusOr<std::string> ParseCertificateFingerprint(std::string_view text,
                                                        std::string_view field) {
  auto bad = [&] {
    return InvalidField(std::string(field),
                        "must be the certificate's SHA-256 fingerprint: 64 hex digits");
  };
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  // Either 64 digits, or 32 pairs separated by single colons (95 characters).
  bool colons = text.size() == 32 * 3 - 1;
  if (text.size() != 64 && !colons) return bad();
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (colons && i > 0) {
      if (text[i] != ':') return bad();
      ++i;
    }
    int high = hex(text[i]), low = hex(text[i + 1]);
    if (high < 0 || low < 0) return bad();
    out.push_back(static_cast<char>(high << 4 | low));
    i += 2;
  }
  return out;
}

}  // namespace branchline
