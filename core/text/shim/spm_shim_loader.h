// Finds libdpn_spm.so (the SentencePiece shim, see spm_shim.h) and dlopens it once with RTLD_LOCAL | RTLD_DEEPBIND.
#pragma once

namespace dpn {

// The shim's exported symbol `name`. Throws dpn::Error listing the places tried when the shim or symbol is missing.
void* spm_shim_symbol(const char* name);

}  // namespace dpn
