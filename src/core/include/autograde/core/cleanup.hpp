#pragma once
// Nothing half-written survives Ctrl-C, SIGTERM or a crash (DESIGN.md principle 5).
//
// Normal errors unwind: PendingOutput / VideoWriter remove their temporary files in their
// destructors. Signals do not unwind, so every output of a grade is first written inside a
// private staging folder (".autograde-<pid>-<n>.partial" beside its final destination) that
// is registered here; on SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE or SIGABRT the
// handler deletes every registered folder (system calls only, on paths stored in fixed buffers:
// nothing that allocates, since the signal may have interrupted malloc) and re-raises the
// signal with its default action, so the exit status still says what happened.
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace autograde {

// Installs the handlers once (idempotent, thread-safe). Called by StagingDir.
void install_cleanup_handlers();

// A registered staging folder. Files are written at path_for(name) (possibly through their own
// temp + rename inside it) and moved onto their final paths by commit(); the destructor removes
// the folder with whatever is still inside, and unregisters it.
class StagingDir {
 public:
  // Creates the folder inside `parent` (which must exist: Error(Usage) otherwise).
  explicit StagingDir(const std::string& parent);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

  const std::string& path() const { return path_; }
  std::string path_for(const std::string& name) const;
  // rename(path_for(name), final_path); Error(Internal) on failure.
  void commit(const std::string& name, const std::string& final_path);

 private:
  std::string path_;
  int slot_ = -1;
};

// A folder the grade had to create (e.g. --luts DIR): registered like a staging folder so a
// signal removes it (staging folders inside it are removed first), and removed on destruction
// unless keep() was called.
class CreatedFolder {
 public:
  // Creates `path` (and missing parents; Error(Usage) on failure) when it does not exist;
  // otherwise does nothing and never removes it.
  explicit CreatedFolder(const std::string& path);
  ~CreatedFolder();
  CreatedFolder(const CreatedFolder&) = delete;
  CreatedFolder& operator=(const CreatedFolder&) = delete;
  void keep();

 private:
  std::string path_;
  int slot_ = -1;
};

// One StagingDir per destination folder, created on first use; commit by final path.
class StagedOutputs {
 public:
  // The path to write `final_path` to (inside the staging folder of its parent folder).
  std::string stage(const std::string& final_path);
  // Moves every staged file onto its final path, in the order they were staged.
  void commit_all();

 private:
  std::map<std::string, std::unique_ptr<StagingDir>> dirs_;  // by parent folder
  struct Item {
    StagingDir* dir;
    std::string name, final_path;
  };
  std::vector<Item> items_;
};

// A single temporary file (PendingOutput) for the handler to remove; returns its slot, which
// unregister_path releases (after the file was renamed or deleted).
int register_temp_file(const std::string& path);
void unregister_path(int slot);

// For tests: how many staging folders and temporary files are registered right now.
int registered_staging_dirs();

}  // namespace autograde
