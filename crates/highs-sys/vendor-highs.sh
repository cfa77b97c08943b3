#!/bin/sh
# Re-vendors HiGHS into ./HiGHS from an unpacked HiGHS source tree (a release tarball, a git
# checkout, or the registry crate's copy: ~/.cargo/registry/src/*/highs-sys-<version>/HiGHS).
#
#   ./vendor-highs.sh /path/to/HiGHS
#
# It keeps the upstream layout and copies only what the library build (build.rs) needs:
#   - highs/ without the CMake/Meson files and HConfig.h templates (include/HConfig.h is written
#     by hand), the C#/Fortran interfaces, the CUDA/HIP sources, an example and the Markdown notes;
#   - from extern/, only the headers libhighs includes (pdqsort, and the declarations of the
#     optional "extras" API: HiPO's METIS/AMD/BLAS/RCM are NOT vendored; HiGHS only dlopen()s
#     them from a separate libhighs_extras if asked to);
#   - the licence and third-party notices.
# After an update: check include/HConfig.h against highs/HConfig.h.in and the version in
# Cargo.toml, diff cmake/sources.cmake's source list against the globs in build.rs, and
# regenerate src/c_bindings.rs (see its header).
set -eu
src=${1:?usage: $0 /path/to/HiGHS}
dst=$(dirname "$0")/HiGHS
rm -rf "$dst"
mkdir -p "$dst"

cp "$src/LICENSE.txt" "$src/THIRD_PARTY_NOTICES.md" "$src/AUTHORS" "$src/Version.txt" "$dst/"

(cd "$src" && find highs -type f \
    ! -name CMakeLists.txt ! -name meson.build ! -name 'HConfig.h*.in' \
    ! -name '*.md' ! -name '*.cs' ! -name '*.f90' ! -name '*.cu' ! -name '*.cuh' \
    ! -path 'highs/pdlp/cupdlp/cuda/*' ! -path 'highs/pdlp/hipdlp/gpu_backend.hpp' \
    ! -path 'highs/pdlp/cupdlp/Diff' ! -path 'highs/pdlp/cupdlp/Meld' \
    ! -path 'highs/pdlp/cupdlp/Merge' ! -name 'FactorHighs_c_api_example.c' -print) |
  while read -r f; do
    mkdir -p "$dst/$(dirname "$f")"
    cp "$src/$f" "$dst/$f"
  done

for f in README.md HighsExtrasApi.h HighsExtrasApiBinding.h HighsExtrasExternalDeps.h HighsMetis.h \
    pdqsort/pdqsort.h pdqsort/license.txt \
    amd/amd.h amd/SuiteSparse_config.h amd/License.txt \
    blas/mycblas.h rcm/rcm.h rcm/LICENSE; do
  mkdir -p "$dst/extern/$(dirname "$f")"
  cp "$src/extern/$f" "$dst/extern/$f"
done
