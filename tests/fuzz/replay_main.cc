// Replays fuzz inputs without libFuzzer: each argument is a file or a directory of files, and
// each file is passed once to LLVMFuzzerTestOneInput. The test suite runs the seed corpora
// (and every crash reproducer in them) through the fuzz entry points this way, built with
// g++ and the address and undefined-behaviour sanitizers. A broken property aborts.
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being replayed, named on the way out when it crashes or breaks a property, so a
// failing suite run says which corpus file to look at.
std::string current_input;

void NameCurrentInput() {
  const char prefix[] = "\nfuzz replay: failing input: ";
  [[maybe_unused]] auto a = write(2, prefix, sizeof prefix - 1);
  [[maybe_unused]] auto b = write(2, current_input.data(), current_input.size());
  [[maybe_unused]] auto c = write(2, "\n", 1);
}

void OnAbort(int) {
  NameCurrentInput();
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no fuzz inputs given\n");
    return 2;
  }
  __sanitizer_set_death_callback(NameCurrentInput);
  std::signal(SIGABRT, OnAbort);
  for (const auto& file : files) {
    current_input = file.string();
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
