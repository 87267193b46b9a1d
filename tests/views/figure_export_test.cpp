// Figure export: the same paint function to PNG (DPI scales pixels), SVG (title/description embedded) and PDF;
// the token map's pixels show kept cells bright and dropped cells dimmed.
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "util/error.h"
#include "views/figure_export.h"
#include "views/figures/token_map_figure.h"
#include "views/figures/token_strip_figure.h"

using namespace dpn;

namespace {
// A 4x4 base grid over a 40x40 image; layer 0 keeps all 16 cells, layer 1 keeps only the top-left 2x2 block
// (as one pooled token) and drops the rest.
RunTrace two_layer_trace() {
  RunTrace t;
  t.image = {40, 40, 40, 0, 0, 336, 4, 4};  // 40x40 original, no padding, 4x4 base grid
  LayerTrace a;
  a.layer = 0, a.visual = 16, a.grid_h = a.grid_w = 4;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) a.regions.push_back({i, j, i + 1, j + 1});
  LayerTrace b;
  b.layer = 1, b.visual = 1;
  b.regions.push_back({0, 0, 2, 2});
  t.layers = {a, b};
  return t;
}
views::Figure token_map(const QImage& img, const RunTrace& t, int layer) {
  views::Figure f;
  views::TokenMapStyle style;
  style.caption = false;
  style.cells = false;
  f.paint = [=](QPainter& p, const QRectF& r) { views::paint_token_map(p, r, img, t, layer, style); };
  f.size = QSizeF(200, 200);
  f.meta = {"token map - layer 1", "model=tiny-random; method=static:1=2"};
  return f;
}
}  // namespace

class FigureExportTest : public QObject {
  Q_OBJECT
 private slots:
  void png_scales_with_dpi_and_shows_dropped_cells_dimmed() {
    QTemporaryDir dir;
    QImage white(40, 40, QImage::Format_RGB32);
    white.fill(Qt::white);
    const QString path = dir.filePath("map.png");
    views::export_figure(token_map(white, two_layer_trace(), 1), path, 192);
    QImage png(path);
    QCOMPARE(png.size(), QSize(400, 400));  // 200 px at 96 dpi -> 400 px at 192 dpi
    QCOMPARE(png.text("Description"), QString("model=tiny-random; method=static:1=2"));
    // Kept top-left block stays white; a dropped cell (bottom-right) is dimmed to dark grey.
    QCOMPARE(QColor(png.pixel(50, 50)), QColor(Qt::white));
    QColor dropped(png.pixel(350, 350));
    QVERIFY2(dropped.value() < 110, qPrintable(dropped.name()));
  }

  void svg_carries_title_and_parameters() {
    QTemporaryDir dir;
    QImage img(40, 40, QImage::Format_RGB32);
    img.fill(Qt::blue);
    const QString path = dir.filePath("map.svg");
    views::export_figure(token_map(img, two_layer_trace(), 0), path);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray svg = f.readAll();
    QVERIFY(svg.contains("<title>token map - layer 1</title>"));
    QVERIFY(svg.contains("<desc>model=tiny-random; method=static:1=2; software=DPN Studio"));
    QVERIFY(svg.contains("<image"));  // the picture is embedded
  }

  void pdf_is_written() {
    QTemporaryDir dir;
    QImage img(40, 40, QImage::Format_RGB32);
    img.fill(Qt::red);
    const QString path = dir.filePath("map.pdf");
    views::export_figure(token_map(img, two_layer_trace(), 0), path);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5) == "%PDF-");
    QVERIFY(f.size() > 500);
  }

  void unknown_format_and_empty_figure_are_errors_naming_the_file() {
    QTemporaryDir dir;
    QImage img(8, 8, QImage::Format_RGB32);
    const QString bad = dir.filePath("map.bmp");
    try {
      views::export_figure(token_map(img, two_layer_trace(), 0), bad);
      QFAIL("expected dpn::Error");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("map.bmp"));
      QVERIFY(QString(e.what()).contains("png, svg or pdf"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, views::export_figure(views::Figure{}, dir.filePath("x.png")));
    QVERIFY(!QFile::exists(dir.filePath("x.png")));
  }

  void strip_hit_maps_clicks_to_layers() {
    const QRectF area(0, 0, 400, 100);
    // 2 layers in 400x100: two columns side by side.
    QCOMPARE(views::token_strip_hit(area, 2, QPointF(50, 50)), 0);
    QCOMPARE(views::token_strip_hit(area, 2, QPointF(350, 50)), 1);
    QCOMPARE(views::token_strip_hit(area, 2, QPointF(500, 50)), -1);
    QCOMPARE(views::token_strip_hit(area, 0, QPointF(50, 50)), -1);
  }
};

QTEST_MAIN(FigureExportTest)
#include "figure_export_test.moc"
