//! The identities of the national template, checked on one report (or on two
//! consecutive reports of one agency), as findings that speak the clerk's language.

use crate::report::Report;
use crate::template::{
    self, APPEAL_COLUMNS, APPEAL_ROWS, APPLICANT_COLUMNS, CellDef, REQUEST_COLUMNS, TableId,
    TemplateId,
};
use crate::value::{Cell, Decimal, Value};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn chinese(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "提示",
            Severity::Info => "说明",
        }
    }
}

/// Whether the check failed or could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Failed,
    /// A cell the check needs is blank or "/": neither a pass nor a failure.
    NotAssessable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub status: Status,
    /// The cells involved (keys).
    pub cells: Vec<String>,
    /// The numbers that disagree: left side, right side (as printed), where applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// One sentence in Chinese, in the template's own words.
    pub message: String,
}

impl Finding {
    /// A finding that failed (the usual kind), for rules outside this module.
    pub fn failed(rule: &str, severity: Severity, cells: Vec<String>, message: String) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            status: Status::Failed,
            cells,
            expected: None,
            actual: None,
            message,
        }
    }
    fn numbers(mut self, expected: impl ToString, actual: impl ToString) -> Finding {
        self.expected = Some(expected.to_string());
        self.actual = Some(actual.to_string());
        self
    }
}

/// Every rule that one report can be checked by, in a stable order.
pub fn check(report: &Report) -> Vec<Finding> {
    let cells = Cells::of(report);
    let outcome_rows = outcome_rows_printed(report, &cells);
    let mut out = report.reading.clone();
    what_was_read(report, &mut out);
    template_year(report, &cells, &mut out);
    table_complete(report, &cells, &outcome_rows, &mut out);
    value_format(&cells, &mut out);
    value_range(&cells, &mut out);
    t3_flow(&cells, &mut out);
    t3_outcomes(&cells, &outcome_rows, &mut out);
    t3_columns(report, &cells, &outcome_rows, &mut out);
    t4_sum(&cells, &mut out);
    unit_amount(&cells, &mut out);
    text_table(report, &mut out);
    out
}

/// True when any finding is an error that failed (what `check` exits 1 on).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.status == Status::Failed)
}

fn label(key: &str) -> String {
    template::cell(key)
        .map(|d| d.describe())
        .unwrap_or_else(|| key.to_string())
}

fn column_label(column: &str) -> &'static str {
    match column {
        "natural_person" => "自然人",
        "business" => "商业企业",
        "research" => "科研机构",
        "nonprofit" => "社会公益组织",
        "legal_service" => "法律服务机构",
        "other_org" => "其他",
        "total" => "总计",
        "upheld" => "结果维持",
        "corrected" => "结果纠正",
        "other" => "其他结果",
        "pending" => "尚未审结",
        _ => "",
    }
}

fn appeal_row_label(row: &str) -> &'static str {
    match row {
        "review" => "行政复议",
        "suit_direct" => "行政诉讼（未经复议直接起诉）",
        "suit_after_review" => "行政诉讼（复议后起诉）",
        _ => "",
    }
}

/// A report's cells by their index in the standard's list ([`template::all_cells`]),
/// matched once per check: the rules read cells by index and write a key out only
/// for a finding.
struct Cells<'a> {
    by_index: Vec<Option<&'a Cell>>,
}

impl<'a> Cells<'a> {
    fn of(r: &'a Report) -> Cells<'a> {
        Cells {
            by_index: r.cells_by_index(),
        }
    }

    fn value(&self, i: usize) -> Value {
        self.by_index[i].map_or(Value::Blank, |c| c.value)
    }

    fn found(&self, i: usize) -> bool {
        self.by_index[i].is_some_and(Cell::is_found)
    }

    /// The cells present with their definitions, in the standard's order.
    fn defined(&self) -> impl Iterator<Item = (&'static CellDef, &'a Cell)> + '_ {
        template::all_cells()
            .iter()
            .zip(&self.by_index)
            .filter_map(|(d, c)| c.map(|c| (d, c)))
    }
}

/// The key of the standard's `i`-th cell, for a finding.
fn key(i: usize) -> String {
    template::all_cells()[i].key.to_string()
}

/// The indices of a row's cells of table 三 or 四, in the columns' order.
fn row(name: &str) -> &'static [usize] {
    template::row_cells(name).expect("a row of table 三 or 四")
}

/// Where 总计 is among table 三's columns and among table 四's.
const REQUEST_TOTAL: usize = REQUEST_COLUMNS.len() - 1;
const APPEAL_TOTAL: usize = APPEAL_COLUMNS.len() - 1;

/// The outcome of checking `sum(lhs) == sum(rhs)` with blanks unknown.
enum Balance {
    Holds,
    Fails {
        lhs: Decimal,
        rhs: Decimal,
    },
    /// Blank or "/" cells; `zero_fails` says whether it would fail with blanks read as 0.
    Unknown {
        blanks: Vec<usize>,
        zero_fails: bool,
    },
}

