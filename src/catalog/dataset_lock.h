// DatasetLock: one writing clipdex process per dataset directory.
//
// SQLite already serializes transactions, but two ingests into one dataset would both write
// thumbnails, race on resume decisions and double the work; the lock makes the second one fail
// fast with a message naming the holder. It is an advisory flock(2) on <dataset>/.lock, so the
// kernel releases it when the holder dies (no stale lock files after a crash or kill -9).
#pragma once

#include <filesystem>
#include <utility>

#include "util/status.h"

namespace clipdex {

class DatasetLock {
 public:
  // kShared: several holders at once, none while an exclusive holder runs (and the reverse). For
  // passes sharded over one dataset (`caption --shard`): each shard writes only its own clips'
  // rows, SQLite serialises their transactions, and an ingest, merge or tier still waits for
  // all of them.
  enum class Mode { kExclusive, kShared };

  // Takes an exclusive, non-blocking lock on dataset_dir/.lock (the file is created if missing;
  // the directory is not). Writes the caller's pid into the file so a refused acquirer can name
  // the holder. Errors:
  //   "dataset directory X does not exist"
  //   "dataset X is in use by another clipdex process (pid N)"   (N is "unknown" if unreadable)
  //   "cannot lock dataset X: <errno text>"
  // The lock is per open file description: a second Acquire in the same process also fails
  // (unless both are shared).
  static Result<DatasetLock> Acquire(const std::filesystem::path& dataset_dir,
                                     Mode mode = Mode::kExclusive);

  DatasetLock(DatasetLock&& other) noexcept;
  DatasetLock& operator=(DatasetLock&& other) noexcept;
  DatasetLock(const DatasetLock&) = delete;
  DatasetLock& operator=(const DatasetLock&) = delete;
  ~DatasetLock();  // releases the lock; the file stays (deleting it would race with acquirers)

  const std::filesystem::path& path() const { return path_; }

 private:
  DatasetLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  void Release();

  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace clipdex
