#include "generate/prompt_quantities.h"

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "caption/film_vocabulary.h"

namespace clipdex {

namespace {

// Chinese numerals up to 99 (一, 十五, 二十, 三十五, 两) and 半 (a half); nullopt otherwise.
std::optional<double> ChineseNumber(const std::string& s) {
  static const std::map<std::string, int> kDigits = {{"零", 0}, {"一", 1}, {"二", 2}, {"两", 2},
                                                     {"三", 3}, {"四", 4}, {"五", 5}, {"六", 6},
                                                     {"七", 7}, {"八", 8}, {"九", 9}};
  if (s == "半") return 0.5;
  std::vector<std::string> chars;
  for (size_t i = 0; i + 3 <= s.size(); i += 3) chars.push_back(s.substr(i, 3));
  double value = 0, digit = 0;
  bool any = false;
  for (const std::string& c : chars) {
    if (c == "十") {
      value += (any && digit > 0 ? digit : 1) * 10;
      digit = 0;
    } else if (auto d = kDigits.find(c); d != kDigits.end()) {
      digit = d->second;
    } else {
      return std::nullopt;
    }
    any = true;
  }
  return value + digit;
}

double EnglishNumber(const std::string& s) {
  static const std::map<std::string, double> kWords = {
      {"one", 1},     {"two", 2},         {"three", 3},    {"four", 4},    {"five", 5},
      {"six", 6},     {"seven", 7},       {"eight", 8},    {"nine", 9},    {"ten", 10},
      {"eleven", 11}, {"twelve", 12},     {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},
      {"forty", 40},  {"forty-five", 45}, {"sixty", 60},   {"ninety", 90}, {"half a", 0.5}};
  if (auto w = kWords.find(s); w != kWords.end()) return w->second;
  return std::stod(s);
}

const char* kZhNumeral = "(?:零|一|二|两|三|四|五|六|七|八|九|十|半)+";

// The measure words and nouns of "两个女孩" / "三名学生".
const std::regex& ZhPeopleRegex() {
  static const std::regex kRe(std::string("([0-9]+|") + kZhNumeral +
                              ")(?:个|名|位)(?:人|男人|女人|男孩|女孩|孩子|小孩|老人|学生|女子|"
                              "男子|年轻人|舞者|士兵|工人|朋友|少女|少年|姑娘|小伙子|男生|女生|"
                              "演员|运动员|宇航员|厨师|警察|医生|游客|行人|骑手)");
  return kRe;
}

// People nouns the film vocabulary does not count ("a chef", "three dancers", "a couple"),
// after "a", "an" or a number, at most one word between.
const std::regex& EnPeopleRegex() {
  static const std::regex kRe(
      "(?:^|[^a-z0-9])(a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]+) "
      "(?:[a-z'-]+ )?(chefs?|cooks?|dancers?|friends?|players?|students?|workers?|soldiers?|"
      "tourists?|musicians?|athletes?|runners?|surfers?|cyclists?|riders?|skateboarders?|"
      "astronauts?|doctors?|nurses?|teachers?|farmers?|officers?|pilots?|drivers?|singers?|"
      "actors?|actress|actresses|babies|baby|teenagers?|adults?|ladies|lady|guys?|gentlemen|"
      "gentleman|hikers?|climbers?|swimmers?|fishermen|fisherman|police officers?|couples?)"
      "(?:[^a-z]|$)");
  return kRe;
}

std::optional<int> EnglishCount(const std::string& part) {
  static const std::map<std::string, int> kNumbers = {
      {"a", 1},    {"an", 1},  {"one", 1},   {"two", 2},   {"three", 3}, {"four", 4},
      {"five", 5}, {"six", 6}, {"seven", 7}, {"eight", 8}, {"nine", 9},  {"ten", 10}};
  std::smatch m;
  if (std::regex_search(part, m, EnPeopleRegex())) {
    const std::string num = m[1].str();
    const auto n = kNumbers.find(num);
    const int count = n != kNumbers.end() ? n->second : std::stoi(num);
    return m[2].str().rfind("couple", 0) == 0 ? 2 * count : count;
  }
  static const std::regex kSomeone("(?:^|[^a-z])(someone|somebody)(?:[^a-z]|$)");
  if (std::regex_search(part, kSomeone)) return 1;
  return std::nullopt;
}

std::optional<int> CountInPart(const std::string& part) {
  if (auto n = FindCameraClaims(part).people) return n;
  if (auto n = EnglishCount(part)) return n;
  static const std::regex kPairs("一对(?:情侣|夫妇|夫妻|恋人|父子|母女|母子|父女|新人|舞者)");
  if (std::regex_search(part, kPairs)) return 2;
  std::smatch m;
  if (std::regex_search(part, m, ZhPeopleRegex())) {
    const std::string num = m[1].str();
    const auto v =
        num[0] >= '0' && num[0] <= '9' ? std::optional<double>(std::stod(num)) : ChineseNumber(num);
    if (v && *v >= 1) return static_cast<int>(*v);
  }
  return std::nullopt;
}

}  // namespace

std::optional<DurationFind> FindDuration(std::string_view lower_view) {
  static const std::regex kEn(
      "(^|[^a-z0-9.])((?:[0-9]+(?:\\.[0-9]+)?)|one|two|three|four|five|six|seven|eight|nine|ten|"
      "eleven|twelve|fifteen|twenty|thirty|forty-five|forty|sixty|ninety|half a)[ -]?"
      "(seconds|second|secs|sec|s|minutes|minute|mins|min)(?![a-z])");
  static const std::regex kZh(std::string("([0-9]+(?:\\.[0-9]+)?|") + kZhNumeral +
                              ")\\s*(秒钟|秒|分钟)");
  const std::string lower(lower_view);
  std::optional<DurationFind> best;
  std::smatch m;
  if (std::regex_search(lower, m, kEn)) {
    const std::string num = m[2].str(), unit = m[3].str();
    const bool digits = num[0] >= '0' && num[0] <= '9';
    // A bare "s" after a whole number of 60 or more is a decade ("the 80s"), not seconds.
    const bool decade =
        unit == "s" && (!digits || (num.find('.') == std::string::npos && std::stod(num) >= 60));
    if (!decade) {
      double v = EnglishNumber(num);
      if (unit[0] == 'm') v *= 60;
      const size_t begin = static_cast<size_t>(m.position(2));
      best = DurationFind{v, {begin, static_cast<size_t>(m.position(0) + m.length(0))}};
    }
  }
  if (std::regex_search(lower, m, kZh)) {
    const std::string num = m[1].str();
    std::optional<double> v =
        num[0] >= '0' && num[0] <= '9' ? std::optional<double>(std::stod(num)) : ChineseNumber(num);
    const size_t begin = static_cast<size_t>(m.position(0));
    if (v && (!best || begin < best->span.begin)) {
      if (m[2].str() == "分钟") *v *= 60;
      best = DurationFind{*v, {begin, begin + static_cast<size_t>(m.length(0))}};
    }
  }
  if (best && (best->seconds <= 0 || best->seconds > 3600)) return std::nullopt;
  return best;
}

std::optional<int> CountPeople(std::string_view text) {
  static const std::regex kJoins(" and | with |,|;|&|，|和|与|、|跟|以及|；");
  const std::string s = AsciiLower(text);
  std::optional<int> total;
  for (std::sregex_token_iterator it(s.begin(), s.end(), kJoins, -1), end; it != end; ++it) {
    if (auto n = CountInPart(it->str())) total = total.value_or(0) + *n;
  }
  return total;
}

}  // namespace clipdex
