//! HTML (already decoded to text) → [`Document`].
//!
//! Paragraphs and headings become [`Block::Paragraph`]s, data tables become
//! [`Block::Table`]s with their row and column spans as written.
//!
//! Text rules:
//! * runs of white space in the source (including `&nbsp;`) collapse to one space;
//!   lines are trimmed;
//! * `<br>` is a line break ('\n') inside the paragraph or cell;
//! * block boundaries (`<p>`, `<div>`, `<li>`, headings, …) inside a table cell
//!   are line breaks; outside tables they end the paragraph;
//! * inline elements (`<span>`, `<font>`, `<b>`, …) are joined without separators,
//!   so a number split over spans (`<span>12</span><span>3</span>`) reads `123`;
//! * `<script>`, `<style>`, `<noscript>`, `<template>`, `<head>` and embedded
//!   objects are ignored.
//!
//! Nested tables: a table that contains another table is taken to be a layout
//! table (old government sites wrap the whole article in one). It is dissolved:
//! its cells are read as ordinary flow, in row order, so the paragraphs and data
//! tables inside it come out as their own blocks in reading order. Only innermost
//! tables (those without a table inside) become [`Block::Table`]s.
//!
//! The page is read as a stream of tags and text ([`lex`], no DOM tree, the text
//! between tags borrowed from the page), so memory stays proportional to the text
//! kept, not to the markup: a 50 MB page costs its decoded text plus the document
//! read from it. A table is buffered until it ends; when a table opens inside a
//! cell of another, the outer one is dissolved into flow at that point. The
//! nesting depth of the source is still checked before reading (see
//! [`MAX_DEPTH`]).

use memchr::memmem::find;

use crate::doc::{Block, Document, Table, TableCell};
use crate::error::ReadError;

mod lex;

/// The deepest element nesting accepted (an estimate from a pre-scan of the
/// tags; real report pages stay well below 100).
pub const MAX_DEPTH: usize = 2_000;

/// Largest `colspan` honoured (the HTML standard's own limit).
const MAX_COLSPAN: u32 = 1_000;
/// Largest `rowspan` honoured (the HTML standard's own limit).
const MAX_ROWSPAN: u32 = 65_534;

/// Reads an HTML page into the neutral shape.
pub fn read_html(text: &str) -> Result<Document, ReadError> {
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let depth = estimate_depth(text);
    if depth > MAX_DEPTH {
        return Err(ReadError::TooLarge {
            detail: format!("网页的标签嵌套超过 {MAX_DEPTH} 层（约 {depth} 层），无法安全解析"),
        });
    }
    let mut walker = Walker::default();
    lex::tokenize(text, &mut walker);
    Ok(walker.finish())
}

/// Finds the character set a page declares in its first 4 KB: `<meta charset=…>`
/// or `<meta http-equiv="Content-Type" content="text/html; charset=…">`
/// (and an XML declaration's `encoding=`). Returns `None` when nothing usable is
/// declared. `gb2312`/`gbk` map to encoding_rs's GBK (which decodes all of GB18030).
pub fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    // Work on an ASCII-lowercased copy; non-ASCII bytes cannot be part of a label.
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();

    // XML declaration (XHTML pages).
    if lower.starts_with(b"<?xml") || lower.starts_with(b"\xef\xbb\xbf<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        if let Some(pos) = find(&lower[..end], b"encoding")
            && let Some(enc) = label_after(&lower[pos + b"encoding".len()..end])
        {
            return Some(enc);
        }
    }

    let mut from = 0;
    while let Some(rel) = find(&lower[from..], b"<meta") {
        let start = from + rel;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(pos) = find(tag, b"charset")
            && let Some(enc) = label_after(&tag[pos + b"charset".len()..])
        {
            return Some(enc);
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

/// After `charset` or `encoding`: optional spaces, '=', optional quotes, the label.
fn label_after(rest: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let mut i = 0;
    while i < rest.len() && rest[i].is_ascii_whitespace() {
        i += 1;
    }
    if i >= rest.len() || rest[i] != b'=' {
        return None;
    }
    i += 1;
    while i < rest.len() && (rest[i].is_ascii_whitespace() || rest[i] == b'"' || rest[i] == b'\'') {
        i += 1;
    }
    let start = i;
    while i < rest.len()
        && (rest[i].is_ascii_alphanumeric() || matches!(rest[i], b'-' | b'_' | b':' | b'.'))
    {
        i += 1;
    }
    let label = &rest[start..i];
    if label.is_empty() {
        return None;
    }
    let enc = encoding_rs::Encoding::for_label(label)?;
    // A page that declares UTF-16 in a meta tag is in fact ASCII-compatible (the
    // standard says to treat it as UTF-8); the "x-user-defined" label likewise.
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(encoding_rs::UTF_8);
    }
    if enc == encoding_rs::X_USER_DEFINED {
        return Some(encoding_rs::WINDOWS_1252);
    }
    Some(enc)
}

/// Elements whose end tag may be omitted, or which have no content: they are not
/// counted by [`estimate_depth`].
fn is_uncounted(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"td"
            | b"th"
            | b"tr"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"option"
            | b"optgroup"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"rtc"
            | b"html"
            | b"head"
            | b"body"
            | b"frame"
            | b"basefont"
            | b"bgsound"
            | b"keygen"
            | b"image"
    )
}

