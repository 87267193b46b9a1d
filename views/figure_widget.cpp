// Paints the figure at the widget's size, in points; the context menu offers the exports.
#include "views/figure_widget.h"

#include <QContextMenuEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QSettings>
#include <QSpinBox>

#include "util/error.h"
#include "views/figure_export.h"
#include "views/figures/figure_text.h"

namespace dpn::views {

namespace {
constexpr double kMargin = 3;  // points around the figure
}

FigureWidget::FigureWidget(QWidget* parent) : QWidget(parent) {
  setMinimumSize(120, 90);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void FigureWidget::setFigure(Figure figure) {
  figure_ = std::move(figure);
  setToolTip(figure_.meta.title);
  update();
}

double FigureWidget::pointScale() const { return logicalDpiY() / 72.0; }

QRectF FigureWidget::figureArea() const {
  const double k = pointScale();
  return QRectF(0, 0, std::max(1.0, width() / k - 2 * kMargin), std::max(1.0, height() / k - 2 * kMargin));
}

void FigureWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  if (!figure_.valid()) return;
  begin_figure(p);
  const double k = pointScale();
  p.scale(k, k);
  p.translate(kMargin, kMargin);
  figure_.paint(p, figureArea());
}

void FigureWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  const double k = pointScale();
  emit clicked(event->position() / k - QPointF(kMargin, kMargin), figureArea().size());
}

void FigureWidget::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  menu.addAction("Export figure\u2026", this, &FigureWidget::exportWithDialog);
  menu.exec(event->globalPos());
}

void FigureWidget::exportWithDialog() {
  QSettings settings;
  QString dir = settings.value("export/dir").toString();
  QString path = QFileDialog::getSaveFileName(this, "Export figure", dir + "/" + figure_.meta.title + ".pdf",
                                              "PDF document (*.pdf);;SVG drawing (*.svg);;PNG image (*.png)");
  if (path.isEmpty()) return;
  // Physical size: a single column (3.3 in) by default, the height the figure needs at that width.
  QDialog size_dialog(this);
  size_dialog.setWindowTitle("Figure size");
  auto* form = new QFormLayout(&size_dialog);
  auto* width = new QDoubleSpinBox;
  width->setRange(1.5, 14);
  width->setSingleStep(0.1);
  width->setSuffix(" in");
  width->setValue(settings.value("export/width_in", 3.3).toDouble());
  form->addRow("Width", width);
  auto* dpi = new QSpinBox;
  dpi->setRange(24, 2400);
  dpi->setValue(settings.value("export/dpi", 300).toInt());
  dpi->setEnabled(path.endsWith(".png", Qt::CaseInsensitive));
  form->addRow("PNG resolution (DPI)", dpi);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, &size_dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &size_dialog, &QDialog::reject);
  form->addRow(buttons);
  if (size_dialog.exec() != QDialog::Accepted) return;
  settings.setValue("export/width_in", width->value());
  settings.setValue("export/dpi", dpi->value());
  settings.setValue("export/dir", QFileInfo(path).absolutePath());
  ExportOptions options;
  options.size_pt = QSizeF(width->value() * 72, 0);
  options.dpi = dpi->value();
  try {
    export_figure(figure_, path, options);
    emit exported(path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, "Export failed", e.what());
  }
}

}  // namespace dpn::views
