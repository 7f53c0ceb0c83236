//! Casework: registering applications and recording each legal step on the case
//! engine. A step is checked by the engine against the 条例 (its refusal, with the
//! article, is the error the clerk sees), stored as the engine's event together with
//! its statutory letter and the case's new inbox summary, in one transaction that
//! fails for the second of two clerks who read the same version.

use crate::calendar::OfficeCalendar;
use crate::error::{OfficeError, Result};
use crate::letters::{self, LetterKind};
use crate::roles::{Actor, Permission};
use crate::{Office, cst};
use chrono::{Datelike, NaiveTime, TimeZone, Utc};
use gongkai_cases::{
    AppealKind, AppealResult, Applicant, ApplicantKind, Case, Channel, Consultee, Deadline, Event,
    EventBody, FeeMethod, NaiveDate, Outcome, Stage, Template, YearReport, deadline,
};
use gongkai_store::office::{
    AgencyRow, CaseFilter, CaseListing, CaseRow, CaseSummary, DocumentInfo, EventRow,
    NewAttachment, NewCase, NewDocument,
};
use serde::{Deserialize, Serialize};

/// An application as the clerk registers it (paper, fax, e-mail) or the portal sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registration {
    pub channel: Channel,
    pub applicant_kind: ApplicantKind,
    pub applicant_name: String,
    #[serde(default)]
    pub id_type: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    pub request: String,
    /// The day it was handed in or arrived.
    pub submitted: NaiveDate,
    /// The signing / confirmation day where 第三十一条 needs one.
    #[serde(default)]
    pub confirmed: Option<NaiveDate>,
    /// The form and way of provision asked for (第二十九条), e.g. 「电子；在线下载」.
    #[serde(default)]
    pub provision: Option<String>,
}

/// One legal step on a case, as a clerk records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// 补正告知 (第三十条).
    RequestCorrection {
        items: String,
        supplement_due: NaiveDate,
    },
    /// The supplemented application arrived.
    Supplemented {
        #[serde(default)]
        note: Option<String>,
    },
    /// 征求意见 (第三十二、三十三、三十四条).
    Consult {
        consultee: Consultee,
        #[serde(default)]
        name: String,
    },
    ConsultationReplied {
        consultation: String,
        #[serde(default)]
        consent: Option<bool>,
    },
    /// 延期 (第三十三条第二款): approved by the head who records it.
    Extend { working_days: u32, reason: String },
    /// 收费通知 (国办函〔2020〕109号).
    NoticeFee {
        method: FeeMethod,
        amount_yuan: u64,
        #[serde(default)]
        pages: Option<u32>,
    },
    FeePaid {
        #[serde(default)]
        note: Option<String>,
    },
    /// 决定: the outcome is a table 三 row.
    Decide {
        outcome: Outcome,
        #[serde(default)]
        basis: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// 送达.
    Deliver {
        method: String,
        #[serde(default)]
        tracking: Option<String>,
    },
    Withdraw {
        #[serde(default)]
        reason: String,
    },
    /// 行政复议 / 行政诉讼 filed.
    FileAppeal {
        appeal_kind: AppealKind,
        #[serde(default)]
        body: String,
    },
    ResolveAppeal {
        appeal: String,
        result: AppealResult,
    },
}

/// The kinds of step, for offering the legal ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    RequestCorrection,
    Supplemented,
    Consult,
    ConsultationReplied,
    Extend,
    NoticeFee,
    FeePaid,
    Decide,
    Deliver,
    Withdraw,
    FileAppeal,
    ResolveAppeal,
}

impl StepKind {
    pub const ALL: [StepKind; 12] = [
        StepKind::RequestCorrection,
        StepKind::Supplemented,
        StepKind::Consult,
        StepKind::ConsultationReplied,
        StepKind::Extend,
        StepKind::NoticeFee,
        StepKind::FeePaid,
        StepKind::Decide,
        StepKind::Deliver,
        StepKind::Withdraw,
        StepKind::FileAppeal,
        StepKind::ResolveAppeal,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StepKind::RequestCorrection => "request_correction",
            StepKind::Supplemented => "supplemented",
            StepKind::Consult => "consult",
            StepKind::ConsultationReplied => "consultation_replied",
            StepKind::Extend => "extend",
            StepKind::NoticeFee => "notice_fee",
            StepKind::FeePaid => "fee_paid",
            StepKind::Decide => "decide",
            StepKind::Deliver => "deliver",
            StepKind::Withdraw => "withdraw",
            StepKind::FileAppeal => "file_appeal",
            StepKind::ResolveAppeal => "resolve_appeal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::RequestCorrection => "补正告知",
            StepKind::Supplemented => "收到补正",
            StepKind::Consult => "征求意见",
            StepKind::ConsultationReplied => "收到意见",
            StepKind::Extend => "延期答复",
            StepKind::NoticeFee => "收费通知",
            StepKind::FeePaid => "已缴费",
            StepKind::Decide => "作出答复",
            StepKind::Deliver => "送达",
            StepKind::Withdraw => "申请人撤回",
            StepKind::FileAppeal => "行政复议、诉讼",
            StepKind::ResolveAppeal => "复议、诉讼结果",
        }
    }

    pub fn parse(s: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::RequestCorrection { .. } => StepKind::RequestCorrection,
            Step::Supplemented { .. } => StepKind::Supplemented,
            Step::Consult { .. } => StepKind::Consult,
            Step::ConsultationReplied { .. } => StepKind::ConsultationReplied,
            Step::Extend { .. } => StepKind::Extend,
            Step::NoticeFee { .. } => StepKind::NoticeFee,
            Step::FeePaid { .. } => StepKind::FeePaid,
            Step::Decide { .. } => StepKind::Decide,
            Step::Deliver { .. } => StepKind::Deliver,
            Step::Withdraw { .. } => StepKind::Withdraw,
            Step::FileAppeal { .. } => StepKind::FileAppeal,
            Step::ResolveAppeal { .. } => StepKind::ResolveAppeal,
        }
    }
}