/// A cheap upper-bound estimate of the element nesting depth: start tags minus
/// end tags, skipping void elements, elements with optional end tags, comments
/// and the raw text of scripts and styles.
fn estimate_depth(text: &str) -> usize {
    let b = text.as_bytes();
    let mut depth: usize = 0;
    let mut max: usize = 0;
    let mut foreign: usize = 0;
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[i.min(b.len())..]) {
        i += lt;
        if b[i..].starts_with(b"<!--") {
            i = find(&b[i + 4..], b"-->").map_or(b.len(), |e| i + 4 + e + 3);
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let name_start = if closing { i + 2 } else { i + 1 };
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == name_start || !b[name_start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // Lowercased on the stack: every name the scan asks about is short, and a
        // longer one is simply counted.
        let raw = &b[name_start..j];
        let mut buf = [0u8; 16];
        let name: &[u8] = if raw.len() <= buf.len() {
            let n = &mut buf[..raw.len()];
            n.copy_from_slice(raw);
            n.make_ascii_lowercase();
            n
        } else {
            b""
        };
        // End of the tag (attribute values may hold '>', but an estimate is enough).
        let end = memchr::memchr(b'>', &b[j..]).map_or(b.len(), |e| j + e);
        // `<x/>` closes itself only in SVG and MathML; in HTML `<div/>` opens a div.
        let self_closing = foreign > 0 && end > 0 && b.get(end - 1) == Some(&b'/');
        i = end + 1;
        if is_uncounted(name) {
            continue;
        }
        if matches!(name, b"svg" | b"math") {
            if closing {
                foreign = foreign.saturating_sub(1);
            } else if !(end > 0 && b.get(end - 1) == Some(&b'/')) {
                foreign += 1;
            }
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            max = max.max(depth);
            if matches!(name, b"script" | b"style" | b"textarea" | b"title" | b"xmp") {
                // Raw text up to the matching end tag.
                let mut close = [0u8; 10];
                close[..2].copy_from_slice(b"</");
                close[2..2 + name.len()].copy_from_slice(name);
                let rest = &b[i.min(b.len())..];
                let lower_rest_end = find_ci(rest, &close[..2 + name.len()]);
                i = lower_rest_end.map_or(b.len(), |e| i + e);
            }
        }
    }
    max
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w[0].eq_ignore_ascii_case(&needle[0]) && w.eq_ignore_ascii_case(needle))
}

/// Text being gathered for one paragraph or one table cell. Each finished line
/// remembers whether a block boundary (not a `<br>`) ended it, so a dissolved
/// layout table gives the same paragraphs as flow text would.
#[derive(Default)]
struct TextBuf {
    lines: Vec<(String, bool)>,
    cur: String,
    /// `cur` is a line a block boundary ended, not yet moved to `lines`: moved only
    /// when more text comes, so the common `<td><p>…</p></td>` gathers no list.
    ended: bool,
}

