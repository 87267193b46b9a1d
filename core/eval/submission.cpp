// Submission and judge files from a run's answers; see submission.h for the script behind each.
#include "eval/submission.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/mmbench_eval.h"
#include "eval/preset.h"
#include "eval/tsv_table.h"
#include "eval/vqa_normalize.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

std::map<std::string, const AnsweredSample*> by_id(const std::vector<AnsweredSample>& answers) {
  std::map<std::string, const AnsweredSample*> m;
  for (const auto& a : answers) m[a.id] = &a;
  return m;
}

// MME's store ids carry "#n" (its question file repeats ids); LLaVA's files do not.
std::string llava_id(const std::string& kind, const std::string& id) {
  return kind == "mme" ? id.substr(0, id.rfind('#')) : id;
}

bool is_integer_text(const std::string& s) {
  return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos &&
         (s == "0" || s[0] != '0');
}

// The question_id as LLaVA's question files spell it: strings for GQA, TextVQA, MME and ScienceQA, integers for the
// others when the id is a number.
nlohmann::json question_id_json(const std::string& kind, const std::string& id) {
  const bool strings = kind == "gqa" || kind == "textvqa" || kind == "mme" || kind == "scienceqa";
  return !strings && is_integer_text(id) ? nlohmann::json(std::stoll(id)) : nlohmann::json(id);
}

// pandas.read_table's column types: a column whose every present cell is an integer is int64 (float64 when some cell
// is missing), one whose cells all parse as numbers is float64, the rest are text.
XlsxCell pandas_cell(const std::string& v, bool numeric) {
  if (pandas_na(v)) return XlsxCell::empty();
  return numeric ? XlsxCell::num(std::stod(v)) : XlsxCell::str(xlsx_text(v));
}

bool numeric_column(const TsvTable& t, int c) {
  static const std::regex number(R"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)");
  bool any = false;
  for (const auto& row : t.rows) {
    const std::string& v = row[static_cast<size_t>(c)];
    if (pandas_na(v)) continue;
    if (!std::regex_match(v, number)) return false;
    any = true;
  }
  return any;
}

bool has_illegal_xml_char(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  return false;
}

void write_text(const std::string& text, const std::string& out) {
  if (out.empty()) {
    std::cout << text;
    return;
  }
  const std::string tmp = out + ".tmp";
  std::ofstream f(tmp, std::ios::binary);
  if (!(f << text) || !(f.close(), f)) throw Error(out, "cannot write the export (check the folder and free space)");
  if (std::rename(tmp.c_str(), out.c_str()) != 0) throw Error(out, "cannot move the export into place");
}

}  // namespace

std::vector<AnsweredSample> answered_samples(const std::vector<store::SampleResult>& rows) {
  std::vector<AnsweredSample> out;
  for (const auto& r : rows) out.push_back({r.sample_id, r.question, r.prediction, r.family});
  return out;
}

nlohmann::json vqav2_submission(const std::string& question_file, const std::vector<AnsweredSample>& answers) {
  const auto pred = by_id(answers);
  nlohmann::json out = nlohmann::json::array();
  read_jsonl(question_file, [&](const nlohmann::json& j, int line) {
    const std::string where = question_file + ":" + std::to_string(line);
    const std::string id = json_id(j, "question_id", where);
    auto it = pred.find(id);
    out.push_back({{"question_id", j["question_id"]},
                   {"answer", it == pred.end() ? std::string() : vqa_normalize_answer(it->second->prediction)}});
  });
  return out;
}

nlohmann::json vizwiz_submission(const std::string& question_file, const std::vector<AnsweredSample>& answers) {
  const auto pred = by_id(answers);
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::string> missing;
  read_jsonl(question_file, [&](const nlohmann::json& j, int line) {
    const std::string where = question_file + ":" + std::to_string(line);
    const std::string id = json_id(j, "question_id", where);
    auto it = pred.find(id);
    if (it == pred.end()) {
      missing.push_back(id);
      return;
    }
    out.push_back({{"image", json_string(j, "image", where)}, {"answer", vqa_normalize_answer(it->second->prediction)}});
  });
  if (!missing.empty())
    throw Error(question_file, std::to_string(missing.size()) + " question(s) have no answer in the run (e.g. " +
                                   missing.front() + "); the VizWiz server needs every one (convert_vizwiz_for_submission.py "
                                   "asserts it)");
  return out;
}

nlohmann::ordered_json mmvet_results(const std::vector<AnsweredSample>& answers) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& a : answers) out["v1_" + a.id] = a.prediction;
  return out;
}

