// What the full-text index holds for one clip (Catalog::UpdateSearchIndex calls this per changed
// clip). Columns (catalog/query_records.h SearchDocument):
//   labels       the measured camera language and content flags in words, English and Chinese
//                (film vocabulary: "static 固定镜头", "close-up 特写", "watermark 水印", "face
//                人脸"), so words find clips before any caption was written;
//   caption      every caption text (caption.text/short/long, and their _zh forms);
//   screen_text  recognised on-screen text (text.content);
//   tags         user tags;
//   path         the source file's folder and file-name words ("/footage/Paris_2019/dusk-07.mp4"
//                -> "footage Paris 2019 dusk 07 mp4");
//   glossary     every string of caption.context (the glossary terms the caption pass used).
// All text goes through IndexableText (search/search_text.h) so CJK words are findable.
#pragma once

#include "catalog/query_records.h"

namespace clipdex {

SearchDocument MakeSearchDocument(const SearchSource& source);

}  // namespace clipdex
