// Reader dispatch and the helpers every dataset reader shares.
#include "eval/dataset.h"

#include <sys/stat.h>

#include "eval/jsonl.h"
#include "eval/py_text.h"
#include "util/error.h"

namespace dpn::eval {

std::vector<EvalSample> read_dataset(const DatasetSpec& spec) {
  if (spec.kind == "vqav2") return read_vqav2(spec);
  if (spec.kind == "textvqa") return read_textvqa(spec);
  if (spec.kind == "gqa") return read_gqa(spec);
  if (spec.kind == "pope") return read_pope(spec);
  if (spec.kind == "mme") return read_mme(spec);
  if (spec.kind == "scienceqa") return read_scienceqa(spec);
  if (spec.kind == "mmbench" || spec.kind == "mmbench-cn") return read_mmbench(spec);
  if (spec.kind == "seed") return read_seed(spec);
  if (spec.kind == "vizwiz") return read_vizwiz(spec);
  if (spec.kind == "mmvet") return read_mmvet(spec);
  if (spec.kind == "llavabench") return read_llavabench(spec);
  if (spec.kind == "dpnbench") return read_dpnbench(spec);
  throw Error("dataset kind '" + spec.kind + "'", "unknown; expected one of " + reader_list());
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || (!name.empty() && name[0] == '/')) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void check_image(const DatasetSpec& spec, const std::string& path, const std::string& where) {
  if (spec.check_images && !file_exists(path))
    throw Error(where, "image '" + path + "' not found (check the image folder given with --images)");
}

EvalSample read_llava_question(const DatasetSpec& spec, const nlohmann::json& j, const std::string& where) {
  EvalSample s;
  s.id = json_id(j, "question_id", where);
  s.question = json_string(j, "text", where);
  s.image = join_path(spec.images, json_string(j, "image", where));
  check_image(spec, s.image, where);
  if (j.contains("category") && j["category"].is_string()) s.category = j["category"].get<std::string>();
  return s;
}

void for_each_llava_question(const DatasetSpec& spec,
                             const std::function<void(EvalSample&, const nlohmann::json&, const std::string&)>& fn) {
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    fn(s, j, where);
  });
}

std::string textvqa_question_from_prompt(const std::string& prompt, const std::string& where) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = prompt.find('\n', start);
    lines.push_back(prompt.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::string q;
  if (prompt.rfind("OCR tokens: ", 0) == 0) {
    auto a = prompt.find("Question: ");
    auto b = a == std::string::npos ? a : prompt.find(" Short answer:", a + 10);
    if (b == std::string::npos) throw Error(where, "prompt starts with 'OCR tokens: ' but has no 'Question: ... Short answer:'");
    q = prompt.substr(a + 10, b - a - 10);
  } else if (prompt.find("Reference OCR token: ") != std::string::npos && lines.size() == 3) {
    q = prompt.rfind("Reference OCR token:", 0) == 0 ? lines[1] : lines[0];
  } else if (lines.size() == 2) {
    q = lines[0];
  } else {
    throw Error(where, "TextVQA prompt must have 2 lines, or 3 with 'Reference OCR token: ' (as eval_textvqa.py "
                       "expects); got " + std::to_string(lines.size()) + " lines");
  }
  return py::lower(q);
}

}  // namespace dpn::eval
