//! Bytes → `Report`: sniff the format from the bytes, decode, read into the neutral
//! shape (`doc`), cut it into tokens, and map them onto cell keys with the one
//! template reader. Every format feeds the same reader.

pub mod archive;
pub mod doc;
pub mod docx;
pub mod error;
pub mod html;
pub mod odf;
pub mod pdf;
mod pdf_guard;
pub mod reader;
pub mod sheet;
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
/// No input is read past this many bytes, whatever its format (the largest limit of
/// any format; each format's own limit is checked once it is known).
pub const MAX_INPUT_BYTES: u64 = MAX_BINARY_BYTES as u64;
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
    Ok((read_document_as(bytes, format)?, format))
}

/// The text of bytes sniffed as plain text or Markdown.
fn plain_text(bytes: &[u8]) -> Result<String, ReadError> {
    check_size(bytes, MAX_TEXT_BYTES)?;
    decode_text(bytes, None)
}

/// [`read_document`] of bytes already sniffed as `format`.
fn read_document_as(bytes: &[u8], format: Format) -> Result<Document, ReadError> {
    let doc = match format {
        Format::Text | Format::Markdown => text_document(&plain_text(bytes)?),
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
        Format::Xlsx | Format::Xls | Format::Ods => {
            check_size(bytes, MAX_BINARY_BYTES)?;
            sheet::read_spreadsheet(bytes)?
        }
        Format::Odt => {
            check_size(bytes, MAX_BINARY_BYTES)?;
            odf::read_odt(bytes)?
        }
        Format::Zip => {
            return Err(ReadError::Unsupported {
                format: "压缩包".into(),
                fix: "请逐个读取压缩包中的文件".into(),
            });
        }
    };
    Ok(doc)
}

/// An Office or OpenDocument package whose main part is missing (so it was not
/// recognised as its document): one error for the file, not one per XML part.
fn broken_package(members: &[(String, Vec<u8>)]) -> Option<ReadError> {
    let has = |n: &str| members.iter().any(|(m, _)| m == n);
    let kind = if has("[Content_Types].xml") {
        "Office 文档（.docx/.xlsx）"
    } else if has("mimetype") && has("META-INF/manifest.xml") {
        "OpenDocument 文档（.odt/.ods）"
    } else {
        return None;
    };
    Some(ReadError::corrupt(
        kind,
        "文件内部缺少正文部件，或是不支持的文档类型（如演示文稿），请用 Word/WPS 打开后另存为 .docx 再读取",
        "",
    ))
}

/// The one error of an archive none of whose members could be read.
fn nothing_readable(source: &str, failed: &[(String, Result<Extracted, ReadError>)]) -> ReadError {
    let errors: Vec<&ReadError> = failed
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    // All for one cause: that cause is the archive's.
    if let Some(first) = errors.first()
        && errors
            .iter()
            .all(|e| std::mem::discriminant(*e) == std::mem::discriminant(*first))
        && !matches!(first, ReadError::NotAReport { .. })
    {
        return (*first).clone();
    }
    let prefix = format!("{source}/");
    let mut causes: Vec<String> = Vec::new();
    for (name, r) in failed {
        if let Err(e) = r {
            let name = name.strip_prefix(&prefix).unwrap_or(name);
            if causes.len() < 3 {
                causes.push(format!("“{name}”{e}"));
            }
        }
    }
    let more = if failed.len() > 3 {
        format!("等（共 {} 个文件）", failed.len())
    } else {
        String::new()
    };
    ReadError::NotAReport {
        detail: format!("压缩包中没有可以读取的年报：{}{more}", causes.join("；")),
    }
}

