//! The neutral shape → one stream of tokens: labels, values and empty cells, each
//! with where it was read. Grid sources give one token per cell; text lines are cut
//! at tabs and Markdown pipes. The template reader works on this stream only.

use crate::doc::{Block, Document, TableCell};
use gongkai_report::Provenance;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Text that is not a value: row labels, headers, prose.
    Label,
    /// Text that reads as a value (number, "/", 无 …).
    Value,
    /// A cell with nothing printed.
    Empty,
    /// Text printed where a value stands that is not one (`约10164`, `10164。`, `NaN`,
    /// `1.0164e4`, `一万零一百六十四`): placed like a value, reported, never read as blank.
    Unreadable,
}

/// One token. Kept small (48 bytes and its text): a 50 MB page of tables is millions
/// of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Kind,
    /// Whether `at` is (table, row, column) rather than (line, …).
    grid: bool,
    /// The cell's text as printed (line breaks inside a cell removed).
    pub text: Box<str>,
    /// A label's normalised text ([`crate::reader::norm`]) when it differs from `text`.
    norm: Option<Box<str>>,
    /// Where it was read, 1-based (0 = not given): the line, or the table, row and
    /// column.
    at: [u32; 3],
}

impl Token {
    pub fn new(kind: Kind, text: String, source: Provenance) -> Token {
        let norm = if kind == Kind::Label && crate::reader::norm_changes(&text) {
            Some(crate::reader::norm(&text).into_boxed_str())
        } else {
            None
        };
        let at = |v: Option<u32>| v.unwrap_or(0);
        // A token is read from a line or from a grid, never both.
        let grid = source.line.is_none();
        Token {
            kind,
            grid,
            text: text.into_boxed_str(),
            norm,
            at: if grid {
                [at(source.table), at(source.row), at(source.column)]
            } else {
                [at(source.line), 0, 0]
            },
        }
    }

    /// A label's text normalised for matching ([`crate::reader::norm`]), computed once;
    /// empty for values and empty cells.
    pub fn norm(&self) -> &str {
        match (&self.norm, &self.kind) {
            (Some(n), _) => n,
            (None, Kind::Label) => &self.text,
            (None, _) => "",
        }
    }

    /// Where the token was read.
    pub fn source(&self) -> Provenance {
        let get = |i: usize| (self.at[i] > 0).then_some(self.at[i]);
        if self.grid {
            Provenance {
                line: None,
                table: get(0),
                row: get(1),
                column: get(2),
            }
        } else {
            Provenance {
                line: get(0),
                ..Default::default()
            }
        }
    }
}

/// Characters that only decorate: Word bookmarks, zero-width marks, replacement chars.
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let decoration = |c: char| {
        matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{fffd}' | '\r'
        )
    };
    // Nearly every line has nothing to remove: no copy.
    if !needs_cleaning(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut s = if text.contains("[bookmark:") {
        text.replace("[bookmark: _GoBack]", "")
    } else {
        text.to_string()
    };
    s.retain(|c| !decoration(c));
    std::borrow::Cow::Owned(s)
}

/// Whether [`clean`] removes anything from `text` (a bookmark or a decoration), by
/// one scan of its bytes: each decoration is '\r' or a fixed UTF-8 sequence.
fn needs_cleaning(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\r' => true,
        b'[' => b[i..].starts_with(b"[bookmark:"),
        // U+200B, U+200C, U+200D
        0xE2 => matches!(b.get(i + 1..i + 3), Some([0x80, 0x8B..=0x8D])),
        // U+FEFF, U+FFFD
        0xEF => matches!(b.get(i + 1..i + 3), Some([0xBB, 0xBF] | [0xBF, 0xBD])),
        _ => false,
    })
}

fn classify(text: &str) -> Kind {
    let t = text.trim();
    if t.chars()
        .all(|c| c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}')
    {
        Kind::Empty
    } else if gongkai_report::Cell::is_printed_value(t) {
        Kind::Value
    } else if is_failed_value(t) {
        Kind::Unreadable
    } else {
        Kind::Label
    }
}

