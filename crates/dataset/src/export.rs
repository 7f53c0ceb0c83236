//! The dataset out: cells in long form (one row per cell) or wide form (one row per
//! report, one column per key), or the findings; as CSV (UTF-8 with a BOM for Excel and
//! WPS), XLSX (streamed with constant memory, Chinese headers) or JSON (an array of
//! objects). Blank and 0 stay apart in every format. The command line's `export` and
//! the web server call [`export`]; what it writes to is the caller's.

use gongkai_report::template;
use gongkai_store::{CellRow, ReportRow, Store, StoreError};
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// One row per cell: source, agency, year, template, key, value, kind, raw, unit,
    /// note, label.
    Long,
    /// One row per report, one column per key of the templates stored (JSON: the
    /// cells nested in `cells`, the spec's machine form).
    Wide,
    /// One row per finding, the cross-year rules' with the previous year's report.
    Findings,
}

/// Where an export goes.
pub enum Destination {
    /// A file, created (or replaced).
    File(PathBuf),
    /// Any writer: standard output, an HTTP body, a buffer.
    Writer(Box<dyn Write + Send>),
}

/// Why an export stopped.
#[derive(Debug)]
pub enum ExportError {
    /// The dataset could not be read.
    Store(StoreError),
    /// The output could not be created or written; the Chinese cause.
    Write(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Store(e) => write!(f, "读取数据库失败：{e}"),
            ExportError::Write(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

/// Writes `content` of `store` as `format` to `to`; returns the number of rows written.
/// Rows are streamed page by page: memory does not grow with the dataset.
pub async fn export(
    store: &Store,
    format: Format,
    content: Content,
    to: Destination,
) -> Result<usize, ExportError> {
    let sheet = if content == Content::Findings {
        "校验发现"
    } else {
        "数据"
    };
    let mut sink: Box<dyn Sink> = match format {
        Format::Csv => Box::new(CsvSink::new(to)?),
        Format::Json => Box::new(JsonSink {
            out: open(to)?,
            names: Vec::new(),
            nest_from: (content == Content::Wide).then_some(REPORT_COLUMNS),
            first: true,
        }),
        Format::Xlsx => Box::new(XlsxSink::new(to, sheet)),
    };
    let n = match content {
        Content::Long => export_long(store, sink.as_mut()).await?,
        Content::Wide => export_wide(store, sink.as_mut()).await?,
        Content::Findings => export_findings(store, sink.as_mut()).await?,
    };
    sink.finish()?;
    Ok(n)
}

/// One output value. Blank and 0 never meet: `Null` is blank, `Num` is a number.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Null,
    Str(String),
    Int(i64),
    /// An exact decimal as text.
    Num(String),
    /// Not applicable (printed `/`).
    NotApplicable,
}

impl Out {
    fn opt(s: Option<String>) -> Out {
        s.map(Out::Str).unwrap_or(Out::Null)
    }
    fn of_cell(c: &CellRow) -> Out {
        match (c.kind.as_str(), &c.value) {
            ("number", Some(v)) => Out::Num(v.clone()),
            ("n/a", _) => Out::NotApplicable,
            _ => Out::Null,
        }
    }
    fn csv(&self) -> String {
        match self {
            Out::Null => String::new(),
            Out::Str(s) | Out::Num(s) => s.clone(),
            Out::Int(i) => i.to_string(),
            Out::NotApplicable => "n/a".into(),
        }
    }
    fn json(&self) -> serde_json::Value {
        match self {
            Out::Null => serde_json::Value::Null,
            Out::Str(s) => serde_json::Value::String(s.clone()),
            Out::Int(i) => serde_json::json!(i),
            Out::Num(s) => exact_number(s)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(s.clone())),
            Out::NotApplicable => serde_json::Value::String("n/a".into()),
        }
    }
}

/// A JSON number only when it prints back exactly as stored; otherwise the text stays.
fn exact_number(s: &str) -> Option<serde_json::Number> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    let f: f64 = s.parse().ok()?;
    let n = serde_json::Number::from_f64(f)?;
    (n.to_string() == s).then_some(n)
}

fn exact_f64(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && (f.to_string() == s || format!("{f}") == s)).then_some(f)
}

struct Col {
    /// Machine name (CSV / JSON).
    name: String,
    /// Chinese header (XLSX).
    zh: String,
}

