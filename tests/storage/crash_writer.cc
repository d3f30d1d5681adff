// A writer process for crash tests: opens the store at argv[1] with tiny memtables and commits
// records, counter merges and change-log entries from 4 threads until killed. Prints one line
// "ready" once 200 commits are acknowledged, so the parent knows when to kill it.
#include <cstdio>
#include <thread>
#include <vector>

#include "storage/key_codec.h"
#include "storage/store.h"

using namespace branchline::storage;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  StoreOptions options;
  options.path = argv[1];
  options.write_buffer_size = 64 << 10;
  options.block_cache_bytes = 1 << 20;
  auto store = Store::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(store.status().message()).c_str());
    return 3;
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        WriteSet w;
        auto id = (*store)->NewId(1);
        if (!id.ok()) std::_Exit(4);
        w.Put(Cf::kPeople, RecordKey(*id), std::string(500, static_cast<char>('a' + t)));
        w.AddChange(1, branchline::internal::v1::ChangeRecord());
        if (!(*store)->Commit(std::move(w)).ok()) std::_Exit(5);
        if (t == 0 && i == 200) {
          std::printf("ready\n");
          std::fflush(stdout);
        }
      }
    });
  }
  for (auto& w : writers) w.join();
}
