//! `gongkai cases …` and `gongkai calendar …`: files in, the cases library, text out.
//!
//! Exit codes: 0 done; 1 done, but some deadlines could not be computed (calendar
//! not covering a date); 2 bad input (file, arguments, event log).

use crate::input;
use crate::output::{errln, out, outln};
use gongkai_cases::{Calendar, Deadline, NaiveDate, Registry, Template, YearReport};
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

#[derive(clap::Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    pub command: CasesCommand,
}

#[derive(clap::Subcommand)]
pub enum CasesCommand {
    /// 由办件事件记录（JSONL）生成某年度年报的表三、表四（JSON）
    Report(ReportArgs),
    /// 列出某日尚未办结的案件及其期限，按紧迫程度排序
    Due(DueArgs),
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// 事件记录文件（JSONL，每行一个事件）
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// 报告年度
    #[arg(long)]
    pub year: i32,
    /// 年报格式：2019（试行格式）或 2021；默认按年度选择
    #[arg(long, value_name = "2019|2021")]
    pub template: Option<String>,
    /// 机关名称
    #[arg(long, value_name = "NAME")]
    pub agency: Option<String>,
    /// 补充的节假日安排文件（TSV，格式同内置数据）
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct DueArgs {
    /// 事件记录文件（JSONL，每行一个事件）
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// 查询日期（YYYY-MM-DD）；只计入此日及以前的事件
    #[arg(long, value_name = "DATE")]
    pub at: String,
    /// 补充的节假日安排文件（TSV，格式同内置数据）
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<PathBuf>,
    /// 输出格式：table（表格）或 json
    #[arg(long, default_value = "table", value_name = "table|json")]
    pub format: String,
}

#[derive(clap::Args)]
pub struct CalendarArgs {
    #[command(subcommand)]
    pub command: CalendarCommand,
}

#[derive(clap::Subcommand)]
pub enum CalendarCommand {
    /// 计算某日之后第 N 个工作日（起始日不计入）
    Add {
        /// 起始日期（YYYY-MM-DD），如收到申请之日
        date: String,
        /// 工作日数
        n: u32,
        /// 补充的节假日安排文件（TSV，格式同内置数据）
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
    },
}

/// An error for the user, already in Chinese; exit code 2.
struct Fail(String);

pub fn run_cases(args: &CasesArgs) -> u8 {
    let result = match &args.command {
        CasesCommand::Report(a) => report(a),
        CasesCommand::Due(a) => due(a),
    };
    finish(result)
}

pub fn run_calendar(args: &CalendarArgs) -> u8 {
    let result = match &args.command {
        CalendarCommand::Add { date, n, holidays } => calendar_add(date, *n, holidays.as_deref()),
    };
    finish(result)
}

fn finish(result: Result<u8, Fail>) -> u8 {
    match result {
        Ok(code) => code,
        Err(Fail(msg)) => {
            errln!("错误：{msg}");
            2
        }
    }
}

fn parse_date(s: &str, what: &str) -> Result<NaiveDate, Fail> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Fail(format!("{what}「{s}」无效，应为 YYYY-MM-DD 格式的真实日期")))
}

fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, Fail> {
    let bytes = input::read_path(path, limit).map_err(|e| {
        Fail(format!(
            "无法读取{what} {}：{}",
            path.display(),
            input::cause(&e)
        ))
    })?;
    String::from_utf8(bytes)
        .map_err(|_| Fail(format!("{what} {} 不是 UTF-8 编码的文本", path.display())))
}

fn calendar(holidays: Option<&Path>) -> Result<Calendar, Fail> {
    let mut cal = Calendar::builtin();
    if let Some(path) = holidays {
        let text = read_text(path, "节假日文件", input::MAX_TEXT)?;
        cal.load_tsv(&text)
            .map_err(|e| Fail(format!("{}：{e}", path.display())))?;
    }
    Ok(cal)
}

/// The longest line an event log may have: an event takes a few hundred bytes.
const MAX_EVENT_LINE: u64 = 1 << 20;

/// Error messages of an event log kept to be shown; the rest are counted.
const SHOWN: usize = 20;

/// The errors of an event log: the first [`SHOWN`] in full, and how many in all.
#[derive(Default)]
struct LogErrors {
    shown: Vec<String>,
    total: usize,
}

impl LogErrors {
    fn push(&mut self, message: impl FnOnce() -> String) {
        self.total += 1;
        if self.shown.len() < SHOWN {
            self.shown.push(message());
        }
    }
}

