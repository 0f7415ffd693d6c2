// The rule grammar (see curate/rule_grammar.h): a tokenizer and a recursive-descent parser that
// turn a rule's text into SQL over the catalog's wide view, with positions and suggestions in
// its errors.
#include "curate/rule_grammar.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "catalog/catalog.h"

namespace clipdex {
namespace {

std::string SqlString(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}
std::string SqlIdent(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    out += ch;
    if (ch == '"') out += '"';
  }
  return out + "\"";
}

// ---- Tokenizer -------------------------------------------------------------------------------

enum class Tok { kName, kNumber, kString, kOp, kLParen, kRParen, kComma, kKeyword, kEnd };
struct Token {
  Tok kind;
  std::string text;  // source text; keywords upper-cased; strings unquoted
  size_t pos;        // 0-based offset in the rule
  size_t end;
};

class ParseError {
 public:
  ParseError(std::string m, size_t p) : message(std::move(m)), pos(p) {}
  std::string message;
  size_t pos;
};

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> Tokenize(const std::string& s) {
  static const std::set<std::string> kKeywords = {"AND", "OR",   "NOT",  "IN",
                                                  "IS",  "NULL", "TRUE", "FALSE"};
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t start = i;
    if (IsNameStart(c)) {
      // Dotted names: segments joined by '.', each a plain identifier.
      while (true) {
        while (i < s.size() && IsNameChar(s[i])) ++i;
        if (i + 1 < s.size() && s[i] == '.' && IsNameStart(s[i + 1])) {
          ++i;
          continue;
        }
        break;
      }
      std::string word = s.substr(start, i - start);
      std::string upper = word;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (kKeywords.count(upper)) {
        out.push_back({Tok::kKeyword, upper, start, i});
      } else {
        out.push_back({Tok::kName, word, start, i});
      }
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
          i = j;
          while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        }
      }
      if (i < s.size() && IsNameChar(s[i])) throw ParseError("malformed number", start);
      out.push_back({Tok::kNumber, s.substr(start, i - start), start, i});
    } else if (c == '\'') {
      std::string text;
      ++i;
      while (true) {
        if (i >= s.size()) throw ParseError("unterminated string", start);
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            text += '\'';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        // SQLite reads statement text up to the first NUL: one inside a literal would cut the
        // compiled rule short and fail only when the catalog prepares it (found by fuzzing).
        if (s[i] == '\0') throw ParseError("NUL character in a string", i);
        text += s[i++];
      }
      out.push_back({Tok::kString, text, start, i});
    } else if (c == '"') {
      throw ParseError("double quotes are not strings here; write 'text'", start);
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({c == '('   ? Tok::kLParen
                     : c == ')' ? Tok::kRParen
                                : Tok::kComma,
                     std::string(1, c), start, ++i});
    } else {
      static const char* kOps[] = {"<=", ">=", "!=", "<>", "==", "=", "<", ">", "-"};
      bool matched = false;
      for (const char* op : kOps) {
        size_t n = std::char_traits<char>::length(op);
        if (s.compare(i, n, op) == 0) {
          if (std::string(op) == "-" && i + 1 < s.size() && s[i + 1] == '-') break;  // comment
          out.push_back({Tok::kOp, op, start, i + n});
          i += n;
          matched = true;
          break;
        }
      }
      if (!matched) throw ParseError(std::string("unexpected character '") + c + "'", start);
    }
  }
  out.push_back({Tok::kEnd, "", s.size(), s.size()});
  return out;
}

// Texts up to this many bytes are in the clip_attributes_label index (catalog migration 4).
constexpr size_t kShortText = 64;

// ---- Parser ----------------------------------------------------------------------------------

