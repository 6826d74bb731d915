// The trivial persistent command for the benchmark: answers every event
// line with "OK" (no change), flushing each reply.
#include <unistd.h>

#include <string>

int main()
{
  std::string buffer;
  char chunk[65536];
  ssize_t n;
  while ((n = read(0, chunk, sizeof(chunk))) > 0) {
    buffer.append(chunk, (size_t)n);
    size_t end;
    while ((end = buffer.find('\n')) != std::string::npos) {
      buffer.erase(0, end + 1);
      if (write(1, "OK\n", 3) != 3) return 1;
    }
  }
  return 0;
}
