# The command runner core (../core): a Mesos-free static library, shared by
# the command hook and the command isolator (hook_src/command_isolator), so
# both run operators' commands with the same spawn, limits, persistent mode,
# parameter parsing and command-path checks.
#
# Input:  COMMAND_HOOK_DIR, this hook's source directory (defaults to the
#         directory above this file).
# Output: the static library target command_hook_core (include dir core/).
if(TARGET command_hook_core)
  return()
endif()
if(NOT COMMAND_HOOK_DIR)
  get_filename_component(COMMAND_HOOK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()

# posix_spawn with closefrom needs glibc >= 2.34; older C libraries get the
# fork + exec fallback (forced with -DCOMMAND_HOOK_FORK_FALLBACK=ON to test it).
option(COMMAND_HOOK_FORK_FALLBACK "Spawn with fork + exec instead of posix_spawn" OFF)
if(NOT COMMAND_HOOK_FORK_FALLBACK)
  include(CheckCXXSymbolExists)
  check_cxx_symbol_exists(posix_spawn_file_actions_addclosefrom_np spawn.h
                          COMMAND_HOOK_HAVE_CLOSEFROM_NP)
endif()

add_library(command_hook_core STATIC
  ${COMMAND_HOOK_DIR}/core/config.cpp
  ${COMMAND_HOOK_DIR}/core/framing.cpp
  ${COMMAND_HOOK_DIR}/core/method.cpp
  ${COMMAND_HOOK_DIR}/core/persistent.cpp
  ${COMMAND_HOOK_DIR}/core/runner.cpp)
target_include_directories(command_hook_core PUBLIC ${COMMAND_HOOK_DIR}/core)
target_compile_options(command_hook_core PRIVATE -Wall -Wextra)
if(COMMAND_HOOK_HAVE_CLOSEFROM_NP)
  target_compile_definitions(command_hook_core PRIVATE COMMAND_HOOK_HAVE_CLOSEFROM_NP)
endif()
find_package(Threads REQUIRED)
target_link_libraries(command_hook_core PUBLIC Threads::Threads)
