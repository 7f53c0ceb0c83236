//! Render → read back → the same cell values. HTML, DOCX, PDF and XLSX are read back
//! with the project's reader (gongkai_extract); XLSX also with calamine, cell by cell
//! at its layout position; CSV and JSON by the spec's machine interface.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{any_report, sample, values};
use gongkai_render::layout::{self, Content};
use gongkai_render::{Format, Options, render};
use gongkai_report::{Decimal, Report, TemplateId, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;

const OPTS: Options = Options {
    fill_blank_zero: false,
};

fn read_back(r: &Report, format: Format) -> Report {
    let bytes = render(r, format, &OPTS).unwrap();
    let name = format!("rendered.{}", format.name());
    match gongkai_extract::read_bytes(&name, &bytes) {
        Ok(back) => back,
        Err(e) => panic!("{name}: the reader refused the rendered file: {e}"),
    }
}

fn assert_same_cells(r: &Report, back: &Report, what: &str) {
    assert_eq!(back.template, r.template, "{what}: template");
    let (want, got) = (values(r), values(back));
    let diff: Vec<String> = want
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: rendered {v}, read {:?}", got.get(k)))
        .collect();
    assert!(
        diff.is_empty(),
        "{what}: {} cells differ:\n{}",
        diff.len(),
        diff.join("\n")
    );
}

// ----------------------------------------------------------------------------- JSON / CSV

fn from_csv(text: &str) -> Report {
    let text = text.strip_prefix('\u{FEFF}').expect("BOM");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("source,agency,year,template,key,value,raw")
    );
    let mut report: Option<Report> = None;
    for line in lines {
        let f = split_csv(line);
        assert_eq!(f.len(), 7, "{line}");
        let r = report.get_or_insert_with(|| {
            let mut r = Report::new(f[0].clone(), TemplateId::parse(&f[3]).unwrap());
            r.agency = Some(f[1].clone()).filter(|a| !a.is_empty());
            r.year = f[2].parse().ok();
            r
        });
        let v = match f[5].as_str() {
            "" => Value::Blank,
            "n/a" => Value::NotApplicable,
            n => Value::Number(Decimal::parse(n).unwrap()),
        };
        r.set(&f[4], gongkai_report::Cell::from_value(v));
    }
    report.unwrap()
}

fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn machine_round_trip(r: &Report) {
    let json = render(r, Format::Json, &OPTS).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let back = Report::from_json(&v).unwrap();
    assert_same_cells(r, &back, "json");
    assert_eq!(
        (back.agency.as_deref(), back.year),
        (r.agency.as_deref(), r.year)
    );
    assert_eq!(back.sections, r.sections);

    let csv = String::from_utf8(render(r, Format::Csv, &OPTS).unwrap()).unwrap();
    let back = from_csv(&csv);
    assert_same_cells(r, &back, "csv");
    assert_eq!(
        (back.agency.as_deref(), back.year),
        (r.agency.as_deref(), r.year)
    );
}

#[test]
fn json_and_csv_round_trip_both_templates() {
    for t in TemplateId::ALL {
        machine_round_trip(&sample(t));
        machine_round_trip(&gongkai_render::blank(t));
    }
}

// ----------------------------------------------------------------------------- XLSX

/// Reads the rendered workbook back: every value cell at its layout position.
fn from_xlsx(r: &Report) -> BTreeMap<&'static str, Value> {
    let bytes = render(r, Format::Xlsx, &OPTS).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec!["表二", "表三", "表四"]);
    let mut out = BTreeMap::new();
    for t in layout::tables(r.template) {
        let range = wb.worksheet_range(t.sheet).unwrap();
        let merges: Vec<_> = wb
            .merge_cells_by_sheet_name(t.sheet)
            .unwrap()
            .into_iter()
            .map(|d| (d.start, d.end))
            .collect();
        for c in &t.cells {
            let pos = (gongkai_render::xlsx::FIRST_ROW + c.row as u32, c.col as u32);
            if c.rowspan > 1 || c.colspan > 1 {
                let end = (pos.0 + c.rowspan as u32 - 1, pos.1 + c.colspan as u32 - 1);
                assert!(
                    merges.contains(&(pos, end)),
                    "{}: merge {pos:?}-{end:?}",
                    t.sheet
                );
            }
            let cell = range.get_value(pos).cloned().unwrap_or(Data::Empty);
            match c.content {
                Content::Text(s) => assert_eq!(cell, Data::String(s.to_string()), "{}", t.sheet),
                Content::Value(k) => {
                    let v = match cell {
                        Data::Empty => Value::Blank,
                        Data::String(s) if s == "/" => Value::NotApplicable,
                        Data::Float(f) => Value::Number(Decimal::parse(&f.to_string()).unwrap()),
                        Data::Int(i) => Value::int(i),
                        Data::String(s) => Value::Number(Decimal::parse(&s).unwrap()),
                        other => panic!("{k}: unexpected {other:?}"),
                    };
                    out.insert(k, v);
                }
            }
        }
    }
    out
}

#[test]
fn xlsx_round_trip_both_templates() {
    for t in TemplateId::ALL {
        for r in [sample(t), gongkai_render::blank(t)] {
            assert_eq!(from_xlsx(&r), values(&r), "{t}");
            let back = read_back(&r, Format::Xlsx);
            assert_same_cells(&r, &back, &format!("xlsx {t}"));
            assert_eq!((&back.agency, back.year), (&r.agency, r.year), "xlsx {t}");
        }
    }
}