fn balance(cells: &Cells, lhs: &[usize], rhs: &[usize]) -> Balance {
    let side = |indices: &[usize]| {
        let mut sum = Decimal::ZERO;
        let mut blanks = Vec::new();
        for &i in indices {
            match cells.value(i) {
                Value::Number(d) => sum = sum.add(d),
                _ => blanks.push(i),
            }
        }
        (sum, blanks)
    };
    let (l, lb) = side(lhs);
    let (rr, rb) = side(rhs);
    if lb.is_empty() && rb.is_empty() {
        return if l.cmp_value(&rr).is_eq() {
            Balance::Holds
        } else {
            Balance::Fails { lhs: l, rhs: rr }
        };
    }
    // Counts are never negative, so a fully printed side smaller than the printed part of
    // the other side fails whatever the blanks hold.
    if lb.is_empty() && l.cmp_value(&rr).is_lt() || rb.is_empty() && rr.cmp_value(&l).is_lt() {
        return Balance::Fails { lhs: l, rhs: rr };
    }
    let zero_fails = !l.cmp_value(&rr).is_eq();
    let mut blanks = lb;
    blanks.extend(rb);
    Balance::Unknown { blanks, zero_fails }
}

/// How many not-assessable instances a finding names (`…等9处`).
const SHOWN: usize = 4;

/// Gathers not-assessable instances of one rule into a single finding.
struct Unassessable {
    rule: &'static str,
    /// The first [`SHOWN`] instances, as the finding names them.
    what: Vec<String>,
    /// Every instance, named or not.
    instances: usize,
    /// Cells by their index in the standard's list, each once, in the order met.
    blanks: Vec<usize>,
    /// Which cells `blanks` holds, by index.
    seen: Vec<bool>,
    zero_fails: usize,
}

impl Unassessable {
    fn new(rule: &'static str) -> Self {
        Unassessable {
            rule,
            what: Vec::new(),
            instances: 0,
            blanks: Vec::new(),
            seen: Vec::new(),
            zero_fails: 0,
        }
    }
    fn add(&mut self, what: impl FnOnce() -> String, blanks: Vec<usize>, zero_fails: bool) {
        // An instance past those the message names is only counted: not written.
        if self.instances < SHOWN {
            self.what.push(what());
        }
        self.instances += 1;
        for b in blanks {
            if self.seen.len() <= b {
                self.seen
                    .resize(template::all_cells().len().max(b + 1), false);
            }
            if !std::mem::replace(&mut self.seen[b], true) {
                self.blanks.push(b);
            }
        }
        self.zero_fails += zero_fails as usize;
    }
    /// Checks `sum(lhs) == sum(rhs)`: a failure becomes an error finding with `message`
    /// (given the two sums), a blank cell one more not-assessable instance (`what`).
    /// Both texts are written only when needed: most checks hold.
    fn assess(
        &mut self,
        cells: &Cells,
        out: &mut Vec<Finding>,
        lhs: &[usize],
        rhs: &[usize],
        what: impl FnOnce() -> String,
        message: impl FnOnce(Decimal, Decimal) -> String,
    ) {
        match balance(cells, lhs, rhs) {
            Balance::Holds => {}
            Balance::Fails { lhs: l, rhs: rr } => {
                let text = message(l, rr);
                let keys = lhs.iter().chain(rhs).map(|&i| key(i)).collect();
                out.push(Finding::failed(self.rule, Severity::Error, keys, text).numbers(l, rr));
            }
            Balance::Unknown { blanks, zero_fails } => self.add(what, blanks, zero_fails),
        }
    }

    fn finish(self, out: &mut Vec<Finding>) {
        if self.what.is_empty() {
            return;
        }
        let n = self.instances;
        let more = if n > SHOWN {
            format!("等{n}处")
        } else {
            String::new()
        };
        let zero = if self.zero_fails == 0 {
            "若空白按 0 计，均相符".to_string()
        } else {
            format!("若空白按 0 计，其中{}处不相符", self.zero_fails)
        };
        out.push(Finding {
            rule: self.rule.into(),
            severity: Severity::Info,
            status: Status::NotAssessable,
            cells: self.blanks.into_iter().map(key).collect(),
            expected: None,
            actual: None,
            message: format!(
                "{}{}含空白或“/”单元格，无法核对（{}）。",
                self.what.join("、"),
                more,
                zero
            ),
        });
    }
}

