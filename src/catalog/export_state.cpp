#include "catalog/export_state.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "catalog/tar_writer.h"
#include "catalog/webdataset_writer.h"
#include "util/json_dump.h"

namespace clipdex {

namespace fs = std::filesystem;

namespace {

// "shard-000042.tar" -> 42; -1 for any other name.
int ShardIndex(const std::string& name) {
  if (name.size() != std::string("shard-000000.tar").size() || name.rfind("shard-", 0) != 0 ||
      !name.ends_with(".tar")) {
    return -1;
  }
  int index = 0;
  for (size_t i = 6; i < 12; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    index = index * 10 + (name[i] - '0');
  }
  return index;
}

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::Error("cannot write " + temp.string());
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return Status::Error("cannot write " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string ManifestLine(const std::string& shard, const std::string& key,
                         const std::string& sample_json) {
  const auto j = nlohmann::ordered_json::parse(sample_json, nullptr, /*allow_exceptions=*/false);
  nlohmann::ordered_json line;
  line["shard"] = shard;
  line["key"] = key;
  auto field = [&](const char* name) {
    return j.is_object() && j.contains(name) ? j[name] : nlohmann::ordered_json();
  };
  const nlohmann::ordered_json exported = field("export");
  auto export_field = [&](const char* name) {
    return exported.is_object() && exported.contains(name) ? exported[name]
                                                           : nlohmann::ordered_json();
  };
  line["media"] = export_field("media");
  line["duration"] = export_field("duration");
  line["tier"] = field("tier");
  line["caption"] = field("caption.text");
  line["video"] = field("video");
  line["clip"] = field("clip");
  line["start"] = export_field("start");
  line["end"] = export_field("end");
  line["method"] = export_field("method");
  if (!export_field("part").is_null()) line["part"] = export_field("part");
  if (!export_field("frame").is_null()) line["frame"] = export_field("frame");
  return DumpJson(line);
}

Result<ShardDirState> PrepareShardDir(const fs::path& dir, const nlohmann::ordered_json& identity) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Error("cannot create " + dir.string() + ": " + ec.message());
  std::map<int, fs::path> shards;
  std::vector<fs::path> partials;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("shard-", 0) != 0) continue;
    if (name.ends_with(".partial")) {
      partials.push_back(it->path());
    } else if (int index = ShardIndex(name); index >= 0) {
      shards[index] = it->path();
    }
  }
  if (ec) return Status::Error("cannot read " + dir.string() + ": " + ec.message());
  ShardDirState state;
  const fs::path state_file = dir / kExportStateFile;
  if (!fs::exists(state_file)) {
    if (!shards.empty() || !partials.empty()) {
      return Status::Error(dir.string() +
                           " already holds shard-*.tar files; use an empty directory");
    }
    return state;
  }
  std::ifstream in(state_file);
  std::stringstream text;
  text << in.rdbuf();
  const auto saved = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  if (!saved.is_object() || !saved.contains("identity")) {
    return Status::Error(state_file.string() +
                         " is not an export state file; use an empty "
                         "directory");
  }
  // Compared as plain JSON: key order does not matter (a tool may rewrite the file).
  if (nlohmann::json::parse(saved["identity"].dump()) != nlohmann::json::parse(identity.dump())) {
    return Status::Error(dir.string() + " already holds shards of another export (" +
                         saved["identity"].dump() +
                         "); use an empty directory or the same options");
  }
  state.fresh = false;
  state.finished = saved.value("finished", false);
  state.planned = saved.value("planned", 0L);
  state.last_key = saved.value("last_key", std::string());
  for (const fs::path& p : partials) fs::remove(p, ec);
  for (const auto& [index, path] : shards) {
    if (index != state.complete_shards) {
      return Status::Error(dir.string() + ": shard " +
                           WebDatasetWriter::ShardName(state.complete_shards) +
                           " is missing but later shards exist; use an empty directory");
    }
    const std::string shard = path.filename().string();
    std::string last_key;
    Status s = ReadTar(
        path, [](const std::string& name) { return name.ends_with(".json"); },
        [&](const std::string& name, uint64_t, const std::string& data) {
          const std::string key = name.substr(0, name.find('.'));
          if (key != last_key) {
            state.keys.push_back(key);
            last_key = key;
          }
          if (name == key + ".json") state.manifest_lines.push_back(ManifestLine(shard, key, data));
        });
    if (!s.ok()) return s;
    ++state.complete_shards;
  }
  const int saved_shards = saved.value("shards", -1);
  const long saved_samples = saved.value("samples", -1L);
  if (state.finished && (state.complete_shards != saved_shards ||
                         static_cast<long>(state.keys.size()) != saved_samples)) {
    state.finished = false;
    state.unfinished_because = "the finished export had " + std::to_string(saved_shards) +
                               " shards and " + std::to_string(saved_samples) + " samples, " +
                               std::to_string(state.complete_shards) + " and " +
                               std::to_string(state.keys.size()) + " are left";
  }
  return state;
}

Status WriteExportState(const fs::path& dir, const nlohmann::ordered_json& identity, bool finished,
                        long planned, const std::string& last_key, long samples, int shards) {
  nlohmann::ordered_json j;
  j["identity"] = identity;
  j["finished"] = finished;
  j["planned"] = planned;
  j["last_key"] = last_key;
  j["samples"] = samples;
  j["shards"] = shards;
  return WriteFileAtomically(dir / kExportStateFile, j.dump(2) + "\n");
}

}  // namespace clipdex
