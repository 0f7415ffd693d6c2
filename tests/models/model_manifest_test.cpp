#include "models/model_manifest.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "../support/test_env.h"
#include "util/sha256.h"

namespace clipdex {
namespace {

TEST(Sha256, MatchesTheFipsTestVectors) {
  EXPECT_EQ(Sha256Hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc", 3),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(Sha256Hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  testing::TempDir tmp;
  std::string million(1000000, 'a');
  std::ofstream(tmp / "a.bin", std::ios::binary) << million;
  auto file = Sha256File(tmp / "a.bin");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_FALSE(Sha256File(tmp / "missing.bin").ok());
}

TEST(ModelManifest, HasTheRequiredSlotsWithContracts) {
  std::set<std::string> ids;
  for (const ModelSlot& s : ModelSlots()) {
    ids.insert(s.id);
    EXPECT_FALSE(s.file.empty()) << s.id;
    EXPECT_FALSE(s.licence.empty()) << s.id;
    EXPECT_FALSE(s.output_decoder.empty()) << s.id;
    EXPECT_EQ(s.sha256.empty(), s.user_supplied) << s.id << ": pinned unless user-supplied";
  }
  for (const char* id : {"text_det", "text_rec", "text_cls", "face", "aesthetic_head", "clip_image",
                         "ai_artifact_classifier"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  EXPECT_EQ(FindModelSlot("nope"), nullptr);
}

TEST(ModelManifest, MissingAndTamperedFilesAreNotReadyWithAReason) {
  testing::TempDir tmp;
  const ModelSlot& head = *FindModelSlot("aesthetic_head");
  auto missing = ResolveModelSlot(head, {tmp.path()});
  EXPECT_FALSE(missing.ready);
  EXPECT_NE(missing.reason.find("missing: " + head.file), std::string::npos) << missing.reason;

  std::filesystem::create_directories(tmp / "laion-aesthetic");
  std::ofstream(tmp / head.file, std::ios::binary) << std::string(513 * 4, '\0');
  auto tampered = ResolveModelSlot(head, {tmp.path()});
  EXPECT_FALSE(tampered.ready);
  EXPECT_NE(tampered.reason.find("sha256 mismatch"), std::string::npos) << tampered.reason;

  // A user-supplied slot takes any file; the first root that has it wins.
  const ModelSlot& clip = *FindModelSlot("clip_image");
  auto absent = ResolveModelSlot(clip, {tmp.path()});
  EXPECT_FALSE(absent.ready);
  EXPECT_NE(absent.reason.find("not configured"), std::string::npos);
}

TEST(ModelManifest, RealFilesInSharedModelsAreReady) {
  const auto shared = testing::SharedDir() / "models";
  CLIPDEX_REQUIRE_FILE(shared / "yunet/yunet_final_320_320_simplify.onnx");
  for (const char* id : {"face", "aesthetic_head", "aesthetic_head_l14"}) {
    auto st = ResolveModelSlot(*FindModelSlot(id), {shared});
    EXPECT_TRUE(st.ready) << id << ": " << st.reason;
  }
}

TEST(ModelsVerb, ListsEverySlotAndItsState) {
  testing::TempDir tmp;
  auto r = testing::RunClipdex("models --models " + testing::ShellQuote(tmp.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const ModelSlot& s : ModelSlots()) {
    EXPECT_NE(r.output.find(s.id), std::string::npos) << s.id << "\n" << r.output;
  }
  EXPECT_NE(r.output.find("clip_image"), std::string::npos);
  EXPECT_NE(r.output.find("not configured"), std::string::npos);
}

}  // namespace
}  // namespace clipdex
