#include "curate/tier_rules.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "curate/catalog_pass.h"

namespace clipdex {
namespace {

// Clip fields: rule name -> SQL over clips c JOIN videos v. fps is NULL for unknown rates rather
// than a division by zero.
const std::vector<std::pair<std::string, std::string>>& ClipFields() {
  static const std::vector<std::pair<std::string, std::string>> kFields = {
      {"duration", "c.duration"},
      {"start_time", "c.start_time"},
      {"end_time", "c.end_time"},
      {"first_frame", "c.first_frame"},
      {"last_frame", "c.last_frame"},
      {"frame_count", "c.last_frame - c.first_frame + 1"},
      {"clip_index", "c.idx"},
      {"too_short", "c.too_short"},
      {"split_part", "c.split_part"},
      {"transition_in", "c.transition_in"},
      {"transition_out", "c.transition_out"},
      {"width", "v.width"},
      {"height", "v.height"},
      {"fps", "CASE WHEN v.fps_den > 0 AND v.fps_num > 0 THEN 1.0 * v.fps_num / v.fps_den END"},
      {"codec", "v.codec"},
      {"is_vfr", "v.is_vfr"},
      {"interlaced", "v.interlaced"},
      {"video_duration", "v.duration"},
      // Stills come through libavformat's image demuxers (media/probe.h IsImageContainer).
      {"is_image", "(v.container LIKE '%_pipe' OR v.container LIKE 'image2%')"},
  };
  return kFields;
}

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

// ---- Parser ----------------------------------------------------------------------------------

struct Expr {
  std::string sql;
  size_t begin = 0, end = 0;  // source span
  // Set for "name op literal" and "name [NOT] IN (...)", which get "value op literal" messages.
  std::optional<std::string> simple_name;
  std::string simple_op;   // the operator as the user wrote it ("IN", "NOT IN", ">=" ...)
  std::string simple_rhs;  // literal source text
  bool simple_rhs_literal = false;
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
    return terms;
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

  Expr Join(const std::vector<Expr>& parts, const char* op) {
    if (parts.size() == 1) return parts[0];
    Expr e;
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
        return e;
      case Tok::kString:
        ++i_;
        e.sql = SqlString(t.text);
        e.simple_rhs_literal = true;
        return e;
      case Tok::kOp:
        if (t.text == "-" && toks_[i_ + 1].kind == Tok::kNumber) {
          e.sql = "-" + toks_[i_ + 1].text;
          e.end = toks_[i_ + 1].end;
          e.simple_rhs_literal = true;
          i_ += 2;
          return e;
        }
        Fail("expected a value");
      case Tok::kKeyword:
        if (t.text == "TRUE" || t.text == "FALSE" || t.text == "NULL") {
          ++i_;
          e.sql = t.text == "TRUE" ? "1" : t.text == "FALSE" ? "0" : "NULL";
          e.simple_rhs_literal = t.text != "NULL";
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
        return e;
      }
      default:
        Fail("expected a value");
    }
  }

