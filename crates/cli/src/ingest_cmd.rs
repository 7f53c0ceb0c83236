//! `gongkai ingest …` (many files into one dataset) and `gongkai export …` (the dataset
//! as CSV / XLSX / JSON, long or wide, or its findings).

use crate::db::Db;
use crate::output::{Stdout, errln, out, stdout_failed};
use gongkai_dataset::{FileEvent, IngestOptions, IngestSummary, Outcome};
use gongkai_store::DEFAULT_DB;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
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
    pub paths: Vec<std::ffi::OsString>,
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
    /// 数据库无响应、连接中断或被其他程序锁定时，最多等待并重试的秒数；超过即中止（已入库的文件完整保存）
    #[arg(long, value_name = "秒", default_value_t = gongkai_dataset::DEFAULT_DB_PATIENCE.as_secs_f64())]
    pub db_wait: f64,
}

/// Said on standard error while the run waits for its database.
fn notice(message: &str) {
    errln!("{message}");
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
        db_patience: Duration::from_secs_f64(args.db_wait.max(0.0)),
        notice: Some(notice),
        ..defaults
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
            errln!("入库中止（数据库 {}）：{e}", shown_db(&args.db));
            errln!("已写入的文件完整保存；排除问题后重新运行同一命令即可继续。");
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
                let _ = gongkai_dataset::forget_run(&store, &run).await;
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

pub fn run_export(args: &ExportArgs) -> u8 {
    use gongkai_dataset::export::{Content, Destination, ExportError, Format};
    let to_stdout = args.output.as_os_str() == "-";
    if args.format == ExportFormat::Xlsx && to_stdout {
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
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Xlsx => Format::Xlsx,
        ExportFormat::Json => Format::Json,
    };
    let content = match (args.findings, args.shape) {
        (true, _) => Content::Findings,
        (false, Shape::Wide) => Content::Wide,
        (false, Shape::Long) => Content::Long,
    };
    let to = if to_stdout {
        Destination::Writer(Box::new(Stdout))
    } else {
        Destination::File(args.output.clone())
    };
    match db.run(gongkai_dataset::export::export(
        &db.store, format, content, to,
    )) {
        Ok(n) => {
            if !to_stdout {
                errln!("已导出 {n} 行到 {}", args.output.display());
            }
            0
        }
        // Standard output refused the rows: `output::finish` says why, once.
        Err(ExportError::Write(_)) if to_stdout && stdout_failed() => 2,
        Err(e) => {
            errln!("导出失败：{e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_twice() {
        assert_eq!(padded("读取成功", 8), "读取成功");
        assert_eq!(padded("失败", 6), "失败  ");
    }
}