/// Loads the event log line by line, applying each event as it is read: memory holds
/// the cases, never the file or its list of events (a log of a million events needs
/// the memory of its cases only). Bad lines are listed with their numbers; while one
/// line cannot be read as an event, the steps are not applied (they would only fail
/// for want of that one), so the log's own errors are what is listed.
fn registry(path: &Path, cal: Calendar, until: Option<NaiveDate>) -> Result<Registry, Fail> {
    use std::io::{BufRead, Read};
    let cannot = |cause: String| Fail(format!("无法读取事件记录文件 {}：{cause}", path.display()));
    let io = |e: std::io::Error| cannot(input::cause(&gongkai_extract::ReadError::from_io(&e)));
    // As every input: a folder or a FIFO is refused before it is opened.
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(cannot("这是一个文件夹，不是文件".into()));
    }
    if !meta.is_file() {
        return Err(cannot(
            "这不是普通文件（是命名管道、设备或套接字），请先把内容保存为文件再读取".into(),
        ));
    }
    let mut reader =
        std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path).map_err(io)?);
    let mut reg = Registry::new(cal);
    let (mut unreadable, mut refused) = (LogErrors::default(), LogErrors::default());
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_EVENT_LINE + 1)
            .read_until(b'\n', &mut buf)
            .map_err(io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if n as u64 > MAX_EVENT_LINE {
            return Err(cannot(format!(
                "第 {line_no} 行超过 {} KiB，不是一条事件记录",
                MAX_EVENT_LINE / 1024
            )));
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            unreadable.push(|| format!("第 {line_no} 行不是 UTF-8 编码的文本"));
            continue;
        };
        let line = text.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match gongkai_cases::parse_event_line(line) {
            Err(message) => unreadable.push(|| {
                gongkai_cases::LogError {
                    line: line_no,
                    message,
                }
                .to_string()
            }),
            Ok(ev) if unreadable.total > 0 || until.is_some_and(|u| ev.date() > u) => {}
            Ok(ev) => {
                if let Err(e) = reg.apply(ev) {
                    refused.push(|| format!("第 {line_no} 行：{e}"));
                }
            }
        }
    }
    match (unreadable.total, refused.total) {
        (0, 0) => Ok(reg),
        (0, _) => Err(log_failure(path, refused)),
        _ => Err(log_failure(path, unreadable)),
    }
}

