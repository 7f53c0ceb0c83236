//! The spec's machine interface: JSON (`Report::to_json`, plus the sections) and a
//! long-form CSV, one row per cell.

use gongkai_report::{Report, Value};

/// The spec's JSON, pretty-printed. Sections are added when the report has any.
pub fn json(report: &Report) -> String {
    let mut v = report.to_json();
    if !report.sections.is_empty() {
        if let Some(obj) = v.as_object_mut() {
            let sections = report
                .sections
                .iter()
                .map(|s| serde_json::json!({ "heading": s.heading, "text": s.text }))
                .collect();
            obj.insert("sections".into(), serde_json::Value::Array(sections));
        }
    }
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string());
    out.push('\n');
    out
}

/// Long-form CSV, UTF-8 with a BOM (so spreadsheet programs read the Chinese):
/// `source,agency,year,template,key,value,raw`. `value` is the number, empty for
/// blank, or `n/a`; `raw` is the text as printed.
pub fn csv(report: &Report) -> String {
    let mut out = String::from("\u{FEFF}source,agency,year,template,key,value,raw\r\n");
    let source = field(&report.source);
    let agency = field(report.agency.as_deref().unwrap_or(""));
    let year = report.year.map(|y| y.to_string()).unwrap_or_default();
    let template = report.template.id();
    for (def, cell) in report.defined_cells() {
        if !def.in_template(report.template) && !cell.is_found() {
            continue;
        }
        let value = match cell.value {
            Value::Number(d) => d.to_string(),
            Value::Blank => String::new(),
            Value::NotApplicable => "n/a".to_string(),
        };
        out.push_str(&format!(
            "{source},{agency},{year},{template},{},{value},{}\r\n",
            def.key,
            field(&cell.raw)
        ));
    }
    out
}

/// One CSV field, quoted when it needs to be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::TemplateId;

    #[test]
    fn csv_has_bom_header_and_every_cell() {
        let mut r = Report::from_values(
            "a,b.json",
            TemplateId::T2021,
            [
                ("requests.new.total", Value::int(0)),
                ("requests.new.business", Value::NotApplicable),
            ],
        )
        .unwrap();
        r.agency = Some("某局".into());
        r.year = Some(2023);
        let c = csv(&r);
        assert!(c.starts_with("\u{FEFF}source,agency,year,template,key,value,raw\r\n"));
        assert!(c.contains("\"a,b.json\",某局,2023,2021,requests.new.total,0,0\r\n"));
        assert!(c.contains(",requests.new.business,n/a,/\r\n"));
        assert!(c.contains(",requests.new.research,,\r\n"));
        assert_eq!(
            c.lines().count(),
            1 + gongkai_report::template::keys(TemplateId::T2021).len()
        );
    }
}