/// Chinese numerals, written out instead of digits.
fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '万'
            | '亿'
            | '两'
            | '壹'
            | '贰'
            | '叁'
            | '肆'
            | '伍'
            | '陆'
            | '柒'
            | '捌'
            | '玖'
            | '拾'
            | '佰'
            | '仟'
    )
}

/// Whether text that is not a value was still meant as one: a short cell made of a
/// number with a stray word or mark (`约10164`, `10164。`, `1.0164e4`, a number too long
/// to be a count), a number written in Chinese numerals, or a spreadsheet's non-number
/// (`NaN`, `#VALUE!`). Row labels (`1.属于国家秘密`, `（一）予以公开`, `3.其他`), years
/// (`2020年`), `第1项` and page numbers (`- 3 -`, `3/6`) are not.
pub(crate) fn is_failed_value(text: &str) -> bool {
    // Prose and long labels are decided before folding anything.
    if text.len() > 24 * 4 {
        return false;
    }
    let t = gongkai_report::value::fold_width_cow(text);
    let t = &*t;
    let n = t.chars().count();
    if n == 0 || n > 24 {
        return false;
    }
    const NON_NUMBERS: [&str; 15] = [
        "nan",
        "inf",
        "-inf",
        "infinity",
        "null",
        "none",
        "n/a",
        "na",
        "#n/a",
        "#value!",
        "#ref!",
        "#div/0!",
        "#num!",
        "#name?",
        "undefined",
    ];
    if NON_NUMBERS.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        return true;
    }
    if n >= 2 && t.chars().all(is_chinese_numeral) {
        return true;
    }
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    // Numbered labels, bracketed numbering, 第…, quoted notices.
    if matches!(first, '(' | '第' | '〔' | '[' | '【' | '<' | '《') {
        return false;
    }
    let lead = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    let mut rest = t[lead.len()..].chars();
    let after = rest.next();
    if !lead.is_empty() && lead.len() <= 2 && matches!(after, Some('.' | '、')) {
        if rest.next().is_none_or(|c| !c.is_ascii_digit()) {
            return false;
        }
    }
    // Years and dates: `2020年`, `2021-02-20`.
    if lead.len() == 4 && (after == Some('年') || matches!(after, Some('-' | '/')) && n > 5) {
        return false;
    }
    // Page numbers: `-3-`, `—3—`, `3/6`, `page 3`.
    let core = t.trim_matches(|c| matches!(c, '-' | '—' | '–'));
    if core != t && core.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if let Some((a, b)) = t.split_once('/')
        && !a.is_empty()
        && !b.is_empty()
        && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    {
        return false;
    }
    // Otherwise: a number with at most two other words around it (units aside).
    let han = t
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .filter(|c| !matches!(c, '件' | '个' | '项' | '条' | '次' | '元' | '万'))
        .count();
    han <= 2
}

/// Markdown table separator rows (`|---|:--:|`).
fn is_markdown_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        && t.contains('-')
}

/// Cuts one line of text into cells: Markdown pipes, else tabs. A line that starts
/// with a tab is an indented Word cell: its first (empty) piece is not a cell.
fn line_cells(line: &str) -> Vec<&str> {
    let t = line.trim_end_matches(['\r', '\n']);
    let trimmed = t.trim();
    if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1 {
        return trimmed[1..trimmed.len() - 1].split('|').collect();
    }
    if !t.contains('\t') {
        return split_spaced_values(t);
    }
    let mut pieces: Vec<&str> = t.split('\t').collect();
    if t.starts_with('\t') {
        pieces.remove(0);
    }
    pieces
}

