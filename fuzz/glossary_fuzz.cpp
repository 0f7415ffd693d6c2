// Fuzz target: glossary YAML (caption --glossary) and matching against OCR text, a path and tags.
// Input: "<ocr line>\n<path line>\n<tag line>\n<glossary YAML>". Whatever the file holds, Load
// returns a glossary or an error line naming the file; Match never fails.
#include <cstdint>

#include "caption/glossary.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  if (size > 16384) return 0;
  fuzz::FieldReader fields(data, size);
  const std::string ocr = fields.Next();
  const std::string path = fields.Next();
  const std::string tag = fields.Next();
  const std::string yaml = fields.Rest();
  const auto file = fuzz::WriteScratch("glossary.yaml",
                                       reinterpret_cast<const uint8_t*>(yaml.data()), yaml.size());
  auto glossary = Glossary::Load(file);
  if (!glossary.ok()) {
    if (glossary.status().message().find("glossary.yaml") == std::string::npos) {
      fuzz::Fail("glossary error does not name the file", glossary.status().message());
    }
    return 0;
  }
  for (const GlossaryMatch& m : glossary->Match(ocr, path, 0x0123456789abcdefULL, {tag})) {
    if (m.term == nullptr || m.evidence.empty()) fuzz::Fail("match without term or evidence", ocr);
  }
  return 0;
}
