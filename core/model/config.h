// The model description: everything about a LLaVA checkpoint that is known before a weight is read, torch-free
// (dpn_base). Hyper-parameters come from config.json in either layout (original LLaVA or HF llava-hf) with the default
// tables of LlamaConfig and CLIPVisionConfig applied to sparse configs; where each part's weights are (key layout,
// projector kind, vision tower with or without the `vision_model.` level, tied LM head) comes from the tensor names
// in the checkpoint's safetensors headers / index. Loading never changes it; the FLOPs shape derives from it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dpn {

// Which key naming a checkpoint uses (llava-detail.md §3.1-3.3).
enum class Layout {
  Original,  // model.*, lm_head, model.mm_projector.{0,2}; CLIP in a separate folder (vision_model.*)
  HfLegacy,  // language_model.model.*, language_model.lm_head, vision_tower.[vision_model.]*, multi_modal_projector.*
  HfNew,     // model.language_model.*, lm_head, model.vision_tower.[vision_model.]*, model.multi_modal_projector.*
};
const char* layout_name(Layout layout);

enum class ProjectorKind { Mlp2xGelu, TokenPacker };
const char* projector_kind_name(ProjectorKind kind);

enum class VisionAct { QuickGelu, Gelu };  // CLIP hidden_act

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
  int head_size = 0;           // head_dim as config.json gives it; 0: hidden / heads
  bool tie_embeddings = false; // tie_word_embeddings: the LM head is embed_tokens
  int head_dim() const { return head_size > 0 ? head_size : hidden / heads; }
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
  VisionAct act = VisionAct::QuickGelu;
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

// Where each part's tensors are in the checkpoint, from its tensor names (never guessed when weights are present).
struct WeightNames {
  std::string llm = "model.";                       // + embed_tokens.weight, layers.{i}., norm.weight
  std::string lm_head = "lm_head.weight";           // empty: tied to embed_tokens
  std::string projector = "model.mm_projector.";    // mlp2x: + {0,2}. (original) or linear_{1,2}. (llava-hf)
  std::string projector1 = "0.", projector2 = "2.";
  bool projector_bias = true;                       // multimodal_projector_bias
  std::string vision = "vision_model.";             // CLIP (in vision_dir for the original layout): + embeddings.,
};                                                  //   pre_layrnorm., encoder.layers.{i}.

struct LlavaConfig {
  std::string model_dir;
  std::string config_path;
  std::string vision_dir;  // folder of the CLIP tower (original layout); empty for HF layouts and LLaVA-HR
  std::string vision_missing;  // why the tower's folder was not found, when only its shape is known (CLIP-L/336)
  bool weights_found = false;  // the folder holds weights whose names were read (a config-only folder does not)
  int64_t weight_elements = 0; // elements of every tensor in the weights (the tower's folder included)
  Layout layout = Layout::Original;
  WeightNames names;
  TextConfig text;
  VisionConfig vision;
  int select_layer = -2;      // mm_vision_select_layer / vision_feature_layer
  bool drop_cls = true;       // select_feature "patch" / strategy "default"
  ProjectorKind projector = ProjectorKind::Mlp2xGelu;
  int mm_hidden = 0;          // projector input width (= vision.hidden)
  int image_token_index = -1; // HF layouts: id of <image>; original: -200 sentinel only
  std::vector<double> image_mean{0.48145466, 0.4578275, 0.40821073};
  std::vector<double> image_std{0.26862954, 0.26130258, 0.27577711};
  std::string conv_template = "vicuna_v1";
  PoolingConfig pooling;
  MultipathConfig multipath;
  TokenPackerConfig tokenpacker;  // used when projector == ProjectorKind::TokenPacker

  // Side of the square image the model is fed (LLaVA-1.5: the CLIP size; LLaVA-HR: input_image_size).
  int input_size() const;
  // Side of the visual-token grid that enters the LLM (LLaVA-1.5: the CLIP grid; LLaVA-HR: the fast grid, halved
  // by prepooling). The token-map views draw this grid over the input_size() square.
  int base_grid() const;

  // Side of the grid the regions of visual tokens refer to (TokenPacker: the CLIP grid its tokens pack).
  int region_grid() const { return projector == ProjectorKind::TokenPacker ? vision.grid() : base_grid(); }

  // Number of CLIP encoder layers to run so that the selected hidden state is the last one computed.
  int vision_layers_to_run() const;
};

// Describes the checkpoint in `model_dir`: config.json (and the CLIP tower's), then the tensor names of its weights
// (and of the tower's folder) to decide where each part is. The original layout's vision tower is found from
// `mm_vision_tower`: an existing path, else relative to the model folder, else a sibling folder named like its last
// path component; `vision_override` (the --vision-tower flag) wins over all. A folder without weights is described
// from its config alone (enough for FLOPs). Throws dpn::Error naming the file and field.
LlavaConfig load_llava_config(const std::string& model_dir, const std::string& vision_override = "");

}  // namespace dpn
