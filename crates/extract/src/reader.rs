//! The one template reader: a token stream → a `Report`. It finds the three tables by
//! their headings, decides each table's layout (2019 or 2021) from the labels it
//! prints, then matches row labels and places the values that follow them.

use crate::tokens::{Kind, Token};
use aho_corasick::AhoCorasick;
use gongkai_report::template::{APPEAL_COLUMNS, APPEAL_ROWS, REQUEST_COLUMNS};
use gongkai_report::{
    Cell, CellDef, Finding, Report, Section, Severity, TemplateId, Value, template,
};
use std::sync::OnceLock;

/// How a row is found: any pattern contained in its (normalised) label text.
struct RowSpec {
    row: &'static str,
    patterns: &'static [&'static str],
    columns: &'static [&'static str],
    when: When,
}

/// Labels too short to be unambiguous are only accepted in context.
#[derive(Clone, Copy, PartialEq)]
enum When {
    Always,
    /// After at least one outcome row (`总计` is also a column header).
    AfterOutcomes,
    /// Right after 2.申请人逾期未按收费通知要求缴纳费用 (`其他` is also a column header).
    AfterFeeUnpaid,
}

const C2019_DOCS: &[&str] = &["made", "published", "total_public"];
const C2021_DOCS: &[&str] = &["issued", "repealed", "in_force"];
const C2019_ITEMS: &[&str] = &["prev_items", "change", "decisions"];
const C_DECISIONS: &[&str] = &["decisions"];

const fn spec(
    row: &'static str,
    patterns: &'static [&'static str],
    columns: &'static [&'static str],
) -> RowSpec {
    RowSpec {
        row,
        patterns,
        columns,
        when: When::Always,
    }
}

const PROACTIVE_2019: &[RowSpec] = &[
    spec("proactive.regulations", &["规章"], C2019_DOCS),
    spec("proactive.normative_docs", &["规范性文件"], C2019_DOCS),
    spec("proactive.licensing", &["行政许可"], C2019_ITEMS),
    spec(
        "proactive.other_services",
        &["其他对外管理服务事项", "对外管理服务"],
        C2019_ITEMS,
    ),
    spec("proactive.penalty", &["行政处罚"], C2019_ITEMS),
    spec("proactive.coercion", &["行政强制"], C2019_ITEMS),
    spec(
        "proactive.fees",
        &["行政事业性收费"],
        &["prev_items", "change"],
    ),
    spec(
        "proactive.procurement",
        &["政府集中采购", "集中采购"],
        &["items", "amount_wan"],
    ),
];

const PROACTIVE_2021: &[RowSpec] = &[
    spec("proactive.regulations", &["规章"], C2021_DOCS),
    spec("proactive.normative_docs", &["规范性文件"], C2021_DOCS),
    spec("proactive.licensing", &["行政许可"], C_DECISIONS),
    spec("proactive.penalty", &["行政处罚"], C_DECISIONS),
    spec("proactive.coercion", &["行政强制"], C_DECISIONS),
    spec("proactive.fees", &["行政事业性收费"], &["amount_wan"]),
];

const RC: &[&str] = &REQUEST_COLUMNS;

macro_rules! requests {
    ($($row:literal => [$($p:literal),+] $(if $when:ident)?),+ $(,)?) => {
        &[$(RowSpec { row: $row, patterns: &[$($p),+], columns: RC, when: requests!(@when $($when)?) }),+]
    };
    (@when) => { When::Always };
    (@when $w:ident) => { When::$w };
}

const REQUESTS_COMMON: &[RowSpec] = requests![
    "requests.new" => ["本年新收", "新收政府信息公开申请"],
    "requests.carried_in" => ["上年结转"],
    "requests.granted" => ["予以公开"],
    "requests.partial" => ["部分公开"],
    "requests.denied.state_secret" => ["国家秘密"],
    "requests.denied.prohibited_by_law" => ["禁止公开"],
    "requests.denied.security_stability" => ["三安全一稳定"],
    "requests.denied.third_party" => ["第三方合法权益"],
    "requests.denied.internal_affairs" => ["内部事务"],
    "requests.denied.deliberative" => ["过程性信息"],
    "requests.denied.enforcement_file" => ["行政执法案卷"],
    "requests.denied.admin_query" => ["行政查询"],
    "requests.unavailable.not_held" => ["不掌握"],
    "requests.unavailable.needs_creation" => ["另行制作"],
    "requests.unavailable.unclear" => ["仍不明确"],
    "requests.rejected.petition" => ["信访举报投诉"],
    "requests.rejected.duplicate" => ["重复申请"],
    "requests.rejected.publication" => ["公开出版物"],
    "requests.rejected.excessive" => ["大量反复申请"],
    "requests.rejected.confirmation" => ["重新出具"],
    "requests.total" => ["总计"] if AfterOutcomes,
    "requests.carried_out" => ["结转下年度"],
];

const REQUESTS_2019_OTHER: &[RowSpec] = requests!["requests.other" => ["其他处理"]];

const REQUESTS_2021_OTHER: &[RowSpec] = requests![
    "requests.other.no_correction" => ["逾期不补正"],
    "requests.other.fee_unpaid" => ["缴纳费用"],
    "requests.other.other" => ["3.其他"],
    "requests.other.other" => ["其他"] if AfterFeeUnpaid,
];

/// Words only one layout prints, per table.
const MARKERS_2019_T2: &[&str] = &[
    "新制作数量",
    "新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "增/减",
    "采购项目数量",
    "对外管理服务事项",
    "集中采购",
];
const MARKERS_2021_T2: &[&str] = &[
    "制发件数",
    "废止件数",
    "现行有效件数",
    "收费金额",
    "本年处理决定数量",
];
const MARKERS_2021_T3: &[&str] = &["逾期不补正", "缴纳费用"];

/// One table's row specs, in the template's order, with one automaton over all their
/// patterns: a group's label is scanned once for every pattern, not once per pattern.
struct RowTable {
    specs: Vec<&'static RowSpec>,
    /// Each spec's cells, one per column.
    cells: Vec<Vec<&'static CellDef>>,
    /// Per spec, the first spec of its row (a row may have two specs): a row read once
    /// is done for both.
    row_of: Vec<usize>,
    /// Per spec, the automaton's id of its first pattern (the others follow it).
    first_pattern: Vec<usize>,
    patterns: AhoCorasick,
    /// Per spec, its row's label in the standard's words, normalised ([`norm`]).
    labels: Vec<String>,
}

