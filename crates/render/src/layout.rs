//! The national templates' tables as data: for each template, the three tables as a
//! grid of cells with their spans, labels and cell keys. Every format writer (HTML,
//! DOCX, PDF, XLSX) draws from this one description.

use gongkai_report::template::{self, APPEAL_COLUMNS, APPEAL_ROWS, REQUEST_COLUMNS, TableId};
use gongkai_report::{Report, TemplateId};

/// What a cell of a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Fixed template text (a header or a row label).
    Text(&'static str),
    /// The value of one cell key of the report.
    Value(&'static str),
}

/// How a cell is typeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A block heading spanning the table (第二十条第（一）项).
    Block,
    /// A column header.
    Header,
    /// Table 三's top-left 勾稽关系 note.
    Note,
    /// A row label (left aligned).
    RowLabel,
    /// A row-spanning group label (三、本年度办理结果, （三）不予公开).
    Group,
    /// A number.
    Value,
}

/// One cell of the grid, placed at its top-left position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub content: Content,
    pub role: Role,
}

/// One of the three tables.
#[derive(Debug, Clone)]
pub struct TableLayout {
    pub table: TableId,
    /// The report section the table belongs to (二、主动公开政府信息情况 …).
    pub heading: &'static str,
    /// Sheet name in a workbook: 表二 / 表三 / 表四.
    pub sheet: &'static str,
    /// Relative column widths (twentieths of a point in the national template).
    pub widths: Vec<u32>,
    pub rows: usize,
    /// Cells in reading order (row by row, left to right).
    pub cells: Vec<GridCell>,
    /// How many leading rows are header rows (repeated on a new page).
    pub header_rows: usize,
}

impl TableLayout {
    pub fn columns(&self) -> usize {
        self.widths.len()
    }

    /// For every grid position, the index of the cell that covers it.
    pub fn coverage(&self) -> Vec<Vec<Option<usize>>> {
        let mut grid = vec![vec![None; self.columns()]; self.rows];
        for (i, c) in self.cells.iter().enumerate() {
            for row in grid.iter_mut().skip(c.row).take(c.rowspan) {
                for slot in row.iter_mut().skip(c.col).take(c.colspan) {
                    *slot = Some(i);
                }
            }
        }
        grid
    }

    /// The cells starting in one row, left to right.
    pub fn row_cells(&self, row: usize) -> impl Iterator<Item = &GridCell> {
        self.cells.iter().filter(move |c| c.row == row)
    }

    /// Every cell key the table shows.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.cells.iter().filter_map(|c| match c.content {
            Content::Value(k) => Some(k),
            Content::Text(_) => None,
        })
    }
}

/// The text width of an A4 page inside the GB/T 9704 margins (210 − 28 − 26 mm), in
/// twips (twentieths of a point). Every format lays its tables out on it.
pub const TEXT_W: u32 = 8844;
/// The tables' type size (五号 is 10.5 pt; the national template sets 10 pt).
pub const TABLE_PT: f64 = 10.0;
/// A cell's padding on each side, in twips (1 mm).
pub const CELL_PAD: u32 = 57;
/// The minimum height of a table row, in twips (as in the national template): a row
/// with every cell blank keeps it.
pub const ROW_H: u32 = 340;
/// The fill of the 第二十条 bar rows in the national template.
pub const BAR_FILL: &str = "C6D9F1";

/// Column widths fitted to the figures a report prints: a column widens (taking
/// from the columns with room to spare) until its longest number fits on one line;
/// when the table cannot hold them all at the table size, the numbers are set
/// smaller instead. Never wraps or overflows a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Twips per grid column, summing to [`TEXT_W`].
    pub widths: Vec<u32>,
    /// The type size of the numbers, in points (≤ [`TABLE_PT`]).
    pub value_pt: f64,
}

impl TableLayout {
    /// The template's relative widths scaled to [`TEXT_W`].
    fn base_widths(&self) -> Vec<u32> {
        let total: u32 = self.widths.iter().sum();
        let mut w: Vec<u32> = self.widths.iter().map(|x| x * TEXT_W / total).collect();
        let used: u32 = w.iter().sum();
        if let Some(last) = w.last_mut() {
            *last += TEXT_W - used;
        }
        w
    }