fn check_size(bytes: &[u8], max: usize) -> Result<(), ReadError> {
    if bytes.len() > max {
        return Err(ReadError::TooLarge {
            detail: format!(
                "文件大小 {:.1} MB，超过 {} MB 的上限",
                bytes.len() as f64 / (1024.0 * 1024.0),
                max / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

/// Reads a stream (a file, standard input, a pipe) to its end, but never more than
/// `limit` bytes: past it, reading stops at once with `TooLarge` (`/dev/zero` costs
/// `limit` bytes of memory, not all of it).
pub fn read_limited(reader: &mut dyn std::io::Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    // No compressed size: the ratio check of archive members does not apply.
    archive::read_limited(reader, u64::MAX, limit).map_err(|e| match e {
        archive::MemberError::TooBig { .. } | archive::MemberError::Ratio => ReadError::TooLarge {
            detail: format!("文件超过 {} 的上限，已停止读取", archive::mib(limit)),
        },
        archive::MemberError::Io(e) => ReadError::from_io(&e),
    })
}

/// Reads a file by path with [`MAX_INPUT_BYTES`] as the limit. Folders, pipes (FIFOs),
/// devices and sockets are refused before they are opened (opening a FIFO would
/// block until someone writes to it); a file larger than the limit is refused
/// without reading it.
pub fn read_path(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    read_path_limited(path, MAX_INPUT_BYTES)
}

/// [`read_path`] with a limit of one's own.
pub fn read_path_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::from_io(&e))?;
    if meta.is_dir() {
        return Err(ReadError::Unopenable {
            cause: "这是一个文件夹，不是文件".into(),
            original: None,
        });
    }
    if !meta.is_file() {
        return Err(ReadError::Unopenable {
            cause: "这不是普通文件（是命名管道、设备或套接字），请先把内容保存为文件再读取".into(),
            original: None,
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            detail: format!(
                "文件大小 {}，超过 {} 的上限",
                archive::mib(meta.len()),
                archive::mib(limit)
            ),
        });
    }
    let mut file = std::fs::File::open(path).map_err(|e| ReadError::from_io(&e))?;
    read_limited(&mut file, limit)
}

/// Plain text keeps its lines: one paragraph per line, tabs and pipes intact.
pub fn text_document(text: &str) -> Document {
    let mut doc = Document::default();
    for line in lines(text) {
        doc.paragraph(line);
    }
    doc
}

/// The lines of a text whatever its line endings: `\r\n` (Windows), `\n`, or a lone
/// `\r` (classic Mac OS, some converters).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    // Most texts have no CR: only '\n' is looked for. The line ends are found by one
    // vectorised search over the whole text, not one search per line. Both ends are
    // ASCII, never inside a multi-byte character.
    let mut ends: Box<dyn Iterator<Item = usize>> = if memchr::memchr(b'\r', b).is_some() {
        Box::new(memchr::memchr2_iter(b'\r', b'\n', b))
    } else {
        Box::new(memchr::memchr_iter(b'\n', b))
    };
    // Where the next line starts; `None` once the last line is given.
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        // The '\n' of a "\r\n" already passed is no line end.
        match ends.find(|&e| e >= from) {
            Some(e) => {
                let skip = if b[e..].starts_with(b"\r\n") { 2 } else { 1 };
                // No empty line after the last line end.
                start = Some(e + skip).filter(|&s| s < b.len());
                Some(&text[from..e])
            }
            None => {
                start = None;
                Some(&text[from..])
            }
        }
    })
}

/// Maps a document onto the template: the one reader every format shares.
pub fn read_report(source: &str, doc: &Document) -> Result<Report, ReadError> {
    let tokens = tokens::tokenize(doc);
    let lines: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            Block::Table(_) => None,
        })
        .collect();
    reader::read(source, &tokens.tokens(), &lines)
        .map_err(|detail| ReadError::NotAReport { detail })
}

/// [`read_report`], consuming the document: a table's cells are let go as their
/// tokens are made, so a large one is not held twice.
pub fn read_report_owned(source: &str, doc: Document) -> Result<Report, ReadError> {
    let (tokens, paragraphs) = tokens::tokenize_owned(doc);
    let lines: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    reader::read(source, &tokens.tokens(), &lines)
        .map_err(|detail| ReadError::NotAReport { detail })
}

/// [`read_report`] of a plain text: the report its [`text_document`] gives, read
/// from the text's lines as they stand (no paragraph copied out of it).
fn read_text_report(source: &str, text: &str) -> Result<Report, ReadError> {
    let lines: Vec<&str> = lines(text).collect();
    let tokens = tokens::tokenize_lines(text, &lines);
    reader::read(source, &tokens.tokens(), &lines)
        .map_err(|detail| ReadError::NotAReport { detail })
}