impl RowTable {
    fn new(parts: &[&'static [RowSpec]]) -> RowTable {
        let specs: Vec<&'static RowSpec> = parts.iter().flat_map(|p| p.iter()).collect();
        let cells: Vec<Vec<&'static CellDef>> = specs
            .iter()
            .map(|s| {
                s.columns
                    .iter()
                    .map(|c| {
                        template::cell(&format!("{}.{c}", s.row))
                            .expect("row specs name the standard's cells")
                    })
                    .collect()
            })
            .collect();
        let row_of = specs
            .iter()
            .map(|s| specs.iter().position(|o| o.row == s.row).unwrap_or(0))
            .collect();
        let mut first_pattern = Vec::new();
        let mut all: Vec<&str> = Vec::new();
        for s in &specs {
            first_pattern.push(all.len());
            all.extend(s.patterns);
        }
        // Standard semantics: every occurrence of every pattern, overlapping ones too.
        let patterns = AhoCorasick::new(all).expect("row patterns");
        let labels = cells
            .iter()
            .map(|c| norm(c[0].row_label).replace(' ', ""))
            .collect();
        RowTable {
            specs,
            cells,
            row_of,
            first_pattern,
            patterns,
            labels,
        }
    }

    /// Where the last occurrence of each pattern in `label` ends (as `rfind` would find
    /// it), by the automaton's pattern id.
    fn last_ends(&self, label: &str) -> Vec<Option<usize>> {
        let mut ends = vec![None; self.patterns.patterns_len()];
        for m in self.patterns.find_overlapping_iter(label) {
            let e = &mut ends[m.pattern().as_usize()];
            *e = Some(e.map_or(m.end(), |x: usize| x.max(m.end())));
        }
        ends
    }
}

/// Table 二's rows, by layout (2019, 2021).
fn proactive_table(is_2021: bool) -> &'static RowTable {
    static TABLES: [OnceLock<RowTable>; 2] = [OnceLock::new(), OnceLock::new()];
    if is_2021 {
        TABLES[1].get_or_init(|| RowTable::new(&[PROACTIVE_2021]))
    } else {
        TABLES[0].get_or_init(|| RowTable::new(&[PROACTIVE_2019]))
    }
}

/// Table 三's rows, by layout (2019, 2021).
fn requests_table(is_2021: bool) -> &'static RowTable {
    static TABLES: [OnceLock<RowTable>; 2] = [OnceLock::new(), OnceLock::new()];
    if is_2021 {
        TABLES[1].get_or_init(|| RowTable::new(&[REQUESTS_COMMON, REQUESTS_2021_OTHER]))
    } else {
        TABLES[0].get_or_init(|| RowTable::new(&[REQUESTS_COMMON, REQUESTS_2019_OTHER]))
    }
}

/// Table 四's cell of an appeal kind and a result (places in [`APPEAL_ROWS`] and
/// [`APPEAL_COLUMNS`]).
fn appeal_cell(kind: usize, result: usize) -> &'static CellDef {
    static CELLS: OnceLock<Vec<Vec<&'static CellDef>>> = OnceLock::new();
    CELLS.get_or_init(|| {
        APPEAL_ROWS
            .iter()
            .map(|r| {
                APPEAL_COLUMNS
                    .iter()
                    .map(|c| template::cell(&format!("appeals.{r}.{c}")).expect("table 四's cells"))
                    .collect()
            })
            .collect()
    })[kind][result]
}

/// Normalises a label for matching: widths folded, spaces, quotes and decoration dropped,
/// variant characters mapped.
pub fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    norm_into(s, &mut out);
    out
}

/// [`norm`], appended to `out`.
pub fn norm_into(s: &str, out: &mut String) {
    // Characters kept as they are are copied a run at a time.
    let mut run = 0;
    for (i, c) in may_change(s) {
        let n = norm_char(c);
        if n == Some(c) {
            continue;
        }
        out.push_str(&s[run..i]);
        out.extend(n);
        run = i + c.len_utf8();
    }
    out.push_str(&s[run..]);
}

/// Whether [`norm`] would change `s` (most labels it leaves as they are).
pub fn norm_changes(s: &str) -> bool {
    may_change(s).any(|(_, c)| norm_char(c) != Some(c))
}

/// The characters of `s` (with their byte offsets) that [`norm_char`] may change.
/// Most of a report's text is CJK ideographs (U+4000–U+9FFF, lead bytes E4–E9), which
/// it keeps, all but 釆 (E9 87 86): those are stepped over without decoding.
fn may_change(s: &str) -> MayChange<'_> {
    MayChange { s, i: 0 }
}

struct MayChange<'a> {
    s: &'a str,
    i: usize,
}

impl Iterator for MayChange<'_> {
    type Item = (usize, char);

    #[inline]
    fn next(&mut self) -> Option<(usize, char)> {
        let b = self.s.as_bytes();
        while self.i < b.len() {
            let lead = b[self.i];
            let kept = match lead {
                0xE4..=0xE8 => true,
                0xE9 => b[self.i + 1..self.i + 3] != [0x87, 0x86],
                _ => false,
            };
            if kept {
                self.i += 3;
                continue;
            }
            let c = self.s[self.i..].chars().next()?;
            let at = self.i;
            self.i += c.len_utf8();
            return Some((at, c));
        }
        None
    }
}

/// [`norm`] of one character: `None` when it is dropped.
#[inline]
fn norm_char(c: char) -> Option<char> {
    match gongkai_report::value::fold_width_char(c)? {
        '“' | '”' | '"' | '\'' | '‘' | '’' | '*' | '_' | '#' => None,
        '釆' => Some('采'),
        '：' => Some(':'),
        c => Some(c),
    }
}

/// Where the three tables and the six sections are in the token stream.
#[derive(Debug, Default, Clone, Copy)]
struct Regions {
    t2: Option<usize>,
    t3: Option<usize>,
    t4: Option<usize>,
    end: Option<usize>,
}

/// Section headings by their keywords (a heading is a short label).
const SECTION_KEYS: [(&str, &str); 6] = [
    ("总体情况", "一、总体情况"),
    ("主动公开政府信息情况", "二、主动公开政府信息情况"),
    (
        "收到和处理政府信息公开申请情况",
        "三、收到和处理政府信息公开申请情况",
    ),
    ("行政诉讼情况", "四、政府信息公开行政复议、行政诉讼情况"),
    ("存在的主要问题", "五、存在的主要问题及改进情况"),
    ("其他需要报告的事项", "六、其他需要报告的事项"),
];

fn section_of(t: &Token) -> Option<usize> {
    // A heading is short even with spaces between its characters: skip prose unread.
    if t.text.len() > 300 {
        return None;
    }
    let n = t.norm();
    if n.chars().count() > 32 {
        return None;
    }
    // The first key in the list's order that the label contains.
    static KEYS: OnceLock<AhoCorasick> = OnceLock::new();
    KEYS.get_or_init(|| words(&SECTION_KEYS.map(|(k, _)| k)))
        .find_overlapping_iter(n)
        .map(|m| m.pattern().as_usize())
        .min()
}

/// An automaton over a word list: which words a label contains, in one scan.
fn words(list: &[&str]) -> AhoCorasick {
    AhoCorasick::new(list).expect("word list")
}

/// The layout markers as automata: `MARKERS_2019_T2`, `MARKERS_2021_T2`,
/// `MARKERS_2021_T3`, in that order.
fn markers() -> &'static [AhoCorasick; 3] {
    static MARKERS: OnceLock<[AhoCorasick; 3]> = OnceLock::new();
    MARKERS.get_or_init(|| {
        [
            words(MARKERS_2019_T2),
            words(MARKERS_2021_T2),
            words(MARKERS_2021_T3),
        ]
    })
}

fn find_regions(tokens: &[Token]) -> (Regions, Vec<(usize, usize)>) {
    let mut reg = Regions::default();
    let mut headings = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Kind::Label {
            continue;
        }
        let Some(s) = section_of(t) else {
            continue;
        };
        // Take each heading once, in order: later mentions are table labels or prose.
        if headings.last().is_some_and(|&(_, last)| s <= last) {
            continue;
        }
        headings.push((i, s));
        match s {
            1 => reg.t2 = Some(i),
            2 => reg.t3 = Some(i),
            3 => reg.t4 = Some(i),
            4 | 5 if reg.end.is_none() => reg.end = Some(i),
            _ => {}
        }
    }
    (reg, headings)
}

