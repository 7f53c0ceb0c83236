//! The `gongkai cases` and `gongkai calendar` commands, run as the built binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .expect("run gongkai")
}

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cases/examples/events.jsonl")
        .display()
        .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch file unique to this test process.
fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-cases-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write temp file");
    p
}

fn report_json(args: &[&str]) -> serde_json::Value {
    let o = gongkai(args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("report is JSON")
}

#[test]
fn report_2025_from_the_example_log() {
    let ev = example();
    let v = report_json(&[
        "cases",
        "report",
        "--events",
        &ev,
        "--year",
        "2025",
        "--agency",
        "某市某局",
    ]);
    assert_eq!(v["year"], 2025);
    assert_eq!(v["template"], "2021");
    assert_eq!(v["agency"], "某市某局");
    assert_eq!(v["source"], ev.as_str());
    let cells = v["cells"].as_object().unwrap();
    assert_eq!(
        cells.len(),
        10 + 25 * 7 + 15,
        "every key of the 2021 template"
    );
    assert!(
        cells["proactive.fees.amount_wan"].is_null(),
        "table 二 is not derivable"
    );
    assert_eq!(cells["requests.new.total"], 3);
    assert_eq!(cells["requests.granted.natural_person"], 1);
    assert_eq!(cells["requests.total.total"], 1);
    assert_eq!(cells["requests.carried_out.business"], 1);
    assert_eq!(cells["requests.carried_out.legal_service"], 1);
    assert_eq!(cells["requests.carried_out.total"], 2);
    assert_eq!(cells["appeals.review.total"], 0);
    assert!(!cells.contains_key("requests.other.total"));
}

#[test]
fn report_2026_carries_in_and_counts_appeals() {
    let v = report_json(&["cases", "report", "--events", &example(), "--year", "2026"]);
    let c = v["cells"].as_object().unwrap();
    assert!(v["agency"].is_null());
    assert_eq!(c["requests.carried_in.total"], 2);
    assert_eq!(c["requests.new.total"], 5);
    assert_eq!(c["requests.denied.third_party.business"], 1);
    assert_eq!(c["requests.unavailable.not_held.research"], 1);
    assert_eq!(c["requests.other.no_correction.nonprofit"], 1);
    assert_eq!(
        c["requests.other.other.other_org"], 1,
        "a withdrawal is 其他"
    );
    assert_eq!(c["requests.carried_out.total"], 3);
    assert_eq!(c["appeals.review.upheld"], 1);
    assert_eq!(c["appeals.review.total"], 1);
    // The template's own identity (勾稽关系) per column.
    for col in [
        "natural_person",
        "business",
        "research",
        "nonprofit",
        "legal_service",
        "other_org",
        "total",
    ] {
        let n = |row: &str| c[&format!("requests.{row}.{col}")].as_u64().unwrap();
        assert_eq!(
            n("new") + n("carried_in"),
            n("total") + n("carried_out"),
            "{col}"
        );
    }
}

#[test]
fn report_2019_template_has_one_other_row() {
    let v = report_json(&[
        "cases",
        "report",
        "--events",
        &example(),
        "--year",
        "2026",
        "--template",
        "2019",
    ]);
    assert_eq!(v["template"], "2019");
    let c = v["cells"].as_object().unwrap();
    assert_eq!(c.len(), 22 + 23 * 7 + 15);
    assert_eq!(c["requests.other.total"], 2);
    assert!(!c.contains_key("requests.other.no_correction.total"));
    let v = report_json(&["cases", "report", "--events", &example(), "--year", "2020"]);
    assert_eq!(v["template"], "2019", "chosen by year");
}

#[test]
fn report_rejects_bad_template() {
    let o = gongkai(&[
        "cases",
        "report",
        "--events",
        &example(),
        "--year",
        "2026",
        "--template",
        "2022",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("年报格式「2022」无效"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn due_lists_open_cases_by_urgency() {
    let o = gongkai(&["cases", "due", "--events", &example(), "--at", "2026-03-20"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("未办结案件 3 件"), "{out}");
    let first = out.find("2025-003").expect("overdue case listed");
    assert!(
        first < out.find("2026-001").unwrap(),
        "most urgent first:\n{out}"
    );
    assert!(out.contains("逾期14"), "{out}");
    assert!(out.contains("暂停计时"), "{out}");
    assert!(
        out.contains("经办公室主任 赵敏批准延长 20 个工作日"),
        "{out}"
    );
    assert!(!out.contains("2026-002"), "closed cases are not listed");

    let o = gongkai(&[
        "cases",
        "due",
        "--events",
        &example(),
        "--at",
        "2026-03-20",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0]["case"], "2025-003");
    assert_eq!(cases[0]["answer_due"], "2026-03-02");
    assert_eq!(cases[0]["working_days_left"], -14);
    let left: Vec<i64> = cases
        .iter()
        .map(|c| c["working_days_left"].as_i64().unwrap())
        .collect();
    assert!(left.windows(2).all(|w| w[0] <= w[1]), "{left:?}");
}

#[test]
fn due_only_sees_events_up_to_the_date() {
    let o = gongkai(&[
        "cases",
        "due",
        "--events",
        &example(),
        "--at",
        "2025-12-31",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"2025-002") && ids.contains(&"2025-003"));
}

#[test]
fn calendar_add_prints_the_due_date() {
    let o = gongkai(&["calendar", "add", "2026-02-10", "20"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "2026-03-16");
    let o = gongkai(&["calendar", "add", "2024-12-31", "20"]);
    assert_eq!(stdout(&o).trim(), "2025-02-05");
}

#[test]
fn calendar_beyond_coverage_is_an_error_until_data_is_added() {
    let o = gongkai(&["calendar", "add", "2026-12-20", "20"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("不在工作日日历覆盖范围内"),
        "{}",
        stderr(&o)
    );
    let extra = temp_file(
        "holidays-2027.tsv",
        "date\tkind\tnotice_year\n2027-01-01\toff\t2027\n".as_bytes(),
    );
    let o = gongkai(&[
        "calendar",
        "add",
        "2026-12-31",
        "1",
        "--holidays",
        extra.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2027-01-04");
    let bad = temp_file("holidays-bad.tsv", "2027-01-01\tholiday\t2027\n".as_bytes());
    let o = gongkai(&[
        "calendar",
        "add",
        "2026-12-31",
        "1",
        "--holidays",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("第 1 行"), "{}", stderr(&o));
    let o = gongkai(&["calendar", "add", "2026-02-30", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("日期「2026-02-30」无效"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn malformed_logs_give_line_numbered_chinese_errors() {
    let good = std::fs::read_to_string(example()).unwrap();
    let first_event = good.lines().find(|l| l.starts_with('{')).unwrap();
    let text = format!(
        "{first_event}\n{{not json\n{{\"case\":\"X\",\"time\":\"2026-01-05T09:00:00+08:00\",\"actor\":\"a\",\"kind\":\"bogus\"}}\n"
    );
    let p = temp_file("bad.jsonl", text.as_bytes());
    let o = gongkai(&[
        "cases",
        "report",
        "--events",
        p.to_str().unwrap(),
        "--year",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("第 2 行：不是有效的 JSON"), "{err}");
    assert!(err.contains("第 3 行：未知的事件类型「bogus」"), "{err}");
    assert!(err.contains("2 处错误"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn illegal_transitions_name_the_rule_and_line() {
    let good = std::fs::read_to_string(example()).unwrap();
    let first_event = good.lines().find(|l| l.starts_with('{')).unwrap();
    let ext = r#"{"case":"2025-001","time":"2025-11-21T09:00:00+08:00","actor":"王芳","kind":"extended","payload":{"working_days":30,"approved_by":"赵敏"}}"#;
    let p = temp_file(
        "illegal.jsonl",
        format!("{first_event}\n{ext}\n").as_bytes(),
    );
    let o = gongkai(&[
        "cases",
        "due",
        "--events",
        p.to_str().unwrap(),
        "--at",
        "2025-12-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("第 2 行：案件 2025-001："), "{err}");
    assert!(err.contains("第三十三条第二款"), "{err}");
}

#[test]
fn unreadable_inputs_do_not_panic() {
    let bin = temp_file("binary.jsonl", &[0xff, 0xfe, 0x00, 0x81]);
    let o = gongkai(&[
        "cases",
        "report",
        "--events",
        bin.to_str().unwrap(),
        "--year",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不是 UTF-8"), "{}", stderr(&o));
    let o = gongkai(&[
        "cases",
        "due",
        "--events",
        "/nonexistent/x.jsonl",
        "--at",
        "2026-01-05",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("文件不存在"), "{}", stderr(&o));
    let o = gongkai(&["cases", "due", "--events", &example(), "--at", "20260105"]);
    assert_eq!(o.status.code(), Some(2));
}
