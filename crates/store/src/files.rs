//! What one input file brings to the dataset, ready to be stored in one transaction.
//! Reading and checking happen in `gongkai-dataset`; the store only keeps the result.

use gongkai_report::{Finding, Report};
use std::path::Path;

/// One report read from a file, checked.
#[derive(Debug, Clone)]
pub struct PreparedReport {
    /// The report's source name: the path, or `archive.zip/member`.
    pub member: String,
    /// `Format::name()` of what it was read as.
    pub format: &'static str,
    pub report: Report,
    pub findings: Vec<Finding>,
}

/// A failure to read one file or one archive member.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub member: String,
    /// A short Chinese category for summaries (文件为空, 不是年度报告 …).
    pub category: String,
    /// The full cause, in Chinese.
    pub cause: String,
}

/// Everything one file brings, ready to be stored in one transaction.
#[derive(Debug, Clone)]
pub struct PreparedFile {
    /// The path as given.
    pub path: String,
    pub file_name: String,
    /// sha256 of the bytes, lowercase hex: the file's identity.
    pub hash: String,
    pub size: u64,
    /// The format sniffed from the bytes (`text`, `html`, `pdf`, `docx`, `zip`…), if any.
    pub format: Option<&'static str>,
    pub reports: Vec<PreparedReport>,
    pub failures: Vec<Failure>,
}

impl PreparedFile {
    /// The cause stored with the source: why it (or some archive members) failed.
    pub fn cause(&self) -> Option<String> {
        match self.failures.as_slice() {
            [] => None,
            [f] if f.member == self.path => Some(f.cause.clone()),
            many => Some(
                many.iter()
                    .map(|f| format!("{}：{}", f.member, f.cause))
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
        }
    }

    /// A file that could not be read at all.
    pub fn failed(
        path: &str,
        hash: String,
        size: u64,
        format: Option<&'static str>,
        category: &str,
        cause: String,
    ) -> PreparedFile {
        PreparedFile {
            path: path.to_string(),
            file_name: file_name_of(path),
            hash,
            size,
            format,
            reports: Vec::new(),
            failures: vec![Failure {
                member: path.to_string(),
                category: category.to_string(),
                cause,
            }],
        }
    }
}

/// The category, and the start of the cause, of a file whose reading ended the program
/// (a crash in a reader): inferred from a reading note left behind, not read.
pub const CRASHED: &str = "读取时程序异常终止";

impl PreparedFile {
    /// The record of a file whose reading ended an earlier run: failed, with
    /// [`CRASHED`] as its category and the start of its cause. A later reading that
    /// finishes, with any result, replaces it (see [`crate::Store::store_files`]).
    pub fn crashed(path: &str, hash: String, size: u64) -> PreparedFile {
        PreparedFile::failed(
            path,
            hash,
            size,
            None,
            CRASHED,
            format!(
                "{CRASHED}：上次运行在读取此文件时中途退出（已记为失败，不再读取；\
                 请将文件反馈给维护人员，读取程序修复后可用 --retry-failed 重读）"
            ),
        )
    }

    /// `true` for a record made by [`PreparedFile::crashed`], not by a reading.
    pub fn is_crash_record(&self) -> bool {
        self.reports.is_empty() && matches!(self.failures.as_slice(), [f] if f.category == CRASHED)
    }
}

/// The last component of `path`, as stored in `sources.file_name`.
pub fn file_name_of(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}
