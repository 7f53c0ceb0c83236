//! The public portal as operations: find an agency and read its guide, apply online
//! (条例第二十九条), follow the application by its 申请编号 and 查询码, answer a 补正,
//! withdraw, tell the office a fee was paid or ask for a copy again — and, on the
//! office's side, confirm an online application, which makes it a case received on
//! that day (第三十一条第（三）项).
//!
//! Nobody logs in: the 查询码 is the applicant's key. It is drawn from the system's
//! random source (16 symbols of 31, ≈79 bits), shown once and stored only as a hash;
//! failed lookups are limited per address, a wrong number and a wrong code get the
//! same answer, and every lookup is in the audit log.

use crate::Office;
use crate::application_form::ApplicationForm;
use crate::attachments::prepare_upload;
use crate::auth;
use crate::casework::{DueView, Registration, Step, due_view, event_label, mask_id, stage_key};
use crate::error::{OfficeError, Result};
use crate::roles::{Actor, Permission};
use chrono::{Duration, NaiveDate};
use gongkai_cases::{EventBody, Stage};
use gongkai_store::office::{AgencyRow, DocumentInfo, FileContent, NewAttachment};
pub use gongkai_store::portal::PendingApplication;
use gongkai_store::portal::{
    ApplicantMessageRow, NewPortalApplication, PortalApplicationRow, PortalFileInfo,
};
use pinyin::ToPinyinMulti;
use serde::Serialize;

/// The symbols of a 查询码: no 0/O, 1/I/L, so it can be read off paper.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 16;
/// Online applications accepted from one address per hour.
pub const MAX_SUBMISSIONS_PER_ADDRESS: i64 = 20;
/// Failed lookups allowed from one address in `LOOKUP_WINDOW_MINUTES`.
pub const MAX_LOOKUP_FAILURES: i64 = 10;
pub const LOOKUP_WINDOW_MINUTES: i64 = 15;
/// Files with one application or one 补正.
pub const MAX_FILES: usize = 5;
/// The longest text an applicant sends with a 补正, a withdrawal or a message.
pub const MAX_TEXT: usize = 2000;
/// Who the case's timeline names for what the applicant did online.
pub const APPLICANT_ONLINE: &str = "申请人（网上）";
/// What a published report shows in place of prose that the dataset does not hold.
pub const PROSE_NOT_KEPT: &str = "（本平台未收录此部分文字，请以该机关发布的原文为准。）";

/// The letters addressed to the applicant (a consultation letter goes to a third
/// party and is not the applicant's to read).
const APPLICANT_LETTERS: [&str; 4] = ["correction", "extension", "fee", "answer"];

/// The key under which an address's online submissions are counted.
fn submit_key(address: &str) -> String {
    format!("submit:{address}")
}

fn too_many_submissions() -> OfficeError {
    OfficeError::TooMany(
        "本网络地址一小时内提交的申请已达上限，请稍后再提交，或到机关当面提交".into(),
    )
}

/// An agency found by the public search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyHit {
    pub id: i64,
    pub name: String,
    /// The agencies above it, 「演示省 › 演示市」.
    pub trail: String,
}

/// What the applicant is shown once, on sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub number: String,
    /// The 查询码 in groups of four; never shown again.
    pub code: String,
    pub agency: String,
    pub submitted_on: NaiveDate,
}

/// What the applicant may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantAction {
    /// Answer the 补正告知 (条例第三十条).
    Supplement,
    Withdraw,
    /// Tell the office the fee was paid (the office confirms receipt).
    ReportPayment,
    /// Ask for the documents again.
    AskCopy,
}

/// A 信息处理费 the office asked for and the applicant has not paid yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeDue {
    pub amount_yuan: u64,
    /// 按件计收 or 按量计收.
    pub method: String,
    pub noticed_on: NaiveDate,
    /// The last day to pay (unpaid after it, the application counts as given up).
    pub payment_due: NaiveDate,
}

