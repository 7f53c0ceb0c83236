//! Why a source could not be read. Every variant renders as a Chinese sentence a
//! clerk can act on; the caller adds the file name.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Zero bytes, or only white space.
    Empty,
    /// Bytes that are no text format we know (an image, an executable, …).
    Binary { what: String },
    /// Text whose encoding could not be decoded.
    Encoding { detail: String },
    /// A readable document that is not a 政府信息公开工作年度报告.
    NotAReport { detail: String },
    /// A PDF made of images only: it must be OCRed first.
    Scanned,
    /// A format we recognise but cannot read here (legacy .doc/.wps, encrypted PDF…), with the fix.
    Unsupported { format: String, fix: String },
    /// The file is damaged or truncated. `detail` is the cause in Chinese; `original`
    /// keeps a library's own (English) words for a support request, never shown in
    /// the sentence.
    Corrupt {
        format: String,
        detail: String,
        original: Option<String>,
    },
    /// The path could not be opened as a file: missing, a folder, no permission, a
    /// pipe or device (`cause` says which, in Chinese).
    Unopenable {
        cause: String,
        original: Option<String>,
    },
    /// Over a size or nesting limit.
    TooLarge { detail: String },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Empty => write!(f, "文件为空，没有可读取的内容"),
            ReadError::Binary { what } => write!(f, "不是可识别的文档格式（{what}）"),
            ReadError::Encoding { detail } => write!(f, "文字编码无法识别：{detail}"),
            ReadError::NotAReport { detail } => {
                write!(f, "不是政府信息公开工作年度报告：{detail}")
            }
            ReadError::Scanned => write!(
                f,
                "这是扫描版 PDF（只有图片，没有文字层），需要先进行文字识别（OCR）后再读取"
            ),
            ReadError::Unsupported { format, fix } => write!(f, "暂不支持读取{format}：{fix}"),
            ReadError::Corrupt { format, detail, .. } => {
                write!(f, "{format} 文件已损坏或不完整：{detail}")
            }
            ReadError::Unopenable { cause, .. } => write!(f, "无法打开：{cause}"),
            ReadError::TooLarge { detail } => write!(f, "文件超出处理上限：{detail}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    /// A damaged file, with the cause in Chinese and the library's own message kept apart.
    pub fn corrupt(format: &str, detail: impl Into<String>, original: impl ToString) -> ReadError {
        ReadError::Corrupt {
            format: format.into(),
            detail: detail.into(),
            original: Some(original.to_string()).filter(|s| !s.is_empty()),
        }
    }

    /// The library's own words behind this error, if any (for `--verbose` or JSON).
    pub fn original(&self) -> Option<&str> {
        match self {
            ReadError::Corrupt { original, .. } | ReadError::Unopenable { original, .. } => {
                original.as_deref()
            }
            _ => None,
        }
    }

    /// Why a file could not be opened, in a clerk's words.
    pub fn from_io(e: &std::io::Error) -> ReadError {
        use std::io::ErrorKind as K;
        let cause = match e.kind() {
            K::NotFound => "文件不存在".to_string(),
            K::PermissionDenied => "没有读取权限".to_string(),
            K::IsADirectory => "这是一个文件夹，不是文件".to_string(),
            K::InvalidFilename => "文件名无效".to_string(),
            K::Interrupted | K::TimedOut => "读取被中断".to_string(),
            K::UnexpectedEof => "文件在读取过程中被截断".to_string(),
            _ => "读取文件时出现系统错误".to_string(),
        };
        ReadError::Unopenable {
            cause,
            original: Some(e.to_string()),
        }
    }
}
