// The per-layer token map: the image as the model saw it (placed in LLaVA's padded square by the trace's geometry)
// with the visual tokens that survive at one decoder layer drawn as cells of their pooled size; dropped cells dimmed;
// optionally the attention heatmap with its colour bar and a statement of how attention was aggregated.
#pragma once
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <cmath>

#include "dpn.h"
#include "views/figures/figure_layout.h"

namespace dpn::views {

struct TokenMapStyle {
  bool cells = true;     // outline the surviving tokens
  bool heatmap = false;  // colour tokens by the attention they receive from the last prompt token
  bool caption = true;   // "layer L - N visual tokens (HxW)" above the image
  QString title;         // replaces the caption when not empty
  bool color_bar = true; // with the heatmap: the colour scale and the aggregation statement under the image
  int heads = 0;         // attention heads the engine averaged (for the statement); 0 = not known
  double heat_lo = NAN, heat_hi = NAN;  // colour scale; NaN = this layer's own range (compare shares one)
};

// Paints layer `layer` (an index into trace.layers) fitted into `area`. The image's placement comes from
// trace.image (original size, padding offsets, base grid), never from the QImage's own size: the QImage is stretched
// into the rectangle the model's input had. Missing data (no image, no layer) paints a plain placeholder with the
// reason, never throws.
FigureLayout paint_token_map(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int layer,
                             const TokenMapStyle& style);

// Visual tokens per layer as "N" or "N (HxW)" for captions and tables.
QString layer_caption(const LayerTrace& layer);
// "9 visual tokens (3x3)", or "72 of 144 visual tokens" when the survivors are not a grid (FastV), for titles.
QString visual_tokens_text(const RunTrace& trace, const LayerTrace& layer);
// "attention each visual token receives from the last prompt token at layer L (prefill, mean over H heads)".
QString attention_statement(int layer, int heads);
// The height paint_token_map needs at `width` for a square image (caption and colour bar included).
double token_map_height(const QPainter& p, double width, const RunTrace& trace, int layer, const TokenMapStyle& style);

}  // namespace dpn::views
