#include "generate/prompt_parser.h"

#include <algorithm>
#include <cctype>

#include "caption/film_vocabulary.h"
#include "generate/phrase_match.h"
#include "generate/prompt_quantities.h"
#include "generate/prompt_subject.h"
#include "generate/prompt_text_request.h"
#include "generate/prompt_vocabulary.h"

namespace clipdex {

namespace {

// The prompt and its lower-case copy with the same offsets; recognised phrases are blanked in
// both (kTakenOut in the prompt, spaces in the copy), so what is left of the prompt is its own
// words for the subject rules.
class WorkText {
 public:
  explicit WorkText(std::string_view prompt) : original_(prompt), lower_(AsciiLower(prompt)) {}
  const std::string& original() const { return original_; }
  const std::string& lower() const { return lower_; }
  void Blank(TextSpan s) {
    for (size_t i = s.begin; i < s.end && i < lower_.size(); ++i) {
      original_[i] = kTakenOut;
      lower_[i] = ' ';
    }
  }
  // Blanks a preposition right after `end` that only tied a camera phrase to the subject
  // ("close-up of a cat", "zooms in on a face").
  void BlankTieAfter(size_t end) {
    size_t at = end;
    while (at < lower_.size() && lower_[at] == ' ') ++at;
    for (std::string_view w : {"of", "on", "onto"}) {
      const size_t end_word = at + w.size();
      if (lower_.compare(at, w.size(), w) == 0 &&
          (end_word == lower_.size() ||
           !std::isalnum(static_cast<unsigned char>(lower_[end_word])))) {
        Blank({at, end_word});
        return;
      }
    }
  }

