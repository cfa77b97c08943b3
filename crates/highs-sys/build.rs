//! Compiles the vendored HiGHS (HiGHS/, see vendor-highs.sh) into a static library `libhighs.a`
//! with the `cc` crate only: no CMake, no libclang/bindgen (the Rust declarations are committed
//! in src/c_bindings.rs), no system libraries besides the C++ runtime, pthread and libdl.
//!
//! The source list is the one of HiGHS's own build files (cmake/sources.cmake, highs/meson.build,
//! BUILD.bazel all agree for 1.16.0: 235 files), expressed as the directory globs BUILD.bazel
//! uses so that updating HiGHS is a copy. The configuration is the registry highs-sys 1.16.0's
//! default one (CMake Release profile, FAST_BUILD, no zlib, no HiPO extras, 32-bit HighsInt);
//! see include/HConfig.h.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Single files, relative to HiGHS/highs.
const FILES: &[&str] = &[
    "interfaces/highs_c_api.cpp",
    "HighsExternalApi.cpp",
    "HighsExternalDeps.cpp",
];

/// (directory relative to HiGHS/highs, file extension): every such file of the directory (not
/// recursive) is part of the library, as in HiGHS's BUILD.bazel.
const GLOBS: &[(&str, &str)] = &[
    ("io", "cpp"),
    ("ipm", "cpp"),
    ("ipm/ipx", "cc"),
    ("ipm/basiclu", "c"),
    ("ipm/hipo/ipm", "cpp"),
    ("ipm/hipo/factorhighs", "cpp"),
    ("ipm/hipo/auxiliary", "cpp"),
    ("lp_data", "cpp"),
    ("mip", "cpp"),
    ("model", "cpp"),
    ("parallel", "cpp"),
    ("pdlp", "cpp"),
    ("pdlp/cupdlp", "c"),
    ("pdlp/hipdlp", "cc"),
    ("presolve", "cpp"),
    ("qpsolver", "cpp"),
    ("simplex", "cpp"),
    ("util", "cpp"),
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let highs_root = manifest_dir.join("HiGHS");
    let highs = highs_root.join("highs");
    let config_dir = manifest_dir.join("include");

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=HiGHS");
    println!("cargo:rerun-if-changed=include/HConfig.h");

    let mut c_sources = Vec::new();
    let mut cpp_sources = Vec::new();
    for file in FILES {
        let path = highs.join(file);
        assert!(path.is_file(), "missing HiGHS source {}", path.display());
        cpp_sources.push(path);
    }
    for (dir, ext) in GLOBS {
        let files = sources_in(&highs.join(dir), ext);
        assert!(!files.is_empty(), "no *.{} in HiGHS/highs/{}", ext, dir);
        if *ext == "c" {
            c_sources.extend(files);
        } else {
            cpp_sources.extend(files);
        }
    }

    let target = env::var("TARGET").expect("TARGET");
    let msvc = target.contains("msvc");

    // Settings common to the C and the C++ part, as HiGHS's CMake gives them to both.
    let base = || {
        let mut build = cc::Build::new();
        build
            .include(&config_dir)
            .include(highs_root.join("extern"))
            .include(&highs)
            // The CMake "Release" profile the registry crate builds by default ("highs_release")
            // defines NDEBUG; so do we, whatever cargo's profile, so that debug and release
            // builds run the same HiGHS (its asserts are for HiGHS's developers).
            .define("NDEBUG", None)
            // No debug info, as in that Release profile, whatever the profile of the crate
            // using it asks for: -g makes the objects ~35x larger and their compilation ~1.5x
            // slower.
            .debug(false)
            // Upstream silences a long list of warnings (-Wno-unused-variable, -Wno-comment,
            // -Wno-maybe-uninitialized, ...); third-party code is not ours to fix, and cc would
            // forward every warning as a cargo warning.
            .warnings(false);
        if msvc {
            build
                .flag("/w")
                .flag("/bigobj")
                .define("NOMINMAX", None)
                .define("_CRT_SECURE_NO_WARNINGS", None);
        } else {
            build.flag("-w");
        }
        build
    };

    // basiclu and cuPDLP-C are C: compile them with the C compiler (standard left at the
    // compiler's default, as CMake and Meson do) and put their objects into the same archive.
    let c_objects = base().files(&c_sources).compile_intermediates();

    let mut cpp = base();
    cpp.cpp(true)
        .std("c++17")
        .files(&cpp_sources)
        .objects(c_objects);
    // HiGHS's CMake (and Meson) compile the C++ with -mpopcnt on x86 except on Apple, so that
    // HighsHash's __builtin_popcountll is one instruction; the registry crate builds that way.
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let apple = env::var("CARGO_CFG_TARGET_VENDOR").is_ok_and(|v| v == "apple");
    if (arch == "x86_64" || arch == "x86") && !msvc && !apple {
        cpp.flag("-mpopcnt");
    }
    // cc links the C++ standard library itself (libstdc++ on Linux, libc++ on Apple).
    cpp.compile("highs");

    // The task scheduler uses std::thread and util/HighsDynamicLibrary.cpp uses dlopen(): link
    // pthread, and libdl on Linux (glibc < 2.34 has dlopen there), as HiGHS's CMake does
    // (Threads::Threads, CMAKE_DL_LIBS). Apple's libSystem and Android's libc contain both.
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-lib=pthread");
        println!("cargo:rustc-link-lib=dl");
    } else if env::var_os("CARGO_CFG_UNIX").is_some() && !apple && os != "android" {
        println!("cargo:rustc-link-lib=pthread");
    }
}

/// The files of `dir` (not recursive) with extension `ext`, sorted for a stable archive.
fn sources_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {}", dir.display(), e));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}
