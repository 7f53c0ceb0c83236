//! `gongkai ingest …` (many files into one dataset) and `gongkai export …` (the dataset
//! as CSV / XLSX / JSON, long or wide, or its findings).

use crate::db::Db;
use crate::output::{Stdout, errln, out, stdout_failed};
use gongkai_dataset::{FileEvent, IngestOptions, IngestSummary, Outcome};
use gongkai_report::template;
use gongkai_store::{CellRow, DEFAULT_DB, ReportRow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

#[derive(clap::Args)]
#[command(after_help = "\
数据库：默认在当前目录建立 SQLite 文件 gongkai.db；也可用 --db 指定其他文件，\
或 PostgreSQL 地址（须写明用户名），例如 postgres://postgres@127.0.0.1:5432/gongkai。\n\
每个文件以内容（sha256）识别：再次运行会跳过已入库的文件，中断后重跑即可续读。\n\
退出码：0 全部读取成功；1 有文件读取失败（已记录原因，其余照常入库）；2 无法运行（如数据库无法打开）。")]
pub struct IngestArgs {
    /// 要读取的文件、目录（递归读取）或通配符（如 "年报/**/*.html"）
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// 数据库：SQLite 文件路径，或 postgres://用户@主机:端口/库名
    #[arg(long, default_value = DEFAULT_DB, value_name = "FILE|URL")]
    pub db: String,
    /// 并行读取的线程数（默认：CPU 核数）
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// 重新读取以前读取失败的文件（例如读取程序更新之后）
    #[arg(long)]
    pub retry_failed: bool,
    /// 单个文件的读取时限（秒）；超时的文件记为失败，其余照常读取。0 表示不限
    #[arg(long, value_name = "秒", default_value_t = gongkai_dataset::DEFAULT_TIMEOUT.as_secs_f64())]
    pub timeout: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// 长表：每个单元格一行（来源、机关、年度、模板、单元格、数值、类型、原文）
    Long,
    /// 宽表：每份报告一行，每个单元格一列
    Wide,
}

#[derive(clap::Args)]
#[command(after_help = "\
空白与 0 在所有格式中都保持区别：空白导出为空单元格（JSON 为 null），\
“不适用”在 XLSX 中为 /，在 CSV 和 JSON 中为 n/a。CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开。")]
pub struct ExportArgs {
    /// 数据库：SQLite 文件路径，或 postgres://用户@主机:端口/库名
    #[arg(long, default_value = DEFAULT_DB, value_name = "FILE|URL")]
    pub db: String,
    /// 导出格式
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// 数据形状：long 长表（默认）或 wide 宽表
    #[arg(long, value_enum, default_value = "long")]
    pub shape: Shape,
    /// 导出校验发现（规则、严重程度、涉及单元格、说明），而不是单元格数据
    #[arg(long)]
    pub findings: bool,
    /// 输出文件（CSV、JSON 可用 - 表示标准输出）
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
}

// ---------------------------------------------------------------------------------------
// ingest

pub fn run_ingest(args: &IngestArgs) -> u8 {
    let gongkai_dataset::Inputs {
        files,
        missing,
        refused,
    } = gongkai_dataset::collect_inputs(&args.paths);
    for m in &missing {
        errln!("找不到：{m}（既不是文件、目录，也没有匹配的通配符）");
    }
    for (path, cause) in &refused {
        errln!("无法读取：{path}：{cause}");
    }
    if files.is_empty() {
        errln!("没有可读取的文件。");
        return 2;
    }
    let db = match Db::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            errln!("{e}");
            return 2;
        }
    };
    let defaults = IngestOptions::default();
    let opts = IngestOptions {
        jobs: args.jobs.unwrap_or(defaults.jobs).max(1),
        retry_failed: args.retry_failed,
        timeout: (args.timeout > 0.0).then(|| Duration::from_secs_f64(args.timeout)),
        run: defaults.run,
    };
    stop_cleanly_on_signals(&db, &opts.run);

    let bar = progress_bar(files.len() as u64);
    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    let (mut skipped, mut not_documents, mut failed) = (0usize, 0usize, 0usize);
    let mut failures: Vec<(String, String)> = Vec::new();
    let result =
        gongkai_dataset::ingest(db.handle(), &db.store, &files, &opts, |ev: &FileEvent| {
            match &ev.outcome {
                Outcome::Skipped => skipped += 1,
                Outcome::NotDocument => not_documents += 1,
                Outcome::Unreadable { cause } => {
                    failed += 1;
                    failures.push((ev.path.clone(), cause.clone()));
                }
                Outcome::Failed { failures: f } => {
                    failed += 1;
                    for x in f {
                        failures.push((x.member.clone(), x.cause.clone()));
                    }
                }
                Outcome::Stored { failures: f, .. } => {
                    for x in f {
                        failures.push((x.member.clone(), x.cause.clone()));
                    }
                }
            }
            if let Some(fmt) = ev.format {
                *formats.entry(fmt.to_string()).or_default() += 1;
            }
            let mut msg: Vec<String> = formats.iter().map(|(k, v)| format!("{k} {v}")).collect();
            if skipped > 0 {
                msg.push(format!("跳过 {skipped}"));
            }
            if not_documents > 0 {
                msg.push(format!("非文档 {not_documents}"));
            }
            if failed > 0 {
                msg.push(format!("失败 {failed}"));
            }
            bar.set_message(msg.join(" · "));
            bar.inc(1);
        });
    bar.finish_and_clear();
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            errln!("入库中止：{e}");
            errln!("已写入的文件完整保存；修复问题后重新运行同一命令即可继续。");
            return 2;
        }
    };
    if !missing.is_empty() {
        summary.files += missing.len();
        summary.failed += missing.len();
        *summary
            .failed_by_cause
            .entry("找不到文件".into())
            .or_default() += missing.len();
    }
    // Met in folders but not files (named pipes, links to nothing, closed folders):
    // listed with the failures, not stored (they have no content to know them by).
    if !refused.is_empty() {
        summary.files += refused.len();
        summary.failed += refused.len();
        *summary
            .failed_by_cause
            .entry("无法读取（非普通文件或无权限）".into())
            .or_default() += refused.len();
        failures.extend(refused.iter().cloned());
    }
    print_summary(&args.db, &summary, &db);
    if !failures.is_empty() {
        errln!("读取失败的文件：");
        for (path, cause) in failures.iter().take(20) {
            errln!("  {path}：{cause}");
        }
        if failures.len() > 20 {
            errln!(
                "  ……另有 {} 个（原因已记入数据库 sources 表）",
                failures.len() - 20
            );
        }
    }
    if !summary.crashed_before.is_empty() {
        errln!("上次运行读取以下文件时程序异常终止，已记为失败，本次不再读取：");
        for path in &summary.crashed_before {
            errln!("  {path}");
        }
    }
    if summary.failed > 0 || !summary.crashed_before.is_empty() {
        1
    } else {
        0
    }
}

