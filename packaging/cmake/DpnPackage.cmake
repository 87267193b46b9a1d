# CPack: a Debian package of what `cmake --install` installs, under /usr.
#   cmake --build build && (cd build && cpack -G DEB)      ->  build/dpn-studio_<version>_<arch>.deb
# Run-time dependencies are computed by dpkg-shlibdeps from the ELF files (CPACK_DEBIAN_PACKAGE_SHLIBDEPS); only what
# no ELF file names is listed by hand: the OpenMP OpenBLAS, which LibTorch reaches through the libblas.so.3
# alternative (with the reference BLAS it runs about 15 times slower).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dpn-studio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The DPN Studio authors")
set(DPN_PACKAGE_MAINTAINER "The DPN Studio authors <dpn-studio@example.org>" CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${DPN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "explore and benchmark visual-token compression in multimodal LLMs")
set(CPACK_PACKAGE_DESCRIPTION [=[
DPN Studio runs full inference of LLaVA-style multimodal models compressed
with a Dynamic Pyramid Network (DPN), which pools the grid of visual tokens
inside the language model at a few layers with an expert a router picks per
sample, and shows layer by layer what the compression does, next to the
uncompressed model and the baselines FastV and TokenPacker.

This package holds the desktop application dpn-studio (token maps per
layer, router choices, FLOPs and latency, method comparisons, benchmark
charts, a SQLite history of runs with CSV, PNG, SVG and PDF export), the
command line dpn, and small demonstration models with a sample image and a
synthetic benchmark.]=])
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dpn-studio_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${DPN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
