//! `gongkai check` and `gongkai extract`: read reports, say what was read and what
//! does not add up.

use crate::input;
use crate::output::{Stdout, errln, stdout_failed};
use gongkai_extract::{Extracted, ReadError};
use gongkai_report::{Finding, Severity, Status, check, has_errors};
use std::io::Write;

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
    /// 年报文件（txt / html / docx / pdf / zip）或文件夹（递归读取其中的文档），`-` 表示标准输入；不指定时校验内置示例
    #[arg(value_name = "文件")]
    pub files: Vec<String>,
    /// 输出格式
    #[arg(long, value_enum, default_value = "text", value_name = "格式")]
    pub format: CheckFormat,
    /// 同时列出无法核对（含空白单元格）的说明
    #[arg(long)]
    pub all: bool,
}

#[derive(clap::Args)]
pub struct ExtractArgs {
    /// 年报文件（txt / html / docx / pdf / zip）或文件夹（递归读取其中的文档），`-` 表示标准输入
    #[arg(required = true, value_name = "文件")]
    pub files: Vec<String>,
    /// 输出格式
    #[arg(long, value_enum, default_value = "json", value_name = "格式")]
    pub format: ExtractFormat,
    /// JSON 中附上每个单元格的原文、单位、备注和出处
    #[arg(long)]
    pub details: bool,
}

/// The embedded default: a real report whose table 三 does not add up.
const SAMPLE: &[u8] = include_bytes!("../../../tests/fixtures/tongjiang-2020.txt");
const SAMPLE_NAME: &str = "内置示例 tongjiang-2020.txt";

/// Every input read: files, archive members, stdin, and the documents in folders.
struct Inputs {
    read: Vec<(String, Result<Extracted, ReadError>)>,
    /// Files in folders that are not documents (README, scripts, JSON…), not read.
    not_documents: Vec<String>,
}

/// Reads every input (files, archive members, stdin); a file that cannot be opened is
/// an error entry like any other, never the end of the run. A folder is read the way
/// `ingest` reads it: every document in it, recursively, with what cannot be read
/// (pipes, links to nothing, closed folders) listed as errors.
fn read_inputs(files: &[String]) -> Inputs {
    let mut inputs = Inputs {
        read: Vec::new(),
        not_documents: Vec::new(),
    };
    let out = &mut inputs.read;
    if files.is_empty() {
        errln!(
            "未指定文件，校验内置示例：{SAMPLE_NAME}（同江市人民政府2020年报，表三有真实的计算错误）\n"
        );
        out.extend(gongkai_extract::read_all(SAMPLE_NAME, SAMPLE));
    }
    let unopenable = |cause: String| ReadError::Unopenable {
        cause,
        original: None,
    };
    for f in files {
        if f != "-" && std::path::Path::new(f).is_dir() {
            let found = gongkai_dataset::collect_inputs(std::slice::from_ref(f));
            if found.files.is_empty() && found.refused.is_empty() {
                out.push((f.clone(), Err(unopenable("文件夹中没有文件".into()))));
            }
            for (path, cause) in found.refused {
                out.push((path, Err(unopenable(cause))));
            }
            for path in found.files {
                let name = path.display().to_string();
                if gongkai_dataset::not_a_document_by_name(&path) {
                    inputs.not_documents.push(name);
                    continue;
                }
                match input::read_path(&path, gongkai_extract::MAX_INPUT_BYTES) {
                    Ok(b) if gongkai_dataset::not_a_document_by_content(&b) => {
                        inputs.not_documents.push(name)
                    }
                    Ok(b) => out.extend(gongkai_extract::read_all(&name, &b)),
                    Err(e) => out.push((name, Err(e))),
                }
            }
            continue;
        }
        match input::read(f, gongkai_extract::MAX_INPUT_BYTES) {
            Ok(b) => out.extend(gongkai_extract::read_all(f, &b)),
            Err(e) => out.push((f.clone(), Err(e))),
        }
    }
    if !inputs.not_documents.is_empty() {
        errln!(
            "跳过 {} 个非文档文件（说明、脚本、数据等），例如：{}",
            inputs.not_documents.len(),
            inputs.not_documents[0]
        );
    }
    inputs
}

fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

pub fn run_check(args: &CheckArgs) -> u8 {
    let inputs = read_inputs(&args.files).read;
    let mut unreadable = 0;
    let mut with_errors = 0;
    let mut ok = 0;
    let mut json_out = Vec::new();
    let mut out = Stdout;
    for (name, result) in &inputs {
        if stdout_failed() {
            break;
        }
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
    let inputs = read_inputs(&args.files).read;
    let mut unreadable = 0;
    let mut out = Stdout;
    let mut docs = Vec::new();
    let mut csv = String::from("\u{feff}source,agency,year,template,key,value,raw\n");
    for (name, result) in &inputs {
        match result {
            Err(e) => {
                unreadable += 1;
                errln!("✗ {name}：无法读取——{e}");
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