/// Ctrl-C or a termination request stops the run; the files being read at that moment
/// were not at fault, so this run's reading notes are removed (otherwise a later run
/// would take them for files whose reading crashed the program). The notes of other
/// runs at work on the same database are theirs and stay.
fn stop_cleanly_on_signals(db: &Db, run: &str) {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
        let store = db.store.clone();
        let run = run.to_string();
        let Ok(mut stream) = db.handle().block_on(async { signal(kind) }) else {
            continue;
        };
        db.handle().spawn(async move {
            if stream.recv().await.is_some() {
                let _ = store.clear_readings(&run).await;
                errln!("\n已中断：已入库的文件完整保存，重新运行同一命令即可继续。");
                std::process::exit(130);
            }
        });
    }
}

fn progress_bar(len: u64) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len} 个文件 {per_sec} 剩余 {eta}\n  {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn padded(s: &str, w: usize) -> String {
    // Terminal columns: CJK and full-width characters take two.
    format!("{s}{}", " ".repeat(w.saturating_sub(s.width())))
}

fn print_summary(target: &str, s: &IngestSummary, db: &Db) {
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        out.push_str(&format!("  {}{value}\n", padded(label, 20)));
    };
    out.push_str(&format!("入库结果（{}）\n", shown_db(target)));
    line(&mut out, "文件数", s.files.to_string());
    line(
        &mut out,
        "读取成功",
        format!("{} 个文件，报告 {} 份", s.stored, s.reports),
    );
    line(&mut out, "已在库中（跳过）", s.skipped.to_string());
    line(&mut out, "跳过（非文档）", s.not_documents.to_string());
    if !s.crashed_before.is_empty() {
        line(
            &mut out,
            "上次读取时异常终止",
            format!("{}（已记为失败）", s.crashed_before.len()),
        );
    }
    line(&mut out, "失败", s.failed.to_string());
    if !s.failed_by_cause.is_empty() {
        out.push_str("  失败按原因：\n");
        let mut causes: Vec<(&String, &usize)> = s.failed_by_cause.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (cause, n) in causes {
            out.push_str(&format!("    {}{n}\n", padded(cause, 32)));
        }
    }
    line(&mut out, "有错误的报告", s.reports_with_errors.to_string());
    if !s.by_format.is_empty() {
        let f: Vec<String> = s
            .by_format
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        line(&mut out, "按格式", f.join(" · "));
    }
    line(
        &mut out,
        "跨年度校验发现",
        format!("{} 处（上年结转、现行有效件数）", s.cross_year_findings),
    );
    if let Ok(t) = db.run(db.store.totals()) {
        line(
            &mut out,
            "库中合计",
            format!(
                "文件 {}（失败 {}），报告 {}，有错误的报告 {}，校验发现 {}",
                t.sources, t.sources_failed, t.reports, t.reports_with_errors, t.findings
            ),
        );
    }
    out!("{out}");
}

