//! Statutory time limits of a case at a given date, with a plain explanation.
//!
//! The answer period is 20 working days (条例第三十三条第二款) from the day after
//! receipt, or after the supplemented application (第三十条), plus an approved
//! extension. Consultation time (第三十三条第三款) and the fee payment window do not
//! count: those days are skipped. An unanswered consultation pauses the clock until
//! the consultee's own 15-working-day limit at most; an open pause is assumed to
//! end on the day asked about, so the due date shown is never later than the real one.

use crate::calendar::{Calendar, CalendarError};
use crate::case::{ANSWER_DAYS, Case, Stage};
use chrono::NaiveDate;
use serde::Serialize;

/// A span during which the answer clock stood still: days in `(from, to]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PauseSpan {
    pub reason: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Still running on the day asked about.
    pub open: bool,
    /// Working days in the span that fall in the running period.
    pub working_days: i64,
}

/// A deadline the applicant has to meet while the answer clock is not running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplicantDeadline {
    /// "补正" or "缴费".
    pub what: &'static str,
    pub due: NaiveDate,
}

/// A case's time limits as of `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub case: String,
    pub stage: Stage,
    pub at: NaiveDate,
    pub receipt: NaiveDate,
    pub clock_start: NaiveDate,
    /// 20, or 20 + extension.
    pub limit_days: u32,
    /// When the answer is due; `None` while the period has not started again (补正).
    pub answer_due: Option<NaiveDate>,
    pub applicant_due: Option<ApplicantDeadline>,
    /// The date that matters next: the answer due date, or the applicant's deadline.
    pub next_due: NaiveDate,
    /// Working days from `at` to `next_due`; negative when overdue.
    pub working_days_left: i64,
    /// The clock is paused on `at` (consultation or fee).
    pub paused: bool,
    pub pauses: Vec<PauseSpan>,
    /// How the due date was reached, in Chinese.
    pub explanation: String,
}

struct Span {
    reason: String,
    from: NaiveDate,
    to: NaiveDate,
    open: bool,
}

/// The last day a case's state can affect: concluded cases stop at their conclusion.
fn effective_at(case: &Case, at: NaiveDate) -> NaiveDate {
    match case.concluded() {
        Some((d, _)) => at.min(d),
        None => at,
    }
}

fn pause_spans(case: &Case, at: NaiveDate) -> Vec<Span> {
    let mut spans = Vec::new();
    for c in &case.consultations {
        let (end, open) = match c.replied {
            Some(r) => (r.min(c.reply_due), false),
            None => (at.min(c.reply_due), at < c.reply_due),
        };
        let label = if c.name.is_empty() {
            format!("征求{}意见", c.consultee.label())
        } else {
            format!("征求{}「{}」意见", c.consultee.label(), c.name)
        };
        spans.push(Span {
            reason: label,
            from: c.sent,
            to: end,
            open,
        });
    }
    if let Some(f) = &case.fee {
        let (end, open) = match f.paid {
            Some(p) => (p.min(f.payment_due), false),
            None => (at.min(f.payment_due), at < f.payment_due),
        };
        spans.push(Span {
            reason: format!(
                "等待缴纳信息处理费（{}，{} 元）",
                f.method.label(),
                f.amount_yuan
            ),
            from: f.date,
            to: end,
            open,
        });
    }
    spans.retain(|s| s.to > s.from);
    spans
}

fn limit_days(case: &Case) -> u32 {
    ANSWER_DAYS + case.extension.as_ref().map_or(0, |e| e.working_days)
}

/// The answer due date as known on `at` (used by the transition checks).
pub fn answer_due(case: &Case, cal: &Calendar, at: NaiveDate) -> Result<NaiveDate, CalendarError> {
    let at = effective_at(case, at);
    let spans = pause_spans(case, at);
    cal.add_working_days_skipping(case.clock_start, limit_days(case), |d| {
        spans.iter().any(|s| s.from < d && d <= s.to)
    })
}

