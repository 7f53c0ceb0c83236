//! Finds the Noto CJK collections that the PDF writer embeds (Debian's
//! `fonts-noto-cjk`, installed by scripts/setup.sh) and hands their paths to the
//! crate, which includes them with `include_bytes!`. The built program then needs no
//! font on the machine it runs on.
//!
//! `GONGKAI_FONT_DIR` names another folder holding the same files.

use std::path::{Path, PathBuf};

/// Where distributions install Noto CJK.
const DIRS: &[&str] = &[
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/noto",
];

/// (environment variable set for the crate, file name)
const FILES: &[(&str, &str)] = &[
    ("GONGKAI_EMBED_SERIF", "NotoSerifCJK-Regular.ttc"),
    ("GONGKAI_EMBED_SANS", "NotoSansCJK-Regular.ttc"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GONGKAI_FONT_DIR");
    let dirs: Vec<PathBuf> = std::env::var_os("GONGKAI_FONT_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(DIRS.iter().map(PathBuf::from))
        .collect();
    for (var, name) in FILES {
        let Some(path) = dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()) else {
            panic!(
                "\n\n{name} not found in {}.\nThe PDF writer embeds the Noto CJK fonts: run `sh scripts/setup.sh` \
                 (installs Debian's fonts-noto-cjk), or set GONGKAI_FONT_DIR to a folder holding {name}.\n\
                 未找到内嵌字体 {name}：请先运行 sh scripts/setup.sh（安装 fonts-noto-cjk），\
                 或用环境变量 GONGKAI_FONT_DIR 指定字体所在文件夹。\n",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        check_collection(&path);
        println!("cargo:rerun-if-changed={}", path.display());
        println!("cargo:rustc-env={var}={}", path.display());
    }
}

/// A sanity check that the file is an OpenType collection (`ttcf`), so a wrong file
/// fails the build here rather than every PDF at run time.
fn check_collection(path: &Path) {
    use std::io::Read;
    let mut head = [0u8; 4];
    let ok = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok();
    if !ok || &head != b"ttcf" {
        panic!(
            "{} is not an OpenType font collection (.ttc)",
            path.display()
        );
    }
}
