#include "generate/prompt_subject.h"

#include <algorithm>
#include <set>
#include <vector>

#include "generate/phrase_match.h"

namespace clipdex {

namespace {

using WordSet = std::set<std::string, std::less<>>;

bool In(const WordSet& set, std::string_view w) { return set.find(w) != set.end(); }

const WordSet& Articles() {
  static const WordSet k = {"a",   "an",  "the", "this", "that",  "some", "his",
                            "her", "its", "my",  "our",  "their", "your"};
  return k;
}
const WordSet& Numbers() {
  static const WordSet k = {"one",   "two",  "three", "four", "five",    "six",   "seven",
                            "eight", "nine", "ten",   "many", "several", "a few", "both"};
  return k;
}
const WordSet& ScenePrepositions() {
  static const WordSet k = {"on",     "in",     "at",        "under",   "through", "across",
                            "along",  "over",   "near",      "beside",  "inside",  "by",
                            "above",  "below",  "around",    "behind",  "between", "among",
                            "into",   "onto",   "past",      "beneath", "against", "outside",
                            "within", "atop",   "toward",    "towards", "from",    "underneath",
                            "amid",   "amidst", "throughout"};
  return k;
}
// Words that cannot start or end a subject, action or scene.
const WordSet& Glue() {
  static const WordSet k = {"of",  "with",  "and", "while", "as",  "to",    "then", "but",
                            "or",  "for",   "is",  "are",   "was", "were",  "that", "which",
                            "who", "there", "it",  "very",  "so",  "being", "has",  "have"};
  return k;
}
// Camera and production nouns left behind once camera phrases are gone ("the camera", "shot of").
const WordSet& Fillers() {
  static const WordSet k = {"camera",   "cameras", "shot",     "shots",    "footage",   "video",
                            "clip",     "style",   "styled",   "lighting", "lit",       "angle",
                            "view",     "framing", "movement", "motion",   "cinematic", "4k",
                            "8k",       "hd",      "hdr",      "lasting",  "duration",  "long",
                            "length",   "seconds", "prompt",   "film",     "filmed",    "shoots",
                            "captured", "moves",   "moving",   "speed",    "pace"};
  return k;
}
const WordSet& BeVerbs() {
  static const WordSet k = {"is", "are", "was", "were", "being", "has", "have", "gets", "keeps"};
  return k;
}
// Nouns and adjectives ending in -ing.
const WordSet& IngNouns() {
  static const WordSet k = {
      "morning",  "evening", "building",  "ceiling",  "painting",   "clothing", "king",
      "ring",     "thing",   "something", "nothing",  "everything", "anything", "wing",
      "spring",   "string",  "swing",     "sibling",  "wedding",    "pudding",  "lightning",
      "stocking", "ending",  "beginning", "awning",   "earring",    "icing",    "bedding",
      "railing",  "housing", "meeting",   "setting",  "outing",     "parking",  "landing",
      "sling",    "sting",   "during",    "amazing",  "stunning",   "charming", "interesting",
      "boring",   "darling", "duckling",  "seedling", "dumpling"};
  return k;
}
const WordSet& VerbStems() {
  static const WordSet k = {
      "run",    "walk",    "jump",     "dance",     "play",     "swim",   "fly",    "sit",
      "stand",  "eat",     "drink",    "drive",     "ride",     "sing",   "talk",   "read",
      "write",  "cook",    "fight",    "fall",      "climb",    "look",   "watch",  "smile",
      "laugh",  "cry",     "sleep",    "wait",      "turn",     "hold",   "throw",  "catch",
      "kick",   "chase",   "cross",    "open",      "close",    "wave",   "hug",    "kiss",
      "race",   "skate",   "surf",     "ski",       "paint",    "type",   "work",   "stare",
      "lie",    "rest",    "sway",     "blow",      "flow",     "float",  "burn",   "glow",
      "shine",  "sparkle", "flicker",  "rise",      "crash",    "splash", "bloom",  "grow",
      "melt",   "drip",    "spin",     "twirl",     "hop",      "crawl",  "roam",   "wander",
      "stroll", "march",   "gallop",   "soar",      "glide",    "dive",   "leap",   "sprint",
      "jog",    "hike",    "pour",     "stir",      "chop",     "slice",  "bake",   "fry",
      "knit",   "sew",     "build",    "dig",       "pull",     "carry",  "lift",   "drag",
      "enter",  "leave",   "arrive",   "pass",      "travel",   "sail",   "row",    "paddle",
      "hunt",   "graze",   "feed",     "bark",      "roar",     "howl",   "chirp",  "nap",
      "yawn",   "stretch", "pose",     "perform",   "practice", "train",  "strum",  "nod",
      "point",  "clap",    "cheer",    "celebrate", "argue",    "tap",    "scroll", "click",
      "browse", "explode", "collapse", "drift",     "hover",    "land",   "take",   "wash",
      "sweep",  "fold",    "plant",    "water",     "kneel",    "bend",   "lean",   "gaze",
      "smoke",  "shout",   "whisper",  "weep",      "hide",     "escape", "follow", "lead",
      "pet",    "sniff",   "lick",     "chew",      "bite",     "peck",   "shake",  "tremble"};
  return k;
}

bool IsVerbForm(const std::string& w) {
  if (In(VerbStems(), w)) return true;
  const auto stem_if = [&](std::string_view suffix, std::string_view add) {
    if (w.size() <= suffix.size() + 1 ||
        w.compare(w.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return false;
    }
    std::string stem = w.substr(0, w.size() - suffix.size());
    stem += add;
    return In(VerbStems(), stem);
  };
  return stem_if("s", "") || stem_if("es", "") || stem_if("ies", "y") || stem_if("ed", "") ||
         stem_if("ed", "e");
}

bool EndsWith(const std::string& w, std::string_view end) {
  return w.size() >= end.size() && w.compare(w.size() - end.size(), end.size(), end) == 0;
}

// After a singular subject ("a basketball player dunks"), a word in -s that follows a noun is
// the verb, known or not.
bool ThirdPersonVerb(const std::vector<std::string>& lc, size_t i) {
  const std::string& w = lc[i];
  const std::string& prev = lc[i - 1];
  const bool singular = lc[0] == "a" || lc[0] == "an" || lc[0] == "one";
  return singular && i >= 2 && w.size() > 3 && EndsWith(w, "s") && !EndsWith(w, "ss") &&
         !EndsWith(w, "us") && !EndsWith(w, "'s") && !EndsWith(prev, "s") &&
         !In(Articles(), prev) && !In(ScenePrepositions(), prev) && !In(Glue(), prev) &&
         !In(Numbers(), prev);
}

// Position of the verb that ends the subject, or npos. An -ing word or a verb form right after
// an article or number is an adjective or a noun ("a running man", "a wave crashes").
size_t FindVerb(const std::vector<std::string>& lc) {
  size_t first_any = std::string::npos;
  for (size_t i = 0; i < lc.size(); ++i) {
    const std::string& w = lc[i];
    const bool after_det = i > 0 && (In(Articles(), lc[i - 1]) || In(Numbers(), lc[i - 1]));
    bool verb = false;
    if (In(BeVerbs(), w)) {
      verb = i + 1 < lc.size();
    } else if (!after_det && !In(IngNouns(), w)) {
      const bool ing = w.size() > 4 && EndsWith(w, "ing");
      verb = ing || IsVerbForm(w) || (i > 0 && ThirdPersonVerb(lc, i));
    }
    if (!verb) continue;
    if (i > 0) return i;
    first_any = i;
  }
  return first_any;
}

std::string Join(const std::vector<std::string>& words, size_t a, size_t b) {
  std::string out;
  for (size_t i = a; i < b && i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

// Trims glue at both ends and articles with nothing after them.
void TrimWords(std::vector<std::string>* words) {
  auto lc = [&](size_t i) { return AsciiLower((*words)[i]); };
  bool changed = true;
  while (changed && !words->empty()) {
    changed = false;
    if (In(Glue(), lc(0)) ||
        (In(Articles(), lc(0)) && (words->size() == 1 || In(Articles(), lc(1)) ||
                                   In(Glue(), lc(1)) || In(ScenePrepositions(), lc(1))))) {
      words->erase(words->begin());
      changed = true;
      continue;
    }
    const size_t last = words->size() - 1;
    const std::string tail = lc(last);
    if (In(Glue(), tail) || In(Articles(), tail) || In(ScenePrepositions(), tail)) {
      words->pop_back();
      changed = true;
    }
  }
}

SubjectParts EnglishParts(std::string_view clause) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    while (!current.empty() && (current.back() == '\'' || current.back() == '-')) {
      current.pop_back();
    }
    while (!current.empty() && (current[0] == '\'' || current[0] == '-')) current.erase(0, 1);
    if (!current.empty() && !In(Fillers(), AsciiLower(current))) words.push_back(current);
    current.clear();
  };
  for (char c : clause) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '\'' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
    if (word) {
      current += c;
    } else {
      flush();
    }
  }
  flush();
  TrimWords(&words);
  SubjectParts p;
  if (words.empty()) return p;
  std::vector<std::string> lc;
  for (const std::string& w : words) lc.push_back(AsciiLower(w));
  auto first_prep = [&](size_t from) {
    for (size_t i = from; i < lc.size(); ++i) {
      if (In(ScenePrepositions(), lc[i])) return i;
    }
    return lc.size();
  };
  const size_t verb = FindVerb(lc);
  if (verb == std::string::npos) {
    const size_t prep = first_prep(0);
    p.subject = Join(words, 0, prep);
    p.scene = Join(words, prep, words.size());
    return p;
  }
  const size_t prep = first_prep(verb + 1);
  p.subject = Join(words, 0, verb);
  p.action = Join(words, verb, prep);
  p.scene = Join(words, prep, words.size());
  return p;
}

// ---- Chinese ----

const std::vector<std::string>& ZhFillers() {
  static const std::vector<std::string> k = {
      "画面中", "画面里", "画面", "视频中", "视频", "镜头下", "镜头里", "镜头中",
      "镜头",   "拍摄",   "运镜", "风格",   "光线", "效果",   "电影感", "高清",
      "时长",   "持续",   "场景", "机位",   "视角", "地拍",   "一段",   "的画面"};
  return k;
}
const std::vector<std::string>& ZhVerbs() {
  static const std::vector<std::string> k = {
      "奔跑", "行走", "走路", "散步", "跑步", "跳舞", "游泳", "飞翔", "飞过", "穿过", "走过",
      "跑过", "骑车", "骑着", "开车", "驾驶", "睡觉", "吃饭", "喝水", "唱歌", "弹琴", "弹奏",
      "演奏", "看书", "阅读", "写字", "打球", "踢球", "玩耍", "追逐", "攀爬", "说话", "聊天",
      "拥抱", "挥手", "微笑", "燃烧", "流淌", "落下", "升起", "降落", "盛开", "摇摆", "转身",
      "奔向", "冲向", "滑行", "滑雪", "冲浪", "做饭", "烹饪", "工作", "打字", "等待", "漂浮",
      "闪烁", "飞行", "行驶", "驶过", "飘落", "飘动", "眺望", "凝视", "坐着", "站着", "躺着",
      "趴着", "走向", "跑向", "飞向", "冒着", "冒出", "绽放", "开放", "飞舞", "下棋", "踢",
      "打开", "游过", "爬上", "跳起", "跳过", "倒入", "切菜", "吃着", "喝着", "玩",   "爬",
      "坐",   "站",   "躺",   "走",   "跑",   "跳",   "飞",   "游",   "吃",   "喝",   "看",
      "望",   "笑",   "哭",   "追",   "骑",   "抱",   "拿",   "举",   "扔",   "踢",   "写",
      "读",   "画",   "洗",   "切",   "开",   "唱",   "弹",   "睡",   "趴",   "飘",   "流",
      "落",   "燃",   "闪",   "啃",   "舔",   "咬"};
  return k;
}

// Nouns written with a verb's character (飞机, 车站): no verb inside them.
const std::vector<std::string>& ZhVerbLookalikes() {
  static const std::vector<std::string> k = {
      "飞机",   "飞鸟", "跑车", "开关", "看台",   "画家", "游客", "游艇", "落叶", "流星",
      "流水",   "笑容", "站台", "车站", "坐垫",   "水流", "河流", "读者", "开心", "画作",
      "写字楼", "飞船", "跑道", "游戏", "洗衣机", "切片", "举重", "花开", "开花"};
  return k;
}

bool InsideLookalike(const std::string& s, size_t at, size_t len) {
  for (const std::string& n : ZhVerbLookalikes()) {
    for (size_t b = s.find(n); b != std::string::npos; b = s.find(n, b + 1)) {
      if (b < at + len && at < b + n.size()) return true;
    }
  }
  return false;
}

// The first common verb at or after byte `from`; its length in *length.
size_t FindVerbZh(const std::string& s, size_t from, size_t* length) {
  size_t best = std::string::npos;
  for (const std::string& w : ZhVerbs()) {
    for (size_t at = s.find(w, from); at != std::string::npos; at = s.find(w, at + 1)) {
      if (InsideLookalike(s, at, w.size())) continue;
      if (at < best || (at == best && w.size() > *length)) {
        best = at;
        *length = w.size();
      }
      break;
    }
  }
  return best;
}

std::string TrimZh(std::string s) {
  // 着, 了 and 有 (there is) only lead: 有一只猫 -> 一只猫.
  static const std::vector<std::string> kEdge = {"的", "地", "和", "与", "并",
                                                 "且", "着", "了", "有"};
  bool changed = true;
  while (changed) {
    changed = false;
    for (const std::string& e : kEdge) {
      if (s.compare(0, e.size(), e) == 0) {
        s.erase(0, e.size());
        changed = true;
      }
      if (e != "着" && e != "了" && e != "有" && s.size() >= e.size() &&
          s.compare(s.size() - e.size(), e.size(), e) == 0) {
        s.erase(s.size() - e.size());
        changed = true;
      }
    }
  }
  return s;
}

// "屋顶上走" -> scene 屋顶上, action 走; no verb: all scene.
void SceneThenAction(const std::string& rest, SubjectParts* p) {
  size_t len = 0;
  const size_t verb = FindVerbZh(rest, 0, &len);
  if (verb == 0) {
    p->action = TrimZh(rest);
  } else if (verb != std::string::npos) {
    p->scene = TrimZh(rest.substr(0, verb));
    p->action = TrimZh(rest.substr(verb));
  } else {
    p->scene = TrimZh(rest);
  }
}

// The 在 that introduces a place (not 现在, 存在, 正在, 在于 ...), or npos.
size_t FindZai(const std::string& s) {
  static const std::vector<std::string> kBefore = {"现", "存", "实", "自", "所", "正", "好"};
  for (size_t at = s.find("在"); at != std::string::npos; at = s.find("在", at + 3)) {
    const bool word =
        at >= 3 && std::find(kBefore.begin(), kBefore.end(), s.substr(at - 3, 3)) != kBefore.end();
    if (!word && s.compare(at + 3, 3, "于") != 0) return at;
  }
  return std::string::npos;
}

SubjectParts ChineseParts(std::string_view clause) {
  std::string s;
  for (char c : clause) {
    if (c != ' ' && c != '\t' && c != kTakenOut) s += c;
  }
  for (const std::string& f : ZhFillers()) {
    for (size_t at = s.find(f); at != std::string::npos; at = s.find(f)) s.erase(at, f.size());
  }
  s = TrimZh(s);
  SubjectParts p;
  if (s.empty()) return p;
  if (const size_t progressive = s.find("正在"); progressive != std::string::npos) {
    p.subject = TrimZh(s.substr(0, progressive));
    SceneThenAction(s.substr(progressive + 6), &p);
    return p;
  }
  const size_t zai = FindZai(s);
  size_t len = 0;
  const size_t verb = FindVerbZh(s, 3, &len);
  if (zai != std::string::npos) {
    if (verb != std::string::npos && verb < zai) {  // 坐在屋顶上: the verb comes first
      p.subject = TrimZh(s.substr(0, verb));
      SceneThenAction(s.substr(zai + 3), &p);
      p.action = TrimZh(s.substr(verb, zai - verb)) + p.action;
    } else {
      p.subject = TrimZh(s.substr(0, zai));
      SceneThenAction(s.substr(zai + 3), &p);
    }
    return p;
  }
  if (verb != std::string::npos) {
    p.subject = TrimZh(s.substr(0, verb));
    p.action = TrimZh(s.substr(verb));
  } else {
    p.subject = s;
  }
  return p;
}

bool HasCjk(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return IsCjkLead(static_cast<unsigned char>(c)); });
}

