//! OpenDocument text (.odt, LibreOffice / WPS / 永中) → [`Document`].
//!
//! `content.xml` is walked with quick-xml, without recursion:
//! * `text:p` / `text:h` are paragraphs (inside a table cell, the cell's lines);
//!   `text:s` is spaces, `text:tab` a tab, `text:line-break` a line break;
//!   notes, annotations and tracked deletions are not printed text and are skipped;
//! * `table:table-cell` carries `table:number-columns-spanned` /
//!   `table:number-rows-spanned`; `table:covered-table-cell` (the cells a span
//!   covers) is omitted, as in the other readers; repeated rows and cells are
//!   repeated up to a bound;
//! * a table inside a table cell is read as lines of that cell.

use std::io::Cursor;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::archive::{MemberError, mib, read_limited, zip_error};
use crate::doc::{Document, Table, TableCell};
use crate::docx::reference_char;
use crate::error::ReadError;

/// Largest `content.xml` accepted, decompressed.
pub const MAX_CONTENT_XML: u64 = 64 * 1024 * 1024;
/// Repeated rows or cells are expanded at most this many times each.
const MAX_REPEAT: u32 = 200;

const FORMAT: &str = "OpenDocument 文本（.odt）";

/// The OpenDocument kind a ZIP package declares in its `mimetype` member, if any.
pub fn mimetype(bytes: &[u8]) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut file = zip.by_name("mimetype").ok()?;
    let compressed = file.compressed_size();
    let data = read_limited(&mut file, compressed, 256).ok()?;
    String::from_utf8(data).ok().map(|s| s.trim().to_string())
}

/// Reads an .odt file into the neutral shape.
pub fn read_odt(bytes: &[u8]) -> Result<Document, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(FORMAT, &e))?;
    let mut file = zip
        .by_name("content.xml")
        .map_err(|e| zip_error(FORMAT, &e))?;
    let compressed = file.compressed_size();
    let xml = read_limited(&mut file, compressed, MAX_CONTENT_XML).map_err(|e| match e {
        MemberError::TooBig { limit } => ReadError::TooLarge {
            detail: format!("文档正文解压后超过 {}", mib(limit)),
        },
        MemberError::Ratio => ReadError::TooLarge {
            detail: "文档正文压缩比异常，疑似“压缩炸弹”，已拒绝".into(),
        },
        MemberError::Io(e) => ReadError::corrupt(FORMAT, "正文解压失败，文件可能不完整", e),
    })?;
    let text = String::from_utf8(xml)
        .map_err(|e| ReadError::corrupt(FORMAT, "正文不是有效的 UTF-8 文本", e))?;
    walk(&text)
}

#[derive(Default)]
struct OpenTable {
    rows: Vec<Vec<TableCell>>,
    /// Repeat count of the open row.
    row_repeat: u32,
    cell: Option<(String, u32, u32, u32)>,
}

#[derive(Default)]
struct Walker {
    doc: Document,
    /// Text of the open paragraph (`text:p`/`text:h`), if any.
    para: Option<String>,
    /// Open tables, outermost first; only the outermost becomes a table.
    tables: Vec<OpenTable>,
}

fn num_attr(e: &BytesStart<'_>, local: &str) -> Option<u32> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.value.trim().parse().ok())
}

