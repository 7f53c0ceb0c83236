//! A disclosure application and its lifecycle under the 条例 (2019).
//!
//! A case is built only by applying events; each event is checked against the rules
//! and rejected with a Chinese message saying why.

use crate::calendar::Calendar;
use crate::deadline;
use crate::event::{Event, EventBody, LogError};
use crate::fees;
use crate::model::{AppealKind, AppealResult, Applicant, Channel, Consultee, FeeMethod, Outcome};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Working days to send the one-time 补正 notice (条例第三十条).
pub const CORRECTION_NOTICE_DAYS: u32 = 7;
/// Working days to answer (条例第三十三条第二款).
pub const ANSWER_DAYS: u32 = 20;
/// Maximum extension (条例第三十三条第二款).
pub const MAX_EXTENSION_DAYS: u32 = 20;
/// Working days a consultee has to reply (条例第三十二条、第三十四条).
pub const CONSULTATION_DAYS: u32 = 15;

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 已收到
    Received,
    /// 待补正
    AwaitingCorrection,
    /// 办理中
    InProcess,
    /// 待缴费
    AwaitingPayment,
    /// 已答复
    Decided,
    /// 已送达
    Delivered,
    /// 已撤回
    Withdrawn,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Received => "已收到",
            Stage::AwaitingCorrection => "待补正",
            Stage::InProcess => "办理中",
            Stage::AwaitingPayment => "待缴费",
            Stage::Decided => "已答复",
            Stage::Delivered => "已送达",
            Stage::Withdrawn => "已撤回",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Decided | Stage::Delivered | Stage::Withdrawn)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub notice: NaiveDate,
    pub items: String,
    pub supplement_due: NaiveDate,
    pub supplemented: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consultation {
    pub id: String,
    pub consultee: Consultee,
    pub name: String,
    pub sent: NaiveDate,
    /// Last day for the reply (15 working days after the day sent).
    pub reply_due: NaiveDate,
    pub replied: Option<NaiveDate>,
    pub consent: Option<bool>,
}

impl Consultation {
    /// The consultee's position once the reply period is over: silence of a joint
    /// producer counts as consent (条例第三十四条); a third party's silence leaves the
    /// decision to the agency (第三十二条), shown as `None`.
    pub fn consent_at(&self, date: NaiveDate) -> Option<bool> {
        if self.replied.is_some() {
            return self.consent;
        }
        if date > self.reply_due && self.consultee == Consultee::CoProducer {
            return Some(true);
        }
        None
    }

    /// Whether the agency still has to wait for this reply on `date`.
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.replied.is_none() && date <= self.reply_due
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    pub date: NaiveDate,
    pub working_days: u32,
    pub approved_by: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeNotice {
    pub date: NaiveDate,
    pub method: FeeMethod,
    pub amount_yuan: u64,
    /// Last day to pay (20 working days after the notice).
    pub payment_due: NaiveDate,
    pub paid: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub date: NaiveDate,
    pub outcome: Outcome,
    /// Legal basis (条例 articles), e.g. "第十六条第二款".
    pub basis: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Appeal {
    pub id: String,
    pub kind: AppealKind,
    pub body: String,
    pub filed: NaiveDate,
    pub resolved: Option<(NaiveDate, AppealResult)>,
}

/// One 依申请公开 application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub applicant: Applicant,
    pub channel: Channel,
    pub submitted: NaiveDate,
    /// Legal receipt date (条例第三十一条).
    pub receipt: NaiveDate,
    pub request: String,
    /// Position of this application among the applicant's applications in its
    /// natural month (按件计收, 办法第四条), 1-based.
    pub month_ordinal: u32,
    pub stage: Stage,
    /// The day from which the answer period runs: receipt, or the day the
    /// supplemented application arrived (条例第三十条).
    pub clock_start: NaiveDate,
    pub correction: Option<Correction>,
    pub consultations: Vec<Consultation>,
    pub extension: Option<Extension>,
    pub fee: Option<FeeNotice>,
    pub decision: Option<Decision>,
    pub delivered: Option<NaiveDate>,
    pub withdrawn: Option<NaiveDate>,
    pub appeals: Vec<Appeal>,
    /// Append-only record of every accepted event.
    pub events: Vec<Event>,
}

/// A rejected event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    pub case: String,
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "案件 {}：{}", self.case, self.message)
    }
}

impl std::error::Error for CaseError {}