impl TextBuf {
    /// Moves a line a block boundary ended to `lines`.
    fn settle(&mut self) {
        if std::mem::take(&mut self.ended) {
            let line = std::mem::take(&mut self.cur);
            self.lines.push((line, true));
        }
    }
    fn push_text(&mut self, s: &str) {
        if self.ended {
            // White space at the start of a line adds nothing (a U+00A0 is settled
            // and then collapses away alike).
            if s.bytes().all(lex::is_space) {
                return;
            }
            self.settle();
        }
        // Copied a run at a time between white space ([`is_collapsible`]: ASCII, or
        // U+00A0, C2 A0).
        let b = s.as_bytes();
        let (mut run, mut i) = (0, 0);
        while i < b.len() {
            let n = match b[i] {
                c if lex::is_space(c) => 1,
                0xC2 if b.get(i + 1) == Some(&0xA0) => 2,
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.cur.push_str(&s[run..i]);
            if !self.cur.is_empty() && !self.cur.ends_with(' ') {
                self.cur.push(' ');
            }
            i += n;
            run = i;
        }
        self.cur.push_str(&s[run..]);
    }
    /// `<br>`: always a new line.
    fn hard_break(&mut self) {
        self.settle();
        let line = std::mem::take(&mut self.cur);
        self.lines.push((line, false));
    }
    /// A block boundary: a new line unless the current line is still empty.
    fn soft_break(&mut self) {
        // A line already ended stays ended (its text is not blank).
        if !self.cur.trim_end_matches(' ').is_empty() {
            self.ended = true;
        } else {
            self.cur.clear();
            if let Some(last) = self.lines.last_mut() {
                last.1 = true;
            }
        }
    }
    fn is_empty(&self) -> bool {
        self.cur.trim().is_empty() && self.lines.iter().all(|l| l.0.trim().is_empty())
    }
    /// The text as one cell: lines joined with '\n', blank lines at either end dropped.
    fn take(&mut self) -> String {
        let lines: Vec<String> = self.take_lines().into_iter().map(|l| l.0).collect();
        join_trimmed(&lines)
    }
    fn take_lines(&mut self) -> Vec<(String, bool)> {
        self.settle();
        let mut lines = std::mem::take(&mut self.lines);
        lines.push((std::mem::take(&mut self.cur), true));
        lines
    }
    /// The text as one table cell: [`join_paragraphs`] of [`TextBuf::take_paragraphs`].
    /// Most cells are one line: its text is moved, not gathered into paragraphs first.
    fn take_cell(&mut self) -> (String, Vec<usize>) {
        // One line: the text so far, or one block (`<td><p>…</p></td>`) with only
        // spaces after it.
        let one_block =
            matches!(self.lines.as_slice(), [(_, true)]) && self.cur.trim_matches(' ').is_empty();
        let line = if self.lines.is_empty() {
            self.ended = false;
            std::mem::take(&mut self.cur)
        } else if one_block {
            self.cur.clear();
            self.lines.pop().map(|l| l.0).unwrap_or_default()
        } else {
            return join_paragraphs(self.take_paragraphs());
        };
        let start = line.len() - line.trim_start_matches(' ').len();
        let end = line.trim_end_matches(' ').len().max(start);
        let text = if start == 0 && end == line.len() {
            line
        } else {
            line[start..end].to_string()
        };
        (text, Vec::new())
    }

    /// The text as flow: one paragraph per block, `<br>` lines joined with '\n'
    /// (each block's lines as [`join_trimmed`] joins them, built in place).
    fn take_paragraphs(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let mut para = String::new();
        // Empty lines since the paragraph's last line: kept only between lines.
        let mut empty = 0;
        for (line, soft) in self.take_lines() {
            let start = line.len() - line.trim_start_matches(' ').len();
            let end = line.trim_end_matches(' ').len().max(start);
            if start == end {
                empty += 1;
            } else if para.is_empty() {
                // A block's first line, moved rather than copied when it is all text.
                if start == 0 && end == line.len() {
                    para = line;
                } else {
                    para.push_str(&line[start..end]);
                }
                empty = 0;
            } else {
                para.extend(std::iter::repeat_n('\n', empty + 1));
                para.push_str(&line[start..end]);
                empty = 0;
            }
            if soft {
                if !para.is_empty() {
                    out.push(std::mem::take(&mut para));
                }
                empty = 0;
            }
        }
        out
    }
}

fn join_trimmed(lines: &[String]) -> String {
    let trimmed: Vec<&str> = lines.iter().map(|l| l.trim_matches(' ')).collect();
    let first = trimmed.iter().position(|l| !l.is_empty());
    let last = trimmed.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(a), Some(b)) => trimmed[a..=b].join("\n"),
        _ => String::new(),
    }
}

