#include <gtest/gtest.h>

#include "json.hpp"

using namespace command_isolator;

TEST(Json, ParsesEveryType)
{
  json::Value v;
  ASSERT_EQ("", json::parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"d\"}} \n", &v));
  ASSERT_EQ(json::Value::kObject, v.type);
  const json::Value* a = v.find("a");
  ASSERT_NE(nullptr, a);
  ASSERT_EQ(5u, a->array.size());
  EXPECT_EQ(1, a->array[0].number);
  EXPECT_EQ(-2500, a->array[1].number);
  EXPECT_TRUE(a->array[2].boolean);
  EXPECT_EQ(json::Value::kBool, a->array[3].type);
  EXPECT_EQ(json::Value::kNull, a->array[4].type);
  EXPECT_EQ("d", v.find("b")->find("c")->string);
  EXPECT_EQ(nullptr, v.find("missing"));
}

TEST(Json, DecodesEscapes)
{
  json::Value v;
  ASSERT_EQ("", json::parse("\"a\\\"\\\\\\/\\n\\t\\u00e9\\ud83d\\ude00\"", &v));
  EXPECT_EQ("a\"\\/\n\t\xc3\xa9\xf0\x9f\x98\x80", v.string);
}

TEST(Json, RefusesWhatIsNotJson)
{
  json::Value v;
  for (const char* bad : {"", "{", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "01", "1.", "-",
                          "'a'", "{a:1}", "\"\\x\"", "\"\\ud800\"", "\"a\nb\"",
                          "{} {}", "tru", "NaN", "{\"a\":1,\"a\":2}"}) {
    EXPECT_NE("", json::parse(bad, &v)) << bad;
  }
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_NE(std::string::npos, json::parse(deep, &v).find("64 levels"));
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_EQ("", json::parse(ok, &v));
}

TEST(Json, QuoteRoundTrips)
{
  const std::string text = std::string("tab\t nl\n quote\" back\\ ctl\x01 utf8 \xc3\xa9");
  json::Value v;
  ASSERT_EQ("", json::parse(json::quote(text), &v));
  EXPECT_EQ(text, v.string);
  EXPECT_EQ("\"\\u0001\"", json::quote("\x01"));
}
