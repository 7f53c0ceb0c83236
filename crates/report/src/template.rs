//! The two national templates as data: every cell of `cells.tsv` (the spec's list),
//! grouped into tables, rows and columns. Adding a template is adding a column to that
//! file, not code.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// The spec's cell list, embedded so the binary needs no data files.
const CELLS_TSV: &str = include_str!("../cells.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TemplateId {
    /// 国办公开办函〔2019〕60号（试行）, report years 2019 and 2020.
    #[serde(rename = "2019")]
    T2019,
    /// 国办公开办函〔2021〕30号, report years 2021 onward.
    #[serde(rename = "2021")]
    T2021,
}

impl TemplateId {
    pub const ALL: [TemplateId; 2] = [TemplateId::T2019, TemplateId::T2021];

    pub fn id(self) -> &'static str {
        match self {
            TemplateId::T2019 => "2019",
            TemplateId::T2021 => "2021",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateId> {
        match s.trim() {
            "2019" => Some(TemplateId::T2019),
            "2021" => Some(TemplateId::T2021),
            _ => None,
        }
    }

    /// The template the national notices prescribe for a report year.
    pub fn for_year(year: i32) -> TemplateId {
        if year <= 2020 {
            TemplateId::T2019
        } else {
            TemplateId::T2021
        }
    }

    pub fn notice(self) -> &'static str {
        match self {
            TemplateId::T2019 => "国办公开办函〔2019〕60号",
            TemplateId::T2021 => "国办公开办函〔2021〕30号",
        }
    }

    fn column(self) -> usize {
        match self {
            TemplateId::T2019 => 0,
            TemplateId::T2021 => 1,
        }
    }
}

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which of the three statistical tables a cell is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableId {
    /// 表二 主动公开政府信息情况
    Proactive,
    /// 表三 收到和处理政府信息公开申请情况
    Requests,
    /// 表四 政府信息公开行政复议、行政诉讼情况
    Appeals,
}

impl TableId {
    pub fn prefix(self) -> &'static str {
        match self {
            TableId::Proactive => "proactive",
            TableId::Requests => "requests",
            TableId::Appeals => "appeals",
        }
    }
    /// The name a clerk uses: 表二 / 表三 / 表四.
    pub fn chinese(self) -> &'static str {
        match self {
            TableId::Proactive => "表二（主动公开政府信息情况）",
            TableId::Requests => "表三（收到和处理政府信息公开申请情况）",
            TableId::Appeals => "表四（政府信息公开行政复议、行政诉讼情况）",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            TableId::Proactive => "表二",
            TableId::Requests => "表三",
            TableId::Appeals => "表四",
        }
    }
}

/// One cell of the standard: `table.row.column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDef {
    pub key: &'static str,
    pub table: TableId,
    /// The key without its column: `requests.denied.state_secret`.
    pub row: &'static str,
    /// The last key segment: `natural_person`.
    pub column: &'static str,
    pub row_label: &'static str,
    pub column_label: &'static str,
    in_template: [bool; 2],
    /// Where it is in [`all_cells`].
    index: usize,
}

impl CellDef {
    /// Where it is in [`all_cells`] (the order of `cells.tsv`).
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn in_template(&self, t: TemplateId) -> bool {
        self.in_template[t.column()]
    }
    /// Signed changes (本年增/减) may be negative.
    pub fn is_signed(&self) -> bool {
        self.column == "change"
    }
    /// Money amounts, in 万元.
    pub fn is_amount(&self) -> bool {
        self.column == "amount_wan"
    }
    /// The cell as a clerk names it: 表三「（七）总计」法律服务机构列.
    pub fn describe(&self) -> String {
        match self.table {
            TableId::Requests => format!(
                "{}「{}」{}列",
                self.table.short(),
                display_row_label(self.row_label),
                self.column_label
            ),
            _ => format!(
                "{}「{}」{}",
                self.table.short(),
                display_row_label(self.row_label),
                self.column_label
            ),
        }
    }
}

