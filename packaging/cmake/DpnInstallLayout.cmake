# Where `cmake --install` puts things (GNU layout under CMAKE_INSTALL_PREFIX), and the same places as seen from the
# installed executables: the binaries find their data and the SentencePiece shim relative to themselves, so an
# installed tree can move (a .deb installs under /usr what was configured for /usr/local).
#   bin/                         dpn, dpn-studio
#   lib/<multiarch>/dpn-studio/  libdpn_spm.so (dlopen'ed SentencePiece shim; lib/dpn-studio without a multiarch)
#   share/dpn-studio/            models/, samples/, datasets/dpnbench/test/
#   share/applications, share/icons/hicolor, share/metainfo, share/man/man1, share/doc/dpn-studio
include(GNUInstallDirs)

set(DPN_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/dpn-studio)
# Debian's place for a package's private arch-dependent library. Not lib/dpn-studio: CPack adds ldconfig calls to the
# .deb for any library whose folder or parent is usr/lib, which lintian flags (maintscript-calls-ldconfig).
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(DPN_INSTALL_PLUGINDIR lib/${CMAKE_LIBRARY_ARCHITECTURE}/dpn-studio)
else()
  set(DPN_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/dpn-studio)
endif()
set(DPN_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/dpn-studio)  # the package's name, not the CMake project's
foreach(dir CMAKE_INSTALL_BINDIR DPN_INSTALL_DATADIR DPN_INSTALL_PLUGINDIR)
  if(IS_ABSOLUTE "${${dir}}")
    message(FATAL_ERROR "DPN: ${dir}=${${dir}} must be relative to CMAKE_INSTALL_PREFIX (the binaries find their data relative to themselves)")
  endif()
endforeach()
file(RELATIVE_PATH DPN_INSTALL_DATA_FROM_BIN /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${DPN_INSTALL_DATADIR})
file(RELATIVE_PATH DPN_INSTALL_PLUGIN_FROM_BIN /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${DPN_INSTALL_PLUGINDIR})

# Installed binaries keep an RPATH only to libraries outside the system's paths (a pip torch's lib/, for instance);
# with Debian's packages they have none.
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)
# Directories 0755 whatever the umask of the machine that installs or packages (Debian checks it).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