/// A due date as shown: the engine's deadline, and whether it is provisional
/// (counted Monday–Friday past the last holiday notice).
#[derive(Debug, Clone, Serialize)]
pub struct DueView {
    pub deadline: Deadline,
    /// Set when a date past the calendar's coverage was counted by weekdays only.
    pub provisional: Option<String>,
}

/// One line of the case's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    pub date: NaiveDate,
    pub recorded_at: String,
    pub actor: String,
    pub what: String,
    pub detail: String,
}

/// Everything the case page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub row: CaseRow,
    pub case: Case,
    pub due: Option<DueView>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<DocumentInfo>,
    pub attachments: Vec<gongkai_store::office::AttachmentInfo>,
    /// What the applicant told the office through the portal.
    pub messages: Vec<gongkai_store::portal::ApplicantMessageRow>,
    /// The 申请编号 the applicant was given online, for a case confirmed from the portal.
    pub portal_number: Option<String>,
    /// The steps the engine would accept today.
    pub next_steps: Vec<StepKind>,
    /// Open consultations and appeals, for the reply / result forms.
    pub open_consultations: Vec<String>,
    pub open_appeals: Vec<String>,
}

/// `1234567890…` with all but the first 3 and last 4 characters masked.
pub fn mask_id(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..3].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 7));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// A phone number with its middle four digits masked.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..3].iter().collect();
    out.push_str("****");
    out.extend(&chars[7..]);
    out
}

/// When an act of `date` happened: now, if `date` is today by the office's clock and
/// by the wall clock alike; else 09:00 of `date`. The event's date is what the
/// engine counts from, so it must be `date` itself: an office on a fixed clock (a
/// demo, a test) whose wall clock has passed midnight in Beijing must not record
/// tomorrow.
fn event_time(date: NaiveDate, today: NaiveDate) -> chrono::DateTime<chrono::FixedOffset> {
    let now = Utc::now().with_timezone(&cst());
    if date == today && now.date_naive() == today {
        return now;
    }
    let t = date.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
    cst().from_local_datetime(&t).single().unwrap_or(now)
}

fn parse_event(row: &EventRow) -> Result<Event> {
    serde_json::from_str(&row.event).map_err(|e| {
        OfficeError::Document(format!(
            "案件记录第 {} 条无法读取（数据可能已损坏）：{e}",
            row.seq
        ))
    })
}

/// Rebuilds a case from its stored events on the provisional calendar (an event
/// was checked when recorded; replaying must not fail on a year not yet covered).
fn replay(rows: &[EventRow], ordinal: u32, cal: &OfficeCalendar) -> Result<Case> {
    let first = rows
        .first()
        .ok_or_else(|| OfficeError::NotFound("案件没有任何记录".into()))?;
    let mut case = Case::open(&parse_event(first)?, ordinal).map_err(OfficeError::Invalid)?;
    for r in &rows[1..] {
        case.apply(&parse_event(r)?, &cal.provisional)
            .map_err(|m| {
                OfficeError::Document(format!("案件记录第 {} 条与办理规则不符：{m}", r.seq))
            })?;
    }
    Ok(case)
}

/// The case's due date on `at`: on the notices if they cover it, else provisional.
pub fn due_view(case: &Case, cal: &OfficeCalendar, at: NaiveDate) -> Option<DueView> {
    if case.stage.is_closed() {
        return None;
    }
    match deadline(case, &cal.official, at) {
        Ok(d) => Some(DueView {
            deadline: d,
            provisional: None,
        }),
        Err(_) => deadline(case, &cal.provisional, at).ok().map(|d| {
            let years: Vec<String> = cal.provisional_years.iter().map(|y| y.to_string()).collect();
            DueView {
                deadline: d,
                provisional: Some(format!(
                    "暂定：{} 年的放假安排尚未导入，按周一至周五为工作日计算；待导入{}年放假安排后自动重算",
                    years.join("、"),
                    years.first().cloned().unwrap_or_default()
                )),
            }
        }),
    }
}

/// The inbox columns of a case.
pub fn summarize(case: &Case, cal: &OfficeCalendar, at: NaiveDate) -> CaseSummary {
    let due = due_view(case, cal, at);
    CaseSummary {
        stage: stage_key(case.stage).to_string(),
        closed: case.stage.is_closed(),
        due_on: due.as_ref().map(|d| d.deadline.next_due.to_string()),
        due_provisional: due.as_ref().is_some_and(|d| d.provisional.is_some()),
        due_note: due.as_ref().map(|d| match &d.provisional {
            Some(p) => format!("{}。{p}", d.deadline.explanation),
            None => d.deadline.explanation.clone(),
        }),
        paused: due.as_ref().is_some_and(|d| d.deadline.paused),
        outcome: case.concluded().map(|(_, o)| o.row_key().to_string()),
        last_event_on: case.events.last().map(|e| e.date().to_string()),
        appeals_open: case.appeals.iter().any(|a| a.resolved.is_none()),
    }
}

