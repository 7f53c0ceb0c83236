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

/// `file` as read, and `stem.expected.json`.
fn read_and_expected(file: &str, stem: &str) -> (gongkai_report::Report, serde_json::Value) {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let report =
        gongkai_extract::read_bytes(file, &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    let text = std::fs::read_to_string(fixture(&format!("{stem}.expected.json"))).unwrap();
    (report, serde_json::from_str(&text).unwrap())
}

/// The cells of `file` that differ from `stem.expected.json`.
fn diff(file: &str, stem: &str) -> Vec<String> {
    let (report, exp) = read_and_expected(file, stem);
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

/// A report against its expected cells: the cells read with another value (never
/// allowed), and the cells left unread.
fn wrong_and_unread(
    report: &gongkai_report::Report,
    exp: &serde_json::Value,
) -> (Vec<String>, Vec<String>) {
    let (mut wrong, mut unread) = (Vec::new(), Vec::new());
    for (k, v) in exp["cells"].as_object().unwrap() {
        let want = Value::from_json(v).unwrap();
        match report.cell(k).filter(|c| c.is_found()) {
            None => unread.push(k.clone()),
            Some(c) if c.value != want => {
                wrong.push(format!("{k}: got {} (raw {:?}), want {v}", c.value, c.raw))
            }
            Some(_) => {}
        }
    }
    (wrong, unread)
}

/// Without `-layout`, pdftotext prints every cell on its own line in the order the PDF
/// draws it. No cell is read with another value; what the text leaves ambiguous stays
/// unread, each such cell named by a `TEXT.SCATTERED` finding, and the report does
/// not pass. What stays unread, and why:
/// - all three: table 四, whose values come among the header's words (huaian's three
///   appeal kinds interleaved: `72 64 178 37` / `12 1 1 6` / `351` / `13 4 8 1 26` /
///   `20`, the last kind's first four before the first kind's 总计).
/// - qingtongxia: table 三 from 5.要求行政机关确认… on: 19 values follow that label
///   (its 7 and 12 of （六）1. and 2., whose labels come after them with one value
///   each), and 3.其他, （七）总计 and 四、结转下年度 print theirs after section 五's
///   heading, right after the last three values of table 四.
/// - pingtan: table 二's 规章 is followed by five values (its three and two of
///   行政规范性文件's, whose first is printed inside its wrapped label); table 三's
///   5.要求行政机关确认… is followed by 13 values (its 7 and six of （六）1., whose
///   first is printed on the label's own line).
#[test]
fn pdftotext_raw_reads_no_cell_wrong_and_reports_the_rest() {
    for (file, stem, unread_rows) in [
        (
            "converted/huaian-2024.raw.txt",
            "huaian-2024",
            &["appeals."][..],
        ),
        (
            "converted/qingtongxia-2021.raw.txt",
            "qingtongxia-2021",
            &[
                "appeals.",
                "requests.rejected.confirmation.",
                "requests.other.",
                "requests.total.",
                "requests.carried_out.",
            ][..],
        ),
        (
            "converted/pingtan-2023.raw.txt",
            "pingtan-2023",
            &[
                "appeals.",
                "proactive.regulations.",
                "proactive.normative_docs.",
                "requests.rejected.confirmation.",
                "requests.other.no_correction.",
            ][..],
        ),
    ] {
        let (report, exp) = read_and_expected(file, stem);
        let (wrong, unread) = wrong_and_unread(&report, &exp);
        assert!(
            wrong.is_empty(),
            "{file}: read wrong:\n{}",
            wrong.join("\n")
        );
        let want: Vec<&String> = exp["cells"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| unread_rows.iter().any(|r| k.starts_with(r)))
            .collect();
        let unread_too: Vec<&String> = unread.iter().filter(|k| !want.contains(k)).collect();
        let read_too: Vec<&&String> = want.iter().filter(|k| !unread.contains(k)).collect();
        assert!(
            unread_too.is_empty() && read_too.is_empty(),
            "{file}: unread too {unread_too:?}, read too {read_too:?}"
        );
        let findings = gongkai_report::check(&report);
        for k in &unread {
            assert!(
                findings
                    .iter()
                    .any(|f| f.rule == "TEXT.SCATTERED" && f.cells.contains(k)),
                "{file}: {k} unread without a finding"
            );
        }
        assert!(gongkai_report::has_errors(&findings), "{file}");
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
