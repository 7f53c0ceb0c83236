//! Bytes → `Report`: sniff the format from the bytes, decode, read into the neutral
//! shape (`doc`), cut it into tokens, and map them onto cell keys with the one
//! template reader. Every format feeds the same reader.

pub mod archive;
pub mod doc;
pub mod docx;
pub mod error;
pub mod html;
pub mod pdf;
pub mod reader;
pub mod sniff;
pub mod tokens;

pub use doc::{Block, Document, Format, Table, TableCell};
pub use error::ReadError;
pub use sniff::{decode_text, sniff};

use gongkai_report::Report;

/// Text and web pages larger than this are not annual reports (a report is ~10–100 KB).
pub const MAX_TEXT_BYTES: usize = 50 * 1024 * 1024;
/// Word and PDF files larger than this are refused before parsing.
pub const MAX_BINARY_BYTES: usize = 200 * 1024 * 1024;
/// Archives inside archives are opened this deep, no deeper.
pub const MAX_ARCHIVE_DEPTH: usize = 2;

/// One report read from bytes, with the format it was read as.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub report: Report,
    pub format: Format,
}

/// Reads the neutral shape of any supported source (not archives).
pub fn read_document(bytes: &[u8]) -> Result<(Document, Format), ReadError> {
    let format = sniff(bytes)?;
    let doc = match format {
        Format::Text | Format::Markdown => {
            check_size(bytes, MAX_TEXT_BYTES)?;
            let text = decode_text(bytes, None)?;
            text_document(&text)
        }
        Format::Html => {
            check_size(bytes, MAX_TEXT_BYTES)?;
            let text = decode_text(bytes, html::declared_charset(bytes))?;
            html::read_html(&text)?
        }
        Format::Docx => {
            check_size(bytes, MAX_BINARY_BYTES)?;
            docx::read_docx(bytes)?
        }
        Format::Doc => {
            check_size(bytes, MAX_BINARY_BYTES)?;
            docx::read_doc(bytes)?
        }
        Format::Pdf => {
            check_size(bytes, MAX_BINARY_BYTES)?;
            pdf::read_pdf(bytes)?
        }
        Format::Zip => {
            return Err(ReadError::Unsupported {
                format: "压缩包".into(),
                fix: "请使用 read_all 逐个读取其中的文件".into(),
            });
        }
    };
    Ok((doc, format))
}

fn check_size(bytes: &[u8], max: usize) -> Result<(), ReadError> {
    if bytes.len() > max {
        return Err(ReadError::TooLarge {
            detail: format!(
                "文件大小 {} MB，超过 {} MB 的上限",
                bytes.len() / (1024 * 1024),
                max / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

/// Plain text keeps its lines: one paragraph per line, tabs and pipes intact.
pub fn text_document(text: &str) -> Document {
    let mut doc = Document::default();
    for line in text.lines() {
        doc.paragraph(line);
    }
    doc
}

/// Maps a document onto the template: the one reader every format shares.
pub fn read_report(source: &str, doc: &Document) -> Result<Report, ReadError> {
    let tokens = tokens::tokenize(doc);
    let lines: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.clone()),
            Block::Table(_) => None,
        })
        .collect();
    reader::read(source, &tokens, &lines).map_err(|detail| ReadError::NotAReport { detail })
}

/// Reads one report from bytes (not an archive).
pub fn read_bytes(source: &str, bytes: &[u8]) -> Result<Report, ReadError> {
    read_extracted(source, bytes).map(|e| e.report)
}

/// Reads one report from bytes, telling the format too.
pub fn read_extracted(source: &str, bytes: &[u8]) -> Result<Extracted, ReadError> {
    let (doc, format) = read_document(bytes)?;
    let report = read_report(source, &doc)?;
    Ok(Extracted { report, format })
}

/// Reads every report in a file: the file itself, or each member of a ZIP archive
/// (nested archives to `MAX_ARCHIVE_DEPTH`). One bad member never hides the others.
pub fn read_all(source: &str, bytes: &[u8]) -> Vec<(String, Result<Extracted, ReadError>)> {
    let mut out = Vec::new();
    read_all_into(source, bytes, 0, &mut out);
    out
}

fn read_all_into(
    source: &str,
    bytes: &[u8],
    depth: usize,
    out: &mut Vec<(String, Result<Extracted, ReadError>)>,
) {
    if matches!(sniff(bytes), Ok(Format::Zip)) {
        if depth >= MAX_ARCHIVE_DEPTH {
            out.push((
                source.to_string(),
                Err(ReadError::TooLarge {
                    detail: format!("压缩包嵌套超过 {MAX_ARCHIVE_DEPTH} 层"),
                }),
            ));
            return;
        }
        match archive::read_zip(bytes) {
            Ok(members) => {
                if members.is_empty() {
                    out.push((source.to_string(), Err(ReadError::Empty)));
                }
                for (name, data) in members {
                    read_all_into(&format!("{source}/{name}"), &data, depth + 1, out);
                }
            }
            Err(e) => out.push((source.to_string(), Err(e))),
        }
        return;
    }
    out.push((source.to_string(), read_extracted(source, bytes)));
}