/// A row label and the value slots that follow it.
#[derive(Clone)]
struct Group<'a> {
    label: String,
    slots: Vec<&'a Token<'a>>,
    /// Bytes of `label` from its first label token (0 when unknown): the words that
    /// may end the row before, when a converter wrapped that row's label around its
    /// numbers (`行政规范` / `26 29 61` / `性文件`).
    first_len: usize,
}

fn groups<'a>(tokens: &'a [Token<'a>]) -> Vec<Group<'a>> {
    let mut out: Vec<Group> = Vec::new();
    let mut label = String::new();
    let mut slots: Vec<&Token> = Vec::new();
    let mut first_len = 0;
    for t in tokens {
        match t.kind {
            Kind::Label => {
                if !slots.is_empty() {
                    out.push(Group {
                        label: std::mem::take(&mut label),
                        slots: std::mem::take(&mut slots),
                        first_len,
                    });
                }
                let starts = label.is_empty();
                // Keep the label text bounded: only the words nearest the values matter.
                label.push_str(t.norm());
                if starts {
                    first_len = label.len();
                }
                if keep_last_words(&mut label) {
                    first_len = 0;
                }
            }
            Kind::Value | Kind::Empty | Kind::Unreadable => slots.push(t),
        }
    }
    // Words after the last values (no slots) are kept too: they may end the last
    // row's wrapped label.
    if !slots.is_empty() || !label.is_empty() {
        out.push(Group {
            label,
            slots,
            first_len,
        });
    }
    out
}

/// Longest a label's tail wrapped below its numbers is taken to be, in characters.
const MAX_WRAPPED_CHARS: usize = 6;

/// Places the slots of one row onto `n` columns. Returns `None` for each column it
/// cannot place, and whether the row printed only its 总计 (the other columns blank).
fn place<'a>(
    slots: &[&'a Token<'a>],
    n: usize,
    total_only_ok: bool,
) -> Vec<Option<Option<&'a Token<'a>>>> {
    let mut s: Vec<&Token> = slots.to_vec();
    // Spanned label columns and trailing tabs leave empty slots around the values.
    // Row-end tabs first: a leading empty slot may be a real blank cell.
    while s.len() > n && s.last().is_some_and(|t| t.kind == Kind::Empty) {
        s.pop();
    }
    while s.len() > n && s.first().is_some_and(|t| t.kind == Kind::Empty) {
        s.remove(0);
    }
    let values: Vec<&Token> = s
        .iter()
        .copied()
        .filter(|t| t.kind != Kind::Empty)
        .collect();
    if s.len() == n {
        return s
            .into_iter()
            .map(|t| Some((t.kind != Kind::Empty).then_some(t)))
            .collect();
    }
    if values.len() == n {
        return values.into_iter().map(|t| Some(Some(t))).collect();
    }
    if values.len() == 1 && total_only_ok && n > 1 {
        // Empty cells dropped entirely: a lone number is the row's 总计.
        let mut out = vec![Some(None); n];
        out[n - 1] = Some(Some(values[0]));
        return out;
    }
    let mut out: Vec<Option<Option<&Token>>> =
        values.into_iter().take(n).map(|t| Some(Some(t))).collect();
    out.resize(n, None);
    out
}

fn cell_from(token: &Token, def: &CellDef) -> Cell {
    let amount = def.is_amount();
    // Text that is no value is kept as printed (a blank value with its raw text),
    // so the rules report it where it stands instead of it vanishing.
    let mut c = Cell::parse(token.text, amount).unwrap_or_else(|| Cell {
        raw: token.text.to_string(),
        ..Cell::missing()
    });
    c.source = Some(token.source());
    c
}

fn blank_cell(near: Option<&Token>) -> Cell {
    Cell {
        value: Value::Blank,
        raw: String::new(),
        unit: None,
        note: None,
        source: Some(near.map(|t| t.source()).unwrap_or_default()),
    }
}