pub fn stage_key(s: Stage) -> &'static str {
    match s {
        Stage::Received => "received",
        Stage::AwaitingCorrection => "awaiting_correction",
        Stage::InProcess => "in_process",
        Stage::AwaitingPayment => "awaiting_payment",
        Stage::Decided => "decided",
        Stage::Delivered => "delivered",
        Stage::Withdrawn => "withdrawn",
    }
}

pub fn stage_label(key: &str) -> &'static str {
    [
        Stage::Received,
        Stage::AwaitingCorrection,
        Stage::InProcess,
        Stage::AwaitingPayment,
        Stage::Decided,
        Stage::Delivered,
        Stage::Withdrawn,
    ]
    .into_iter()
    .find(|s| stage_key(*s) == key)
    .map_or("未知", |s| s.label())
}

/// The engine's event body for a step, with the references it assigns.
fn body_of(step: &Step, case: &Case, actor_name: &str) -> EventBody {
    match step.clone() {
        Step::RequestCorrection {
            items,
            supplement_due,
        } => EventBody::CorrectionRequested {
            items,
            supplement_due,
        },
        Step::Supplemented { note } => EventBody::Supplemented { note },
        Step::Consult { consultee, name } => EventBody::ConsultationSent {
            consultation: format!("征求意见{}", case.consultations.len() + 1),
            consultee,
            name,
        },
        Step::ConsultationReplied {
            consultation,
            consent,
        } => EventBody::ConsultationReplied {
            consultation,
            consent,
        },
        Step::Extend {
            working_days,
            reason,
        } => EventBody::Extended {
            working_days,
            approved_by: actor_name.to_string(),
            reason,
        },
        Step::NoticeFee {
            method,
            amount_yuan,
            pages,
        } => EventBody::FeeNoticed {
            method,
            amount_yuan,
            pages,
        },
        Step::FeePaid { note } => EventBody::FeePaid { note },
        Step::Decide {
            outcome,
            basis,
            note,
        } => EventBody::Decided {
            outcome,
            basis: basis.filter(|b| !b.trim().is_empty()),
            note,
        },
        Step::Deliver { method, tracking } => EventBody::Delivered {
            method: Some(method),
            tracking: tracking.filter(|t| !t.trim().is_empty()),
        },
        Step::Withdraw { reason } => EventBody::Withdrawn { reason },
        Step::FileAppeal { appeal_kind, body } => EventBody::AppealFiled {
            appeal: format!("复议诉讼{}", case.appeals.len() + 1),
            appeal_kind,
            body,
        },
        Step::ResolveAppeal { appeal, result } => EventBody::AppealResolved { appeal, result },
    }
}

/// A probe of each step kind, with ordinary values, to learn which the engine
/// accepts now (a form may still be refused for its particular values).
fn probe(kind: StepKind, case: &Case, today: NaiveDate) -> Step {
    match kind {
        StepKind::RequestCorrection => Step::RequestCorrection {
            items: "—".into(),
            supplement_due: today + chrono::Duration::days(15),
        },
        StepKind::Supplemented => Step::Supplemented { note: None },
        StepKind::Consult => Step::Consult {
            consultee: Consultee::ThirdParty,
            name: String::new(),
        },
        StepKind::ConsultationReplied => Step::ConsultationReplied {
            consultation: case
                .consultations
                .iter()
                .find(|c| c.replied.is_none())
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            consent: None,
        },
        StepKind::Extend => Step::Extend {
            working_days: 1,
            reason: "—".into(),
        },
        StepKind::NoticeFee => Step::NoticeFee {
            method: FeeMethod::PerVolume,
            amount_yuan: gongkai_cases::fees::per_volume_fee(200),
            pages: Some(200),
        },
        StepKind::FeePaid => Step::FeePaid { note: None },
        StepKind::Decide => Step::Decide {
            outcome: Outcome::Granted,
            basis: None,
            note: None,
        },
        StepKind::Deliver => Step::Deliver {
            method: "—".into(),
            tracking: None,
        },
        StepKind::Withdraw => Step::Withdraw {
            reason: String::new(),
        },
        StepKind::FileAppeal => Step::FileAppeal {
            appeal_kind: AppealKind::Review,
            body: String::new(),
        },
        StepKind::ResolveAppeal => Step::ResolveAppeal {
            appeal: case
                .appeals
                .iter()
                .find(|a| a.resolved.is_none())
                .map(|a| a.id.clone())
                .unwrap_or_default(),
            result: AppealResult::Upheld,
        },
    }
}

impl Office {
    /// The case `id` if the actor may see it (its own agency's, as clerk or head).
    /// Another agency's case is "not found": its existence is not disclosed.
    pub(crate) async fn case_for(
        &self,
        actor: &Actor,
        id: i64,
        p: Permission,
    ) -> Result<(CaseRow, AgencyRow)> {
        let not_found = || OfficeError::NotFound(format!("案件（编号 {id}）不存在或不属于本机关"));
        let row = self.store.case(id).await?.ok_or_else(not_found)?;
        let agency = self.agency(row.agency_id).await?;
        if !actor.may(p, &agency.path) {
            if actor.may(Permission::ViewCases, &agency.path) {
                // Seen, but this step needs another role (e.g. approval).
                actor.require(p, &agency.path)?;
            }
            return Err(not_found());
        }
        Ok((row, agency))
    }

