//! `gongkai check` and `gongkai extract`: read reports, say what was read and what
//! does not add up.

use gongkai_extract::{Extracted, ReadError};
use gongkai_report::{Finding, Severity, Status, check, has_errors};
use std::io::{Read, Write};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// 中文说明（默认）
    Text,
    /// 机器接口 JSON
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractFormat {
    Json,
    Csv,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// 年报文件（txt / html / docx / pdf / zip），`-` 表示标准输入；不指定时校验内置示例
    pub files: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// 同时列出无法核对（含空白单元格）的说明
    #[arg(long)]
    pub all: bool,
}

#[derive(clap::Args)]
pub struct ExtractArgs {
    /// 年报文件（txt / html / docx / pdf / zip），`-` 表示标准输入
    #[arg(required = true)]
    pub files: Vec<String>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExtractFormat,
    /// JSON 中附上每个单元格的原文、单位、备注和出处
    #[arg(long)]
    pub details: bool,
}

/// The embedded default: a real report whose table 三 does not add up.
const SAMPLE: &[u8] = include_bytes!("../../../tests/fixtures/tongjiang-2020.txt");
const SAMPLE_NAME: &str = "内置示例 tongjiang-2020.txt";

/// Reads every input (files, archive members, stdin); a file that cannot be opened is
/// an error entry like any other, never the end of the run.
fn read_inputs(files: &[String]) -> Vec<(String, Result<Extracted, ReadError>)> {
    let mut out = Vec::new();
    if files.is_empty() {
        eprintln!(
            "未指定文件，校验内置示例：{SAMPLE_NAME}（同江市人民政府2020年报，表三有真实的计算错误）\n"
        );
        out.extend(gongkai_extract::read_all(SAMPLE_NAME, SAMPLE));
    }
    for f in files {
        let bytes = if f == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map(|_| buf)
        } else {
            std::fs::read(f)
        };
        match bytes {
            Ok(b) => out.extend(gongkai_extract::read_all(f, &b)),
            Err(e) => out.push((
                f.clone(),
                Err(ReadError::Corrupt {
                    format: "文件".into(),
                    detail: format!("无法打开：{}", io_cause(&e)),
                    original: None,
                }),
            )),
        }
    }
    out
}

fn io_cause(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        std::io::ErrorKind::IsADirectory => "这是一个目录".into(),
        _ => e.to_string(),
    }
}

fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

pub fn run_check(args: &CheckArgs) -> u8 {
    let inputs = read_inputs(&args.files);
    let mut unreadable = 0;
    let mut with_errors = 0;
    let mut ok = 0;
    let mut json_out = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (name, result) in &inputs {
        match result {
            Err(e) => {
                unreadable += 1;
                if args.format == CheckFormat::Json {
                    json_out.push(serde_json::json!({"source": name, "error": e.to_string()}));
                } else {
                    let _ = writeln!(out, "✗ {name}：无法读取——{e}\n");
                }
            }
            Ok(x) => {
                let findings = check(&x.report);
                if has_errors(&findings) {
                    with_errors += 1;
                } else {
                    ok += 1;
                }
                if args.format == CheckFormat::Json {
                    let mut j = x.report.to_json();
                    j["format"] = serde_json::json!(x.format.name());
                    j["findings"] = findings.iter().map(finding_json).collect();
                    json_out.push(j);
                } else {
                    let _ = print_text(&mut out, name, x, &findings, args.all);
                }
            }
        }
    }
    if args.format == CheckFormat::Json {
        let v = if json_out.len() == 1 {
            json_out.remove(0)
        } else {
            serde_json::Value::Array(json_out)
        };
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        );
    } else {
        let _ = writeln!(
            out,
            "合计：{} 份，无错误 {} 份，有错误 {} 份，无法读取 {} 份。",
            inputs.len(),
            ok,
            with_errors,
            unreadable
        );
    }
    if unreadable > 0 {
        2
    } else if with_errors > 0 {
        1
    } else {
        0
    }
}

fn print_text(
    out: &mut impl Write,
    name: &str,
    x: &Extracted,
    findings: &[Finding],
    all: bool,
) -> std::io::Result<()> {
    let r = &x.report;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.status == Status::Failed)
        .count();
    let mark = if errors > 0 { "✗" } else { "✓" };
    writeln!(out, "{mark} {name}")?;
    writeln!(
        out,
        "  单位：{}　年度：{}　表格格式：{}版（{}）　文件格式：{}",
        r.agency.as_deref().unwrap_or("（未识别）"),
        r.year
            .map(|y| format!("{y}年"))
            .unwrap_or_else(|| "（未识别）".into()),
        r.template.id(),
        r.template.notice(),
        x.format.name()
    )?;
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| all || f.status == Status::Failed)
        .collect();
    if shown.is_empty() {
        writeln!(out, "  未发现问题。")?;
    }
    for f in shown {
        let tag = match (f.severity, f.status) {
            (_, Status::NotAssessable) => "无法核对",
            (s, _) => s.chinese(),
        };
        writeln!(out, "  [{tag}] {}　（规则 {}）", f.message, f.rule)?;
    }
    let hidden = findings
        .iter()
        .filter(|f| f.status == Status::NotAssessable)
        .count();
    if hidden > 0 && !all {
        writeln!(
            out,
            "  另有 {hidden} 项因空白单元格无法核对（加 --all 查看）。"
        )?;
    }
    writeln!(out)
}

pub fn run_extract(args: &ExtractArgs) -> u8 {
    let inputs = read_inputs(&args.files);
    let mut unreadable = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut docs = Vec::new();
    let mut csv = String::from("\u{feff}source,agency,year,template,key,value,raw\n");
    for (name, result) in &inputs {
        match result {
            Err(e) => {
                unreadable += 1;
                eprintln!("✗ {name}：无法读取——{e}");
                if args.format == ExtractFormat::Json {
                    docs.push(serde_json::json!({"source": name, "error": e.to_string()}));
                }
            }
            Ok(x) => match args.format {
                ExtractFormat::Json => {
                    let mut j = x.report.to_json();
                    j["format"] = serde_json::json!(x.format.name());
                    if args.details {
                        j["details"] = serde_json::to_value(&x.report.cells).unwrap_or_default();
                        j["sections"] =
                            serde_json::to_value(&x.report.sections).unwrap_or_default();
                    }
                    docs.push(j);
                }
                ExtractFormat::Csv => {
                    let r = &x.report;
                    for (d, c) in r.defined_cells() {
                        if !d.in_template(r.template) && !c.is_found() {
                            continue;
                        }
                        let value = match c.value {
                            gongkai_report::Value::Number(n) => n.to_string(),
                            gongkai_report::Value::Blank => String::new(),
                            gongkai_report::Value::NotApplicable => "n/a".into(),
                        };
                        let row = [
                            r.source.as_str(),
                            r.agency.as_deref().unwrap_or(""),
                            &r.year.map(|y| y.to_string()).unwrap_or_default(),
                            r.template.id(),
                            d.key,
                            &value,
                            &c.raw,
                        ];
                        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                        csv.push_str(&fields.join(","));
                        csv.push('\n');
                    }
                }
            },
        }
    }
    let _ = match args.format {
        ExtractFormat::Json => {
            let v = if docs.len() == 1 {
                docs.remove(0)
            } else {
                serde_json::Value::Array(docs)
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )
        }
        ExtractFormat::Csv => out.write_all(csv.as_bytes()),
    };
    if unreadable > 0 { 2 } else { 0 }
}

/// RFC 4180 quoting.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