/// The database as shown to the user: a PostgreSQL URL without its password.
fn shown_db(db: &str) -> String {
    match db.split_once("://") {
        Some((scheme, rest)) if rest.contains('@') => {
            let (userinfo, host) = rest.rsplit_once('@').unwrap_or(("", rest));
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        _ => db.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// export

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

trait Sink {
    fn header(&mut self, cols: &[Col]) -> Result<(), String>;
    fn row(&mut self, vals: &[Out]) -> Result<(), String>;
    fn finish(self: Box<Self>) -> Result<(), String>;
}

fn open_out(path: &PathBuf) -> Result<Box<dyn Write>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::new(Stdout)));
    }
    File::create(path)
        .map(|f| Box::new(BufWriter::new(f)) as Box<dyn Write>)
        .map_err(|e| format!("无法创建输出文件 {}：{e}", path.display()))
}

struct CsvSink {
    w: csv::Writer<Box<dyn Write>>,
}

impl CsvSink {
    fn new(path: &PathBuf) -> Result<CsvSink, String> {
        let mut out = open_out(path)?;
        // A BOM so that Excel opens the UTF-8 file as UTF-8.
        out.write_all("\u{feff}".as_bytes())
            .map_err(|e| format!("写入失败：{e}"))?;
        Ok(CsvSink {
            w: csv::Writer::from_writer(out),
        })
    }
}

impl Sink for CsvSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), String> {
        self.w
            .write_record(cols.iter().map(|c| c.name.as_str()))
            .map_err(|e| format!("写入 CSV 失败：{e}"))
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), String> {
        self.w
            .write_record(vals.iter().map(Out::csv))
            .map_err(|e| format!("写入 CSV 失败：{e}"))
    }
    fn finish(mut self: Box<Self>) -> Result<(), String> {
        self.w.flush().map_err(|e| format!("写入 CSV 失败：{e}"))
    }
}

/// A JSON array of objects, streamed. Columns from `nest_from` on go into a nested
/// `cells` object (the spec's machine form for wide rows).
struct JsonSink {
    out: Box<dyn Write>,
    names: Vec<String>,
    nest_from: Option<usize>,
    first: bool,
}