struct Expr {
  std::string sql;
  size_t begin = 0, end = 0;  // source span
  // Set for "name op literal" and "name [NOT] IN (...)", which get "value op literal" messages.
  std::optional<std::string> simple_name;
  std::string simple_op;   // the operator as the user wrote it ("IN", "NOT IN", ">=" ...)
  std::string simple_rhs;  // literal source text
  bool simple_rhs_literal = false;
  // For a literal operand: 'n' number, 's' string, '\0' other (TRUE/FALSE count as numbers).
  char literal_kind = '\0';
  // For "name op literal" / "name IN (literals)": the literals' SQL and kinds, in order.
  std::vector<std::string> rhs_sql;
  std::string rhs_kinds;
  // A parenthesised operand keeps what it encloses, and an AND chain its terms, so that the top
  // level can see through "(a AND b)": search wraps a user's --where in parentheses before adding
  // its own conditions, and each of a, b should still be a conjunct of its own (with its index
  // form). Only the top level looks: "(a = 1) = 0" is no simple comparison.
  std::shared_ptr<const Expr> parenthesised;
  std::vector<Expr> and_terms;
};

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

class Parser {
 public:
  Parser(const std::string& src, const std::set<std::string>& attributes,
         std::set<std::string>* used)
      : src_(src), toks_(Tokenize(src)), attributes_(attributes), used_(used) {}

  // Top level: the AND terms of the outermost expression, or the whole expression when it is an
  // OR (then its only "conjunct" is itself).
  std::vector<Expr> ParseTop() {
    std::vector<Expr> terms = {ParseNot()};
    while (IsKeyword("AND")) {
      ++i_;
      terms.push_back(ParseNot());
    }
    if (IsKeyword("OR")) {
      Expr whole = Join(terms, "AND");
      while (IsKeyword("OR")) {
        ++i_;
        Expr rhs = ParseAnd();
        whole = Join({whole, rhs}, "OR");
      }
      terms = {whole};
    }
    Expect(Tok::kEnd, "end of rule");
    std::vector<Expr> flat;
    for (const Expr& t : terms) Flatten(t, &flat);
    return flat;
  }

 private:
  const Token& Peek() const { return toks_[i_]; }
  bool IsKeyword(const char* kw) const { return Peek().kind == Tok::kKeyword && Peek().text == kw; }
  [[noreturn]] void Fail(const std::string& what) const {
    const Token& t = Peek();
    if (t.kind == Tok::kEnd) throw ParseError(what + ", found end of rule", t.pos);
    throw ParseError(what + ", found '" + src_.substr(t.pos, t.end - t.pos) + "'", t.pos);
  }
  void Expect(Tok kind, const char* what) {
    if (Peek().kind != kind) Fail(std::string("expected ") + what);
    ++i_;
  }

  // A top-level term as conjuncts: a parenthesised AND chain as its terms, a parenthesised
  // single condition as itself (AND is associative, parentheses around one condition change
  // nothing), anything else as it is.
  static void Flatten(const Expr& t, std::vector<Expr>* out) {
    if (!t.parenthesised) {
      out->push_back(t);
      return;
    }
    const Expr& inner = *t.parenthesised;
    if (inner.and_terms.empty()) {
      Flatten(inner, out);
      return;
    }
    for (const Expr& part : inner.and_terms) Flatten(part, out);
  }

  Expr Join(const std::vector<Expr>& parts, const char* op) {
    if (parts.size() == 1) return parts[0];
    Expr e;
    if (std::string_view(op) == "AND") e.and_terms = parts;
    e.begin = parts.front().begin;
    e.end = parts.back().end;
    for (size_t k = 0; k < parts.size(); ++k) {
      e.sql += (k ? std::string(" ") + op + " " : "") + "(" + parts[k].sql + ")";
    }
    return e;
  }

  Expr ParseOr() {
    std::vector<Expr> parts = {ParseAnd()};
    while (IsKeyword("OR")) {
      ++i_;
      parts.push_back(ParseAnd());
    }
    return Join(parts, "OR");
  }
  Expr ParseAnd() {
    std::vector<Expr> parts = {ParseNot()};
    while (IsKeyword("AND")) {
      ++i_;
      parts.push_back(ParseNot());
    }
    return Join(parts, "AND");
  }
  Expr ParseNot() {
    if (IsKeyword("NOT")) {
      size_t begin = Peek().pos;
      ++i_;
      Expr inner = ParseNot();
      Expr e;
      e.sql = "NOT (" + inner.sql + ")";
      e.begin = begin;
      e.end = inner.end;
      return e;
    }
    return ParseCmp();
  }

