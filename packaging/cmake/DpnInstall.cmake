# `cmake --install`: what a desktop installation of DPN Studio holds besides the binaries (installed by app/ and core/).
# The layout is DpnInstallLayout.cmake's; the binaries find share/dpn-studio relative to themselves.
set(DPN_APP_ID org.dpnstudio.DpnStudio)  # desktop entry, icon and AppStream component share this id

# Bundled data: the demo models, the sample image, the DPNBench test split.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models/ DESTINATION ${DPN_INSTALL_DATADIR}/models)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/samples/ DESTINATION ${DPN_INSTALL_DATADIR}/samples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/datasets/dpnbench/test/ DESTINATION ${DPN_INSTALL_DATADIR}/datasets/dpnbench/test)

# Desktop integration.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/desktop/${DPN_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/desktop/${DPN_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/icons/hicolor DESTINATION ${CMAKE_INSTALL_DATADIR}/icons)

# Licence and changelog where Debian expects them (/usr/share/doc/dpn-studio), compressed as Debian policy says.
set(DPN_DOC_DIR ${CMAKE_BINARY_DIR}/doc)
add_custom_command(OUTPUT ${DPN_DOC_DIR}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${DPN_DOC_DIR}
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${DPN_DOC_DIR}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
add_custom_target(dpn_docs ALL DEPENDS ${DPN_DOC_DIR}/changelog.gz)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright ${DPN_DOC_DIR}/changelog.gz
  DESTINATION ${DPN_INSTALL_DOCDIR})

# Man pages, generated from the binaries' --help by help2man (packaging/cmake/DpnManPages.cmake): dpn(1) with
# every command's options, dpn-studio(1). Without help2man the install has none (a warning says so).
find_program(DPN_HELP2MAN help2man)
if(DPN_HELP2MAN)
  set(DPN_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(DPN_MAN_PAGES ${DPN_MAN_DIR}/dpn.1.gz)
  set(DPN_MAN_PROGRAMS $<TARGET_FILE:dpn>)
  if(TARGET dpn-studio)
    list(APPEND DPN_MAN_PAGES ${DPN_MAN_DIR}/dpn-studio.1.gz)
    list(APPEND DPN_MAN_PROGRAMS $<TARGET_FILE:dpn-studio>)
  endif()
  add_custom_command(OUTPUT ${DPN_MAN_PAGES}
    COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${DPN_HELP2MAN} -DOUT=${DPN_MAN_DIR} "-DPROGRAMS=${DPN_MAN_PROGRAMS}"
            -DINCLUDES=${PROJECT_SOURCE_DIR}/packaging/man -P ${PROJECT_SOURCE_DIR}/packaging/cmake/DpnManPages.cmake
    DEPENDS dpn $<TARGET_NAME_IF_EXISTS:dpn-studio> ${PROJECT_SOURCE_DIR}/packaging/cmake/DpnManPages.cmake
            ${PROJECT_SOURCE_DIR}/packaging/man/dpn.h2m ${PROJECT_SOURCE_DIR}/packaging/man/dpn-studio.h2m
    COMMENT "Man pages from --help (help2man)" VERBATIM)
  add_custom_target(dpn_man_pages ALL DEPENDS ${DPN_MAN_PAGES})
  install(FILES ${DPN_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "DPN: help2man not found: `cmake --install` will install no man pages (apt-get install help2man)")
endif()