impl Sink for JsonSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), String> {
        self.names = cols.iter().map(|c| c.name.clone()).collect();
        self.out
            .write_all(b"[")
            .map_err(|e| format!("写入 JSON 失败：{e}"))
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), String> {
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
            .map_err(|e| format!("写入 JSON 失败：{e}"))
    }
    fn finish(mut self: Box<Self>) -> Result<(), String> {
        self.out
            .write_all(b"\n]\n")
            .and_then(|_| self.out.flush())
            .map_err(|e| format!("写入 JSON 失败：{e}"))
    }
}

/// XLSX with constant memory: rows are streamed to disk; past Excel's row limit the
/// data continues on a new sheet with the same header.
struct XlsxSink {
    book: rust_xlsxwriter::Workbook,
    path: PathBuf,
    sheet_name: String,
    header: Vec<String>,
    sheets: usize,
    row: u32,
    bold: rust_xlsxwriter::Format,
}

const XLSX_MAX_ROWS: u32 = 1_048_576;

impl XlsxSink {
    fn new(path: &PathBuf, sheet_name: &str) -> XlsxSink {
        XlsxSink {
            book: rust_xlsxwriter::Workbook::new(),
            path: path.clone(),
            sheet_name: sheet_name.into(),
            header: Vec::new(),
            sheets: 0,
            row: 0,
            bold: rust_xlsxwriter::Format::new().set_bold(),
        }
    }

    fn new_sheet(&mut self) -> Result<(), String> {
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
            .map_err(|e| format!("写入 XLSX 失败：{e}"))?;
        ws.set_name(&name)
            .map_err(|e| format!("写入 XLSX 失败：{e}"))?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(|e| format!("写入 XLSX 失败：{e}"))?;
        }
        ws.set_freeze_panes(1, 0)
            .map_err(|e| format!("写入 XLSX 失败：{e}"))?;
        self.row = 1;
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn header(&mut self, cols: &[Col]) -> Result<(), String> {
        if cols.len() > 16_384 {
            return Err("列数超过 XLSX 的上限 16384".into());
        }
        self.header = cols.iter().map(|c| c.zh.clone()).collect();
        self.new_sheet()
    }
    fn row(&mut self, vals: &[Out]) -> Result<(), String> {
        if self.row >= XLSX_MAX_ROWS {
            self.new_sheet()?;
        }
        let r = self.row;
        let ws = self
            .book
            .worksheets_mut()
            .last_mut()
            .ok_or("写入 XLSX 失败：没有工作表")?;
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
            res.map_err(|e| format!("写入 XLSX 失败：{e}"))?;
        }
        self.row += 1;
        Ok(())
    }
    fn finish(mut self: Box<Self>) -> Result<(), String> {
        if self.sheets == 0 {
            self.book.add_worksheet();
        }
        self.book
            .save(&self.path)
            .map_err(|e| format!("无法保存 {}：{e}", self.path.display()))
    }
}