fn col(name: &str, zh: &str) -> Col {
    Col {
        name: name.into(),
        zh: zh.into(),
    }
}

trait Sink: Send {
    fn header(&mut self, cols: &[Col]) -> Result<(), ExportError>;
    fn row(&mut self, vals: &[Out]) -> Result<(), ExportError>;
    fn finish(self: Box<Self>) -> Result<(), ExportError>;
}

fn write_error(what: &str, e: impl fmt::Display) -> ExportError {
    ExportError::Write(format!("写入 {what} 失败：{e}"))
}

fn open(to: Destination) -> Result<Box<dyn Write + Send>, ExportError> {
    match to {
        Destination::Writer(w) => Ok(Box::new(std::io::BufWriter::new(w))),
        Destination::File(path) => std::fs::File::create(&path)
            .map(|f| Box::new(std::io::BufWriter::new(f)) as Box<dyn Write + Send>)
            .map_err(|e| ExportError::Write(format!("无法创建输出文件 {}：{e}", path.display()))),
    }
}

struct CsvSink {
    w: csv::Writer<Box<dyn Write + Send>>,
}

impl CsvSink {
    fn new(to: Destination) -> Result<CsvSink, ExportError> {
        let mut out = open(to)?;
        // A BOM so that Excel opens the UTF-8 file as UTF-8.
        out.write_all("\u{feff}".as_bytes())
            .map_err(|e| write_error("CSV", e))?;
        Ok(CsvSink {
            w: csv::Writer::from_writer(out),
        })
    }
}

impl Sink for CsvSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), ExportError> {
        self.w
            .write_record(cols.iter().map(|c| c.name.as_str()))
            .map_err(|e| write_error("CSV", e))
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), ExportError> {
        self.w
            .write_record(vals.iter().map(Out::csv))
            .map_err(|e| write_error("CSV", e))
    }
    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        self.w.flush().map_err(|e| write_error("CSV", e))
    }
}

/// A JSON array of objects, streamed. Columns from `nest_from` on go into a nested
/// `cells` object (the spec's machine form for wide rows).
struct JsonSink {
    out: Box<dyn Write + Send>,
    names: Vec<String>,
    nest_from: Option<usize>,
    first: bool,
}

impl Sink for JsonSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), ExportError> {
        self.names = cols.iter().map(|c| c.name.clone()).collect();
        self.out.write_all(b"[").map_err(|e| write_error("JSON", e))
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), ExportError> {
        let mut obj = serde_json::Map::new();
        let mut cells = serde_json::Map::new();
        for (i, (name, v)) in self.names.iter().zip(vals).enumerate() {
            if self.nest_from.is_some_and(|n| i >= n) {
                cells.insert(name.clone(), v.json());
            } else {
                obj.insert(name.clone(), v.json());
            }
        }
        if self.nest_from.is_some() {
            obj.insert("cells".into(), serde_json::Value::Object(cells));
        }
        let sep: &[u8] = if self.first { b"\n" } else { b",\n" };
        self.first = false;
        self.out
            .write_all(sep)
            .and_then(|_| serde_json::to_writer(&mut self.out, &obj).map_err(std::io::Error::other))
            .map_err(|e| write_error("JSON", e))
    }
    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        self.out
            .write_all(b"\n]\n")
            .and_then(|_| self.out.flush())
            .map_err(|e| write_error("JSON", e))
    }
}

/// XLSX with constant memory: rows are streamed to a temporary file; past Excel's row
/// limit the data continues on a new sheet with the same header.
struct XlsxSink {
    book: rust_xlsxwriter::Workbook,
    to: Option<Destination>,
    sheet_name: String,
    header: Vec<String>,
    sheets: usize,
    row: u32,
    bold: rust_xlsxwriter::Format,
}

const XLSX_MAX_ROWS: u32 = 1_048_576;

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ExportError {
    write_error("XLSX", e)
}

impl XlsxSink {
    fn new(to: Destination, sheet_name: &str) -> XlsxSink {
        XlsxSink {
            book: rust_xlsxwriter::Workbook::new(),
            to: Some(to),
            sheet_name: sheet_name.into(),
            header: Vec::new(),
            sheets: 0,
            row: 0,
            bold: rust_xlsxwriter::Format::new().set_bold(),
        }
    }