fn walk(xml: &str) -> Result<Document, ReadError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut w = Walker::default();
    let mut depth = 0usize;
    let mut skip: Option<usize> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            ReadError::corrupt(
                FORMAT,
                format!("正文 XML 格式错误（第 {} 字节处）", reader.error_position()),
                e,
            )
        })?;
        match event {
            Event::Start(e) => {
                depth += 1;
                if skip.is_some() {
                    continue;
                }
                let name = e.local_name();
                let name: &str = name.as_ref();
                if matches!(
                    name,
                    "note" | "annotation" | "tracked-changes" | "deletion" | "sequence-decls"
                ) {
                    skip = Some(depth);
                    continue;
                }
                w.start(name, &e);
            }
            Event::Empty(e) => {
                if skip.is_some() {
                    continue;
                }
                let name = e.local_name();
                let name: &str = name.as_ref();
                w.start(name, &e);
                w.end(name);
            }
            Event::End(e) => {
                if let Some(d) = skip {
                    if d == depth {
                        skip = None;
                    }
                    depth = depth.saturating_sub(1);
                    continue;
                }
                depth = depth.saturating_sub(1);
                let name = e.local_name();
                w.end(name.as_ref());
            }
            Event::Text(t) if skip.is_none() => {
                let s = t.xml10_content();
                w.push(&s);
            }
            Event::GeneralRef(r) if skip.is_none() => {
                if let Some(c) = reference_char(&r) {
                    w.push(c.encode_utf8(&mut [0u8; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    while !w.tables.is_empty() {
        w.end("table");
    }
    if let Some(p) = w.para.take() {
        w.doc.paragraph(p);
    }
    Ok(w.doc)
}

impl Walker {
    fn push(&mut self, s: &str) {
        if let Some(p) = &mut self.para {
            p.push_str(s);
        }
    }

    fn start(&mut self, name: &str, e: &BytesStart<'_>) {
        match name {
            "p" | "h" => {
                if self.para.is_none() {
                    self.para = Some(String::new());
                } else {
                    // A paragraph inside a paragraph (a frame): a new line.
                    self.push("\n");
                }
            }
            "s" => {
                let n = num_attr(e, "c").unwrap_or(1).min(100) as usize;
                self.push(&" ".repeat(n));
            }
            "tab" => self.push("\t"),
            "line-break" => self.push("\n"),
            "table" => self.tables.push(OpenTable::default()),
            "table-row" if self.tables.len() == 1 => {
                let t = &mut self.tables[0];
                t.rows.push(Vec::new());
                t.row_repeat = num_attr(e, "number-rows-repeated")
                    .unwrap_or(1)
                    .clamp(1, MAX_REPEAT);
            }
            "table-cell" if self.tables.len() == 1 => {
                let t = &mut self.tables[0];
                let cols = num_attr(e, "number-columns-spanned").unwrap_or(1).max(1);
                let rows = num_attr(e, "number-rows-spanned").unwrap_or(1).max(1);
                let repeat = num_attr(e, "number-columns-repeated")
                    .unwrap_or(1)
                    .clamp(1, MAX_REPEAT);
                t.cell = Some((String::new(), rows, cols, repeat));
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" | "h" => {
                let Some(p) = self.para.take() else { return };
                match self.tables.first_mut().and_then(|t| t.cell.as_mut()) {
                    Some((text, ..)) => {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(p.trim());
                    }
                    None => self.doc.paragraph(p),
                }
            }
            "table-cell" if self.tables.len() == 1 => {
                let t = &mut self.tables[0];
                if let Some((text, rows, cols, repeat)) = t.cell.take() {
                    if t.rows.is_empty() {
                        t.rows.push(Vec::new());
                    }
                    let row = t.rows.last_mut().expect("a row");
                    // Repeated empty cells pad a row to the sheet's width: one is enough.
                    let repeat = if text.trim().is_empty() { 1 } else { repeat };
                    for _ in 0..repeat {
                        row.push(TableCell::spanning(text.trim(), rows, cols));
                    }
                }
            }
            "table-row" if self.tables.len() == 1 => {
                let t = &mut self.tables[0];
                let repeat = std::mem::replace(&mut t.row_repeat, 1);
                if let Some(last) = t.rows.last().cloned()
                    && last.iter().any(|c| !c.text.is_empty())
                {
                    for _ in 1..repeat {
                        t.rows.push(last.clone());
                    }
                }
            }
            "table" => {
                if let Some(t) = self.tables.pop()
                    && self.tables.is_empty()
                {
                    let mut rows = t.rows;
                    while rows
                        .last()
                        .is_some_and(|r| r.iter().all(|c| c.text.is_empty()))
                    {
                        rows.pop();
                    }
                    if !rows.is_empty() {
                        self.doc.table(Table { rows });
                    }
                }
            }
            _ => {}
        }
    }
}
