// Every figure kind, built as `dpn figure` builds it, at 72/150/300/600 DPI and 2.5/7.5 inches wide: every text item
// inside the canvas, no two overlapping, no legend or text over data (from the layout the painter reported); the
// layout in points is the same at every DPI (a 300 DPI PNG is the 72 DPI one scaled); every kind writes PDF, SVG and
// PNG with no display (this test runs with QT_QPA_PLATFORM=offscreen).
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "util/error.h"
#include "views/figure_builder.h"
#include "views/figure_export.h"
#include "views/figure_render.h"
#include "views/figures/figure_text.h"
#include "views/figures/palette.h"
#include "views/figures/token_map_figure.h"

using namespace dpn;
using views::FigurePage;
using views::FigureRequest;
using views::FigureRun;

namespace {

constexpr int kGrid = 12;  // base grid of the synthetic runs

// A base-grid region of one token.
TokenRegion region(int r0, int c0, int r1, int c1) { return TokenRegion{r0, c0, r1, c1, {}}; }

// A layer whose tokens are the base grid pooled by k x k (k divides kGrid), with attention falling off to the right.
LayerTrace pooled_layer(int layer, int k) {
  LayerTrace l;
  l.layer = layer;
  l.grid_h = l.grid_w = kGrid / k;
  for (int i = 0; i < kGrid; i += k)
    for (int j = 0; j < kGrid; j += k) {
      l.regions.push_back(region(i, j, i + k, j + k));
      l.attention.push_back(float(1.0 / (1 + j + 0.5 * i)));
    }
  l.visual = int(l.regions.size());
  l.seq_len = l.visual + 20;
  return l;
}

// Eight decoder layers of a 60x40 image padded to a square (the trace's geometry, not the image file's size, places
// it). dpn: 1x1, pooled 2x2 after layer 2 and 4x4 after layer 5 with router decisions; fastv: half the tokens
// dropped after layer 2, plus one merged token covering scattered cells; none: all tokens throughout.
RunTrace make_trace(const std::string& method) {
  RunTrace t;
  t.image = ImageGeometry{60, 40, 60, 0, 10, 336, kGrid, kGrid};
  for (int layer = 0; layer < 8; ++layer) {
    int k = 1;
    if (method == "dpn" && layer > 2) k = layer > 5 ? 4 : 2;
    LayerTrace l = pooled_layer(layer, k);
    if (method.rfind("fastv", 0) == 0 && layer > 2) {
      LayerTrace kept;
      kept.layer = layer;
      for (size_t i = 0; i < l.regions.size(); i += 2) {
        kept.regions.push_back(l.regions[i]);
        kept.attention.push_back(l.attention[i]);
      }
      TokenRegion merged = region(0, 1, 2, 4);  // a merge of cells 1 and 3 of row 0 and 14 of row 1
      merged.cells = {1, 3, kGrid + 2};
      kept.regions.push_back(merged);
      kept.attention.push_back(0.2f);
      kept.visual = int(kept.regions.size());
      kept.seq_len = kept.visual + 20;
      l = kept;
    }
    t.layers.push_back(l);
  }
  if (method == "dpn") {
    for (int layer : {2, 5}) {
      RouterTrace r;
      r.layer = layer;
      r.experts = {{1, 1}, {2, 2}, {4, 4}};
      r.probs = layer == 2 ? std::vector<float>{0.2f, 0.7f, 0.1f} : std::vector<float>{0.05f, 0.15f, 0.8f};
      r.chosen = layer == 2 ? 1 : 2;
      r.overridden = layer == 5;
      t.routers.push_back(r);
    }
  }
  return t;
}

FigureRun make_run(const std::string& method, const QString& image) {
  FigureRun run;
  run.method = method;
  run.model = "demo-dpn";
  run.image_path = image.toStdString();
  run.question = "What colour is the large shape in the top left corner of the picture?";
  run.answer = "red";
  run.trace = make_trace(method);
  run.heads = 4;
  return run;
}

FigurePage sample_page(const std::vector<std::string>& methods, const QString& image) {
  FigurePage page;
  for (const std::string& m : methods) page.runs.push_back(make_run(m, image));
  page.params = {{"model", "demo-dpn"}, {"method", methods.front()}, {"question", page.runs.front().question}};
  return page;
}

FigurePage accuracy_page() {
  FigurePage page;
  const struct { const char* m; double flops, acc, lo, hi; } pts[] = {
      {"none", 2.1e9, 0.946, 0.925, 0.962},        {"dpn", 0.94e9, 0.943, 0.921, 0.959},
      {"tokenpacker", 0.65e9, 0.942, 0.920, 0.958}, {"fastv:k=2,r=0.5", 0.95e9, 0.638, 0.60, 0.675},
      {"static:2=2x2", 0.95e9, 0.90, 0.874, 0.921}, {"visionzip", 0.8e9, 0.91, 0.885, 0.93},
      {"pdrop", 1.1e9, 0.925, 0.90, 0.944},         {"sparsevlm", 0.9e9, 0.72, 0.68, 0.757}};
  for (const auto& p : pts) page.points.push_back({p.m, p.flops, p.acc, p.lo, p.hi, 600});
  page.interval = "Wilson 95% interval";
  page.subject = "demo on dpnbench:test";
  page.params = {{"runs", "1,2,3,4,5,6,7,8"}};
  return page;
}

FigurePage experts_page() {
  FigurePage page;
  const char* families[] = {"background colour", "shape count", "position", "largest shape"};
  int seed = 3;
  for (int layer : {2, 5})
    for (const char* f : families) {
      views::FigureExperts e;
      e.layer = layer;
      e.family = f;
      for (int x = 0; x < 3; ++x) e.counts.push_back((seed = seed * 7 % 31) + 1);
      e.kernels = {{1, 1}, {2, 2}, {4, 4}};
      page.experts.push_back(e);
    }
  page.subject = "demo-dpn on dpnbench:test";
  page.params = {{"run", "1"}};
  return page;
}

// The request `dpn figure KIND` would hand to the renderer, for every kind.
FigureRequest request_for(const std::string& kind, const QString& image) {
  FigureRequest r;
  r.kind = kind;
  if (kind == "accflops") {
    r.pages.push_back(accuracy_page());
  } else if (kind == "experts") {
    r.pages.push_back(experts_page());
  } else if (kind == "compare" || kind == "depth") {
    r.pages.push_back(sample_page({"none", "dpn", "fastv:k=2,r=0.5", "fastv:k=3,r=0.25"}, image));
    r.layer = 6;
  } else {
    r.pages.push_back(sample_page({"dpn"}, image));
    r.layer = 4;
  }
  r.attention = kind == "tokenmap" || kind == "compare";
  return r;
}

QString problems_text(const QStringList& problems) { return problems.join("\n"); }

}  // namespace

class FigureLayoutTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString image_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // 30x20 (the trace says 60x40: the figure must place it by the trace) with a sharp checkerboard.
    QImage img(30, 20, QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) img.setPixel(x, y, ((x / 3 + y / 3) % 2) ? 0xff2060c0 : 0xffe0e0e0);
    image_ = dir_.filePath("image.png");
    QVERIFY(img.save(image_));
  }

  void every_kind_lays_out_cleanly_at_every_size_and_dpi_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("title");
    for (const std::string& k : views::figure_kinds()) {
      QTest::newRow((k + " titled").c_str()) << QString::fromStdString(k) << true;
      QTest::newRow((k + " untitled").c_str()) << QString::fromStdString(k) << false;
    }
  }
  void every_kind_lays_out_cleanly_at_every_size_and_dpi() {
    QFETCH(QString, kind);
    QFETCH(bool, title);
    for (double inches : {2.5, 3.3, 7.5}) {
      FigureRequest r = request_for(kind.toStdString(), image_);
      r.title = title;
      r.width_pt = inches * 72;
      views::FigureImages images;
      QStringList warnings;
      const views::Figure f = views::build_figure(r, r.pages.front(), images, &warnings);
      views::ExportOptions o;
      o.size_pt = QSizeF(r.width_pt, 0);
      views::FigureLayout at72;
      for (int dpi : {72, 150, 300, 600}) {
        o.dpi = dpi;
        views::FigureLayout layout;
        const QImage png = views::render_image(f, o, &layout);
        const QString where = QString("%1 at %2 in, %3 DPI").arg(kind).arg(inches).arg(dpi);
        QVERIFY2(!layout.texts.empty() || !title, qPrintable(where + ": no text reported"));
        QVERIFY2(!layout.data.empty(), qPrintable(where + ": no data reported"));
        QVERIFY2(std::abs(layout.canvas.width() - r.width_pt) < 1e-6, qPrintable(where));
        const QStringList problems = views::layout_problems(layout);
        QVERIFY2(problems.isEmpty(), qPrintable(where + ":\n" + problems_text(problems)));
        for (const views::TextBox& t : layout.texts)  // names and numbers are never cut short
          QVERIFY2(!t.text.contains(QChar(0x2026)), qPrintable(where + ": elided '" + t.text + "'"));
        // Pixels: the size in points times DPI / 72.
        QCOMPARE(png.width(), int(std::lround(r.width_pt * dpi / 72)));
        QCOMPARE(png.height(), int(std::lround(layout.canvas.height() * dpi / 72)));
        if (dpi == 72) {
          at72 = layout;
          continue;
        }
        // The same layout in points at every DPI: the higher DPI's image is the 72 DPI one scaled.
        QCOMPARE(layout.canvas, at72.canvas);
        QCOMPARE(layout.texts.size(), at72.texts.size());
        for (size_t i = 0; i < layout.texts.size(); ++i) {
          const QRectF a = layout.texts[i].box, b = at72.texts[i].box;
          const double d = std::max({std::abs(a.left() - b.left()), std::abs(a.top() - b.top()),
                                     std::abs(a.right() - b.right()), std::abs(a.bottom() - b.bottom())});
          QVERIFY2(layout.texts[i].text == at72.texts[i].text && d < 0.75,
                   qPrintable(QString("%1: '%2' moved by %3 pt from 72 DPI").arg(where, layout.texts[i].text).arg(d)));
        }
        QCOMPARE(layout.data.size(), at72.data.size());
      }
    }
  }

  void every_kind_writes_pdf_svg_and_png_headless_data() {
    QTest::addColumn<QString>("kind");
    for (const std::string& k : views::figure_kinds()) QTest::newRow(k.c_str()) << QString::fromStdString(k);
  }
  void every_kind_writes_pdf_svg_and_png_headless() {
    QFETCH(QString, kind);
    QCOMPARE(qgetenv("QT_QPA_PLATFORM"), QByteArray("offscreen"));
    for (const char* suffix : {"pdf", "svg", "png"}) {
      FigureRequest r = request_for(kind.toStdString(), image_);
      r.width_pt = 3.3 * 72;
      r.dpi = 150;
      r.out = dir_.filePath(kind + "." + suffix).toStdString();
      const views::FigureOutcome out = views::render_figures(r);
      QCOMPARE(out.files.size(), size_t(1));
      for (const std::string& w : out.warnings)
        QVERIFY2(w.find("layout problem") == std::string::npos, w.c_str());
      QFile file(QString::fromStdString(r.out));
      QVERIFY(file.open(QIODevice::ReadOnly));
      const QByteArray bytes = file.readAll();
      const QString software = views::figure_software();
      if (QByteArray(suffix) == "pdf") {
        QVERIFY(bytes.startsWith("%PDF"));
      } else if (QByteArray(suffix) == "svg") {
        QVERIFY(bytes.contains("<svg"));
        QVERIFY2(bytes.contains(("kind=" + kind).toUtf8()), bytes.left(600).constData());
      } else {
        const QImage png(QString::fromStdString(r.out));
        QCOMPARE(png.width(), int(std::lround(3.3 * 150)));
        QCOMPARE(png.text("kind"), kind);
        QCOMPARE(png.text("Software"), software);
        if (kind != "accflops" && kind != "experts") QCOMPARE(png.text("model"), QString("demo-dpn"));
      }
    }
  }

  void a_batch_writes_one_pdf_page_or_one_file_per_sample() {
    FigureRequest r = request_for("tokenmap", image_);
    r.pages.push_back(r.pages.front());
    r.pages[0].name = "a/1";
    r.pages[1].name = "b";
    r.out = dir_.filePath("batch.pdf").toStdString();
    QCOMPARE(views::render_figures(r).files.size(), size_t(1));
    QFile pdf(QString::fromStdString(r.out));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QString text = QString::fromLatin1(pdf.readAll());
    QCOMPARE(text.count(QRegularExpression("/Type\\s*/Page(?!s)")), 2);  // one page per sample
    r.out = dir_.filePath("pages/").toStdString();
    r.format = "png";
    const views::FigureOutcome files = views::render_figures(r);
    QCOMPARE(files.files.size(), size_t(2));
    QVERIFY(QFile::exists(dir_.filePath("pages/tokenmap-a_1.png")));
    QVERIFY(QFile::exists(dir_.filePath("pages/tokenmap-b.png")));
    r.out = dir_.filePath("batch.png").toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, views::render_figures(r));  // two pages need a PDF or a folder
  }

  void one_colour_per_method_and_experts_apart() {
    const QStringList kinds = {"none", "dpn", "static", "fastv", "tokenpacker", "visionzip", "pdrop", "sparsevlm"};
    QSet<QRgb> colours;
    for (const QString& k : kinds) colours.insert(views::method_style(k).color.rgb());
    QCOMPARE(colours.size(), kinds.size());
    QCOMPARE(views::method_style("fastv:k=2,r=0.5").color, views::method_style("fastv:k=3").color);
    QCOMPARE(views::method_style("static:2=2x2").color, views::method_style("static").color);
    QVERIFY(views::method_style("fastv", 1).marker != views::method_style("fastv", 0).marker);
    for (auto [kh, kw] : std::vector<std::pair<int, int>>{{1, 1}, {2, 2}, {4, 4}, {1, 2}})
      QVERIFY(!colours.contains(views::expert_color(kh, kw).rgb()));
    QCOMPARE(views::expert_name(2, 2, 1), QString("2x2"));
  }

  void token_cells_are_scaled_nearest_neighbour() {
    // The 30x20 checkerboard drawn 7.5 in wide at 300 DPI: every pixel is one of the image's colours or of the dim
    // overlay on them, never a blend (a smoothed edge would mix the two).
    FigureRequest r = request_for("tokenmap", image_);
    r.attention = false;
    r.title = false;
    r.layer = 0;  // every token kept: nothing dimmed
    views::FigureImages images;
    const views::Figure f = views::build_figure(r, r.pages.front(), images, nullptr);
    views::ExportOptions o;
    o.size_pt = QSizeF(7.5 * 72, 0);
    o.dpi = 300;
    views::FigureLayout layout;
    const QImage png = views::render_image(f, o, &layout).convertToFormat(QImage::Format_RGB32);
    // The image occupies the middle of the square (offset_y = 10 of 60): sample a row through its middle, avoiding
    // the white cell outlines (cells are 1/12 of the square).
    const QRectF sq = layout.data.front();
    const double k = png.width() / layout.canvas.width();
    const int y = int((sq.top() + sq.height() * (10 + 20) / 60.0 + sq.height() / 24) * k);
    int blends = 0;
    for (int x = int(sq.left() * k) + 2; x < int(sq.right() * k) - 2; ++x) {
      const QRgb c = png.pixel(x, y) & 0xffffff;
      if (c != 0x2060c0 && c != 0xe0e0e0 && c != 0xffffff && (c & 0xff) != 0xff) ++blends;
    }
    QVERIFY2(blends < png.width() / 20, qPrintable(QString("%1 blended pixels").arg(blends)));
  }

  void token_map_places_the_image_by_the_trace() {
    // The file is 30x20 but the trace says 60x40 padded into 60x60 with offset_y 10: the image fills the middle
    // two thirds of the square's height, whatever the file's own size.
    FigureRequest r = request_for("tokenmap", image_);
    r.attention = false;
    r.title = false;
    r.layer = 0;
    QStringList warnings;
    views::FigureImages images;
    const views::Figure f = views::build_figure(r, r.pages.front(), images, &warnings);
    QVERIFY2(warnings.join(" ").contains("model saw 60x40"), qPrintable(warnings.join(" ")));
    views::ExportOptions o;
    o.size_pt = QSizeF(200, 0);
    o.dpi = 72;
    views::FigureLayout layout;
    const QImage png = views::render_image(f, o, &layout).convertToFormat(QImage::Format_RGB32);
    const QRectF sq = layout.data.front();
    const double cell = sq.width() / kGrid;  // sample cell centres, away from the cell outlines
    const int x = int(sq.left() + 6.5 * cell);
    const QColor pad(png.pixel(x, int(sq.top() + 0.5 * cell)));        // row 0: padding
    const QColor inside(png.pixel(x, int(sq.top() + 5.5 * cell)));     // row 5: the image
    QCOMPARE(pad, QColor(122, 116, 104));  // LLaVA's padding colour, above the image
    QVERIFY(inside != pad);
  }

  void a_merged_token_covers_only_its_cells() {
    // FastV's merged token at layer 6 covers cells 1, 3 and 14 of its rectangle [0,2) x [1,4): cell 2 stays dimmed.
    const RunTrace t = make_trace("fastv");
    QImage white(60, 40, QImage::Format_RGB32);
    white.fill(Qt::white);
    QImage canvas(240, 240, QImage::Format_RGB32);
    canvas.fill(Qt::black);
    QPainter p(&canvas);
    views::begin_figure(p);
    views::TokenMapStyle style;
    style.caption = false;
    style.cells = false;
    views::paint_token_map(p, QRectF(0, 0, 240, 240), white, t, 6, style);
    p.end();
    // Rows 0 and 1 lie in the padding (offset_y 10 of 60). Cell 3 (row 0, column 3) is the merged token's; cell 13
    // (row 1, column 1) lies in its rectangle but is not one of its cells, and FastV dropped it (odd column).
    const int cell = 240 / kGrid;
    const QColor kept(canvas.pixel(cell * 3 + cell / 2, cell / 2));
    const QColor dropped(canvas.pixel(cell * 1 + cell / 2, cell + cell / 2));
    QVERIFY2(kept.value() > dropped.value() + 40, qPrintable(kept.name() + " vs " + dropped.name()));
  }

  void bad_requests_name_the_option() {
    FigureRequest r = request_for("tokenmap", image_);
    r.layer = 99;
    views::FigureImages images;
    try {
      views::build_figure(r, r.pages.front(), images, nullptr);
      QFAIL("no error for --layer 99");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("--layer"), e.what());
    }
    r = request_for("router", image_);
    r.out = dir_.filePath("x.bmp").toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, views::render_figures(r));
    r.out = dir_.filePath("x.png").toStdString();
    r.dpi = 5000;
    QVERIFY_THROWS_EXCEPTION(Error, views::render_figures(r));
  }
};

QTEST_MAIN(FigureLayoutTest)
#include "figure_layout_test.moc"