/// Reads one report from bytes (not an archive).
pub fn read_bytes(source: &str, bytes: &[u8]) -> Result<Report, ReadError> {
    read_extracted(source, bytes).map(|e| e.report)
}

/// Reads one report from bytes, telling the format too.
pub fn read_extracted(source: &str, bytes: &[u8]) -> Result<Extracted, ReadError> {
    let format = sniff(bytes)?;
    let report = if let Format::Text | Format::Markdown = format {
        // Without building its document.
        read_text_report(source, &plain_text(bytes)?)?
    } else {
        read_report_owned(source, read_document_as(bytes, format)?)?
    };
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
                    return;
                }
                if let Some(e) = broken_package(&members) {
                    out.push((source.to_string(), Err(e)));
                    return;
                }
                let first = out.len();
                for (name, data) in members {
                    read_all_into(&format!("{source}/{name}"), &data, depth + 1, out);
                }
                // Nothing in it could be read: one message for the archive, not one per member.
                if out.len() - first > 1 && out[first..].iter().all(|(_, r)| r.is_err()) {
                    let failed: Vec<_> = out.drain(first..).collect();
                    out.push((source.to_string(), Err(nothing_readable(source, &failed))));
                }
            }
            Err(e) => out.push((source.to_string(), Err(e))),
        }
        return;
    }
    out.push((source.to_string(), read_extracted(source, bytes)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines as one search per line finds them (what `lines` did before it
    /// searched the whole text at once).
    fn lines_one_by_one(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = Some(text);
        while let Some(s) = rest {
            match s.find(['\r', '\n']) {
                Some(i) => {
                    let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                    rest = Some(&s[i + skip..]).filter(|r| !r.is_empty());
                    out.push(&s[..i]);
                }
                None => {
                    rest = None;
                    out.push(s);
                }
            }
        }
        out
    }

    #[test]
    fn decorated_lines_are_cleaned_on_the_text_path_as_in_its_document() {
        // Decorations on the first line, on two lines in a row, on a table row, at a
        // line's end and on the last line: the text path cleans only the lines that
        // hold one, and reads what the document path reads.
        let plain = include_str!("../../../tests/fixtures/tongjiang-2020.txt");
        let mut lines: Vec<String> = plain.lines().map(str::to_string).collect();
        let n = lines.len();
        let marks = [
            (0, "\u{feff}"),
            (3, "[bookmark: _GoBack]"),
            (4, "\u{200b}"),
            (n / 2, "\u{200d}"),
            (n / 2 + 1, "\u{fffd}"),
            (n - 1, "\u{200c}"),
        ];
        for (i, mark) in marks {
            let at = lines[i]
                .char_indices()
                .nth(2)
                .map_or(lines[i].len(), |(j, _)| j);
            lines[i].insert_str(at, mark);
        }
        // Every line of the sample's tables, with a mark at its end.
        for line in lines
            .iter_mut()
            .filter(|l| l.contains('|') || l.contains('\t'))
        {
            line.push('\u{200b}');
        }
        let text = lines.join("\n");
        let by_lines = read_text_report("t", &text).unwrap();
        let by_document = read_report("t", &text_document(&text)).unwrap();
        assert_eq!(by_lines, by_document);
        let clean = read_text_report("t", plain).unwrap();
        assert_eq!(by_lines.cells.len(), clean.cells.len());
        for (k, c) in &clean.cells {
            assert_eq!(by_lines.cells[k].value, c.value, "{k}");
            assert_eq!(by_lines.cells[k].raw, c.raw, "{k}");
        }
    }

    #[test]
    fn lines_end_at_any_line_ending() {
        for text in [
            "",
            "a",
            "a\n",
            "a\n\n",
            "\n",
            "\n\n",
            "a\r\nb",
            "a\rb\r\n\r\nc\r",
            "\r\n",
            "\r",
            "a\n\rb",
            "\r\r\n\n",
            "规章\t0\r\n总计\t1\r\n",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                lines_one_by_one(text),
                "{text:?}"
            );
        }
    }
}
