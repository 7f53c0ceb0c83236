//! The huaian PDF end to end: bytes → PDF reader → template reader → every
//! hand-checked cell, blank vs 0 included.

use gongkai_report::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// Reads `pdf` and compares every cell with `expected` (template, year, agency too).
fn reads_to_expected(pdf: &str, expected: &str) {
    let bytes = std::fs::read(fixture(pdf)).expect("fixture");
    let report = gongkai_extract::read_bytes(pdf, &bytes).unwrap_or_else(|e| panic!("{pdf}: {e}"));
    let text = std::fs::read_to_string(fixture(expected)).expect("expected");
    let exp: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        report.template.id(),
        exp["template"].as_str().unwrap_or_default(),
        "{pdf}"
    );
    assert_eq!(report.year, exp["year"].as_i64().map(|y| y as i32), "{pdf}");
    assert_eq!(report.agency.as_deref(), exp["agency"].as_str(), "{pdf}");
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
        "{pdf}: {} of {} cells differ:\n{}",
        wrong.len(),
        cells.len(),
        wrong.join("\n")
    );
}

#[test]
fn huaian_pdf_reads_to_its_expected_cells() {
    reads_to_expected("huaian-2024.pdf", "huaian-2024.expected.json");
}

/// Word files saved as PDF by LibreOffice (tests/fixtures/docx/make.sh): tables over
/// page breaks, CJK fonts subset with their own encodings.
#[test]
fn word_made_pdfs_read_to_their_expected_cells() {
    reads_to_expected("pdf/pingtan-2023.pdf", "pingtan-2023.expected.json");
    reads_to_expected("pdf/qingtongxia-2021.pdf", "qingtongxia-2021.expected.json");
}

/// Table 三 broken over a page with its header rows repeated on the next page (Word's
/// 重复标题行): the repeated 总计 is a column header, not the （七）总计 row.
#[test]
fn a_header_repeated_after_a_page_break_is_not_a_row() {
    reads_to_expected(
        "pdf/pingtan-2023-repeated-header.pdf",
        "pingtan-2023.expected.json",
    );
}