/// Row labels in cells.tsv are compact (`三（一）予以公开`); show the row's own words.
fn display_row_label(label: &'static str) -> &'static str {
    label
        .strip_prefix('三')
        .filter(|l| l.starts_with('（'))
        .unwrap_or(label)
}

fn table_of(key: &str) -> Option<TableId> {
    match key.split('.').next()? {
        "proactive" => Some(TableId::Proactive),
        "requests" => Some(TableId::Requests),
        "appeals" => Some(TableId::Appeals),
        _ => None,
    }
}

/// Every cell of the standard, in the order of `cells.tsv`.
pub fn all_cells() -> &'static [CellDef] {
    static CELLS: OnceLock<Vec<CellDef>> = OnceLock::new();
    CELLS.get_or_init(|| {
        CELLS_TSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(index, line)| {
                let mut f = line.split('\t');
                let key = f.next().expect("cells.tsv: key");
                let templates = f.next().expect("cells.tsv: templates");
                let row_label = f.next().expect("cells.tsv: row label");
                let column_label = f.next().expect("cells.tsv: column label");
                let (row, column) = key.rsplit_once('.').expect("cells.tsv: table.row.column");
                CellDef {
                    key,
                    table: table_of(key).expect("cells.tsv: known table"),
                    row,
                    column,
                    row_label,
                    column_label,
                    in_template: [
                        templates.split(',').any(|t| t == "2019"),
                        templates.split(',').any(|t| t == "2021"),
                    ],
                    index,
                }
            })
            .collect()
    })
}

/// Looks a key up in the standard.
pub fn cell(key: &str) -> Option<&'static CellDef> {
    index(key).map(|i| &all_cells()[i])
}

/// Where a key is in [`all_cells`].
pub fn index(key: &str) -> Option<usize> {
    static INDEX: OnceLock<BTreeMap<&'static str, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        all_cells()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.key, i))
            .collect()
    });
    index.get(key).copied()
}

/// The indices of [`all_cells`] in the order of their keys (a report's cell map's
/// order): a report's cells are matched to the standard's in one walk over both.
pub fn indices_by_key() -> &'static [usize] {
    static SORTED: OnceLock<Vec<usize>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut v: Vec<usize> = (0..all_cells().len()).collect();
        v.sort_by_key(|&i| all_cells()[i].key);
        v
    })
}

/// The indices in [`all_cells`] of a row's cells of table 三 (one per
/// [`REQUEST_COLUMNS`]) or table 四 (one per [`APPEAL_COLUMNS`]), in the columns'
/// order; `None` for any other row. Built once, so the rules name no keys per cell.
pub fn row_cells(row: &str) -> Option<&'static [usize]> {
    static ROWS: OnceLock<Vec<(&'static str, Vec<usize>)>> = OnceLock::new();
    let rows = ROWS.get_or_init(|| {
        let mut rows: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for c in all_cells() {
            let columns: &[&str] = match c.table {
                TableId::Requests => &REQUEST_COLUMNS,
                TableId::Appeals => &APPEAL_COLUMNS,
                TableId::Proactive => continue,
            };
            if rows.iter().any(|(r, _)| *r == c.row) {
                continue;
            }
            let cells = columns
                .iter()
                .map(|col| {
                    index(&format!("{}.{col}", c.row)).expect("cells.tsv: every column of a row")
                })
                .collect();
            rows.push((c.row, cells));
        }
        rows
    });
    rows.iter()
        .find(|(r, _)| *r == row)
        .map(|(_, c)| c.as_slice())
}

/// The cells of one template, in the standard's order.
pub fn cells_of(t: TemplateId) -> impl Iterator<Item = &'static CellDef> {
    all_cells().iter().filter(move |c| c.in_template(t))
}

/// The keys of one template, in the standard's order.
pub fn keys(t: TemplateId) -> Vec<&'static str> {
    cells_of(t).map(|c| c.key).collect()
}

/// Table 三's applicant columns, in template order, without 总计.
pub const APPLICANT_COLUMNS: [&str; 6] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
];
/// Table 三's columns including 总计.
pub const REQUEST_COLUMNS: [&str; 7] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
    "total",
];
/// Table 四's rows and columns.
pub const APPEAL_ROWS: [&str; 3] = ["review", "suit_direct", "suit_after_review"];
pub const APPEAL_COLUMNS: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];

