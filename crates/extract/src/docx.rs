//! Word 2007+ (.docx) and legacy Word 97-2003 (.doc / .wps) → [`Document`].
//!
//! DOCX is read by our own walker over `word/document.xml` (zip + quick-xml):
//! * paragraphs: the text of `w:t` in their runs, joined; `w:tab` → '\t',
//!   `w:br`/`w:cr` → '\n'; deleted text (`w:del`, `w:moveFrom`) is left out,
//!   inserted text (`w:ins`, `w:moveTo`) kept; of `mc:AlternateContent` only the
//!   `mc:Choice` is read; field codes (`w:instrText`) are skipped, field results kept;
//! * tables: `w:gridSpan` → `col_span`; `w:vMerge` restart/continue → `row_span`
//!   on the restarting cell, the continued cells omitted; `w:gridBefore` becomes
//!   an empty cell spanning the skipped grid columns; rows marked deleted are dropped;
//!   a cell's paragraphs are joined with '\n'; leading and trailing white space
//!   (including the ideographic space U+3000 Word templates put in blank cells)
//!   is trimmed, so an unfilled cell reads as "";
//! * nested tables: as in the HTML reader, a table that contains another table is
//!   taken for a layout table and dissolved into its cells' paragraphs and
//!   tables, in reading order.
//!
//! Limits: `word/document.xml` at most [`MAX_DOCUMENT_XML`] bytes decompressed
//! (checked while decompressing) and at most [`crate::archive::MAX_RATIO`] times
//! its compressed size; tables nested at most [`MAX_TABLE_NESTING`] deep.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::archive::{MemberError, mib, read_limited};
use crate::doc::{Block, Document, Table, TableCell};
use crate::error::ReadError;

/// Largest `word/document.xml` accepted, decompressed.
pub const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;
/// Largest other XML part read (relationships).
const MAX_SMALL_PART: u64 = 4 * 1024 * 1024;
/// Deepest table nesting accepted.
pub const MAX_TABLE_NESTING: usize = 64;

const FORMAT: &str = "Word（.docx）";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a .docx file into the neutral shape.
pub fn read_docx(bytes: &[u8]) -> Result<Document, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(CFB_MAGIC) {
        // An OLE2 compound file: a legacy .doc/.wps, or a password-protected .docx.
        return read_doc(bytes);
    }
    let corrupt = |detail: String| ReadError::corrupt(FORMAT, detail, "");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| crate::archive::zip_error(FORMAT, &e))?;
    if zip.len() > crate::archive::MAX_MEMBERS {
        return Err(ReadError::TooLarge {
            detail: format!("Word 文件内部有 {} 个部件，超过上限", zip.len()),
        });
    }
    let main = main_part_name(&mut zip).unwrap_or_else(|| "word/document.xml".to_owned());
    let xml = read_part(&mut zip, &main, MAX_DOCUMENT_XML)?.ok_or_else(|| {
        corrupt(format!(
            "缺少 Word 正文部件（{main}），可能不是 Word 文档或文件不完整"
        ))
    })?;
    let text =
        decode_xml(&xml).ok_or_else(|| corrupt("正文不是有效的 UTF-8/UTF-16 文本".into()))?;
    drop(xml);
    walk(&text)
}

/// The main document part named in `_rels/.rels` (usually `word/document.xml`).
fn main_part_name<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Option<String> {
    let rels = read_part(zip, "_rels/.rels", MAX_SMALL_PART).ok()??;
    let text = decode_xml(&rels)?;
    let mut reader = Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let ty = attr(&e, "Type")?;
                if ty.ends_with("/officeDocument") {
                    let target = attr(&e, "Target")?;
                    return Some(target.trim_start_matches('/').to_owned());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// Reads one part of the package by name, within `limit`; `Ok(None)` if absent.
fn read_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(ReadError::corrupt(
                FORMAT,
                format!("部件 {name} 无法读取"),
                e,
            ));
        }
    };
    let compressed = file.compressed_size();
    read_limited(&mut file, compressed, limit)
        .map(Some)
        .map_err(|e| match e {
            MemberError::TooBig { limit } => ReadError::TooLarge {
                detail: format!("Word 文件的 {name} 解压后超过 {}", mib(limit)),
            },
            MemberError::Ratio => ReadError::TooLarge {
                detail: format!("Word 文件的 {name} 压缩比异常，疑似“压缩炸弹”，已拒绝"),
            },
            MemberError::Io(e) => {
                ReadError::corrupt(FORMAT, format!("部件 {name} 解压失败，文件可能不完整"), e)
            }
        })
}

