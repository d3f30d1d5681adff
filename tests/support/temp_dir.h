#pragma once

#include <string>

namespace branchline::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction. Each test
// gets its own, so tests can run in parallel.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace branchline::testing