    async fn month_ordinal(&self, row: &CaseRow) -> Result<u32> {
        let identity = row
            .id_number
            .clone()
            .unwrap_or_else(|| row.applicant_name.clone());
        let n = self
            .store
            .applicant_month_ordinal(row.agency_id, &identity, &row.received_on[..7], row.id)
            .await?;
        Ok(u32::try_from(n.max(1)).unwrap_or(1))
    }

    pub(crate) async fn load(
        &self,
        row: &CaseRow,
    ) -> Result<(Case, Vec<EventRow>, std::sync::Arc<OfficeCalendar>)> {
        let cal = self.calendar().await?;
        let events = self.store.case_events(row.id).await?;
        let ordinal = self.month_ordinal(row).await?;
        Ok((replay(&events, ordinal, &cal)?, events, cal))
    }

    /// Registers an application for the actor's agency. Returns the new case's id.
    pub async fn register(
        &self,
        actor: &Actor,
        reg: &Registration,
        address: Option<&str>,
    ) -> Result<i64> {
        actor.require_own(Permission::HandleCases)?;
        let agency = self.agency(actor.agency_id).await?;
        self.register_for(&agency, Some(actor), reg, false, address)
            .await
    }

    /// Registers an application for `agency` (by a clerk, the portal or the demo).
    pub async fn register_for(
        &self,
        agency: &AgencyRow,
        actor: Option<&Actor>,
        reg: &Registration,
        demo: bool,
        address: Option<&str>,
    ) -> Result<i64> {
        self.register_linked(agency, actor, reg, demo, None, address)
            .await
    }

