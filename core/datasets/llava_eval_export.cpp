// DPNBench export in LLaVA's evaluation layout, and the reader used by `dpn dataset show` and the tests.
#include "datasets/llava_eval_export.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "util/error.h"
#include "util/json_error.h"
#include "util/regular_file.h"

namespace fs = std::filesystem;

namespace dpn::datasets {

namespace {

void write_file(const fs::path& path, const void* data, size_t n) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw Error(path.string(), std::string("cannot create: ") + std::strerror(errno));
  const bool ok = std::fwrite(data, 1, n, f) == n;
  if (std::fclose(f) != 0 || !ok) throw Error(path.string(), std::string("write failed: ") + std::strerror(errno));
}

std::string image_name(uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu.png", static_cast<unsigned long long>(index));
  return buf;
}

std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
  refuse_special_file(path.string());
  std::ifstream in(path);
  if (!in)
    throw Error(path.string(), "cannot open (expected a DPNBench/LLaVA eval folder; see `dpn dataset generate`)");
  std::vector<nlohmann::json> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw Error(path.string() + ":" + std::to_string(n), "not valid JSON: " + json_error_summary(e));
    }
    if (!rows.back().is_object()) throw Error(path.string() + ":" + std::to_string(n), "expected a JSON object");
  }
  return rows;
}

template <typename T>
T field(const nlohmann::json& row, const char* key, const std::string& where) {
  auto it = row.find(key);
  if (it == row.end()) throw Error(where, std::string("missing field '") + key + "'");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where, std::string("field '") + key + "' has the wrong type: " + it->dump());
  }
}

}  // namespace

std::vector<unsigned char> encode_png(const cv::Mat& rgb) {
  if (rgb.type() != CV_8UC3 || rgb.empty()) throw Error("encode_png", "expected a non-empty RGB CV_8UC3 image");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<unsigned char> out;
  // Explicit settings: the bytes must not depend on OpenCV's defaults. RLE suits flat colours.
  const std::vector<int> params = {cv::IMWRITE_PNG_COMPRESSION, 9,  //
                                   cv::IMWRITE_PNG_STRATEGY, cv::IMWRITE_PNG_STRATEGY_RLE};
  if (!cv::imencode(".png", bgr, out, params)) throw Error("encode_png", "OpenCV could not encode the PNG");
  return out;
}

ExportSummary export_llava_eval(const std::string& dir, const GeneratorConfig& config, uint64_t seed, int n_images,
                                int questions_per_image, uint64_t first_index) {
  config.validate();
  if (n_images < 1) throw Error(dir, "number of images must be >= 1, got " + std::to_string(n_images));
  if (questions_per_image < 1 || questions_per_image > 64)
    throw Error(dir, "questions per image must be 1..64, got " + std::to_string(questions_per_image));
  const fs::path root(dir);
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    throw Error(dir, "folder exists and is not empty; pick a new --out folder or delete this one");
  fs::create_directories(root / "images", ec);
  if (ec) throw Error(dir, "cannot create folder: " + ec.message());

  ExportSummary sum;
  for (int f = 0; f < kFamilies; ++f) sum.per_family[family_name(static_cast<Family>(f))] = 0;
  std::string questions, answers;
  for (int i = 0; i < n_images; ++i) {
    const uint64_t index = first_index + static_cast<uint64_t>(i);
    const Scene scene = generate_scene(config, seed, index);
    const std::string name = image_name(index);
    const auto png = encode_png(scene.image);
    write_file(root / "images" / name, png.data(), png.size());
    sum.bytes += png.size();
    for (int k = 0; k < questions_per_image; ++k) {
      const int64_t qid = static_cast<int64_t>(i) * questions_per_image + k;
      const QA& qa = scene.qa[static_cast<size_t>(qid % kFamilies)];
      const std::string fam = family_name(qa.family);
      nlohmann::ordered_json q;
      q["question_id"] = qid;
      q["image"] = name;
      q["text"] = qa.question + kShortAnswerSuffix;
      q["category"] = family_is_coarse(qa.family) ? "coarse" : "fine";
      q["family"] = fam;
      questions += q.dump() + "\n";
      nlohmann::ordered_json a;
      a["question_id"] = qid;
      a["answer"] = qa.answer;
      a["family"] = fam;
      answers += a.dump() + "\n";
      ++sum.per_family[fam];
      ++sum.questions;
    }
    ++sum.images;
  }
  write_file(root / "questions.jsonl", questions.data(), questions.size());
  write_file(root / "answers.jsonl", answers.data(), answers.size());

  nlohmann::ordered_json m;
  m["format"] = "dpnbench-llava-eval";
  m["generator_version"] = kGeneratorVersion;
  m["seed"] = seed;
  m["first_index"] = first_index;
  m["images"] = sum.images;
  m["questions"] = sum.questions;
  m["questions_per_image"] = questions_per_image;
  m["image_folder"] = "images";
  m["config"] = {{"image_size", config.image_size}, {"patch_size", config.patch_size},
                 {"block_patches", config.block_patches}, {"min_big", config.min_big}, {"max_big", config.max_big},
                 {"min_small", config.min_small}, {"max_small", config.max_small}};
  nlohmann::ordered_json fams = nlohmann::ordered_json::object();
  for (int f = 0; f < kFamilies; ++f) {
    const Family fam = static_cast<Family>(f);
    fams[family_name(fam)] = {{"category", family_is_coarse(fam) ? "coarse" : "fine"},
                              {"questions", sum.per_family[family_name(fam)]}};
  }
  m["families"] = fams;
  m["answer_vocabulary"] = answer_vocabulary();
  m["seed_policy"] = "test seeds are < " + std::to_string(kFirstTrainSeed) + "; training uses seeds >= " +
                     std::to_string(kFirstTrainSeed);
  const std::string manifest = m.dump(2) + "\n";
  write_file(root / "manifest.json", manifest.data(), manifest.size());
  sum.bytes += questions.size() + answers.size() + manifest.size();
  return sum;
}