fn t3_flow(cells: &Cells, out: &mut Vec<Finding>) {
    let mut un = Unassessable::new("T3.FLOW");
    let (new, carried_in) = (row("requests.new"), row("requests.carried_in"));
    let (total, carried_out) = (row("requests.total"), row("requests.carried_out"));
    for (ci, c) in REQUEST_COLUMNS.iter().enumerate() {
        let lhs = [new[ci], carried_in[ci]];
        let rhs = [total[ci], carried_out[ci]];
        let col = column_label(c);
        let printed = [lhs[0], lhs[1], rhs[0], rhs[1]].map(|i| cells.value(i));
        un.assess(cells, out, &lhs, &rhs, || format!("表三{col}列的勾稽关系"), |l, rr| {
            format!(
                "表三{col}列：「一、本年新收政府信息公开申请数量」（{}）加「二、上年结转政府信息公开申请数量」（{}）为 {l}，但「（七）总计」（{}）加「四、结转下年度继续办理」（{}）为 {rr}，两者应相等。",
                printed[0], printed[1], printed[2], printed[3]
            )
        });
    }
    un.finish(out);
}

fn t3_outcomes(cells: &Cells, outcome_rows: &[&str], out: &mut Vec<Finding>) {
    let mut un = Unassessable::new("T3.OUTCOMES");
    let total = row("requests.total");
    let rows: Vec<&[usize]> = outcome_rows.iter().map(|r| row(r)).collect();
    for (ci, c) in REQUEST_COLUMNS.iter().enumerate() {
        let parts: Vec<usize> = rows.iter().map(|r| r[ci]).collect();
        let col = column_label(c);
        un.assess(
            cells,
            out,
            &[total[ci]],
            &parts,
            || format!("表三{col}列的办理结果合计"),
            |lhs, rhs| format!("表三「（七）总计」{col}列为 {lhs}，但各办理结果之和为 {rhs}。"),
        );
    }
    un.finish(out);
}

/// The 2021 template's three （六）其他处理 rows.
const OTHER_2021: [&str; 3] = [
    "requests.other.no_correction",
    "requests.other.fee_unpaid",
    "requests.other.other",
];

/// The outcome rows as printed: the template's, or the other template's (六) rows
/// when the report printed those instead.
fn outcome_rows_printed(r: &Report, cells: &Cells) -> Vec<&'static str> {
    let other_found = |name: &str| row(name).iter().any(|&i| cells.found(i));
    let mut rows = template::outcome_rows(r.template);
    match r.template {
        TemplateId::T2021 if other_found("requests.other") => {
            rows.retain(|x| !x.starts_with("requests.other."));
            rows.push("requests.other");
        }
        TemplateId::T2019
            if !other_found("requests.other") && OTHER_2021.iter().any(|x| other_found(x)) =>
        {
            rows.retain(|x| *x != "requests.other");
            rows.extend(OTHER_2021);
        }
        _ => {}
    }
    rows
}

fn t3_columns(r: &Report, cells: &Cells, outcome_rows: &[&'static str], out: &mut Vec<Finding>) {
    let mut un = Unassessable::new("T3.COLUMNS");
    let mut rows = template::request_rows(r.template);
    for f in outcome_rows {
        if !rows.contains(f) {
            rows.push(f);
        }
    }
    for name in rows {
        let indices = row(name);
        let total = indices[REQUEST_TOTAL];
        if !cells.found(total) {
            continue;
        }
        let row_name = || {
            template::all_cells()[total]
                .describe()
                .trim_end_matches("总计列")
                .to_string()
        };
        un.assess(
            cells,
            out,
            &[total],
            &indices[..APPLICANT_COLUMNS.len()],
            || format!("{}行", row_name()),
            |lhs, rhs| {
                let row_name = row_name();
                format!("{row_name}行：总计列为 {lhs}，但自然人与各类法人或其他组织之和为 {rhs}。")
            },
        );
    }
    un.finish(out);
}

fn t4_sum(cells: &Cells, out: &mut Vec<Finding>) {
    let mut un = Unassessable::new("T4.SUM");
    for r in APPEAL_ROWS {
        let indices = row(&format!("appeals.{r}"));
        let name = appeal_row_label(r);
        un.assess(
            cells,
            out,
            &[indices[APPEAL_TOTAL]],
            &indices[..APPEAL_TOTAL],
            || format!("表四「{name}」"),
            |lhs, rhs| {
                format!("表四「{name}」：总计为 {lhs}，但结果维持、结果纠正、其他结果、尚未审结之和为 {rhs}。")
            },
        );
    }
    un.finish(out);
}

/// What a report must name to be one: the agency, the year, and at least one value
/// printed in its tables. A blank template reads as a report with nothing in it:
/// that is said, never passed as 未发现问题.
fn what_was_read(r: &Report, out: &mut Vec<Finding>) {
    let printed = r
        .cells
        .values()
        .any(|c| c.is_found() && c.value != Value::Blank || !c.raw.trim().is_empty());
    if !printed {
        let found = r.cells.values().any(Cell::is_found);
        out.push(Finding::failed(
            "REPORT.EMPTY",
            Severity::Error,
            Vec::new(),
            if found {
                "表格中没有填写任何数值（全部为空白），可能是未填写的空白模板。".to_string()
            } else {
                "没有读到任何表格数值。".to_string()
            },
        ));
    }
    let mut missing = Vec::new();
    if r.agency.as_deref().is_none_or(|a| a.trim().is_empty()) {
        missing.push("单位名称");
    }
    if r.year.is_none() {
        missing.push("报告年度");
    }
    if !missing.is_empty() {
        out.push(Finding::failed(
            "REPORT.META",
            Severity::Warning,
            Vec::new(),
            format!(
                "未能从标题或落款中识别出{}，请核实这是否是一份完整的年度报告。",
                missing.join("和")
            ),
        ));
    }
}

/// A cell that printed something that is neither a number, blank nor "/" (`约10164`,
/// `10164。`, `NaN`, `1.0164e4`, `一万零一百六十四`): it is kept as printed, counts
/// as unknown in every sum, and is reported where it stands.
fn value_format(cells: &Cells, out: &mut Vec<Finding>) {
    for (d, c) in cells.defined() {
        if c.value != Value::Blank || c.raw.trim().is_empty() {
            continue;
        }
        let at = c
            .source
            .as_ref()
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty())
            .map(|s| format!("（{s}）"))
            .unwrap_or_default();
        out.push(
            Finding::failed(
                "VALUE.FORMAT",
                Severity::Error,
                vec![d.key.into()],
                format!(
                    "{}印为「{}」{at}，不是可以读取的数值（应为阿拉伯数字、空白或“/”），相关核对无法进行。",
                    d.describe(),
                    c.raw
                ),
            )
            .numbers("数值", &c.raw),
        );
    }
}

