//! ZIP archives of reports: the member files, with limits against zip bombs.
//!
//! The declared sizes in a ZIP's headers are never trusted: every member is
//! decompressed through a counting reader that stops as soon as a limit is
//! passed. Nested archives are returned as plain members; the caller decides
//! whether to open them (up to depth 2).

use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::error::ReadError;

/// At most this many entries (files and folders) in one archive.
pub const MAX_MEMBERS: usize = 10_000;
/// At most this many bytes in one member, decompressed.
pub const MAX_MEMBER_BYTES: u64 = 200 * 1024 * 1024;
/// At most this many bytes in all members together, decompressed.
pub const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// A member may expand to at most this many times its compressed size
/// (checked once it is past [`RATIO_FLOOR`] bytes). Real documents stay far below
/// it (XML and text compress 5–50 times); zip bombs come close to deflate's
/// maximum of about 1,030.
pub const MAX_RATIO: u64 = 400;
/// Below this size the compression ratio is not checked.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

const FORMAT: &str = "ZIP 压缩包";

/// Why reading a member stopped early.
#[derive(Debug)]
pub(crate) enum MemberError {
    /// More than `limit` bytes.
    TooBig {
        limit: u64,
    },
    /// Expands more than [`MAX_RATIO`] times.
    Ratio,
    Io(std::io::Error),
}

/// Reads a decompressing reader to its end, stopping as soon as the output passes
/// `limit` bytes or the compression ratio against `compressed` passes [`MAX_RATIO`].
pub(crate) fn read_limited(
    reader: &mut dyn Read,
    compressed: u64,
    limit: u64,
) -> Result<Vec<u8>, MemberError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let ratio_limit = compressed.max(1).saturating_mul(MAX_RATIO).max(RATIO_FLOOR);
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(MemberError::Io(e)),
        };
        let total = out.len() as u64 + n as u64;
        if total > limit {
            return Err(MemberError::TooBig { limit });
        }
        if total > ratio_limit {
            return Err(MemberError::Ratio);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

pub(crate) fn mib(bytes: u64) -> String {
    format!("{} MB", bytes / (1024 * 1024))
}

/// Reads the member files of a ZIP archive: `(path inside the archive, bytes)`,
/// in archive order. Folders, `__MACOSX/` resource forks and dotfiles are skipped.
/// Names are decoded as UTF-8 when the archive says so (or when they are valid
/// UTF-8), else as GBK (Chinese Windows), else as CP437.
///
/// Rejects: more than [`MAX_MEMBERS`] entries, a member over [`MAX_MEMBER_BYTES`],
/// more than [`MAX_TOTAL_BYTES`] in all, a member expanding more than
/// [`MAX_RATIO`] times, a path that climbs out of the archive (`../`) or is
/// absolute, and encrypted members.
pub fn read_zip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(FORMAT, &e))?;
    if archive.len() > MAX_MEMBERS {
        return Err(ReadError::TooLarge {
            detail: format!(
                "压缩包内有 {} 个条目，超过上限 {MAX_MEMBERS} 个",
                archive.len()
            ),
        });
    }
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).map_err(|e| {
            ReadError::corrupt(FORMAT, format!("第 {} 个条目的记录已损坏", i + 1), e)
        })?;
        let utf8_flag = file.flags().as_u16() & 0x0800 != 0;
        let name = decode_name(file.name_raw(), utf8_flag, || {
            file.name().map(|n| n.into_owned()).unwrap_or_default()
        });
        let is_dir = file.is_dir() || name.ends_with('/') || name.ends_with('\\');
        let path = check_path(&name)?;
        if is_dir || path.is_empty() || skipped(&path) {
            continue;
        }
        if file.encrypted() {
            return Err(ReadError::Unsupported {
                format: "加密（设有密码）的压缩包".into(),
                fix: format!("请解压“{path}”后重新打包（不设密码）再读取"),
            });
        }
        drop(file);
        let mut file = archive
            .by_index(i)
            .map_err(|e| ReadError::corrupt(FORMAT, format!("“{path}”无法解压"), e))?;
        let compressed = file.compressed_size();
        let limit = MAX_MEMBER_BYTES.min(MAX_TOTAL_BYTES - total);
        let data = read_limited(&mut file, compressed, limit).map_err(|e| match e {
            MemberError::TooBig { limit } if limit < MAX_MEMBER_BYTES => ReadError::TooLarge {
                detail: format!("压缩包解压后的总大小超过上限 {}", mib(MAX_TOTAL_BYTES)),
            },
            MemberError::TooBig { limit } => ReadError::TooLarge {
                detail: format!("压缩包内的“{path}”解压后超过单个文件上限 {}", mib(limit)),
            },
            MemberError::Ratio => ReadError::TooLarge {
                detail: format!(
                    "压缩包内的“{path}”压缩比异常（超过 {MAX_RATIO} 倍），疑似“压缩炸弹”，已拒绝"
                ),
            },
            MemberError::Io(e) => {
                ReadError::corrupt(FORMAT, format!("“{path}”解压失败，数据不完整或已损坏"), e)
            }
        })?;
        total += data.len() as u64;
        out.push((path, data));
    }
    Ok(out)
}

