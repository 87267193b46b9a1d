// `dpn figure` as a user runs it, with no display: a live run of the bundled demo model drawn to PNG (size and DPI
// from the options, run parameters in the text chunks), SVG and a batch PDF; bad options name themselves.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "app/cli_runner.h"
#include "core/scratch_dir.h"

namespace {

namespace fs = std::filesystem;
using dpn::test::CliResult;

const std::string kImage = std::string(DPN_SOURCE_DIR) + "/resources/samples/shapes.png";
const std::string kLive = "--model demo-dpn --image " + kImage + " --question 'What colour is the large shape?'";

// `dpn figure ARGS` with no display at all: no X server, no Wayland, no Qt platform chosen by the caller.
CliResult headless(const std::string& args) {
  const std::string cmd = "env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM " + std::string(DPN_BINARY_DIR) +
                          "/app/dpn figure " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool renderer_built() { return fs::exists(fs::path(DPN_BINARY_DIR) / "lib" / "libdpn_figures.so"); }

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// PNG width and height from the IHDR chunk.
std::pair<int, int> png_size(const std::string& png) {
  auto be = [&](size_t at) {
    return int((unsigned char)png[at]) << 24 | int((unsigned char)png[at + 1]) << 16 |
           int((unsigned char)png[at + 2]) << 8 | int((unsigned char)png[at + 3]);
  };
  return {be(16), be(20)};
}

}  // namespace

TEST(DpnFigure, TokenMapToPngAtAPhysicalSizeWithNoDisplay) {
  const fs::path dir = dpn::test::scratch_dir("dpn_figure_png");
  const fs::path out = dir / "map.png";
  const CliResult r = headless("tokenmap " + kLive + " --attention --width 8.5cm --dpi 150 --out " + out.string());
  if (!renderer_built()) {  // a build without the GUI: a clear error, nothing written
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("figure renderer"), std::string::npos) << r.out;
    return;
  }
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("XDG_RUNTIME_DIR"), std::string::npos) << r.out;
  const std::string png = read(out);
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png_size(png).first, 502) << "8.5 cm at 150 DPI";
  EXPECT_NE(png.find("demo-dpn"), std::string::npos);  // model in a text chunk
  EXPECT_NE(png.find("What colour is the large shape?"), std::string::npos);
  EXPECT_NE(png.find("tokenmap"), std::string::npos);
}

TEST(DpnFigure, SeveralMethodsToSvgAndABatchToOnePdf) {
  const fs::path dir = dpn::test::scratch_dir("dpn_figure_batch");
  const CliResult depth =
      headless("depth " + kLive + " --methods none,dpn,fastv:k=1,r=0.5 --no-title --out " + (dir / "d.svg").string());
  if (!renderer_built()) {  // a build without the GUI (DPN_BUILD_GUI=OFF)
    EXPECT_EQ(depth.code, 1) << depth.out;
    return;
  }
  ASSERT_EQ(depth.code, 0) << depth.out;
  const std::string svg = read(dir / "d.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("fastv:k=1,r=0.5"), std::string::npos);  // the methods in the description
  EXPECT_EQ(svg.find("Visual tokens per decoder layer"), std::string::npos) << "--no-title";
  {
    std::ofstream batch(dir / "batch.jsonl");
    batch << "{\"id\": \"a\", \"image\": \"" << kImage << "\", \"question\": \"Is there a circle?\"}\n";
    batch << "{\"id\": \"b\", \"image\": \"" << kImage << "\", \"question\": \"How many shapes?\"}\n";
  }
  const CliResult pdf = headless("pyramid --model demo-dpn --batch " + (dir / "batch.jsonl").string() + " --out " +
                                 (dir / "all.pdf").string());
  ASSERT_EQ(pdf.code, 0) << pdf.out;
  EXPECT_EQ(read(dir / "all.pdf").rfind("%PDF", 0), 0u);
  const CliResult files = headless("router --model demo-dpn --batch " + (dir / "batch.jsonl").string() +
                                   " --format png --out " + (dir / "pages").string() + "/");
  ASSERT_EQ(files.code, 0) << files.out;
  EXPECT_TRUE(fs::exists(dir / "pages" / "router-a.png")) << files.out;
  EXPECT_TRUE(fs::exists(dir / "pages" / "router-b.png")) << files.out;
}

TEST(DpnFigure, BadOptionsNameThemselves) {
  const fs::path dir = dpn::test::scratch_dir("dpn_figure_errors");
  const std::string out = " --out " + (dir / "x.png").string();
  const CliResult kind = headless("heatmap " + kLive + out);
  EXPECT_EQ(kind.code, 2) << kind.out;
  EXPECT_NE(kind.out.find("tokenmap, pyramid"), std::string::npos) << kind.out;
  const CliResult width = headless("tokenmap " + kLive + " --width 3" + out);
  EXPECT_EQ(width.code, 2) << width.out;
  EXPECT_NE(width.out.find("--width"), std::string::npos) << width.out;
  for (const char* bad : {" --width infin", " --height nanpt", " --width -3in"}) {  // not a length, though stod reads it
    const CliResult r = headless("tokenmap " + kLive + bad + out);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.out;
  }
  const CliResult store = headless("accflops " + kLive + out);
  EXPECT_EQ(store.code, 2) << store.out;
  EXPECT_NE(store.out.find("--db"), std::string::npos) << store.out;
  if (!renderer_built()) return;
  const CliResult layer = headless("tokenmap " + kLive + " --layer 99" + out);
  EXPECT_EQ(layer.code, 1) << layer.out;
  EXPECT_NE(layer.out.find("--layer"), std::string::npos) << layer.out;
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}