/// Counts and amounts beyond this many significant digits cannot be a real figure and
/// cannot travel exactly through JSON numbers (2^53).
const MAX_EXACT_DIGITS: usize = 15;

fn value_range(cells: &Cells, out: &mut Vec<Finding>) {
    for (d, c) in cells.defined() {
        let Value::Number(n) = c.value else { continue };
        let digits = n.significant_digits();
        if digits > MAX_EXACT_DIGITS {
            out.push(Finding::failed(
                "VALUE.RANGE",
                Severity::Error,
                vec![d.key.into()],
                format!(
                    "{}为 {}，共{digits}位有效数字，超出合理范围（最多{MAX_EXACT_DIGITS}位），请核实是否多录了数字；数值按原文保留，未作舍入。",
                    d.describe(),
                    c.raw
                ),
            ));
            continue;
        }
        if d.is_amount() {
            if n.is_negative() {
                out.push(Finding::failed(
                    "VALUE.RANGE",
                    Severity::Error,
                    vec![d.key.into()],
                    format!("{}为 {}，金额不能为负数。", d.describe(), c.raw),
                ));
            }
            continue;
        }
        if !n.is_integer() {
            out.push(Finding::failed(
                "VALUE.RANGE",
                Severity::Error,
                vec![d.key.into()],
                format!("{}为 {}，件数应为整数。", d.describe(), c.raw),
            ));
        } else if n.is_negative() && !d.is_signed() {
            out.push(Finding::failed(
                "VALUE.RANGE",
                Severity::Error,
                vec![d.key.into()],
                format!("{}为 {}，数量不能为负数。", d.describe(), c.raw),
            ));
        }
    }
}

fn template_year(r: &Report, cells: &Cells, out: &mut Vec<Finding>) {
    if let Some(year) = r.year {
        let want = TemplateId::for_year(year);
        if want != r.template {
            out.push(
                Finding::failed(
                    "TEMPLATE.YEAR",
                    Severity::Error,
                    Vec::new(),
                    format!(
                        "报告年度为{year}年，应使用{}版格式（{}），但表格采用的是{}版格式。",
                        want.id(),
                        want.notice(),
                        r.template.id()
                    ),
                )
                .numbers(want.id(), r.template.id()),
            );
        }
    }
    // Keys printed that belong to the other template only (a mixed layout).
    let foreign: Vec<&CellDef> = cells
        .defined()
        .filter(|(d, c)| !d.in_template(r.template) && c.is_found())
        .map(|(d, _)| d)
        .collect();
    if !foreign.is_empty() {
        let mut rows: Vec<String> = Vec::new();
        for d in &foreign {
            let name = format!(
                "{}「{}」",
                d.table.short(),
                d.row_label.trim_start_matches('三')
            );
            if !rows.contains(&name) {
                rows.push(name);
            }
        }
        out.push(Finding::failed(
            "TEMPLATE.YEAR",
            Severity::Error,
            foreign.iter().map(|d| d.key.to_string()).collect(),
            format!(
                "表格混用了两版格式：{}属于{}版格式，本报告其余表格为{}版格式。",
                rows.join("、"),
                match r.template {
                    TemplateId::T2019 => "2021",
                    TemplateId::T2021 => "2019",
                },
                r.template.id()
            ),
        ));
    }
}