/// What one table printed: cells by their definition.
type Cells = Vec<(&'static CellDef, Cell)>;

/// Reads a table's rows by their labels. `exact` is cleared when a group's values are
/// not placed exactly on its row's columns (some left over, or a column unplaced).
fn read_rows(
    groups: &[Group],
    table: &RowTable,
    total_only_ok: bool,
    notes: &mut Vec<Finding>,
    exact: &mut bool,
) -> Cells {
    let specs = &table.specs;
    let mut out = Cells::new();
    // By the first spec of each row (see `RowTable::row_of`).
    let mut row_done = vec![false; specs.len()];
    let done = |row_done: &[bool], i: usize| row_done[table.row_of[i]];
    let mut last_row: Option<&str> = None;
    let mut outcomes_seen = false;
    // The next group's first words were the end of this row's label.
    let mut strip_first = false;
    for (gi, g) in groups.iter().enumerate() {
        let stripped;
        let g = if std::mem::take(&mut strip_first) {
            stripped = Group {
                label: g.label[g.first_len..].to_string(),
                first_len: 0,
                ..g.clone()
            };
            &stripped
        } else {
            g
        };
        // The row whose label words end nearest the values wins (the first in the
        // template's order when two end at the same place).
        let ends = table.last_ends(&g.label);
        let mut best: Option<(usize, usize)> = None;
        for (i, s) in specs.iter().enumerate() {
            if done(&row_done, i) {
                continue;
            }
            let allowed = match s.when {
                When::Always => true,
                When::AfterOutcomes => outcomes_seen,
                When::AfterFeeUnpaid => last_row == Some("requests.other.fee_unpaid"),
            };
            if !allowed {
                continue;
            }
            let first = table.first_pattern[i];
            for end in ends[first..first + s.patterns.len()].iter().flatten() {
                if best.is_none_or(|(e, _)| *end > e) {
                    best = Some((*end, i));
                }
            }
        }
        if best.is_none()
            && let Some(next) = groups.get(gi + 1)
            && next.first_len > 0
            && next.label[..next.first_len].chars().count() <= MAX_WRAPPED_CHARS
        {
            let joined = format!("{}{}", g.label, &next.label[..next.first_len]);
            let wrapped = specs.iter().enumerate().position(|(i, s)| {
                !done(&row_done, i)
                    && s.when == When::Always
                    && s.patterns.iter().any(|p| {
                        // The last place of `p` straddles the join only if it lies in
                        // the bytes from `p.len() - 1` before the join on: searched
                        // there alone.
                        let mut from = g.label.len().saturating_sub(p.len() - 1);
                        while !joined.is_char_boundary(from) {
                            from -= 1;
                        }
                        joined[from..].rfind(p).is_some_and(|pos| {
                            let pos = from + pos;
                            pos + p.len() > g.label.len() && pos < g.label.len()
                        })
                    })
            });
            if let Some(i) = wrapped {
                best = Some((joined.len(), i));
                strip_first = true;
            }
        }
        let printed = g.slots.iter().filter(|t| t.kind != Kind::Empty).count();
        let si = match best {
            Some((_, i)) => i,
            None => {
                if printed > 0 {
                    *exact = false;
                }
                let after = last_row.and_then(|r| specs.iter().position(|s| s.row == r));
                let is_done = |i: usize| done(&row_done, i);
                match closest_row(g, specs, is_done, after) {
                    Closest::Row(i, pattern) => {
                        let s = specs[i];
                        notes.push(Finding::failed(
                            "LABEL.TYPO",
                            Severity::Warning,
                            table.cells[i].iter().map(|d| d.key.to_string()).collect(),
                            format!(
                                "行标题「{}」与模板不完全一致，按模板顺序和最接近的标题识别为「{}」所在行，请核对原文。",
                                label_tail(&g.label),
                                row_name(s.row, pattern)
                            ),
                        ));
                        i
                    }
                    Closest::Ambiguous(a, b) => {
                        notes.push(Finding::failed(
                            "LABEL.TYPO",
                            Severity::Error,
                            [a, b]
                                .iter()
                                .flat_map(|&i| table.cells[i].iter().map(|d| d.key.to_string()))
                                .collect(),
                            format!(
                                "行标题「{}」与模板不一致，无法确定是「{}」还是「{}」，该行数值未读取。",
                                label_tail(&g.label),
                                row_name(specs[a].row, specs[a].patterns[0]),
                                row_name(specs[b].row, specs[b].patterns[0])
                            ),
                        ));
                        continue;
                    }
                    Closest::None => continue,
                }
            }
        };
        let s = specs[si];
        let placed = place(&g.slots, s.columns.len(), total_only_ok);
        // Nothing placed: the words were not this row's label but a header repeated
        // on a new page (its 总计 is a column) or stray text; the row is still to come.
        if placed.iter().all(Option::is_none) {
            strip_first = false;
            if printed > 0 {
                *exact = false;
            }
            continue;
        }
        // A column left unplaced, or values past the columns (a row printed with only
        // its 总计 is placed whole).
        let used = placed.iter().filter(|p| matches!(p, Some(Some(_)))).count();
        if placed.iter().any(Option::is_none) || used < printed {
            *exact = false;
        }
        row_done[table.row_of[si]] = true;
        last_row = Some(s.row);
        if s.row != "requests.new"
            && s.row != "requests.carried_in"
            && s.row.starts_with("requests.")
        {
            outcomes_seen = true;
        }
        for (&def, p) in table.cells[si].iter().zip(placed) {
            match p {
                Some(Some(t)) => out.push((def, cell_from(t, def))),
                Some(None) => out.push((def, blank_cell(g.slots.first().copied()))),
                None => {}
            }
        }
    }
    out
}

/// Whether a table was read from text with at most one value on a line and no empty
/// cells: every cell on its own line, as `pdftotext` prints a table without `-layout`.
fn one_value_per_line(tokens: &[Token]) -> bool {
    let mut last_line = None;
    let mut values = 0;
    for t in tokens {
        let Some(line) = t.source().line else {
            return false;
        };
        match t.kind {
            Kind::Empty => return false,
            Kind::Value | Kind::Unreadable => {
                if last_line == Some(line) {
                    return false;
                }
                last_line = Some(line);
                values += 1;
            }
            Kind::Label => {}
        }
    }
    values > 1
}

/// Keeps a label's last 600 bytes (on a character boundary): only the words nearest
/// the values matter. Returns whether anything was cut.
fn keep_last_words(label: &mut String) -> bool {
    if label.len() <= 600 {
        return false;
    }
    let cut = label.len() - 600;
    let cut = (cut..label.len())
        .find(|&i| label.is_char_boundary(i))
        .unwrap_or(label.len());
    label.drain(..cut);
    true
}

/// Label words and the run of values printed after them.
struct Run<'a> {
    label: String,
    values: Vec<&'a Token<'a>>,
}