/// A ZIP library error in a clerk's words (the library's words kept as `original`).
pub(crate) fn zip_error(format: &str, e: &zip::result::ZipError) -> ReadError {
    use zip::result::ZipError as Z;
    let detail = match e {
        Z::Io(_) => "读取时出错，文件可能不完整",
        Z::InvalidArchive(_) => "找不到压缩包的目录结构（文件不完整、被截断，或并不是压缩包）",
        Z::UnsupportedArchive(_) => "使用了不支持的压缩方式",
        Z::FileNotFound => "缺少必需的部件",
        Z::InvalidPassword => "设有密码",
        _ => "压缩结构无法识别",
    };
    ReadError::corrupt(format, detail, e)
}

/// Decodes a member name from its raw bytes.
pub(crate) fn decode_name(raw: &[u8], utf8_flag: bool, cp437: impl FnOnce() -> String) -> String {
    if utf8_flag {
        return String::from_utf8_lossy(raw).into_owned();
    }
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_owned();
    }
    if let Some(s) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(raw) {
        return s.into_owned();
    }
    cp437()
}

/// Normalises a member path ('\\' → '/', no leading "./") and rejects paths
/// that are absolute or climb out of the archive.
fn check_path(name: &str) -> Result<String, ReadError> {
    let unified = name.replace('\\', "/");
    let bad = |why: &str| {
        ReadError::corrupt(
            FORMAT,
            format!("条目路径“{name}”{why}，可能是恶意压缩包，已拒绝"),
            "",
        )
    };
    if unified.contains('\0') {
        return Err(bad("含有空字符"));
    }
    if unified.starts_with('/') || unified.as_bytes().get(1) == Some(&b':') {
        return Err(bad("是绝对路径"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(bad("指向压缩包之外（../）"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// macOS resource forks, dotfiles and Windows thumbnail caches.
fn skipped(path: &str) -> bool {
    path.split('/')
        .any(|p| p == "__MACOSX" || p.starts_with('.'))
        || path
            .rsplit('/')
            .next()
            .is_some_and(|f| f.eq_ignore_ascii_case("thumbs.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(check_path("a/./b.docx").unwrap(), "a/b.docx");
        assert_eq!(check_path("a\\b.docx").unwrap(), "a/b.docx");
        assert_eq!(check_path("a/../b.docx").unwrap(), "b.docx");
        assert!(check_path("../b.docx").is_err());
        assert!(check_path("/etc/passwd").is_err());
        assert!(check_path("C:/x.docx").is_err());
        assert!(skipped("__MACOSX/._a.docx"));
        assert!(skipped("x/.DS_Store"));
        assert!(!skipped("报告/2023.docx"));
    }

    #[test]
    fn gbk_names() {
        let (raw, _, _) = encoding_rs::GBK.encode("政府信息公开年报.docx");
        assert_eq!(
            decode_name(&raw, false, String::new),
            "政府信息公开年报.docx"
        );
        assert_eq!(
            decode_name("年报.docx".as_bytes(), true, String::new),
            "年报.docx"
        );
    }
}