    /// The widths that hold every number of `report` on one line.
    pub fn fit(&self, report: &Report) -> Fit {
        let base = self.base_widths();
        let n = base.len();
        // Widest number of each column, in em (cells one column wide; a spanning cell
        // is as wide as several columns).
        let mut widest = vec![0.0f64; n];
        let mut holds_values = vec![false; n];
        for c in &self.cells {
            if let Content::Value(k) = c.content {
                holds_values[c.col] = true;
                if c.colspan == 1 {
                    let w = crate::em_width(&crate::cell_text(report, k));
                    widest[c.col] = widest[c.col].max(w);
                }
            }
        }
        // Two characters of header text per line at least.
        let floor = (2.0 * TABLE_PT * 20.0) as u32 + 2 * CELL_PAD;
        let mut value_pt = TABLE_PT;
        loop {
            // One point to spare, against rounding in the typesetters.
            let need: Vec<u32> = widest
                .iter()
                .map(|em| (em * value_pt * 20.0).ceil() as u32 + 2 * CELL_PAD + 20)
                .collect();
            let mut widths = base.clone();
            let mut deficit: u64 = 0;
            for c in 0..n {
                if need[c] > widths[c] {
                    deficit += (need[c] - widths[c]) as u64;
                    widths[c] = need[c];
                }
            }
            if deficit == 0 {
                return Fit { widths, value_pt };
            }
            // Room to give: down to the column's own need, or 80% of a label column
            // (narrower, table 三's labels wrap onto more lines than a page holds).
            let slack: Vec<u32> = (0..n)
                .map(|c| {
                    let keep = if holds_values[c] {
                        need[c].max(floor)
                    } else {
                        (base[c] * 4 / 5).max(floor)
                    };
                    widths[c].saturating_sub(keep)
                })
                .collect();
            let room: u64 = slack.iter().map(|&x| x as u64).sum();
            if room >= deficit {
                let mut left = deficit;
                for c in 0..n {
                    let take = (deficit * slack[c] as u64).div_ceil(room).min(left);
                    widths[c] -= take as u32;
                    left -= take;
                }
                let sum: u32 = widths.iter().sum();
                // Rounding leftovers go to the widest column.
                if let Some(c) = (0..n).max_by_key(|&c| widths[c]) {
                    widths[c] = widths[c] + TEXT_W - sum;
                }
                return Fit { widths, value_pt };
            }
            if value_pt <= 6.0 {
                return Fit {
                    widths: base,
                    value_pt,
                };
            }
            value_pt -= 0.5;
        }
    }
}

/// The six section headings, in order (the form the 2021 notice prints).
pub const SECTION_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// The template's placeholder for a prose section left empty.
pub fn section_placeholder(index: usize) -> &'static str {
    match index {
        5 => "（文字描述，收取信息处理费情况在此处报告。）",
        _ => "（文字描述）",
    }
}

/// Table 三's header note, as printed in both templates.
pub const REQUESTS_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// The whole layout of a template: tables 二, 三, 四.
pub fn tables(t: TemplateId) -> Vec<TableLayout> {
    vec![proactive(t), requests(t), appeals()]
}

// ---------------------------------------------------------------------------------
// Table 二

struct Block {
    heading: &'static str,
    /// Column key suffix and header label.
    columns: &'static [(&'static str, &'static str)],
    /// Row key and label.
    rows: &'static [(&'static str, &'static str)],
}

const DOCS_2019: &[(&str, &str)] = &[
    ("made", "本年新制作数量"),
    ("published", "本年新公开数量"),
    ("total_public", "对外公开总数量"),
];
const ITEMS_2019: &[(&str, &str)] = &[
    ("prev_items", "上一年项目数量"),
    ("change", "本年增/减"),
    ("decisions", "处理决定数量"),
];

