//! The huaian PDF end to end: bytes → PDF reader → template reader → every
//! hand-checked cell, blank vs 0 included.

use gongkai_report::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

#[test]
fn huaian_pdf_reads_to_its_expected_cells() {
    let bytes = std::fs::read(fixture("huaian-2024.pdf")).expect("fixture");
    let report =
        gongkai_extract::read_bytes("huaian-2024.pdf", &bytes).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(fixture("huaian-2024.expected.json")).expect("expected");
    let exp: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        report.template.id(),
        exp["template"].as_str().unwrap_or_default()
    );
    assert_eq!(report.year, exp["year"].as_i64().map(|y| y as i32));
    let mut wrong = Vec::new();
    let cells = exp["cells"].as_object().expect("cells");
    for (k, v) in cells {
        let want = Value::from_json(v).expect("value");
        let got = report.value(k);
        if got != want {
            wrong.push(format!("{k}: got {got}, want {v}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells differ:\n{}",
        wrong.len(),
        cells.len(),
        wrong.join("\n")
    );
}