  Expr ParseCmp() {
    Expr lhs = ParseOperand();
    const Token& t = Peek();
    if (t.kind == Tok::kOp && t.text != "-") {
      std::string op = t.text;
      ++i_;
      if (Peek().kind == Tok::kEnd || Peek().kind == Tok::kRParen ||
          (Peek().kind == Tok::kKeyword && (Peek().text == "AND" || Peek().text == "OR"))) {
        throw ParseError("expected a value after '" + op + "'", Peek().pos);
      }
      Expr rhs = ParseOperand();
      std::string sql_op = op == "==" ? "=" : op == "<>" ? "!=" : op;
      Expr e;
      e.sql = lhs.sql + " " + sql_op + " " + rhs.sql;
      e.begin = lhs.begin;
      e.end = rhs.end;
      if (lhs.simple_name && rhs.simple_rhs_literal) {
        e.rhs_sql = {rhs.sql};
        e.rhs_kinds = std::string(1, rhs.literal_kind);
        e.simple_name = lhs.simple_name;
        e.simple_op = sql_op;
        e.simple_rhs = src_.substr(rhs.begin, rhs.end - rhs.begin);
      }
      return e;
    }
    bool negated = false;
    if (IsKeyword("NOT") && i_ + 1 < toks_.size() && toks_[i_ + 1].kind == Tok::kKeyword &&
        toks_[i_ + 1].text == "IN") {
      negated = true;
      ++i_;
    }
    if (IsKeyword("IN")) {
      ++i_;
      Expect(Tok::kLParen, "'(' after IN");
      std::vector<Expr> items = {ParseOperand()};
      bool all_literal = items[0].simple_rhs_literal;
      while (Peek().kind == Tok::kComma) {
        ++i_;
        items.push_back(ParseOperand());
        all_literal = all_literal && items.back().simple_rhs_literal;
      }
      size_t close = Peek().pos;
      Expect(Tok::kRParen, "',' or ')' in the IN list");
      Expr e;
      e.sql = lhs.sql + (negated ? " NOT IN (" : " IN (");
      for (size_t k = 0; k < items.size(); ++k) e.sql += (k ? ", " : "") + items[k].sql;
      e.sql += ")";
      e.begin = lhs.begin;
      e.end = close + 1;
      if (lhs.simple_name && all_literal) {
        for (const Expr& item : items) {
          e.rhs_sql.push_back(item.sql);
          e.rhs_kinds += item.literal_kind;
        }
        e.simple_name = lhs.simple_name;
        e.simple_op = negated ? "NOT IN" : "IN";
        size_t open = items.front().begin;
        while (open > 0 && src_[open] != '(') --open;
        e.simple_rhs = src_.substr(open, close + 1 - open);
      }
      return e;
    }
    if (negated) Fail("expected IN after NOT");
    if (IsKeyword("IS")) {
      ++i_;
      bool is_not = false;
      if (IsKeyword("NOT")) {
        is_not = true;
        ++i_;
      }
      if (!IsKeyword("NULL")) Fail("expected NULL after IS");
      Expr e;
      e.sql = lhs.sql + (is_not ? " IS NOT NULL" : " IS NULL");
      e.begin = lhs.begin;
      e.end = Peek().end;
      ++i_;
      return e;
    }
    return lhs;
  }

