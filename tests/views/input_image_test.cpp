// The image as the model saw it: an EXIF-rotated, non-square phone-style JPEG is shown unrotated (as PIL's
// convert('RGB') and core decode it), the geometry comes from the run's trace, and the token cells land on the
// pixels they were computed from (colours checked under specific cells of a rendered map).
#include <QImageReader>
#include <QPainter>
#include <QTemporaryDir>
#include <QtTest>

#include "views/explore_view.h"
#include "views/figures/token_map_figure.h"
#include "views/input_image.h"
#include "views/session.h"

using namespace dpn;

namespace {
// tests/views/make_exif_image.py: stored 96x64 (red | green over blue | yellow), EXIF orientation 6.
const QString kRotated = DPN_TEST_DATA "/views/exif_rotated.jpg";
const QColor kRed(255, 0, 0), kGreen(0, 255, 0), kBlue(0, 0, 255), kYellow(255, 255, 0);
const QColor kPad(122, 116, 104);  // int(255 * CLIP mean), LLaVA's expand2square fill

bool near(const QColor& a, const QColor& b) {
  return std::abs(a.red() - b.red()) <= 24 && std::abs(a.green() - b.green()) <= 24 && std::abs(a.blue() - b.blue()) <= 24;
}
}  // namespace

class InputImageTest : public QObject {
  Q_OBJECT
 private slots:
  void the_fixture_is_rotated_by_exif() {
    QImageReader reader(kRotated);
    QCOMPARE(reader.transformation(), QImageIOHandler::TransformationRotate90);
    reader.setAutoTransform(true);
    QCOMPARE(reader.read().size(), QSize(64, 96));  // what a photo viewer shows
  }

  void explore_shows_the_stored_pixels_unrotated() {
    views::Session session;
    views::ExploreView view(&session);
    view.setImage(kRotated);
    QCOMPARE(view.imagePath(), kRotated);
    QCOMPARE(view.image().size(), QSize(96, 64));
    QVERIFY(near(view.image().pixelColor(10, 10), kRed));
    QVERIFY(near(view.image().pixelColor(85, 10), kGreen));
    QVERIFY(near(view.image().pixelColor(10, 55), kBlue));
  }

  void token_cells_land_on_the_pixels_the_model_saw() {
    const QImage image = views::load_input_image(kRotated);
    ModelOptions mo;
    mo.path = "tiny-random";  // 7x7 base grid
    mo.threads = 1;
    AskOptions q;
    q.image_path = kRotated.toStdString();
    q.question = "What is the background color?";
    q.max_new_tokens = 1;
    const AskResult r = Model::load(mo)->ask(q);
    // Core decodes without the EXIF rotation: 96x64, padded to 96x96 with 16 rows above and below.
    const ImageGeometry& g = r.trace.image;
    // (orig_w, orig_h, side, offset_x, offset_y, grid_h, grid_w)
    QCOMPARE((QList<int>{g.orig_w, g.orig_h, g.side, g.offset_x, g.offset_y, g.grid_h, g.grid_w}),
             (QList<int>{96, 64, 96, 0, 16, 7, 7}));
    QCOMPARE(int(r.trace.layers.at(0).regions.size()), 49);

    // 700 px square: each base cell is 100 px; the padded square's rows of 13.7 model pixels: row 0 and row 6 are
    // padding only, row 2 lies in the top half of the image (model y 27-41 -> image y 11-25), row 4 in the bottom
    // half (image y 39-53); columns 0-2 left of the vertical split at x = 48, columns 4-6 right of it.
    QImage canvas(700, 700, QImage::Format_RGB32);
    canvas.fill(Qt::white);
    {
      QPainter p(&canvas);
      views::TokenMapStyle style;
      style.caption = false;
      style.cells = false;
      views::paint_token_map(p, QRectF(0, 0, 700, 700), image, r.trace, 0, style);
    }
    auto at = [&](int row, int col) { return canvas.pixelColor(col * 100 + 50, row * 100 + 50); };
    for (int c = 0; c < 7; ++c) {
      QVERIFY2(near(at(0, c), kPad), qPrintable(QString("row 0 col %1: %2").arg(c).arg(at(0, c).name())));
      QVERIFY2(near(at(6, c), kPad), qPrintable(QString("row 6 col %1: %2").arg(c).arg(at(6, c).name())));
    }
    for (int c : {0, 1, 2}) {
      QVERIFY2(near(at(2, c), kRed), qPrintable(at(2, c).name()));
      QVERIFY2(near(at(4, c), kBlue), qPrintable(at(4, c).name()));
    }
    for (int c : {4, 5, 6}) {
      QVERIFY2(near(at(2, c), kGreen), qPrintable(at(2, c).name()));
      QVERIFY2(near(at(4, c), kYellow), qPrintable(at(4, c).name()));
    }
    // The layout puts the image where the trace says, whatever the QImage is: a wrongly sized image still fills
    // the traced rectangle (rows 1.17..5.83 of 7).
    const views::InputLayout geo = views::input_layout(g, QRectF(0, 0, 700, 700));
    QCOMPARE(geo.image, QRectF(0, 700.0 * 16 / 96, 700, 700.0 * 64 / 96));
    QCOMPARE(geo.cells({2, 4, 3, 5}), QRectF(400, 200, 100, 100));
  }

