#include "framing.hpp"

namespace command_hook {

std::string to_line(const std::string& json)
{
  std::string line = json;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line.push_back('\n');
  return line;
}

Reply parse_reply(const std::string& raw)
{
  std::string line = raw;
  if (!line.empty() && line.back() == '\r') line.pop_back();

  Reply reply;
  if (line == "OK") {
    reply.kind = Reply::kOk;
  } else if (line.compare(0, 3, "OK ") == 0) {
    reply.kind = Reply::kOk;
    reply.payload = line.substr(3);
    if (reply.payload.find_first_not_of(" \t") == std::string::npos) {
      reply.payload.clear();
    }
  } else if (line == "ERROR") {
    reply.kind = Reply::kError;
    reply.payload = "command reported an error without a reason";
  } else if (line.compare(0, 6, "ERROR ") == 0) {
    reply.kind = Reply::kError;
    reply.payload = line.substr(6);
  } else {
    reply.kind = Reply::kInvalid;
    reply.payload = line.substr(0, 200);
  }
  return reply;
}

bool take_line(std::string* buffer, std::string* line)
{
  size_t end = buffer->find('\n');
  if (end == std::string::npos) return false;
  line->assign(*buffer, 0, end);
  buffer->erase(0, end + 1);
  return true;
}

} // namespace command_hook