/// The rows of table 三 in one template, in printed order (`requests.new`, …,
/// （六）, `requests.total`, `requests.carried_out`). The standard's list puts the 2021
/// rows of （六） last; they are printed before （七）总计.
pub fn request_rows(t: TemplateId) -> Vec<&'static str> {
    static ROWS: [OnceLock<Vec<&'static str>>; 2] = [OnceLock::new(), OnceLock::new()];
    ROWS[t.column()]
        .get_or_init(|| printed_request_rows(t))
        .clone()
}

fn printed_request_rows(t: TemplateId) -> Vec<&'static str> {
    let mut rows: Vec<&'static str> = Vec::new();
    for c in cells_of(t).filter(|c| c.table == TableId::Requests) {
        if !rows.contains(&c.row) {
            rows.push(c.row);
        }
    }
    let (other, mut rest): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| r.starts_with("requests.other"));
    let at = rest
        .iter()
        .position(|r| *r == "requests.total")
        .unwrap_or(rest.len());
    rest.splice(at..at, other);
    rest
}

/// The outcome rows of table 三 (三、本年度办理结果 without （七）总计).
pub fn outcome_rows(t: TemplateId) -> Vec<&'static str> {
    request_rows(t)
        .into_iter()
        .filter(|r| {
            !matches!(
                *r,
                "requests.new" | "requests.carried_in" | "requests.total" | "requests.carried_out"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_rows_are_in_printed_order() {
        let tail = |t| {
            request_rows(t)
                .into_iter()
                .rev()
                .take(5)
                .rev()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            tail(TemplateId::T2021),
            [
                "requests.other.no_correction",
                "requests.other.fee_unpaid",
                "requests.other.other",
                "requests.total",
                "requests.carried_out"
            ]
        );
        let rows = request_rows(TemplateId::T2019);
        assert_eq!(rows.len(), 23);
        assert_eq!(rows[..2], ["requests.new", "requests.carried_in"]);
        assert_eq!(
            rows[20..],
            ["requests.other", "requests.total", "requests.carried_out"]
        );
        assert_eq!(request_rows(TemplateId::T2021).len(), 25);
    }

    #[test]
    fn counts_match_the_spec_table() {
        // spec README: 2019 has 22 table-二 cells, 23×7 table 三, 15 table 四; 2021 has 10, 25×7, 15.
        let count = |t, table| cells_of(t).filter(|c| c.table == table).count();
        assert_eq!(count(TemplateId::T2019, TableId::Proactive), 22);
        assert_eq!(count(TemplateId::T2019, TableId::Requests), 23 * 7);
        assert_eq!(count(TemplateId::T2019, TableId::Appeals), 15);
        assert_eq!(count(TemplateId::T2021, TableId::Proactive), 10);
        assert_eq!(count(TemplateId::T2021, TableId::Requests), 25 * 7);
        assert_eq!(count(TemplateId::T2021, TableId::Appeals), 15);
    }

    #[test]
    fn outcome_rows_exclude_flow_rows() {
        assert_eq!(outcome_rows(TemplateId::T2019).len(), 19);
        assert_eq!(outcome_rows(TemplateId::T2021).len(), 21);
        assert!(outcome_rows(TemplateId::T2021).contains(&"requests.other.fee_unpaid"));
        assert!(!outcome_rows(TemplateId::T2021).contains(&"requests.other"));
    }

    #[test]
    fn describe_uses_template_labels() {
        let c = cell("requests.total.legal_service").unwrap();
        assert_eq!(c.describe(), "表三「（七）总计」法律服务机构列");
        let c = cell("proactive.licensing.change").unwrap();
        assert_eq!(c.describe(), "表二「行政许可」本年增/减");
    }

    #[test]
    fn year_to_template() {
        assert_eq!(TemplateId::for_year(2020), TemplateId::T2019);
        assert_eq!(TemplateId::for_year(2021), TemplateId::T2021);
    }
}
