// The ImGui profiler: Qt feeds it input and a GL context, ImGui draws the timeline with its draw lists.
#include "views/profiler_dock.h"

#include <QFile>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"
#include "views/figures/figure.h"

namespace dpn::views {

namespace {
int64_t resident_bytes() {
  QFile f("/proc/self/statm");
  if (!f.open(QIODevice::ReadOnly)) return 0;
  const QList<QByteArray> parts = f.readAll().split(' ');
  return parts.size() > 1 ? parts[1].toLongLong() * 4096 : 0;
}
ImU32 color_u32(const QColor& c, int alpha = 255) { return IM_COL32(c.red(), c.green(), c.blue(), alpha); }
}  // namespace

std::vector<ProfileBar> profile_bars(const AskResult& r) {
  std::vector<ProfileBar> bars;
  double t = 0, prefill_start = -1;
  for (const StageTrace& s : r.trace.stages) {
    if (s.name == "prefill") prefill_start = t;
    bars.push_back({0, t, s.ms, QString::fromStdString(s.name),
                    QString("%1\n%2 ms\n%3FLOPs").arg(QString::fromStdString(s.name)).arg(s.ms, 0, 'f', 2)
                        .arg(s.flops > 0 ? format_flops(s.flops) : QString("- "))});
    t += s.ms;
  }
  double lt = std::max(0.0, prefill_start);
  for (const LayerTrace& l : r.trace.layers) {
    bars.push_back({1, lt, l.ms, QString("L%1").arg(l.layer),
                    QString("decoder layer %1\n%2 ms\n%3 tokens (%4 visual)\n%5FLOPs\nKV %6 KiB")
                        .arg(l.layer).arg(l.ms, 0, 'f', 3).arg(l.seq_len).arg(l.visual)
                        .arg(l.flops > 0 ? format_flops(l.flops) : QString("- ")).arg(l.kv_bytes / 1024)});
    lt += l.ms;
  }
  return bars;
}

ProfilerDock::ProfilerDock(QWidget* parent) : QOpenGLWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(120);  // the timeline rows; memory lines below scroll out of view when the dock is this short
  clock_.start();
}

ProfilerDock::~ProfilerDock() {
  if (!ctx_) return;
  makeCurrent();
  ImGui::SetCurrentContext(ctx_);
  if (ready_) ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext(ctx_);
  doneCurrent();
}

void ProfilerDock::setRun(const RunDocument& doc) {
  bars_ = profile_bars(doc.result);
  kv_bytes_ = doc.result.kv_cache_bytes;
  rss_bytes_ = resident_bytes();
  kv_layers_.clear();
  for (const LayerTrace& l : doc.result.trace.layers) kv_layers_.push_back({l.layer, l.kv_bytes});
  title_ = QString("%1 \u00b7 %2 \u00b7 \"%3\"").arg(doc.model, doc.method, doc.question.simplified().left(60));
  zoom_ = 1, offset_ms_ = 0;
  update();
}

void ProfilerDock::initializeGL() {
  ctx_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui::StyleColorsLight();
  ImGui::GetStyle().WindowRounding = 0;
  ready_ = ImGui_ImplOpenGL3_Init(nullptr);
}

void ProfilerDock::mouseMoveEvent(QMouseEvent* e) {
  if (mouse_down_ && mouse_x_ >= 0) offset_ms_ -= (e->position().x() - mouse_x_) / std::max(1.0, zoom_ * width()) * 1000;
  mouse_x_ = float(e->position().x()), mouse_y_ = float(e->position().y());
  update();
}
void ProfilerDock::mousePressEvent(QMouseEvent* e) {
  mouse_down_ = e->button() == Qt::LeftButton;
  update();
}
void ProfilerDock::mouseReleaseEvent(QMouseEvent*) {
  mouse_down_ = false;
  update();
}
void ProfilerDock::wheelEvent(QWheelEvent* e) {
  wheel_ += float(e->angleDelta().y() / 120.0);
  update();
}
void ProfilerDock::leaveEvent(QEvent*) {
  mouse_x_ = mouse_y_ = -1;
  update();
}

void ProfilerDock::paintGL() {
  QOpenGLFunctions* gl = context()->functions();
  const qreal dpr = devicePixelRatioF();
  gl->glViewport(0, 0, int(width() * dpr), int(height() * dpr));
  gl->glClearColor(0.97f, 0.97f, 0.97f, 1);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  if (!ctx_ || !ready_) return;
  ImGui::SetCurrentContext(ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(width()), float(height()));
  io.DisplayFramebufferScale = ImVec2(float(dpr), float(dpr));
  io.DeltaTime = std::max(1e-4f, float(clock_.restart()) / 1000.f);
  io.MousePos = ImVec2(mouse_x_, mouse_y_);
  io.MouseDown[0] = mouse_down_;
  io.MouseWheel = wheel_;
  wheel_ = 0;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  drawFrame();
  ImGui::Render();
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  ++frames_;
}