impl Case {
    /// Opens a case from its `received` event. `month_ordinal` is the applicant's
    /// count of applications in the receipt month, this one included.
    pub fn open(ev: &Event, month_ordinal: u32) -> Result<Case, String> {
        let EventBody::Received {
            applicant,
            channel,
            submitted,
            confirmed,
            request,
        } = &ev.body
        else {
            return Err(format!(
                "案件尚未登记收到申请，不能记录「{}」；第一条事件应为 received",
                ev.body.kind()
            ));
        };
        if applicant.name.trim().is_empty() {
            return Err("申请人姓名或名称不能为空（条例第二十九条）".into());
        }
        if request.trim().is_empty() {
            return Err("申请内容不能为空（条例第二十九条第二款第（二）项）".into());
        }
        let submitted = submitted.unwrap_or_else(|| ev.date());
        let receipt = channel.receipt_date(submitted, *confirmed)?;
        Ok(Case {
            id: ev.case.clone(),
            applicant: applicant.clone(),
            channel: *channel,
            submitted,
            receipt,
            request: request.clone(),
            month_ordinal,
            stage: Stage::Received,
            clock_start: receipt,
            correction: None,
            consultations: Vec::new(),
            extension: None,
            fee: None,
            decision: None,
            delivered: None,
            withdrawn: None,
            appeals: Vec::new(),
            events: vec![ev.clone()],
        })
    }

    /// The date and outcome with which the case was concluded, if it was. A
    /// withdrawal is concluded as （六）其他处理 / 其他.
    pub fn concluded(&self) -> Option<(NaiveDate, Outcome)> {
        if let Some(d) = &self.decision {
            return Some((d.date, d.outcome));
        }
        self.withdrawn.map(|d| (d, Outcome::OtherOther))
    }