/// Cuts a table printed one value per line into label words and the values after
/// them. Words that end a label wrapped around its first value (`行政规范` / `26` /
/// `性文件`) belong to the label before, and the run goes on after them.
fn runs<'a>(tokens: &'a [Token<'a>], table: &RowTable) -> Vec<Run<'a>> {
    let mut out = Vec::new();
    let mut label = String::new();
    let mut values: Vec<&Token> = Vec::new();
    for t in tokens {
        match t.kind {
            Kind::Label => {
                let n = t.norm();
                if !values.is_empty() {
                    if values.len() == 1
                        && n.chars().count() <= MAX_WRAPPED_CHARS
                        && completes(&label, n, table)
                    {
                        label.push_str(n);
                        continue;
                    }
                    out.push(Run {
                        label: std::mem::take(&mut label),
                        values: std::mem::take(&mut values),
                    });
                }
                label.push_str(n);
                // Only the words nearest the values matter (as in `groups`).
                keep_last_words(&mut label);
            }
            Kind::Value | Kind::Unreadable => values.push(t),
            Kind::Empty => {}
        }
    }
    if !values.is_empty() {
        out.push(Run { label, values });
    }
    out
}

/// Whether `tail` ends a row label begun at the end of `label`: it completes a row's
/// pattern, or the two end a row's label in the standard's words (`…政府信息公` /
/// `开申请`), with at least two characters of it before `tail`.
fn completes(label: &str, tail: &str, table: &RowTable) -> bool {
    let joined = format!("{label}{tail}");
    if table
        .patterns
        .find_overlapping_iter(&joined)
        .any(|m| m.start() < label.len() && m.end() > label.len())
    {
        return true;
    }
    table.labels.iter().any(|l| {
        l.strip_suffix(tail).is_some_and(|head| {
            // The head's last two characters.
            head.char_indices()
                .rev()
                .nth(1)
                .is_some_and(|(i, _)| label.ends_with(&head[i..]))
        })
    })
}

/// Table 二 or 三 printed one value per line with labels away from their numbers:
/// `pdftotext` without `-layout` prints a table's cells in the order the PDF draws
/// them, so a row label may come after its numbers, or the numbers of several rows
/// follow one label. Each run of values is read from the row of the label just before
/// it, on through the rows after it in the template's order, only when it fills those
/// rows' columns exactly; the labels before a run that name rows already passed are
/// words out of place and are skipped. A run that fits no rows exactly, or has no
/// label of a row still to come before it, is never placed by guess: its rows stay
/// unread, with a finding.
fn read_rows_scattered(tokens: &[Token], table: &RowTable, notes: &mut Vec<Finding>) -> Cells {
    // The table's rows (a row may have two specs) by their first spec, in printed
    // order: table 三's rows of （六） before （七）总计 (see `template::request_rows`).
    let (other, mut rows): (Vec<usize>, Vec<usize>) = (0..table.specs.len())
        .filter(|&i| table.row_of[i] == i)
        .partition(|&i| table.specs[i].row.starts_with("requests.other"));
    let at = rows
        .iter()
        .position(|&i| table.specs[i].row == "requests.total")
        .unwrap_or(rows.len());
    rows.splice(at..at, other);
    let row_at = |spec: usize| {
        rows.iter()
            .position(|&r| r == table.row_of[spec])
            .unwrap_or(0)
    };
    let width = |r: usize| table.cells[rows[r]].len();
    let named = |name: &str| rows.iter().position(|&i| table.specs[i].row == name);
    let carried_in = named("requests.carried_in");
    let other_other = named("requests.other.other");
    // The rows `start..` whose columns `n` values fill exactly: how many.
    let fit = |start: usize, n: usize| {
        let mut sum = 0;
        for r in start..rows.len() {
            sum += width(r);
            if sum == n {
                return Some(r + 1 - start);
            }
            if sum > n {
                return None;
            }
        }
        None
    };
    let mut out = Cells::new();
    let mut read = vec![false; rows.len()];
    // Rows before `next` are read or passed.
    let mut next = 0;
    // Runs not placed: the first row not passed then, the label's last words, how many values.
    let mut unplaced: Vec<(usize, Option<String>, usize)> = Vec::new();
    // Since the last run placed, a run was not: labels printed after their values
    // may stand anywhere, so several labels are no longer taken as several rows.
    let mut doubt = false;
    for run in runs(tokens, table) {
        // The rows still to come that the words name, in the order printed; and
        // whether they name a row already passed too.
        let mut named_rows: Vec<(usize, usize)> = Vec::new();
        let mut passed_named = false;
        for m in table.patterns.find_overlapping_iter(&run.label) {
            let id = m.pattern().as_usize();
            let spec = table.first_pattern.partition_point(|&f| f <= id) - 1;
            let r = row_at(spec);
            let allowed = match table.specs[spec].when {
                When::Always => true,
                When::AfterOutcomes => carried_in.is_some_and(|c| next > c),
                When::AfterFeeUnpaid => other_other == Some(next),
            };
            if allowed && r >= next {
                named_rows.push((m.end(), r));
            } else if allowed {
                passed_named = true;
            }
        }
        // By where each ends; of two ending together the first in the template's order
        // is the nearer.
        named_rows.sort_by_key(|&(end, r)| (end, std::cmp::Reverse(r)));
        let mut order: Vec<usize> = Vec::new();
        for (_, r) in named_rows {
            order.retain(|&x| x != r);
            order.push(r);
        }
        let n = run.values.len();
        // A run not placed after a label may hold the values of as many rows as it
        // could fill from that label's: their labels, printed later, name no row
        // still to come.
        let past = |from: usize| {
            let mut sum = 0;
            let mut r = from;
            while r < rows.len() && sum < n {
                sum += width(r);
                r += 1;
            }
            r.max(from + 1)
        };
        let Some(&last) = order.last() else {
            unplaced.push((next, None, n));
            doubt = true;
            continue;
        };
        // The labels that end the words naming consecutive rows (`（一）予以公开` …
        // `（二）部分公开`) are those rows when the run fills exactly them, and the words
        // name no row already passed (a label printed away from its numbers).
        let mut first = order.len() - 1;
        while first > 0 && order[first - 1] + 1 == order[first] {
            first -= 1;
        }
        let start = if !passed_named
            && !doubt
            && order.len() - first > 1
            && fit(order[first], n) == Some(order.len() - first)
        {
            Some(order[first])
        } else {
            // Else the run is the nearest label's row and the rows after it; with
            // several labels before it, only that row's own values.
            match fit(last, n) {
                Some(1) => Some(last),
                Some(_) if order.len() == 1 => Some(last),
                _ => None,
            }
        };
        let Some(start) = start else {
            unplaced.push((next, Some(label_tail(&run.label)), n));
            next = past(last);
            doubt = true;
            continue;
        };
        doubt = false;
        let k = fit(start, n).unwrap_or(0);
        let mut values = run.values.iter();
        for r in start..start + k {
            read[r] = true;
            for &def in &table.cells[rows[r]] {
                if let Some(t) = values.next() {
                    out.push((def, cell_from(t, def)));
                }
            }
        }
        next = start + k;
    }
    for (from, label, n) in unplaced {
        let to = (from..rows.len()).find(|&r| read[r]).unwrap_or(rows.len());
        let cells: Vec<String> = (from..to.max(from + 1).min(rows.len()))
            .flat_map(|r| table.cells[rows[r]].iter().map(|d| d.key.to_string()))
            .collect();
        let message = match label {
            _ if cells.is_empty() => format!(
                "表格各格逐行排列（如未保留版式转出的文本），表末另有 {n} 个数值无法确定所属的行，未读取，请核对原文。"
            ),
            Some(l) => format!(
                "表格各格逐行排列（如未保留版式转出的文本），行标题「{l}」之后有 {n} 个数值，与模板该处各行的列数对不上，无法确定各数值所属的单元格，相关各行未读取，请核对原文。"
            ),
            None => format!(
                "表格各格逐行排列（如未保留版式转出的文本），有 {n} 个数值之前没有可识别的行标题，无法确定所属的行，相关各行未读取，请核对原文。"
            ),
        };
        // Values after the table's last row leave no cell unread: a note, not an error.
        let severity = if cells.is_empty() {
            Severity::Warning
        } else {
            Severity::Error
        };
        notes.push(Finding::failed("TEXT.SCATTERED", severity, cells, message));
    }
    out
}

/// Table 二 or 三 by its row labels ([`read_rows`]), or by [`read_rows_scattered`]
/// when the table is printed one value per line and its labels do not each stand
/// before exactly their row's values.
fn read_rows_or_scattered(
    tokens: &[Token],
    table: &RowTable,
    total_only_ok: bool,
    notes: &mut Vec<Finding>,
) -> Cells {
    let mut own = Vec::new();
    let mut exact = true;
    let cells = read_rows(&groups(tokens), table, total_only_ok, &mut own, &mut exact);
    if !exact && one_value_per_line(tokens) {
        return read_rows_scattered(tokens, table, notes);
    }
    notes.extend(own);
    cells
}

/// The template's label of a row (its standard wording), for messages.
fn row_name(row: &str, pattern: &str) -> String {
    template::all_cells()
        .iter()
        .find(|d| d.row == row)
        .map(|d| d.row_label.trim_start_matches('三').to_string())
        .unwrap_or_else(|| pattern.to_string())
}

/// The last words of a group's label, as printed in a message.
fn label_tail(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    chars[chars.len().saturating_sub(20)..].iter().collect()
}

/// Rows by their place in the table's specs.
enum Closest<'a> {
    Row(usize, &'a str),
    Ambiguous(usize, usize),
    None,
}

/// Patterns shorter than this are never matched approximately (规章, 总计, 其他 …).
const MIN_FUZZY_CHARS: usize = 4;

/// A label that matches no row exactly (a character dropped, doubled or swapped by the
/// author: `2.其他法律行政止公开`): the row still to come in the template's order whose
/// pattern is within one edit (two for long patterns) of the label's last words.
/// Two rows equally close is ambiguity, never a guess.
fn closest_row<'a>(
    g: &Group,
    specs: &[&'a RowSpec],
    done: impl Fn(usize) -> bool,
    after: Option<usize>,
) -> Closest<'a> {
    if g.label.is_empty() || !g.slots.iter().any(|t| t.kind != Kind::Empty) {
        return Closest::None;
    }
    let label: Vec<char> = g.label.chars().collect();
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        if done(i) || s.when != When::Always || after.is_some_and(|a| i <= a) {
            continue;
        }
        let best = s
            .patterns
            .iter()
            .filter(|p| p.chars().count() >= MIN_FUZZY_CHARS)
            .map(|p| {
                let pc: Vec<char> = p.chars().collect();
                let from = label.len().saturating_sub(pc.len() + 2);
                (tail_distance(&pc, &label[from..]), *p, pc.len())
            })
            .min_by_key(|x| x.0);
        if let Some((d, p, n)) = best {
            let allowed = if n >= 7 { 2 } else { 1 };
            if d <= allowed {
                scored.push((d, i, p));
            }
        }
    }
    scored.sort_by_key(|x| (x.0, x.1));
    match scored.as_slice() {
        [] => Closest::None,
        [(_, i, p)] => Closest::Row(*i, p),
        [(d0, a, p), (d1, b, _), ..] => {
            if d0 < d1 {
                Closest::Row(*a, p)
            } else {
                Closest::Ambiguous(*a, *b)
            }
        }
    }
}

