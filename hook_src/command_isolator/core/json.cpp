#include "json.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>

namespace command_isolator {
namespace json {

namespace {

const int kMaxDepth = 64;

class Parser
{
public:
  explicit Parser(const std::string& text) : s_(text) {}

  std::string run(Value* value)
  {
    skip();
    if (!parse_value(value, 0)) return error_;
    skip();
    if (i_ != s_.size()) return fail("unexpected data after the JSON value");
    return "";
  }

private:
  bool parse_value(Value* v, int depth)
  {
    if (depth >= kMaxDepth) return fail("nested more than 64 levels"), false;
    if (i_ >= s_.size()) return fail("unexpected end of input"), false;
    char c = s_[i_];
    if (c == '{') return parse_object(v, depth);
    if (c == '[') return parse_array(v, depth);
    if (c == '"') { v->type = Value::kString; return parse_string(&v->string); }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(v);
    if (literal("true")) { v->type = Value::kBool; v->boolean = true; return true; }
    if (literal("false")) { v->type = Value::kBool; v->boolean = false; return true; }
    if (literal("null")) { v->type = Value::kNull; return true; }
    return fail("unexpected character"), false;
  }

  bool parse_object(Value* v, int depth)
  {
    v->type = Value::kObject;
    ++i_;
    skip();
    if (peek('}')) { ++i_; return true; }
    std::set<std::string> keys;
    while (true) {
      skip();
      if (!peek('"')) return fail("expected a string key"), false;
      std::string key;
      if (!parse_string(&key)) return false;
      if (!keys.insert(key).second) return fail("duplicate key \"" + key + "\""), false;
      skip();
      if (!peek(':')) return fail("expected ':'"), false;
      ++i_;
      skip();
      Value member;
      if (!parse_value(&member, depth + 1)) return false;
      v->object.emplace_back(key, std::move(member));
      skip();
      if (peek(',')) { ++i_; continue; }
      if (peek('}')) { ++i_; return true; }
      return fail("expected ',' or '}'"), false;
    }
  }

  bool parse_array(Value* v, int depth)
  {
    v->type = Value::kArray;
    ++i_;
    skip();
    if (peek(']')) { ++i_; return true; }
    while (true) {
      skip();
      Value item;
      if (!parse_value(&item, depth + 1)) return false;
      v->array.push_back(std::move(item));
      skip();
      if (peek(',')) { ++i_; continue; }
      if (peek(']')) { ++i_; return true; }
      return fail("expected ',' or ']'"), false;
    }
  }

  bool hex4(unsigned* out)
  {
    if (i_ + 4 > s_.size()) return fail("short \\u escape"), false;
    unsigned n = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      n <<= 4;
      if (c >= '0' && c <= '9') n |= c - '0';
      else if (c >= 'a' && c <= 'f') n |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') n |= c - 'A' + 10;
      else return fail("bad \\u escape"), false;
    }
    *out = n;
    return true;
  }

  static void utf8(unsigned cp, std::string* out)
  {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool parse_string(std::string* out)
  {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) return fail("unterminated string"), false;
      unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return fail("control character in a string"), false;
      if (c != '\\') { out->push_back(static_cast<char>(c)); continue; }
      if (i_ >= s_.size()) return fail("unterminated string"), false;
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          unsigned cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {
            unsigned low;
            if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') {
              return fail("unpaired surrogate"), false;
            }
            i_ += 2;
            if (!hex4(&low)) return false;
            if (low < 0xDC00 || low >= 0xE000) return fail("unpaired surrogate"), false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return fail("unpaired surrogate"), false;
          }
          utf8(cp, out);
          break;
        }
        default: return fail("bad escape"), false;
      }
    }
  }

  bool parse_number(Value* v)
  {
    size_t start = i_;
    if (peek('-')) ++i_;
    if (peek('0')) {
      ++i_;
    } else if (digit()) {
      while (digit()) ++i_;
    } else {
      return fail("bad number"), false;
    }
    if (peek('.')) {
      ++i_;
      if (!digit()) return fail("bad number"), false;
      while (digit()) ++i_;
    }
    if (peek('e') || peek('E')) {
      ++i_;
      if (peek('+') || peek('-')) ++i_;
      if (!digit()) return fail("bad number"), false;
      while (digit()) ++i_;
    }
    v->type = Value::kNumber;
    v->number = std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
    return true;
  }

  bool literal(const char* word)
  {
    std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }

  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }

  void skip()
  {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  std::string fail(const std::string& why)
  {
    if (error_.empty()) error_ = why + " at offset " + std::to_string(i_);
    return error_;
  }

  const std::string& s_;
  size_t i_ = 0;
  std::string error_;
};

} // namespace

const Value* Value::find(const std::string& key) const
{
  for (const auto& kv : object) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

const char* type_name(Value::Type type)
{
  switch (type) {
    case Value::kNull: return "null";
    case Value::kBool: return "a boolean";
    case Value::kNumber: return "a number";
    case Value::kString: return "a string";
    case Value::kArray: return "an array";
    case Value::kObject: return "an object";
  }
  return "?";
}

std::string parse(const std::string& text, Value* value)
{
  *value = Value();
  return Parser(text).run(value);
}

std::string quote(const std::string& text)
{
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

} // namespace json
} // namespace command_isolator