    /// Whether the case is still open on (the end of) `date`.
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.receipt <= date && self.concluded().is_none_or(|(d, _)| d > date)
    }

    fn last_date(&self) -> NaiveDate {
        let mut last = self.receipt;
        for ev in &self.events[1..] {
            last = last.max(ev.date());
        }
        last
    }

    /// Applies one event, or says in Chinese why it is not allowed.
    pub fn apply(&mut self, ev: &Event, cal: &Calendar) -> Result<(), String> {
        let date = ev.date();
        let is_appeal = matches!(
            ev.body,
            EventBody::AppealFiled { .. } | EventBody::AppealResolved { .. }
        );
        let last = self.last_date();
        if date < last {
            return Err(format!(
                "事件日期 {date} 早于本案此前的日期 {last}；事件应按发生顺序记录"
            ));
        }
        if self.stage.is_closed() && !is_appeal {
            let allowed =
                self.stage == Stage::Decided && matches!(ev.body, EventBody::Delivered { .. });
            if !allowed {
                return Err(format!(
                    "案件{}，不能再记录「{}」",
                    self.stage.label(),
                    kind_label(&ev.body)
                ));
            }
        }
        match &ev.body {
            EventBody::Received { .. } => {
                return Err("案件编号重复：该案件已登记收到申请".into());
            }
            EventBody::CorrectionRequested {
                items,
                supplement_due,
            } => {
                if self.correction.is_some() {
                    return Err("补正只能一次性告知（条例第三十条），本案已发出过补正通知".into());
                }
                self.require_processing("发出补正通知")?;
                let limit = cal
                    .add_working_days(self.receipt, CORRECTION_NOTICE_DAYS)
                    .map_err(|e| e.to_string())?;
                if date > limit {
                    return Err(format!(
                        "补正通知应自收到申请之日起 {CORRECTION_NOTICE_DAYS} 个工作日内发出（条例第三十条），\
                         期限为 {limit}，而通知日期为 {date}"
                    ));
                }
                if *supplement_due <= date {
                    return Err(format!(
                        "补正期限 {supplement_due} 应晚于补正通知日期 {date}"
                    ));
                }
                self.correction = Some(Correction {
                    notice: date,
                    items: items.clone(),
                    supplement_due: *supplement_due,
                    supplemented: None,
                });
                self.stage = Stage::AwaitingCorrection;
            }
            EventBody::Supplemented { .. } => {
                if self.stage != Stage::AwaitingCorrection {
                    return Err("本案未在等待补正，不能记录补正材料".into());
                }
                if let Some(c) = &mut self.correction {
                    c.supplemented = Some(date);
                }
                // 条例第三十条: the answer period runs from the supplemented application.
                self.clock_start = date;
                self.stage = Stage::InProcess;
            }
            EventBody::ConsultationSent {
                consultation,
                consultee,
                name,
            } => {
                self.require_processing("征求意见")?;
                if self.consultations.iter().any(|c| &c.id == consultation) {
                    return Err(format!("征求意见编号「{consultation}」重复"));
                }
                let reply_due = cal
                    .add_working_days(date, CONSULTATION_DAYS)
                    .map_err(|e| e.to_string())?;
                self.consultations.push(Consultation {
                    id: consultation.clone(),
                    consultee: *consultee,
                    name: name.clone(),
                    sent: date,
                    reply_due,
                    replied: None,
                    consent: None,
                });
                self.stage = Stage::InProcess;
            }
            EventBody::ConsultationReplied {
                consultation,
                consent,
            } => {
                let c = self
                    .consultations
                    .iter_mut()
                    .find(|c| &c.id == consultation)
                    .ok_or_else(|| format!("没有编号为「{consultation}」的征求意见"))?;
                if c.replied.is_some() {
                    return Err(format!("征求意见「{consultation}」已记录过答复"));
                }
                c.replied = Some(date);
                c.consent = *consent;
            }
            EventBody::Extended {
                working_days,
                approved_by,
                reason,
            } => {
                self.require_processing("延长答复期限")?;
                if self.extension.is_some() {
                    return Err("答复期限只能延长一次（条例第三十三条第二款）".into());
                }
                if *working_days == 0 || *working_days > MAX_EXTENSION_DAYS {
                    return Err(format!(
                        "延长的期限最长不得超过 {MAX_EXTENSION_DAYS} 个工作日（条例第三十三条第二款），\
                         申请延长 {working_days} 个工作日"
                    ));
                }
                if approved_by.trim().is_empty() {
                    return Err(
                        "延期须经政府信息公开工作机构负责人同意（条例第三十三条第二款），请填写批准人"
                            .into(),
                    );
                }
                let due = deadline::answer_due(self, cal, date).map_err(|e| e.to_string())?;
                if date > due {
                    return Err(format!(
                        "答复期限已于 {due} 届满，不能再决定延期（条例第三十三条第二款）"
                    ));
                }
                self.extension = Some(Extension {
                    date,
                    working_days: *working_days,
                    approved_by: approved_by.clone(),
                    reason: reason.clone(),
                });
                self.stage = Stage::InProcess;
            }
            EventBody::FeeNoticed {
                method,
                amount_yuan,
                pages,
            } => {
                if let Some(f) = &self.fee {
                    if f.method != *method {
                        return Err("同一申请不得同时按件和按量计收信息处理费（办法第三条）".into());
                    }
                    return Err("本案已发出过收费通知".into());
                }
                self.require_processing("发出收费通知")?;
                let expected = match method {
                    FeeMethod::PerItem => {
                        let fee = fees::per_item_fee(self.month_ordinal);
                        if fee == 0 {
                            return Err(format!(
                                "该申请人本月第 {} 件申请，10 件以内不收费（办法第四条）",
                                self.month_ordinal
                            ));
                        }
                        fee
                    }
                    FeeMethod::PerVolume => {
                        let p = pages.ok_or("按量计收须填写页数（pages）（办法第五条）")?;
                        let fee = fees::per_volume_fee(p);
                        if fee == 0 {
                            return Err(format!("{p} 页不超过 30 页，不收费（办法第五条）"));
                        }
                        fee
                    }
                };
                if *amount_yuan != expected {
                    return Err(format!(
                        "收费金额 {amount_yuan} 元与{}标准不符，应为 {expected} 元",
                        method.label()
                    ));
                }
                let due = deadline::answer_due(self, cal, date).map_err(|e| e.to_string())?;
                if date > due {
                    return Err(format!("收费通知应在答复期限（{due}）内发出"));
                }
                let payment_due = cal
                    .add_working_days(date, fees::PAYMENT_WORKING_DAYS)
                    .map_err(|e| e.to_string())?;
                self.fee = Some(FeeNotice {
                    date,
                    method: *method,
                    amount_yuan: *amount_yuan,
                    payment_due,
                    paid: None,
                });
                self.stage = Stage::AwaitingPayment;
            }
            EventBody::FeePaid { .. } => {
                if self.stage != Stage::AwaitingPayment {
                    return Err("本案没有待缴的信息处理费".into());
                }
                let Some(f) = &mut self.fee else {
                    return Err("本案没有待缴的信息处理费".into());
                };
                if date > f.payment_due {
                    return Err(format!(
                        "缴费期限已于 {} 届满，应按逾期未缴费办结（other.fee_unpaid）",
                        f.payment_due
                    ));
                }
                f.paid = Some(date);
                self.stage = Stage::InProcess;
            }
            EventBody::Decided {
                outcome,
                basis,
                note: _,
            } => {
                self.check_decision(*outcome, date)?;
                let basis = basis
                    .clone()
                    .filter(|b| !b.trim().is_empty())
                    .unwrap_or_else(|| outcome.default_basis().to_owned());
                self.decision = Some(Decision {
                    date,
                    outcome: *outcome,
                    basis,
                });
                self.stage = Stage::Decided;
            }
            EventBody::Delivered { .. } => {
                if self.stage != Stage::Decided {
                    return Err("尚未作出答复，不能记录送达".into());
                }
                self.delivered = Some(date);
                self.stage = Stage::Delivered;
            }
            EventBody::Withdrawn { .. } => {
                self.withdrawn = Some(date);
                self.stage = Stage::Withdrawn;
            }
            EventBody::AppealFiled {
                appeal,
                appeal_kind,
                body,
            } => {
                if self.appeals.iter().any(|a| &a.id == appeal) {
                    return Err(format!("复议、诉讼编号「{appeal}」重复"));
                }
                if *appeal_kind == AppealKind::SuitAfterReview
                    && !self.appeals.iter().any(|a| {
                        a.kind == AppealKind::Review && a.resolved.is_some_and(|(d, _)| d <= date)
                    })
                {
                    return Err("复议后起诉须以本案已审结的行政复议为前提".into());
                }
                self.appeals.push(Appeal {
                    id: appeal.clone(),
                    kind: *appeal_kind,
                    body: body.clone(),
                    filed: date,
                    resolved: None,
                });
            }
            EventBody::AppealResolved { appeal, result } => {
                let a = self
                    .appeals
                    .iter_mut()
                    .find(|a| &a.id == appeal)
                    .ok_or_else(|| format!("没有编号为「{appeal}」的复议或诉讼"))?;
                if a.resolved.is_some() {
                    return Err(format!("{}「{appeal}」已审结", a.kind.label()));
                }
                a.resolved = Some((date, *result));
            }
        }
        self.events.push(ev.clone());
        Ok(())
    }

    fn require_processing(&self, what: &str) -> Result<(), String> {
        match self.stage {
            Stage::Received | Stage::InProcess => Ok(()),
            Stage::AwaitingCorrection => Err(format!("正在等待申请人补正，不能{what}")),
            Stage::AwaitingPayment => Err(format!("正在等待申请人缴费，不能{what}")),
            s => Err(format!("案件{}，不能{what}", s.label())),
        }
    }

    fn check_decision(&self, outcome: Outcome, date: NaiveDate) -> Result<(), String> {
        match outcome {
            Outcome::OtherNoCorrection => {
                let Some(c) = self
                    .correction
                    .as_ref()
                    .filter(|_| self.stage == Stage::AwaitingCorrection)
                else {
                    return Err("本案没有待补正的通知，不能按逾期不补正办结（条例第三十条）".into());
                };
                if date <= c.supplement_due {
                    return Err(format!(
                        "补正期限 {} 尚未届满，不能视为放弃申请（条例第三十条）",
                        c.supplement_due
                    ));
                }
                Ok(())
            }
            Outcome::OtherFeeUnpaid => {
                let Some(f) = self
                    .fee
                    .as_ref()
                    .filter(|_| self.stage == Stage::AwaitingPayment)
                else {
                    return Err("本案没有待缴的收费通知，不能按逾期未缴费办结".into());
                };
                if date <= f.payment_due {
                    return Err(format!(
                        "缴费期限 {} 尚未届满，不能视为放弃申请（办法第六条）",
                        f.payment_due
                    ));
                }
                Ok(())
            }
            _ => {
                match self.stage {
                    Stage::AwaitingCorrection => {
                        return Err(
                            "正在等待申请人补正：补正后再作答复，逾期未补正的按 other.no_correction 办结（条例第三十条）"
                                .into(),
                        );
                    }
                    Stage::AwaitingPayment => {
                        return Err(
                            "正在等待申请人缴费：缴费后再作答复，逾期未缴的按 other.fee_unpaid 办结".into(),
                        );
                    }
                    _ => {}
                }
                if outcome == Outcome::UnavailableUnclear
                    && self
                        .correction
                        .as_ref()
                        .is_none_or(|c| c.supplemented.is_none())
                {
                    return Err(
                        "「补正后申请内容仍不明确」须以申请人已补正为前提（条例第三十条），本案未经补正".into(),
                    );
                }
                if let Some(c) = self.consultations.iter().find(|c| c.is_open_on(date)) {
                    return Err(format!(
                        "正在征求{}「{}」意见，答复期限 {} 尚未届满（条例第{}条）；请先记录其答复",
                        c.consultee.label(),
                        c.name,
                        c.reply_due,
                        if c.consultee == Consultee::CoProducer {
                            "三十四"
                        } else {
                            "三十二"
                        }
                    ));
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn kind_label(body: &EventBody) -> &'static str {
    match body {
        EventBody::Received { .. } => "收到申请",
        EventBody::CorrectionRequested { .. } => "补正通知",
        EventBody::Supplemented { .. } => "收到补正",
        EventBody::ConsultationSent { .. } => "征求意见",
        EventBody::ConsultationReplied { .. } => "征求意见答复",
        EventBody::Extended { .. } => "延期",
        EventBody::FeeNoticed { .. } => "收费通知",
        EventBody::FeePaid { .. } => "缴费",
        EventBody::Decided { .. } => "答复",
        EventBody::Delivered { .. } => "送达",
        EventBody::Withdrawn { .. } => "撤回申请",
        EventBody::AppealFiled { .. } => "复议、诉讼",
        EventBody::AppealResolved { .. } => "复议、诉讼审结",
    }
}

/// The cases of one agency, built from its events.
#[derive(Clone, Debug)]
pub struct Registry {
    calendar: Calendar,
    cases: Vec<Case>,
    index: HashMap<String, usize>,
    /// Applications per (applicant identity, year, month), for 按件计收.
    monthly: HashMap<(String, i32, u32), u32>,
}

impl Registry {
    pub fn new(calendar: Calendar) -> Registry {
        Registry {
            calendar,
            cases: Vec::new(),
            index: HashMap::new(),
            monthly: HashMap::new(),
        }
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    pub fn get(&self, id: &str) -> Option<&Case> {
        self.index.get(id).map(|&i| &self.cases[i])
    }

    /// Applies one event; a rejected event changes nothing.
    pub fn apply(&mut self, ev: Event) -> Result<(), CaseError> {
        let err = |message: String| CaseError {
            case: ev.case.clone(),
            message,
        };
        if let Some(&i) = self.index.get(&ev.case) {
            return self.cases[i].apply(&ev, &self.calendar).map_err(err);
        }
        // Count this application in its month before opening the case; undo if it fails.
        let (identity, ym) = match &ev.body {
            EventBody::Received {
                applicant,
                channel,
                submitted,
                confirmed,
                ..
            } => {
                let submitted = submitted.unwrap_or_else(|| ev.date());
                let receipt = channel.receipt_date(submitted, *confirmed).map_err(err)?;
                (
                    applicant.identity().to_owned(),
                    (receipt.year(), receipt.month()),
                )
            }
            _ => return Err(err(Case::open(&ev, 0).err().unwrap_or_default())),
        };
        let key = (identity, ym.0, ym.1);
        let ordinal = self.monthly.get(&key).copied().unwrap_or(0) + 1;
        let case = Case::open(&ev, ordinal).map_err(err)?;
        self.monthly.insert(key, ordinal);
        self.index.insert(case.id.clone(), self.cases.len());
        self.cases.push(case);
        Ok(())
    }

    /// Builds a registry from a JSONL log; every rejected line is reported with its
    /// number. Parsing errors stop before any event is applied.
    pub fn from_log(text: &str, calendar: Calendar) -> Result<Registry, Vec<LogError>> {
        let events = crate::event::parse_event_log(text)?;
        let mut reg = Registry::new(calendar);
        let mut errors = Vec::new();
        for (line, ev) in events {
            if let Err(e) = reg.apply(ev) {
                errors.push(LogError {
                    line,
                    message: e.to_string(),
                });
            }
        }
        if errors.is_empty() {
            Ok(reg)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ApplicantKind;

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

    fn received_by(case: &str, date: &str, who: &str) -> Event {
        ev(
            case,
            date,
            EventBody::Received {
                applicant: Applicant {
                    kind: ApplicantKind::Business,
                    name: who.into(),
                    id: None,
                },
                channel: Channel::InPerson,
                submitted: None,
                confirmed: None,
                request: "某地块出让合同".into(),
            },
        )
    }

    fn received(case: &str, date: &str) -> Event {
        received_by(case, date, "某公司")
    }

    fn decided(case: &str, date: &str, outcome: Outcome) -> Event {
        ev(
            case,
            date,
            EventBody::Decided {
                outcome,
                basis: None,
                note: None,
            },
        )
    }

    fn correction(case: &str, date: &str, due: &str) -> Event {
        ev(
            case,
            date,
            EventBody::CorrectionRequested {
                items: "请写明信息名称".into(),
                supplement_due: d(due),
            },
        )
    }

    fn reg_with(events: Vec<Event>) -> Registry {
        let mut r = Registry::new(Calendar::builtin());
        for e in events {
            r.apply(e).unwrap();
        }
        r
    }

    fn rejected(r: &mut Registry, e: Event) -> String {
        let before = r.get(&e.case).cloned();
        let msg = r.apply(e.clone()).unwrap_err().message;
        assert_eq!(
            r.get(&e.case).cloned(),
            before,
            "a rejected event changes nothing"
        );
        msg
    }

    #[test]
    fn lifecycle_received_decided_delivered() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        assert_eq!(r.get("A").unwrap().stage, Stage::Received);
        r.apply(decided("A", "2026-03-10", Outcome::Granted))
            .unwrap();
        let c = r.get("A").unwrap();
        assert_eq!(c.stage, Stage::Decided);
        assert_eq!(
            c.decision.as_ref().unwrap().basis,
            "第三十六条第（一）（二）项"
        );
        r.apply(ev(
            "A",
            "2026-03-11",
            EventBody::Delivered {
                method: Some("邮寄".into()),
                tracking: Some("EMS1234567890".into()),
            },
        ))
        .unwrap();
        assert_eq!(r.get("A").unwrap().stage, Stage::Delivered);
        assert_eq!(r.get("A").unwrap().events.len(), 3);
        let m = rejected(&mut r, decided("A", "2026-03-12", Outcome::Partial));
        assert!(m.contains("已送达"), "{m}");
    }

    #[test]
    fn first_event_must_be_received_and_ids_unique() {
        let mut r = Registry::new(Calendar::builtin());
        let m = r
            .apply(decided("X", "2026-03-10", Outcome::Granted))
            .unwrap_err()
            .message;
        assert!(m.contains("第一条事件应为 received"), "{m}");
        r.apply(received("A", "2026-03-02")).unwrap();
        let m = rejected(&mut r, received("A", "2026-03-03"));
        assert!(m.contains("编号重复"), "{m}");
    }

    /// 条例第三十一条：收到日期随渠道而定，缺少确认日期是错误。
    #[test]
    fn art31_receipt_date_by_channel() {
        let mut r = Registry::new(Calendar::builtin());
        let mut e = received("A", "2026-03-02");
        if let EventBody::Received {
            channel, confirmed, ..
        } = &mut e.body
        {
            *channel = Channel::Online;
            *confirmed = Some(d("2026-03-04"));
        }
        r.apply(e.clone()).unwrap();
        assert_eq!(r.get("A").unwrap().receipt, d("2026-03-04"));
        e.case = "B".into();
        if let EventBody::Received { confirmed, .. } = &mut e.body {
            *confirmed = None;
        }
        let m = r.apply(e).unwrap_err().message;
        assert!(m.contains("第三十一条"), "{m}");
        assert!(r.get("B").is_none());
    }

    /// 条例第三十条：补正须在 7 个工作日内一次性告知。
    #[test]
    fn art30_correction_within_seven_working_days_once() {
        let mut r = reg_with(vec![received("A", "2026-02-10")]);
        let m = rejected(&mut r, correction("A", "2026-02-27", "2026-03-20"));
        assert!(m.contains("7 个工作日") && m.contains("2026-02-26"), "{m}");
        r.apply(correction("A", "2026-02-26", "2026-03-20"))
            .unwrap();
        assert_eq!(r.get("A").unwrap().stage, Stage::AwaitingCorrection);
        r.apply(ev(
            "A",
            "2026-03-02",
            EventBody::Supplemented { note: None },
        ))
        .unwrap();
        let m = rejected(&mut r, correction("A", "2026-03-03", "2026-03-20"));
        assert!(m.contains("一次性"), "{m}");
    }

    #[test]
    fn art30_correction_due_must_follow_notice() {
        let mut r = reg_with(vec![received("A", "2026-02-10")]);
        let m = rejected(&mut r, correction("A", "2026-02-11", "2026-02-11"));
        assert!(m.contains("应晚于"), "{m}");
    }

    /// 条例第三十条：无正当理由逾期不补正的，视为放弃申请 → （六）1。
    #[test]
    fn art30_no_supplement_by_deadline_is_abandonment() {
        let mut r = reg_with(vec![
            received("A", "2026-03-02"),
            correction("A", "2026-03-03", "2026-03-17"),
        ]);
        let m = rejected(
            &mut r,
            decided("A", "2026-03-17", Outcome::OtherNoCorrection),
        );
        assert!(m.contains("尚未届满"), "{m}");
        let m = rejected(&mut r, decided("A", "2026-03-10", Outcome::Granted));
        assert!(m.contains("等待申请人补正"), "{m}");
        r.apply(decided("A", "2026-03-18", Outcome::OtherNoCorrection))
            .unwrap();
        assert_eq!(
            r.get("A").unwrap().concluded(),
            Some((d("2026-03-18"), Outcome::OtherNoCorrection))
        );
        // Without a pending correction the outcome is not available.
        let mut r = reg_with(vec![received("B", "2026-03-02")]);
        let m = rejected(
            &mut r,
            decided("B", "2026-04-20", Outcome::OtherNoCorrection),
        );
        assert!(m.contains("没有待补正"), "{m}");
    }

    /// 条例第三十条：「补正后申请内容仍不明确」须已补正。
    #[test]
    fn art30_still_unclear_requires_a_supplement() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        let m = rejected(
            &mut r,
            decided("A", "2026-03-10", Outcome::UnavailableUnclear),
        );
        assert!(m.contains("未经补正"), "{m}");
        r.apply(correction("A", "2026-03-03", "2026-03-17"))
            .unwrap();
        r.apply(ev(
            "A",
            "2026-03-05",
            EventBody::Supplemented { note: None },
        ))
        .unwrap();
        r.apply(decided("A", "2026-03-10", Outcome::UnavailableUnclear))
            .unwrap();
    }

    /// 条例第三十二条：征求第三方意见，答复期限内不得径行答复。
    #[test]
    fn art32_wait_for_third_party_within_fifteen_days() {
        let mut r = reg_with(vec![
            received("A", "2026-03-02"),
            ev(
                "A",
                "2026-03-03",
                EventBody::ConsultationSent {
                    consultation: "c1".into(),
                    consultee: Consultee::ThirdParty,
                    name: "某公司".into(),
                },
            ),
        ]);
        let c = &r.get("A").unwrap().consultations[0];
        assert_eq!(c.reply_due, d("2026-03-24"));
        assert_eq!(
            c.consent_at(d("2026-04-01")),
            None,
            "third-party silence decides nothing"
        );
        let m = rejected(&mut r, decided("A", "2026-03-10", Outcome::Granted));
        assert!(m.contains("第三十二条"), "{m}");
        // After the reply period the agency decides on its own.
        r.apply(decided("A", "2026-03-25", Outcome::DeniedThirdParty))
            .unwrap();
    }

    /// 条例第三十四条：共同制作机关逾期未答复视为同意公开。
    #[test]
    fn art34_co_producer_silence_is_consent() {
        let r = reg_with(vec![
            received("A", "2026-03-02"),
            ev(
                "A",
                "2026-03-03",
                EventBody::ConsultationSent {
                    consultation: "c1".into(),
                    consultee: Consultee::CoProducer,
                    name: "市财政局".into(),
                },
            ),
        ]);
        let c = &r.get("A").unwrap().consultations[0];
        assert_eq!(c.consent_at(d("2026-03-24")), None);
        assert_eq!(c.consent_at(d("2026-03-25")), Some(true));
    }

    #[test]
    fn consultation_references_are_checked() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        let m = rejected(
            &mut r,
            ev(
                "A",
                "2026-03-03",
                EventBody::ConsultationReplied {
                    consultation: "zz".into(),
                    consent: None,
                },
            ),
        );
        assert!(m.contains("没有编号"), "{m}");
    }

    /// 条例第三十三条第二款：延期须经负责人同意，最长 20 个工作日，且只能一次。
    #[test]
    fn art33_extension_rules() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        let ext = |days: u32, who: &str, date: &str| {
            ev(
                "A",
                date,
                EventBody::Extended {
                    working_days: days,
                    approved_by: who.into(),
                    reason: String::new(),
                },
            )
        };
        let m = rejected(&mut r, ext(21, "李主任", "2026-03-20"));
        assert!(m.contains("不得超过 20 个工作日"), "{m}");
        let m = rejected(&mut r, ext(10, " ", "2026-03-20"));
        assert!(m.contains("负责人同意"), "{m}");
        let m = rejected(&mut r, ext(10, "李主任", "2026-04-01"));
        assert!(m.contains("已于 2026-03-30 届满"), "{m}");
        r.apply(ext(10, "李主任", "2026-03-30")).unwrap();
        let m = rejected(&mut r, ext(5, "李主任", "2026-04-01"));
        assert!(m.contains("只能延长一次"), "{m}");
    }

    /// 办法第四条：按件计收按同一申请人同一自然月累计件数。
    #[test]
    fn fee_art4_per_item_counts_applications_per_month() {
        let mut r = Registry::new(Calendar::builtin());
        for i in 1..=11 {
            r.apply(received_by(&format!("A{i}"), "2026-03-02", "某公司"))
                .unwrap();
        }
        r.apply(received_by("B1", "2026-03-02", "另一公司"))
            .unwrap();
        r.apply(received_by("A12", "2026-04-01", "某公司")).unwrap();
        assert_eq!(r.get("A11").unwrap().month_ordinal, 11);
        assert_eq!(r.get("B1").unwrap().month_ordinal, 1);
        assert_eq!(
            r.get("A12").unwrap().month_ordinal,
            1,
            "a new natural month"
        );
        let fee = |case: &str, amount: u64| {
            ev(
                case,
                "2026-03-03",
                EventBody::FeeNoticed {
                    method: FeeMethod::PerItem,
                    amount_yuan: amount,
                    pages: None,
                },
            )
        };
        let m = rejected(&mut r, fee("A10", 100));
        assert!(m.contains("10 件以内不收费"), "{m}");
        let m = rejected(&mut r, fee("A11", 200));
        assert!(m.contains("应为 100 元"), "{m}");
        r.apply(fee("A11", 100)).unwrap();
        assert_eq!(r.get("A11").unwrap().stage, Stage::AwaitingPayment);
    }

    /// 办法第三条、第五条：按量计收核对金额；同一申请不得两种方式并用。
    #[test]
    fn fee_art3_art5_per_volume_and_never_both() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        let vol = |pages: u32, amount: u64| {
            ev(
                "A",
                "2026-03-03",
                EventBody::FeeNoticed {
                    method: FeeMethod::PerVolume,
                    amount_yuan: amount,
                    pages: Some(pages),
                },
            )
        };
        let m = rejected(&mut r, vol(30, 0));
        assert!(m.contains("不收费"), "{m}");
        let m = rejected(&mut r, vol(101, 700));
        assert!(m.contains("应为 720 元"), "{m}");
        r.apply(vol(101, 720)).unwrap();
        let m = rejected(
            &mut r,
            ev(
                "A",
                "2026-03-04",
                EventBody::FeeNoticed {
                    method: FeeMethod::PerItem,
                    amount_yuan: 100,
                    pages: None,
                },
            ),
        );
        assert!(m.contains("不得同时按件和按量"), "{m}");
    }

    /// 办法第六条：逾期未缴费视为放弃申请 → （六）2；逾期后不能再记缴费。
    #[test]
    fn fee_art6_unpaid_after_twenty_working_days() {
        let mut r = reg_with(vec![
            received("A", "2026-03-02"),
            ev(
                "A",
                "2026-03-03",
                EventBody::FeeNoticed {
                    method: FeeMethod::PerVolume,
                    amount_yuan: 10,
                    pages: Some(31),
                },
            ),
        ]);
        let due = r.get("A").unwrap().fee.as_ref().unwrap().payment_due;
        assert_eq!(due, d("2026-03-31"));
        let m = rejected(&mut r, decided("A", "2026-03-31", Outcome::OtherFeeUnpaid));
        assert!(m.contains("尚未届满"), "{m}");
        let m = rejected(
            &mut r,
            ev("A", "2026-04-01", EventBody::FeePaid { note: None }),
        );
        assert!(m.contains("fee_unpaid"), "{m}");
        r.apply(decided("A", "2026-04-01", Outcome::OtherFeeUnpaid))
            .unwrap();
    }

    #[test]
    fn withdrawal_concludes_as_other() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        r.apply(ev(
            "A",
            "2026-03-05",
            EventBody::Withdrawn {
                reason: "已自行获取".into(),
            },
        ))
        .unwrap();
        assert_eq!(
            r.get("A").unwrap().concluded(),
            Some((d("2026-03-05"), Outcome::OtherOther))
        );
        let m = rejected(&mut r, decided("A", "2026-03-06", Outcome::Granted));
        assert!(m.contains("已撤回"), "{m}");
    }

    #[test]
    fn events_must_be_in_time_order() {
        let mut r = reg_with(vec![received("A", "2026-03-02")]);
        r.apply(ev(
            "A",
            "2026-03-05",
            EventBody::Extended {
                working_days: 5,
                approved_by: "李主任".into(),
                reason: String::new(),
            },
        ))
        .unwrap();
        let m = rejected(&mut r, decided("A", "2026-03-04", Outcome::Granted));
        assert!(m.contains("早于"), "{m}");
    }

    /// 条例第五十一条：复议、诉讼；复议后起诉须有已审结的复议。
    #[test]
    fn art51_appeals() {
        let mut r = reg_with(vec![
            received("A", "2026-03-02"),
            decided("A", "2026-03-10", Outcome::DeniedDeliberative),
        ]);
        let file = |id: &str, kind: AppealKind, date: &str| {
            ev(
                "A",
                date,
                EventBody::AppealFiled {
                    appeal: id.into(),
                    appeal_kind: kind,
                    body: "市人民政府".into(),
                },
            )
        };
        let m = rejected(
            &mut r,
            file("s1", AppealKind::SuitAfterReview, "2026-04-01"),
        );
        assert!(m.contains("复议后起诉"), "{m}");
        r.apply(file("r1", AppealKind::Review, "2026-04-01"))
            .unwrap();
        let m = rejected(&mut r, file("r1", AppealKind::Review, "2026-04-02"));
        assert!(m.contains("重复"), "{m}");
        r.apply(ev(
            "A",
            "2026-05-20",
            EventBody::AppealResolved {
                appeal: "r1".into(),
                result: AppealResult::Upheld,
            },
        ))
        .unwrap();
        r.apply(file("s1", AppealKind::SuitAfterReview, "2026-06-01"))
            .unwrap();
        assert_eq!(r.get("A").unwrap().appeals.len(), 2);
        assert_eq!(
            r.get("A").unwrap().stage,
            Stage::Decided,
            "appeals do not reopen a case"
        );
    }

    #[test]
    fn registry_from_log_reports_line_numbers() {
        let log = r#"{"case":"A","time":"2026-03-02T09:00:00+08:00","actor":"王芳","kind":"received","payload":{"applicant":{"kind":"natural_person","name":"张三"},"channel":"in_person","request":"某文件"}}
{"case":"A","time":"2026-03-03T09:00:00+08:00","actor":"王芳","kind":"extended","payload":{"working_days":30,"approved_by":"李主任"}}
"#;
        let errs = Registry::from_log(log, Calendar::builtin()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].to_string().contains("案件 A"), "{}", errs[0]);
    }

    #[test]
    fn case_serializes_to_json_and_back() {
        let r = reg_with(vec![
            received("A", "2026-03-02"),
            decided("A", "2026-03-10", Outcome::Granted),
        ]);
        let c = r.get("A").unwrap();
        let json = serde_json::to_string(c).unwrap();
        let back: Case = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, c);
    }
}
