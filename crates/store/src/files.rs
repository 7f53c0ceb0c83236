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

/// The last component of `path`, as stored in `sources.file_name`.
pub fn file_name_of(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}