/// The workbook the project writes is read as a workbook, not as a ZIP of XML parts.
#[test]
fn written_xlsx_is_read_as_one_spreadsheet() {
    let bytes = render(&sample(TemplateId::T2021), Format::Xlsx, &OPTS).unwrap();
    let all = gongkai_extract::read_all("rendered.xlsx", &bytes);
    assert_eq!(all.len(), 1);
    let x = all[0].1.as_ref().unwrap();
    assert_eq!(x.format, gongkai_extract::Format::Xlsx);
    assert_same_cells(&sample(TemplateId::T2021), &x.report, "xlsx via read_all");
}

/// Figures a spreadsheet number cannot hold (more than 15 significant digits) are
/// written as their digits and read back unchanged.
#[test]
fn xlsx_keeps_digits_a_double_cannot() {
    let mut r = sample(TemplateId::T2021);
    let long = [
        ("requests.new.natural_person", "12345678901234567"),
        ("proactive.fees.amount_wan", "1234567890.1234567"),
        ("requests.granted.business", "100000000000000000000"),
    ];
    for (k, v) in long {
        r.set(
            k,
            gongkai_report::Cell::from_value(Value::Number(Decimal::parse(v).unwrap())),
        );
    }
    let back = read_back(&r, Format::Xlsx);
    for (k, v) in long {
        assert_eq!(
            back.value(k),
            Value::Number(Decimal::parse(v).unwrap()),
            "{k}"
        );
        assert_eq!(back.value(k).to_string(), v, "{k}");
    }
    assert_same_cells(&r, &back, "xlsx long figures");
    assert_eq!(from_xlsx(&r), values(&r));
}

#[test]
fn xlsx_fill_blank_zero_writes_numbers() {
    let r = gongkai_render::blank(TemplateId::T2021);
    let filled = gongkai_render::fill_blank_zero(&r);
    assert!(from_xlsx(&filled).values().all(|v| *v == Value::int(0)));
}

// ----------------------------------------------------------------------------- HTML / DOCX / PDF

#[test]
fn html_round_trip_both_templates() {
    for t in TemplateId::ALL {
        let r = sample(t);
        let back = read_back(&r, Format::Html);
        assert_same_cells(&r, &back, &format!("html {t}"));
        assert_eq!(back.year, r.year, "html {t}: year");
        let back = read_back(&gongkai_render::blank(t), Format::Html);
        assert_same_cells(&gongkai_render::blank(t), &back, &format!("html blank {t}"));
    }
}

#[test]
fn docx_round_trip_both_templates() {
    for t in TemplateId::ALL {
        let r = sample(t);
        let back = read_back(&r, Format::Docx);
        assert_same_cells(&r, &back, &format!("docx {t}"));
        assert_eq!(back.year, r.year, "docx {t}: year");
        let back = read_back(&gongkai_render::blank(t), Format::Docx);
        assert_same_cells(&gongkai_render::blank(t), &back, &format!("docx blank {t}"));
    }
}

#[test]
fn pdf_round_trip_both_templates() {
    for t in TemplateId::ALL {
        let r = sample(t);
        let back = read_back(&r, Format::Pdf);
        assert_same_cells(&r, &back, &format!("pdf {t}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_reports_round_trip_machine_and_xlsx(r in any_report()) {
        machine_round_trip(&r);
        prop_assert_eq!(from_xlsx(&r), values(&r));
        assert_same_cells(&r, &read_back(&r, Format::Xlsx), "xlsx");
    }

    #[test]
    fn random_reports_round_trip_html(r in any_report()) {
        assert_same_cells(&r, &read_back(&r, Format::Html), "html");
    }

    #[test]
    fn random_reports_round_trip_docx(r in any_report()) {
        assert_same_cells(&r, &read_back(&r, Format::Docx), "docx");
    }
}

proptest! {
    // Typesetting is slower: fewer cases.
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn random_reports_round_trip_pdf(r in any_report()) {
        assert_same_cells(&r, &read_back(&r, Format::Pdf), "pdf");
    }
}

// ----------------------------------------------------------------------------- a published report

/// A real published report (the huaian PDF, as the reader reads it), written in every
/// format and read back: the same cells; from DOCX, HTML and PDF the same prose of
/// 一、五、六 too; from XLSX (which holds the tables only) the cells, agency and year.
#[test]
fn published_pdf_round_trips_through_every_format() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/huaian-2024.pdf"
    );
    let r = gongkai_extract::read_bytes("huaian-2024.pdf", &std::fs::read(path).unwrap()).unwrap();
    assert!(!gongkai_render::section_paragraphs(&r, 0).is_empty());
    for format in [Format::Docx, Format::Html, Format::Pdf] {
        let back = read_back(&r, format);
        let what = format!("huaian → {}", format.name());
        assert_same_cells(&r, &back, &what);
        assert_eq!(
            (back.agency.as_deref(), back.year, back.published.as_deref()),
            (r.agency.as_deref(), r.year, r.published.as_deref()),
            "{what}"
        );
        for i in [0, 4, 5] {
            assert_eq!(
                gongkai_render::section_text(&back, i),
                gongkai_render::section_text(&r, i),
                "{what}: section {i}"
            );
        }
    }
    assert_eq!(from_xlsx(&r), values(&r), "huaian → xlsx");
    let back = read_back(&r, Format::Xlsx);
    assert_same_cells(&r, &back, "huaian → xlsx");
    assert_eq!(
        (&back.agency, back.year),
        (&r.agency, r.year),
        "huaian → xlsx"
    );
    machine_round_trip(&r);
}