  void a_merge_of_scattered_cells_covers_only_those_cells() {
    // One token merged from cells 0 and 10 of a 4x4 grid (its rectangle spans rows 0-2, columns 0-2) and plain tokens
    // on cells 14 and 15: everything else is faded, and the merged token's heat lands on its own cells only.
    RunTrace t;
    t.image = {40, 40, 40, 0, 0, 336, 4, 4};
    LayerTrace l;
    l.layer = 0, l.visual = 3;
    l.regions = {{0, 0, 3, 3, {0, 10}}, {3, 3, 4, 4, {}}, {3, 2, 4, 3, {}}};
    l.attention = {1.0f, 0.5f, 0.0f};
    t.layers = {l};
    QCOMPARE(views::covered_cells(l.regions[0], 4, 4), (std::vector<int>{0, 10}));
    QCOMPARE(views::covered_cells(l.regions[1], 4, 4), (std::vector<int>{15}));
    QImage white(40, 40, QImage::Format_RGB32);
    white.fill(Qt::white);
    QImage canvas(400, 400, QImage::Format_RGB32);
    {
      QPainter p(&canvas);
      views::TokenMapStyle style;
      style.caption = false;
      style.cells = false;
      style.heatmap = true;
      views::paint_token_map(p, QRectF(0, 0, 400, 400), white, t, 0, style);
    }
    auto at = [&](int cell) { return canvas.pixelColor((cell % 4) * 100 + 50, (cell / 4) * 100 + 50); };
    QVERIFY(at(0) != at(1));   // merged cell (heat) vs a dropped one inside the same rectangle (dimmed)
    QCOMPARE(at(0), at(10));   // both merged cells carry the token's heat
    // Inside the rectangle, not covered: dropped, which the heatmap shows faded toward white (its dark end means low
    // attention; views/figures/token_map_figure.cpp); a plain token of middling heat keeps its colour.
    QVERIFY(at(5).lightness() > 200);
    QVERIFY(at(15).lightness() < 200);
    const views::InputLayout geo = views::input_layout(t.image, QRectF(0, 0, 400, 400));
    QVERIFY(geo.area(l.regions[0]).contains(QPointF(250, 250)));
    QVERIFY(!geo.area(l.regions[0]).contains(QPointF(150, 150)));
  }

  void alpha_is_dropped_not_composited() {
    // PIL's convert('RGB') keeps the colour under a transparent pixel; so does the view.
    QTemporaryDir dir;
    QImage rgba(4, 4, QImage::Format_ARGB32);
    rgba.fill(QColor(10, 200, 30, 0));
    const QString path = dir.filePath("transparent.png");
    QVERIFY(rgba.save(path));
    const QImage seen = views::load_input_image(path);
    QCOMPARE(seen.pixelColor(1, 1), QColor(10, 200, 30));
    QString error;
    QVERIFY(views::load_input_image(dir.filePath("missing.png"), &error).isNull());
    QVERIFY(!error.isEmpty());
  }
};

QTEST_MAIN(InputImageTest)
#include "input_image_test.moc"