std::vector<EvalItem> load_llava_eval(const std::string& dir) {
  const fs::path qpath = fs::path(dir) / "questions.jsonl", apath = fs::path(dir) / "answers.jsonl";
  const auto qrows = read_jsonl(qpath);
  const auto arows = read_jsonl(apath);
  std::map<int64_t, std::string> answer_of;
  for (size_t n = 0; n < arows.size(); ++n) {
    const std::string where = apath.string() + " (row " + std::to_string(n + 1) + ")";
    const auto id = field<int64_t>(arows[n], "question_id", where);
    if (!answer_of.emplace(id, field<std::string>(arows[n], "answer", where)).second)
      throw Error(where, "duplicate question_id " + std::to_string(id));
  }
  std::vector<EvalItem> items;
  for (size_t n = 0; n < qrows.size(); ++n) {
    const std::string where = qpath.string() + " (row " + std::to_string(n + 1) + ")";
    EvalItem it;
    it.question_id = field<int64_t>(qrows[n], "question_id", where);
    it.image = field<std::string>(qrows[n], "image", where);
    it.text = field<std::string>(qrows[n], "text", where);
    it.category = field<std::string>(qrows[n], "category", where);
    it.family = field<std::string>(qrows[n], "family", where);
    auto a = answer_of.find(it.question_id);
    if (a == answer_of.end())
      throw Error(where, "question_id " + std::to_string(it.question_id) + " has no line in " + apath.string());
    it.answer = a->second;
    items.push_back(std::move(it));
  }
  if (items.size() != answer_of.size())
    throw Error(apath.string(), std::to_string(answer_of.size()) + " answers for " + std::to_string(items.size()) +
                                    " questions; expected one answer per question");
  return items;
}

std::string describe_eval(const std::vector<EvalItem>& items, int limit_per_family) {
  std::map<std::string, std::vector<const EvalItem*>> by_family;
  for (const auto& it : items) by_family[it.family].push_back(&it);
  std::string out = std::to_string(items.size()) + " questions in " + std::to_string(by_family.size()) + " families\n";
  for (const auto& [family, list] : by_family) {
    out += "\n" + family + " (" + list.front()->category + "): " + std::to_string(list.size()) + " questions\n";
    for (size_t k = 0; k < list.size() && static_cast<int>(k) < limit_per_family; ++k) {
      const EvalItem& it = *list[k];
      const std::string question = it.text.substr(0, it.text.find('\n'));  // drop the answer-format suffix
      out += "  [" + std::to_string(it.question_id) + "] " + it.image + "  " + question + "  -> " + it.answer + "\n";
    }
  }
  return out;
}

}  // namespace dpn::datasets
