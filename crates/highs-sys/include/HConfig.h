/*
 * HConfig.h for the vendored HiGHS 1.16.0, written by hand for build.rs (no CMake, no Meson).
 *
 * It is what HiGHS's CMake writes from highs/HConfig.h.in for the configuration the registry
 * crate highs-sys 1.16.0 builds by default (features "build" + "highs_release": FAST_BUILD=ON,
 * BUILD_SHARED_LIBS=OFF, ZLIB=OFF, HIPO=OFF, CMAKE_BUILD_TYPE=Release, everything else at
 * HiGHS's defaults), except that the three compiler probes CMake runs (check_cxx_source_compiles)
 * are answered here with the preprocessor, as HiGHS's own Bazel template HConfig.h.bazel.in does.
 * When updating HiGHS, compare with HiGHS/highs/HConfig.h.in (not vendored; see vendor-highs.sh).
 */
#ifndef HCONFIG_H_
#define HCONFIG_H_

/* CMake option FAST_BUILD, default ON (and highs-sys sets it ON): the "modern" library target.
 * No source file tests it; kept for fidelity with the CMake-generated header. */
#define FAST_BUILD

/* ZLIB_FOUND: not defined. No zlib: no reading of compressed (.gz) model files, and the
 * extern/zstr wrapper is neither compiled nor vendored (highs-sys's "libz" feature is off). */
/* #undef ZLIB_FOUND */

/* PDLP (cuPDLP-C) runs on the CPU: CMake sets CUPDLP_CPU whenever CUPDLP_GPU is off. */
#define CUPDLP_CPU
/* CUPDLP_GPU: not defined (no CUDA/HIP). */
/* #undef CUPDLP_GPU */

/* HIPO: not defined (CMake option HIPO, default OFF; highs-sys's "hipo" feature is off). The HiPO
 * interior-point driver (highs/ipm/hipo) is still compiled, as upstream always does, because
 * IpxWrapper references it; its third-party dependencies (METIS, AMD, BLAS, RCM) are not built:
 * HiGHS only reaches them through the "extras" library, see the next define. */
/* #undef HIPO */

/* CMake option BUILD_SHARED_EXTRAS_LIB, default ON (highs-sys only turns it off with "hipo"):
 * the optional dependencies live in a separate libhighs_extras shared library that HiGHS
 * dlopen()s only when asked to (Highs_initializeExtras). Without this define HiGHS would need the
 * extras linked in statically. No libhighs_extras is built here, so HiPO reports it is
 * unavailable if requested; the simplex, IPX, PDLP, QP and MIP solvers are unaffected. */
#define HIGHS_SHARED_EXTRAS_LIBRARY

/* highs-sys's "highs_release" feature builds the CMake "Release" profile (build.rs also
 * defines NDEBUG accordingly). No source file tests this macro. */
#define CMAKE_BUILD_TYPE "Release"

/* HIGHSINT64: not defined (CMake option HIGHSINT64, default OFF): HighsInt is a 32-bit int.
 * src/c_bindings.rs was generated with this setting (HighsInt = c_int); change both together. */
/* #undef HIGHSINT64 */

/* HIGHS_NO_DEFAULT_THREADS: not defined (CMake default OFF): the scheduler starts as many worker
 * threads as there are cores unless the "threads" option says otherwise. */
/* #undef HIGHS_NO_DEFAULT_THREADS */

/* CMake probes whether <immintrin.h> provides _mm_pause() (used by the spin mutex): true on x86
 * and x86_64; elsewhere HiGHS falls back to std::this_thread::yield(). */
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define HIGHS_HAVE_MM_PAUSE
#endif

/* CMake probes _BitScanReverse with MSVC and __builtin_clz/__builtin_clzll otherwise (used by
 * HighsHash's log2); without either HiGHS uses a portable fallback. */
#if defined(_MSC_VER)
#define HIGHS_HAVE_BITSCAN_REVERSE
#elif defined(__GNUC__) || defined(__clang__)
#define HIGHS_HAVE_BUILTIN_CLZ
#endif

/* CMake writes the output of `git describe --always`, or "n/a" outside a git checkout (which is
 * what the registry crate gets). Printed in HiGHS's banner. */
#define HIGHS_GITHASH "n/a"

/* From HiGHS/Version.txt. */
#define HIGHS_VERSION_MAJOR 1
#define HIGHS_VERSION_MINOR 16
#define HIGHS_VERSION_PATCH 0

#endif /* HCONFIG_H_ */
