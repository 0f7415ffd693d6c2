// Turning command-line inputs (files, directories, @lists) into the list of files to ingest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace clipdex {

struct InputItem {
  std::filesystem::path path;
  std::string error;  // non-empty: the input itself cannot be used (reported + recorded)
  // What --shard hashes (util/shard.h): a file found in a directory argument by its path
  // relative to that directory, any other input by its path as written (on the command line or
  // in the list). Stable across reruns, list order and machines that mount the data elsewhere,
  // and free: the content fingerprint would read 3 MiB of every input in every shard's task.
  std::string shard_key;
};

// Files are taken as given. Directories are walked recursively (symlinked files and folders
// are followed; a folder whose canonical path was already entered in this walk -- a symlink
// loop -- is not entered again and a note saying so goes to stderr; a dangling symlink becomes
// an item with an error naming it; hidden entries and clipdex datasets skipped); a file in a
// directory is taken when its extension is a known video extension or, for other extensions, when
// its first bytes look like a video container. "@list.txt" reads one input per line (blank lines
// and '#' comments ignored). Unreadable directories and lists become items with an error. Order: as
// given, directory contents sorted, duplicates (same canonical path) removed. Every item has its
// shard_key.
std::vector<InputItem> ExpandInputs(const std::vector<std::string>& inputs);

// True when the first bytes of the file match a known video container signature.
bool LooksLikeVideo(const std::filesystem::path& path);

}  // namespace clipdex
