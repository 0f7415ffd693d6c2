// Subject, action and scene of a prompt, from what is left once the camera, speed, angle,
// lighting, style, duration and text words are taken out. Deliberately simple, deterministic
// rules (docs/generation.md), no tagger and no model:
//  - the prompt is cut into clauses at punctuation; a clause with Chinese characters is cut at
//    spaces too, and each piece is read by the rules of its script;
//  - English: leftover camera nouns ("camera", "shot", "footage") and dangling function words go;
//    the first verb (a be-verb, an -ing word not used as an adjective, a common verb in any person)
//    ends the subject; the action runs to the first place preposition (on, in, at, under,
//    through ...), which starts the scene. Without a verb the first preposition ends the subject;
//  - Chinese: 正在 splits subject and action; 在 splits subject and the rest, which is scene then
//    action when a verb follows (在屋顶上走: 屋顶上 / 走); otherwise the first common verb ends the
//    subject;
//  - the subject comes from the first clause with a subject and a verb (else the first with a
//    subject); a later clause with no subject of its own fills a missing action or scene.
// What the rules cannot find stays empty.
#pragma once

#include <string>
#include <string_view>

namespace clipdex {

struct SubjectParts {
  std::string subject, action, scene;
};

// The byte that stands for a recognised phrase taken out of the prompt. Unlike a space it does
// not cut Chinese text in two (烟花在[夜空]中绽放 stays one clause).
inline constexpr char kTakenOut = '\x1f';

// `rest`: the prompt with every recognised phrase overwritten by kTakenOut.
SubjectParts FindSubjectParts(std::string_view rest);

}  // namespace clipdex
