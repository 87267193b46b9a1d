// The element types the kernels read and write, named without any framework's dtype enum.
#pragma once
#include <cstdint>

namespace dpn::kernels {

enum class ElemType : int32_t { f32 = 0, bf16 = 1, f16 = 2 };

inline const char* elem_type_name(ElemType t) {
  switch (t) {
    case ElemType::f32: return "f32";
    case ElemType::bf16: return "bf16";
    case ElemType::f16: return "f16";
  }
  return "unknown";
}

inline int elem_type_size(ElemType t) { return t == ElemType::f32 ? 4 : 2; }

}  // namespace dpn::kernels
