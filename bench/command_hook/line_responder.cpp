// The trivial commands for the benchmark.
//   line_responder            persistent: answers every event line with "OK"
//   line_responder REPLY      persistent: answers every event line with "OK REPLY"
//   line_responder --once REPLY
//                             one-shot: reads the event to end of input, prints
//                             REPLY, exits
// Replies are flushed one by one. Plain POSIX calls only, so that, linked
// without libstdc++, exec costs what /bin/cat's does.
#include <string.h>
#include <unistd.h>

namespace {

bool write_all(const char* data, size_t size)
{
  while (size > 0) {
    ssize_t n = write(1, data, size);
    if (n <= 0) return false;
    data += n;
    size -= (size_t)n;
  }
  return true;
}

} // namespace

int main(int argc, char** argv)
{
  static char chunk[65536];
  ssize_t n;
  if (argc == 3 && strcmp(argv[1], "--once") == 0) {
    while ((n = read(0, chunk, sizeof(chunk))) > 0) {}
    return write_all(argv[2], strlen(argv[2])) && write_all("\n", 1) ? 0 : 1;
  }

  // "OK" or "OK REPLY", and the newline.
  static char reply[65536] = "OK";
  size_t size = 2;
  if (argc == 2) {
    size_t length = strlen(argv[1]);
    if (length > sizeof(reply) - 4) return 2;
    reply[size++] = ' ';
    memcpy(reply + size, argv[1], length);
    size += length;
  }
  reply[size++] = '\n';

  while ((n = read(0, chunk, sizeof(chunk))) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      if (chunk[i] == '\n' && !write_all(reply, size)) return 1;
    }
  }
  return 0;
}
