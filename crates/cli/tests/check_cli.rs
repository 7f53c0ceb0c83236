//! `gongkai check` and `gongkai extract` end to end, through the built binary.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn gongkai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn check_exit_codes() {
    let (code, out, _) = gongkai(&["check", &fixture("tongjiang-2020.txt")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("同江市人民政府"), "{out}");
    assert!(
        out.contains("表三「（七）总计」法律服务机构列为 4，但各办理结果之和为 0。"),
        "{out}"
    );
    assert!(out.contains("合计：1 份"), "{out}");

    let (code, out, _) = gongkai(&[
        "check",
        &fixture("qingtongxia-2021.txt"),
        &fixture("pingtan-2023.html"),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("无错误 2 份"), "{out}");

    let (code, out, _) = gongkai(&[
        "check",
        &fixture("qingtongxia-2021.txt"),
        "/no/such/file.txt",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("/no/such/file.txt") && out.contains("文件不存在"),
        "{out}"
    );
}

#[test]
fn check_without_files_uses_the_embedded_sample() {
    let (code, out, err) = gongkai(&["check"]);
    assert_eq!(code, 1);
    assert!(err.contains("内置示例"));
    assert!(out.contains("T3.OUTCOMES"));
}

#[test]
fn check_json_follows_the_machine_interface() {
    let (code, out, _) = gongkai(&["check", "--format", "json", &fixture("tongjiang-2020.txt")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for field in ["source", "agency", "year", "template", "cells", "findings"] {
        assert!(v.get(field).is_some(), "{field}");
    }
    let f = v["findings"].as_array().unwrap();
    assert!(f.iter().any(|f| f["rule"] == "T3.FLOW"
        && f["severity"] == "error"
        && f["cells"].as_array().unwrap().len() == 4));
}

#[test]
fn check_reads_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(fixture("tongjiang-2020.txt")).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn extract_json_and_csv_keep_blank_and_zero() {
    let (code, out, _) = gongkai(&["extract", &fixture("tongchuan-govoffice-2020.txt")]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["cells"]["proactive.regulations.made"],
        serde_json::Value::Null
    );
    assert_eq!(v["cells"]["requests.new.total"], serde_json::json!(7));
    assert_eq!(
        v["cells"]["proactive.procurement.amount_wan"],
        serde_json::json!(164.504)
    );

    let (code, out, _) = gongkai(&[
        "extract",
        "--format",
        "csv",
        &fixture("tongchuan-govoffice-2020.txt"),
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    assert!(out.contains("requests.new.total,7,7"), "{}", &out[..300]);
    assert!(
        out.lines()
            .any(|l| l.ends_with("proactive.regulations.made,,")),
        "blank stays empty"
    );
    assert!(out.contains("proactive.procurement.amount_wan,164.504,164.504万"));
}

#[test]
fn unreadable_input_names_file_and_cause() {
    let dir = std::env::temp_dir().join(format!("gongkai-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let (code, out, _) = gongkai(&["check", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        out.contains("empty.txt") && out.contains("文件为空"),
        "{out}"
    );
}

/// A folder is read as `ingest` reads it: every document in it, recursively; notes and
/// scripts beside them are skipped, what cannot be read is listed.
#[test]
fn check_reads_a_folder_recursively() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("年报");
    std::fs::create_dir_all(d.join("2023")).unwrap();
    std::fs::copy(
        fixture("qingtongxia-2021.txt"),
        d.join("qingtongxia-2021.txt"),
    )
    .unwrap();
    std::fs::copy(
        fixture("pingtan-2023.html"),
        d.join("2023/pingtan-2023.html"),
    )
    .unwrap();
    std::fs::write(d.join("README.md"), "# 说明\n").unwrap();
    std::fs::write(d.join("fetch.sh"), "#!/bin/sh\n").unwrap();
    let (code, out, err) = gongkai(&["check", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("qingtongxia-2021.txt") && out.contains("pingtan-2023.html"),
        "{out}"
    );
    assert!(out.contains("合计：2 份，无错误 2 份"), "{out}");
    assert!(err.contains("跳过 2 个非文档文件"), "{err}");

    let fifo = d.join("2023/pipe.txt");
    common::mkfifo(&fifo);
    let (code, out, _) = gongkai(&["extract", "--format", "csv", d.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("qingtongxia-2021.txt") && out.contains("pingtan-2023.html"));
    let (code, out, _) = gongkai(&["check", d.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("pipe.txt") && out.contains("不是普通文件"),
        "{out}"
    );

    let empty = tmp.path().join("空");
    std::fs::create_dir(&empty).unwrap();
    let (code, out, _) = gongkai(&["check", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("文件夹中没有文件"), "{out}");
}

/// JSON is one shape whatever the number of inputs: one object per document, each on a
/// line of its own; a document that could not be read is an object with `error`.
#[test]
fn json_is_one_object_per_document_always() {
    for cmd in ["check", "extract"] {
        let (_, one, _) = gongkai(&[cmd, "--format", "json", &fixture("qingtongxia-2021.txt")]);
        assert_eq!(one.lines().count(), 1, "{cmd}: {one}");
        let v: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert!(v.is_object(), "{cmd}: {v}");
        assert_eq!(v["agency"], "青铜峡市", "{cmd}");

        let (code, many, _) = gongkai(&[
            cmd,
            "--format",
            "json",
            &fixture("qingtongxia-2021.txt"),
            &fixture("tongjiang-2020.txt"),
            "/no/such/file.txt",
        ]);
        assert_eq!(code, 2, "{cmd}");
        let docs: Vec<serde_json::Value> = many
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 3, "{cmd}: {many}");
        assert!(docs.iter().all(|d| d.is_object()), "{cmd}: {many}");
        assert_eq!(docs[0], v, "{cmd}: the same object as alone");
        assert_eq!(docs[1]["year"], 2020, "{cmd}");
        assert_eq!(docs[2]["source"], "/no/such/file.txt", "{cmd}");
        assert!(
            docs[2]["error"].as_str().unwrap().contains("文件不存在"),
            "{cmd}: {many}"
        );
    }
}

/// The national blank template is no report: `check` says what it did not find
/// instead of 「未发现问题」; a report missing only its year says that.
#[test]
fn a_blank_template_is_not_passed() {
    let (code, out, _) = gongkai(&["check", &fixture("template-2021-blank.docx")]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains("未发现问题"), "{out}");
    assert!(!out.contains("✓"), "{out}");
    assert!(
        out.contains("未识别出年度报告：没有单位名称、年度、表格数值"),
        "{out}"
    );
    let (code, out, _) = gongkai(&[
        "check",
        "--format",
        "json",
        &fixture("template-2021-blank.docx"),
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["error"].as_str().unwrap().starts_with("未识别出年度报告"),
        "{v}"
    );

    // The year taken out of a real report (its title names the agency with the year,
    // so both go): the tables are read, and what is missing is said.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("qingtongxia-2021.txt"))
        .unwrap()
        .replace("2021", "本");
    let p = tmp.path().join("no-year.txt");
    std::fs::write(&p, text).unwrap();
    let (code, out, _) = gongkai(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗"), "{out}");
    assert!(out.contains("[缺项] 未读到单位名称、年度"), "{out}");
    assert!(!out.contains("未发现问题"), "{out}");
    let (_, out, _) = gongkai(&["check", "--format", "json", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["missing"], serde_json::json!(["单位名称", "年度"]), "{v}");
}

/// A file name in GBK bytes (as a Windows share hands it over) is read like any
/// other: given as an argument (`gongkai check 目录/*`), found in a folder, ingested.
#[test]
fn file_names_that_are_not_utf8_are_read() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("目录");
    std::fs::create_dir(&d).unwrap();
    // 「年报」 in GBK.
    let gbk = d.join(std::ffi::OsStr::from_bytes(b"\xc4\xea\xb1\xa8-2021.txt"));
    assert!(gbk.to_str().is_none(), "the name is not UTF-8");
    std::fs::copy(fixture("qingtongxia-2021.txt"), &gbk).unwrap();
    let other = d.join("pingtan-2023.html");
    std::fs::copy(fixture("pingtan-2023.html"), &other).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let os = |s: &str| std::ffi::OsStr::new(s).to_owned();
    // As the shell expands 目录/*.
    let (code, out, err) = run(&[&os("check"), gbk.as_os_str(), other.as_os_str()]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains("合计：2 份，无错误 2 份，有错误或缺项 0 份，无法读取 0 份"),
        "{out}"
    );
    assert!(out.contains("单位：青铜峡市"), "{out}");
    assert!(out.contains("-2021.txt"), "{out}");
    let (code, out, _) = run(&[&os("check"), d.as_os_str()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("合计：2 份"), "{out}");
    let db = tmp.path().join("g.db");
    let (code, out, err) = run(&[&os("ingest"), gbk.as_os_str(), &os("--db"), db.as_os_str()]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("1 个文件，报告 1 份"), "{out}");
}
