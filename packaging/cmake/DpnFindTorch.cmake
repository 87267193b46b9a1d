# Finds LibTorch. Order: an explicit -DTorch_DIR=..., then (with -DDPN_USE_PYTHON_TORCH=ON) the Python torch's cmake
# prefix (GPU users with a CUDA wheel), then Debian's libtorch-dev (CPU). Defines DPN_TORCH_HAS_CUDA.
if(NOT Torch_DIR AND DPN_USE_PYTHON_TORCH)
  find_program(DPN_PYTHON3 python3)
  if(DPN_PYTHON3)
    execute_process(
      COMMAND ${DPN_PYTHON3} -c "import torch, sys; sys.stdout.write(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE DPN_PY_TORCH_PREFIX ERROR_QUIET RESULT_VARIABLE DPN_PY_TORCH_RC)
    if(DPN_PY_TORCH_RC EQUAL 0 AND DPN_PY_TORCH_PREFIX)
      set(Torch_DIR "${DPN_PY_TORCH_PREFIX}/Torch" CACHE PATH "LibTorch's cmake folder" FORCE)
      message(STATUS "DPN: using the Python torch's LibTorch at ${DPN_PY_TORCH_PREFIX}")
    else()
      message(FATAL_ERROR "DPN_USE_PYTHON_TORCH=ON but `python3 -c 'import torch'` failed")
    endif()
  endif()
endif()
# TorchConfig.cmake searches its own lib/ only after the system paths, so with Debian's libtorch installed it would
# pair a wheel's headers with Debian's 1.13 libraries. Pin the libraries next to the chosen config.
if(Torch_DIR)
  get_filename_component(DPN_TORCH_PREFIX "${Torch_DIR}/../../.." ABSOLUTE)
  # TorchConfig.cmake loads Caffe2's targets with find_package too: take them from the same LibTorch.
  if(EXISTS "${Torch_DIR}/../Caffe2/Caffe2Config.cmake")
    get_filename_component(DPN_CAFFE2_DIR "${Torch_DIR}/../Caffe2" ABSOLUTE)
    set(Caffe2_DIR "${DPN_CAFFE2_DIR}" CACHE PATH "" FORCE)
  endif()
  # The cache variables TorchConfig.cmake fills with find_library (both spellings it uses).
  foreach(name torch torch_cpu torch_cuda c10 c10_cuda)
    string(TOUPPER ${name} upper)
    if(EXISTS "${DPN_TORCH_PREFIX}/lib/lib${name}.so")
      set(${name}_LIBRARY "${DPN_TORCH_PREFIX}/lib/lib${name}.so" CACHE FILEPATH "" FORCE)
      set(${upper}_LIBRARY "${DPN_TORCH_PREFIX}/lib/lib${name}.so" CACHE FILEPATH "" FORCE)
    endif()
  endforeach()
endif()
find_package(Torch REQUIRED)
# A PyPI torch wheel's libtorch_cuda.so needs the nvidia-* wheels' libraries (NCCL, cuDNN, ...) beside it in
# site-packages; it finds them at run time through its RPATH, the linker needs to be told.
if(DPN_TORCH_PREFIX AND EXISTS "${DPN_TORCH_PREFIX}/../nvidia")
  file(GLOB DPN_NVIDIA_LIB_DIRS LIST_DIRECTORIES true "${DPN_TORCH_PREFIX}/../nvidia/*/lib" "${DPN_TORCH_PREFIX}/../nvidia/cu*/lib")
  foreach(dir ${DPN_NVIDIA_LIB_DIRS})
    add_link_options("LINKER:-rpath-link,${dir}")
  endforeach()
endif()
message(STATUS "DPN: LibTorch ${Torch_VERSION} from ${Torch_DIR} (${TORCH_LIBRARY})")
set(DPN_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(DPN_TORCH_HAS_CUDA ON)
endif()
message(STATUS "DPN: LibTorch with CUDA: ${DPN_TORCH_HAS_CUDA}")