    fn new_sheet(&mut self) -> Result<(), ExportError> {
        self.sheets += 1;
        let name = if self.sheets == 1 {
            self.sheet_name.clone()
        } else {
            format!("{}{}", self.sheet_name, self.sheets)
        };
        let header = self.header.clone();
        let bold = self.bold.clone();
        let ws = self
            .book
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        ws.set_name(&name).map_err(xlsx_error)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        self.row = 1;
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), ExportError> {
        if cols.len() > 16_384 {
            return Err(ExportError::Write("列数超过 XLSX 的上限 16384".into()));
        }
        self.header = cols.iter().map(|c| c.zh.clone()).collect();
        self.new_sheet()
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), ExportError> {
        if self.row >= XLSX_MAX_ROWS {
            self.new_sheet()?;
        }
        let r = self.row;
        let ws = self
            .book
            .worksheets_mut()
            .last_mut()
            .ok_or_else(|| ExportError::Write("写入 XLSX 失败：没有工作表".into()))?;
        for (c, v) in vals.iter().enumerate() {
            let c = c as u16;
            let res = match v {
                Out::Null => continue,
                Out::Str(s) if s.is_empty() => continue,
                Out::Str(s) => ws.write_string(r, c, s).map(|_| ()),
                Out::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                Out::Num(s) => match exact_f64(s) {
                    Some(f) => ws.write_number(r, c, f).map(|_| ()),
                    None => ws.write_string(r, c, s).map(|_| ()),
                },
                Out::NotApplicable => ws.write_string(r, c, "/").map(|_| ()),
            };
            res.map_err(xlsx_error)?;
        }
        self.row += 1;
        Ok(())
    }
    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        if self.sheets == 0 {
            self.book.add_worksheet();
        }
        match self.to.take() {
            Some(Destination::File(path)) => self
                .book
                .save(&path)
                .map_err(|e| ExportError::Write(format!("无法保存 {}：{e}", path.display()))),
            Some(Destination::Writer(w)) => {
                let mut w = std::io::BufWriter::new(w);
                self.book.save_to_writer(&mut w).map_err(xlsx_error)?;
                w.flush().map_err(|e| write_error("XLSX", e))
            }
            None => Ok(()),
        }
    }
}

const PAGE: i64 = 500;
/// source, agency, year, template: the columns before the cells in wide rows.
const REPORT_COLUMNS: usize = 4;

fn report_cols() -> Vec<Col> {
    vec![
        col("source", "来源文件"),
        col("agency", "机关"),
        col("year", "年度"),
        col("template", "模板"),
    ]
}

fn report_vals(r: &ReportRow) -> Vec<Out> {
    vec![
        Out::Str(r.member.clone()),
        Out::opt(r.agency.clone()),
        r.year.map(Out::Int).unwrap_or(Out::Null),
        Out::Str(r.template.clone()),
    ]
}

/// One page of reports with their cells, in id order, after report id `after`.
async fn reports_page(
    store: &Store,
    after: i64,
) -> Result<Vec<(ReportRow, Vec<CellRow>)>, StoreError> {
    let reports = store.reports_after(after, PAGE).await?;
    let (Some(first), Some(last)) = (reports.first(), reports.last()) else {
        return Ok(Vec::new());
    };
    let mut by_report: HashMap<i64, Vec<CellRow>> = HashMap::new();
    for c in store.cells_of_range(first.id, last.id).await? {
        by_report.entry(c.report_id).or_default().push(c);
    }
    Ok(reports
        .into_iter()
        .map(|r| {
            let cells = by_report.remove(&r.id).unwrap_or_default();
            (r, cells)
        })
        .collect())
}

/// Position of a key in the standard's order (unknown keys last).
fn key_order() -> HashMap<&'static str, usize> {
    template::all_cells()
        .iter()
        .enumerate()
        .map(|(i, d)| (d.key, i))
        .collect()
}

fn label_of(key: &str) -> String {
    match template::cell(key) {
        Some(d) => format!("{} {}", d.row_label, d.column_label),
        None => key.to_string(),
    }
}

