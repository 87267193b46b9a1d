// `dpn flops` resolves --model as every command does: built-in names, folders (with --vision-tower), presets.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_runner.h"
#include "core/scratch_dir.h"

namespace {

using dpn::test::CliResult;
using dpn::test::run_dpn;

const std::string kGolden = std::string(DPN_TEST_DATA) + "/golden";

}  // namespace

TEST(DpnFlops, BuiltInModelWithAForcedDpnPath) {
  const CliResult r = run_dpn("flops --model demo-dpn --method dpn:path=0=2x2 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["saving_vs_none"]["llm_prefill"].get<double>(), 0.3) << r.out;  // 12x12 -> 6x6 after layer 0
}

TEST(DpnFlops, FolderPresetAndVisionTower) {
  EXPECT_EQ(run_dpn("flops --model llava-1.5-7b --method fastv:k=2,r=0.5").code, 0);
  EXPECT_EQ(run_dpn("flops --model " + kGolden + "/llava_hf").code, 0);
  // The model in one folder, its tower in an unrelated one.
  const std::filesystem::path scratch = dpn::test::scratch_dir("flops_cli");
  std::filesystem::create_directories(scratch / "models");
  std::filesystem::create_directories(scratch / "towers");
  std::filesystem::copy(kGolden + "/llava_orig", scratch / "models" / "llava_orig", std::filesystem::copy_options::recursive);
  std::filesystem::copy(kGolden + "/tiny-clip-golden", scratch / "towers" / "clip", std::filesystem::copy_options::recursive);
  const CliResult lost = run_dpn("flops --model " + (scratch / "models" / "llava_orig").string());
  EXPECT_EQ(lost.code, 1) << lost.out;
  EXPECT_NE(lost.out.find("--vision-tower"), std::string::npos) << lost.out;
  const CliResult tower = run_dpn("flops --model " + (scratch / "models" / "llava_orig").string() + " --vision-tower " +
                                  (scratch / "towers" / "clip").string() + " --json");
  ASSERT_EQ(tower.code, 0) << tower.out;
  const CliResult own = run_dpn("flops --model " + kGolden + "/llava_orig --json");
  ASSERT_EQ(own.code, 0) << own.out;
  EXPECT_EQ(nlohmann::json::parse(tower.out)["method_flops"], nlohmann::json::parse(own.out)["method_flops"]);
  const CliResult bad = run_dpn("flops --model no-such-model-or-preset");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("llava-1.5-7b"), std::string::npos) << "the error lists the presets: " << bad.out;
}
