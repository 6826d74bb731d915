# Locates an installed Mesos for building a module against it.
# Input:  MESOS_PREFIX (cache/-D or environment), else mesos.pc via pkg-config.
# Output: MESOS_FOUND, MESOS_VERSION, and the interface target mesos_headers
#         carrying mesos.pc's compile flags.
set(MESOS_FOUND FALSE)
if(NOT MESOS_PREFIX AND DEFINED ENV{MESOS_PREFIX})
  set(MESOS_PREFIX "$ENV{MESOS_PREFIX}")
endif()
if(NOT MESOS_PREFIX)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(MESOS_PC QUIET mesos)
    if(MESOS_PC_FOUND)
      pkg_get_variable(MESOS_PREFIX mesos prefix)
    endif()
  endif()
endif()

if(MESOS_PREFIX)
  foreach(header mesos/slave/isolator.hpp mesos/module/isolator.hpp mesos/slave/containerizer.pb.h
                 mesos/mesos.pb.h stout/protobuf.hpp process/metrics/metrics.hpp)
    if(NOT EXISTS "${MESOS_PREFIX}/include/${header}")
      message(FATAL_ERROR "Mesos headers not found: ${MESOS_PREFIX}/include/${header} "
                          "is missing. MESOS_PREFIX must be the prefix of a Mesos "
                          "install with its development headers.")
    endif()
  endforeach()
  # Mesos installs the third-party headers it bundled under lib/mesos/3rdparty/include
  # (--enable-install-module-dependencies); a Mesos built against system libraries finds
  # them in the system include path instead. Either way boost must be found.
  find_path(MESOS_BOOST_INCLUDE boost/version.hpp
            HINTS "${MESOS_PREFIX}/lib/mesos/3rdparty/include")
  if(NOT MESOS_BOOST_INCLUDE)
    message(FATAL_ERROR "Mesos third-party headers not found: no boost/version.hpp under "
                        "${MESOS_PREFIX}/lib/mesos/3rdparty/include (Mesos configured "
                        "with --enable-install-module-dependencies) or the system "
                        "include path.")
  endif()
  file(STRINGS "${MESOS_PREFIX}/include/mesos/version.hpp" _version_line
       REGEX "#define MESOS_VERSION ")
  string(REGEX REPLACE ".*\"([^\"]*)\".*" "\\1" MESOS_VERSION "${_version_line}")
  add_library(mesos_headers INTERFACE)
  target_include_directories(mesos_headers SYSTEM INTERFACE
    "${MESOS_PREFIX}/include" "${MESOS_PREFIX}/lib/mesos/3rdparty/include")
  target_compile_definitions(mesos_headers INTERFACE __STDC_FORMAT_MACROS)
  set(MESOS_FOUND TRUE)
  message(STATUS "Building the Mesos module against Mesos ${MESOS_VERSION} in ${MESOS_PREFIX}")
else()
  message(STATUS "No Mesos install given (MESOS_PREFIX or mesos.pc): building the core only")
endif()