    /// `register_for`, confirming the online application `portal_application_id`
    /// in the same transaction when given.
    pub(crate) async fn register_linked(
        &self,
        agency: &AgencyRow,
        actor: Option<&Actor>,
        reg: &Registration,
        demo: bool,
        portal_application_id: Option<i64>,
        address: Option<&str>,
    ) -> Result<i64> {
        validate_registration(reg)?;
        let today = self.today();
        if reg.submitted > today || reg.confirmed.is_some_and(|c| c > today) {
            return Err(OfficeError::Invalid(format!(
                "提交日期和确认日期不能晚于今天（{today}）"
            )));
        }
        let cal = self.calendar().await?;
        let receipt = reg
            .channel
            .receipt_date(reg.submitted, reg.confirmed)
            .map_err(OfficeError::Invalid)?;
        let actor_name = actor.map_or_else(|| "网上申请".to_string(), |a| a.name.clone());
        let identity = reg
            .id_number
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| reg.applicant_name.clone());
        for _attempt in 0..5 {
            let prefix = format!("{}-", receipt.year());
            let stored: i64 = self
                .store
                .last_case_number(agency.id, &prefix)
                .await?
                .and_then(|last| last.strip_prefix(&prefix)?.parse().ok())
                .unwrap_or(0);
            let n = self
                .store
                .next_case_serial(agency.id, &prefix, stored + 1)
                .await?;
            let number = format!("{prefix}{n:05}");
            let event = Event {
                case: number.clone(),
                time: event_time(receipt.max(reg.submitted), today),
                actor: actor_name.clone(),
                body: EventBody::Received {
                    applicant: Applicant {
                        kind: reg.applicant_kind,
                        name: reg.applicant_name.trim().to_string(),
                        // A hash, so that the event log holds no ID number.
                        id: Some(crate::auth::token_hash(&identity)[..16].to_string()),
                    },
                    channel: reg.channel,
                    submitted: Some(reg.submitted),
                    confirmed: reg.confirmed,
                    request: reg.request.trim().to_string(),
                },
            };
            let case = Case::open(&event, 1).map_err(OfficeError::Invalid)?;
            let summary = summarize(&case, &cal, today);
            let new = NewCase {
                agency_id: agency.id,
                number: number.clone(),
                channel: wire_name(reg.channel),
                applicant_kind: reg.applicant_kind.column_key().to_string(),
                applicant_name: reg.applicant_name.trim().to_string(),
                id_type: reg.id_type.clone().filter(|s| !s.is_empty()),
                id_number: reg.id_number.clone().filter(|s| !s.is_empty()),
                phone: reg.phone.clone().filter(|s| !s.is_empty()),
                email: reg.email.clone().filter(|s| !s.is_empty()),
                address: reg.address.clone().filter(|s| !s.is_empty()),
                request: reg.request.trim().to_string(),
                received_on: receipt.to_string(),
                lookup_hash: None,
                demo,
                provision: reg.provision.clone().filter(|s| !s.trim().is_empty()),
                portal_application_id,
            };
            let json = serde_json::to_string(&event)
                .map_err(|e| OfficeError::Document(format!("无法记录事件：{e}")))?;
            match self
                .store
                .create_case(&new, &json, actor.map(|a| a.user_id), &summary)
                .await
            {
                Ok(id) => {
                    self.audit(
                        actor,
                        Some(agency.id),
                        "登记申请",
                        format!("case:{id}"),
                        format!(
                            "{number}，{}，{}",
                            reg.channel.label(),
                            reg.applicant_kind.label()
                        ),
                        address,
                    )
                    .await?;
                    return Ok(id);
                }
                // A number given outside the counter (a case stored before it) is
                // taken: take the next.
                Err(gongkai_store::StoreError::Invalid(m)) if m.contains("已存在") => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(OfficeError::Conflict("登记繁忙，请稍后重试".into()))
    }

    /// The case page: the applicant (personal data — audited), the timeline, the due
    /// date with its explanation, the documents and the legal next steps.
    pub async fn view_case(
        &self,
        actor: &Actor,
        id: i64,
        address: Option<&str>,
    ) -> Result<CaseView> {
        let (row, _agency) = self.case_for(actor, id, Permission::ViewCases).await?;
        let (case, events, cal) = self.load(&row).await?;
        let today = self.today();
        let mut timeline = Vec::with_capacity(events.len());
        for (r, ev) in events.iter().zip(&case.events) {
            timeline.push(TimelineEntry {
                seq: r.seq,
                date: ev.date(),
                recorded_at: r.recorded_at.clone(),
                actor: ev.actor.clone(),
                what: event_label(&ev.body).to_string(),
                detail: event_detail(&ev.body),
            });
        }
        let mut next_steps = Vec::new();
        for k in StepKind::ALL {
            let step = probe(k, &case, today);
            let ev = Event {
                case: case.id.clone(),
                time: event_time(today, today),
                actor: actor.name.clone(),
                body: body_of(&step, &case, &actor.name),
            };
            if case.clone().apply(&ev, &cal.provisional).is_ok() {
                next_steps.push(k);
            }
        }
        let documents = self.store.documents_of(id).await?;
        let attachments = self.store.attachments_of(id).await?;
        // Only a case confirmed from the portal has portal messages and a 申请编号:
        // the case page of any other case asks nothing more of the store.
        let (messages, portal_number) = if row.channel == wire_name(Channel::Online) {
            (
                self.store.applicant_messages_of(id).await?,
                self.store.portal_number_of_case(id).await?,
            )
        } else {
            (Vec::new(), None)
        };
        self.audit(
            Some(actor),
            Some(row.agency_id),
            "查看申请人信息",
            format!("case:{id}"),
            row.number.clone(),
            address,
        )
        .await?;
        Ok(CaseView {
            open_consultations: case
                .consultations
                .iter()
                .filter(|c| c.replied.is_none())
                .map(|c| c.id.clone())
                .collect(),
            open_appeals: case
                .appeals
                .iter()
                .filter(|a| a.resolved.is_none())
                .map(|a| a.id.clone())
                .collect(),
            due: due_view(&case, &cal, today),
            row,
            case,
            timeline,
            documents,
            attachments,
            messages,
            portal_number,
            next_steps,
        })
    }

    /// Records `step` on case `id`, which the actor read at `version`, dated `date`
    /// (default today). Returns the new version.
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        step: &Step,
        date: Option<NaiveDate>,
        address: Option<&str>,
    ) -> Result<i64> {
        let (row, agency) = self.case_for(actor, id, Permission::HandleCases).await?;
        let needs_approval = matches!(step, Step::Extend { .. })
            || (matches!(step, Step::Decide { .. }) && agency.requires_approval != 0);
        if needs_approval {
            actor.require(Permission::Approve, &agency.path).map_err(|_| {
                OfficeError::Forbidden(match step {
                    Step::Extend { .. } => "延期答复须经政府信息公开工作机构负责人同意（条例第三十三条第二款），请由负责人办理".into(),
                    _ => "本机关的答复须报负责人审批，请由负责人作出答复".into(),
                })
            })?;
        }
        let (seq, event) = self
            .record_step(
                &row,
                &agency,
                version,
                step,
                date,
                &actor.name,
                Some(actor.user_id),
                &[],
            )
            .await?;
        self.audit(
            Some(actor),
            Some(row.agency_id),
            step.kind().label(),
            format!("case:{id}"),
            format!("{} 第 {seq} 条：{}", row.number, event_detail(&event.body)),
            address,
        )
        .await?;
        Ok(seq)
    }