// Clauses at punctuation; a clause with Chinese in it also at spaces, with runs of pure-ASCII
// pieces kept together (the English part of a mixed prompt).
std::vector<std::string> Clauses(std::string_view rest) {
  std::vector<std::string> raw(1);
  for (size_t i = 0; i < rest.size(); ++i) {
    if (const size_t mark = ClauseMarkAt(rest, i); mark > 0) {
      i += mark - 1;
      raw.emplace_back();
      continue;
    }
    raw.back() += rest[i];
  }
  std::vector<std::string> out;
  for (const std::string& c : raw) {
    if (!HasCjk(c)) {
      out.push_back(c);
      continue;
    }
    std::string ascii_run;
    size_t at = 0;
    while (at < c.size()) {
      const size_t start = c.find_first_not_of(' ', at);
      if (start == std::string::npos) break;
      size_t end = c.find(' ', start);
      if (end == std::string::npos) end = c.size();
      const std::string piece = c.substr(start, end - start);
      if (HasCjk(piece)) {
        if (!ascii_run.empty()) out.push_back(ascii_run);
        ascii_run.clear();
        out.push_back(piece);
      } else {
        ascii_run += ascii_run.empty() ? piece : " " + piece;
      }
      at = end;
    }
    if (!ascii_run.empty()) out.push_back(ascii_run);
  }
  return out;
}