 private:
  std::string original_, lower_;
};

struct Candidate {
  TextSpan span;
  SlotKind kind;
  std::string label;
  const SlotPhrases* entry = nullptr;  // nullptr: a film vocabulary phrase
};

std::vector<Candidate> FindCandidates(const std::string& lower) {
  std::vector<Candidate> all;
  for (const CameraClaimSpan& s : FindCameraClaimSpans(lower)) {
    all.push_back({{s.begin, s.end}, s.movement ? SlotKind::kMovement : SlotKind::kScale, s.label});
  }
  for (const SlotPhrases& p : PromptPhraseTable()) {
    for (const std::string& syn : p.synonyms) {
      for (const TextSpan& s : PhraseOccurrences(lower, syn))
        all.push_back({s, p.kind, p.label, &p});
    }
  }
  std::vector<TextSpan> spans;
  for (const Candidate& c : all) spans.push_back(c.span);
  std::vector<Candidate> kept;
  for (size_t i : LongestNonOverlapping(spans)) kept.push_back(all[i]);
  return kept;
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

// What a negated phrase rules out: a movement's family, else the label itself.
std::string ExcludedKey(const Candidate& c) {
  return c.kind == SlotKind::kMovement ? MovementFamily(c.label) : c.label;
}

// Within three words of each other, in one clause.
bool Near(const std::string& lower, const TextSpan& a, const TextSpan& b) {
  const TextSpan& first = a.begin < b.begin ? a : b;
  const TextSpan& second = a.begin < b.begin ? b : a;
  if (second.begin < first.end) return false;
  return !CrossesClause(lower, first.end, second.begin) &&
         WordsBetween(lower, first.end, second.begin) <= 3;
}

// Sets the slot of a positive (not negated) candidate.
void Apply(const Candidate& c, WorkText* work, PromptSlots* slots) {
  switch (c.kind) {
    case SlotKind::kMovement:
      AddUnique(&slots->movements, c.label);
      work->BlankTieAfter(c.span.end);
      break;
    case SlotKind::kScale:
      if (slots->shot_scale.empty()) slots->shot_scale = c.label;
      work->BlankTieAfter(c.span.end);
      break;
    case SlotKind::kAngle:
      if (slots->angle.empty()) slots->angle = c.label;
      work->BlankTieAfter(c.span.end);
      break;
    case SlotKind::kLighting:
      AddUnique(&slots->lighting, c.label);
      break;
    case SlotKind::kStyle:
      if (slots->style.empty()) slots->style = c.label;
      break;
    case SlotKind::kText:
      slots->text_requested = true;
      break;
    case SlotKind::kSubtitles:
      slots->subtitles = true;
      break;
    case SlotKind::kNoPeople:
      if (!slots->people) slots->people = 0;
      break;
    case SlotKind::kFamily:
      if (c.entry != nullptr && c.entry->ambiguous) return;  // an everyday word: keep it
      break;
    case SlotKind::kSpeed:
    case SlotKind::kNotCamera:
      break;
  }
  work->Blank(c.span);
}

}  // namespace

PromptSlots ParsePrompt(std::string_view prompt) {
  PromptSlots slots;
  WorkText work(prompt);
  const TextRequest text = FindTextRequest(work.original(), work.lower());
  for (const TextSpan& s : text.taken) work.Blank(s);
  slots.text_lines = text.lines;
  slots.text_requested = !text.lines.empty();
  if (auto d = FindDuration(work.lower())) {
    slots.duration = d->seconds;
    work.Blank(d->span);
  }

  const std::vector<Candidate> found = FindCandidates(work.lower());
  const std::string lower_before = work.lower();  // negation and speed look at the full wording
  std::vector<const Candidate*> speeds, movements;
  for (const Candidate& c : found) {
    const auto negation = NegationBefore(lower_before, c.span.begin);
    if (c.kind == SlotKind::kSpeed) {
      speeds.push_back(&c);
    } else if (negation && c.kind != SlotKind::kNotCamera && c.kind != SlotKind::kNoPeople) {
      AddUnique(&slots.excluded, ExcludedKey(c));
      work.Blank(*negation);
      work.Blank(c.span);
    } else {
      if (c.kind == SlotKind::kMovement) movements.push_back(&c);
      Apply(c, &work, &slots);
    }
  }
  if (!slots.movements.empty()) slots.movement = slots.movements.front();
  if (!movements.empty() && movements.front()->entry != nullptr) {
    slots.camera_term = movements.front()->entry->en;
  }
  if (MovementHasSpeed(slots.movement)) {
    for (const Candidate* s : speeds) {
      const bool near = std::any_of(movements.begin(), movements.end(), [&](const Candidate* m) {
        return m->label == slots.movement && Near(lower_before, s->span, m->span);
      });
      if (near && !NegationBefore(lower_before, s->span.begin)) {
        slots.speed = s->label;
        work.Blank(s->span);
        break;
      }
    }
  }
  // Counted once the vocabulary phrases are out (第一人称 is not 一人).
  if (auto n = CountPeople(work.original())) slots.people = n;
  const SubjectParts parts = FindSubjectParts(work.original());
  slots.subject = parts.subject;
  slots.action = parts.action;
  slots.scene = parts.scene;
  return slots;
}

std::string DetectLanguage(std::string_view prompt) {
  size_t cjk = 0;
  for (char c : prompt) cjk += IsCjkLead(static_cast<unsigned char>(c)) ? 1 : 0;
  // English words that are not camera vocabulary ("推镜头 close-up" is still Chinese).
  std::string rest = AsciiLower(prompt);
  for (const CameraClaimSpan& s : FindCameraClaimSpans(rest)) {
    std::fill(rest.begin() + static_cast<std::ptrdiff_t>(s.begin),
              rest.begin() + static_cast<std::ptrdiff_t>(s.end), ' ');
  }
  size_t letters = 0;
  for (char c : rest) letters += (c >= 'a' && c <= 'z') ? 1 : 0;
  if (cjk == 0) return "en";
  return letters == 0 ? "zh" : "mixed";
}

}  // namespace clipdex