/// Text converters (`pdftotext -layout`, OCR) print a row as `规章  0  0  0` or the
/// numbers alone as `8 0 0 0 0 0 8`: cut such a line at its spaces. A line is cut
/// only when at least two of its space-separated pieces are values (and at most three
/// are words, fewer than the values, without sentence punctuation), so labels with
/// spaces in them (`商 业 企 业`) and a number with its unit (`38.41 万`) stay whole;
/// and never glued: `1 0 3` is three cells, not the number 103.
fn split_spaced_values(line: &str) -> Vec<&str> {
    let is_space = |c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}';
    let trimmed = line.trim_matches(is_space);
    if !trimmed.contains(is_space) || trimmed.contains(['，', '。', '；', '：']) {
        return vec![line];
    }
    let pieces: Vec<&str> = trimmed.split(is_space).filter(|p| !p.is_empty()).collect();
    let values = pieces
        .iter()
        .filter(|p| {
            let k = classify(p);
            k == Kind::Value || k == Kind::Unreadable
        })
        .count();
    // Prose (`共受理申请 7 件，办结 7 件。`) is not a row: punctuation, or more words than numbers.
    let words = pieces.len() - values;
    // One value is enough when a column gap (two or more spaces) sets it apart.
    let gap = trimmed.contains("  ") || trimmed.contains('\u{3000}');
    // Or a label and its one number: `行政许可 10164`.
    let label_then_value = pieces.len() == 2 && matches!(classify(pieces[1]), Kind::Value);
    let enough = values >= 2 || values == 1 && (gap || label_then_value);
    if !enough || words > 3 || words > values.max(1) {
        return vec![line];
    }
    pieces
}

fn is_pipe_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.ends_with('|') && t.len() > 1
}

/// A pipe row that holds only its row label (`| 规章 | | | |`): how many label cells
/// lead it; every cell after them is empty.
fn label_only_row(kinds: &[Kind]) -> Option<usize> {
    let k = kinds.iter().take_while(|k| **k == Kind::Label).count();
    (k > 0 && kinds[k..].iter().all(|k| *k == Kind::Empty)).then_some(k)
}

/// A pipe row of numbers under a label printed alone on the line before it
/// (`| | 5 | | 7 |`): its first `k` cells empty, no label in it, a value in it.
fn numbers_row(kinds: &[Kind], k: usize) -> bool {
    kinds.len() > k
        && kinds[..k].iter().all(|k| *k == Kind::Empty)
        && !kinds.contains(&Kind::Label)
        && kinds
            .iter()
            .any(|k| matches!(k, Kind::Value | Kind::Unreadable))
}

/// The token stream of a whole document.
pub fn tokenize(doc: &Document) -> Vec<Token> {
    let mut t = Tokens::default();
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(text) => t.paragraph(i, text),
            Block::Table(table) => t.table(table.rows.iter()),
        }
    }
    t.out
}

/// [`tokenize`], consuming the document: each table row is dropped as soon as its
/// tokens are made, so a large table is never held twice (as cells and as tokens).
/// Returns the tokens and the document's paragraphs (for [`crate::reader::read`]).
pub fn tokenize_owned(doc: Document) -> (Vec<Token>, Vec<String>) {
    let mut t = Tokens::default();
    // At least one token per cell and per paragraph: the stream is allocated once.
    let cells: usize = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table(t) => t.rows.iter().map(Vec::len).sum(),
            Block::Paragraph(_) => 1,
        })
        .sum();
    t.out.reserve_exact(cells);
    let mut paragraphs = Vec::new();
    for (i, block) in doc.blocks.into_iter().enumerate() {
        match block {
            Block::Paragraph(text) => {
                t.paragraph(i, &text);
                paragraphs.push(text);
            }
            Block::Table(table) => t.table(table.rows.into_iter()),
        }
    }
    (t.out, paragraphs)
}

#[derive(Default)]
struct Tokens {
    out: Vec<Token>,
    table_no: u32,
    /// A label-only pipe row just read: where its empty cells start in `out`, and how
    /// many label cells it has. PDF-to-Markdown tools print a row label on one line and
    /// its numbers on the next; the two lines are one row (the label row's empty cells
    /// and the numbers row's empty label cells are not the row's cells).
    label_row: Option<(usize, usize)>,
    /// The kinds of one line's cells (a buffer kept from line to line).
    kinds: Vec<Kind>,
}

