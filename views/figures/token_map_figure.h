// The per-layer token map: the image (padded to a square as LLaVA does) with the visual tokens that survive at one
// decoder layer drawn as cells of their pooled size; dropped cells dimmed; optionally the attention heatmap.
#pragma once
#include <QImage>
#include <QPainter>
#include <QRectF>

#include "dpn.h"

namespace dpn::views {

struct TokenMapStyle {
  bool cells = true;     // outline the surviving tokens
  bool heatmap = false;  // colour tokens by the attention they receive from the last prompt token
  bool caption = true;   // "layer L - N tokens - grid HxW" above the image
};

// Paints layer `layer` (an index into trace.layers) fitted into `area`. Missing data (no image, no layer) paints a
// plain placeholder with the reason, never throws.
void paint_token_map(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int layer,
                     const TokenMapStyle& style);

// Visual tokens per layer as "N" or "N (HxW)" for captions and tables.
QString layer_caption(const LayerTrace& layer);

}  // namespace dpn::views