/// White space that collapses: ' ', '\t', '\n', '\r', '\x0c' and U+00A0.
#[cfg(test)]
fn is_collapsible(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}')
}

/// Elements whose content is never text of the document.
fn is_ignored(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "title"
            | "object"
            | "iframe"
            | "svg"
            | "math"
            | "select"
            | "button"
            | "textarea"
            | "noembed"
            | "noframes"
            | "xmp"
    )
}

/// Elements that start and end a block of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "blockquote"
            | "pre"
            | "address"
            | "center"
            | "form"
            | "fieldset"
            | "legend"
            | "hr"
            | "figure"
            | "figcaption"
            | "details"
            | "summary"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "body"
            | "html"
    )
}

struct CellBuilder {
    text: TextBuf,
    row_span: u32,
    col_span: u32,
}

/// A finished cell's text: its paragraphs joined with '\n' (its text as a table
/// cell), and where each paragraph after the first starts, to keep them apart when the
/// table is dissolved into flow.
fn join_paragraphs(paragraphs: Vec<String>) -> (String, Vec<usize>) {
    let mut starts = Vec::new();
    let text = match paragraphs.len() {
        0 => String::new(),
        1 => paragraphs.into_iter().next().unwrap_or_default(),
        _ => {
            let mut text = String::new();
            for (i, p) in paragraphs.iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                    starts.push(text.len());
                }
                text.push_str(p);
            }
            text
        }
    };
    (text, starts)
}

/// A cell's paragraphs again, from its text and where they start.
fn split_paragraphs(text: String, starts: &[usize]) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    if starts.is_empty() {
        return vec![text];
    }
    let mut out = Vec::with_capacity(starts.len() + 1);
    let mut from = 0;
    for &s in starts {
        out.push(text[from..s - 1].to_string());
        from = s;
    }
    out.push(text[from..].to_string());
    out
}

/// A data table being gathered. Its cells are gathered as the document will hold
/// them (a large table is not built twice); `rowspan="0"` is resolved when it ends.
#[derive(Default)]
struct TableBuilder {
    rows: Vec<Vec<TableCell>>,
    /// For the few cells of several paragraphs: (row, cell in row) and where each
    /// paragraph after the first starts in its text.
    paragraph_starts: Vec<((usize, usize), Vec<usize>)>,
    cell: Option<CellBuilder>,
    /// `<caption>` and stray text inside the table outside any cell.
    caption: TextBuf,
}

/// An open `<table>`: a data table being gathered, or a layout table read as flow.
enum Frame {
    Data(TableBuilder),
    Layout,
}

#[derive(Default)]
struct Walker {
    doc: Document,
    para: TextBuf,
    frames: Vec<Frame>,
    /// Inside an ignored element: its name and how many of it are open.
    skip: Option<(String, usize)>,
}

impl lex::Sink for Walker {
    fn start_tag(&mut self, tag: &lex::Tag<'_>) {
        let name = tag.name;
        if let Some((skipped, open)) = &mut self.skip {
            if skipped == name && !tag.self_closing {
                *open += 1;
            }
            return;
        }
        if is_ignored(name) {
            // `<svg/>` closes itself (foreign content); HTML elements do not.
            if !(tag.self_closing && matches!(name, "svg" | "math")) {
                self.skip = Some((name.to_string(), 1));
            }
            return;
        }
        self.open(name, tag);
        if tag.self_closing && name == "table" {
            self.close("table");
        }
    }

    fn end_tag(&mut self, name: &str) {
        if let Some((skipped, open)) = &mut self.skip {
            if skipped == name {
                *open -= 1;
                if *open == 0 {
                    self.skip = None;
                }
            }
            return;
        }
        self.close(name);
    }

    fn text(&mut self, t: &str) {
        if self.skip.is_none() {
            self.current_text().push_text(t);
        }
    }
}

impl Walker {
    fn data_table(&mut self) -> Option<&mut TableBuilder> {
        match self.frames.last_mut() {
            Some(Frame::Data(t)) => Some(t),
            _ => None,
        }
    }