  std::string ResolveName(const Token& t) {
    for (const auto& [name, sql] : ClipFields()) {
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
    for (const auto& f : ClipFields()) consider(f.first);
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
  if (e.simple_name) {
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

// ---- SQLite helpers --------------------------------------------------------------------------

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Result<StmtPtr> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return Status::Error(sqlite3_errmsg(db));
  return stmt;
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc != SQLITE_OK) return Status::Error(err ? err : sqlite3_errstr(rc));
  return Status::Ok();
}

std::string ColText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

struct AuthContext {
  std::string insert_table;
};

int Authorize(void* ctx, int action, const char* a1, const char* /*a2*/, const char* /*db*/,
              const char* /*trigger*/) {
  const auto* auth = static_cast<const AuthContext*>(ctx);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
      return SQLITE_OK;
    case SQLITE_INSERT:
      return !auth->insert_table.empty() && a1 && auth->insert_table == a1 ? SQLITE_OK
                                                                           : SQLITE_DENY;
    default:
      return SQLITE_DENY;
  }
}

// Prepares with the authorizer installed; the authorizer is removed again on every path so the
// catalog's own writes are unaffected.
Result<StmtPtr> PrepareGuarded(sqlite3* db, const std::string& sql,
                               const std::string& insert_table) {
  AuthContext ctx{insert_table};
  sqlite3_set_authorizer(db, &Authorize, &ctx);
  const char* tail = nullptr;
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  StmtPtr stmt(raw);
  std::string err = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_set_authorizer(db, nullptr, nullptr);
  if (rc != SQLITE_OK) return Status::Error(err);
  // A second statement after ';' would run unguarded if anyone stepped through the tail.
  while (tail && *tail && std::isspace(static_cast<unsigned char>(*tail))) ++tail;
  if (tail && *tail) return Status::Error("more than one SQL statement");
  return stmt;
}

std::string ViewSql(const std::set<std::string>& attributes) {
  std::string sql = "CREATE TEMP VIEW clip_attr_wide AS SELECT c.id AS clip_id";
  for (const auto& [name, expr] : ClipFields()) sql += ", " + expr + " AS " + SqlIdent(name);
  for (const auto& a : attributes) sql += ", a." + SqlIdent(a) + " AS " + SqlIdent(a);
  sql += " FROM clips c JOIN videos v ON v.id = c.video_id";
  if (!attributes.empty()) {
    // Pivot only what the rules reference: the (clip_id, name) primary key keeps rows grouped by
    // clip, so the GROUP BY streams without a sort.
    std::string cols, names;
    for (const auto& a : attributes) {
      cols += ", MAX(CASE WHEN name = " + SqlString(a) + " THEN COALESCE(num, text) END) AS " +
              SqlIdent(a);
      names += (names.empty() ? "" : ", ") + SqlString(a);
    }
    sql += " LEFT JOIN (SELECT clip_id" + cols + " FROM clip_attributes WHERE name IN (" + names +
           ") GROUP BY clip_id) a ON a.clip_id = c.id";
  }
  return sql;
}

Result<std::set<std::string>> KnownAttributes(sqlite3* db) {
  std::set<std::string> names = DocumentedAttributeNames();
  auto stmt = Prepare(db, "SELECT DISTINCT name FROM clip_attributes");
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) names.insert(ColText(stmt->get(), 0));
  if (rc != SQLITE_DONE) return Status::Error(sqlite3_errmsg(db));
  return names;
}

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::vector<std::string> ClipFieldNames() {
  std::vector<std::string> out;
  for (const auto& f : ClipFields()) out.push_back(f.first);
  return out;
}

const std::set<std::string>& DocumentedAttributeNames() {
  // Declared by the analyzers and catalog passes themselves (curate/catalog_pass.h).
  return DeclaredAttributeNames();
}

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

Status CheckReadOnly(sqlite3* db, const std::string& sql, const std::string& insert_table) {
  auto stmt = PrepareGuarded(db, sql, insert_table);
  return stmt.ok() ? Status::Ok() : stmt.status();
}

Status ValidateRecipeRules(const Recipe& recipe) {
  for (const TierRule& t : recipe.tiers) {
    auto r = CompileRule(t.name, t.when, DocumentedAttributeNames());
    if (!r.ok()) return Status::Error("recipe '" + recipe.name + "': " + r.status().message());
  }
  return Status::Ok();
}

Result<std::set<std::string>> KnownAttributeNames(sqlite3* db) { return KnownAttributes(db); }

std::string ClipAttrWideViewSql(const std::set<std::string>& attributes) {
  return ViewSql(attributes);
}

Status RunReadOnly(sqlite3* db, const std::string& sql, const std::string& insert_table) {
  auto stmt = PrepareGuarded(db, sql, insert_table);
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return Status::Error(sqlite3_errmsg(db));
  return Status::Ok();
}

Result<TierResult> AssignTiers(Catalog& catalog, const Recipe& recipe) {
  const auto t0 = std::chrono::steady_clock::now();
  sqlite3* db = catalog.db();
  auto known = KnownAttributes(db);
  if (!known.ok()) return Status::Error("tier: " + known.status().message());
  std::vector<CompiledRule> rules;
  std::set<std::string> used;
  for (const auto& t : recipe.tiers) {
    auto r = CompileRule(t.name, t.when, known.value());
    if (!r.ok()) return r.status();
    used.insert(r->attributes.begin(), r->attributes.end());
    rules.push_back(std::move(r.value()));
  }

  // One statement does the whole job. The MATERIALIZED CTE evaluates the first-match CASE once
  // per clip (a flattened subquery would repeat it for every reference to k).
  const size_t n = rules.size();
  std::string k_sql = "CASE";
  for (size_t i = 0; i < n; ++i) k_sql += " WHEN (" + rules[i].sql + ") THEN " + std::to_string(i);
  k_sql += " ELSE " + std::to_string(n) + " END";
  if (n == 0) k_sql = "0";
  std::string tier_sql = "CASE k", rule_sql = "CASE k", missed_sql = "'{' || substr(''";
  for (size_t i = 0; i < n; ++i) {
    tier_sql += " WHEN " + std::to_string(i) + " THEN " + SqlString(rules[i].tier);
    rule_sql += " WHEN " + std::to_string(i) + " THEN " + SqlString(rules[i].when);
    // Failed conjuncts as a JSON array: ',' || NULL is NULL, so passing conjuncts drop out.
    std::string arr = "'[' || substr(''";
    for (const auto& c : rules[i].conjuncts) {
      arr += " || COALESCE(',' || CASE WHEN (" + c.sql + ") THEN NULL ELSE json_quote(" +
             c.message_sql + ") END, '')";
    }
    arr += ", 2) || ']'";
    missed_sql += " || COALESCE(CASE WHEN k > " + std::to_string(i) + " THEN " +
                  SqlString("," + nlohmann::json(rules[i].tier).dump() + ":") + " || " + arr +
                  " END, '')";
  }
  tier_sql += " ELSE " + SqlString(recipe.default_tier) + " END";
  rule_sql += " ELSE '' END";
  missed_sql += ", 2) || '}'";
  if (n == 0) {
    tier_sql = SqlString(recipe.default_tier);
    rule_sql = "''";
    missed_sql = "'{}'";
  }
  const std::string insert_sql =
      "WITH t AS MATERIALIZED (SELECT w.*, " + k_sql +
      " AS k FROM clip_attr_wide w) INSERT INTO clip_tiers (clip_id, tier, rule, missed, recipe) "
      "SELECT clip_id, " +
      tier_sql + ", " + rule_sql + ", " + missed_sql + ", " + SqlString(recipe.name) + " FROM t";

  if (Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return Status::Error("tier: " + s.message());
  auto fail = [db](const std::string& msg) -> Status {
    Exec(db, "ROLLBACK");
    return Status::Error(msg);
  };
  if (Status s = Exec(db, "DROP VIEW IF EXISTS temp.clip_attr_wide; " + ViewSql(used)); !s.ok()) {
    return fail("tier: cannot build clip_attr_wide: " + s.message());
  }
  // Each rule alone under the read-only authorizer: errors name the rule, and nothing in a rule
  // can write even if the grammar above were ever loosened.
  for (const auto& r : rules) {
    if (Status s = CheckReadOnly(db, "SELECT " + r.sql + " FROM clip_attr_wide"); !s.ok()) {
      return fail("tier '" + r.tier + "': " + s.message());
    }
  }
  if (Status s = Exec(db, "DELETE FROM clip_tiers"); !s.ok()) return fail("tier: " + s.message());
  {
    auto stmt = PrepareGuarded(db, insert_sql, "clip_tiers");
    if (!stmt.ok()) return fail("tier: " + stmt.status().message());
    if (sqlite3_step(stmt->get()) != SQLITE_DONE)
      return fail("tier: " + std::string(sqlite3_errmsg(db)));
  }
  TierResult result;
  {
    std::map<std::string, TierCount> by_tier;
    auto stmt = Prepare(db,
                        "SELECT t.tier, COUNT(*), TOTAL(c.duration) FROM clip_tiers t "
                        "JOIN clips c ON c.id = t.clip_id GROUP BY t.tier");
    if (!stmt.ok()) return fail("tier: " + stmt.status().message());
    while (sqlite3_step(stmt->get()) == SQLITE_ROW) {
      TierCount tc{ColText(stmt->get(), 0), static_cast<long>(sqlite3_column_int64(stmt->get(), 1)),
                   sqlite3_column_double(stmt->get(), 2) / 3600.0};
      by_tier[tc.tier] = tc;
    }
    for (const auto& r : rules) result.counts.push_back({r.tier, 0, 0});
    result.counts.push_back({recipe.default_tier, 0, 0});
    for (auto& c : result.counts) {
      if (auto it = by_tier.find(c.tier); it != by_tier.end()) c = it->second;
      result.clips += c.clips;
    }
  }
  if (Status s = Exec(db, "DROP VIEW IF EXISTS temp.clip_attr_wide; COMMIT"); !s.ok()) {
    return fail("tier: " + s.message());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

Result<ClipExplanation> ExplainClip(Catalog& catalog, const std::string& clip) {
  sqlite3* db = catalog.db();
  const std::string select =
      "SELECT c.id, v.path, v.fingerprint, c.idx, c.start_time, c.end_time, c.too_short, "
      "c.split_part, c.transition_in, c.transition_out, t.tier, t.rule, t.missed, t.recipe "
      "FROM clips c JOIN videos v ON v.id = c.video_id LEFT JOIN clip_tiers t ON t.clip_id = c.id ";
  StmtPtr stmt;
  bool all_digits = !clip.empty() && std::all_of(clip.begin(), clip.end(), [](char ch) {
    return std::isdigit(static_cast<unsigned char>(ch));
  });
  if (all_digits) {
    auto s = Prepare(db, select + "WHERE c.id = ?1");
    if (!s.ok()) return Status::Error("explain: " + s.status().message());
    stmt = std::move(s.value());
    sqlite3_bind_int64(stmt.get(), 1, std::stoll(clip));
  } else {
    size_t hash = clip.rfind('#');
    if (hash == std::string::npos || hash + 1 == clip.size() ||
        !std::all_of(clip.begin() + static_cast<long>(hash) + 1, clip.end(),
                     [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
      return Status::Error("explain: clip '" + clip +
                           "' is neither a clip id nor <video path or fingerprint>#<clip index>");
    }
    std::string video = clip.substr(0, hash);
    std::error_code ec;
    std::string abs = std::filesystem::weakly_canonical(video, ec).string();
    auto s = Prepare(db, select +
                             "WHERE (v.fingerprint = ?1 OR v.path = ?1 OR v.path = ?2) "
                             "AND c.idx = ?3");
    if (!s.ok()) return Status::Error("explain: " + s.status().message());
    stmt = std::move(s.value());
    sqlite3_bind_text(stmt.get(), 1, video.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt.get(), 2, ec ? video.c_str() : abs.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt.get(), 3, std::stoll(clip.substr(hash + 1)));
  }
  sqlite3_stmt* s = stmt.get();
  if (sqlite3_step(s) != SQLITE_ROW) return Status::Error("explain: no clip '" + clip + "'");
  ClipExplanation e;
  e.clip_id = sqlite3_column_int64(s, 0);
  e.video_path = ColText(s, 1);
  e.fingerprint = ColText(s, 2);
  e.index = sqlite3_column_int(s, 3);
  e.start_time = sqlite3_column_double(s, 4);
  e.end_time = sqlite3_column_double(s, 5);
  e.too_short = sqlite3_column_int(s, 6) != 0;
  e.split_part = sqlite3_column_int(s, 7);
  e.transition_in = ColText(s, 8);
  e.transition_out = ColText(s, 9);
  e.tiered = sqlite3_column_type(s, 10) != SQLITE_NULL;
  if (e.tiered) {
    e.tier = ColText(s, 10);
    e.rule = ColText(s, 11);
    e.recipe = ColText(s, 13);
    auto missed =
        nlohmann::ordered_json::parse(ColText(s, 12), nullptr, /*allow_exceptions=*/false);
    if (missed.is_object()) {
      for (const auto& [tier, list] : missed.items()) {
        std::vector<std::string> failed;
        for (const auto& m : list) {
          if (m.is_string()) failed.push_back(m.get<std::string>());
        }
        e.missed.emplace_back(tier, std::move(failed));
      }
    }
  }
  auto attrs =
      Prepare(db, "SELECT name, num, text FROM clip_attributes WHERE clip_id = ?1 ORDER BY name");
  if (!attrs.ok()) return Status::Error("explain: " + attrs.status().message());
  sqlite3_bind_int64(attrs->get(), 1, e.clip_id);
  while (sqlite3_step(attrs->get()) == SQLITE_ROW) {
    std::string value = sqlite3_column_type(attrs->get(), 1) != SQLITE_NULL
                            ? FormatNumber(sqlite3_column_double(attrs->get(), 1))
                            : ColText(attrs->get(), 2);
    e.attributes.emplace_back(ColText(attrs->get(), 0), std::move(value));
  }
  return e;
}

std::string FormatExplanation(const ClipExplanation& e) {
  char buf[256];
  std::string out;
  out += "clip        " + std::to_string(e.clip_id) + "  " + e.video_path + "#" +
         std::to_string(e.index) + "\n";
  std::snprintf(buf, sizeof buf, "time        %.3f-%.3f s (duration %.3f s)%s%s\n", e.start_time,
                e.end_time, e.end_time - e.start_time, e.too_short ? ", too_short" : "",
                e.split_part > 0 ? (", split part " + std::to_string(e.split_part)).c_str() : "");
  out += buf;
  out += "fingerprint " + e.fingerprint + "\n";
  if (!e.tiered) {
    out += "tier        (not tiered yet: run `clipdex tier DATASET`)\n";
  } else {
    out += "tier        " + e.tier + "\n";
    out += "rule        " +
           (e.rule.empty() ? std::string("(default tier: no rule matched)") : e.rule) + "\n";
    out += "recipe      " + e.recipe + "\n";
    if (e.missed.empty()) out += "missed      (none: placed by the first tier)\n";
    for (const auto& [tier, failed] : e.missed) {
      out += "missed      " + tier + ":\n";
      for (const auto& f : failed) out += "              - " + f + "\n";
    }
  }
  out += "attributes  " + std::string(e.attributes.empty() ? "(none)" : "") + "\n";
  size_t width = 0;
  for (const auto& a : e.attributes) width = std::max(width, a.first.size());
  for (const auto& [name, value] : e.attributes) {
    out += "  " + name + std::string(width - name.size() + 2, ' ') + value + "\n";
  }
  return out;
}

}  // namespace clipdex