fn table_complete(
    r: &Report,
    cells: &Cells,
    outcome_rows: &[&'static str],
    out: &mut Vec<Finding>,
) {
    for table in [TableId::Proactive, TableId::Requests, TableId::Appeals] {
        // A mixed layout's printed alternative rows stand in for the template's own.
        let defs = template::all_cells()
            .iter()
            .enumerate()
            .filter(|(_, d)| d.in_template(r.template) && d.table == table)
            .filter(|(_, d)| {
                d.table != TableId::Requests
                    || !d.row.starts_with("requests.other")
                    || outcome_rows.contains(&d.row)
            });
        let mut expected = 0;
        let mut missing: Vec<&CellDef> = Vec::new();
        for (i, d) in defs {
            expected += 1;
            if !cells.found(i) {
                missing.push(d);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let keys: Vec<String> = missing.iter().map(|d| d.key.to_string()).collect();
        let message = if missing.len() == expected {
            format!("未找到{}。", table.chinese())
        } else {
            let mut rows: Vec<String> = Vec::new();
            for d in &missing {
                let name = format!("「{}」", d.row_label.trim_start_matches('三'));
                if !rows.contains(&name) {
                    rows.push(name);
                }
            }
            let shown = rows.iter().take(6).cloned().collect::<Vec<_>>().join("、");
            let more = if rows.len() > 6 {
                format!("等{}行", rows.len())
            } else {
                String::new()
            };
            format!(
                "{}缺少{}{}的数据（共{}个单元格未找到）。",
                table.short(),
                shown,
                more,
                missing.len()
            )
        };
        out.push(Finding::failed(
            "TABLE.COMPLETE",
            Severity::Error,
            keys,
            message,
        ));
    }
}

/// 万元 above this is 100 亿元: almost surely a value in 元 typed under a 万元 header.
const AMOUNT_IMPLAUSIBLE_WAN: i64 = 1_000_000;

fn unit_amount(cells: &Cells, out: &mut Vec<Finding>) {
    for (d, c) in cells.defined() {
        if !d.is_amount() {
            continue;
        }
        let Value::Number(n) = c.value else { continue };
        if c.unit.as_deref() == Some("元") {
            out.push(Finding {
                rule: "UNIT.AMOUNT".into(),
                severity: Severity::Info,
                status: Status::Failed,
                cells: vec![d.key.into()],
                expected: None,
                actual: None,
                message: format!(
                    "{}以“元”填写（{}），已按万元计为 {}；原文保留。",
                    d.describe(),
                    c.raw,
                    n
                ),
            });
        } else if n
            .cmp_value(&Decimal::from_int(AMOUNT_IMPLAUSIBLE_WAN))
            .is_ge()
        {
            out.push(Finding::failed(
                "UNIT.AMOUNT",
                Severity::Warning,
                vec![d.key.into()],
                format!(
                    "{}为 {} 万元（即{}亿元以上），疑似把“元”当作“万元”填写，请核实单位。",
                    d.describe(),
                    c.raw,
                    AMOUNT_IMPLAUSIBLE_WAN / 10_000
                ),
            ));
        }
    }
}

struct ProseRule {
    pattern: &'static str,
    keys: &'static [&'static str],
    what: &'static str,
}

const PROSE_RULES: [ProseRule; 3] = [
    ProseRule {
        pattern: r"行政复议(?:和|及|、)行政诉讼(?:案件)?(?:共|共计)?(\d+)件",
        keys: &[
            "appeals.review.total",
            "appeals.suit_direct.total",
            "appeals.suit_after_review.total",
        ],
        what: "行政复议和行政诉讼案件",
    },
    ProseRule {
        pattern: r"行政复议(?:案件)?(?:共|共计)?(\d+)件",
        keys: &["appeals.review.total"],
        what: "行政复议案件",
    },
    ProseRule {
        pattern: r"行政诉讼(?:案件)?(?:共|共计)?(\d+)件",
        keys: &[
            "appeals.suit_direct.total",
            "appeals.suit_after_review.total",
        ],
        what: "行政诉讼案件",
    },
];

fn prose_regexes() -> &'static (Regex, Vec<Regex>) {
    static RE: OnceLock<(Regex, Vec<Regex>)> = OnceLock::new();
    RE.get_or_init(|| {
        (
            Regex::new(r"(?:收到|受理|接收|新收)[^。；;，,]{0,30}?(?:申请|依申请公开)[^。；;，,\d]{0,6}?(\d+)件").expect("regex"),
            PROSE_RULES.iter().map(|p| Regex::new(p.pattern).expect("regex")).collect(),
        )
    })
}

/// Numbers stated in the prose (共受理申请7件) against the table.
fn text_table(r: &Report, out: &mut Vec<Finding>) {
    let (received, rules) = prose_regexes();
    let sum = |keys: &[&str]| -> Option<Decimal> {
        keys.iter().try_fold(Decimal::ZERO, |acc, k| {
            r.value(k).number().map(|n| acc.add(n))
        })
    };
    for section in &r.sections {
        // Every pattern ends in 件: a section without it states no count.
        if !section.text.contains('件') {
            continue;
        }
        let mut text = without_spaces(&section.text);
        if let Some(m) = received.captures(&text) {
            let stated = Decimal::parse(&m[1]).unwrap_or(Decimal::ZERO);
            if let Some(new) = sum(&["requests.new.total"]) {
                let with_carry = sum(&["requests.new.total", "requests.carried_in.total"]);
                let agrees = stated.cmp_value(&new).is_eq()
                    || with_carry.is_some_and(|w| stated.cmp_value(&w).is_eq());
                if !agrees {
                    out.push(
                        Finding::failed(
                            "TEXT.TABLE",
                            Severity::Warning,
                            vec!["requests.new.total".into()],
                            format!(
                                "正文“{}”称收到申请 {stated} 件，但{}为 {new}。",
                                &m[0],
                                label("requests.new.total")
                            ),
                        )
                        .numbers(stated, new),
                    );
                }
            }
        }
        for (rule, re) in PROSE_RULES.iter().zip(rules) {
            let found: Vec<(std::ops::Range<usize>, String, String)> = re
                .captures_iter(&text)
                .map(|m| {
                    (
                        m.get(0).unwrap().range(),
                        m[0].to_string(),
                        m[1].to_string(),
                    )
                })
                .collect();
            for (range, phrase, number) in found {
                // Blank out what was matched so the narrower patterns do not read it again.
                text.replace_range(range.clone(), &"#".repeat(range.len()));
                let stated = Decimal::parse(&number).unwrap_or(Decimal::ZERO);
                let Some(table) = sum(rule.keys) else {
                    continue;
                };
                if !stated.cmp_value(&table).is_eq() {
                    out.push(
                        Finding::failed(
                            "TEXT.TABLE",
                            Severity::Warning,
                            rule.keys.iter().map(|k| k.to_string()).collect(),
                            format!(
                                "正文“{phrase}”称{}{stated}件，但表四相应总计为 {table}。",
                                rule.what
                            ),
                        )
                        .numbers(stated, table),
                    );
                }
            }
        }
    }
}

/// `s` with every white space character removed (as `split_whitespace` then
/// `collect` gives it), stepping over the CJK text by [`crate::value::space_at`].
fn without_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut run, mut i) = (0, 0);
    while i < s.len() {
        let (len, space) = crate::value::space_at(s, i);
        if space {
            out.push_str(&s[run..i]);
            run = i + len;
        }
        i += len;
    }
    out.push_str(&s[run..]);
    out
}