async fn export_long(store: &Store, sink: &mut dyn Sink) -> Result<usize, ExportError> {
    let mut cols = report_cols();
    cols.extend([
        col("key", "单元格"),
        col("value", "数值"),
        col("kind", "类型"),
        col("raw", "原文"),
        col("unit", "单位"),
        col("note", "备注"),
        col("label", "栏目"),
    ]);
    sink.header(&cols)?;
    let order = key_order();
    let mut n = 0;
    let mut after = 0;
    loop {
        let page = reports_page(store, after).await?;
        let Some((last, _)) = page.last() else {
            return Ok(n);
        };
        after = last.id;
        for (r, mut cells) in page {
            cells.sort_by_key(|c| {
                (
                    order.get(c.key.as_str()).copied().unwrap_or(usize::MAX),
                    c.key.clone(),
                )
            });
            let head = report_vals(&r);
            for c in cells {
                let mut row = head.clone();
                let label = label_of(&c.key);
                let value = Out::of_cell(&c);
                row.extend([
                    Out::Str(c.key),
                    value,
                    Out::Str(c.kind),
                    Out::Str(c.raw),
                    Out::opt(c.unit),
                    Out::opt(c.note),
                    Out::Str(label),
                ]);
                sink.row(&row)?;
                n += 1;
            }
        }
    }
}

async fn export_wide(store: &Store, sink: &mut dyn Sink) -> Result<usize, ExportError> {
    let templates: Vec<gongkai_report::TemplateId> = store
        .templates()
        .await?
        .iter()
        .filter_map(|t| gongkai_report::TemplateId::parse(t))
        .collect();
    let keys: Vec<&'static template::CellDef> = template::all_cells()
        .iter()
        .filter(|d| templates.iter().any(|t| d.in_template(*t)))
        .collect();
    let mut cols = report_cols();
    cols.extend(keys.iter().map(|d| Col {
        name: d.key.to_string(),
        zh: format!("{} {}", d.row_label, d.column_label),
    }));
    sink.header(&cols)?;
    let index: HashMap<&str, usize> = keys.iter().enumerate().map(|(i, d)| (d.key, i)).collect();
    let mut n = 0;
    let mut after = 0;
    loop {
        let page = reports_page(store, after).await?;
        let Some((last, _)) = page.last() else {
            return Ok(n);
        };
        after = last.id;
        for (r, cells) in page {
            let mut row = report_vals(&r);
            let mut values = vec![Out::Null; keys.len()];
            for c in &cells {
                if let Some(&i) = index.get(c.key.as_str()) {
                    values[i] = Out::of_cell(c);
                }
            }
            row.extend(values);
            sink.row(&row)?;
            n += 1;
        }
    }
}

async fn export_findings(store: &Store, sink: &mut dyn Sink) -> Result<usize, ExportError> {
    let cols = vec![
        col("source", "来源文件"),
        col("agency", "机关"),
        col("year", "年度"),
        col("rule", "规则"),
        col("severity", "严重程度"),
        col("status", "状态"),
        col("cells", "涉及单元格"),
        col("expected", "应为"),
        col("actual", "实为"),
        col("message", "说明"),
        col("prev_report", "上年报告编号"),
        col("report", "报告编号"),
    ];
    sink.header(&cols)?;
    let mut after = 0;
    let mut n = 0;
    loop {
        let page = store.findings_after(after, 2000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for f in page {
            sink.row(&[
                Out::Str(f.member),
                Out::opt(f.agency),
                f.year.map(Out::Int).unwrap_or(Out::Null),
                Out::Str(f.rule),
                Out::Str(f.severity),
                Out::Str(f.status),
                Out::Str(f.cells),
                Out::opt(f.expected),
                Out::opt(f.actual),
                Out::Str(f.message),
                f.prev_report_id.map(Out::Int).unwrap_or(Out::Null),
                Out::Int(f.report_id),
            ])?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_zero_and_na_stay_apart() {
        assert_eq!(Out::Null.csv(), "");
        assert_eq!(Out::Num("0".into()).csv(), "0");
        assert_eq!(Out::NotApplicable.csv(), "n/a");
        assert_eq!(Out::Null.json(), serde_json::Value::Null);
        assert_eq!(Out::Num("0".into()).json(), serde_json::json!(0));
        assert_eq!(
            Out::Num("15954.526468".into()).json(),
            serde_json::json!(15954.526468)
        );
        assert_eq!(
            Out::Num("0.12345678901234567890".into()).json(),
            serde_json::json!("0.12345678901234567890")
        );
        assert_eq!(exact_f64("15954.526468"), Some(15954.526468));
        assert_eq!(exact_f64("0.12345678901234567890"), None);
    }
}
