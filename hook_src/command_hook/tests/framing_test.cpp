#include <algorithm>

#include <gtest/gtest.h>

#include "framing.hpp"

using namespace command_hook;

TEST(Framing, PrettyPrintedJsonBecomesOneLine)
{
  std::string line = to_line("{\n  \"a\": \"x\\ny\"\r\n}");
  EXPECT_EQ("{   \"a\": \"x\\ny\"  }\n", line);
  EXPECT_EQ(1, std::count(line.begin(), line.end(), '\n'));
}

TEST(Framing, ParsesReplies)
{
  Reply r = parse_reply("OK");
  EXPECT_EQ(Reply::kOk, r.kind);
  EXPECT_EQ("", r.payload);

  r = parse_reply("OK {\"labels\":[]}\r");
  EXPECT_EQ(Reply::kOk, r.kind);
  EXPECT_EQ("{\"labels\":[]}", r.payload);

  r = parse_reply("OK   ");
  EXPECT_EQ(Reply::kOk, r.kind);
  EXPECT_EQ("", r.payload);

  r = parse_reply("ERROR privileged containers are not allowed");
  EXPECT_EQ(Reply::kError, r.kind);
  EXPECT_EQ("privileged containers are not allowed", r.payload);

  r = parse_reply("ERROR");
  EXPECT_EQ(Reply::kError, r.kind);
  EXPECT_FALSE(r.payload.empty());

  EXPECT_EQ(Reply::kInvalid, parse_reply("{\"labels\":[]}").kind);
  EXPECT_EQ(Reply::kInvalid, parse_reply("OKAY").kind);
  EXPECT_EQ(Reply::kInvalid, parse_reply("").kind);
}

TEST(Framing, TakesCompleteLinesOnly)
{
  std::string buffer = "OK 1\nOK 2\nOK";
  std::string line;
  ASSERT_TRUE(take_line(&buffer, &line));
  EXPECT_EQ("OK 1", line);
  ASSERT_TRUE(take_line(&buffer, &line));
  EXPECT_EQ("OK 2", line);
  EXPECT_FALSE(take_line(&buffer, &line));
  EXPECT_EQ("OK", buffer);
}
