// Profiler: the last run's timeline rendered with Dear ImGui inside a QOpenGLWidget: stages and decoder layers as
// bars on one time axis (hover for ms, tokens, FLOPs; wheel to zoom, drag to pan) and memory (KV cache, RSS).
#pragma once
#include <QElapsedTimer>
#include <QOpenGLWidget>
#include <QString>
#include <vector>

#include "views/run_document.h"

struct ImGuiContext;

namespace dpn::views {

// The bars the timeline draws, laid out from a run (plain data; built on set, drawn every frame).
struct ProfileBar {
  int row = 0;          // 0 stages, 1 decoder layers (prefill)
  double start_ms = 0, ms = 0;
  QString label;
  QString detail;       // tooltip text
};
std::vector<ProfileBar> profile_bars(const AskResult& result);

class ProfilerDock : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit ProfilerDock(QWidget* parent = nullptr);
  ~ProfilerDock() override;
  void setRun(const RunDocument& doc);
  const std::vector<ProfileBar>& bars() const { return bars_; }
  int framesRendered() const { return frames_; }
  bool imguiReady() const { return ready_; }
  QString hovered() const { return hovered_; }  // label of the bar under the mouse in the last frame

 protected:
  void initializeGL() override;
  void paintGL() override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  void drawFrame();
  ImGuiContext* ctx_ = nullptr;
  bool ready_ = false;
  int frames_ = 0;
  QElapsedTimer clock_;
  std::vector<ProfileBar> bars_;
  QString title_;
  int64_t kv_bytes_ = 0, rss_bytes_ = 0;
  std::vector<std::pair<int, int64_t>> kv_layers_;
  double zoom_ = 1, offset_ms_ = 0;
  QString hovered_;
  float mouse_x_ = -1, mouse_y_ = -1;
  bool mouse_down_ = false;
  float wheel_ = 0;
};

}  // namespace dpn::views