  Expr ParseOperand() {
    const Token t = Peek();
    Expr e;
    e.begin = t.pos;
    e.end = t.end;
    switch (t.kind) {
      case Tok::kName:
        ++i_;
        e.sql = ResolveName(t);
        e.simple_name = t.text;
        return e;
      case Tok::kNumber:
        ++i_;
        e.sql = t.text;
        e.simple_rhs_literal = true;
        e.literal_kind = 'n';
        return e;
      case Tok::kString:
        ++i_;
        e.sql = SqlString(t.text);
        e.simple_rhs_literal = true;
        e.literal_kind = t.text.size() <= kShortText ? 's' : '\0';
        return e;
      case Tok::kOp:
        if (t.text == "-" && toks_[i_ + 1].kind == Tok::kNumber) {
          e.sql = "-" + toks_[i_ + 1].text;
          e.end = toks_[i_ + 1].end;
          e.simple_rhs_literal = true;
          e.literal_kind = 'n';
          i_ += 2;
          return e;
        }
        Fail("expected a value");
      case Tok::kKeyword:
        if (t.text == "TRUE" || t.text == "FALSE" || t.text == "NULL") {
          ++i_;
          e.sql = t.text == "TRUE" ? "1" : t.text == "FALSE" ? "0" : "NULL";
          e.simple_rhs_literal = t.text != "NULL";
          e.literal_kind = t.text != "NULL" ? 'n' : '\0';
          return e;
        }
        Fail("expected a value");
      case Tok::kLParen: {
        ++i_;
        Expr inner = ParseOr();
        size_t close = Peek().end;
        Expect(Tok::kRParen, "')'");
        e.sql = "(" + inner.sql + ")";
        e.end = close;
        e.parenthesised = std::make_shared<const Expr>(std::move(inner));
        return e;
      }
      default:
        Fail("expected a value");
    }
  }

  std::string ResolveName(const Token& t) {
    for (const auto& name : Catalog::ClipFieldNames()) {
      if (name == t.text) return SqlIdent(name);
    }
    if (attributes_.count(t.text)) {
      used_->insert(t.text);
      return SqlIdent(t.text);
    }
    std::string best;
    size_t best_d = 4;  // suggest only close matches
    auto consider = [&](const std::string& cand) {
      size_t d = EditDistance(t.text, cand);
      if (d < best_d) {
        best_d = d;
        best = cand;
      }
    };
    for (const auto& a : attributes_) consider(a);
    for (const auto& f : Catalog::ClipFieldNames()) consider(f);
    std::string kind = t.text.find('.') != std::string::npos ? "attribute" : "name";
    throw ParseError("unknown " + kind + " '" + t.text + "'" + "\x01" +
                         (best.empty() ? "" : " (did you mean '" + best + "'?)"),
                     t.pos);
  }

  const std::string& src_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  const std::set<std::string>& attributes_;
  std::set<std::string>* used_;
};

std::string NegatedOp(const std::string& op) {
  static const std::map<std::string, std::string> kNeg = {
      {"=", "!="}, {"!=", "="}, {"<", ">="},      {"<=", ">"},
      {">", "<="}, {">=", "<"}, {"IN", "NOT IN"}, {"NOT IN", "IN"}};
  return kNeg.at(op);
}

// Names a conjunct references, in order, for the generic failure message.
std::vector<std::string> NamesIn(const std::string& text) {
  std::vector<std::string> names;
  try {
    for (const Token& t : Tokenize(text)) {
      if (t.kind == Tok::kName && std::find(names.begin(), names.end(), t.text) == names.end()) {
        names.push_back(t.text);
      }
    }
  } catch (const ParseError&) {
  }
  return names;
}

// A value as messages show it: reals with 6 significant digits (0.2, not 0.20000000000000018),
// text quoted, so 'pan' and pan the number can't be confused.
std::string ValueSql(const std::string& col) {
  return "CASE WHEN typeof(" + col + ") = 'real' THEN printf('%.6g', " + col + ") ELSE quote(" +
         col + ") END";
}

std::string MessageSql(const Expr& e, const std::string& text) {
  // A bare name ("too_short", "is_image AND ...") is a simple operand with no operator to negate:
  // it takes the generic message (NegatedOp("") threw out of CompileRule; found by fuzzing).
  if (e.simple_name && !e.simple_op.empty()) {
    const std::string col = SqlIdent(*e.simple_name);
    return "CASE WHEN " + col + " IS NULL THEN " +
           SqlString(*e.simple_name + " is missing (rule: " + text + ")") + " ELSE " +
           SqlString(*e.simple_name + " ") + " || " + ValueSql(col) + " || " +
           SqlString(" " + NegatedOp(e.simple_op) + " " + e.simple_rhs) + " END";
  }
  std::string sql = SqlString(text + " is not true");
  std::vector<std::string> names = NamesIn(text);
  for (size_t k = 0; k < names.size(); ++k) {
    sql += " || " + SqlString((k ? ", " : " (") + names[k] + "=") + " || COALESCE(" +
           ValueSql(SqlIdent(names[k])) + ", 'missing')";
  }
  if (!names.empty()) sql += " || ')'";
  return sql;
}

