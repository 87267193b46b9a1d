# Finds LibTorch. Order: an explicit -DTorch_DIR=..., then a Python torch's cmake prefix (GPU users with a
# CUDA wheel), then Debian's libtorch-dev (CPU). Defines DPN_TORCH_HAS_CUDA.
if(NOT Torch_DIR)
  find_program(DPN_PYTHON3 python3)
  if(DPN_PYTHON3 AND NOT DPN_IGNORE_PYTHON_TORCH)
    execute_process(
      COMMAND ${DPN_PYTHON3} -c "import torch, sys; sys.stdout.write(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE DPN_PY_TORCH_PREFIX ERROR_QUIET RESULT_VARIABLE DPN_PY_TORCH_RC)
    if(DPN_PY_TORCH_RC EQUAL 0 AND DPN_PY_TORCH_PREFIX AND DPN_USE_PYTHON_TORCH)
      list(APPEND CMAKE_PREFIX_PATH ${DPN_PY_TORCH_PREFIX})
      message(STATUS "DPN: using the Python torch's LibTorch at ${DPN_PY_TORCH_PREFIX}")
    endif()
  endif()
endif()
find_package(Torch REQUIRED)
message(STATUS "DPN: LibTorch ${Torch_VERSION} from ${Torch_DIR}")
set(DPN_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(DPN_TORCH_HAS_CUDA ON)
endif()
