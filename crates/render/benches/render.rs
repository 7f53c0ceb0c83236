//! Renders one report in every format and prints the time per format.
//! Run with `cargo bench -p gongkai-render`.

use gongkai_render::{Format, Options, render};
use gongkai_report::Report;
use std::time::{Duration, Instant};

fn main() {
    let text = include_str!("../tests/data/qingtongxia-2021.json");
    let report = Report::from_json(&serde_json::from_str(text).expect("JSON")).expect("report");
    let opts = Options::default();

    // First PDF: reads and parses the CJK fonts (cached for the rest of the process).
    let t = Instant::now();
    match gongkai_render::pdf::fonts() {
        Ok(f) => println!(
            "font load (once per process): {:>9.1} ms  ({})",
            ms(t.elapsed()),
            f.files.join(", ")
        ),
        Err(e) => println!("font load failed: {e}"),
    }
    let t = Instant::now();
    let first = render(&report, Format::Pdf, &opts);
    println!("pdf, first document:          {:>9.1} ms", ms(t.elapsed()));
    let have_pdf = first.is_ok();

    println!(
        "{:<8}{:>12}{:>12}{:>12}",
        "format", "ms/report", "bytes", "runs"
    );
    for format in Format::ALL {
        if format == Format::Pdf && !have_pdf {
            println!("{:<8}{:>12}", "pdf", "skipped (no font)");
            continue;
        }
        let runs = if format == Format::Pdf { 10 } else { 50 };
        let mut size = 0;
        let t = Instant::now();
        for _ in 0..runs {
            size = render(&report, format, &opts).expect("render").len();
        }
        let per = ms(t.elapsed()) / runs as f64;
        println!("{:<8}{:>12.2}{:>12}{:>12}", format.name(), per, size, runs);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