impl Tokens {
    /// Block `i` (0-based), a paragraph.
    fn paragraph(&mut self, i: usize, text: &str) {
        let Tokens {
            out,
            label_row,
            kinds,
            ..
        } = self;
        let line = (i + 1) as u32;
        for raw in text.split('\n') {
            // Pipe rows and Markdown rules need a '|' (cleaning never adds or removes one).
            let has_pipe = raw.contains('|');
            if has_pipe && is_markdown_rule(raw) {
                continue;
            }
            let raw = clean(raw);
            if raw.trim().is_empty() && !raw.contains('\t') {
                continue;
            }
            // Each cell trimmed once, for its kind and its token.
            let mut cells = line_cells(&raw);
            cells.iter_mut().for_each(|c| *c = c.trim());
            kinds.clear();
            kinds.extend(cells.iter().map(|c| classify(c)));
            let pipe = has_pipe && is_pipe_row(&raw);
            let mut skip = 0;
            match label_row.take() {
                Some((start, k)) if pipe && numbers_row(kinds, k) => {
                    out.truncate(start);
                    skip = k;
                }
                _ => {}
            }
            if pipe && skip == 0 {
                *label_row = label_only_row(kinds).map(|k| (out.len() + k, k));
            }
            for (cell, &kind) in cells.iter().zip(kinds.iter()).skip(skip) {
                out.push(Token::new(
                    kind,
                    cell.to_string(),
                    Provenance {
                        line: Some(line),
                        ..Default::default()
                    },
                ));
            }
        }
    }

    /// A table, row by row.
    fn table<R: AsRef<[TableCell]>>(&mut self, rows: impl Iterator<Item = R>) {
        self.label_row = None;
        self.table_no += 1;
        // Grid columns with spans expanded, so provenance names the column a clerk sees.
        // `occupied[0]` is the current row: rows above it are never looked at again.
        let mut occupied: VecDeque<Vec<bool>> = VecDeque::new();
        for (r, row) in rows.enumerate() {
            let mut col = 0usize;
            for cell in row.as_ref() {
                while occupied
                    .front()
                    .and_then(|o| o.get(col))
                    .copied()
                    .unwrap_or(false)
                {
                    col += 1;
                }
                let rs = cell.row_span.clamp(1, 1000) as usize;
                let cs = cell.col_span.clamp(1, 1000) as usize;
                if occupied.len() < rs {
                    occupied.resize(rs, Vec::new());
                }
                for o in occupied.iter_mut().take(rs) {
                    if o.len() < col + cs {
                        o.resize(col + cs, false);
                    }
                    o[col..col + cs].iter_mut().for_each(|x| *x = true);
                }
                let text = cell_text(&cell.text);
                self.out.push(Token::new(
                    classify(&text),
                    text,
                    Provenance {
                        table: Some(self.table_no),
                        row: Some(r as u32 + 1),
                        column: Some(col as u32 + 1),
                        ..Default::default()
                    },
                ));
                col += cs;
            }
            occupied.pop_front();
        }
    }
}