bool IsPronoun(const std::string& s) {
  static const WordSet k = {"he", "she", "it", "they", "他", "她", "它", "他们", "她们"};
  return In(k, AsciiLower(s));
}

}  // namespace

SubjectParts FindSubjectParts(std::string_view rest) {
  std::vector<SubjectParts> parts;
  std::vector<bool> has_verb;
  for (const std::string& c : Clauses(rest)) {
    parts.push_back(HasCjk(c) ? ChineseParts(c) : EnglishParts(c));
    has_verb.push_back(!parts.back().action.empty());
  }
  size_t primary = parts.size();
  for (size_t i = 0; i < parts.size() && primary == parts.size(); ++i) {
    if (!parts[i].subject.empty() && has_verb[i] && !IsPronoun(parts[i].subject)) primary = i;
  }
  for (size_t i = 0; i < parts.size() && primary == parts.size(); ++i) {
    if (!parts[i].subject.empty() && !IsPronoun(parts[i].subject)) primary = i;
  }
  SubjectParts out;
  if (primary < parts.size()) out = parts[primary];
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i == primary) continue;
    const bool no_subject = parts[i].subject.empty() || IsPronoun(parts[i].subject);
    if (!no_subject) continue;
    if (out.action.empty() && (primary == parts.size() || i > primary)) {
      out.action = parts[i].action;
    }
    if (out.scene.empty()) out.scene = parts[i].scene;
  }
  return out;
}

}  // namespace clipdex
