//! The real samples as other programs turn them into other formats read to the same
//! hand-checked cells: text from `pdftotext` with and without `-layout`
//! (`tests/fixtures/converted/make.sh`), and the web page's and Word files' tables
//! saved by LibreOffice as XLSX, XLS, ODS and ODT (`tests/fixtures/office/make.sh`);
//! and table 四 of the samples printed transposed and one row per appeal kind
//! (`tests/fixtures/layouts/make.py`).

use gongkai_report::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// The cells of `file` that differ from `stem.expected.json`.
fn diff(file: &str, stem: &str) -> Vec<String> {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let report =
        gongkai_extract::read_bytes(file, &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    let text = std::fs::read_to_string(fixture(&format!("{stem}.expected.json"))).unwrap();
    let exp: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    if report.template.id() != exp["template"].as_str().unwrap() {
        out.push(format!("template {}", report.template.id()));
    }
    for (k, v) in exp["cells"].as_object().unwrap() {
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

#[test]
fn pdftotext_layout() {
    assert_exact("converted/huaian-2024.layout.txt", "huaian-2024");
    // Table-二 rows whose label the PDF wraps around the numbers (`行政规范` /
    // `26 29 61` / `性文件`) are read by the label's two parts.
    assert_exact("converted/qingtongxia-2021.layout.txt", "qingtongxia-2021");
    assert_exact("converted/pingtan-2023.layout.txt", "pingtan-2023");
}

/// Without `-layout`, pdftotext scatters a table's cells (table 四's columns come out
/// interleaved, table 三's numbers away from their labels): not read exactly yet. The
/// report still does not pass: its errors are reported.
#[test]
fn pdftotext_raw_does_not_pass() {
    for file in [
        "converted/huaian-2024.raw.txt",
        "converted/qingtongxia-2021.raw.txt",
        "converted/pingtan-2023.raw.txt",
    ] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let r = gongkai_extract::read_bytes(file, &bytes).unwrap();
        assert!(
            gongkai_report::has_errors(&gongkai_report::check(&r)),
            "{file}"
        );
    }
}

#[test]
fn spreadsheets() {
    for ext in ["xlsx", "xls", "ods"] {
        assert_exact(
            &format!("office/qingtongxia-2021.{ext}"),
            "qingtongxia-2021",
        );
        assert_exact(&format!("office/pingtan-2023.{ext}"), "pingtan-2023");
    }
}

#[test]
fn opendocument_text() {
    assert_exact("office/qingtongxia-2021.odt", "qingtongxia-2021");
    assert_exact("office/pingtan-2023.odt", "pingtan-2023");
}

#[test]
fn a_package_is_its_document_not_an_archive() {
    for (file, format) in [
        ("office/qingtongxia-2021.xlsx", "xlsx"),
        ("office/qingtongxia-2021.ods", "ods"),
        ("office/qingtongxia-2021.odt", "odt"),
        ("office/qingtongxia-2021.xls", "xls"),
        ("docx/qingtongxia-2021.docx", "docx"),
    ] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let all = gongkai_extract::read_all(file, &bytes);
        assert_eq!(all.len(), 1, "{file}");
        let x = all[0].1.as_ref().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(x.format.name(), format, "{file}");
    }
}

#[test]
fn table_four_transposed_and_by_kind() {
    assert_exact(
        "layouts/qingtongxia-2021.transposed.txt",
        "qingtongxia-2021",
    );
    assert_exact("layouts/pingtan-2023.transposed.html", "pingtan-2023");
    assert_exact("layouts/pingtan-2023.by-kind.html", "pingtan-2023");
}