/// The case as the applicant follows it.
#[derive(Debug, Clone, Serialize)]
pub struct TrackedCase {
    pub received_on: String,
    pub version: i64,
    pub due: Option<DueView>,
    /// (date, what happened), in plain words.
    pub timeline: Vec<(NaiveDate, String)>,
    pub documents: Vec<DocumentInfo>,
    /// The 补正 asked for and its last day, while it is awaited.
    pub correction: Option<(String, NaiveDate)>,
    /// The fee asked for, while it is awaited.
    pub fee: Option<FeeDue>,
    pub actions: Vec<ApplicantAction>,
    pub messages: Vec<ApplicantMessageRow>,
}

/// The application as its applicant sees it: no ID number in full.
#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    pub number: String,
    pub agency_id: i64,
    pub agency: String,
    pub submitted_on: String,
    pub applicant: String,
    pub id_number: Option<String>,
    pub request: String,
    pub provision: Option<String>,
    /// The state in plain words, and what it means for the applicant.
    pub state: String,
    pub state_note: String,
    pub files: Vec<PortalFileInfo>,
    pub case: Option<TrackedCase>,
}

/// An online application waiting in the office's inbox for confirmation.
pub type PendingOnline = PendingApplication<Registration>;

/// The possible pinyin initials of each character of `name`, lower case: every
/// reading of a character with several counts (长 is c in 长沙 and z in 长子县,
/// 重 c in 重庆), since which one a place name uses is not in the dictionary.
/// Other characters stand for themselves.
pub fn initials(name: &str) -> Vec<Vec<char>> {
    name.chars()
        .map(|c| match c.to_pinyin_multi() {
            Some(readings) => {
                let mut letters: Vec<char> = Vec::with_capacity(readings.count());
                for p in readings {
                    if let Some(l) = p.first_letter().chars().next()
                        && !letters.contains(&l)
                    {
                        letters.push(l);
                    }
                }
                letters
            }
            None => c.to_lowercase().collect(),
        })
        .collect()
}

/// Whether the ASCII `query` (lower case) is a run of `name`'s initials,
/// anywhere in the name (「zrzy」 finds 演示县自然资源局).
pub fn initials_match(name: &str, query: &str) -> bool {
    let q: Vec<char> = query.chars().collect();
    if q.is_empty() {
        return true;
    }
    let sets = initials(name);
    sets.windows(q.len())
        .any(|w| w.iter().zip(&q).all(|(set, c)| set.contains(c)))
}

/// A new 查询码: `CODE_LEN` symbols drawn without bias from the system's source.
fn new_code() -> String {
    let mut out = String::with_capacity(CODE_LEN);
    while out.len() < CODE_LEN {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).expect("the operating system's random source is unavailable");
        for x in b {
            // 248 = 8 × 31: values above it would favour the first symbols.
            if x < 248 && out.len() < CODE_LEN {
                out.push(CODE_ALPHABET[(x % 31) as usize] as char);
            }
        }
    }
    out
}

/// A 查询码 as typed: case, spaces and dashes do not matter.
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A 申请编号: the day and six random digits (`W20261201-482913`), so that numbers
/// tell nothing about how many others applied.
fn new_number(today: NaiveDate) -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the operating system's random source is unavailable");
    format!(
        "W{}-{:06}",
        today.format("%Y%m%d"),
        u32::from_le_bytes(b) % 1_000_000
    )
}

/// The applicant's name with all but its first character masked.
fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count();
            format!("{first}{}", "*".repeat(rest.clamp(1, 8)))
        }
        None => String::new(),
    }
}

fn checked_text(what: &str, text: &str, required: bool) -> Result<String> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(OfficeError::Invalid(format!("请填写{what}")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(OfficeError::Invalid(format!(
            "{what}最多 {MAX_TEXT} 字；内容较多的，请作为附件上传"
        )));
    }
    Ok(t.to_string())
}