void ProfilerDock::drawFrame() {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
  ImGui::Begin("profiler", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  if (bars_.empty()) {
    ImGui::TextUnformatted("Profiler: run a question to see its timeline.");
    ImGui::End();
    hovered_.clear();
    return;
  }
  double total = 0;
  for (const ProfileBar& b : bars_) total = std::max(total, b.start_ms + b.ms);
  ImGui::Text("Last run: %s   total %.1f ms   (wheel: zoom, drag: pan)", title_.toUtf8().constData(), total);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float label_w = 70, row_h = 26, axis_h = 18;
  const float plot_w = std::max(50.f, ImGui::GetContentRegionAvail().x - label_w);
  // Zoom around the mouse, keep the view inside [0, total].
  if (ImGui::IsWindowHovered() && ImGui::GetIO().MouseWheel != 0) {
    const double span = total / zoom_;
    const double at = offset_ms_ + (ImGui::GetIO().MousePos.x - origin.x - label_w) / plot_w * span;
    zoom_ = std::clamp(zoom_ * std::pow(1.25, ImGui::GetIO().MouseWheel), 1.0, 1000.0);
    offset_ms_ = at - (at - offset_ms_) * (span / zoom_) / span;
  }
  const double span = total / zoom_;
  offset_ms_ = std::clamp(offset_ms_, 0.0, std::max(0.0, total - span));
  auto x_of = [&](double ms) { return origin.x + label_w + float((ms - offset_ms_) / span * plot_w); };
  // Time axis.
  // Tick step: the smallest 1, 2 or 5 x 10^k giving at most ~plot_w / 90 ticks, so labels never overlap.
  const double want = span / std::max(2.f, plot_w / 90.f), mag = std::pow(10, std::floor(std::log10(std::max(1e-9, want))));
  const double step = want <= mag ? mag : want <= 2 * mag ? 2 * mag : want <= 5 * mag ? 5 * mag : 10 * mag;
  for (double t = std::ceil(offset_ms_ / step) * step; t <= offset_ms_ + span; t += step) {
    float x = x_of(t);
    dl->AddLine(ImVec2(x, origin.y + axis_h - 4), ImVec2(x, origin.y + axis_h + 2 * row_h + 8), IM_COL32(210, 210, 210, 255));
    char buf[32];
    snprintf(buf, sizeof buf, "%g ms", t);
    dl->AddText(ImVec2(x + 2, origin.y), IM_COL32(90, 90, 90, 255), buf);
  }
  const char* rows[] = {"stages", "layers"};
  hovered_.clear();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (int row = 0; row < 2; ++row) {
    const float y = origin.y + axis_h + row * (row_h + 4);
    dl->AddText(ImVec2(origin.x, y + 5), IM_COL32(40, 40, 40, 255), rows[row]);
    int i = 0;
    for (const ProfileBar& b : bars_) {
      if (b.row != row) continue;
      float x0 = std::max(x_of(b.start_ms), origin.x + label_w), x1 = std::min(x_of(b.start_ms + b.ms), origin.x + label_w + plot_w);
      if (x1 < x0) {
        ++i;
        continue;
      }
      x1 = std::max(x1, x0 + 1);
      const ImU32 c = color_u32(series_color(row == 0 ? i : (i % 2 ? 0 : 9)), 230);
      dl->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + row_h), c);
      dl->AddRect(ImVec2(x0, y), ImVec2(x1, y + row_h), IM_COL32(255, 255, 255, 255));
      const QByteArray label = b.label.toUtf8();
      if (ImGui::CalcTextSize(label.constData()).x + 6 < x1 - x0)
        dl->AddText(ImVec2(x0 + 3, y + 6), IM_COL32(20, 20, 20, 255), label.constData());
      if (mouse.x >= x0 && mouse.x < x1 && mouse.y >= y && mouse.y < y + row_h) {
        hovered_ = b.label;
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(b.detail.toUtf8().constData());
        ImGui::EndTooltip();
      }
      ++i;
    }
  }
  ImGui::Dummy(ImVec2(label_w + plot_w, axis_h + 2 * (row_h + 4) + 6));
  ImGui::Separator();
  ImGui::Text("Memory: KV cache %.1f KiB   process RSS %.1f MiB", kv_bytes_ / 1024.0, rss_bytes_ / 1048576.0);
  int64_t kv_max = 1;
  for (const auto& kv : kv_layers_) kv_max = std::max(kv_max, kv.second);
  if (kv_max > 1) {
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float w = plot_w / std::max<size_t>(1, kv_layers_.size()), h = 30;
    for (size_t i = 0; i < kv_layers_.size(); ++i) {
      float bh = h * float(kv_layers_[i].second) / float(kv_max);
      dl->AddRectFilled(ImVec2(o.x + label_w + i * w + 1, o.y + h - bh), ImVec2(o.x + label_w + (i + 1) * w - 1, o.y + h),
                        color_u32(series_color(4)));
    }
    dl->AddText(ImVec2(o.x, o.y + 8), IM_COL32(40, 40, 40, 255), "KV/layer");
    ImGui::Dummy(ImVec2(label_w + plot_w, h + 4));
  }
  ImGui::End();
}

}  // namespace dpn::views
