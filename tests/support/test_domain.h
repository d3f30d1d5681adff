#pragma once

#include <string>

#include "services/domain.h"

namespace branchline::testing {

// The composition root (services/domain.h) over a test's store: test-cost password hashing,
// a fixed token key and receipt key, the test's clock. Built the way the server builds it, so
// a domain test wires nothing by hand.
class TestDomain {
 public:
  explicit TestDomain(storage::Store& store, const Clock& clock, DomainOptions options = {})
      : signer_(std::string(32, 't')),
        domain_(store, signer_, std::string(32, 'r'), clock, WithTestHashing(std::move(options))) {}

  Domain& operator*() { return domain_; }
  Domain* operator->() { return &domain_; }

 private:
  static DomainOptions WithTestHashing(DomainOptions options) {
    options.password_hashing = PasswordHasher::Strength::kFastForTests;
    return options;
  }

  TokenSigner signer_;
  Domain domain_;
};

}  // namespace branchline::testing
