// The JSONL/JSON readers of question and answer files: a bad line is an error naming the file and line, never an
// escaped library exception (a number beyond double made nlohmann throw out_of_range even in no-exception mode).
#include <gtest/gtest.h>

#include <fstream>

#include "core/scratch_dir.h"
#include "eval/jsonl.h"
#include "util/error.h"

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string p = (dpn::test::scratch_dir("jsonl") / name).string();
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Jsonl, NumberBeyondDoubleIsAnInvalidLine) {
  const std::string p = write("q.jsonl", "{\"question_id\": 1}\n{\"question_id\": 1E400}\n");
  int lines = 0;
  const std::string e = error_of([&] { dpn::eval::read_jsonl(p, [&](const nlohmann::json&, int) { ++lines; }); });
  EXPECT_EQ(lines, 1);
  EXPECT_NE(e.find("q.jsonl:2: not valid JSON"), std::string::npos) << e;
  int skipped = 0;
  dpn::eval::read_jsonl(p, [](const nlohmann::json&, int) {}, &skipped);
  EXPECT_EQ(skipped, 1);
}

TEST(Jsonl, NumberBeyondDoubleInAJsonFileIsAnError) {
  const std::string p = write("a.json", "[1E400]");
  const std::string e = error_of([&] { dpn::eval::read_json_file(p); });
  EXPECT_NE(e.find("a.json: not valid JSON"), std::string::npos) << e;
}