XlsxExport mmbench_submission(const std::string& tsv, const std::vector<AnsweredSample>& answers) {
  const TsvTable t = read_tsv(tsv);
  if (t.column("index") < 0) throw Error(tsv, "header has no 'index' column");
  XlsxExport x;
  static const std::set<std::string> dropped = {"hint", "category", "source", "image", "comment", "l2-category"};
  std::vector<int> kept;
  for (size_t c = 0; c < t.header.size(); ++c)
    if (!dropped.count(t.header[c])) kept.push_back(static_cast<int>(c));
  for (const auto& d : dropped)
    if (t.column(d) < 0)
      x.warnings.push_back("the TSV has no '" + d + "' column; convert_mmbench_for_submission.py's drop() would fail");
  const size_t insert_at = std::min<size_t>(6, kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i == insert_at) x.table.columns.push_back("prediction");
    x.table.columns.push_back(t.header[static_cast<size_t>(kept[i])]);
  }
  if (insert_at == kept.size()) x.table.columns.push_back("prediction");
  std::vector<bool> numeric;
  for (int c : kept) numeric.push_back(numeric_column(t, c));
  const auto pred = by_id(answers);
  std::set<std::string> indices;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string index = t.cell(r, "index");
    indices.insert(index);
    std::vector<XlsxCell> row;
    auto it = pred.find(index);
    // openpyxl leaves "" as an empty cell; XML reads "\r" back as "\n"
    const XlsxCell prediction = it == pred.end() || it->second->prediction.empty()
                                    ? XlsxCell::empty()
                                    : XlsxCell::str(xlsx_text(it->second->prediction));
    if (it != pred.end() && has_illegal_xml_char(it->second->prediction))
      x.warnings.push_back("the answer for index " + index + " has a control character that openpyxl refuses "
                           "(LLaVA's converter would stop); written escaped");
    for (size_t i = 0; i < kept.size(); ++i) {
      if (i == insert_at) row.push_back(prediction);
      row.push_back(pandas_cell(t.rows[r][static_cast<size_t>(kept[i])], numeric[i]));
    }
    if (insert_at == kept.size()) row.push_back(prediction);
    x.table.rows.push_back(std::move(row));
  }
  size_t unknown = 0;
  for (const auto& a : answers) unknown += !indices.count(a.id);
  if (unknown) x.warnings.push_back(std::to_string(unknown) + " answer(s) have no row in " + tsv + " and are not in the file");
  return x;
}

std::string llava_answers_jsonl(const std::string& kind, const std::string& model,
                                const std::vector<AnsweredSample>& answers) {
  std::string out;
  size_t n = 0;
  for (const auto& a : answers) {
    std::string prompt = a.question;
    const std::string suffix = llava_prompt_suffix(kind);
    nlohmann::ordered_json j;
    j["question_id"] = question_id_json(kind, llava_id(kind, a.id));
    if (kind == "mmbench" || kind == "mmbench-cn") {
      // model_vqa_mmbench.py records the question without the suffix, and round 0
      if (!suffix.empty() && prompt.size() >= suffix.size() && prompt.compare(prompt.size() - suffix.size(), suffix.size(), suffix) == 0)
        prompt.resize(prompt.size() - suffix.size());
      j["round_id"] = 0;
    }
    if (kind == "scienceqa" && a.family == "img") prompt = "<image>\n" + prompt;  // model_vqa_science.py
    j["prompt"] = prompt;
    j["text"] = a.prediction;
    j["answer_id"] = "dpn-" + std::to_string(n++);
    j["model_id"] = model;
    j["metadata"] = nlohmann::json::object();
    out += j.dump() + "\n";
  }
  return out;
}

const std::vector<std::string>& export_formats() {
  static const std::vector<std::string> f = {"vqav2-submission", "vizwiz-submission", "mmbench-submission", "mmvet",
                                             "llava-answers"};
  return f;
}

std::vector<std::string> export_run(store::RunStore& db, int64_t run, const std::string& format,
                                    const std::string& questions, const std::string& out) {
  const store::RunInfo info = db.run_info(run);
  const std::string kind = info.spec.dataset_kind;
  const std::string qfile = questions.empty() ? info.spec.dataset_path : questions;
  const std::vector<AnsweredSample> answers = answered_samples(db.samples(run, false));
  auto need_kind = [&](std::initializer_list<const char*> kinds) {
    for (const char* k : kinds)
      if (kind == k) return;
    throw Error("--format " + format, "needs a run of dataset kind " + std::string(*kinds.begin()) +
                                          (kinds.size() > 1 ? " or " + std::string(*(kinds.end() - 1)) : "") +
                                          "; run " + std::to_string(run) + " is " + kind);
  };
  auto need_file = [&]() {
    if (qfile.empty()) throw Error("--format " + format, "give the question file with --questions");
    if (!file_exists(qfile))
      throw Error(qfile, "not found (the run's recorded dataset path); give the question file with --questions");
  };
  std::vector<std::string> warnings;
  if (format == "vqav2-submission") {
    need_kind({"vqav2"});
    need_file();
    write_text(vqav2_submission(qfile, answers).dump() + "\n", out);
  } else if (format == "vizwiz-submission") {
    need_kind({"vizwiz"});
    need_file();
    write_text(vizwiz_submission(qfile, answers).dump() + "\n", out);
  } else if (format == "mmbench-submission") {
    need_kind({"mmbench", "mmbench-cn"});
    need_file();
    if (out.empty()) throw Error("--format mmbench-submission", "writes an .xlsx file: give --out FILE.xlsx");
    XlsxExport x = mmbench_submission(qfile, answers);
    write_xlsx(x.table, out);
    warnings = x.warnings;
  } else if (format == "mmvet") {
    write_text(mmvet_results(answers).dump(2) + "\n", out);
  } else if (format == "llava-answers") {
    write_text(llava_answers_jsonl(kind, info.spec.model_name, answers), out);
  } else {
    std::string list;
    for (const auto& f : export_formats()) list += (list.empty() ? "" : ", ") + f;
    throw Error("--format " + format, "unknown; expected csv, json, " + list);
  }
  return warnings;
}

}  // namespace dpn::eval
