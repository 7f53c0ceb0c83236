//! Times tables 三 and 四 of one year over 1,000,000 cases.
//! Run: `cargo bench -p gongkai-cases --bench year_report`.

use chrono::{Duration, NaiveDate};
use gongkai_cases::case::{Appeal, Decision};
use gongkai_cases::{
    AppealKind, AppealResult, ApplicantKind, Calendar, Event, Outcome, Registry, Stage, Template,
    YearReport,
};
use std::hint::black_box;
use std::time::Instant;

const CASES: usize = 1_000_000;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    // One real case as the template; the million are copies with varied facts.
    let mut reg = Registry::new(Calendar::builtin());
    let ev: Event = serde_json::from_str(
        r#"{"case":"T","time":"2024-01-02T09:00:00+08:00","actor":"x","kind":"received",
            "payload":{"applicant":{"kind":"natural_person","name":"n"},"channel":"in_person","request":"r"}}"#,
    )
    .expect("template event");
    reg.apply(ev).expect("template case");
    let mut template = reg.get("T").expect("template case").clone();
    template.events.clear();
    template.events.shrink_to_fit();

    let t0 = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let base = NaiveDate::from_ymd_opt(2019, 1, 1).expect("date");
    let mut cases = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let mut c = template.clone();
        c.id = format!("{i}");
        c.applicant.kind = ApplicantKind::ALL[rng.below(6) as usize];
        c.receipt = base + Duration::days(rng.below(365 * 8) as i64);
        c.clock_start = c.receipt;
        if rng.below(10) != 0 {
            let d = c.receipt + Duration::days(rng.below(60) as i64);
            c.decision = Some(Decision {
                date: d,
                outcome: Outcome::ALL[rng.below(21) as usize],
                basis: String::new(),
            });
            c.stage = Stage::Decided;
            if rng.below(50) == 0 {
                let filed = d + Duration::days(rng.below(60) as i64);
                let resolved = (rng.below(3) != 0).then(|| {
                    (
                        filed + Duration::days(rng.below(120) as i64),
                        [
                            AppealResult::Upheld,
                            AppealResult::Corrected,
                            AppealResult::Other,
                        ][rng.below(3) as usize],
                    )
                });
                c.appeals.push(Appeal {
                    id: "a".into(),
                    kind: [AppealKind::Review, AppealKind::SuitDirect][rng.below(2) as usize],
                    body: String::new(),
                    filed,
                    resolved,
                });
            }
        }
        cases.push(c);
    }
    eprintln!("generated {CASES} cases in {:.2?}", t0.elapsed());

    // Warm up once, then time a few runs and report the best and the mean.
    let _ = black_box(YearReport::from_cases(&cases, 2024, Template::T2021));
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = YearReport::from_cases(black_box(&cases), 2024, Template::T2021);
        let cells = r.cells();
        times.push(t.elapsed());
        report = Some((r, cells));
    }
    let (r, cells) = report.expect("ran");
    let best = times.iter().min().expect("ran");
    let mean = times.iter().sum::<std::time::Duration>() / times.len() as u32;
    println!(
        "year_report: {CASES} cases, year 2024, template 2021: best {:.1} ms, mean {:.1} ms ({} cells; new.total = {}, carried_out.total = {})",
        best.as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
        cells.len(),
        r.request("new", "total").unwrap_or(0),
        r.request("carried_out", "total").unwrap_or(0),
    );
}
