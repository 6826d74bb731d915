// JSON-lines framing for persistent commands: one event per line in, one
// reply per line out. Replies are "OK", "OK <json>" or "ERROR <reason>".
#ifndef COMMAND_HOOK_FRAMING_HPP
#define COMMAND_HOOK_FRAMING_HPP

#include <string>

namespace command_hook {

// Turns a JSON document into one line (with its trailing '\n'). Raw
// newlines can only be insignificant whitespace in valid JSON (inside
// strings they are escaped), so replacing them with spaces keeps the
// document's meaning.
std::string to_line(const std::string& json);

struct Reply
{
  enum Kind { kOk, kError, kInvalid };
  Kind kind = kInvalid;
  std::string payload;  // JSON result (kOk), reason (kError), or the line
};

// Parses one reply line (without its '\n'; a trailing '\r' is ignored).
Reply parse_reply(const std::string& line);

// Removes and returns the first complete line of `buffer` (without '\n').
// Returns false when `buffer` holds no complete line yet.
bool take_line(std::string* buffer, std::string* line);

} // namespace command_hook

#endif // COMMAND_HOOK_FRAMING_HPP
