// A person's change feed as a phone pulls it (SyncService.ListChanges): remember where it is,
// then read what arrived since, as "kind:action:record id" strings a test can look for.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/test_server.h"

namespace branchline::testing {

class ChangeFeed {
 public:
  ChangeFeed(const std::shared_ptr<grpc::Channel>& channel, std::string token)
      : stub_(v1::SyncService::NewStub(channel)), token_(std::move(token)) {
    cursor_ = Pull("").second;
  }

  // What arrived since the last call (or since construction).
  std::vector<std::string> Since() {
    auto [entries, next] = Pull(cursor_);
    cursor_ = next;
    return entries;
  }

  static std::string Entry(const std::string& kind, const std::string& action, uint64_t id) {
    return kind + ":" + action + ":" + std::to_string(id);
  }

 private:
  std::pair<std::vector<std::string>, std::string> Pull(const std::string& cursor) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    r.set_page_size(1000);
    v1::ListChangesResponse out;
    EXPECT_TRUE(stub_->ListChanges(TestServer::Ctx(token_).get(), r, &out).ok());
    std::vector<std::string> entries;
    for (const auto& c : out.changes())
      entries.push_back(Entry(c.kind(), c.action(), c.record_id()));
    return {entries, out.next_cursor()};
  }

  std::unique_ptr<v1::SyncService::Stub> stub_;
  std::string token_;
  std::string cursor_;
};

}  // namespace branchline::testing