/// Edit distance (insert, delete, substitute, swap of neighbours) between `pattern`
/// and the best-matching substring of `text` that ends at its end.
fn tail_distance(pattern: &[char], text: &[char]) -> usize {
    let (n, m) = (pattern.len(), text.len());
    // d[i][j]: distance of pattern[..i] to a substring of text ending at j.
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(pattern[i - 1] != text[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && pattern[i - 1] == text[j - 2] && pattern[i - 2] == text[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    // The substring must end at the label's end (the words nearest the values), give or
    // take one trailing character.
    d[n][m].min(if m > 0 { d[n][m - 1] + 1 } else { usize::MAX })
}

/// A unit printed in table 二's header or above it (`采购总金额（元）`,
/// `本年收费金额（单位：万元）`, `（单位：元）`): `Some("元")` or `Some("万元")`.
/// The unit broken over two lines is found too (`本年收费金额（单位：` / `元）`, as a
/// cell's words come out of a PDF one line each).
fn header_unit(tokens: &[Token]) -> Option<&'static str> {
    fn unit(n: &str) -> Option<&'static str> {
        if n.contains("(元)") || n.contains("单位:元") || n.contains("金额:元") {
            return Some("元");
        }
        if n.contains("(万元)") || n.contains("单位:万元") {
            return Some("万元");
        }
        None
    }
    let mut before = "";
    for t in tokens.iter().filter(|t| t.kind == Kind::Label) {
        if t.text.len() > 300 {
            before = "";
            continue;
        }
        let n = t.norm();
        if let Some(u) = unit(n) {
            return Some(u);
        }
        // Only words that open a unit can be continued by the next line's.
        if before.ends_with('(') || before.ends_with(':') || before.ends_with("(单位:万") {
            if let Some(u) = unit(&format!("{before}{n}")) {
                return Some(u);
            }
        }
        before = n;
    }
    None
}

/// Table 四's result columns and appeal kinds as printed, in the template's order.
const APPEAL_RESULT_LABELS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
const APPEAL_KIND_LABELS: [&str; 3] = ["行政复议", "直接起诉", "复议后起诉"];

/// Which of `labels` a group's label ends with (a row label of table 四 printed
/// sideways), ignoring trailing brackets and colons.
fn ends_with_one(label: &str, labels: &[&str]) -> Option<usize> {
    let l = label.trim_end_matches([')', '）', ':', '（', '(']);
    labels
        .iter()
        .enumerate()
        .filter(|(_, p)| l.ends_with(**p))
        .max_by_key(|(_, p)| p.len())
        .map(|(i, _)| i)
}

/// The order in which `labels` appear (each at its last mention) in the header words
/// `text`; `None` unless every one appears. The last mention: the words before the
/// header include the section heading (`四、政府信息公开行政复议、行政诉讼情况`).
fn header_order(text: &str, labels: &[&str]) -> Option<Vec<usize>> {
    let mut at: Vec<(usize, usize)> = Vec::new();
    for (i, p) in labels.iter().enumerate() {
        let pos = text.rfind(p)?;
        at.push((pos, i));
    }
    at.sort();
    Some(at.into_iter().map(|(_, i)| i).collect())
}

/// Table 四 printed with one row per result (结果维持 … 总计) and one column per appeal
/// kind, or one row per appeal kind (行政复议, 直接起诉, 复议后起诉) and one column per
/// result. Each row is found by its label; the columns are in the header's order.
/// `None` unless every row of the layout is printed with its own label.
fn read_appeals_by_rows(tokens: &[Token]) -> Option<Cells> {
    let gs = groups(tokens);
    for (rows, cols, transposed) in [
        (&APPEAL_RESULT_LABELS[..], &APPEAL_KIND_LABELS[..], true),
        (&APPEAL_KIND_LABELS[..], &APPEAL_RESULT_LABELS[..], false),
    ] {
        let mut found: Vec<Option<&Group>> = vec![None; rows.len()];
        let mut first: Option<(&Group, usize)> = None;
        for g in &gs {
            if let Some(i) = ends_with_one(&g.label, rows) {
                if found[i].is_some() {
                    // A row printed twice is not this layout.
                    found = vec![None; rows.len()];
                    break;
                }
                found[i] = Some(g);
                first.get_or_insert((g, i));
            }
        }
        if found.iter().any(Option::is_none) {
            continue;
        }
        // Every row prints a value and its values fit its columns exactly (the
        // standard layout's header also names the three kinds, with empty cells
        // between them in a grid whose merged cells were lost).
        let fits = |g: &Group| {
            let printed = g.slots.iter().filter(|t| t.kind != Kind::Empty).count();
            (1..=cols.len()).contains(&printed)
                && place(&g.slots, cols.len(), false)
                    .iter()
                    .all(Option::is_some)
        };
        if !found.iter().flatten().all(|g| fits(g)) {
            if transposed {
                // Five rows labelled by result cannot be the standard layout: its rows
                // that do not fit stay unread (missing, and reported), never read in
                // the standard layout's order.
                found = found.into_iter().map(|g| g.filter(|g| fits(g))).collect();
                if found.iter().all(Option::is_none) {
                    continue;
                }
            } else {
                continue;
            }
        }
        // The header: the words before the first printed row's label.
        let (g0, i0) = first?;
        let l0 = g0.label.trim_end_matches([')', '）', ':', '（', '(']);
        let header = &l0[..l0.len() - rows[i0].len()];
        let order = header_order(header, cols).unwrap_or_else(|| (0..cols.len()).collect());
        let mut out = Cells::new();
        for (ri, g) in found.iter().enumerate() {
            let Some(g) = *g else { continue };
            for (pos, p) in place(&g.slots, cols.len(), false).into_iter().enumerate() {
                let ci = order[pos];
                let (kind, result) = if transposed { (ci, ri) } else { (ri, ci) };
                let def = appeal_cell(kind, result);
                match p {
                    Some(Some(t)) => out.push((def, cell_from(t, def))),
                    Some(None) => out.push((def, blank_cell(g.slots.first().copied()))),
                    None => {}
                }
            }
        }
        return Some(out);
    }
    None
}

fn read_appeals(tokens: &[Token], notes: &mut Vec<Finding>) -> Cells {
    if let Some(cells) = read_appeals_by_rows(tokens) {
        return cells;
    }
    if one_value_per_line(tokens) {
        return read_appeals_scattered(tokens, notes);
    }
    // One data row of 15 cells after the header labels.
    let last_label = tokens
        .iter()
        .rposition(|t| t.kind == Kind::Label)
        .map(|i| i + 1)
        .unwrap_or(0);
    let slots: Vec<&Token> = tokens[last_label..].iter().collect();
    let keys: Vec<&CellDef> = (0..APPEAL_ROWS.len())
        .flat_map(|r| (0..APPEAL_COLUMNS.len()).map(move |c| appeal_cell(r, c)))
        .collect();
    let mut placed = place(&slots, keys.len(), false);
    if placed.iter().any(Option::is_none) {
        // Table 四 printed in pieces (复议 and 诉讼 as two tables, the header and the
        // values apart, values on the line after each header): when exactly its 15
        // values are printed in the section, they are its cells in order.
        let values: Vec<&Token> = tokens
            .iter()
            .filter(|t| matches!(t.kind, Kind::Value | Kind::Unreadable))
            .collect();
        if values.len() == keys.len() {
            placed = values.into_iter().map(|t| Some(Some(t))).collect();
        }
    }
    let mut out = Cells::new();
    for (def, p) in keys.into_iter().zip(placed) {
        match p {
            Some(Some(t)) => out.push((def, cell_from(t, def))),
            Some(None) => out.push((def, blank_cell(slots.first().copied()))),
            None => {}
        }
    }
    out
}

/// Table 四 printed one value per line: its 15 values are its cells in the template's
/// order only when they follow one another with no words between them. `pdftotext`
/// without `-layout` prints the header's words between the values and the columns of
/// the three appeal kinds interleaved; such a table is not read, with a finding.
fn read_appeals_scattered(tokens: &[Token], notes: &mut Vec<Finding>) -> Cells {
    let keys: Vec<&CellDef> = (0..APPEAL_ROWS.len())
        .flat_map(|r| (0..APPEAL_COLUMNS.len()).map(move |c| appeal_cell(r, c)))
        .collect();
    let at: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, Kind::Value | Kind::Unreadable))
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (at.first(), at.last()) else {
        return Cells::new();
    };
    if at.len() == keys.len() && last + 1 - first == at.len() {
        return keys
            .into_iter()
            .zip(at)
            .map(|(def, i)| (def, cell_from(&tokens[i], def)))
            .collect();
    }
    let apart = tokens[first..last]
        .iter()
        .filter(|t| t.kind == Kind::Label)
        .count();
    notes.push(Finding::failed(
        "TEXT.SCATTERED",
        Severity::Error,
        keys.iter().map(|d| d.key.to_string()).collect(),
        if apart > 0 {
            format!(
                "表四各格逐行排列（如未保留版式转出的文本），{} 个数值之间夹有表头文字，无法按模板顺序确定各数值所属的单元格，表四未读取，请核对原文。",
                at.len()
            )
        } else {
            format!(
                "表四各格逐行排列（如未保留版式转出的文本），共 {} 个数值，与模板的 {} 个单元格对不上，表四未读取，请核对原文。",
                at.len(),
                keys.len()
            )
        },
    ));
    Cells::new()
}