    fn current_text(&mut self) -> &mut TextBuf {
        if let Some(Frame::Data(t)) = self.frames.last_mut() {
            return match &mut t.cell {
                Some(c) => &mut c.text,
                None => &mut t.caption,
            };
        }
        &mut self.para
    }

    fn open(&mut self, name: &str, tag: &lex::Tag<'_>) {
        if let Some(table) = self.data_table() {
            match name {
                "table" => {
                    // A table inside a table: the outer one only lays the page out.
                    self.dissolve_top();
                    self.frames.push(Frame::Data(TableBuilder::default()));
                }
                "tr" => {
                    finish_cell(table);
                    table.rows.push(Vec::new());
                }
                "td" | "th" => {
                    finish_cell(table);
                    if table.rows.is_empty() {
                        table.rows.push(Vec::new());
                    }
                    table.cell = Some(CellBuilder {
                        text: TextBuf::default(),
                        row_span: span_attr(tag.attr("rowspan"), MAX_ROWSPAN, true),
                        col_span: span_attr(tag.attr("colspan"), MAX_COLSPAN, false),
                    });
                }
                "br" => self.current_text().hard_break(),
                n if is_block(n) => self.current_text().soft_break(),
                _ => {}
            }
            return;
        }
        match name {
            "table" => {
                self.flush_para();
                self.frames.push(Frame::Data(TableBuilder::default()));
            }
            "br" => self.para.hard_break(),
            n if is_block(n) => self.flush_para(),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if let Some(table) = self.data_table() {
            match name {
                "table" => {
                    if let Some(Frame::Data(t)) = self.frames.pop() {
                        self.finish_table(t);
                    }
                }
                "td" | "th" | "tr" => finish_cell(table),
                n if is_block(n) => self.current_text().soft_break(),
                _ => {}
            }
            return;
        }
        if name == "table" && matches!(self.frames.last(), Some(Frame::Layout)) {
            self.frames.pop();
        }
        if is_block(name) {
            self.flush_para();
        }
    }

    /// Turns the innermost data table into a layout table: what it gathered so far
    /// becomes paragraphs, in reading order, and the rest of it is read as flow.
    fn dissolve_top(&mut self) {
        let Some(Frame::Data(mut t)) = self.frames.pop() else {
            return;
        };
        self.flush_para();
        for p in t.caption.take_paragraphs() {
            self.doc.blocks.push(Block::Paragraph(p));
        }
        let mut starts = t.paragraph_starts.drain(..).peekable();
        for (r, row) in t.rows.drain(..).enumerate() {
            for (c, cell) in row.into_iter().enumerate() {
                let at = match starts.peek() {
                    Some((rc, _)) if *rc == (r, c) => starts.next().map(|(_, s)| s),
                    _ => None,
                };
                for p in split_paragraphs(cell.text, at.as_deref().unwrap_or(&[])) {
                    self.doc.blocks.push(Block::Paragraph(p));
                }
            }
        }
        if let Some(mut c) = t.cell.take() {
            // The open cell goes on as flow text.
            self.para = std::mem::take(&mut c.text);
            let paras = self.para.take_paragraphs();
            let (done, open) = paras.split_at(paras.len().saturating_sub(1));
            for p in done {
                self.doc.blocks.push(Block::Paragraph(p.clone()));
            }
            for p in open {
                self.para.push_text(p);
            }
            self.flush_para();
        }
        self.frames.push(Frame::Layout);
    }

    fn flush_para(&mut self) {
        for p in self.para.take_paragraphs() {
            self.doc.blocks.push(Block::Paragraph(p));
        }
    }

    fn finish(mut self) -> Document {
        // Tables left open by a truncated page.
        while let Some(f) = self.frames.pop() {
            if let Frame::Data(t) = f {
                self.finish_table(t);
            }
        }
        self.flush_para();
        self.doc
    }

    fn finish_table(&mut self, mut t: TableBuilder) {
        finish_cell(&mut t);
        if !t.caption.is_empty() {
            let caption = t.caption.take();
            self.doc.blocks.push(Block::Paragraph(caption));
        }
        if t.rows.iter().all(|r| r.is_empty()) {
            return;
        }
        let n = t.rows.len();
        for (i, row) in t.rows.iter_mut().enumerate() {
            let left = (n - i) as u32;
            for c in row {
                // rowspan="0" spans to the end of the table; spans past the end are clipped.
                if c.row_span == 0 || c.row_span > left {
                    c.row_span = left;
                }
            }
        }
        let rows = t.rows;
        self.doc.blocks.push(Block::Table(Table { rows }));
    }
}

fn finish_cell(table: &mut TableBuilder) {
    if let Some(mut c) = table.cell.take() {
        let (text, starts) = c.text.take_cell();
        // Not `TableCell::spanning`: a row span of 0 is kept until the table ends.
        let cell = TableCell {
            text,
            row_span: c.row_span,
            col_span: c.col_span,
        };
        if table.rows.is_empty() {
            table.rows.push(Vec::new());
        }
        let r = table.rows.len() - 1;
        let row = &mut table.rows[r];
        if !starts.is_empty() {
            table.paragraph_starts.push(((r, row.len()), starts));
        }
        row.push(cell);
    }
}

/// Parses a `rowspan`/`colspan` value the way browsers do: leading digits,
/// anything after ignored; missing or invalid → 1. `rowspan="0"` is kept as 0
/// (resolved when the table is finished); `colspan="0"` is 1.
fn span_attr(value: Option<&str>, max: u32, zero_allowed: bool) -> u32 {
    let Some(v) = value else { return 1 };
    // At most ten leading digits, as a slice: ASCII digits are one byte each.
    let v = v.trim();
    let digits = &v[..v.bytes().take_while(u8::is_ascii_digit).take(10).count()];
    match digits.parse::<u64>() {
        Ok(0) if zero_allowed => 0,
        Ok(0) | Err(_) => 1,
        Ok(n) => n.min(u64::from(max)) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_text_collapses_white_space_as_each_character_would() {
        let pieces = [
            "  规章\u{a0}\u{a0}0 ",
            "\t\n",
            "a\x0cb\rc",
            "",
            "é\u{2003}𠀀 ",
            "\u{a0}x",
        ];
        let mut buf = TextBuf::default();
        let mut want = String::new();
        for p in pieces {
            buf.push_text(p);
            for ch in p.chars() {
                if is_collapsible(ch) {
                    if !want.is_empty() && !want.ends_with(' ') {
                        want.push(' ');
                    }
                } else {
                    want.push(ch);
                }
            }
            assert_eq!(buf.cur, want, "{p:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the text, breaks and blocks, a cell's text taken at once (the
        /// fast paths: one line, one block whose line is not yet settled) is its
        /// paragraphs joined, and it is empty exactly when it has none.
        #[test]
        fn a_cell_is_its_paragraphs_joined_whatever_came_in(
            ops in proptest::collection::vec(0..9usize, 0..12)
        ) {
            let fill = |b: &mut TextBuf| {
                for &op in &ops {
                    match op {
                        0 => b.soft_break(),
                        1 => b.hard_break(),
                        2 => b.push_text(" "),
                        3 => b.push_text("\u{a0}"),
                        4 => b.push_text("\n\t"),
                        5 => b.push_text("规章"),
                        6 => b.push_text(" 0 "),
                        7 => b.push_text("a"),
                        _ => b.push_text(""),
                    }
                }
            };
            let mut a = TextBuf::default();
            fill(&mut a);
            let mut b = TextBuf::default();
            fill(&mut b);
            let empty = a.is_empty();
            let paragraphs = b.take_paragraphs();
            proptest::prop_assert_eq!(empty, paragraphs.is_empty());
            proptest::prop_assert_eq!(a.take_cell(), join_paragraphs(paragraphs));
        }
    }

    #[test]
    fn a_cell_of_one_line_is_taken_as_its_paragraphs_are_joined() {
        for (text, block) in ["", " ", "  0 ", "规章", " 规 章", "a  "]
            .into_iter()
            .flat_map(|t| [(t, false), (t, true)])
        {
            // As `<td>text</td>` and as `<td><p>text</p> </td>`.
            let fill = |b: &mut TextBuf| {
                if block {
                    b.soft_break();
                }
                b.push_text(text);
                if block {
                    b.soft_break();
                    b.push_text(" ");
                }
            };
            let mut a = TextBuf::default();
            fill(&mut a);
            let mut b = TextBuf::default();
            fill(&mut b);
            assert_eq!(
                a.take_cell(),
                join_paragraphs(b.take_paragraphs()),
                "{text:?}"
            );
        }
    }
}
