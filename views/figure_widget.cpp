// Paints the figure at the widget's size; the context menu offers the exports.
#include "views/figure_widget.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QSettings>

#include "util/error.h"
#include "views/figure_export.h"

namespace dpn::views {

FigureWidget::FigureWidget(QWidget* parent) : QWidget(parent) {
  setMinimumSize(120, 90);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void FigureWidget::setFigure(Figure figure) {
  figure_ = std::move(figure);
  setToolTip(figure_.meta.title);
  update();
}

void FigureWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  p.setRenderHint(QPainter::Antialiasing);
  if (figure_.valid()) figure_.paint(p, QRectF(rect()).adjusted(4, 4, -4, -4));
}

void FigureWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton)
    emit clicked(event->position() - QPointF(4, 4), QSizeF(width() - 8, height() - 8));
}

void FigureWidget::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  menu.addAction("Export figure\u2026", this, &FigureWidget::exportWithDialog);
  menu.exec(event->globalPos());
}

void FigureWidget::exportWithDialog() {
  QSettings settings;
  QString dir = settings.value("export/dir").toString();
  QString path = QFileDialog::getSaveFileName(this, "Export figure", dir + "/" + figure_.meta.title + ".png",
                                              "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
  if (path.isEmpty()) return;
  double dpi = 144;
  if (path.endsWith(".png", Qt::CaseInsensitive)) {
    bool ok = false;
    dpi = QInputDialog::getInt(this, "PNG resolution", "DPI", settings.value("export/dpi", 144).toInt(), 24, 1200, 24,
                               &ok);
    if (!ok) return;
    settings.setValue("export/dpi", dpi);
  }
  settings.setValue("export/dir", QFileInfo(path).absolutePath());
  try {
    export_figure(figure_, path, dpi);
    emit exported(path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, "Export failed", e.what());
  }
}

}  // namespace dpn::views