/// Time limits of `case` as of `at`.
pub fn deadline(case: &Case, cal: &Calendar, at: NaiveDate) -> Result<Deadline, CalendarError> {
    let eff = effective_at(case, at);
    let spans = pause_spans(case, eff);
    let limit = limit_days(case);
    let waiting_correction = case.stage == Stage::AwaitingCorrection;
    let answer_due = if waiting_correction {
        None
    } else {
        Some(cal.add_working_days_skipping(case.clock_start, limit, |d| {
            spans.iter().any(|s| s.from < d && d <= s.to)
        })?)
    };
    let applicant_due = match case.stage {
        Stage::AwaitingCorrection => case.correction.as_ref().map(|c| ApplicantDeadline {
            what: "补正",
            due: c.supplement_due,
        }),
        Stage::AwaitingPayment => case.fee.as_ref().map(|f| ApplicantDeadline {
            what: "缴费",
            due: f.payment_due,
        }),
        _ => None,
    };
    let next_due = match (&applicant_due, answer_due) {
        (Some(a), _) => a.due,
        (None, Some(d)) => d,
        (None, None) => case.clock_start, // unreachable in practice: no clock and nothing awaited
    };
    let working_days_left = cal.working_days_between(at, next_due)?;
    let mut pauses = Vec::new();
    for s in &spans {
        let start = s.from.max(case.clock_start);
        let wd = if s.to > start {
            cal.working_days_between(start, s.to)?
        } else {
            0
        };
        pauses.push(PauseSpan {
            reason: s.reason.clone(),
            from: s.from,
            to: s.to,
            open: s.open,
            working_days: wd,
        });
    }
    let paused = !case.stage.is_closed() && spans.iter().any(|s| s.open);

    let explanation = explain(
        case,
        limit,
        answer_due,
        &applicant_due,
        &pauses,
        at,
        working_days_left,
    );
    Ok(Deadline {
        case: case.id.clone(),
        stage: case.stage,
        at,
        receipt: case.receipt,
        clock_start: case.clock_start,
        limit_days: limit,
        answer_due,
        applicant_due,
        next_due,
        working_days_left,
        paused,
        pauses,
        explanation,
    })
}

fn explain(
    case: &Case,
    limit: u32,
    answer_due: Option<NaiveDate>,
    applicant_due: &Option<ApplicantDeadline>,
    pauses: &[PauseSpan],
    at: NaiveDate,
    left: i64,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let how = if case.receipt == case.submitted {
        case.channel.label().to_owned()
    } else {
        format!("{}，{} 提交", case.channel.label(), case.submitted)
    };
    parts.push(format!(
        "收到申请之日为 {}（{how}，条例第三十一条）",
        case.receipt
    ));
    if let Some(c) = &case.correction {
        match c.supplemented {
            Some(s) => parts.push(format!(
                "{} 发出补正通知，{} 收到补正材料，答复期限自该日重新起算（条例第三十条）",
                c.notice, s
            )),
            None => parts.push(format!(
                "{} 发出补正通知，补正期限至 {}；补正前答复期限不计算，逾期不补正视为放弃申请（条例第三十条）",
                c.notice, c.supplement_due
            )),
        }
    }
    match &case.extension {
        Some(e) => parts.push(format!(
            "答复期限 {ANSWER_DAYS} 个工作日，{} 经{}批准延长 {} 个工作日，共 {limit} 个工作日（条例第三十三条第二款）",
            e.date, e.approved_by, e.working_days
        )),
        None => parts.push(format!(
            "答复期限 {ANSWER_DAYS} 个工作日（条例第三十三条第二款）"
        )),
    }
    for p in pauses {
        let tail = if p.open {
            "（尚未结束，暂按截至今日计算，届满日将随之顺延）"
        } else {
            ""
        };
        parts.push(format!(
            "{}，自 {} 至 {}，不计入答复期限 {} 个工作日{}",
            p.reason, p.from, p.to, p.working_days, tail
        ));
    }
    if let Some(due) = answer_due {
        parts.push(format!(
            "自 {} 次日起算，答复期限届满日为 {due}",
            case.clock_start
        ));
    }
    if let Some(a) = applicant_due {
        parts.push(format!("申请人{}期限至 {}", a.what, a.due));
    }
    if let Some((d, o)) = case.concluded() {
        let timely = match answer_due {
            Some(due) if d <= due => "，在期限内",
            Some(_) => "，已超过答复期限",
            None => "",
        };
        parts.push(format!("{d} 办结：{}{timely}", o.label()));
    } else if left >= 0 {
        parts.push(format!("截至 {at} 尚余 {left} 个工作日"));
    } else {
        parts.push(format!("截至 {at} 已逾期 {} 个工作日", -left));
    }
    parts.join("；") + "。"
}

