//! `gongkai render` on published reports: a PDF, a web page, a text file and a
//! spreadsheet become this year's DOCX / XLSX / JSON with the same cells and, from
//! documents, the same prose; the spec's JSON still works; a file that is no report
//! is refused in one Chinese sentence.

use gongkai_report::{Report, Value, template};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .expect("run gongkai")
}

fn read(path: &Path) -> Report {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    gongkai_extract::read_bytes(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The hand-checked cells of a sample.
fn expected(stem: &str) -> (String, Vec<(String, Value)>) {
    let text = std::fs::read_to_string(fixture(&format!("{stem}.expected.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cells = v["cells"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), Value::from_json(v).unwrap()))
        .collect();
    (v["template"].as_str().unwrap().to_string(), cells)
}

fn assert_cells(got: &Report, stem: &str, what: &str) {
    let (t, cells) = expected(stem);
    assert_eq!(got.template.id(), t, "{what}");
    let diff: Vec<String> = cells
        .iter()
        .filter(|(k, v)| got.value(k) != *v)
        .map(|(k, v)| format!("{k}: {} ≠ {v}", got.value(k)))
        .collect();
    assert!(diff.is_empty(), "{what}:\n{}", diff.join("\n"));
}

#[test]
fn a_published_pdf_becomes_a_docx_with_its_cells_and_prose() {
    let tmp = tempfile::tempdir().unwrap();
    let pdf = fixture("huaian-2024.pdf");
    let out = tmp.path().join("2025.docx");
    let o = gongkai(&["render", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("已生成"), "{err}");
    let original = read(&pdf);
    let written = read(&out);
    assert_cells(&written, "huaian-2024", "huaian.pdf → docx");
    assert_eq!(
        (&written.agency, written.year),
        (&original.agency, original.year)
    );
    // The prose of 一、五、六 as printed (the 落款 the writer prints under 六 is not
    // part of the prose).
    for i in [0, 4, 5] {
        let want = gongkai_render::section_paragraphs(&original, i);
        assert!(want.concat().chars().count() > 20, "section {i}: {want:?}");
        assert_eq!(
            gongkai_render::section_text(&written, i),
            gongkai_render::section_text(&original, i),
            "section {i}"
        );
    }
}

#[test]
fn a_web_page_a_text_and_a_spreadsheet_are_rendered_too() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, stem, format) in [
        ("pingtan-2023.html", "pingtan-2023", "xlsx"),
        ("fengxiang-2020.txt", "fengxiang-2020", "html"),
        ("office/qingtongxia-2021.xlsx", "qingtongxia-2021", "docx"),
    ] {
        let out = tmp.path().join(format!("{stem}.{format}"));
        let o = gongkai(&[
            "render",
            fixture(file).to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{file}: {err}");
        assert_cells(&read(&out), stem, &format!("{file} → {format}"));
    }
}

/// JSON written from a text report carries exactly the cells the reader read, and
/// renders back to the same cells: the two inputs are one.
#[test]
fn the_json_of_a_read_report_renders_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let txt = fixture("qingtongxia-2021.txt");
    let o = gongkai(&["render", txt.to_str().unwrap(), "-f", "json", "-o", "-"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let from_json = Report::from_json(&v).unwrap();
    assert_cells(&from_json, "qingtongxia-2021", "txt → json");
    let json = tmp.path().join("r.json");
    std::fs::write(&json, &o.stdout).unwrap();
    let out = tmp.path().join("r.docx");
    let o = gongkai(&[
        "render",
        json.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let back = read(&out);
    for k in template::keys(from_json.template) {
        assert_eq!(back.value(k), from_json.value(k), "{k}");
    }
}

#[test]
fn a_file_that_is_no_report_is_refused_in_one_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("会议纪要.txt");
    std::fs::write(&notes, "本周例会讨论了办公用品采购事宜。\n").unwrap();
    let png = tmp.path().join("图片.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    for (path, cause) in [(&notes, "未找到年报的统计表格"), (&png, "PNG 图片")] {
        let o = gongkai(&["render", path.to_str().unwrap(), "-o", "-", "-f", "json"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(err.starts_with("错误：无法读取"), "{err}");
        assert!(err.contains(name) && err.contains(cause), "{err}");
        assert!(o.stdout.is_empty());
    }
}
