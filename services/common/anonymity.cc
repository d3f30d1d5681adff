#include "services/common/anonymity.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "storage/key_codec.h"

namespace branchline {

uint64_t RandomAnonymousId(uint32_t tenant) {
  uint64_t r = 0;
  // OpenSSL's CSPRNG fails only when it cannot be seeded at all: nothing anonymous may then
  // be stored with a guessable id.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r) != 1) std::abort();
  constexpr uint64_t kHalf = 1ULL << (storage::kTenantShift - 1);
  return storage::MakeId(tenant, kHalf | (r & (kHalf - 1)));
}

int64_t UtcDayStart(int64_t micros) {
  constexpr int64_t kMicrosPerDay = 86'400'000'000;
  return micros - ((micros % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay;
}

}  // namespace branchline