#[cfg(test)]
mod tests {
    use crate::calendar::Calendar;
    use crate::case::Registry;
    use crate::event::{Event, EventBody};
    use crate::model::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ev(case: &str, date: &str, body: EventBody) -> Event {
        Event {
            case: case.into(),
            time: format!("{date}T10:00:00+08:00").parse().unwrap(),
            actor: "王芳".into(),
            body,
        }
    }

    fn received(case: &str, date: &str) -> Event {
        ev(
            case,
            date,
            EventBody::Received {
                applicant: Applicant {
                    kind: ApplicantKind::NaturalPerson,
                    name: "张三".into(),
                    id: None,
                },
                channel: Channel::InPerson,
                submitted: None,
                confirmed: None,
                request: "某项目环评批复".into(),
            },
        )
    }

    fn reg() -> Registry {
        Registry::new(Calendar::builtin())
    }

    fn due(r: &Registry, case: &str, at: &str) -> crate::Deadline {
        crate::deadline(r.get(case).unwrap(), r.calendar(), d(at)).unwrap()
    }

    /// 条例第三十三条第二款：自收到申请之日起 20 个工作日内答复。
    #[test]
    fn art33_twenty_working_days_from_receipt() {
        let mut r = reg();
        r.apply(received("A", "2026-02-10")).unwrap();
        let dl = due(&r, "A", "2026-02-10");
        assert_eq!(dl.answer_due, Some(d("2026-03-16")));
        assert_eq!(dl.working_days_left, 20);
        assert!(
            dl.explanation.contains("收到申请之日为 2026-02-10"),
            "{}",
            dl.explanation
        );
        assert!(
            dl.explanation.contains("届满日为 2026-03-16"),
            "{}",
            dl.explanation
        );
        let late = due(&r, "A", "2026-03-18");
        assert_eq!(late.working_days_left, -2);
        assert!(late.explanation.contains("已逾期 2 个工作日"));
    }

    /// 条例第三十条：补正后答复期限自收到补正申请之日起计算。
    #[test]
    fn art30_clock_restarts_on_supplement() {
        let mut r = reg();
        r.apply(received("A", "2026-02-10")).unwrap();
        r.apply(ev(
            "A",
            "2026-02-12",
            EventBody::CorrectionRequested {
                items: "信息名称".into(),
                supplement_due: d("2026-03-06"),
            },
        ))
        .unwrap();
        let waiting = due(&r, "A", "2026-02-13");
        assert_eq!(waiting.answer_due, None);
        assert_eq!(waiting.next_due, d("2026-03-06"));
        assert_eq!(waiting.applicant_due.as_ref().unwrap().what, "补正");
        r.apply(ev(
            "A",
            "2026-03-02",
            EventBody::Supplemented { note: None },
        ))
        .unwrap();
        let dl = due(&r, "A", "2026-03-02");
        assert_eq!(dl.clock_start, d("2026-03-02"));
        assert_eq!(
            dl.answer_due,
            Some(r.calendar().add_working_days(d("2026-03-02"), 20).unwrap())
        );
        assert!(dl.explanation.contains("重新起算"), "{}", dl.explanation);
    }

