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

/// One token. Kept small (48 bytes); its text and normalised text are borrowed from
/// the [`Tokenized`] it was read into: a 50 MB page of tables is millions of them,
/// and a report a few hundred, none with an allocation of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Token<'a> {
    pub kind: Kind,
    /// Whether `at` is (table, row, column) rather than (line, …).
    grid: bool,
    /// The cell's text as printed (line breaks inside a cell removed).
    pub text: &'a str,
    /// A label's normalised text ([`crate::reader::norm`]) when it differs from `text`.
    norm: Option<&'a str>,
    /// Where it was read, 1-based (0 = not given): the line, or the table, row and
    /// column.
    at: [u32; 3],
}

impl Token<'_> {
    /// A label's text normalised for matching ([`crate::reader::norm`]), computed once;
    /// empty for values and empty cells.
    pub fn norm(&self) -> &str {
        match (&self.norm, &self.kind) {
            (Some(n), _) => n,
            (None, Kind::Label) => self.text,
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

/// A token as read: its texts are byte ranges of [`Tokenized::text`].
#[derive(Debug, Clone)]
struct Spanned {
    kind: Kind,
    grid: bool,
    text: (usize, usize),
    /// `(0, 0)` when the normalised text is the text itself.
    norm: (usize, usize),
    at: [u32; 3],
}

/// A document's token stream: every token's text in one buffer, so reading a report
/// makes one allocation for its tokens' texts rather than one per token.
#[derive(Debug, Default)]
pub struct Tokenized {
    text: String,
    spans: Vec<Spanned>,
}

impl Tokenized {
    /// The tokens, in reading order.
    pub fn tokens(&self) -> Vec<Token<'_>> {
        self.spans
            .iter()
            .map(|s| Token {
                kind: s.kind,
                grid: s.grid,
                text: &self.text[s.text.0..s.text.1],
                norm: (s.norm.1 > 0).then(|| &self.text[s.norm.0..s.norm.1]),
                at: s.at,
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Adds a token of `text` read at `source`.
    pub(crate) fn push(&mut self, kind: Kind, text: &str, source: Provenance) {
        let start = self.text.len();
        self.text.push_str(text);
        let end = self.text.len();
        let norm = if kind == Kind::Label && crate::reader::norm_changes(text) {
            crate::reader::norm_into(text, &mut self.text);
            (end, self.text.len())
        } else {
            (0, 0)
        };
        let at = |v: Option<u32>| v.unwrap_or(0);
        // A token is read from a line or from a grid, never both.
        let grid = source.line.is_none();
        self.spans.push(Spanned {
            kind,
            grid,
            text: (start, end),
            norm,
            at: if grid {
                [at(source.table), at(source.row), at(source.column)]
            } else {
                [at(source.line), 0, 0]
            },
        });
    }

    /// Drops the tokens from `len` on.
    fn truncate(&mut self, len: usize) {
        if let Some(s) = self.spans.get(len) {
            self.text.truncate(s.text.0);
        }
        self.spans.truncate(len);
    }
}

/// Characters that only decorate: zero-width marks, byte-order marks, replacement
/// characters ([`clean`] removes them, and '\r').
const DECORATIONS: [char; 5] = ['\u{200b}', '\u{200c}', '\u{200d}', '\u{feff}', '\u{fffd}'];

/// How a Word bookmark begins (`[bookmark: _GoBack]`).
const BOOKMARK: &str = "[bookmark:";

/// Removes what only decorates: Word bookmarks, [`DECORATIONS`] and '\r'.
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every line has nothing to remove: no copy.
    if !needs_cleaning(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut s = if text.contains(BOOKMARK) {
        text.replace("[bookmark: _GoBack]", "")
    } else {
        text.to_string()
    };
    s.retain(|c| c != '\r' && !DECORATIONS.contains(&c));
    std::borrow::Cow::Owned(s)
}

/// Whether [`clean`] removes anything from `text` (a bookmark or a decoration), by
/// one scan of its bytes: each decoration is '\r' or a fixed UTF-8 sequence.
fn needs_cleaning(text: &str) -> bool {
    let b = text.as_bytes();
    // Only the bytes that may start one are looked at closely, found by a
    // vectorised search.
    memchr::memchr3_iter(b'\r', b'[', 0xE2, b).any(|i| match b[i] {
        b'\r' => true,
        b'[' => b[i..].starts_with(BOOKMARK.as_bytes()),
        // U+200B, U+200C, U+200D
        _ => matches!(b.get(i + 1..i + 3), Some([0x80, 0x8B..=0x8D])),
    }) || memchr::memchr_iter(0xEF, b)
        // U+FEFF, U+FFFD
        .any(|i| matches!(b.get(i + 1..i + 3), Some([0xBB, 0xBF] | [0xBF, 0xBD])))
}

fn classify(text: &str) -> Kind {
    classify_trimmed(text.trim())
}

/// [`classify`] of a text already trimmed.
fn classify_trimmed(t: &str) -> Kind {
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
    // A label that starts with a word and has no digit (most of them) is none:
    // decided before folding. A CJK ideograph folds to itself, so the folded text
    // is no ASCII word and starts with no numeral, and only digits fold to digits.
    if let Some(c) = text
        .chars()
        .find(|&c| gongkai_report::value::fold_width_char(c).is_some())
        && ('\u{4e00}'..='\u{9fff}').contains(&c)
        && !is_chinese_numeral(c)
        && !has_digit(text)
    {
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

/// Whether `text` holds a digit, ASCII or full width (`０`–`９`: EF BC 90–99).
fn has_digit(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c.is_ascii_digit() || c == 0xEF && matches!(b.get(i + 1..i + 3), Some([0xBC, 0x90..=0x99]))
    })
}

/// Markdown table separator rows (`|---|:--:|`).
fn is_markdown_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        && t.contains('-')
}

/// Where `part`, a slice of `base`, starts and ends in it.
fn span_in(base: &str, part: &str) -> (usize, usize) {
    let start = part.as_ptr() as usize - base.as_ptr() as usize;
    (start, start + part.len())
}

/// Cuts one line of text (no line break in it) into cells: Markdown pipes, else tabs.
/// A line that starts with a tab is an indented Word cell: its first (empty) piece is
/// not a cell. `trimmed` is the line trimmed, `pipe_row` whether it is a pipe row and
/// `has_tab` whether the line holds a tab. `cells` is given each cell trimmed, as a
/// range of `line`, and `kinds` its kind.
fn line_cells(
    line: &str,
    trimmed: &str,
    pipe_row: bool,
    has_tab: bool,
    cells: &mut Vec<(usize, usize)>,
    kinds: &mut Vec<Kind>,
) {
    cells.clear();
    kinds.clear();
    let push = |cells: &mut Vec<(usize, usize)>, cell: &str| cells.push(span_in(line, cell.trim()));
    if pipe_row {
        trimmed[1..trimmed.len() - 1]
            .split('|')
            .for_each(|c| push(cells, c));
    } else if !has_tab {
        split_spaced_values(line, trimmed, cells, kinds);
    } else {
        let mut pieces = line.split('\t');
        if line.starts_with('\t') {
            pieces.next();
        }
        pieces.for_each(|c| push(cells, c));
    }
    // The spaced pieces of a row were classified as they were cut.
    if kinds.is_empty() {
        kinds.extend(cells.iter().map(|&(a, b)| classify_trimmed(&line[a..b])));
    }
}

/// The white space [`split_spaced_values`] cuts at (every Unicode space; U+3000 and
/// U+00A0 are among them).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// Whether `s` holds a space ([`is_space`], which is white space), stepping over the
/// CJK text by [`gongkai_report::value::space_at`].
fn has_space(s: &str) -> bool {
    let mut i = 0;
    while i < s.len() {
        let (len, space) = gongkai_report::value::space_at(s, i);
        if space {
            return true;
        }
        i += len;
    }
    false
}

/// Whether `s` holds sentence punctuation: `，` `；` `：` (EF BC 8C, 9B, 9A) or `。`
/// (E3 80 82).
fn has_stop(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr2_iter(0xEF, 0xE3, b).any(|i| {
        matches!(
            &b[i..b.len().min(i + 3)],
            [0xEF, 0xBC, 0x8C | 0x9B | 0x9A] | [0xE3, 0x80, 0x82]
        )
    })
}

/// Text converters (`pdftotext -layout`, OCR) print a row as `规章  0  0  0` or the
/// numbers alone as `8 0 0 0 0 0 8`: cut such a line at its spaces. A line is cut
/// only when at least two of its space-separated pieces are values (and at most three
/// are words, fewer than the values, without sentence punctuation), so labels with
/// spaces in them (`商 业 企 业`) and a number with its unit (`38.41 万`) stay whole;
/// and never glued: `1 0 3` is three cells, not the number 103.
///
/// `trimmed` is `line` trimmed (every [`is_space`] is white space, so trimming at
/// them is trimming); the cells are ranges of `line`. When the line is cut, `kinds` is
/// given each piece's kind.
fn split_spaced_values(
    line: &str,
    trimmed: &str,
    cells: &mut Vec<(usize, usize)>,
    kinds: &mut Vec<Kind>,
) {
    let whole = |cells: &mut Vec<(usize, usize)>| cells.push(span_in(line, trimmed));
    // Prose has a stop early on: asked first, it spares the scan for spaces.
    if has_stop(trimmed) || !has_space(trimmed) {
        return whole(cells);
    }
    // The pieces hold no space at either end: they are trimmed.
    for p in trimmed.split(is_space).filter(|p| !p.is_empty()) {
        cells.push(span_in(line, p));
        kinds.push(classify_trimmed(p));
    }
    let values = kinds
        .iter()
        .filter(|&&k| k == Kind::Value || k == Kind::Unreadable)
        .count();
    // Prose (`共受理申请 7 件，办结 7 件。`) is not a row: punctuation, or more words than numbers.
    let words = kinds.len() - values;
    // One value is enough when a column gap (two or more spaces) sets it apart.
    let gap = trimmed.contains("  ") || trimmed.contains('\u{3000}');
    // Or a label and its one number: `行政许可 10164`.
    let label_then_value = kinds.len() == 2 && kinds[1] == Kind::Value;
    let enough = values >= 2 || values == 1 && (gap || label_then_value);
    if !enough || words > 3 || words > values.max(1) {
        cells.clear();
        kinds.clear();
        whole(cells);
    }
}

/// Whether a trimmed line is a pipe row (`| 规章 | 0 |`).
fn is_pipe_row(t: &str) -> bool {
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
pub fn tokenize(doc: &Document) -> Tokenized {
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
pub fn tokenize_owned(doc: Document) -> (Tokenized, Vec<String>) {
    let mut t = Tokens::default();
    // At least one token per cell and per paragraph, and about as much text: the
    // stream is allocated once.
    let (cells, bytes) = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table(t) => t
                .rows
                .iter()
                .flatten()
                .fold((0, 0), |(n, l), c| (n + 1, l + c.text.len())),
            Block::Paragraph(p) => (1, p.len()),
        })
        .fold((0, 0), |(n, l), (a, b)| (n + a, l + b));
    t.out.spans.reserve_exact(cells);
    t.out.text.reserve(bytes);
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

/// The token stream of a plain text cut into its lines ([`crate::lines`]): the
/// stream [`tokenize`] gives for its document ([`crate::text_document`], one
/// paragraph per line), without copying each line into a paragraph first.
/// `text` is the whole text the lines were cut from.
pub fn tokenize_lines(text: &str, lines: &[&str]) -> Tokenized {
    let mut t = Tokens::default();
    t.out.spans.reserve(lines.len());
    t.out.text.reserve(text.len());
    // Where the text's decorations start, found by a vectorised search over the whole
    // text: nearly every text has none, and the few that do have one or two (a Word
    // bookmark), so only the lines holding one are cleaned. No line holds a '\r'.
    let marks = decoration_starts(text);
    let mut next = marks.iter().peekable();
    for (i, line) in lines.iter().enumerate() {
        // A line's place in `text`: its lines are slices of it.
        let start = (line.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let end = start.saturating_add(line.len());
        while next.next_if(|&&m| m < start).is_some() {}
        // A line not cut from `text` is cleaned whatever it holds.
        t.plain = end <= text.len() && next.peek().is_none_or(|&&m| m >= end);
        // A line of `crate::lines` holds no line break: it is its paragraph's one line.
        t.line((i + 1) as u32, line);
    }
    t.out
}

/// The byte offsets in `text` where a Word bookmark or one of [`DECORATIONS`] starts,
/// in order.
fn decoration_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut marks: Vec<usize> = memchr::memmem::find_iter(b, BOOKMARK.as_bytes()).collect();
    for d in DECORATIONS {
        let mut buf = [0; 4];
        marks.extend(memchr::memmem::find_iter(
            b,
            d.encode_utf8(&mut buf).as_bytes(),
        ));
    }
    marks.sort_unstable();
    marks
}

#[derive(Default)]
struct Tokens {
    out: Tokenized,
    table_no: u32,
    /// A label-only pipe row just read: where its empty cells start in `out`, and how
    /// many label cells it has. PDF-to-Markdown tools print a row label on one line and
    /// its numbers on the next; the two lines are one row (the label row's empty cells
    /// and the numbers row's empty label cells are not the row's cells).
    label_row: Option<(usize, usize)>,
    /// The cells of one line, as ranges of it, and their kinds (buffers kept from
    /// line to line).
    cells: Vec<(usize, usize)>,
    kinds: Vec<Kind>,
    /// The next line is known to hold no decoration: [`clean`] is not asked.
    plain: bool,
}

impl Tokens {
    /// Block `i` (0-based), a paragraph.
    fn paragraph(&mut self, i: usize, text: &str) {
        let line = (i + 1) as u32;
        for raw in text.split('\n') {
            self.line(line, raw);
        }
    }

    /// One line (no line break in it) of the paragraph on line `line` (1-based).
    fn line(&mut self, line: u32, raw: &str) {
        let Tokens {
            out,
            label_row,
            cells,
            kinds,
            plain,
            ..
        } = self;
        // Pipe rows and Markdown rules need a '|' (cleaning never adds or removes one,
        // nor a tab), both found by a vectorised search.
        let bytes = raw.as_bytes();
        let (has_pipe, has_tab) = match memchr::memchr2(b'|', b'\t', bytes) {
            None => (false, false),
            Some(i) if bytes[i] == b'|' => (true, memchr::memchr(b'\t', &bytes[i..]).is_some()),
            Some(i) => (memchr::memchr(b'|', &bytes[i..]).is_some(), true),
        };
        if has_pipe && is_markdown_rule(raw) {
            return;
        }
        // Cleaning removes every '\r'; a line of a plain text has none.
        let raw = if *plain {
            std::borrow::Cow::Borrowed(raw)
        } else {
            clean(raw)
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() && !has_tab {
            return;
        }
        let pipe = has_pipe && is_pipe_row(trimmed);
        // Each cell trimmed once, for its kind and its token.
        line_cells(&raw, trimmed, pipe, has_tab, cells, kinds);
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
        for (&(a, b), &kind) in cells.iter().zip(kinds.iter()).skip(skip) {
            out.push(
                kind,
                &raw[a..b],
                Provenance {
                    line: Some(line),
                    ..Default::default()
                },
            );
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
                self.out.push(
                    classify(&text),
                    &text,
                    Provenance {
                        table: Some(self.table_no),
                        row: Some(r as u32 + 1),
                        column: Some(col as u32 + 1),
                        ..Default::default()
                    },
                );
                col += cs;
            }
            occupied.pop_front();
        }
    }
}

/// A cell's text as a token: decorations removed, its lines trimmed and joined, the
/// whole trimmed.
fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every cell is one line with nothing to remove: borrowed, trimmed.
    if !text.contains('\n') && !needs_cleaning(text) {
        return std::borrow::Cow::Borrowed(text.trim());
    }
    let joined: String = clean(text).split('\n').map(str::trim).collect();
    std::borrow::Cow::Owned(joined.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Table, TableCell};

    fn kinds(doc: &Document) -> Vec<(Kind, String)> {
        tokenize(doc)
            .tokens()
            .iter()
            .map(|t| (t.kind, t.text.to_string()))
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
        let mut t = Tokenized::default();
        for p in [&line, &cell, &Provenance::default()] {
            t.push(Kind::Value, "1", p.clone());
        }
        t.push(Kind::Label, "“规章”", Provenance::default());
        t.push(Kind::Label, "规章", Provenance::default());
        t.push(Kind::Value, "5", Provenance::default());
        let tokens = t.tokens();
        for (t, p) in tokens.iter().zip([line, cell, Provenance::default()]) {
            assert_eq!(t.source(), p);
        }
        assert_eq!((tokens[3].text, tokens[3].norm()), ("“规章”", "规章"));
        assert_eq!(tokens[4].norm(), "规章");
        assert_eq!(tokens[5].norm(), "");
        // Dropping tokens drops their text too.
        t.truncate(3);
        assert_eq!(t.tokens().len(), 3);
        assert_eq!(t.text, "111");
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
        let t = t.tokens();
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
        // The byte scan knows each of the list the other paths use.
        for c in DECORATIONS.into_iter().chain(['\r']) {
            assert!(needs_cleaning(&format!("规章{c}1")), "{c:?}");
        }
        assert!(needs_cleaning("[bookmark: _GoBack]规章"));
        for s in ["规章，“总计”", "[1]", "\u{200a}\u{2028}", "（一）予以公开"] {
            assert!(!needs_cleaning(s), "{s}");
        }
    }

    #[test]
    fn byte_scans_agree_with_the_char_scans() {
        for s in [
            "",
            "规章",
            "规章 0",
            "规章\u{3000}0",
            "a\u{a0}b",
            "\u{85}",
            "x\u{1680}y",
            "\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}",
            "“总计”\u{200b}、。",
            "共受理申请7件，办结",
            "其中；其他：",
            "é𠀀\t",
            "\u{b}\u{c}",
        ] {
            assert_eq!(has_space(s), s.contains(is_space), "{s:?}");
            assert_eq!(has_stop(s), s.contains(['，', '。', '；', '：']), "{s:?}");
            let digit = s
                .chars()
                .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
            assert_eq!(has_digit(s), digit, "{s:?}");
        }
        assert!(has_digit("第１项") && has_digit("a9") && !has_digit("ＡＢ（）"));
    }

    #[test]
    fn bookmarks_are_dropped() {
        let mut d = Document::default();
        d.paragraph("\t[bookmark: _GoBack]未经复议直接起诉");
        assert_eq!(kinds(&d), vec![(Kind::Label, "未经复议直接起诉".into())]);
    }
}