/// A cell's text as a token: decorations removed, its lines trimmed and joined, the
/// whole trimmed.
fn cell_text(text: &str) -> String {
    // Nearly every cell is one line with nothing to remove: one copy, trimmed.
    let plain = !text.contains("[bookmark:")
        && !text.chars().any(|c| {
            matches!(
                c,
                '\n' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{fffd}' | '\r'
            )
        });
    if plain {
        return text.trim().to_string();
    }
    let joined: String = clean(text).split('\n').map(str::trim).collect();
    joined.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Table, TableCell};

    fn kinds(doc: &Document) -> Vec<(Kind, String)> {
        tokenize(doc)
            .into_iter()
            .map(|t| (t.kind, t.text.into_string()))
            .collect()
    }

    #[test]
    fn tab_rows_and_indented_cells() {
        let mut d = Document::default();
        d.paragraph("行政许可\t10164\t\t");
        d.paragraph("\t");
        d.paragraph("\t6");
        let k = kinds(&d);
        assert_eq!(
            k,
            vec![
                (Kind::Label, "行政许可".into()),
                (Kind::Value, "10164".into()),
                (Kind::Empty, "".into()),
                (Kind::Empty, "".into()),
                (Kind::Empty, "".into()),
                (Kind::Value, "6".into()),
            ]
        );
    }

    #[test]
    fn a_token_is_small_and_keeps_where_it_was_read() {
        assert!(std::mem::size_of::<Token>() <= 48);
        let line = Provenance {
            line: Some(7),
            ..Default::default()
        };
        let cell = Provenance {
            table: Some(2),
            row: Some(3),
            column: Some(4),
            ..Default::default()
        };
        for p in [line, cell, Provenance::default()] {
            assert_eq!(Token::new(Kind::Value, "1".into(), p.clone()).source(), p);
        }
        let t = Token::new(Kind::Label, "“规章”".into(), Provenance::default());
        assert_eq!((&*t.text, t.norm()), ("“规章”", "规章"));
        let t = Token::new(Kind::Label, "规章".into(), Provenance::default());
        assert_eq!(t.norm(), "规章");
        assert_eq!(
            Token::new(Kind::Value, "5".into(), Provenance::default()).norm(),
            ""
        );
    }

    #[test]
    fn markdown_rows() {
        let mut d = Document::default();
        d.paragraph("| 规章 | 0 |  | 3 |");
        d.paragraph("|---|---|---|---|");
        let k = kinds(&d);
        assert_eq!(k.len(), 4);
        assert_eq!(k[2].0, Kind::Empty);
    }

    #[test]
    fn grid_columns_expand_spans() {
        let mut d = Document::default();
        d.table(Table {
            rows: vec![
                vec![
                    TableCell::spanning("三、本年度办理结果", 2, 1),
                    TableCell::new("（一）予以公开"),
                    TableCell::new("5"),
                ],
                vec![TableCell::new("（二）部分公开"), TableCell::new("")],
            ],
        });
        let t = tokenize(&d);
        assert_eq!(t[4].source().column, Some(3));
        assert_eq!(t[4].kind, Kind::Empty);
        assert_eq!(t[3].source().column, Some(2));
    }

    #[test]
    fn only_value_like_starts_are_parsed() {
        for v in [
            "0", "１２", "+3", "－2", "/", "／", "—", "——", "–", "无", "\\", "5万元",
        ] {
            assert_eq!(classify(v), Kind::Value, "{v}");
        }
        for l in [
            "规章",
            "（一）予以公开",
            "总计",
            "1.属于国家秘密",
            "3.其他",
            "1.",
            "2020年",
            "第1项",
            "- 3 -",
            "3/6",
            "（2）",
            "2021年12月31日",
            "国办公开办函〔2019〕60号",
            "3、其他",
        ] {
            assert_eq!(classify(l), Kind::Label, "{l}");
        }
        for u in [
            "约10164",
            "10164。",
            "NaN",
            "1.0164e4",
            "一万零一百六十四",
            "10164件左右",
            "1,2",
            "#VALUE!",
        ] {
            assert_eq!(classify(u), Kind::Unreadable, "{u}");
        }
    }

    #[test]
    fn needs_cleaning_finds_every_decoration() {
        for c in [
            '\u{200b}', '\u{200c}', '\u{200d}', '\u{feff}', '\u{fffd}', '\r',
        ] {
            assert!(needs_cleaning(&format!("规章{c}1")), "{c:?}");
        }
        assert!(needs_cleaning("[bookmark: _GoBack]规章"));
        for s in ["规章，“总计”", "[1]", "\u{200a}\u{2028}", "（一）予以公开"] {
            assert!(!needs_cleaning(s), "{s}");
        }
    }

    #[test]
    fn bookmarks_are_dropped() {
        let mut d = Document::default();
        d.paragraph("\t[bookmark: _GoBack]未经复议直接起诉");
        assert_eq!(kinds(&d), vec![(Kind::Label, "未经复议直接起诉".into())]);
    }
}
