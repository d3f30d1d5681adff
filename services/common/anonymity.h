#pragma once

#include <cstdint>

namespace branchline {

// What anonymous records (letters, their attachments) may carry instead of the ids and times
// that would date them.

// A random id in the upper half of the tenant's 40-bit id space, which the tenant's sequence
// never reaches, so the id says nothing about when the record was made. 2^39 values: a
// caller that cannot tolerate a repeat checks the key is free.
uint64_t RandomAnonymousId(uint32_t tenant);

// The start of the UTC day of `micros`: the only time an anonymous record keeps.
int64_t UtcDayStart(int64_t micros);

}  // namespace branchline
