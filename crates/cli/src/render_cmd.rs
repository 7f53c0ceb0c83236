//! `gongkai render`: writes a report, or the empty national template, in the
//! national format (DOCX / HTML / PDF / XLSX) or the machine forms (CSV / JSON).
//! The report is the spec's JSON, or any file the reader reads (a published PDF, a
//! Word or WPS file, a web page, text, a spreadsheet), its prose sections carried over.

use crate::input;
use crate::output::{Stdout, errln};
use gongkai_render::{Format, Options};
use gongkai_report::{Report, TemplateId};
use std::io::Write;
use std::path::Path;

#[derive(clap::Args)]
pub struct RenderArgs {
    /// 年报文件：已发布的年报（PDF、Word/WPS、网页、文本、电子表格），或年报数据 JSON（source、agency、year、template、cells，可选 sections）；“-” 表示标准输入
    #[arg(
        value_name = "REPORT",
        required_unless_present = "blank",
        conflicts_with = "blank"
    )]
    pub input: Option<String>,
    /// 生成空白的全国统一格式模板（2019 或 2021）
    #[arg(long, value_name = "2019|2021")]
    pub blank: Option<String>,
    /// 输出格式：docx、html、pdf、xlsx、csv、json（省略时按输出文件扩展名判断）
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<String>,
    /// 输出文件；“-” 表示标准输出
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: String,
    /// 空白单元格填 0（默认空白保持空白，0 保持 0，“不适用”印“/”）
    #[arg(long)]
    pub fill_blank_zero: bool,
    /// 校验发现错误时不生成文件（退出码 1）
    #[arg(long)]
    pub strict: bool,
}

/// Exit codes: 0 written, 1 refused by `--strict`, 2 bad input or output.
pub fn run_render(args: &RenderArgs) -> u8 {
    match run(args) {
        Ok(code) => code,
        Err(msg) => {
            errln!("错误：{msg}");
            2
        }
    }
}

fn run(args: &RenderArgs) -> Result<u8, String> {
    let format = match &args.format {
        Some(f) => Format::parse(f).ok_or_else(|| {
            format!("不支持的输出格式“{f}”，可选：docx、html、pdf、xlsx、csv、json")
        })?,
        None => Format::from_path(&args.output).ok_or_else(|| {
            format!(
                "无法从输出文件名“{}”判断格式，请用 --format 指定（docx、html、pdf、xlsx、csv、json）",
                args.output
            )
        })?,
    };
    let opts = Options {
        fill_blank_zero: args.fill_blank_zero,
    };

    let report = match (&args.blank, &args.input) {
        (Some(t), _) => {
            let template = TemplateId::parse(t)
                .ok_or_else(|| format!("--blank 的模板应为 2019 或 2021，而不是“{t}”"))?;
            gongkai_render::blank(template)
        }
        (None, Some(path)) => {
            let report = load(path)?;
            let printed = if opts.fill_blank_zero {
                gongkai_render::fill_blank_zero(&report)
            } else {
                report.clone()
            };
            let findings = gongkai_report::check(&printed);
            for f in &findings {
                errln!("{}［{}］{}", f.severity.chinese(), f.rule, f.message);
            }
            if gongkai_report::has_errors(&findings) {
                let n = findings
                    .iter()
                    .filter(|f| {
                        f.severity == gongkai_report::Severity::Error
                            && f.status == gongkai_report::Status::Failed
                    })
                    .count();
                if args.strict {
                    errln!("校验发现 {n} 处错误，按 --strict 要求未生成文件。");
                    return Ok(1);
                }
                errln!("校验发现 {n} 处错误，仍照原数据生成（加 --strict 可在有错误时拒绝生成）。");
            }
            report
        }
        (None, None) => {
            return Err(
                "请指定年报文件（已发布的年报或年报数据 JSON），或用 --blank 2019|2021 生成空白模板"
                    .into(),
            );
        }
    };

    let bytes = gongkai_render::render(&report, format, &opts).map_err(|e| e.to_string())?;
    if args.output == "-" {
        // A failure is said once, by `output::finish`.
        let _ = Stdout.write_all(&bytes);
    } else {
        std::fs::write(&args.output, &bytes)
            .map_err(|e| format!("无法写入 {}：{}", args.output, io_reason(&e)))?;
        errln!(
            "已生成 {}（{}，{} 字节）",
            args.output,
            format.name().to_uppercase(),
            bytes.len()
        );
    }
    Ok(0)
}

/// Reads a report from a file (or stdin for "-"): the spec's JSON when the file is a
/// JSON object, else whatever the reader reads. Errors name the file.
fn load(path: &str) -> Result<Report, String> {
    let shown = if path == "-" { "标准输入" } else { path };
    let bytes = input::read(path, gongkai_extract::MAX_INPUT_BYTES)
        .map_err(|e| format!("无法读取 {shown}：{}", input::cause(&e)))?;
    if !is_json(&bytes) {
        return read_published(shown, &bytes);
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{path} 不是 UTF-8 编码的文本"))?;
    let text = text.trim_start_matches('\u{FEFF}');
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "{path} 不是有效的 JSON：第 {} 行第 {} 列附近格式有误",
            e.line(),
            e.column()
        )
    })?;
    if !v.is_object() {
        return Err(format!(
            "{path}：应为一个 JSON 对象（含 template 与 cells）"
        ));
    }
    let mut report = Report::from_json(&v).map_err(|e| format!("{path}：{e}"))?;
    if v.get("source").and_then(|s| s.as_str()).is_none() {
        report.source = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string());
    }
    Ok(report)
}

/// Whether the bytes are meant as JSON: the first character past a BOM and white
/// space is `{` (no report the reader reads starts so).
fn is_json(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{')
}

/// A published report (PDF, Word, web page, text, spreadsheet, or a ZIP holding one)
/// read by the project's reader.
fn read_published(shown: &str, bytes: &[u8]) -> Result<Report, String> {
    let name = Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string());
    let mut all = gongkai_extract::read_all(&name, bytes);
    let read: Vec<usize> = (0..all.len()).filter(|&i| all[i].1.is_ok()).collect();
    match read.as_slice() {
        [i] => Ok(all.swap_remove(*i).1.expect("read").report),
        [] => {
            let e = all
                .into_iter()
                .find_map(|(_, r)| r.err())
                .map(|e| e.to_string())
                .unwrap_or_else(|| "文件中没有年报".into());
            Err(format!("无法读取 {shown}：{e}"))
        }
        many => Err(format!(
            "{shown} 中有 {} 份年报（{}），请只给出其中一份",
            many.len(),
            many.iter()
                .map(|&i| all[i].0.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

/// An I/O error in words a clerk reads.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或文件夹不存在".into(),
        PermissionDenied => "没有访问权限".into(),
        IsADirectory => "这是一个文件夹，不是文件".into(),
        _ => format!("读写失败（{e}）"),
    }
}