// The index-driven form of a top-level conjunct "attribute op literal(s)" (RuleConjunct::
// index_sql, over clip_attr_wide aliased w), or "" when there is none. At the top level of a rule,
// "value op literal" is true exactly for the clips whose attribute row satisfies it, so the clip
// set can come from the attribute indexes instead of a lookup per clip (migration 4's
// clip_attributes_label index holds short texts; clip_attributes_name the numbers). The value is
// COALESCE(num, text):
//   number literal, op = < <=: only a numeric value can satisfy it (text sorts above numbers);
//   number literal, op > >=:   numeric values that satisfy it, plus every text value;
//   short string literals, = or IN: only text values of at most kShortText bytes can be equal.
// Anything else (!=, NOT IN, long or mixed literals, clip fields) keeps the per-clip form.
// IndexSelect returns the SELECT of the clip ids alone (RuleConjunct::index_select).
std::string IndexSelect(const Expr& e, const std::set<std::string>& attributes) {
  if (!e.simple_name || !attributes.count(*e.simple_name) || e.rhs_sql.empty()) return "";
  const std::string name = SqlString(*e.simple_name);
  const std::string& op = e.simple_op;
  const std::string head = "SELECT clip_id FROM clip_attributes WHERE name = " + name;
  if (e.rhs_kinds == "n" && (op == "=" || op == "<" || op == "<=")) {
    return head + " AND num " + op + " " + e.rhs_sql[0];
  }
  if (e.rhs_kinds == "n" && (op == ">" || op == ">=")) {
    return head + " AND num " + op + " " + e.rhs_sql[0] + " UNION ALL SELECT clip_id FROM " +
           "clip_attributes WHERE name = " + name + " AND num IS NULL AND text IS NOT NULL";
  }
  const bool strings = e.rhs_kinds.find_first_not_of('s') == std::string::npos;
  if (strings && (op == "=" || op == "IN")) {
    std::string list;
    for (const std::string& v : e.rhs_sql) list += (list.empty() ? "" : ", ") + v;
    return head + " AND num IS NULL AND length(text) <= " + std::to_string(kShortText) +
           " AND text IN (" + list + ")";
  }
  return "";
}

}  // namespace

Result<CompiledRule> CompileRule(const std::string& tier, const std::string& when,
                                 const std::set<std::string>& attributes) {
  CompiledRule rule;
  rule.tier = tier;
  rule.when = when;
  try {
    Parser parser(when, attributes, &rule.attributes);
    std::vector<Expr> terms = parser.ParseTop();
    for (const Expr& t : terms) {
      RuleConjunct c;
      c.text = when.substr(t.begin, t.end - t.begin);
      c.sql = t.sql;
      c.message_sql = MessageSql(t, c.text);
      c.index_select = IndexSelect(t, attributes);
      if (!c.index_select.empty()) c.index_sql = "w.clip_id IN (" + c.index_select + ")";
      rule.conjuncts.push_back(std::move(c));
    }
    for (size_t k = 0; k < terms.size(); ++k) {
      rule.sql += (k ? " AND " : "") + std::string("(") + terms[k].sql + ")";
    }
  } catch (const ParseError& e) {
    // "\x01" marks where the position goes so a suggestion can follow it.
    std::string msg = e.message;
    std::string at = " at " + std::to_string(e.pos + 1);
    size_t mark = msg.find('\x01');
    if (mark != std::string::npos) {
      msg.replace(mark, 1, at);
    } else {
      msg += at;
    }
    return Status::Error(tier.empty() ? msg : "tier '" + tier + "': " + msg);
  }
  return rule;
}

}  // namespace clipdex
