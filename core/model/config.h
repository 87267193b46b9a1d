// Hyper-parameters of a LLaVA checkpoint, read from config.json in either layout (original LLaVA or HF llava-hf),
// with the default tables of LlamaConfig and CLIPVisionConfig applied to sparse configs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dpn {

// Which key naming a checkpoint uses (llava-detail.md §3.1-3.3).
enum class Layout {
  Original,  // model.*, lm_head, model.mm_projector.{0,2}; CLIP in a separate folder (vision_model.*)
  HfLegacy,  // language_model.model.*, language_model.lm_head, vision_tower.vision_model.*, multi_modal_projector.*
  HfNew,     // model.language_model.*, lm_head, model.vision_tower.vision_model.*, model.multi_modal_projector.*
};
const char* layout_name(Layout layout);

struct TextConfig {
  int hidden = 4096;
  int intermediate = 11008;
  int layers = 32;
  int heads = 32;
  int kv_heads = 32;
  int vocab = 32000;
  int max_positions = 4096;
  double rms_eps = 1e-6;  // LlamaConfig default; LLaVA-1.5 configs say 1e-5
  double rope_theta = 10000.0;
  int bos_id = 1;
  int eos_id = 2;
  int head_dim() const { return hidden / heads; }
};

struct VisionConfig {
  int hidden = 768;  // CLIPVisionConfig defaults
  int intermediate = 3072;
  int layers = 12;
  int heads = 12;
  int image_size = 224;
  int patch_size = 32;
  int channels = 3;
  double ln_eps = 1e-5;
  std::string act = "quick_gelu";
  int grid() const { return image_size / patch_size; }
  int patches() const { return grid() * grid(); }
};

// One DPE layer of the `pooling` section (dpn-detail.md §2.6): experts as (kernel_h, kernel_w), kernel = stride.
struct PoolingLayer {
  int index = 0;
  std::vector<std::pair<int, int>> experts;
};

enum class PoolingType { Static, Adaptive, Random };  // pooling_type: fixed kernel, router, uniform draw
enum class PoolFunction { Max, Avg, Conv };           // pooling_function (conv: learned depthwise experts)
enum class PoolLocation { Pre, Post };                // pooling_location: before or after the DPE layer
enum class RouterVersion { V1, V2 };                  // v1 LN -> Linear(D, D/4) -> GELU -> Linear; v2 Linear(D, E)
const char* pooling_type_name(PoolingType t);
const char* pool_function_name(PoolFunction f);
const char* pool_location_name(PoolLocation l);

// dpn-detail.md §1.6 guard: a sample with fewer visual tokens than this is not pooled (no router either).
constexpr int64_t kDpnMinPoolTokens = 16;

struct PoolingConfig {
  bool present = false;
  PoolingType type = PoolingType::Static;
  std::vector<PoolingLayer> layers;
  PoolFunction function = PoolFunction::Max;
  PoolLocation location = PoolLocation::Post;
  RouterVersion router_version = RouterVersion::V1;
  bool use_special_token = false;
  bool prepooling = false;
};

// LLaVA-HR's slow branch, a timm ConvNeXt (llava-detail.md §7.1): stem 4x4/4, then 4 stages (stages 1-3 halve).
struct SlowVisionConfig {
  std::string name;              // vision_tower_slow, e.g. convnext_large_mlp.clip_laion2b_ft_320
  std::vector<int> dims, depths;  // per stage
  double ln_eps = 1e-6;
  int hidden() const { return dims.empty() ? 0 : dims.back(); }
  int grid(int input_size) const;  // side of the final stage map: floor(S/4), then floor(/2) three times
};

// LLaVA-HR / HR-X dual-path tower (config is_multipath_encoder); absent (enabled = false) for LLaVA-1.5.
struct MultipathConfig {
  bool enabled = false;
  int input_size = 1024;  // input_image_size: preprocessing size and the slow branch's input
  bool adapters = true;   // !freeze_vision: the three align_stages_latent MR-adapters exist
  SlowVisionConfig slow;
  // The fast CLIP sees max(int(S/32*P), clip image_size) px (the reference's max(int(S/32*14), 336)).
  int fast_size(const VisionConfig& clip) const;
  int fast_grid(const VisionConfig& clip) const { return fast_size(clip) / clip.patch_size; }
};

// TokenPacker projector (CircleRadon/TokenPacker builder.py): detected by its weights, since the official scripts
// write mm_projector_type "mlp2x_gelu" for it too.
struct TokenPackerConfig {
  int scale = 2;                           // scale_factor: the G x G grid becomes (G/scale) x (G/scale) tokens
  std::vector<int> levels{12, 16, 22, 23}; // CLIP hidden_states indices concatenated as the multi-level feature
  int heads = 8;                           // official: 1024 // 128
};

struct LlavaConfig {
  std::string model_dir;
  std::string config_path;
  std::string vision_dir;  // folder of the CLIP tower (original layout); empty for HF layouts
  Layout layout = Layout::Original;
  TextConfig text;
  VisionConfig vision;
  int select_layer = -2;      // mm_vision_select_layer / vision_feature_layer
  bool drop_cls = true;       // select_feature "patch" / strategy "default"
  std::string projector = "mlp2x_gelu";
  int mm_hidden = 0;          // projector input width (= vision.hidden)
  int image_token_index = -1; // HF layouts: id of <image>; original: -200 sentinel only
  std::string aspect = "pad";
  std::vector<double> image_mean{0.48145466, 0.4578275, 0.40821073};
  std::vector<double> image_std{0.26862954, 0.26130258, 0.27577711};
  std::string conv_template = "vicuna_v1";
  PoolingConfig pooling;
  MultipathConfig multipath;
  TokenPackerConfig tokenpacker;  // used when projector == "tokenpacker"

  // Side of the square image the model is fed (LLaVA-1.5: the CLIP size; LLaVA-HR: input_image_size).
  int input_size() const;
  // Side of the visual-token grid that enters the LLM (LLaVA-1.5: the CLIP grid; LLaVA-HR: the fast grid, halved
  // by prepooling). The token-map views draw this grid over the input_size() square.
  int base_grid() const;

  // Number of CLIP encoder layers to run so that the selected hidden state is the last one computed.
  int vision_layers_to_run() const;
};

// Reads `model_dir/config.json`. The original layout's vision tower is found from `mm_vision_tower`: an existing path,
// else relative to the model folder, else a sibling folder named like its last path component; `vision_override`
// (the --vision-tower flag) wins over all. Throws dpn::Error naming the file and field.
LlavaConfig load_llava_config(const std::string& model_dir, const std::string& vision_override = "");

}  // namespace dpn
