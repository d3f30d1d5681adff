#include "storage/testing/lost_fsync_fs.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace branchline::storage::testing {

namespace fs = std::filesystem;
using rocksdb::FileOptions;
using rocksdb::FSDirectory;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

namespace {

std::string Normal(const std::string& path) {
  std::string p = fs::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}
std::string DirOf(const std::string& file) { return Normal(fs::path(file).parent_path()); }

}  // namespace

// What the simulated disk holds durably, by normalised file name. One mutex for all: every
// write, sync, rename and delete is atomic with respect to CutPowerInto().
struct LostFsyncFileSystem::State {
  struct File {
    uint64_t size = 0;          // bytes appended
    uint64_t synced = 0;        // bytes made durable by Sync/Fsync
    bool name_durable = false;  // its directory was synced since it was created or renamed
  };
  std::mutex mu;
  std::map<std::string, File> files;
  // A file renamed over a durable one keeps the old durable bytes under its name until the
  // directory is synced (a rename is durable only then).
  std::map<std::string, std::string> replaced;

  void DirSynced(const std::string& dir) {
    std::lock_guard lock(mu);
    for (auto& [name, file] : files) {
      if (DirOf(name) == dir) file.name_durable = true;
    }
    for (auto it = replaced.begin(); it != replaced.end();) {
      it = DirOf(it->first) == dir ? replaced.erase(it) : std::next(it);
    }
  }
};

namespace {

using State = LostFsyncFileSystem::State;

class TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<FSWritableFile> file, std::shared_ptr<State> state, std::string name)
      : FSWritableFileOwnerWrapper(std::move(file)),
        state_(std::move(state)),
        name_(std::move(name)) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    auto s = target()->Append(data, o, d);
    if (s.ok()) state_->files[name_].size += data.size();
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                  IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    auto s = target()->Append(data, o, v, d);
    if (s.ok()) state_->files[name_].size += data.size();
    return s;
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("PositionedAppend (direct I/O) is not simulated");
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            const rocksdb::DataVerificationInfo&, IODebugContext*) override {
    return IOStatus::NotSupported("PositionedAppend (direct I/O) is not simulated");
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    auto s = target()->Truncate(size, o, d);
    if (s.ok()) {
      auto& file = state_->files[name_];
      file.size = size;
      file.synced = std::min(file.synced, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
    uint64_t appended = Appended();
    return Synced(target()->Sync(o, d), appended);
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    uint64_t appended = Appended();
    return Synced(target()->Fsync(o, d), appended);
  }
  // RangeSync (bytes_per_sync) syncs a range, not the file's size metadata: not counted.

 private:
  uint64_t Appended() {
    std::lock_guard lock(state_->mu);
    return state_->files[name_].size;
  }
  // Everything appended before the sync started is durable once it returns (what is
  // appended while it runs may or may not be: counted as not).
  IOStatus Synced(IOStatus s, uint64_t appended) {
    if (s.ok()) {
      std::lock_guard lock(state_->mu);
      auto& file = state_->files[name_];
      file.synced = std::max(file.synced, std::min(appended, file.size));
    }
    return s;
  }

  std::shared_ptr<State> state_;
  std::string name_;
};

class TrackedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  TrackedDirectory(std::unique_ptr<FSDirectory> dir, std::shared_ptr<State> state, std::string name)
      : FSDirectoryWrapper(std::move(dir)), state_(std::move(state)), name_(std::move(name)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    auto s = FSDirectoryWrapper::Fsync(o, d);
    if (s.ok()) state_->DirSynced(name_);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* d,
                               const rocksdb::DirFsyncOptions& options) override {
    auto s = FSDirectoryWrapper::FsyncWithDirOptions(o, d, options);
    if (s.ok()) state_->DirSynced(name_);
    return s;
  }

 private:
  std::shared_ptr<State> state_;
  std::string name_;
};

class TrackingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit TrackingFileSystem(std::shared_ptr<State> state)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), state_(std::move(state)) {}

  const char* Name() const override { return "BranchlineLostFsync"; }

  IOStatus NewWritableFile(const std::string& f, const FileOptions& o,
                           std::unique_ptr<FSWritableFile>* r, IODebugContext* d) override {
    std::unique_ptr<FSWritableFile> file;
    auto s = target()->NewWritableFile(f, o, &file, d);
    if (!s.ok()) return s;
    const std::string name = Normal(f);
    {
      std::lock_guard lock(state_->mu);
      state_->files[name] = State::File{};  // created or truncated: nothing durable yet
    }
    *r = std::make_unique<TrackedFile>(std::move(file), state_, name);
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& f, const FileOptions& o,
                              std::unique_ptr<FSWritableFile>* r, IODebugContext* d) override {
    std::unique_ptr<FSWritableFile> file;
    auto s = target()->ReopenWritableFile(f, o, &file, d);
    if (!s.ok()) return s;
    const std::string name = Normal(f);
    {
      std::lock_guard lock(state_->mu);
      if (!state_->files.count(name)) {
        // Existed before we were watching: durable as it is.
        uint64_t size = fs::file_size(f);
        state_->files[name] = State::File{size, size, true};
      }
    }
    *r = std::make_unique<TrackedFile>(std::move(file), state_, name);
    return s;
  }
  IOStatus ReuseWritableFile(const std::string&, const std::string&, const FileOptions&,
                             std::unique_ptr<FSWritableFile>*, IODebugContext*) override {
    return IOStatus::NotSupported("recycled WAL files are not simulated");
  }
  IOStatus NewDirectory(const std::string& name, const IOOptions& o,
                        std::unique_ptr<FSDirectory>* r, IODebugContext* d) override {
    std::unique_ptr<FSDirectory> dir;
    auto s = target()->NewDirectory(name, o, &dir, d);
    if (s.ok()) *r = std::make_unique<TrackedDirectory>(std::move(dir), state_, Normal(name));
    return s;
  }
  IOStatus DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    auto s = target()->DeleteFile(f, o, d);
    // Deletion is treated as durable at once: a file RocksDB deleted is obsolete, and
    // keeping it after the cut would only hide losses, never create them.
    if (s.ok()) state_->files.erase(Normal(f));
    return s;
  }
  IOStatus RenameFile(const std::string& src, const std::string& target_name, const IOOptions& o,
                      IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    const std::string from = Normal(src), to = Normal(target_name);
    auto old = state_->files.find(to);
    std::string old_durable;
    bool had_durable = old != state_->files.end() && old->second.name_durable;
    if (had_durable && !state_->replaced.count(to)) {
      std::ifstream in(to, std::ios::binary);
      old_durable.assign(std::istreambuf_iterator<char>(in), {});
      old_durable.resize(std::min<uint64_t>(old_durable.size(), old->second.synced));
    }
    auto s = target()->RenameFile(src, target_name, o, d);
    if (!s.ok()) return s;
    if (had_durable && !state_->replaced.count(to)) state_->replaced[to] = old_durable;
    auto moved = state_->files.find(from);
    State::File file = moved != state_->files.end() ? moved->second : State::File{};
    if (moved != state_->files.end()) state_->files.erase(moved);
    file.name_durable = false;  // the new name is durable with the next directory sync
    state_->files[to] = file;
    return s;
  }
  IOStatus LinkFile(const std::string&, const std::string&, const IOOptions&,
                    IODebugContext*) override {
    return IOStatus::NotSupported("hard links are not simulated");
  }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

LostFsyncFileSystem::LostFsyncFileSystem() : state_(std::make_shared<State>()) {
  env_ = rocksdb::NewCompositeEnv(std::make_shared<TrackingFileSystem>(state_));
}

LostFsyncFileSystem::~LostFsyncFileSystem() = default;

rocksdb::Env* LostFsyncFileSystem::env() const { return env_.get(); }

absl::Status LostFsyncFileSystem::CutPowerInto(const std::string& db_dir,
                                               const std::string& target_dir, CutFigures* figures) {
  CutFigures local;
  CutFigures& out = figures ? *figures : local;
  std::error_code ec;
  fs::create_directories(target_dir, ec);
  if (ec) return absl::UnavailableError("cannot create " + target_dir + ": " + ec.message());
  const std::string dir = Normal(db_dir);
  std::lock_guard lock(state_->mu);
  for (const auto& [name, file] : state_->files) {
    if (DirOf(name) != dir) continue;
    const std::string copy = target_dir + "/" + fs::path(name).filename().string();
    auto replaced = state_->replaced.find(name);
    if (!file.name_durable && replaced == state_->replaced.end()) {
      ++out.files_dropped;
      out.bytes_dropped += file.size;
      continue;
    }
    std::string bytes;
    if (!file.name_durable) {
      bytes = replaced->second;  // the rename is not durable: the old file is still there
    } else {
      std::ifstream in(name, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
      if (bytes.size() < file.synced) return absl::DataLossError(name + " is shorter than synced");
      out.bytes_dropped += bytes.size() - file.synced;
      bytes.resize(file.synced);
    }
    std::ofstream o(copy, std::ios::binary | std::ios::trunc);
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!o) return absl::UnavailableError("cannot write " + copy);
    ++out.files_kept;
    out.bytes_kept += bytes.size();
  }
  return absl::OkStatus();
}

}  // namespace branchline::storage::testing