fn log_failure(path: &Path, errors: LogErrors) -> Fail {
    let mut msg = format!(
        "事件记录文件 {} 有 {} 处错误：",
        path.display(),
        errors.total
    );
    for e in &errors.shown {
        msg.push_str("\n  ");
        msg.push_str(e);
    }
    if errors.total > errors.shown.len() {
        msg.push_str(&format!(
            "\n  ……另有 {} 处未列出",
            errors.total - errors.shown.len()
        ));
    }
    Fail(msg)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn report(a: &ReportArgs) -> Result<u8, Fail> {
    let template = match a.template.as_deref() {
        None => Template::for_year(a.year),
        Some(t) => Template::parse(t.trim())
            .ok_or_else(|| Fail(format!("年报格式「{t}」无效，应为 2019 或 2021")))?,
    };
    if !(2019..=9999).contains(&a.year) {
        return Err(Fail(format!(
            "年度 {} 无效：现行条例自 2019 年度起适用",
            a.year
        )));
    }
    if template != Template::for_year(a.year) {
        errln!(
            "提示：{} 年度应使用 {} 格式，现按 {} 格式输出",
            a.year,
            Template::for_year(a.year),
            template
        );
    }
    let reg = registry(&a.events, calendar(a.holidays.as_deref())?, None)?;
    let report = YearReport::from_cases(reg.cases(), a.year, template);
    let derived: std::collections::HashMap<String, u64> = report.cells().into_iter().collect();

    // Written by hand to keep the template's cell order.
    let mut out = String::new();
    out.push_str("{\n");
    out.push_str(&format!(
        "  \"source\": {},\n",
        json_str(&a.events.display().to_string())
    ));
    out.push_str(&format!(
        "  \"agency\": {},\n",
        a.agency.as_deref().map_or("null".to_owned(), json_str)
    ));
    out.push_str(&format!("  \"year\": {},\n", a.year));
    out.push_str(&format!("  \"template\": \"{}\",\n", template.id()));
    out.push_str("  \"cells\": {\n");
    let keys = gongkai_cases::report::all_keys(template);
    for (i, k) in keys.iter().enumerate() {
        let v = derived.get(k).map_or("null".to_owned(), |n| n.to_string());
        let comma = if i + 1 < keys.len() { "," } else { "" };
        out.push_str(&format!("    {}: {v}{comma}\n", json_str(k)));
    }
    out.push_str("  }\n}\n");
    out!("{out}");
    Ok(0)
}

fn due(a: &DueArgs) -> Result<u8, Fail> {
    let at = parse_date(&a.at, "查询日期")?;
    let json = match a.format.as_str() {
        "table" => false,
        "json" => true,
        other => return Err(Fail(format!("输出格式「{other}」无效，应为 table 或 json"))),
    };
    let reg = registry(&a.events, calendar(a.holidays.as_deref())?, Some(at))?;
    let mut rows: Vec<(&gongkai_cases::Case, Deadline)> = Vec::new();
    let mut failed: Vec<(&gongkai_cases::Case, String)> = Vec::new();
    for case in reg.cases().iter().filter(|c| c.is_open_on(at)) {
        match gongkai_cases::deadline(case, reg.calendar(), at) {
            Ok(d) => rows.push((case, d)),
            Err(e) => failed.push((case, e.to_string())),
        }
    }
    rows.sort_by(|x, y| {
        (x.1.working_days_left, x.1.next_due, &x.0.id).cmp(&(
            y.1.working_days_left,
            y.1.next_due,
            &y.0.id,
        ))
    });

    if json {
        let cases: Vec<serde_json::Value> = rows
            .iter()
            .map(|(c, d)| {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("applicant".into(), c.applicant.name.clone().into());
                    o.insert(
                        "applicant_kind".into(),
                        c.applicant.kind.column_key().into(),
                    );
                }
                v
            })
            .collect();
        let errors: Vec<serde_json::Value> = failed
            .iter()
            .map(|(c, e)| serde_json::json!({"case": c.id, "error": e}))
            .collect();
        let doc = serde_json::json!({"at": at.to_string(), "cases": cases, "errors": errors});
        outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print_due_table(at, &rows, &failed);
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

fn print_due_table(
    at: NaiveDate,
    rows: &[(&gongkai_cases::Case, Deadline)],
    failed: &[(&gongkai_cases::Case, String)],
) {
    if rows.is_empty() && failed.is_empty() {
        outln!("截至 {at} 没有未办结的案件。");
        return;
    }
    outln!(
        "截至 {at} 未办结案件 {} 件（按紧迫程度排序）",
        rows.len() + failed.len()
    );
    let header = [
        "案件编号",
        "申请人",
        "收到日期",
        "状态",
        "期限",
        "届满日",
        "剩余工作日",
        "备注",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for (c, d) in rows {
        let what = match &d.applicant_due {
            Some(a) => format!("申请人{}", a.what),
            None => "答复".to_owned(),
        };
        let left = if d.working_days_left < 0 {
            format!("逾期{}", -d.working_days_left)
        } else if d.working_days_left == 0 {
            "0（今日届满）".to_owned()
        } else {
            d.working_days_left.to_string()
        };
        let mut notes = Vec::new();
        if d.paused {
            notes.push("暂停计时".to_owned());
        }
        if let Some(e) = &c.extension {
            notes.push(format!("已延期{}日", e.working_days));
        }
        if c.correction
            .as_ref()
            .is_some_and(|x| x.supplemented.is_some())
        {
            notes.push("补正后重新起算".to_owned());
        }
        table.push(vec![
            c.id.clone(),
            c.applicant.name.clone(),
            c.receipt.to_string(),
            c.stage.label().to_owned(),
            what,
            d.next_due.to_string(),
            left,
            notes.join("，"),
        ]);
    }
    for (c, e) in failed {
        let _ = e;
        table.push(vec![
            c.id.clone(),
            c.applicant.name.clone(),
            c.receipt.to_string(),
            c.stage.label().to_owned(),
            "答复".to_owned(),
            "—".to_owned(),
            "—".to_owned(),
            "日历未覆盖，无法计算".to_owned(),
        ]);
    }
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| table.iter().map(|r| r[i].width()).max().unwrap_or(0))
        .collect();
    for (n, r) in table.iter().enumerate() {
        let mut line = String::new();
        for i in 0..cols {
            line.push_str(&r[i]);
            if i + 1 < cols {
                line.push_str(&" ".repeat(widths[i] - r[i].width() + 2));
            }
        }
        outln!("{}", line.trim_end());
        if n == 0 {
            outln!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (cols - 1))
            );
        }
    }
    outln!();
    outln!("期限说明：");
    for (_, d) in rows {
        outln!("  {}：{}", d.case, d.explanation);
    }
    for (c, e) in failed {
        outln!("  {}：{e}", c.id);
    }
}

fn calendar_add(date: &str, n: u32, holidays: Option<&Path>) -> Result<u8, Fail> {
    let d = parse_date(date, "日期")?;
    let cal = calendar(holidays)?;
    let due = cal
        .add_working_days(d, n)
        .map_err(|e| Fail(e.to_string()))?;
    outln!("{due}");
    Ok(0)
}
