//! `gongkai check` and `gongkai extract`: read reports, say what was read and what
//! does not add up.

use crate::input;
use crate::output::{Stdout, errln, stdout_failed};
use gongkai_extract::{Extracted, ReadError};
use gongkai_report::{Finding, Severity, Status, check, has_errors};
use std::ffi::OsString;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// 中文说明（默认）
    Text,
    /// 机器接口 JSON：每份文档一个 JSON 对象，各占一行（无论输入几份）
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractFormat {
    /// 每份文档一个 JSON 对象，各占一行（无论输入几份）
    Json,
    /// 每个单元格一行（带 BOM 的 UTF-8）
    Csv,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// 年报文件（txt / html / docx / pdf / zip）或文件夹（递归读取其中的文档），`-` 表示标准输入；不指定时校验内置示例
    #[arg(value_name = "文件")]
    pub files: Vec<OsString>,
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
    pub files: Vec<OsString>,
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

/// Reads every input (files, archive members, stdin) and hands each document to `each`
/// as it is read, before the next file is opened: memory holds one file and its
/// reports at a time, however many are given. A file that cannot be opened is an
/// error entry like any other, never the end of the run. A folder is read the way
/// `ingest` reads it: every document in it, recursively, with what cannot be read
/// (pipes, links to nothing, closed folders) listed as errors. Returns how many
/// documents were handed over.
fn each_input(
    files: &[OsString],
    mut each: impl FnMut(&str, &Result<Extracted, ReadError>),
) -> usize {
    let mut count = 0;
    let mut emit = |all: Vec<(String, Result<Extracted, ReadError>)>| {
        for (name, result) in &all {
            if stdout_failed() {
                return;
            }
            count += 1;
            each(name, result);
        }
    };
    let mut not_documents: Vec<String> = Vec::new();
    if files.is_empty() {
        errln!(
            "未指定文件，校验内置示例：{SAMPLE_NAME}（同江市人民政府2020年报，表三有真实的计算错误）\n"
        );
        emit(gongkai_extract::read_all(SAMPLE_NAME, SAMPLE));
    }
    let unopenable = |cause: String| ReadError::Unopenable {
        cause,
        original: None,
    };
    for f in files {
        // A name that is not UTF-8 (GBK bytes from a Windows share) is read as it is and
        // shown as well as it can be.
        let shown = std::path::Path::new(f).display().to_string();
        if f != "-" && std::path::Path::new(f).is_dir() {
            let found = gongkai_dataset::collect_inputs(std::slice::from_ref(f));
            if found.files.is_empty() && found.refused.is_empty() {
                emit(vec![(shown, Err(unopenable("文件夹中没有文件".into())))]);
            }
            for (path, cause) in found.refused {
                emit(vec![(path, Err(unopenable(cause)))]);
            }
            for path in found.files {
                let name = path.display().to_string();
                if gongkai_dataset::not_a_document_by_name(&path) {
                    not_documents.push(name);
                    continue;
                }
                match input::read_path(&path, gongkai_extract::MAX_INPUT_BYTES) {
                    Ok(b) if gongkai_dataset::not_a_document_by_content(&b) => {
                        not_documents.push(name)
                    }
                    Ok(b) => emit(gongkai_extract::read_all(&name, &b)),
                    Err(e) => emit(vec![(name, Err(e))]),
                }
            }
            continue;
        }
        match input::read(f, gongkai_extract::MAX_INPUT_BYTES) {
            Ok(b) => emit(gongkai_extract::read_all(&shown, &b)),
            Err(e) => emit(vec![(shown, Err(e))]),
        }
    }
    if !not_documents.is_empty() {
        errln!(
            "跳过 {} 个非文档文件（说明、脚本、数据等），例如：{}",
            not_documents.len(),
            not_documents[0]
        );
    }
    count
}

fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

/// One document of the machine interface, on a line of its own: the same shape for one
/// input as for many, written as it is read.
fn json_line(out: &mut impl Write, v: &serde_json::Value) {
    let _ = writeln!(out, "{}", serde_json::to_string(v).unwrap_or_default());
}

/// Why a reading is no report at all: nothing of one was found (a blank template, a
/// document on another subject).
fn nothing_read(missing: &[&str]) -> String {
    format!(
        "{}：没有{}（三张表均为空白，可能是空白模板或其他文件）",
        gongkai_dataset::NOTHING_READ,
        missing.join("、")
    )
}

pub fn run_check(args: &CheckArgs) -> u8 {
    let mut unreadable = 0;
    let mut with_errors = 0;
    let mut ok = 0;
    let mut out = Stdout;
    let json = args.format == CheckFormat::Json;
    let documents = each_input(&args.files, |name, result| {
        let read = result.as_ref().map_err(|e| e.to_string()).and_then(|x| {
            let missing = gongkai_dataset::missing_parts(&x.report);
            if gongkai_dataset::read_nothing(&x.report) {
                Err(nothing_read(&missing))
            } else {
                Ok((x, missing))
            }
        });
        match read {
            Err(e) => {
                unreadable += 1;
                if json {
                    json_line(&mut out, &serde_json::json!({"source": name, "error": e}));
                } else {
                    let _ = writeln!(out, "✗ {name}：无法读取——{e}\n");
                }
            }
            Ok((x, missing)) => {
                let findings = check(&x.report);
                if has_errors(&findings) || !missing.is_empty() {
                    with_errors += 1;
                } else {
                    ok += 1;
                }
                if json {
                    let mut j = x.report.to_json();
                    j["format"] = serde_json::json!(x.format.name());
                    j["findings"] = findings.iter().map(finding_json).collect();
                    if !missing.is_empty() {
                        j["missing"] = serde_json::json!(missing);
                    }
                    json_line(&mut out, &j);
                } else {
                    let _ = print_text(&mut out, name, x, &findings, &missing, args.all);
                }
            }
        }
    });
    if !json {
        let _ = writeln!(
            out,
            "合计：{} 份，无错误 {} 份，有错误或缺项 {} 份，无法读取 {} 份。",
            documents, ok, with_errors, unreadable
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
    missing: &[&str],
    all: bool,
) -> std::io::Result<()> {
    let r = &x.report;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.status == Status::Failed)
        .count();
    let mark = if errors > 0 || !missing.is_empty() {
        "✗"
    } else {
        "✓"
    };
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
    if !missing.is_empty() {
        writeln!(
            out,
            "  [缺项] 未读到{}：请核对文件是否为完整的年度报告（标题写明单位和年度，表格已填写）",
            missing.join("、")
        )?;
    }
    if shown.is_empty() && missing.is_empty() {
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
    let mut unreadable = 0;
    let mut out = Stdout;
    if args.format == ExtractFormat::Csv {
        let _ = out.write_all("\u{feff}source,agency,year,template,key,value,raw\n".as_bytes());
    }
    each_input(&args.files, |name, result| match result {
        Err(e) => {
            unreadable += 1;
            errln!("✗ {name}：无法读取——{e}");
            if args.format == ExtractFormat::Json {
                json_line(
                    &mut out,
                    &serde_json::json!({"source": name, "error": e.to_string()}),
                );
            }
        }
        Ok(x) => match args.format {
            ExtractFormat::Json => {
                let mut j = x.report.to_json();
                j["format"] = serde_json::json!(x.format.name());
                if args.details {
                    j["details"] = serde_json::to_value(&x.report.cells).unwrap_or_default();
                    j["sections"] = serde_json::to_value(&x.report.sections).unwrap_or_default();
                }
                json_line(&mut out, &j);
            }
            ExtractFormat::Csv => {
                let r = &x.report;
                let mut rows = String::new();
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
                    rows.push_str(&fields.join(","));
                    rows.push('\n');
                }
                let _ = out.write_all(rows.as_bytes());
            }
        },
    });
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
