//! What the web's page tests share: a published annual report stored as
//! `gongkai ingest` keeps it, so the portal lists it.
#![allow(dead_code)]

use gongkai_office::Office;

/// Stores `agency`'s 2025 annual report with `cells` exactly as printed and the
/// prose of its first section.
pub async fn store_published_report(
    office: &Office,
    agency: &str,
    cells: Vec<(&str, gongkai_report::Value)>,
) {
    let mut report = gongkai_report::Report::from_values(
        "2025年报.txt",
        gongkai_report::TemplateId::T2021,
        cells,
    )
    .unwrap();
    report.agency = Some(agency.to_string());
    report.year = Some(2025);
    report.sections.push(gongkai_report::Section {
        heading: "一、总体情况".into(),
        text: "2025年，本机关坚持以公开为常态、不公开为例外。".into(),
    });
    let file = gongkai_store::PreparedFile {
        path: "2025年报.txt".into(),
        file_name: "2025年报.txt".into(),
        hash: "ab".repeat(32),
        size: 1,
        format: Some("text"),
        reports: vec![gongkai_store::PreparedReport {
            member: "2025年报.txt".into(),
            format: "text",
            report,
            findings: Vec::new(),
        }],
        failures: Vec::new(),
    };
    assert!(office.store.store_file(&file, false).await.unwrap());
}