/// Checks uploaded files before anything is stored.
fn checked_files(files: Vec<(String, Vec<u8>)>) -> Result<Vec<NewAttachment>> {
    let files: Vec<_> = files
        .into_iter()
        .filter(|(n, b)| !(n.is_empty() && b.is_empty()))
        .collect();
    if files.len() > MAX_FILES {
        return Err(OfficeError::Invalid(format!(
            "附件最多 {MAX_FILES} 个，请合并后上传"
        )));
    }
    files
        .into_iter()
        .map(|(name, bytes)| prepare_upload(&name, bytes).map(|(file, _)| file))
        .collect()
}

/// The registration an online application holds.
fn registration_of(app: &PortalApplicationRow) -> Result<Registration> {
    serde_json::from_str(&app.application)
        .map_err(|e| OfficeError::Document(format!("网上申请记录无法读取：{e}")))
}

fn plain_state(stage: Option<Stage>) -> (&'static str, &'static str) {
    match stage {
        None => (
            "等待机关确认收到",
            "您的申请已提交并保存。机关确认收到之日为收到申请之日（条例第三十一条第（三）项），答复期限自该日起计算。",
        ),
        Some(Stage::Received | Stage::InProcess) => {
            ("办理中", "机关正在办理您的申请，将在答复期限内作出答复。")
        }
        Some(Stage::AwaitingCorrection) => (
            "需要补正",
            "机关请您补正申请内容。请在补正期限内在本页提交补正；答复期限自机关收到补正之日起重新计算（条例第三十条）。",
        ),
        Some(Stage::AwaitingPayment) => (
            "待缴纳信息处理费",
            "请按收费通知书缴费；缴费后可在本页告知机关，机关确认收款后继续办理。",
        ),
        Some(Stage::Decided) => ("已答复", "机关已作出答复，答复书可在下方下载。"),
        Some(Stage::Delivered) => ("已送达", "答复书已送达，可在下方下载。"),
        Some(Stage::Withdrawn) => ("已撤回", "您已撤回申请，机关不再处理。"),
    }
}

impl Office {
    /// Agencies whose name holds `query`, or whose pinyin initials hold it.
    pub async fn find_agencies(&self, query: &str) -> Result<Vec<AgencyHit>> {
        let q = query.trim().to_lowercase();
        let all = self.store.agencies().await?;
        let names: std::collections::HashMap<i64, &str> =
            all.iter().map(|a| (a.id, a.name.as_str())).collect();
        let name_of = |id: i64| names.get(&id).map(|n| n.to_string());
        let mut hits = Vec::new();
        for a in &all {
            let matched = q.is_empty()
                || a.name.to_lowercase().contains(&q)
                || (q.is_ascii() && initials_match(&a.name, &q));
            if !matched {
                continue;
            }
            let trail: Vec<String> = a
                .path
                .split('/')
                .filter_map(|s| s.parse::<i64>().ok())
                .filter(|id| *id != a.id)
                .filter_map(name_of)
                .collect();
            hits.push(AgencyHit {
                id: a.id,
                name: a.name.clone(),
                trail: trail.join(" › "),
            });
            if hits.len() >= 100 {
                break;
            }
        }
        Ok(hits)
    }

    /// Sends an online application to `agency_id`. It is stored (with its files)
    /// before the receipt is returned; the office's confirmation makes it a case.
    pub async fn submit_online(
        &self,
        agency_id: i64,
        form: &ApplicationForm,
        files: Vec<(String, Vec<u8>)>,
        address: &str,
    ) -> Result<Receipt> {
        let agency = self.agency(agency_id).await?;
        self.submit_online_as(&agency, form, files, address, None)
            .await
    }

    /// Whether submissions from `address` are refused now, known from memory alone
    /// (the address was found over its limit and has not fallen back under it): the
    /// portal answers such a flood before it reads the agency or the form, so the
    /// flood costs the clerks' server as little as it can.
    pub fn submissions_refused(&self, address: &str) -> Option<OfficeError> {
        // Answered without the form: the applicant finds what they typed one page back.
        self.refusals.refused(&submit_key(address)).then(|| {
            OfficeError::TooMany(format!(
                "{}（已填写的内容可返回上一页找回）",
                too_many_submissions()
            ))
        })
    }

