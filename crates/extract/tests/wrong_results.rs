//! Inputs that were once read silently wrong — a cell that is no number, an
//! over-long number, CR-only line endings, UTF-16 without a BOM, GBK names in a ZIP,
//! a blank template — each with the exact outcome it must have now, in every format.

use gongkai_extract::{read_all, read_bytes};
use gongkai_report::{Value, check};

mod generated;

use generated::fixture;

fn text_fixture(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

/// qingtongxia-2021.txt prints 行政许可 as `10164`: replace it with text that is no number.
fn with_licensing(printed: &str) -> String {
    let text = text_fixture("qingtongxia-2021.txt");
    assert!(text.contains("行政许可\t10164\t"));
    text.replace("行政许可\t10164\t", &format!("行政许可\t{printed}\t"))
}

const LICENSING: &str = "proactive.licensing.decisions";

#[test]
fn a_cell_that_is_no_number_is_reported_where_it_stands() {
    for printed in [
        "约10164",
        "10164。",
        "NaN",
        "1.0164e4",
        "一万零一百六十四",
        "#VALUE!",
    ] {
        let r = read_bytes("q.txt", with_licensing(printed).as_bytes()).unwrap();
        let c = r.cell(LICENSING).unwrap();
        assert_eq!(c.value, Value::Blank, "{printed}");
        assert_eq!(c.raw, printed);
        assert!(c.is_found());
        let f = check(&r);
        let hit = f
            .iter()
            .find(|f| f.rule == "VALUE.FORMAT")
            .unwrap_or_else(|| panic!("{printed}: {f:#?}"));
        assert_eq!(hit.cells, vec![LICENSING.to_string()]);
        assert!(hit.message.contains(printed), "{}", hit.message);
        assert!(hit.message.contains("行政许可"), "{}", hit.message);
        // Nothing else of the table moved.
        assert_eq!(
            r.value("proactive.penalty.decisions"),
            Value::int(2097),
            "{printed}"
        );
    }
}

#[test]
fn an_overlong_number_is_kept_exactly_and_reported() {
    let r = read_bytes("q.txt", with_licensing("99999999999999999999").as_bytes()).unwrap();
    let c = r.cell(LICENSING).unwrap();
    assert_eq!(
        c.value.number().unwrap().to_string(),
        "99999999999999999999"
    );
    let j = r.to_json();
    assert_eq!(
        j["cells"][LICENSING],
        serde_json::json!("99999999999999999999")
    );
    let back = gongkai_report::Report::from_json(&j).unwrap();
    assert_eq!(back.value(LICENSING), c.value);
    let f = check(&r);
    let hit = f
        .iter()
        .find(|f| f.rule == "VALUE.RANGE" && f.cells == [LICENSING])
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(
        hit.message.contains("99999999999999999999"),
        "{}",
        hit.message
    );
}

#[test]
fn the_same_in_html() {
    let html = text_fixture("html/qingtongxia-2021.html");
    let at = html.find(">10164<").expect("the 行政许可 cell");
    let bad = format!("{}>约10164<{}", &html[..at], &html[at + ">10164<".len()..]);
    let r = read_bytes("q.html", bad.as_bytes()).unwrap();
    assert_eq!(r.cell(LICENSING).unwrap().raw, "约10164");
    assert!(
        check(&r)
            .iter()
            .any(|f| f.rule == "VALUE.FORMAT" && f.cells == [LICENSING])
    );
}

#[test]
fn cr_only_line_endings_read_like_lf() {
    for name in ["tongjiang-2020.txt", "qingtongxia-2021.txt"] {
        let text = text_fixture(name).replace("\r\n", "\n");
        let a = read_bytes(name, text.as_bytes()).unwrap();
        let b = read_bytes(name, text.replace('\n', "\r").as_bytes()).unwrap();
        let c = read_bytes(name, text.replace('\n', "\r\n").as_bytes()).unwrap();
        assert_eq!(a.to_json(), b.to_json(), "{name}");
        assert_eq!(a.to_json(), c.to_json(), "{name}");
        assert_eq!(check(&a), check(&b), "{name}");
    }
}

#[test]
fn utf16_without_a_bom_is_text() {
    let text = text_fixture("tongjiang-2020.txt");
    let want = read_bytes("t", text.as_bytes()).unwrap().to_json();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [le, be] {
        let r = read_bytes("t", &bytes).unwrap();
        assert_eq!(r.to_json(), want);
    }
}

#[test]
fn gbk_member_names_are_decoded() {
    use std::io::Write;
    let name = "政府信息公开年报.txt";
    let (gbk, _, _) = encoding_rs::GBK.encode(name);
    let placeholder: String = "x".repeat(gbk.len());
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file(
            placeholder.as_str(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&fixture("tongjiang-2020.txt")).unwrap();
        z.finish().unwrap();
    }
    let mut bytes = buf.into_inner();
    let mut patched = 0;
    while let Some(at) = bytes
        .windows(placeholder.len())
        .position(|w| w == placeholder.as_bytes())
    {
        bytes[at..at + gbk.len()].copy_from_slice(&gbk);
        patched += 1;
    }
    assert_eq!(patched, 2, "local and central headers");
    let all = read_all("年报.zip", &bytes);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, format!("年报.zip/{name}"));
    assert!(all[0].1.is_ok());
}

#[test]
fn a_blank_template_does_not_pass() {
    let r = read_bytes("blank.docx", &fixture("template-2021-blank.docx")).unwrap();
    let f = check(&r);
    assert!(
        f.iter()
            .any(|f| f.rule == "REPORT.EMPTY" && f.severity == gongkai_report::Severity::Error),
        "{f:#?}"
    );
    assert!(gongkai_report::has_errors(&f));
    let meta = f.iter().find(|f| f.rule == "REPORT.META").expect("meta");
    assert!(meta.message.contains("单位名称"), "{}", meta.message);
}