    /// 条例第三十三条第三款：征求第三方和其他机关意见所需时间不计算在期限内。
    #[test]
    fn art33_consultation_time_not_counted() {
        let mut r = reg();
        r.apply(received("A", "2026-03-02")).unwrap(); // Monday
        r.apply(ev(
            "A",
            "2026-03-04",
            EventBody::ConsultationSent {
                consultation: "c1".into(),
                consultee: Consultee::ThirdParty,
                name: "某公司".into(),
            },
        ))
        .unwrap();
        // Open consultation: paused up to the day asked about (5 working days 03-05..03-11).
        let open = due(&r, "A", "2026-03-11");
        assert!(open.paused);
        let base = r.calendar().add_working_days(d("2026-03-02"), 20).unwrap();
        assert_eq!(
            open.answer_due,
            Some(r.calendar().add_working_days(base, 5).unwrap())
        );
        r.apply(ev(
            "A",
            "2026-03-13",
            EventBody::ConsultationReplied {
                consultation: "c1".into(),
                consent: Some(false),
            },
        ))
        .unwrap();
        let dl = due(&r, "A", "2026-03-13");
        assert!(!dl.paused);
        assert_eq!(dl.pauses[0].working_days, 7);
        assert_eq!(
            dl.answer_due,
            Some(r.calendar().add_working_days(base, 7).unwrap())
        );
        assert!(
            dl.explanation.contains("不计入答复期限 7 个工作日"),
            "{}",
            dl.explanation
        );
    }

    /// 条例第三十二条：第三方 15 个工作日内未答复的，由行政机关决定；暂停至此为止。
    #[test]
    fn art32_pause_ends_with_consultee_limit() {
        let mut r = reg();
        r.apply(received("A", "2026-03-02")).unwrap();
        r.apply(ev(
            "A",
            "2026-03-02",
            EventBody::ConsultationSent {
                consultation: "c1".into(),
                consultee: Consultee::Agency,
                name: "市自然资源局".into(),
            },
        ))
        .unwrap();
        let dl = due(&r, "A", "2026-06-01");
        assert!(!dl.paused);
        assert_eq!(dl.pauses[0].working_days, 15);
        assert_eq!(
            dl.answer_due,
            Some(r.calendar().add_working_days(d("2026-03-02"), 35).unwrap())
        );
    }

    /// 条例第三十三条第二款：延长期限最长 20 个工作日。
    #[test]
    fn art33_extension_adds_working_days() {
        let mut r = reg();
        r.apply(received("A", "2026-09-18")).unwrap();
        r.apply(ev(
            "A",
            "2026-10-09",
            EventBody::Extended {
                working_days: 20,
                approved_by: "李主任".into(),
                reason: "信息量大".into(),
            },
        ))
        .unwrap();
        let dl = due(&r, "A", "2026-10-09");
        assert_eq!(dl.limit_days, 40);
        assert_eq!(dl.answer_due, Some(d("2026-11-19")));
        assert!(
            dl.explanation.contains("经李主任批准延长 20 个工作日"),
            "{}",
            dl.explanation
        );
    }

    /// 办法第六条：等待缴费期间答复期限暂停。
    #[test]
    fn fee_window_pauses_the_clock() {
        let mut r = reg();
        r.apply(received("A", "2026-03-02")).unwrap();
        r.apply(ev(
            "A",
            "2026-03-03",
            EventBody::FeeNoticed {
                method: FeeMethod::PerVolume,
                amount_yuan: 700,
                pages: Some(100),
            },
        ))
        .unwrap();
        let w = due(&r, "A", "2026-03-05");
        assert!(w.paused);
        assert_eq!(w.applicant_due.as_ref().unwrap().what, "缴费");
        r.apply(ev("A", "2026-03-06", EventBody::FeePaid { note: None }))
            .unwrap();
        let dl = due(&r, "A", "2026-03-06");
        let base = r.calendar().add_working_days(d("2026-03-02"), 20).unwrap();
        assert_eq!(
            dl.answer_due,
            Some(r.calendar().add_working_days(base, 3).unwrap())
        );
    }

    #[test]
    fn deadline_beyond_calendar_is_an_error() {
        let mut r = reg();
        r.apply(received("A", "2026-12-15")).unwrap();
        assert!(crate::deadline(r.get("A").unwrap(), r.calendar(), d("2026-12-16")).is_err());
    }

    #[test]
    fn concluded_case_reports_timeliness() {
        let mut r = reg();
        r.apply(received("A", "2026-02-10")).unwrap();
        r.apply(ev(
            "A",
            "2026-03-10",
            EventBody::Decided {
                outcome: Outcome::Granted,
                basis: None,
                note: None,
            },
        ))
        .unwrap();
        let dl = due(&r, "A", "2026-04-01");
        assert!(dl.explanation.contains("在期限内"), "{}", dl.explanation);
    }
}