pub fn run_export(args: &ExportArgs) -> u8 {
    if args.format == ExportFormat::Xlsx && args.output.as_os_str() == "-" {
        errln!("XLSX 不能写到标准输出，请用 -o 指定文件名。");
        return 2;
    }
    // Export only reads: a mistyped --db is said, not created empty.
    let db = match Db::open_existing(&args.db) {
        Ok(s) => s,
        Err(e) => {
            errln!("{e}");
            return 2;
        }
    };
    let sheet = if args.findings {
        "校验发现"
    } else {
        "数据"
    };
    let nest = !args.findings && args.shape == Shape::Wide;
    let sink: Result<Box<dyn Sink>, String> = match args.format {
        ExportFormat::Csv => CsvSink::new(&args.output).map(|s| Box::new(s) as Box<dyn Sink>),
        ExportFormat::Json => open_out(&args.output).map(|out| {
            Box::new(JsonSink {
                out,
                names: Vec::new(),
                nest_from: nest.then_some(REPORT_COLUMNS),
                first: true,
            }) as Box<dyn Sink>
        }),
        ExportFormat::Xlsx => Ok(Box::new(XlsxSink::new(&args.output, sheet)) as Box<dyn Sink>),
    };
    let mut sink = match sink {
        Ok(s) => s,
        Err(e) => {
            errln!("{e}");
            return 2;
        }
    };
    let result = if args.findings {
        export_findings(&db, sink.as_mut())
    } else if args.shape == Shape::Wide {
        export_wide(&db, sink.as_mut())
    } else {
        export_long(&db, sink.as_mut())
    };
    let result = result.and_then(|n| sink.finish().map(|_| n));
    match result {
        Ok(n) => {
            if args.output.as_os_str() != "-" {
                errln!("已导出 {n} 行到 {}", args.output.display());
            }
            0
        }
        // Standard output refused the rows: `output::finish` says why, once.
        Err(_) if args.output.as_os_str() == "-" && stdout_failed() => 2,
        Err(e) => {
            errln!("导出失败：{e}");
            2
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

/// Pages through the reports with their cells, in id order.
fn for_each_report(
    db: &Db,
    mut f: impl FnMut(&ReportRow, &mut Vec<CellRow>) -> Result<(), String>,
) -> Result<(), String> {
    let mut after = 0;
    loop {
        let reports = db
            .run(db.store.reports_after(after, PAGE))
            .map_err(|e| e.to_string())?;
        let (Some(first), Some(last)) = (reports.first(), reports.last()) else {
            return Ok(());
        };
        let cells = db
            .run(db.store.cells_of_range(first.id, last.id))
            .map_err(|e| e.to_string())?;
        let mut by_report: HashMap<i64, Vec<CellRow>> = HashMap::new();
        for c in cells {
            by_report.entry(c.report_id).or_default().push(c);
        }
        for r in &reports {
            let mut cells = by_report.remove(&r.id).unwrap_or_default();
            f(r, &mut cells)?;
        }
        after = last.id;
    }
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

fn export_long(db: &Db, sink: &mut dyn Sink) -> Result<usize, String> {
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
    for_each_report(db, |r, cells| {
        cells.sort_by_key(|c| {
            (
                order.get(c.key.as_str()).copied().unwrap_or(usize::MAX),
                c.key.clone(),
            )
        });
        let head = report_vals(r);
        for c in cells.iter() {
            let mut row = head.clone();
            row.extend([
                Out::Str(c.key.clone()),
                Out::of_cell(c),
                Out::Str(c.kind.clone()),
                Out::Str(c.raw.clone()),
                Out::opt(c.unit.clone()),
                Out::opt(c.note.clone()),
                Out::Str(label_of(&c.key)),
            ]);
            sink.row(&row)?;
            n += 1;
        }
        Ok(())
    })?;
    Ok(n)
}

fn export_wide(db: &Db, sink: &mut dyn Sink) -> Result<usize, String> {
    let templates: Vec<gongkai_report::TemplateId> = db
        .run(db.store.templates())
        .map_err(|e| e.to_string())?
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
    for_each_report(db, |r, cells| {
        let mut row = report_vals(r);
        let mut values = vec![Out::Null; keys.len()];
        for c in cells.iter() {
            if let Some(&i) = index.get(c.key.as_str()) {
                values[i] = Out::of_cell(c);
            }
        }
        row.extend(values);
        sink.row(&row)?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

fn export_findings(db: &Db, sink: &mut dyn Sink) -> Result<usize, String> {
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
        let page = db
            .run(db.store.findings_after(after, 2000))
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for f in &page {
            sink.row(&[
                Out::Str(f.member.clone()),
                Out::opt(f.agency.clone()),
                f.year.map(Out::Int).unwrap_or(Out::Null),
                Out::Str(f.rule.clone()),
                Out::Str(f.severity.clone()),
                Out::Str(f.status.clone()),
                Out::Str(f.cells.clone()),
                Out::opt(f.expected.clone()),
                Out::opt(f.actual.clone()),
                Out::Str(f.message.clone()),
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
    }

    #[test]
    fn widths_count_cjk_twice() {
        assert_eq!(padded("读取成功", 8), "读取成功");
        assert_eq!(padded("失败", 6), "失败  ");
    }
}