fn count_markers(tokens: &[Token], markers: &AhoCorasick) -> usize {
    tokens
        .iter()
        .filter(|t| t.kind == Kind::Label)
        .filter(|t| markers.is_match(t.norm()))
        .count()
}

/// Agency, year and publication date from the title block and the signature.
struct Meta {
    agency: Option<String>,
    year: Option<i32>,
    published: Option<String>,
}

fn title_regex() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(\p{Han}*?)((?:19|20)\d\d)年度?(?:政府信息公开|政务公开)(?:工作)?年度?报告",
        )
        .expect("regex")
    })
}

fn read_meta(lines: &[&str]) -> Meta {
    let title = title_regex();
    let mut agency = None;
    let mut year = None;
    // The title may be broken over lines (`青 铜 峡 市` / `2021 年…`): join short lines.
    let mut compact = String::new();
    for l in lines.iter().take(40) {
        norm_into(l, &mut compact);
    }
    if let Some(m) = title.captures(&compact) {
        year = m[2].parse().ok();
        let a = m[1].to_string();
        if !a.is_empty() {
            agency = Some(a);
        }
    }
    // Only lines that name a report or a date can hold the title or the date.
    let mut all = String::new();
    for (i, l) in lines
        .iter()
        // Both words are six bytes: a shorter line (a table's cell) holds neither.
        .filter(|l| l.len() >= 6 && names_report_or_date(l))
        .enumerate()
    {
        if i > 0 {
            all.push('\n');
        }
        norm_into(l, &mut all);
    }
    if let Some(t) = agency.clone() {
        // A fuller name of the same agency elsewhere (现公布宝鸡市凤翔区人民政府2020年…).
        for m in title.captures_iter(&all) {
            let c = &m[1];
            if c.len() > t.len() && c.ends_with(t.as_str()) {
                let prefix = &c[..c.len() - t.len()];
                if let Some(place) = place_suffix(prefix) {
                    agency = Some(format!("{place}{t}"));
                    break;
                }
            }
        }
    }
    // The signature: the last short line before the closing date.
    let date_re = date_regex();
    // The date is among the last four non-empty lines (the signature just before it):
    // only the last six are read.
    let mut nonempty: Vec<String> = lines
        .iter()
        .rev()
        .map(|l| norm(l))
        .filter(|l| !l.is_empty())
        .take(6)
        .collect();
    nonempty.reverse();
    let mut published = None;
    if let Some(i) = nonempty
        .iter()
        .rposition(|l| date_re.is_match(l) && l.chars().count() <= 14)
    {
        if i + 4 >= nonempty.len() {
            published = Some(nonempty[i].clone());
            if i > 0 {
                let sig = &nonempty[i - 1];
                if let Some(t) = &agency {
                    if *sig == format!("{t}人民政府") {
                        agency = Some(sig.clone());
                    }
                }
                if agency.is_none() && sig.chars().count() <= 24 {
                    agency = Some(sig.clone());
                }
            }
        }
    }
    if published.is_none() {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = RE.get_or_init(|| {
            regex::Regex::new(r"发布(?:时间|日期):?((?:19|20)\d\d-\d{1,2}-\d{1,2})").expect("regex")
        });
        if let Some(m) = re.captures(&all) {
            published = Some(m[1].to_string());
        }
    }
    Meta {
        agency,
        year,
        published,
    }
}

/// Whether a line holds 报告 or 发布, by two searchers built once (a line's own
/// search would build its searcher each time).
fn names_report_or_date(line: &str) -> bool {
    static WORDS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    WORDS
        .get_or_init(|| ["报告", "发布"].map(memchr::memmem::Finder::new))
        .iter()
        .any(|w| w.find(line.as_bytes()).is_some())
}

fn date_regex() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^(?:19|20)\d\d年\d{1,2}月\d{1,2}日$").expect("regex"))
}

/// The place name at the end of a prefix (`现公布宝鸡市` → `宝鸡市`).
fn place_suffix(prefix: &str) -> Option<String> {
    let chars: Vec<char> = prefix.chars().collect();
    let last = *chars.last()?;
    if !matches!(last, '省' | '市' | '州' | '盟' | '县' | '区') {
        return None;
    }
    // Most prefecture names are two characters; longer ones are rare and ambiguous.
    (chars.len() >= 3).then(|| chars[chars.len() - 3..].iter().collect())
}

