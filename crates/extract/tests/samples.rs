//! Every real sample reads to its hand-checked expected values, cell by cell,
//! blank vs 0 included; and its findings are exactly those its data justifies.

use gongkai_report::{Severity, Status, TemplateId, Value, template};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn expected(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Reads a sample and returns the list of cells that differ from the expected file.
fn diff(file: &str, stem: &str) -> Vec<String> {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let report =
        gongkai_extract::read_bytes(file, &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    let exp = expected(stem);
    let mut out = Vec::new();
    if report.template.id() != exp["template"].as_str().unwrap() {
        out.push(format!(
            "template {} != {}",
            report.template, exp["template"]
        ));
    }
    if report.year != exp["year"].as_i64().map(|y| y as i32) {
        out.push(format!("year {:?} != {}", report.year, exp["year"]));
    }
    if report.agency.as_deref() != exp["agency"].as_str() {
        out.push(format!("agency {:?} != {}", report.agency, exp["agency"]));
    }
    let cells = exp["cells"].as_object().unwrap();
    let template = TemplateId::parse(exp["template"].as_str().unwrap()).unwrap();
    // The expected files list every key of their template, no more: the standard's key list.
    let mut keys: Vec<&str> = cells.keys().map(String::as_str).collect();
    keys.sort();
    let mut std_keys = template::keys(template);
    std_keys.sort();
    assert_eq!(keys, std_keys, "{stem}: expected keys vs cells.tsv");
    for (k, v) in cells {
        let want = Value::from_json(v).unwrap();
        let got = report.value(k);
        if got != want {
            out.push(format!(
                "{k}: got {got} (raw {:?}), want {v}",
                report.cell(k).map(|c| c.raw.clone())
            ));
        }
    }
    out
}

fn assert_exact(file: &str, stem: &str) {
    let d = diff(file, stem);
    assert!(
        d.is_empty(),
        "{file}: {} cells differ:\n{}",
        d.len(),
        d.join("\n")
    );
}

fn errors(file: &str) -> Vec<gongkai_report::Finding> {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let report = gongkai_extract::read_bytes(file, &bytes).unwrap();
    gongkai_report::check(&report)
        .into_iter()
        .filter(|f| f.severity == Severity::Error && f.status == Status::Failed)
        .collect()
}

#[test]
fn tongchuan_2020_text() {
    assert_exact("tongchuan-govoffice-2020.txt", "tongchuan-govoffice-2020");
}

#[test]
fn fengxiang_2020_text() {
    assert_exact("fengxiang-2020.txt", "fengxiang-2020");
}

#[test]
fn qingtongxia_2021_text() {
    assert_exact("qingtongxia-2021.txt", "qingtongxia-2021");
}

#[test]
fn tongjiang_2020_text() {
    assert_exact("tongjiang-2020.txt", "tongjiang-2020");
}

#[test]
fn yuncheng_2020_text() {
    assert_exact("yuncheng-govoffice-2020.txt", "yuncheng-govoffice-2020");
}

#[test]
fn pingtan_2023_html() {
    assert_exact("pingtan-2023.html", "pingtan-2023");
}

#[test]
fn tongjiang_is_flagged_for_exactly_its_real_errors() {
    let e = errors("tongjiang-2020.txt");
    let mut got: Vec<(String, String)> = e
        .iter()
        .map(|f| (f.rule.clone(), f.message.clone()))
        .collect();
    got.sort();
    let rules: Vec<&str> = got.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        rules,
        ["T3.FLOW", "T3.FLOW", "T3.OUTCOMES", "T3.OUTCOMES"],
        "{got:#?}"
    );
    assert!(
        got.iter()
            .all(|(_, m)| m.contains("法律服务机构列") || m.contains("总计列")),
        "{got:#?}"
    );
    assert!(
        e.iter()
            .any(|f| f.message == "表三「（七）总计」法律服务机构列为 4，但各办理结果之和为 0。")
    );
}

#[test]
fn other_samples_have_no_errors() {
    for f in [
        "tongchuan-govoffice-2020.txt",
        "fengxiang-2020.txt",
        "qingtongxia-2021.txt",
        "yuncheng-govoffice-2020.txt",
        "pingtan-2023.html",
    ] {
        let e = errors(f);
        assert!(e.is_empty(), "{f}: {e:#?}");
    }
}

#[test]
fn a_mixed_layout_is_read_as_printed_and_reported() {
    // A 2021 report that prints the 2019 single （六）其他处理 row instead of its three rows.
    let text = std::fs::read_to_string(fixture("qingtongxia-2021.txt")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.contains("逾期不补正")).unwrap();
    lines.drain(start..start + 3);
    lines.insert(start, "(六)其他处理\t2\t0\t0\t0\t0\t0\t2");
    let mixed = lines.join("\n");
    let r = gongkai_extract::read_bytes("mixed.txt", mixed.as_bytes()).unwrap();
    assert_eq!(
        r.template,
        TemplateId::T2021,
        "the year's template, as most of the tables print it"
    );
    assert_eq!(
        r.value("requests.other.total"),
        Value::int(2),
        "the printed row is kept"
    );
    let f = gongkai_report::check(&r);
    let errs: Vec<_> = f
        .iter()
        .filter(|f| f.severity == Severity::Error && f.status == Status::Failed)
        .collect();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].rule, "TEMPLATE.YEAR");
    assert!(errs[0].message.contains("其他处理"), "{}", errs[0].message);
}

#[test]
fn a_2023_report_on_the_2019_layout_is_reported() {
    let text = std::fs::read_to_string(fixture("tongjiang-2020.txt"))
        .unwrap()
        .replace(
            "2020年政府信息公开工作年度报告",
            "2023年政府信息公开工作年度报告",
        );
    let r = gongkai_extract::read_bytes("late.txt", text.as_bytes()).unwrap();
    assert_eq!(r.year, Some(2023));
    assert_eq!(r.template, TemplateId::T2019);
    let f = gongkai_report::check(&r);
    assert!(
        f.iter()
            .any(|f| f.rule == "TEMPLATE.YEAR" && f.message.contains("2023年")),
        "{f:#?}"
    );
}

#[test]
fn metadata_and_sections() {
    let bytes = std::fs::read(fixture("tongchuan-govoffice-2020.txt")).unwrap();
    let r = gongkai_extract::read_bytes("t", &bytes).unwrap();
    assert_eq!(r.published.as_deref(), Some("2021年1月28日"));
    let headings: Vec<&str> = r.sections.iter().map(|s| s.heading.as_str()).collect();
    // This report prints no section 六: five headings are found, as printed.
    assert_eq!(headings.len(), 5, "{headings:?}");
    assert!(r.sections[0].text.contains("共受理依申请公开7件"));
    let bytes = std::fs::read(fixture("fengxiang-2020.txt")).unwrap();
    let r = gongkai_extract::read_bytes("f", &bytes).unwrap();
    assert_eq!(r.published.as_deref(), Some("2021-02-20"));
    assert_eq!(r.sections.len(), 6);
    assert_eq!(r.sections[5].text, "无其他需要报告的事项。");
    // Provenance: the cell says where it was read.
    let c = r.cell("proactive.licensing.prev_items").unwrap();
    assert!(c.source.as_ref().unwrap().line.is_some());
}