    /// Applies `step` to the case read at `version` on the engine and stores the
    /// event with its letters, the `files` that came with it and the new summary, in
    /// one transaction (the caller has checked who may).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_step(
        &self,
        row: &CaseRow,
        agency: &AgencyRow,
        version: i64,
        step: &Step,
        date: Option<NaiveDate>,
        actor_name: &str,
        user_id: Option<i64>,
        files: &[NewAttachment],
    ) -> Result<(i64, Event)> {
        if row.version != version {
            return Err(OfficeError::Conflict("案件已被他人更新，请刷新".into()));
        }
        let today = self.today();
        let date = date.unwrap_or(today);
        if date > today {
            return Err(OfficeError::Invalid(format!(
                "办理日期 {date} 晚于今天（{today}）"
            )));
        }
        let (mut case, events, cal) = self.load(row).await?;
        // Someone recorded a step between reading the case and reading its events.
        if events.last().map(|e| e.seq) != Some(version) {
            return Err(OfficeError::Conflict("案件已被他人更新，请刷新".into()));
        }
        let event = Event {
            case: case.id.clone(),
            time: event_time(date, today),
            actor: actor_name.to_string(),
            body: body_of(step, &case, actor_name),
        };
        case.apply(&event, &cal.provisional)
            .map_err(OfficeError::Invalid)?;
        let summary = summarize(&case, &cal, today);
        let documents = self
            .letters_for(agency, row, &case, step, &event, &cal)
            .await?;
        let json = serde_json::to_string(&event)
            .map_err(|e| OfficeError::Document(format!("无法记录事件：{e}")))?;
        let seq = self
            .store
            .append_event(row.id, version, &json, user_id, &summary, &documents, files)
            .await?;
        Ok((seq, event))
    }

    /// The letter a step produces, as DOCX and (when the fonts are there) PDF.
    async fn letters_for(
        &self,
        agency: &AgencyRow,
        row: &CaseRow,
        case: &Case,
        step: &Step,
        event: &Event,
        cal: &OfficeCalendar,
    ) -> Result<Vec<NewDocument>> {
        let review = self.review_body(agency).await?;
        let mut fields = letters::case_fields(case, &row.number, &agency.name, &review);
        let mut addressee = case.applicant.name.clone();
        let kind: LetterKind = match step {
            Step::RequestCorrection {
                items,
                supplement_due,
            } => {
                fields.push(("补正事项", items.clone()));
                fields.push(("补正期限", letters::cn_date(*supplement_due)));
                letters::CORRECTION
            }
            Step::Consult { consultee, name } => {
                addressee = if name.is_empty() {
                    consultee.label().to_string()
                } else {
                    name.clone()
                };
                let (reason, article) = match consultee {
                    Consultee::ThirdParty => ("可能损害第三方合法权益", "第三十二条"),
                    Consultee::Agency => ("需要征求其他机关的意见", "第三十三条第三款"),
                    Consultee::CoProducer => ("涉及共同制作的政府信息", "第三十四条"),
                };
                fields.push(("征求事由", reason.to_string()));
                fields.push(("征求依据", article.to_string()));
                let due = case
                    .consultations
                    .last()
                    .map(|c| letters::cn_date(c.reply_due))
                    .unwrap_or_default();
                fields.push(("回复期限", due));
                letters::CONSULTATION
            }
            Step::Extend {
                working_days,
                reason,
            } => {
                fields.push(("延期理由", reason.clone()));
                fields.push(("延期天数", working_days.to_string()));
                let due = gongkai_cases::deadline::answer_due(case, &cal.provisional, event.date())
                    .map(letters::cn_date)
                    .unwrap_or_default();
                fields.push(("答复期限", due));
                letters::EXTENSION
            }
            Step::NoticeFee {
                method,
                amount_yuan,
                ..
            } => {
                fields.push(("金额", amount_yuan.to_string()));
                fields.push(("计收方式", method.label().to_string()));
                let due = case
                    .fee
                    .as_ref()
                    .map(|f| letters::cn_date(f.payment_due))
                    .unwrap_or_default();
                fields.push(("缴费期限", due));
                letters::FEE
            }
            Step::Decide { outcome, note, .. } => {
                let basis = case
                    .decision
                    .as_ref()
                    .map(|d| d.basis.clone())
                    .unwrap_or_default();
                fields.push(("答复内容", letters::answer_text(*outcome, &basis)));
                fields.push(("救济途径", letters::remedy(&review)));
                // The clerk's note is the reason or account the letter gives; without
                // one the letter shows where it is missing rather than inventing it.
                let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
                fields.push((
                    "不予公开理由",
                    // The wording closes the sentence itself.
                    note.map_or(
                        "（请填写不予公开部分及其理由）".into(),
                        |n| n.trim_end_matches('。').to_string(),
                    ),
                ));
                fields.push((
                    "处理说明",
                    note.map_or("（请填写处理情况）".into(), str::to_string),
                ));
                letters::ANSWER
            }
            _ => return Ok(Vec::new()),
        };
        let body = self
            .store
            .doc_template(agency.id, kind.key)
            .await?
            .unwrap_or_else(|| kind.default_body.to_string());
        let mut letter =
            letters::compose(kind, &body, &fields, &addressee, &agency.name, event.date());
        letter.number = format!("申请编号：{}", row.number);
        let stem = format!("{}-{}", row.number, kind.title);
        let mut docs = vec![NewDocument {
            kind: kind.key.to_string(),
            title: kind.title.to_string(),
            file_name: format!("{stem}.docx"),
            media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                .into(),
            content: letter
                .docx()
                .map_err(|e| OfficeError::Document(e.to_string()))?,
        }];
        // A missing CJK font must not stop the step: the DOCX is the record.
        if let Ok(pdf) = tokio::task::block_in_place(|| letter.pdf()) {
            docs.push(NewDocument {
                kind: kind.key.to_string(),
                title: kind.title.to_string(),
                file_name: format!("{stem}.pdf"),
                media_type: "application/pdf".into(),
                content: pdf,
            });
        }
        Ok(docs)
    }

    /// The agency's cases by `filter` (inbox: open only, most urgent first).
    pub async fn cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseListing>, i64)> {
        actor.require_own(Permission::ViewCases)?;
        Ok(self.store.cases_of(actor.agency_id, filter).await?)
    }

    /// A stored document, if the actor may see its case.
    pub async fn document(
        &self,
        actor: &Actor,
        id: i64,
        address: Option<&str>,
    ) -> Result<gongkai_store::office::FileContent> {
        let doc = self
            .store
            .document(id)
            .await?
            .ok_or_else(|| OfficeError::NotFound("文书不存在".into()))?;
        let (row, _) = self
            .case_for(actor, doc.case_id, Permission::ViewCases)
            .await?;
        self.audit(
            Some(actor),
            Some(row.agency_id),
            "下载文书",
            format!("document:{id}"),
            format!("{} {}", row.number, doc.file_name),
            address,
        )
        .await?;
        Ok(doc)
    }

    /// Tables 三 and 四 of `year` for `agency_id`, from its cases' events.
    pub async fn year_report(
        &self,
        actor: &Actor,
        agency_id: i64,
        year: i32,
    ) -> Result<YearReport> {
        let agency = self.agency(agency_id).await?;
        actor.require(Permission::ViewStatistics, &agency.path)?;
        let cal = self.calendar().await?;
        // Only the cases that can count in the year are replayed.
        let rows = self
            .store
            .agency_events_for_year(
                agency_id,
                &format!("{year}-01-01"),
                &format!("{year}-12-31"),
            )
            .await?;
        let mut cases = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let id = rows[start].case_id;
            let end = rows[start..]
                .iter()
                .position(|r| r.case_id != id)
                .map_or(rows.len(), |p| start + p);
            cases.push(replay(&rows[start..end], 1, &cal)?);
            start = end;
        }
        let template = if year >= 2021 {
            Template::T2021
        } else {
            Template::T2019
        };
        Ok(YearReport::from_cases(cases.iter(), year, template))
    }

    /// After a calendar import: every open case's summary recomputed; returns the
    /// cases whose due date changed.
    pub(crate) async fn recompute_open_cases(
        &self,
        cal: &OfficeCalendar,
    ) -> Result<Vec<(String, Option<String>, Option<String>)>> {
        let today = self.today();
        let mut changed = Vec::new();
        for row in self.store.open_cases().await? {
            let events = self.store.case_events(row.id).await?;
            let ordinal = self.month_ordinal(&row).await?;
            let Ok(case) = replay(&events, ordinal, cal) else {
                continue;
            };
            let s = summarize(&case, cal, today);
            if s.due_on != row.due_on
                || s.due_provisional != (row.due_provisional != 0)
                || s.due_note != row.due_note
            {
                if self.store.update_summary(row.id, row.version, &s).await? {
                    changed.push((row.number.clone(), row.due_on.clone(), s.due_on.clone()));
                }
            }
        }
        Ok(changed)
    }
}

