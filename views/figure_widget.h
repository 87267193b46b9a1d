// A widget that shows one Figure and exports it from its context menu; clicks are reported in figure coordinates
// (points, as the figure is drawn: fonts keep their size in points on screen as on paper).
#pragma once
#include <QWidget>

#include "views/figures/figure.h"

namespace dpn::views {

class FigureWidget : public QWidget {
  Q_OBJECT
 public:
  explicit FigureWidget(QWidget* parent = nullptr);
  void setFigure(Figure figure);
  const Figure& figure() const { return figure_; }
  // Asks for a file name (PNG/SVG/PDF), a width in inches and, for PNG, a DPI, then exports; errors are shown in a
  // message box.
  void exportWithDialog();

 signals:
  void clicked(QPointF pos, QSizeF size);
  void exported(QString path);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  double pointScale() const;  // device-independent pixels per point
  QRectF figureArea() const;  // the figure's area in points
  Figure figure_;
};

}  // namespace dpn::views
