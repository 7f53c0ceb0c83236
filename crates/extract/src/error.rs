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
    /// The file is damaged or truncated.
    Corrupt { format: String, detail: String },
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
            ReadError::Corrupt { format, detail } => {
                write!(f, "{format} 文件已损坏或不完整：{detail}")
            }
            ReadError::TooLarge { detail } => write!(f, "文件超出处理上限：{detail}"),
        }
    }
}

impl std::error::Error for ReadError {}