/// XML parts are UTF-8 (possibly with a BOM) or, rarely, UTF-16 with a BOM.
fn decode_xml(bytes: &[u8]) -> Option<String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (!had_errors).then(|| text.into_owned());
    }
    String::from_utf8(bytes.to_vec()).ok()
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

fn val(e: &BytesStart<'_>) -> Option<String> {
    attr(e, "val")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum VMerge {
    No,
    Restart,
    Continue,
}

enum Item {
    Para(String),
    Table(RawTable),
}

struct RawCell {
    items: Vec<Item>,
    grid_col: usize,
    col_span: u32,
    vmerge: VMerge,
    hmerge_continue: bool,
}

#[derive(Default)]
struct RawRow {
    cells: Vec<RawCell>,
    grid_col: usize,
    deleted: bool,
}

#[derive(Default)]
struct RawTable {
    rows: Vec<RawRow>,
    cell: Option<RawCell>,
    has_nested: bool,
}

impl RawTable {
    fn row(&mut self) -> &mut RawRow {
        if self.rows.is_empty() {
            self.rows.push(RawRow::default());
        }
        self.rows.last_mut().expect("a row")
    }
    fn finish_cell(&mut self) {
        if let Some(cell) = self.cell.take() {
            let row = self.row();
            row.grid_col = cell.grid_col + cell.col_span as usize;
            row.cells.push(cell);
        }
    }
}

#[derive(Default)]
struct Walker {
    doc: Document,
    /// Open paragraphs (text boxes nest paragraphs inside paragraphs).
    paras: Vec<String>,
    /// Open tables, innermost last.
    tables: Vec<RawTable>,
    /// Inside `w:t`.
    in_text: bool,
    /// Inside `w:r` (tabs and breaks count only in runs).
    run_depth: usize,
    /// Inside `w:tcPr` / `w:trPr` of the innermost table.
    in_tc_pr: bool,
    in_tr_pr: bool,
}

fn walk(xml: &str) -> Result<Document, ReadError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut w = Walker::default();
    let mut depth: usize = 0;
    // While Some(d): skipping everything until the end of the element opened at depth d.
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
                let name = name.as_ref();
                if is_skipped(name) {
                    if name == "del" && w.in_tr_pr {
                        w.start(name, &e)?;
                    }
                    skip = Some(depth);
                    continue;
                }
                w.start(name, &e)?;
            }
            Event::Empty(e) => {
                if skip.is_some() {
                    continue;
                }
                let name = e.local_name();
                let name = name.as_ref();
                if is_skipped(name) {
                    // An empty `w:del` inside `w:trPr` marks the row as deleted.
                    if name == "del" && w.in_tr_pr {
                        w.start(name, &e)?;
                    }
                    continue;
                }
                w.start(name, &e)?;
                w.end(name)?;
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
                w.end(name.as_ref())?;
            }
            Event::Text(t) if skip.is_none() && w.in_text => {
                let s = t.xml10_content();
                w.push(&s);
            }
            Event::CData(t) if skip.is_none() && w.in_text => {
                let s = t.into_inner().into_owned();
                w.push(&s);
            }
            Event::GeneralRef(r) if skip.is_none() && w.in_text => {
                if let Some(c) = reference_char(&r) {
                    w.push(c.encode_utf8(&mut [0u8; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Close whatever a truncated part left open.
    while let Some(p) = w.paras.pop() {
        w.emit_para(p);
    }
    while !w.tables.is_empty() {
        w.end("tbl")?;
    }
    Ok(w.doc)
}

/// The character an XML reference stands for: `&#12290;`, `&#x3002;` or one of the
/// five predefined entities (other entities are not defined in Office XML).
pub(crate) fn reference_char(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match r.as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

/// Elements whose whole content is not printed text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "del"
            | "moveFrom"
            | "Fallback"
            | "instrText"
            | "delText"
            | "delInstrText"
            | "rPr"
            | "pPr"
            // Tracked formatting changes hold the *old* properties (old spans).
            | "tcPrChange"
            | "trPrChange"
            | "tblPrChange"
            | "tblGridChange"
            | "sectPrChange"
    )
}

impl Walker {
    fn push(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.push_str(s);
        }
    }

    fn start(&mut self, name: &str, e: &BytesStart<'_>) -> Result<(), ReadError> {
        match name {
            "p" => self.paras.push(String::new()),
            "r" => self.run_depth += 1,
            "t" => self.in_text = true,
            "tab" if self.run_depth > 0 => self.push("\t"),
            "br" | "cr" if self.run_depth > 0 => self.push("\n"),
            "noBreakHyphen" if self.run_depth > 0 => self.push("-"),
            "tbl" => {
                if self.tables.len() >= MAX_TABLE_NESTING {
                    return Err(ReadError::TooLarge {
                        detail: format!("Word 文件中的表格嵌套超过 {MAX_TABLE_NESTING} 层"),
                    });
                }
                if let Some(outer) = self.tables.last_mut() {
                    outer.has_nested = true;
                }
                self.tables.push(RawTable::default());
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.finish_cell();
                    t.rows.push(RawRow::default());
                }
            }
            "trPr" => self.in_tr_pr = true,
            "del" if self.in_tr_pr => {
                if let Some(t) = self.tables.last_mut() {
                    t.row().deleted = true;
                }
            }
            "gridBefore" if self.in_tr_pr => {
                if let Some(t) = self.tables.last_mut() {
                    let n = span(val(e).as_deref());
                    let row = t.row();
                    if row.cells.is_empty() && row.grid_col == 0 {
                        row.cells.push(RawCell {
                            items: Vec::new(),
                            grid_col: 0,
                            col_span: n,
                            vmerge: VMerge::No,
                            hmerge_continue: false,
                        });
                        row.grid_col = n as usize;
                    }
                }
            }
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.finish_cell();
                    let grid_col = t.row().grid_col;
                    t.cell = Some(RawCell {
                        items: Vec::new(),
                        grid_col,
                        col_span: 1,
                        vmerge: VMerge::No,
                        hmerge_continue: false,
                    });
                }
            }
            "tcPr" => self.in_tc_pr = true,
            "gridSpan" | "vMerge" | "hMerge" if self.in_tc_pr => {
                if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    let v = val(e);
                    match name {
                        "gridSpan" => cell.col_span = span(v.as_deref()),
                        "vMerge" => {
                            cell.vmerge = if v.as_deref() == Some("restart") {
                                VMerge::Restart
                            } else {
                                VMerge::Continue
                            }
                        }
                        _ => cell.hmerge_continue = v.as_deref() != Some("restart"),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), ReadError> {
        match name {
            "p" => {
                if let Some(p) = self.paras.pop() {
                    self.emit_para(p);
                }
            }
            "r" => self.run_depth = self.run_depth.saturating_sub(1),
            "t" => self.in_text = false,
            "trPr" => self.in_tr_pr = false,
            "tcPr" => self.in_tc_pr = false,
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.finish_cell();
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.finish_cell();
                    if t.rows.last().is_some_and(|r| r.deleted) {
                        t.rows.pop();
                    }
                }
            }
            "tbl" => {
                if let Some(mut t) = self.tables.pop() {
                    t.finish_cell();
                    match self.tables.last_mut().and_then(|o| o.cell.as_mut()) {
                        Some(cell) => cell.items.push(Item::Table(t)),
                        None => {
                            if !self.tables.is_empty() {
                                // A table directly inside a row (invalid): keep it anyway.
                                if let Some(o) = self.tables.last_mut() {
                                    o.has_nested = true;
                                    let row = o.row();
                                    let grid_col = row.grid_col;
                                    row.cells.push(RawCell {
                                        items: vec![Item::Table(t)],
                                        grid_col,
                                        col_span: 1,
                                        vmerge: VMerge::No,
                                        hmerge_continue: false,
                                    });
                                }
                            } else {
                                emit_table(&mut self.doc.blocks, t);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn emit_para(&mut self, p: String) {
        match self.tables.last_mut() {
            Some(t) => {
                if let Some(cell) = t.cell.as_mut() {
                    cell.items.push(Item::Para(p));
                }
            }
            None => {
                let text = clean(&p);
                if !text.is_empty() {
                    self.doc.blocks.push(Block::Paragraph(text));
                }
            }
        }
    }
}

/// `w:val` of a span: a positive number, 1 if missing or invalid.
fn span(v: Option<&str>) -> u32 {
    v.and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
        .min(1_000)
}

/// Trims white space (including U+3000) at both ends of each line and drops
/// empty lines at the start and end.
fn clean(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').map(str::trim).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

fn cell_text(items: &[Item]) -> String {
    let parts: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Para(p) => Some(clean(p)),
            Item::Table(_) => None,
        })
        .filter(|s| !s.is_empty())
        .collect();
    parts.join("\n")
}

/// Emits a finished top-level (or dissolved) table. Recursion is bounded by
/// [`MAX_TABLE_NESTING`].
fn emit_table(blocks: &mut Vec<Block>, t: RawTable) {
    if t.has_nested {
        for row in t.rows {
            for cell in row.cells {
                for item in cell.items {
                    match item {
                        Item::Para(p) => {
                            let text = clean(&p);
                            if !text.is_empty() {
                                blocks.push(Block::Paragraph(text));
                            }
                        }
                        Item::Table(inner) => emit_table(blocks, inner),
                    }
                }
            }
        }
        return;
    }
    let mut out: Vec<Vec<TableCell>> = Vec::new();
    // For each grid column: (row, index) of the latest emitted cell starting there.
    let mut starts: std::collections::HashMap<usize, (usize, usize)> = Default::default();
    for row in t.rows {
        let r = out.len();
        let mut cells: Vec<TableCell> = Vec::new();
        for cell in row.cells {
            let text = cell_text(&cell.items);
            if cell.hmerge_continue
                && let Some(prev) = cells.last_mut()
            {
                prev.col_span += cell.col_span;
                append(&mut prev.text, &text);
                continue;
            }
            if cell.vmerge == VMerge::Continue
                && let Some(&(rr, ci)) = starts.get(&cell.grid_col)
            {
                let above = &mut out[rr][ci];
                if rr + above.row_span as usize == r {
                    above.row_span += 1;
                    append(&mut above.text, &text);
                    continue;
                }
            }
            starts.insert(cell.grid_col, (r, cells.len()));
            cells.push(TableCell {
                text,
                row_span: 1,
                col_span: cell.col_span,
            });
        }
        out.push(cells);
    }
    if out.iter().any(|r| !r.is_empty()) {
        blocks.push(Block::Table(Table { rows: out }));
    }
}

fn append(to: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !to.is_empty() {
        to.push('\n');
    }
    to.push_str(text);
}

/// Reads a legacy Word 97-2003 `.doc` or WPS `.wps` file (OLE2 compound file)
/// through `office_oxide`, whose calls run under `catch_unwind` (it also runs
/// its parser on a thread of its own with a large stack and turns panics there
/// into errors). Its tables follow the same convention as ours (vertically
/// merged continuation cells absorbed), so they map one to one.
pub fn read_doc(bytes: &[u8]) -> Result<Document, ReadError> {
    const DOC_FORMAT: &str = "Word 97-2003（.doc/.wps）";
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if !bytes.starts_with(CFB_MAGIC) {
        return Err(ReadError::corrupt(
            DOC_FORMAT,
            "文件头不是 OLE2 复合文档",
            "",
        ));
    }
    let owned = bytes.to_vec();
    let result = std::panic::catch_unwind(move || {
        let doc = office_oxide::Document::from_reader(
            Cursor::new(owned),
            office_oxide::DocumentFormat::Doc,
        )?;
        Ok::<_, office_oxide::OfficeError>(doc.to_ir())
    });
    let ir = match result {
        Ok(Ok(ir)) => ir,
        Ok(Err(e)) => return Err(doc_error(e)),
        Err(_) => {
            return Err(ReadError::corrupt(
                DOC_FORMAT,
                "解析时出现内部错误，文件可能已损坏",
                "",
            ));
        }
    };
    let mut doc = Document::default();
    for section in &ir.sections {
        ir_elements(&mut doc.blocks, &section.elements, 0);
    }
    Ok(doc)
}

fn doc_error(e: office_oxide::OfficeError) -> ReadError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("encrypt") || lower.contains("password") {
        return ReadError::Unsupported {
            format: "加密（设有密码）的 Word 文件".into(),
            fix: "请在 Word 或 WPS 中取消密码并另存为 .docx 后再读取".into(),
        };
    }
    if lower.contains("unsupported") {
        return unsupported_doc();
    }
    ReadError::corrupt(
        "Word 97-2003（.doc/.wps）",
        "文件结构无法解析，可能已损坏或不完整",
        text,
    )
}

fn unsupported_doc() -> ReadError {
    ReadError::Unsupported {
        format: "Word 97-2003 (.doc/.wps) 文件".into(),
        fix: "请用 Word 或 WPS 另存为 .docx 后再读取".into(),
    }
}

/// office_oxide's IR → blocks. Recursion follows table/list/text-box nesting,
/// capped at [`MAX_TABLE_NESTING`] levels (deeper content is dropped).
fn ir_elements(blocks: &mut Vec<Block>, elements: &[office_oxide::ir::Element], depth: usize) {
    use office_oxide::ir::Element as E;
    if depth > MAX_TABLE_NESTING {
        return;
    }
    for el in elements {
        match el {
            E::Heading(h) => push_para(blocks, &office_oxide::ir::inline_to_text(&h.content)),
            E::Paragraph(p) => push_para(blocks, &office_oxide::ir::inline_to_text(&p.content)),
            E::List(list) => ir_list(blocks, list, depth + 1),
            E::TextBox(tb) => ir_elements(blocks, &tb.content, depth + 1),
            E::CodeBlock(_) => {}
            E::Table(t) => {
                let nested = t
                    .rows
                    .iter()
                    .flat_map(|r| &r.cells)
                    .any(|c| c.content.iter().any(|e| matches!(e, E::Table(_))));
                if nested {
                    for row in &t.rows {
                        for cell in &row.cells {
                            ir_elements(blocks, &cell.content, depth + 1);
                        }
                    }
                    continue;
                }
                let rows: Vec<Vec<TableCell>> = t
                    .rows
                    .iter()
                    .map(|r| {
                        r.cells
                            .iter()
                            .map(|c| {
                                let mut inner = Vec::new();
                                ir_elements(&mut inner, &c.content, depth + 1);
                                let parts: Vec<String> = inner
                                    .into_iter()
                                    .filter_map(|b| match b {
                                        Block::Paragraph(p) => Some(p),
                                        Block::Table(_) => None,
                                    })
                                    .collect();
                                TableCell::spanning(parts.join("\n"), c.row_span, c.col_span)
                            })
                            .collect()
                    })
                    .collect();
                if rows.iter().any(|r| !r.is_empty()) {
                    blocks.push(Block::Table(Table { rows }));
                }
            }
            _ => {}
        }
    }
}

fn ir_list(blocks: &mut Vec<Block>, list: &office_oxide::ir::List, depth: usize) {
    if depth > MAX_TABLE_NESTING {
        return;
    }
    for item in &list.items {
        ir_elements(blocks, &item.content, depth + 1);
        if let Some(nested) = &item.nested {
            ir_list(blocks, nested, depth + 1);
        }
    }
}

fn push_para(blocks: &mut Vec<Block>, text: &str) {
    let text = clean(text);
    if !text.is_empty() {
        blocks.push(Block::Paragraph(text));
    }
}
