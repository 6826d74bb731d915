// A small strict JSON reader (RFC 8259) for checking what an operator's
// command answers before the Mesos adapter converts it to protobuf. Mesos-free
// so the protocol checks are unit-tested without a Mesos install; the adapter
// still parses with stout for the conversion itself.
#ifndef COMMAND_ISOLATOR_JSON_HPP
#define COMMAND_ISOLATOR_JSON_HPP

#include <string>
#include <utility>
#include <vector>

namespace command_isolator {
namespace json {

struct Value
{
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;  // in document order

  // The member named `key`, or null when absent (or not an object).
  const Value* find(const std::string& key) const;
};

const char* type_name(Value::Type type);

// Parses one JSON document (surrounding whitespace allowed). Returns an
// empty string on success, else where and why it is not JSON. Nesting is
// limited to 64 levels; duplicate object keys are refused.
std::string parse(const std::string& text, Value* value);

// `text` as a JSON string literal, quotes included.
std::string quote(const std::string& text);

} // namespace json
} // namespace command_isolator

#endif // COMMAND_ISOLATOR_JSON_HPP
