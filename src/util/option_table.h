// Declared options of a component (an analyzer, a catalog pass), in the manner of libavfilter's
// per-filter AVOption tables: the component owns the list of names, types, defaults and docs, and
// one resolver checks a user's settings (a recipe's scalar text) against it. Nothing else has to
// know which options exist, so adding one is a row in the owner's table.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

enum class OptionType { kBool, kInt, kDouble, kString };

struct OptionDecl {
  std::string name;  // recipe key, e.g. "sample_fps"
  OptionType type = OptionType::kString;
  std::string default_value;  // scalar text as a recipe would write it; parses as `type`
  std::string doc;            // one line: meaning, unit
  // Accepted range of an int or number option, inclusive.
  double min = -1e300, max = 1e300;
};

// "bool", "int", "number", "text".
const char* OptionTypeName(OptionType type);

// Resolved values of one component's options: every declared option has a value (the user's or
// the default), already checked against its type, so the getters cannot fail on a declared name.
class OptionValues {
 public:
  OptionValues() = default;
  bool GetBool(const std::string& name) const;
  long GetInt(const std::string& name) const;
  double GetDouble(const std::string& name) const;
  const std::string& GetString(const std::string& name) const;
  const std::map<std::string, std::string>& text() const { return values_; }

 private:
  friend Result<OptionValues> ResolveOptions(const std::vector<OptionDecl>&,
                                             const std::map<std::string, std::string>&,
                                             const std::string&);
  std::map<std::string, std::string> values_;
};

// Checks `given` (name -> scalar text) against `decls` and fills in defaults. `owner` names the
// component in errors ("analyzer 'camera'"):
//   "analyzer 'camera' has no parameter 'step' (parameters: sample_fps)"
//   "analyzer 'camera' has no parameter 'step' (it takes none)"
//   "analyzer 'camera': parameter 'sample_fps' must be a number (pairs per second ...), got 'x'"
//   "analyzer 'camera': parameter 'sample_fps' must be in [0.1, 30], got '0'"
Result<OptionValues> ResolveOptions(const std::vector<OptionDecl>& decls,
                                    const std::map<std::string, std::string>& given,
                                    const std::string& owner);

}  // namespace clipdex