/// Reads a token stream into a report. `lines` are the document's paragraphs, for
/// the title, signature and sections.
pub fn read(source: &str, tokens: &[Token], lines: &[&str]) -> Result<Report, String> {
    let (reg, headings) = find_regions(tokens);
    let len = tokens.len();
    let end = reg.end.unwrap_or(len);
    // Each table runs from its heading to the next table's heading.
    let t2_start = reg.t2.unwrap_or(0);
    let t3_start = reg.t3.unwrap_or(t2_start);
    let t4_start = reg.t4.unwrap_or(end);
    let t2 = &tokens[t2_start.min(len)..t3_start.max(t2_start).min(len)];
    let t3 = &tokens[t3_start.min(len)..t4_start.max(t3_start).min(len)];
    let t4 = if reg.t4.is_some() {
        &tokens[t4_start.min(len)..end.max(t4_start).min(len)]
    } else {
        &tokens[0..0]
    };

    let [m2019_t2, m2021_t2, m2021_t3] = markers();
    let t2_is_2021 = count_markers(t2, m2021_t2) > count_markers(t2, m2019_t2);
    let t3_is_2021 = count_markers(t3, m2021_t3) > 0;

    let mut notes = Vec::new();
    let mut cells = read_rows_or_scattered(t2, proactive_table(t2_is_2021), false, &mut notes);
    if header_unit(t2) == Some("元") {
        // Amounts printed under a 元 header: converted to 万元, the unit kept, as for
        // a unit printed in the cell (which wins when both are printed).
        for (def, c) in &mut cells {
            if let (true, None, Value::Number(d)) = (def.is_amount(), &c.unit, c.value) {
                c.value = Value::Number(d.shift_down(4));
                c.unit = Some("元".into());
            }
        }
    }
    let t2_found = !cells.is_empty();
    let t3_cells = read_rows_or_scattered(t3, requests_table(t3_is_2021), true, &mut notes);
    let t3_found = !t3_cells.is_empty();
    cells.extend(t3_cells);
    let t4_cells = read_appeals(t4, &mut notes);
    let t4_found = t4_cells.iter().any(|(_, c)| c.value != Value::Blank);
    cells.extend(t4_cells);

    if !t2_found && !t3_found && !t4_found {
        return Err("未找到年报的统计表格（主动公开政府信息情况、收到和处理政府信息公开申请情况、行政复议和行政诉讼情况）".into());
    }

    let meta = read_meta(lines);
    let layout = |is_2021: bool| {
        if is_2021 {
            TemplateId::T2021
        } else {
            TemplateId::T2019
        }
    };
    let template = match (t2_found, t3_found) {
        (true, true) if t2_is_2021 != t3_is_2021 => meta
            .year
            .map(TemplateId::for_year)
            .unwrap_or(layout(t3_is_2021)),
        (_, true) => layout(t3_is_2021),
        (true, false) => layout(t2_is_2021),
        _ => meta
            .year
            .map(TemplateId::for_year)
            .unwrap_or(TemplateId::T2021),
    };

    let mut report = Report::with_cells(source, template, cells);
    report.agency = meta.agency;
    report.year = meta.year;
    report.published = meta.published;
    report.sections = sections(tokens, &headings);
    report.reading = notes;
    Ok(report)
}

/// The six sections' prose: the label tokens between headings (tables' words excluded
/// where a table is, since they are labels of cells, not prose).
fn sections(tokens: &[Token], headings: &[(usize, usize)]) -> Vec<Section> {
    let mut out = Vec::new();
    for (n, &(start, s)) in headings.iter().enumerate() {
        let stop = headings.get(n + 1).map(|h| h.0).unwrap_or(tokens.len());
        let text: Vec<&str> = if (1..=3).contains(&s) {
            Vec::new()
        } else {
            tokens[start + 1..stop]
                .iter()
                .filter(|t| t.kind == Kind::Label)
                .map(|t| t.text)
                .collect()
        };
        out.push(Section {
            heading: SECTION_KEYS[s].1.to_string(),
            text: text.join("\n"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_changes_says_whether_norm_changes_a_label() {
        for s in [
            "规章",
            "（一）予以公开",
            "“规章”",
            "政府集中釆购",
            "单位：万元",
            "行政 许可",
            "１２",
            "abc_#*",
            "",
            "3.其他",
            "\u{3000}总计",
        ] {
            assert_eq!(norm_changes(s), norm(s) != s, "{s}");
        }
    }

    #[test]
    fn place_handles_every_layout() {
        // Tokens of the given kinds and texts (`""` an empty cell).
        let store = |cells: &[&str]| {
            let mut t = crate::tokens::Tokenized::default();
            for c in cells {
                let k = if c.is_empty() {
                    Kind::Empty
                } else {
                    Kind::Value
                };
                t.push(k, c, Default::default());
            }
            t
        };
        // exact, with blanks
        let t = store(&["", "", "1"]);
        let slots = t.tokens();
        let r = place(&slots.iter().collect::<Vec<_>>(), 3, false);
        assert!(r[0] == Some(None) && r[2].unwrap().unwrap().text == "1");
        // spanned label column + trailing tab
        let t = store(&["", "14", "0", "0", "0", "0", "0", "14", ""]);
        let slots = t.tokens();
        let r = place(&slots.iter().collect::<Vec<_>>(), 7, true);
        assert_eq!(r[0].unwrap().unwrap().text, "14");
        assert_eq!(r[6].unwrap().unwrap().text, "14");
        // lone number = 总计
        let t = store(&["0"]);
        let slots = t.tokens();
        let r = place(&slots.iter().collect::<Vec<_>>(), 7, true);
        assert!(r[..6].iter().all(|x| *x == Some(None)));
        assert_eq!(r[6].unwrap().unwrap().text, "0");
        // too few and ambiguous: unplaced cells stay unknown
        let t = store(&["1", "2"]);
        let slots = t.tokens();
        let r = place(&slots.iter().collect::<Vec<_>>(), 7, true);
        assert!(r[2].is_none());
    }

    #[test]
    fn tail_distance_counts_drops_doubles_and_swaps() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(
            tail_distance(&c("禁止公开"), &c("2.其他法律行政法规禁止公开")),
            0
        );
        assert_eq!(tail_distance(&c("禁止公开"), &c("2.其他法律行政止公开")), 1);
        assert_eq!(tail_distance(&c("禁止公开"), &c("法规禁禁止公开")), 0);
        assert_eq!(tail_distance(&c("禁止公开"), &c("法规止禁公开")), 1);
        assert!(tail_distance(&c("国家秘密"), &c("法规止禁公开")) > 2);
    }

    #[test]
    fn norm_maps_what_it_should_and_keeps_the_rest() {
        assert_eq!(
            norm("政府集中釆购（元）：“规章” ３"),
            "政府集中采购(元):规章3"
        );
        assert_eq!(norm("一二三釆四"), "一二三采四");
        assert_eq!(norm("abc 一\u{3000}二"), "abc一二");
        assert!(!norm_changes("行政许可予以公开"));
        assert!(norm_changes("行政许可釆"));
    }

    #[test]
    fn every_row_table_builds() {
        // Each spec's cells are the standard's (RowTable::new would panic otherwise).
        for is_2021 in [false, true] {
            assert!(!proactive_table(is_2021).specs.is_empty());
            assert!(!requests_table(is_2021).specs.is_empty());
        }
        assert_eq!(appeal_cell(2, 4).key, "appeals.suit_after_review.total");
    }

    #[test]
    fn place_suffix_takes_the_city() {
        assert_eq!(place_suffix("现公布宝鸡市").as_deref(), Some("宝鸡市"));
        assert_eq!(place_suffix("现公布"), None);
    }
}