/// The name a serde enum value has on the wire (`in_person`, `per_volume` …): the
/// key stored in the database and sent by forms.
pub fn wire_name<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Field checks of 第二十九条: what the application must hold, with limits.
fn validate_registration(reg: &Registration) -> Result<()> {
    let mut problems = Vec::new();
    if reg.applicant_name.trim().is_empty() {
        problems.push("申请人姓名或名称不能为空（条例第二十九条第二款第（一）项）".to_string());
    }
    if reg.request.trim().is_empty() {
        problems.push("申请公开的政府信息的名称、文号或者便于查询的其他特征性描述不能为空（条例第二十九条第二款第（二）项）".to_string());
    }
    for (name, v, max) in [
        ("申请人姓名或名称", Some(&reg.applicant_name), 200),
        ("申请内容", Some(&reg.request), 5000),
        ("证件号码", reg.id_number.as_ref(), 40),
        ("联系电话", reg.phone.as_ref(), 40),
        ("电子邮箱", reg.email.as_ref(), 200),
        ("通信地址", reg.address.as_ref(), 500),
    ] {
        if let Some(v) = v {
            if v.chars().count() > max {
                problems.push(format!("{name}过长（最多 {max} 字）"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OfficeError::Invalid(problems.join("；")))
    }
}

pub fn event_label(b: &EventBody) -> &'static str {
    match b {
        EventBody::Received { .. } => "收到申请",
        EventBody::CorrectionRequested { .. } => "补正告知",
        EventBody::Supplemented { .. } => "收到补正",
        EventBody::ConsultationSent { .. } => "征求意见",
        EventBody::ConsultationReplied { .. } => "收到意见",
        EventBody::Extended { .. } => "延期答复",
        EventBody::FeeNoticed { .. } => "收费通知",
        EventBody::FeePaid { .. } => "已缴费",
        EventBody::Decided { .. } => "作出答复",
        EventBody::Delivered { .. } => "送达",
        EventBody::Withdrawn { .. } => "申请人撤回",
        EventBody::AppealFiled { .. } => "行政复议、诉讼",
        EventBody::AppealResolved { .. } => "复议、诉讼结果",
    }
}

pub fn event_detail(b: &EventBody) -> String {
    match b {
        EventBody::Received {
            channel,
            submitted,
            confirmed,
            ..
        } => {
            let mut s = channel.label().to_string();
            if let Some(d) = submitted {
                s.push_str(&format!("，{d} 提交"));
            }
            if let Some(c) = confirmed {
                s.push_str(&format!("，{c} 确认收到"));
            }
            s
        }
        EventBody::CorrectionRequested {
            items,
            supplement_due,
        } => format!("补正事项：{items}；补正期限至 {supplement_due}"),
        EventBody::Supplemented { note } => note.clone().unwrap_or_default(),
        EventBody::ConsultationSent {
            consultation,
            consultee,
            name,
        } => format!(
            "{consultation}：征求{}{}意见",
            consultee.label(),
            if name.is_empty() {
                String::new()
            } else {
                format!("「{name}」")
            }
        ),
        EventBody::ConsultationReplied {
            consultation,
            consent,
        } => format!(
            "{consultation}：{}",
            match consent {
                Some(true) => "同意公开",
                Some(false) => "不同意公开",
                None => "已答复",
            }
        ),
        EventBody::Extended {
            working_days,
            approved_by,
            reason,
        } => format!("延长 {working_days} 个工作日，{approved_by}批准；理由：{reason}"),
        EventBody::FeeNoticed {
            method,
            amount_yuan,
            ..
        } => format!("{}，{amount_yuan} 元", method.label()),
        EventBody::FeePaid { note } => note.clone().unwrap_or_default(),
        EventBody::Decided { outcome, basis, .. } => format!(
            "{}（依据：{}）",
            outcome.label(),
            basis
                .clone()
                .unwrap_or_else(|| outcome.default_basis().to_string())
        ),
        EventBody::Delivered { method, tracking } => {
            let mut s = method.clone().unwrap_or_default();
            if let Some(t) = tracking {
                s.push_str(&format!("，单号 {t}"));
            }
            s
        }
        EventBody::Withdrawn { reason } => reason.clone(),
        EventBody::AppealFiled {
            appeal,
            appeal_kind,
            body,
        } => format!(
            "{appeal}：{}{}",
            appeal_kind.label(),
            if body.is_empty() {
                String::new()
            } else {
                format!("（{body}）")
            }
        ),
        EventBody::AppealResolved { appeal, result } => format!("{appeal}：{}", result.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_act_of_today_is_dated_today_whatever_the_wall_clock() {
        // A fixed "today" far from the wall clock's date (a demo, a test at midnight).
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(event_time(today, today).date_naive(), today);
        let earlier = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(event_time(earlier, today).date_naive(), earlier);
        let real = Utc::now().with_timezone(&cst()).date_naive();
        assert_eq!(event_time(real, real).date_naive(), real);
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask_id("110101199003071234"), "110***********1234");
        assert_eq!(mask_id("12345"), "*****");
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    /// The year's report skips cases closed before the year with no open appeal;
    /// it must equal the report over every case, year by year.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_years_report_skips_only_cases_that_cannot_count() {
        let d = crate::testing::demo_office().await;
        let o = &d.office;
        let head = crate::testing::actor(o, "head").await;
        // Two old cases: one answered in 2024 (nothing of it counts in 2025), one
        // answered in 2024 whose 行政复议 is still open (pending in 2025's table 四).
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut old = Vec::new();
        for name in ["旧案甲", "旧案乙"] {
            let reg = Registration {
                channel: Channel::InPerson,
                applicant_kind: ApplicantKind::NaturalPerson,
                applicant_name: name.into(),
                id_type: None,
                id_number: None,
                phone: None,
                email: None,
                address: None,
                request: "2023年度预算".into(),
                submitted: day("2024-03-01"),
                confirmed: None,
                provision: None,
            };
            let id = o.register(&head, &reg, None).await.unwrap();
            let decide = Step::Decide {
                outcome: Outcome::Granted,
                basis: None,
                note: None,
            };
            o.act(&head, id, 1, &decide, Some(day("2024-03-10")), None)
                .await
                .unwrap();
            old.push(id);
        }
        let appeal = Step::FileAppeal {
            appeal_kind: AppealKind::Review,
            body: "演示市人民政府".into(),
        };
        o.act(&head, old[1], 2, &appeal, Some(day("2024-05-06")), None)
            .await
            .unwrap();
        let cal = o.calendar().await.unwrap();
        let filter = CaseFilter {
            open_only: false,
            limit: 100_000,
            ..CaseFilter::default()
        };
        let (rows, _) = o.store.cases_of(d.demo.office_id, &filter).await.unwrap();
        let mut all = Vec::new();
        for r in &rows {
            let events = o.store.case_events(r.id).await.unwrap();
            all.push(replay(&events, 1, &cal).unwrap());
        }
        for year in 2024..=2026 {
            let template = if year >= 2021 {
                Template::T2021
            } else {
                Template::T2019
            };
            let full = YearReport::from_cases(all.iter(), year, template);
            let fast = o.year_report(&head, d.demo.office_id, year).await.unwrap();
            assert_eq!(fast, full, "{year}");
            let read = o
                .store
                .agency_events_for_year(
                    d.demo.office_id,
                    &format!("{year}-01-01"),
                    &format!("{year}-12-31"),
                )
                .await
                .unwrap();
            let cases: std::collections::BTreeSet<i64> = read.iter().map(|e| e.case_id).collect();
            if year >= 2025 {
                assert!(
                    !cases.contains(&old[0]),
                    "{year}: the case closed in 2024 is skipped"
                );
                assert!(cases.contains(&old[1]), "{year}: the open appeal is read");
                assert!(
                    fast.appeal(AppealKind::Review, "pending").unwrap() >= 1,
                    "{year}: pending review"
                );
            }
        }
    }
}
