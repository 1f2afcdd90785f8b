# The self-contained build of cim-opt (CIMLIR_SELF_CONTAINED, scripts/build_portable.sh): MLIR
# and LLVM linked from their static archives instead of Debian's 107 MB libLLVM.so, so that the
# tool runs on a machine without MLIR (the GPU machine, docs/portable-build.md).
#
# Debian builds MLIR's libraries static but makes every one of them link the `LLVM` dylib
# (LLVM_LINK_LLVM_DYLIB). This file swaps that item, in each imported MLIR target, for the
# static LLVM component libraries MLIR's core needs, and drops LLVMSupport's link to libz3 (only
# LLVM's SMT solver interface uses it, which cim-opt never references).
set(LLVM_LINK_LLVM_DYLIB OFF)
llvm_map_components_to_libnames(cimlir_llvm_static_libs
  Support Demangle TargetParser BinaryFormat Core Remarks BitstreamReader)

foreach(target IN LISTS MLIR_EXPORTED_TARGETS)
  if(NOT TARGET ${target})
    continue()
  endif()
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY" OR kind STREQUAL "EXECUTABLE")
    continue()
  endif()
  get_target_property(libs ${target} INTERFACE_LINK_LIBRARIES)
  if(NOT libs)
    continue()
  endif()
  list(TRANSFORM libs REPLACE "^LLVM$" "${cimlir_llvm_static_libs}")
  set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${libs}")
endforeach()

get_target_property(support_libs LLVMSupport INTERFACE_LINK_LIBRARIES)
list(FILTER support_libs EXCLUDE REGEX "libz3")
set_target_properties(LLVMSupport PROPERTIES INTERFACE_LINK_LIBRARIES "${support_libs}")
