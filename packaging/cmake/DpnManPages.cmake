# Script mode (cmake -P): writes OUT/<program>.1.gz for each of PROGRAMS with help2man, from the program's --help
# and --version and the hand-written sections in INCLUDES/<program>.h2m. For `dpn` it adds a COMMANDS section with
# every command's `dpn COMMAND --help`, so the man page lists all options and cannot drift from the binary.
#   cmake -DHELP2MAN=/usr/bin/help2man -DOUT=build/man "-DPROGRAMS=build/app/dpn;..." -DINCLUDES=packaging/man -P ...
foreach(var HELP2MAN OUT PROGRAMS INCLUDES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "DpnManPages.cmake: -D${var}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY ${OUT})
set(ENV{QT_QPA_PLATFORM} offscreen)  # dpn-studio builds its QApplication before it parses --help

# Roff-escapes preformatted text: backslashes, minus signs, and lines a roff would read as requests.
function(dpn_roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")  # options stay ASCII minus signs when copied from the page
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(dpn_run out)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "DpnManPages.cmake: `${ARGN}` failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

foreach(program ${PROGRAMS})
  get_filename_component(name ${program} NAME)
  set(includes -i ${INCLUDES}/${name}.h2m)
  if(name STREQUAL "dpn")
    dpn_run(help ${program} --help)
    string(REGEX MATCHALL "\n  [a-z]+ " lines "${help}")
    set(section "[COMMANDS]\n")
    foreach(line ${lines})
      string(STRIP "${line}" command)
      dpn_run(usage ${program} ${command} --help)
      dpn_roff_escape("${usage}" usage)
      string(REGEX REPLACE "\n+$" "" usage "${usage}")
      string(APPEND usage "\n")
      string(APPEND section ".SS \"dpn ${command}\"\n.nf\n${usage}.fi\n")
    endforeach()
    if(NOT lines)
      message(FATAL_ERROR "DpnManPages.cmake: no commands found in `dpn --help`:\n${help}")
    endif()
    file(WRITE ${OUT}/dpn-commands.h2m "${section}")
    list(APPEND includes -i ${OUT}/dpn-commands.h2m)
  endif()
  dpn_run(ignored ${HELP2MAN} --no-info ${includes} -o ${OUT}/${name}.1 ${program})
  # gzip -n: no name or time stamp, so the same build gives the same bytes (Debian wants -9).
  dpn_run(ignored gzip -9nf ${OUT}/${name}.1)
endforeach()