const PROACTIVE_2019: &[Block] = &[
    Block {
        heading: "第二十条第（一）项",
        columns: DOCS_2019,
        rows: &[
            ("proactive.regulations", "规章"),
            ("proactive.normative_docs", "规范性文件"),
        ],
    },
    Block {
        heading: "第二十条第（五）项",
        columns: ITEMS_2019,
        rows: &[
            ("proactive.licensing", "行政许可"),
            ("proactive.other_services", "其他对外管理服务事项"),
        ],
    },
    Block {
        heading: "第二十条第（六）项",
        columns: ITEMS_2019,
        rows: &[
            ("proactive.penalty", "行政处罚"),
            ("proactive.coercion", "行政强制"),
        ],
    },
    Block {
        heading: "第二十条第（八）项",
        columns: &[("prev_items", "上一年项目数量"), ("change", "本年增/减")],
        rows: &[("proactive.fees", "行政事业性收费")],
    },
    Block {
        heading: "第二十条第（九）项",
        // Exactly as the 2019 format prints it: no unit (the amount is in 万元).
        columns: &[("items", "采购项目数量"), ("amount_wan", "采购总金额")],
        rows: &[("proactive.procurement", "政府集中采购")],
    },
];

const PROACTIVE_2021: &[Block] = &[
    Block {
        heading: "第二十条第（一）项",
        columns: &[
            ("issued", "本年制发件数"),
            ("repealed", "本年废止件数"),
            ("in_force", "现行有效件数"),
        ],
        rows: &[
            ("proactive.regulations", "规章"),
            ("proactive.normative_docs", "行政规范性文件"),
        ],
    },
    Block {
        heading: "第二十条第（五）项",
        columns: &[("decisions", "本年处理决定数量")],
        rows: &[("proactive.licensing", "行政许可")],
    },
    Block {
        heading: "第二十条第（六）项",
        columns: &[("decisions", "本年处理决定数量")],
        rows: &[
            ("proactive.penalty", "行政处罚"),
            ("proactive.coercion", "行政强制"),
        ],
    },
    Block {
        heading: "第二十条第（八）项",
        columns: &[("amount_wan", "本年收费金额（单位：万元）")],
        rows: &[("proactive.fees", "行政事业性收费")],
    },
];

/// A key built from a row and a column, checked against the standard.
fn key(row: &str, column: &str) -> &'static str {
    let k = format!("{row}.{column}");
    match template::cell(&k) {
        Some(d) => d.key,
        None => panic!("layout names a cell the standard does not have: {k}"),
    }
}

/// Table 二 has four grid columns: 信息内容 and three value columns. A block with
/// fewer value columns lets its last one span the rest.
fn spans(n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut col = 1;
    for i in 0..n {
        let span = if i + 1 == n { 4 - col } else { 1 };
        out.push((col, span));
        col += span;
    }
    out
}

/// A cell of fixed text (a heading, a label, the note) at a grid position.
fn text(
    row: usize,
    col: usize,
    rowspan: usize,
    colspan: usize,
    s: &'static str,
    role: Role,
) -> GridCell {
    GridCell {
        row,
        col,
        rowspan,
        colspan,
        content: Content::Text(s),
        role,
    }
}

/// The cell of one report value, one row high.
fn value(row: usize, col: usize, colspan: usize, key: &'static str) -> GridCell {
    GridCell {
        row,
        col,
        rowspan: 1,
        colspan,
        content: Content::Value(key),
        role: Role::Value,
    }
}

fn proactive(t: TemplateId) -> TableLayout {
    let blocks = match t {
        TemplateId::T2019 => PROACTIVE_2019,
        TemplateId::T2021 => PROACTIVE_2021,
    };
    let mut cells = Vec::new();
    let mut row = 0;
    for b in blocks {
        cells.push(text(row, 0, 1, 4, b.heading, Role::Block));
        row += 1;
        cells.push(text(row, 0, 1, 1, "信息内容", Role::Header));
        let sp = spans(b.columns.len());
        for (&(_, label), &(col, span)) in b.columns.iter().zip(&sp) {
            cells.push(text(row, col, 1, span, label, Role::Header));
        }
        row += 1;
        for &(row_key, label) in b.rows {
            cells.push(text(row, 0, 1, 1, label, Role::RowLabel));
            for (&(column, _), &(col, span)) in b.columns.iter().zip(&sp) {
                cells.push(value(row, col, span, key(row_key, column)));
            }
            row += 1;
        }
    }
    TableLayout {
        table: TableId::Proactive,
        heading: SECTION_HEADINGS[1],
        sheet: "表二",
        widths: vec![2435; 4],
        rows: row,
        cells,
        header_rows: 0,
    }
}

// ---------------------------------------------------------------------------------
// Table 三

