//! Random case histories over several years: every identity of spec/README.md holds
//! for the derived tables 三 and 四, and each year's carried_out is next year's carried_in.

use chrono::{Duration, NaiveDate};
use gongkai_cases::{
    AppealKind, AppealResult, Applicant, ApplicantKind, Calendar, Channel, Consultee, Event,
    EventBody, FeeMethod, Outcome, Registry, Template, YearReport,
};
use proptest::prelude::*;
use std::collections::HashMap;

const COLUMNS: [&str; 6] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
];

#[derive(Clone, Debug)]
enum Path {
    Open,
    Decide { after: i64, outcome: usize },
    Withdraw { after: i64 },
    NoCorrection { extra: i64 },
    FeeUnpaid { extra: i64 },
    ConsultThenDecide { reply_after: i64, outcome: usize },
}

#[derive(Clone, Debug)]
struct Spec {
    kind: usize,
    receipt: i64,
    path: Path,
    extend: bool,
    appeal: Option<(i64, Option<(i64, usize)>, bool)>,
}

fn path() -> impl Strategy<Value = Path> {
    prop_oneof![
        2 => Just(Path::Open),
        6 => (0i64..200, 0usize..21).prop_map(|(after, outcome)| Path::Decide { after, outcome }),
        1 => (0i64..60).prop_map(|after| Path::Withdraw { after }),
        1 => (1i64..30).prop_map(|extra| Path::NoCorrection { extra }),
        1 => (1i64..30).prop_map(|extra| Path::FeeUnpaid { extra }),
        1 => (0i64..40, 0usize..21).prop_map(|(reply_after, outcome)| Path::ConsultThenDecide { reply_after, outcome }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..6,
        0i64..(365 * 7 + 150),
        path(),
        any::<bool>(),
        proptest::option::of((
            0i64..500,
            proptest::option::of((0i64..400, 0usize..3)),
            any::<bool>(),
        )),
    )
        .prop_map(|(kind, receipt, path, extend, appeal)| Spec {
            kind,
            receipt,
            path,
            extend,
            appeal,
        })
}

fn ev(case: &str, date: NaiveDate, body: EventBody) -> Event {
    Event {
        case: case.into(),
        time: format!("{date}T10:00:00+08:00").parse().unwrap(),
        actor: "测试".into(),
        body,
    }
}

/// Outcomes that need no special earlier steps.
fn plain_outcome(i: usize) -> Outcome {
    let plain: Vec<Outcome> = Outcome::ALL
        .into_iter()
        .filter(|o| {
            !matches!(
                o,
                Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid | Outcome::UnavailableUnclear
            )
        })
        .collect();
    plain[i % plain.len()]
}

fn build(specs: &[Spec]) -> Registry {
    let cal = Calendar::builtin();
    let mut reg = Registry::new(cal.clone());
    let base = NaiveDate::from_ymd_opt(2019, 1, 2).unwrap();
    for (i, s) in specs.iter().enumerate() {
        let id = format!("C{i}");
        let receipt = base + Duration::days(s.receipt);
        let mut events = vec![ev(
            &id,
            receipt,
            EventBody::Received {
                applicant: Applicant {
                    kind: ApplicantKind::ALL[s.kind],
                    name: format!("申请人{}", i % 7),
                    id: None,
                },
                channel: Channel::InPerson,
                submitted: None,
                confirmed: None,
                request: "某信息".into(),
            },
        )];
        let next = receipt + Duration::days(1);
        if s.extend && matches!(s.path, Path::Decide { .. }) {
            events.push(ev(
                &id,
                next,
                EventBody::Extended {
                    working_days: 20,
                    approved_by: "负责人".into(),
                    reason: String::new(),
                },
            ));
        }
        let mut concluded = None;
        match &s.path {
            Path::Open => {}
            Path::Decide { after, outcome } => {
                let d = next + Duration::days(*after);
                events.push(ev(
                    &id,
                    d,
                    EventBody::Decided {
                        outcome: plain_outcome(*outcome),
                        basis: None,
                        note: None,
                    },
                ));
                concluded = Some(d);
            }
            Path::Withdraw { after } => {
                let d = receipt + Duration::days(*after);
                events.push(ev(
                    &id,
                    d,
                    EventBody::Withdrawn {
                        reason: String::new(),
                    },
                ));
                concluded = Some(d);
            }
            Path::NoCorrection { extra } => {
                let due = next + Duration::days(10);
                events.push(ev(
                    &id,
                    next,
                    EventBody::CorrectionRequested {
                        items: String::new(),
                        supplement_due: due,
                    },
                ));
                let d = due + Duration::days(*extra);
                events.push(ev(
                    &id,
                    d,
                    EventBody::Decided {
                        outcome: Outcome::OtherNoCorrection,
                        basis: None,
                        note: None,
                    },
                ));
                concluded = Some(d);
            }
            Path::FeeUnpaid { extra } => {
                events.push(ev(
                    &id,
                    next,
                    EventBody::FeeNoticed {
                        method: FeeMethod::PerVolume,
                        amount_yuan: 10,
                        pages: Some(31),
                    },
                ));
                let due = cal.add_working_days(next, 20).unwrap();
                let d = due + Duration::days(*extra);
                events.push(ev(
                    &id,
                    d,
                    EventBody::Decided {
                        outcome: Outcome::OtherFeeUnpaid,
                        basis: None,
                        note: None,
                    },
                ));
                concluded = Some(d);
            }
            Path::ConsultThenDecide {
                reply_after,
                outcome,
            } => {
                events.push(ev(
                    &id,
                    next,
                    EventBody::ConsultationSent {
                        consultation: "c1".into(),
                        consultee: Consultee::CoProducer,
                        name: "共同制作机关".into(),
                    },
                ));
                let r = next + Duration::days(*reply_after);
                events.push(ev(
                    &id,
                    r,
                    EventBody::ConsultationReplied {
                        consultation: "c1".into(),
                        consent: Some(true),
                    },
                ));
                events.push(ev(
                    &id,
                    r,
                    EventBody::Decided {
                        outcome: plain_outcome(*outcome),
                        basis: None,
                        note: None,
                    },
                ));
                concluded = Some(r);
            }
        }
        if let (Some(done), Some((filed_after, resolved, then_sue))) = (concluded, s.appeal) {
            let filed = done + Duration::days(filed_after);
            let kind = if then_sue {
                AppealKind::Review
            } else {
                AppealKind::SuitDirect
            };
            events.push(ev(
                &id,
                filed,
                EventBody::AppealFiled {
                    appeal: "a1".into(),
                    appeal_kind: kind,
                    body: String::new(),
                },
            ));
            if let Some((after, res)) = resolved {
                let d = filed + Duration::days(after);
                let result = [
                    AppealResult::Upheld,
                    AppealResult::Corrected,
                    AppealResult::Other,
                ][res];
                events.push(ev(
                    &id,
                    d,
                    EventBody::AppealResolved {
                        appeal: "a1".into(),
                        result,
                    },
                ));
                if then_sue {
                    events.push(ev(
                        &id,
                        d + Duration::days(3),
                        EventBody::AppealFiled {
                            appeal: "a2".into(),
                            appeal_kind: AppealKind::SuitAfterReview,
                            body: String::new(),
                        },
                    ));
                }
            }
        }
        for e in events {
            if let Err(err) = reg.apply(e.clone()) {
                panic!("generated event rejected: {err}\n{e:?}");
            }
        }
    }
    reg
}

fn check_identities(cells: &HashMap<String, u64>, template: Template, year: i32) {
    let get = |k: String| {
        *cells
            .get(&k)
            .unwrap_or_else(|| panic!("{year}: missing {k}"))
    };
    let outcome_rows = gongkai_cases::report::outcome_rows(template);
    for c in COLUMNS.iter().chain(["total"].iter()) {
        let new = get(format!("requests.new.{c}"));
        let cin = get(format!("requests.carried_in.{c}"));
        let total = get(format!("requests.total.{c}"));
        let cout = get(format!("requests.carried_out.{c}"));
        assert_eq!(new + cin, total + cout, "T3.FLOW {year} {c}");
        let sum: u64 = outcome_rows
            .iter()
            .map(|r| get(format!("requests.{r}.{c}")))
            .sum();
        assert_eq!(total, sum, "T3.OUTCOMES {year} {c}");
    }
    let mut rows = vec!["new", "carried_in", "total", "carried_out"];
    rows.extend(outcome_rows);
    for r in rows {
        let sum: u64 = COLUMNS
            .iter()
            .map(|c| get(format!("requests.{r}.{c}")))
            .sum();
        assert_eq!(
            get(format!("requests.{r}.total")),
            sum,
            "T3.COLUMNS {year} {r}"
        );
    }
    for a in ["review", "suit_direct", "suit_after_review"] {
        let sum: u64 = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| get(format!("appeals.{a}.{c}")))
            .sum();
        assert_eq!(get(format!("appeals.{a}.total")), sum, "T4.SUM {year} {a}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identities_hold_and_years_chain(specs in proptest::collection::vec(spec(), 0..80)) {
        let reg = build(&specs);
        let mut prev_out: Option<HashMap<String, u64>> = None;
        for year in 2019..=2027 {
            let r21 = YearReport::from_cases(reg.cases(), year, Template::T2021);
            let r19 = YearReport::from_cases(reg.cases(), year, Template::T2019);
            let c21: HashMap<String, u64> = r21.cells().into_iter().collect();
            let c19: HashMap<String, u64> = r19.cells().into_iter().collect();
            check_identities(&c21, Template::T2021, year);
            check_identities(&c19, Template::T2019, year);
            for c in COLUMNS.iter().chain(["total"].iter()) {
                let others: u64 = ["no_correction", "fee_unpaid", "other"]
                    .iter()
                    .map(|r| c21[&format!("requests.other.{r}.{c}")])
                    .sum();
                prop_assert_eq!(c19[&format!("requests.other.{c}")], others, "2019 other = sum of 2021 other.*");
                if let Some(prev) = &prev_out {
                    prop_assert_eq!(
                        c21[&format!("requests.carried_in.{c}")],
                        prev[&format!("requests.carried_out.{c}")],
                        "YEAR.CARRY {} {}", year, c
                    );
                }
            }
            // Every case received by the end of the year is counted exactly once as new,
            // somewhere over the years.
            prev_out = Some(c21);
        }
        let news: u64 = (2019..=2027)
            .map(|y| YearReport::from_cases(reg.cases(), y, Template::T2021).request("new", "total").unwrap())
            .sum();
        prop_assert_eq!(news, reg.cases().len() as u64);
    }
}

#[test]
fn a_small_known_history() {
    let specs = vec![
        Spec {
            kind: 0,
            receipt: 360,
            path: Path::Decide {
                after: 10,
                outcome: 0,
            },
            extend: false,
            appeal: None,
        },
        Spec {
            kind: 1,
            receipt: 362,
            path: Path::Open,
            extend: false,
            appeal: None,
        },
        Spec {
            kind: 5,
            receipt: 100,
            path: Path::Withdraw { after: 3 },
            extend: false,
            appeal: Some((10, None, false)),
        },
    ];
    let reg = build(&specs);
    let r2019 = YearReport::from_cases(reg.cases(), 2019, Template::T2019);
    assert_eq!(r2019.request("new", "total"), Some(3));
    assert_eq!(r2019.request("other", "other_org"), Some(1));
    assert_eq!(r2019.request("carried_out", "total"), Some(2));
    assert_eq!(r2019.appeal(AppealKind::SuitDirect, "pending"), Some(1));
    let r2020 = YearReport::from_cases(reg.cases(), 2020, Template::T2019);
    assert_eq!(r2020.request("carried_in", "natural_person"), Some(1));
    assert_eq!(r2020.request("granted", "natural_person"), Some(1));
    assert_eq!(r2020.request("carried_out", "business"), Some(1));
    // An appeal still pending is reported again the next year.
    assert_eq!(r2020.appeal(AppealKind::SuitDirect, "pending"), Some(1));
}