/// Rules across two consecutive reports of one agency (`prev` is the year before `cur`).
pub fn check_consecutive(prev: &Report, cur: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let (py, cy) = (prev.year.unwrap_or(0), cur.year.unwrap_or(0));
    for c in REQUEST_COLUMNS {
        let a = format!("requests.carried_out.{c}");
        let b = format!("requests.carried_in.{c}");
        if let (Value::Number(x), Value::Number(y)) = (prev.value(&a), cur.value(&b)) {
            if !x.cmp_value(&y).is_eq() {
                out.push(
                    Finding::failed(
                        "YEAR.CARRY",
                        Severity::Error,
                        vec![b.clone()],
                        format!(
                            "表三{}列：{cy}年「二、上年结转政府信息公开申请数量」为 {y}，但{py}年报告「四、结转下年度继续办理」为 {x}。",
                            column_label(c)
                        ),
                    )
                    .numbers(x, y),
                );
            }
        }
    }
    if cur.template == TemplateId::T2021 && prev.template == TemplateId::T2021 {
        for row in ["regulations", "normative_docs"] {
            let key = |col: &str| format!("proactive.{row}.{col}");
            let (Some(p), Some(i), Some(rp), Some(now)) = (
                prev.value(&key("in_force")).number(),
                cur.value(&key("issued")).number(),
                cur.value(&key("repealed")).number(),
                cur.value(&key("in_force")).number(),
            ) else {
                continue;
            };
            let want = p.add(i).sub(rp);
            if !want.cmp_value(&now).is_eq() {
                let name = if row == "regulations" {
                    "规章"
                } else {
                    "行政规范性文件"
                };
                out.push(
                    Finding::failed(
                        "YEAR.IN_FORCE",
                        Severity::Warning,
                        vec![key("in_force")],
                        format!(
                            "表二「{name}」：{py}年现行有效 {p} 件，加本年制发 {i} 件、减本年废止 {rp} 件应为 {want} 件，但本年现行有效件数为 {now}（修订等情形可能导致差异，请核实）。"
                        ),
                    )
                    .numbers(want, now),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;

    /// A balanced 2021 report: 3 new, 1 carried in, 2 granted, 1 not held, 1 carried out.
    fn balanced() -> Report {
        let mut vals: Vec<(String, Value)> = Vec::new();
        for k in template::keys(TemplateId::T2021) {
            vals.push((k.to_string(), Value::int(0)));
        }
        let mut r = Report::from_values(
            "t",
            TemplateId::T2021,
            vals.iter().map(|(k, v)| (k.as_str(), *v)),
        )
        .unwrap();
        for (k, v) in [
            ("requests.new.natural_person", 3),
            ("requests.new.total", 3),
            ("requests.carried_in.natural_person", 1),
            ("requests.carried_in.total", 1),
            ("requests.granted.natural_person", 2),
            ("requests.granted.total", 2),
            ("requests.unavailable.not_held.natural_person", 1),
            ("requests.unavailable.not_held.total", 1),
            ("requests.total.natural_person", 3),
            ("requests.total.total", 3),
            ("requests.carried_out.natural_person", 1),
            ("requests.carried_out.total", 1),
            ("appeals.review.upheld", 1),
            ("appeals.review.total", 1),
        ] {
            r.set(k, crate::value::Cell::from_value(Value::int(v)));
        }
        r.year = Some(2021);
        r.agency = Some("某市人民政府".into());
        r
    }

    #[test]
    fn a_report_says_what_it_lacks() {
        let mut r = balanced();
        r.agency = None;
        r.year = None;
        let f = check(&r);
        let meta = f.iter().find(|f| f.rule == "REPORT.META").unwrap();
        assert!(
            meta.message.contains("单位名称和报告年度"),
            "{}",
            meta.message
        );
        let blank = Report::new("blank", TemplateId::T2021);
        let f = check(&blank);
        assert!(
            f.iter()
                .any(|f| f.rule == "REPORT.EMPTY" && f.severity == Severity::Error)
        );
        let mut odd = balanced();
        let mut c = crate::value::Cell::from_value(Value::Blank);
        c.raw = "约3".into();
        odd.set("requests.new.natural_person", c);
        let f = check(&odd);
        let hit = f.iter().find(|f| f.rule == "VALUE.FORMAT").unwrap();
        assert_eq!(hit.cells, ["requests.new.natural_person"]);
        assert!(hit.message.contains("「约3」"), "{}", hit.message);
    }

    fn errors(r: &Report) -> Vec<Finding> {
        check(r)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect()
    }

    #[test]
    fn balanced_report_has_no_findings() {
        assert_eq!(check(&balanced()), vec![]);
    }

    #[test]
    fn flow_failure_names_column_and_numbers() {
        let mut r = balanced();
        r.set(
            "requests.carried_out.natural_person",
            crate::value::Cell::from_value(Value::int(2)),
        );
        r.set(
            "requests.carried_out.total",
            crate::value::Cell::from_value(Value::int(2)),
        );
        let e = errors(&r);
        assert!(e.iter().any(|f| {
            f.rule == "T3.FLOW"
                && f.message.starts_with("表三自然人列")
                && f.cells
                    .contains(&"requests.carried_out.natural_person".to_string())
        }));
        assert!(
            e.iter()
                .any(|f| f.rule == "T3.FLOW" && f.message.starts_with("表三总计列"))
        );
    }

    #[test]
    fn outcomes_message_matches_spec_wording() {
        let mut r = balanced();
        r.set(
            "requests.total.legal_service",
            crate::value::Cell::from_value(Value::int(4)),
        );
        let e = errors(&r);
        let f = e.iter().find(|f| f.rule == "T3.OUTCOMES").unwrap();
        assert_eq!(
            f.message,
            "表三「（七）总计」法律服务机构列为 4，但各办理结果之和为 0。"
        );
        assert_eq!(f.expected.as_deref(), Some("4"));
    }

    #[test]
    fn blank_makes_check_not_assessable_not_failed() {
        let mut r = balanced();
        r.set(
            "requests.granted.business",
            crate::value::Cell::parse("", false).unwrap(),
        );
        let f = check(&r);
        assert!(!has_errors(&f));
        let na: Vec<_> = f
            .iter()
            .filter(|f| f.status == Status::NotAssessable)
            .collect();
        assert!(na.iter().any(|f| f.rule == "T3.OUTCOMES"));
        assert!(na.iter().any(|f| f.rule == "T3.COLUMNS"));
        assert!(na.iter().all(|f| f.severity == Severity::Info));
    }

    #[test]
    fn many_blanks_are_one_finding_naming_four() {
        // 本年新收 blank in all seven columns: seven instances of T3.FLOW, one finding.
        let mut r = balanced();
        for c in template::REQUEST_COLUMNS {
            r.set(
                &format!("requests.new.{c}"),
                crate::value::Cell::parse("/", false).unwrap(),
            );
        }
        let f = check(&r);
        let flow: Vec<_> = f.iter().filter(|f| f.rule == "T3.FLOW").collect();
        assert_eq!(flow.len(), 1);
        let m = &flow[0].message;
        assert!(
            m.starts_with("表三自然人列的勾稽关系、表三商业企业列的勾稽关系、表三科研机构列的勾稽关系、表三社会公益组织列的勾稽关系等7处含空白"),
            "{m}"
        );
        assert!(!m.contains("法律服务机构"), "{m}");
        assert_eq!(flow[0].cells.len(), 7);
    }

    #[test]
    fn blank_cannot_hide_an_overshoot() {
        // 总计 5 while the printed outcomes already add to more: a failure whatever the blank is.
        let mut r = balanced();
        r.set(
            "requests.granted.business",
            crate::value::Cell::parse("", false).unwrap(),
        );
        r.set(
            "requests.total.total",
            crate::value::Cell::from_value(Value::int(2)),
        );
        assert!(errors(&r).iter().any(|f| f.rule == "T3.OUTCOMES"));
    }

    #[test]
    fn t4_and_columns_and_range() {
        let mut r = balanced();
        r.set(
            "appeals.review.total",
            crate::value::Cell::from_value(Value::int(3)),
        );
        r.set(
            "requests.new.business",
            crate::value::Cell::from_value(Value::int(-1)),
        );
        let rules: Vec<_> = errors(&r).into_iter().map(|f| f.rule).collect();
        assert!(rules.contains(&"T4.SUM".to_string()));
        assert!(rules.contains(&"VALUE.RANGE".to_string()));
        assert!(rules.contains(&"T3.COLUMNS".to_string()));
    }

    #[test]
    fn template_year_and_completeness() {
        let mut r = balanced();
        r.year = Some(2020);
        assert!(errors(&r).iter().any(|f| f.rule == "TEMPLATE.YEAR"));
        let mut r = balanced();
        r.cells.insert(
            "appeals.review.pending".into(),
            crate::value::Cell::missing(),
        );
        let e = errors(&r);
        let f = e.iter().find(|f| f.rule == "TABLE.COMPLETE").unwrap();
        assert_eq!(f.cells, vec!["appeals.review.pending".to_string()]);
    }

    #[test]
    fn mixed_layout_is_reported_and_summed_as_printed() {
        let mut r = balanced();
        for c in REQUEST_COLUMNS {
            for row in [
                "requests.other.no_correction",
                "requests.other.fee_unpaid",
                "requests.other.other",
            ] {
                r.cells
                    .insert(format!("{row}.{c}"), crate::value::Cell::missing());
            }
            r.set(
                &format!("requests.other.{c}"),
                crate::value::Cell::from_value(Value::int(0)),
            );
        }
        let e = errors(&r);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].rule, "TEMPLATE.YEAR");
        assert!(e[0].message.contains("2019版"));
    }

    #[test]
    fn amounts_in_yuan() {
        let mut r = balanced();
        r.set(
            "proactive.fees.amount_wan",
            crate::value::Cell::parse("251000元", true).unwrap(),
        );
        let f = check(&r);
        assert!(
            f.iter()
                .any(|f| f.rule == "UNIT.AMOUNT" && f.severity == Severity::Info)
        );
        r.set(
            "proactive.fees.amount_wan",
            crate::value::Cell::parse("2510000", true).unwrap(),
        );
        assert!(
            check(&r)
                .iter()
                .any(|f| f.rule == "UNIT.AMOUNT" && f.severity == Severity::Warning)
        );
    }

    #[test]
    fn prose_against_table() {
        let mut r = balanced();
        r.sections.push(crate::report::Section {
            heading: "一、总体情况".into(),
            text: "2021年共受理政府信息公开申请 7 件。发生行政复议案件1件。".into(),
        });
        let f = check(&r);
        let t: Vec<_> = f.iter().filter(|f| f.rule == "TEXT.TABLE").collect();
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(t[0].message.contains("7"));
        r.sections[0].text = "共受理申请3件，行政复议和行政诉讼案件1件".into();
        assert!(check(&r).iter().all(|f| f.rule != "TEXT.TABLE"));
    }

    #[test]
    fn without_spaces_drops_every_white_space() {
        for s in [
            "",
            "共受理申请 7 件。\n办结\t7件\u{3000}，\u{a0}“好”\u{2003}x\u{85}y\u{1680}",
            "abc",
            "  a  b  ",
            "规章\u{2028}\u{2029}\u{202f}\u{205f}\u{200b}𠀀 é",
        ] {
            assert_eq!(
                without_spaces(s),
                s.split_whitespace().collect::<String>(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn consecutive_years() {
        let prev = balanced();
        let mut cur = balanced();
        cur.year = Some(2022);
        assert!(check_consecutive(&prev, &cur).is_empty());
        cur.set(
            "requests.carried_in.total",
            crate::value::Cell::from_value(Value::int(5)),
        );
        cur.set(
            "proactive.regulations.in_force",
            crate::value::Cell::from_value(Value::int(9)),
        );
        let f = check_consecutive(&prev, &cur);
        assert!(f.iter().any(|f| f.rule == "YEAR.CARRY"));
        assert!(
            f.iter()
                .any(|f| f.rule == "YEAR.IN_FORCE" && f.severity == Severity::Warning)
        );
    }
}