/// Where a row label of table 三 sits.
#[derive(Clone, Copy)]
enum RowLabel {
    /// Spans the three label columns (一、 二、 四、).
    Top(&'static str),
    /// Under 三、本年度办理结果, spanning the two inner label columns.
    Outcome(&'static str),
    /// Under 三、 and a second-level group (（三）不予公开 …).
    Sub(&'static str, &'static str),
}

/// The row labels of table 三, exactly as the templates print them.
const REQUEST_ROW_LABELS: &[(&str, RowLabel)] = {
    use RowLabel::*;
    const DENIED: &str = "（三）不予公开";
    const UNAVAILABLE: &str = "（四）无法提供";
    const REJECTED: &str = "（五）不予处理";
    const OTHER: &str = "（六）其他处理";
    &[
        ("requests.new", Top("一、本年新收政府信息公开申请数量")),
        (
            "requests.carried_in",
            Top("二、上年结转政府信息公开申请数量"),
        ),
        ("requests.granted", Outcome("（一）予以公开")),
        (
            "requests.partial",
            Outcome("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ),
        (
            "requests.denied.state_secret",
            Sub(DENIED, "1.属于国家秘密"),
        ),
        (
            "requests.denied.prohibited_by_law",
            Sub(DENIED, "2.其他法律行政法规禁止公开"),
        ),
        (
            "requests.denied.security_stability",
            Sub(DENIED, "3.危及“三安全一稳定”"),
        ),
        (
            "requests.denied.third_party",
            Sub(DENIED, "4.保护第三方合法权益"),
        ),
        (
            "requests.denied.internal_affairs",
            Sub(DENIED, "5.属于三类内部事务信息"),
        ),
        (
            "requests.denied.deliberative",
            Sub(DENIED, "6.属于四类过程性信息"),
        ),
        (
            "requests.denied.enforcement_file",
            Sub(DENIED, "7.属于行政执法案卷"),
        ),
        (
            "requests.denied.admin_query",
            Sub(DENIED, "8.属于行政查询事项"),
        ),
        (
            "requests.unavailable.not_held",
            Sub(UNAVAILABLE, "1.本机关不掌握相关政府信息"),
        ),
        (
            "requests.unavailable.needs_creation",
            Sub(UNAVAILABLE, "2.没有现成信息需要另行制作"),
        ),
        (
            "requests.unavailable.unclear",
            Sub(UNAVAILABLE, "3.补正后申请内容仍不明确"),
        ),
        (
            "requests.rejected.petition",
            Sub(REJECTED, "1.信访举报投诉类申请"),
        ),
        ("requests.rejected.duplicate", Sub(REJECTED, "2.重复申请")),
        (
            "requests.rejected.publication",
            Sub(REJECTED, "3.要求提供公开出版物"),
        ),
        (
            "requests.rejected.excessive",
            Sub(REJECTED, "4.无正当理由大量反复申请"),
        ),
        (
            "requests.rejected.confirmation",
            Sub(REJECTED, "5.要求行政机关确认或重新出具已获取信息"),
        ),
        ("requests.other", Outcome(OTHER)),
        (
            "requests.other.no_correction",
            Sub(
                OTHER,
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
        ),
        (
            "requests.other.fee_unpaid",
            Sub(
                OTHER,
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
        ),
        ("requests.other.other", Sub(OTHER, "3.其他")),
        ("requests.total", Outcome("（七）总计")),
        ("requests.carried_out", Top("四、结转下年度继续办理")),
    ]
};

const OUTCOME_GROUP: &str = "三、本年度办理结果";

const REQUEST_HEADERS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

fn requests(t: TemplateId) -> TableLayout {
    let mut cells = vec![
        text(0, 0, 3, 3, REQUESTS_NOTE, Role::Note),
        text(0, 3, 1, 7, "申请人情况", Role::Header),
        text(1, 3, 2, 1, REQUEST_HEADERS[0], Role::Header),
        text(1, 4, 1, 5, "法人或其他组织", Role::Header),
        text(1, 9, 2, 1, REQUEST_HEADERS[6], Role::Header),
    ];
    for (i, h) in REQUEST_HEADERS[1..6].iter().enumerate() {
        cells.push(text(2, 4 + i, 1, 1, *h, Role::Header));
    }
    // The template's rows, in printed order.
    let in_template = template::request_rows(t);
    let (rows, labels): (Vec<&'static str>, Vec<RowLabel>) = REQUEST_ROW_LABELS
        .iter()
        .filter(|(k, _)| in_template.contains(k))
        .copied()
        .unzip();
    let first = 3;
    for (i, (&row_key, label)) in rows.iter().zip(&labels).enumerate() {
        let r = first + i;
        let in_outcomes = |l: &RowLabel| !matches!(l, RowLabel::Top(_));
        let group_of = |l: &RowLabel| match l {
            RowLabel::Sub(g, _) => Some(*g),
            _ => None,
        };
        match *label {
            RowLabel::Top(s) => cells.push(text(r, 0, 1, 3, s, Role::RowLabel)),
            RowLabel::Outcome(s) | RowLabel::Sub(_, s) => {
                // The 三、 group label starts at the first outcome row.
                if i == 0 || !in_outcomes(&labels[i - 1]) {
                    let n = labels[i..].iter().take_while(|l| in_outcomes(l)).count();
                    cells.push(text(r, 0, n, 1, OUTCOME_GROUP, Role::Group));
                }
                if let RowLabel::Sub(g, _) = *label {
                    if i == 0 || group_of(&labels[i - 1]) != Some(g) {
                        let n = labels[i..]
                            .iter()
                            .take_while(|l| group_of(l) == Some(g))
                            .count();
                        cells.push(text(r, 1, n, 1, g, Role::Group));
                    }
                    cells.push(text(r, 2, 1, 1, s, Role::RowLabel));
                } else {
                    cells.push(text(r, 1, 1, 2, s, Role::RowLabel));
                }
            }
        }
        for (j, column) in REQUEST_COLUMNS.iter().enumerate() {
            cells.push(value(r, 3 + j, 1, key(row_key, column)));
        }
    }
    TableLayout {
        table: TableId::Requests,
        heading: SECTION_HEADINGS[2],
        sheet: "表三",
        widths: [785, 959, 3406].into_iter().chain([714; 7]).collect(),
        rows: first + rows.len(),
        cells,
        header_rows: 3,
    }
}

// ---------------------------------------------------------------------------------
// Table 四

const APPEAL_HEADERS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

fn appeals() -> TableLayout {
    let mut cells = vec![
        text(0, 0, 1, 5, "行政复议", Role::Header),
        text(0, 5, 1, 10, "行政诉讼", Role::Header),
    ];
    for (j, h) in APPEAL_HEADERS.iter().enumerate() {
        cells.push(text(1, j, 2, 1, *h, Role::Header));
    }
    cells.push(text(1, 5, 1, 5, "未经复议直接起诉", Role::Header));
    cells.push(text(1, 10, 1, 5, "复议后起诉", Role::Header));
    for g in 0..2 {
        for (j, h) in APPEAL_HEADERS.iter().enumerate() {
            cells.push(text(2, 5 + g * 5 + j, 1, 1, *h, Role::Header));
        }
    }
    for (g, row) in APPEAL_ROWS.iter().enumerate() {
        for (j, column) in APPEAL_COLUMNS.iter().enumerate() {
            cells.push(value(
                3,
                g * 5 + j,
                1,
                key(&format!("appeals.{row}"), column),
            ));
        }
    }
    TableLayout {
        table: TableId::Appeals,
        heading: SECTION_HEADINGS[3],
        sheet: "表四",
        widths: vec![650; 15],
        rows: 4,
        cells,
        header_rows: 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_cell_of_each_template_is_laid_out_once() {
        for t in TemplateId::ALL {
            let laid: Vec<&str> = tables(t)
                .iter()
                .flat_map(|tl| tl.keys().collect::<Vec<_>>())
                .collect();
            let set: BTreeSet<&str> = laid.iter().copied().collect();
            assert_eq!(set.len(), laid.len(), "{t}: a key appears twice");
            let want: BTreeSet<&str> = template::keys(t).into_iter().collect();
            assert_eq!(set, want, "{t}");
        }
    }

    #[test]
    fn grids_are_exactly_covered() {
        for t in TemplateId::ALL {
            for tl in tables(t) {
                let mut count = vec![vec![0; tl.columns()]; tl.rows];
                for c in &tl.cells {
                    assert!(c.row + c.rowspan <= tl.rows && c.col + c.colspan <= tl.columns());
                    for row in count.iter_mut().skip(c.row).take(c.rowspan) {
                        for n in row.iter_mut().skip(c.col).take(c.colspan) {
                            *n += 1;
                        }
                    }
                }
                assert!(
                    count.iter().flatten().all(|&n| n == 1),
                    "{t} {}: {count:?}",
                    tl.sheet
                );
                // reading order
                let order: Vec<(usize, usize)> = tl.cells.iter().map(|c| (c.row, c.col)).collect();
                let mut sorted = order.clone();
                sorted.sort();
                assert_eq!(order, sorted);
            }
        }
    }

    #[test]
    fn requests_table_matches_the_national_layout() {
        let t19 = requests(TemplateId::T2019);
        let t21 = requests(TemplateId::T2021);
        assert_eq!((t19.rows, t21.rows), (3 + 23, 3 + 25));
        let group = |tl: &TableLayout, s: &'static str| {
            tl.cells
                .iter()
                .find(|c| c.content == Content::Text(s))
                .map(|c| c.rowspan)
        };
        // 三、本年度办理结果 spans 19 outcome rows + 总计 (2019), 21 + 总计 (2021).
        assert_eq!(group(&t19, OUTCOME_GROUP), Some(20));
        assert_eq!(group(&t21, OUTCOME_GROUP), Some(22));
        assert_eq!(group(&t19, "（三）不予公开"), Some(8));
        assert_eq!(group(&t21, "（六）其他处理"), Some(3));
        assert_eq!(group(&t19, "（六）其他处理"), Some(1));
    }

    #[test]
    fn labels_are_the_templates_own() {
        let t19 = proactive(TemplateId::T2019);
        let texts: Vec<&str> = t19
            .cells
            .iter()
            .filter_map(|c| match c.content {
                Content::Text(s) => Some(s),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"采购总金额"));
        assert!(!texts.iter().any(|s| s.contains("采购总金额（")));
        let t21 = proactive(TemplateId::T2021);
        assert!(
            t21.cells
                .iter()
                .any(|c| c.content == Content::Text("本年收费金额（单位：万元）"))
        );
    }

    #[test]
    fn columns_widen_for_long_numbers() {
        use gongkai_report::{Cell, Value};
        let mut r = Report::new("x", TemplateId::T2021);
        for t in tables(TemplateId::T2021) {
            let base = t.base_widths();
            assert_eq!(t.fit(&r).widths, base, "{}: nothing to widen", t.sheet);
        }
        // Five-digit counts in table 三's 总计 column and six in all of table 四.
        r.set("requests.new.total", Cell::from_value(Value::int(12345)));
        r.set(
            "requests.total.natural_person",
            Cell::from_value(Value::int(98765)),
        );
        for k in gongkai_report::template::keys(TemplateId::T2021) {
            if k.starts_with("appeals.") {
                r.set(k, Cell::from_value(Value::int(123456)));
            }
        }
        for t in tables(TemplateId::T2021) {
            let fit = t.fit(&r);
            assert_eq!(fit.widths.iter().sum::<u32>(), TEXT_W, "{}", t.sheet);
            for c in &t.cells {
                if let (Content::Value(k), 1) = (c.content, c.colspan) {
                    let text = crate::cell_text(&r, k);
                    let need = crate::em_width(&text) * fit.value_pt * 20.0 + 2.0 * CELL_PAD as f64;
                    assert!(
                        fit.widths[c.col] as f64 >= need,
                        "{}: {k} = {text} needs {need} twips, has {}",
                        t.sheet,
                        fit.widths[c.col]
                    );
                }
            }
            if t.table == TableId::Requests {
                let base = t.base_widths();
                assert!(fit.widths[9] > base[9] && fit.widths[3] > base[3]);
                assert!(fit.widths[2] < base[2], "the label column gives the room");
                assert_eq!(fit.value_pt, TABLE_PT);
            }
            if t.table == TableId::Appeals {
                // 15 six-digit figures cannot fit at 10 pt: set smaller, still one line.
                assert!(fit.value_pt < TABLE_PT);
            }
        }
    }
}