    /// `submit_online` to an agency the caller has read (the portal's page has, to
    /// name it), perhaps from a signed-in portal account: the application is then
    /// listed in the account.
    pub async fn submit_online_as(
        &self,
        agency: &AgencyRow,
        form: &ApplicationForm,
        files: Vec<(String, Vec<u8>)>,
        address: &str,
        account: Option<&crate::public_account::PublicAccount>,
    ) -> Result<Receipt> {
        let key = submit_key(address);
        let window = Duration::minutes(60);
        if self
            .over_limit(&key, window, MAX_SUBMISSIONS_PER_ADDRESS)
            .await?
        {
            return Err(too_many_submissions());
        }
        let today = self.today();
        let reg = form.check(today).map_err(|errs| {
            OfficeError::Invalid(
                errs.iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            )
        })?;
        let files = checked_files(files)?;
        let application = serde_json::to_string(&reg)
            .map_err(|e| OfficeError::Document(format!("无法保存申请：{e}")))?;
        // Checked and counted at once: of submissions sent together, no more than
        // the limit get past (the check above only spares the database a flood).
        if !self
            .take_attempt(&key, window, MAX_SUBMISSIONS_PER_ADDRESS)
            .await?
        {
            return Err(too_many_submissions());
        }
        for _ in 0..5 {
            let number = new_number(today);
            let code = new_code();
            let new = NewPortalApplication {
                agency_id: agency.id,
                number: number.clone(),
                lookup_hash: auth::token_hash(&code),
                application: application.clone(),
                submitted_on: today.to_string(),
                address: Some(address.to_string()),
                account_id: account.map(|a| a.id),
            };
            match self.store.create_portal_application(&new, &files).await {
                Ok(id) => {
                    self.audit(
                        None,
                        Some(agency.id),
                        "网上提交申请",
                        format!("portal:{id}"),
                        format!(
                            "{number}，{}，附件 {} 个",
                            reg.applicant_kind.label(),
                            files.len()
                        ),
                        Some(address),
                    )
                    .await?;
                    return Ok(Receipt {
                        number,
                        code: grouped(&code),
                        agency: agency.name.clone(),
                        submitted_on: today,
                    });
                }
                // A number drawn twice: draw again.
                Err(gongkai_store::StoreError::Invalid(m)) if m.contains("已存在") => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(OfficeError::Conflict("提交繁忙，请稍后重试".into()))
    }

    /// The application `number` if `code` is its 查询码. Every attempt is audited;
    /// failures are counted per address, and a wrong number and a wrong code are
    /// answered alike.
    async fn applicant_access(
        &self,
        number: &str,
        code: &str,
        action: &str,
        address: &str,
    ) -> Result<(PortalApplicationRow, AgencyRow)> {
        let key = format!("lookup:{address}");
        if self
            .over_limit(
                &key,
                Duration::minutes(LOOKUP_WINDOW_MINUTES),
                MAX_LOOKUP_FAILURES,
            )
            .await?
        {
            // Refused before the code is even read, but still a lookup: in the log.
            let typed: String = number.trim().chars().take(40).collect();
            self.audit(
                None,
                None,
                "查询被限制",
                "portal".into(),
                format!("{action}：{typed}"),
                Some(address),
            )
            .await?;
            return Err(OfficeError::TooMany(format!(
                "查询失败次数过多，请 {LOOKUP_WINDOW_MINUTES} 分钟后再试"
            )));
        }
        let number = number.trim().to_ascii_uppercase();
        let code = normalize_code(code);
        let row = if number.is_empty() || number.len() > 40 || code.len() != CODE_LEN {
            None
        } else {
            self.store.portal_application_by_number(&number).await?
        };
        let row = match row {
            Some(r) if auth::same_token(&auth::token_hash(&code), &r.lookup_hash) => r,
            _ => {
                self.store.record_attempt(&key).await?;
                let typed: String = number.chars().take(40).collect();
                self.audit(
                    None,
                    None,
                    "查询失败",
                    "portal".into(),
                    typed,
                    Some(address),
                )
                .await?;
                return Err(OfficeError::Invalid(
                    "申请编号或查询码不正确，请对照回执核对后重新输入".into(),
                ));
            }
        };
        let agency = self.agency(row.agency_id).await?;
        self.audit(
            None,
            Some(agency.id),
            action,
            format!("portal:{}", row.id),
            row.number.clone(),
            Some(address),
        )
        .await?;
        Ok((row, agency))
    }

    /// The application as its applicant follows it.
    pub async fn track(&self, number: &str, code: &str, address: &str) -> Result<Tracking> {
        let (app, agency) = self
            .applicant_access(number, code, "查询申请进度", address)
            .await?;
        self.tracking(&app, &agency).await
    }

    pub(crate) async fn tracking(
        &self,
        app: &PortalApplicationRow,
        agency: &AgencyRow,
    ) -> Result<Tracking> {
        let reg = registration_of(app)?;
        let files = self.store.portal_files_of(app.id).await?;
        let mut t = Tracking {
            number: app.number.clone(),
            agency_id: agency.id,
            agency: agency.name.clone(),
            submitted_on: app.submitted_on.clone(),
            applicant: mask_name(&reg.applicant_name),
            id_number: reg.id_number.as_deref().map(mask_id),
            request: reg.request.clone(),
            provision: reg.provision.clone(),
            state: String::new(),
            state_note: String::new(),
            files,
            case: None,
        };
        let stage = match app.case_id {
            None => None,
            Some(case_id) => {
                let row = self
                    .store
                    .case(case_id)
                    .await?
                    .ok_or_else(|| OfficeError::NotFound("案件不存在".into()))?;
                let (mut case, _events, cal) = self.load(&row).await?;
                let today = self.today();
                // The time limits as the applicant reads them: a consultation's
                // pause is shown, the third party it went to is not named.
                for c in &mut case.consultations {
                    c.name.clear();
                }
                let documents = self
                    .store
                    .documents_of(case_id)
                    .await?
                    .into_iter()
                    .filter(|d| APPLICANT_LETTERS.contains(&d.kind.as_str()))
                    .collect();
                let mut actions = Vec::new();
                if case.stage == Stage::AwaitingCorrection {
                    actions.push(ApplicantAction::Supplement);
                }
                if !case.stage.is_closed() {
                    actions.push(ApplicantAction::Withdraw);
                }
                if case.stage == Stage::AwaitingPayment {
                    actions.push(ApplicantAction::ReportPayment);
                }
                if matches!(case.stage, Stage::Decided | Stage::Delivered) {
                    actions.push(ApplicantAction::AskCopy);
                }
                let timeline = case
                    .events
                    .iter()
                    .map(|ev| {
                        let what = match &ev.body {
                            EventBody::Decided { outcome, .. } => {
                                format!("作出答复（{}）", outcome.label())
                            }
                            EventBody::ConsultationSent { .. } => {
                                "征求意见（征求意见期间不计入答复期限）".to_string()
                            }
                            b => event_label(b).to_string(),
                        };
                        (ev.date(), what)
                    })
                    .collect();
                t.case = Some(TrackedCase {
                    received_on: row.received_on.clone(),
                    version: row.version,
                    due: due_view(&case, &cal, today),
                    timeline,
                    documents,
                    correction: case
                        .correction
                        .as_ref()
                        .filter(|c| c.supplemented.is_none())
                        .map(|c| (c.items.clone(), c.supplement_due)),
                    fee: case
                        .fee
                        .as_ref()
                        .filter(|f| f.paid.is_none() && case.stage == Stage::AwaitingPayment)
                        .map(|f| FeeDue {
                            amount_yuan: f.amount_yuan,
                            method: f.method.label().to_string(),
                            noticed_on: f.date,
                            payment_due: f.payment_due,
                        }),
                    actions,
                    messages: self.store.applicant_messages_of(case_id).await?,
                });
                Some(case.stage)
            }
        };
        let (state, note) = plain_state(stage);
        t.state = state.to_string();
        t.state_note = note.to_string();
        Ok(t)
    }

    /// The case behind an application, for a step the applicant takes.
    async fn applicant_case(
        &self,
        number: &str,
        code: &str,
        action: &str,
        address: &str,
    ) -> Result<(gongkai_store::office::CaseRow, AgencyRow)> {
        let (app, agency) = self.applicant_access(number, code, action, address).await?;
        let case_id = app.case_id.ok_or_else(|| {
            OfficeError::Invalid("机关尚未确认收到您的申请，确认后才能办理此项".into())
        })?;
        let row = self
            .store
            .case(case_id)
            .await?
            .ok_or_else(|| OfficeError::NotFound("案件不存在".into()))?;
        Ok((row, agency))
    }

    /// The applicant answers the 补正告知 online: the text and files go to the case,
    /// and the answer period runs again from today (条例第三十条).
    pub async fn applicant_supplement(
        &self,
        number: &str,
        code: &str,
        text: &str,
        files: Vec<(String, Vec<u8>)>,
        address: &str,
    ) -> Result<()> {
        let text = checked_text("补正内容", text, true)?;
        let files = checked_files(files)?;
        let (row, agency) = self
            .applicant_case(number, code, "网上提交补正", address)
            .await?;
        if row.stage != stage_key(Stage::AwaitingCorrection) {
            return Err(OfficeError::Invalid(
                "本申请当前不需要补正，请刷新页面查看最新状态".into(),
            ));
        }
        let step = Step::Supplemented { note: Some(text) };
        // The files in the step's own transaction: never a 补正 without its files,
        // nor files without their 补正.
        self.applicant_step(&row, &agency, &step, &files).await?;
        self.audit_applicant(
            &row,
            "申请人网上补正",
            format!("{}，附件 {} 个", row.number, files.len()),
            address,
        )
        .await
    }

    /// The applicant withdraws the application.
    pub async fn applicant_withdraw(
        &self,
        number: &str,
        code: &str,
        reason: &str,
        address: &str,
    ) -> Result<()> {
        let reason = checked_text("撤回理由", reason, false)?;
        let (row, agency) = self
            .applicant_case(number, code, "网上撤回申请", address)
            .await?;
        let step = Step::Withdraw { reason };
        self.applicant_step(&row, &agency, &step, &[]).await?;
        self.audit_applicant(&row, "申请人网上撤回", row.number.clone(), address)
            .await
    }

    /// The applicant tells the office something the office must act on: a fee
    /// paid (`fee_paid`) or a copy asked for again (`copy`).
    pub async fn applicant_message(
        &self,
        number: &str,
        code: &str,
        kind: &str,
        text: &str,
        address: &str,
    ) -> Result<()> {
        let label =
            message_label(kind).ok_or_else(|| OfficeError::Invalid("留言类型无效".into()))?;
        let text = checked_text("说明", text, false)?;
        let (row, _) = self.applicant_case(number, code, label, address).await?;
        let fits = match kind {
            "fee_paid" => row.stage == stage_key(Stage::AwaitingPayment),
            _ => row.stage == stage_key(Stage::Decided) || row.stage == stage_key(Stage::Delivered),
        };
        if !fits {
            return Err(OfficeError::Invalid(match kind {
                "fee_paid" => "本申请当前没有待缴的信息处理费".into(),
                _ => "机关尚未作出答复，暂无可再次提供的文书".into(),
            }));
        }
        self.store
            .add_applicant_message(row.id, kind, &text)
            .await?;
        self.audit_applicant(&row, label, row.number.clone(), address)
            .await
    }

    /// A letter of the applicant's case, for the applicant to download.
    pub async fn applicant_document(
        &self,
        number: &str,
        code: &str,
        document_id: i64,
        address: &str,
    ) -> Result<FileContent> {
        let (app, _) = self
            .applicant_access(number, code, "下载答复文书", address)
            .await?;
        let not_found = || OfficeError::NotFound("文书不存在".into());
        let case_id = app.case_id.ok_or_else(not_found)?;
        let info = self
            .store
            .documents_of(case_id)
            .await?
            .into_iter()
            .find(|d| d.id == document_id && APPLICANT_LETTERS.contains(&d.kind.as_str()))
            .ok_or_else(not_found)?;
        self.store.document(info.id).await?.ok_or_else(not_found)
    }

    /// The receipt (回执) of an online application, as PDF (DOCX where the fonts
    /// are missing): (file name, media type, bytes).
    pub async fn receipt_document(
        &self,
        number: &str,
        code: &str,
        address: &str,
    ) -> Result<(String, String, Vec<u8>)> {
        let (app, agency) = self
            .applicant_access(number, code, "下载申请回执", address)
            .await?;
        let reg = registration_of(&app)?;
        let submitted = NaiveDate::parse_from_str(&app.submitted_on, "%Y-%m-%d")
            .map_err(|e| OfficeError::Document(format!("提交日期无法读取：{e}")))?;
        let letter = gongkai_render::letter::Letter {
            title: "政府信息公开申请回执".into(),
            number: format!("申请编号：{}", app.number),
            addressee: reg.applicant_name.clone(),
            paragraphs: vec![
                format!(
                    "您于{}通过网上申请向{}提出的政府信息公开申请已提交，申请内容为：“{}”。",
                    crate::letters::cn_date(submitted),
                    agency.name,
                    reg.request
                ),
                "本机关确认收到申请之日为收到申请之日（《中华人民共和国政府信息公开条例》第三十一条第（三）项），答复期限自该日起计算。".into(),
                // The code is in the letter: whoever keeps only the PDF must still be
                // able to follow the case (downloading it took the code already).
                format!("查询码：{code}"),
                "您可以凭申请编号和查询码在网上查询办理进度、提交补正和下载答复文书。查询码只在提交时显示一次，本机关不保存查询码原文，遗失后无法找回，请妥善保管，不要告诉他人。".into(),
            ],
            signature: agency.name.clone(),
            date: crate::letters::cn_date(submitted),
        };
        let stem = format!("{}-申请回执", app.number);
        match tokio::task::block_in_place(|| letter.pdf()) {
            Ok(pdf) => Ok((format!("{stem}.pdf"), "application/pdf".into(), pdf)),
            Err(_) => Ok((
                format!("{stem}.docx"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
                letter
                    .docx()
                    .map_err(|e| OfficeError::Document(e.to_string()))?,
            )),
        }
    }

    /// The online applications waiting for the actor's agency to confirm them, the
    /// oldest `limit`, and how many wait in all.
    pub async fn pending_online(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<(Vec<PendingOnline>, i64)> {
        actor.require_own(Permission::ViewCases)?;
        Ok(self
            .store
            .pending_portal_applications(actor.agency_id, limit)
            .await?)
    }

    /// Confirms an online application of the actor's agency: it becomes a case
    /// received today (条例第三十一条第（三）项), its files the case's attachments.
    pub async fn confirm_online(
        &self,
        actor: &Actor,
        id: i64,
        address: Option<&str>,
    ) -> Result<i64> {
        actor.require_own(Permission::HandleCases)?;
        let not_found =
            || OfficeError::NotFound(format!("网上申请（编号 {id}）不存在或不属于本机关"));
        let app = self
            .store
            .portal_application(id)
            .await?
            .filter(|a| a.agency_id == actor.agency_id)
            .ok_or_else(not_found)?;
        if app.case_id.is_some() {
            return Err(OfficeError::Conflict(
                "该网上申请已由他人确认登记，请刷新".into(),
            ));
        }
        let mut reg = registration_of(&app)?;
        reg.confirmed = Some(self.today());
        let agency = self.agency(actor.agency_id).await?;
        self.register_linked(&agency, Some(actor), &reg, false, Some(app.id), address)
            .await
    }
}

impl Office {
    /// The annual reports of the agency held in the dataset (read by `gongkai
    /// ingest` from what the agency published), newest first.
    pub async fn published_reports(
        &self,
        agency_id: i64,
    ) -> Result<Vec<gongkai_store::portal::PublishedReport>> {
        let agency = self.agency(agency_id).await?;
        match gongkai_store::agency_key(&agency.name) {
            Some(key) => Ok(self.store.published_reports(&key).await?),
            None => Ok(Vec::new()),
        }
    }

    /// One of those reports, written as `format` (HTML to read, DOCX or PDF to
    /// download): (file name, media type, bytes). Its tables are the cells as read,
    /// exactly; a report of another agency is not found.
    pub async fn published_report(
        &self,
        agency_id: i64,
        report_id: i64,
        format: gongkai_render::Format,
    ) -> Result<(String, String, Vec<u8>)> {
        let agency = self.agency(agency_id).await?;
        let not_found = || OfficeError::NotFound("该机关没有这份年度报告".into());
        let key = gongkai_store::agency_key(&agency.name).ok_or_else(not_found)?;
        if self.store.report_agency_key(report_id).await?.as_deref() != Some(key.as_str()) {
            return Err(not_found());
        }
        let mut report = self
            .store
            .load_report(report_id)
            .await?
            .ok_or_else(not_found)?;
        // A prose section the dataset does not hold (stored before the prose was kept,
        // or not found in the document) says so, rather than print the blank form's
        // placeholder as if it were the agency's text.
        for i in [0, 4, 5] {
            if gongkai_render::section_paragraphs(&report, i).is_empty() {
                report.sections.push(gongkai_report::Section {
                    heading: gongkai_render::layout::SECTION_HEADINGS[i].to_string(),
                    text: PROSE_NOT_KEPT.to_string(),
                });
            }
        }
        let bytes = tokio::task::block_in_place(|| {
            gongkai_render::render(&report, format, &gongkai_render::Options::default())
        })
        .map_err(|e| OfficeError::Document(e.to_string()))?;
        let (ext, media) = match format {
            gongkai_render::Format::Docx => (
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            gongkai_render::Format::Pdf => ("pdf", "application/pdf"),
            _ => ("html", "text/html; charset=utf-8"),
        };
        let year = report.year.map_or(String::new(), |y| format!("{y}年"));
        Ok((
            format!("{}{year}政府信息公开工作年度报告.{ext}", agency.name),
            media.to_string(),
            bytes,
        ))
    }
}

impl Office {
    /// Records a step the applicant takes online, with the files sent with it, on
    /// the case as it stands now.
    async fn applicant_step(
        &self,
        row: &gongkai_store::office::CaseRow,
        agency: &AgencyRow,
        step: &Step,
        files: &[NewAttachment],
    ) -> Result<()> {
        self.record_step(
            row,
            agency,
            row.version,
            step,
            None,
            APPLICANT_ONLINE,
            None,
            files,
        )
        .await
        .map(|_| ())
        .map_err(refresh_hint)
    }

    /// Writes what the applicant did on a case to the audit log.
    async fn audit_applicant(
        &self,
        row: &gongkai_store::office::CaseRow,
        action: &str,
        detail: String,
        address: &str,
    ) -> Result<()> {
        self.audit(
            None,
            Some(row.agency_id),
            action,
            format!("case:{}", row.id),
            detail,
            Some(address),
        )
        .await
    }
}

/// A step refused because the office acted a moment before: say to look again.
fn refresh_hint(e: OfficeError) -> OfficeError {
    match e {
        OfficeError::Conflict(_) => {
            OfficeError::Conflict("机关刚刚更新了您的申请，请重新查询后再提交".into())
        }
        e => e,
    }
}

pub fn message_label(kind: &str) -> Option<&'static str> {
    match kind {
        "fee_paid" => Some("申请人告知已缴费"),
        "copy" => Some("申请人请求再次提供文书"),
        _ => None,
    }
}

#[cfg(test)]
#[path = "portal_tests.rs"]
mod tests;
