//! The public portal's pages: no account, usable on a phone and with JavaScript
//! off. Find the agency, read its guide, apply (form → check → confirm with files →
//! receipt), follow the application by 申请编号 + 查询码, answer a 补正, withdraw,
//! tell the office a fee was paid, ask for a copy, download the letters.
//!
//! The 查询码 travels only in POST bodies (never in an address, so never in a log or
//! a browser's history); each request that carries it is checked and audited by the
//! office. The apply forms carry a double-submit token, as the login form does.

use crate::AppState;
use crate::http::{AppError, ClientAddr, Form, Path, Query, cookie, download, set_cookie};
use crate::views::{self, local_time};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Response};
use gongkai_office::OfficeError;
use gongkai_office::application_form::{
    self, ApplicationForm, DELIVERIES, FORMS, FieldError, ID_TYPES_ORGANIZATION, ID_TYPES_PERSON,
};
use gongkai_office::attachments::{ACCEPTED, MAX_ATTACHMENT_BYTES};
use gongkai_office::portal::{self, AgencyHit, ApplicantAction, Receipt, Tracking};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, AppError>;

/// The double-submit cookie of the apply and account forms.
pub const PUBLIC_CSRF_COOKIE: &str = "gk_public";
/// The session cookie of the portal's optional accounts.
pub const CITIZEN_COOKIE: &str = "gk_citizen";

const SCRIPT: &str = include_str!("../assets/portal.js");

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// A page with the browser's double-submit token in its form (a new one in a
/// cookie when it has none: forms open in two tabs keep working).
fn with_token<F: FnOnce(String) -> Response>(
    st: &AppState,
    headers: &HeaderMap,
    page: F,
) -> Response {
    let token = cookie(headers, PUBLIC_CSRF_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| gongkai_office::auth::random_token(16));
    let mut r = page(token.clone());
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            PUBLIC_CSRF_COOKIE,
            &token,
            Some(6 * 3600),
            st.secure_cookies,
        ),
    );
    r
}

fn token_ok(headers: &HeaderMap, sent: &str) -> bool {
    let c = cookie(headers, PUBLIC_CSRF_COOKIE).unwrap_or_default();
    !c.is_empty() && gongkai_office::auth::same_token(&c, sent)
}

fn expired() -> OfficeError {
    OfficeError::Forbidden(
        "页面已过期（或浏览器禁用了 Cookie），请返回申请页面重新提交；已填写的内容不会丢失".into(),
    )
}

// --- finding the agency ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "public_home.html")]
pub struct HomePage {
    pub q: String,
    pub hits: Vec<AgencyHit>,
    pub searched: bool,
    pub demo: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn home(State(st): State<AppState>, Query(q): Query<SearchQuery>) -> PageResult {
    let query: String = q.q.trim().chars().take(50).collect();
    let hits = st.office.find_agencies(&query).await?;
    Ok(views::html(&HomePage {
        searched: !query.is_empty(),
        q: query,
        hits,
        demo: st.demo,
    }))
}

#[derive(Template)]
#[template(path = "public_agency.html")]
pub struct AgencyPage {
    pub id: i64,
    pub name: String,
    pub guide: Vec<String>,
    /// Its annual reports in the dataset: (report id, title).
    pub reports: Vec<(i64, String)>,
    pub demo: bool,
}

pub async fn agency(State(st): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let a = st.office.agency(id).await?;
    let guide = st.office.public_guide(id).await?;
    let reports = st
        .office
        .published_reports(id)
        .await?
        .into_iter()
        .map(|r| {
            let year = r
                .year
                .map_or("年份未识别".to_string(), |y| format!("{y}年"));
            (r.id, format!("{year}政府信息公开工作年度报告"))
        })
        .collect();
    Ok(views::html(&AgencyPage {
        id,
        name: a.name,
        guide: guide.body.lines().map(String::from).collect(),
        reports,
        demo: st.demo,
    }))
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    format: String,
}

/// A published annual report: its tables as HTML to read, or DOCX / PDF.
pub async fn report(
    State(st): State<AppState>,
    Path((id, report_id)): Path<(i64, i64)>,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let format = match q.format.as_str() {
        "" | "html" => gongkai_render::Format::Html,
        "docx" => gongkai_render::Format::Docx,
        "pdf" => gongkai_render::Format::Pdf,
        _ => {
            return Err(AppError::page(OfficeError::Invalid(
                "格式只能是 html、docx 或 pdf".into(),
            )));
        }
    };
    let (name, media, bytes) = st.office.published_report(id, report_id, format).await?;
    if format != gongkai_render::Format::Html {
        return Ok(download(&name, &media, bytes));
    }
    // The writer's page is self-contained with its own styles; it runs no script.
    let mut r = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=300"),
    );
    Ok(r)
}

// --- applying ---------------------------------------------------------------------------

/// A choice of a radio group or a select, with whether it is checked.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

fn opts<'a>(items: impl Iterator<Item = (&'a str, &'a str)>, current: &str) -> Vec<Opt> {
    items
        .map(|(v, l)| Opt {
            value: v.to_string(),
            label: l.to_string(),
            checked: v == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "public_apply.html")]
pub struct ApplyPage {
    pub id: i64,
    pub agency: String,
    pub token: String,
    pub f: ApplicationForm,
    pub kinds: Vec<Opt>,
    pub id_types: Vec<Opt>,
    pub forms: Vec<Opt>,
    pub deliveries: Vec<Opt>,
    pub errors: Vec<FieldError>,
    pub max_request: usize,
    pub demo: bool,
}

impl ApplyPage {
    /// The message beside `field`, if any.
    pub fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn apply_page(
    st: &AppState,
    id: i64,
    agency: String,
    f: ApplicationForm,
    errors: Vec<FieldError>,
    token: String,
) -> ApplyPage {
    let id_types = ID_TYPES_PERSON
        .iter()
        .map(|t| (*t, *t))
        .chain(ID_TYPES_ORGANIZATION.iter().map(|t| (*t, *t)));
    ApplyPage {
        id,
        agency,
        token,
        kinds: opts(
            application_form::applicant_kinds().into_iter(),
            &f.applicant_kind,
        ),
        id_types: opts(id_types, &f.id_type),
        forms: opts(FORMS.iter().map(|t| (*t, *t)), &f.form),
        deliveries: opts(DELIVERIES.iter().map(|t| (*t, *t)), &f.delivery),
        f,
        errors,
        max_request: application_form::MAX_REQUEST,
        demo: st.demo,
    }
}

pub async fn apply_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> PageResult {
    let a = st.office.agency(id).await?;
    let f = ApplicationForm {
        form: "电子".into(),
        delivery: "在线下载".into(),
        ..ApplicationForm::default()
    };
    Ok(with_token(&st, &headers, |t| {
        views::html(&apply_page(&st, id, a.name, f, Vec::new(), t))
    }))
}

#[derive(Template)]
#[template(path = "public_confirm.html")]
pub struct ConfirmPage {
    pub id: i64,
    pub agency: String,
    pub token: String,
    /// (label, value) as the applicant will see them on the receipt.
    pub rows: Vec<(&'static str, String)>,
    pub fields: Vec<(&'static str, String)>,
    pub file_rule: String,
    pub error: Option<String>,
    pub demo: bool,
}

fn form_fields(f: &ApplicationForm) -> Vec<(&'static str, String)> {
    vec![
        ("applicant_kind", f.applicant_kind.clone()),
        ("applicant_name", f.applicant_name.clone()),
        ("id_type", f.id_type.clone()),
        ("id_number", f.id_number.clone()),
        ("phone", f.phone.clone()),
        ("email", f.email.clone()),
        ("address", f.address.clone()),
        ("request", f.request.clone()),
        ("form", f.form.clone()),
        ("delivery", f.delivery.clone()),
    ]
}

fn form_of(m: &HashMap<String, String>) -> ApplicationForm {
    let g = |k: &str| m.get(k).cloned().unwrap_or_default();
    ApplicationForm {
        applicant_kind: g("applicant_kind"),
        applicant_name: g("applicant_name"),
        id_type: g("id_type"),
        id_number: g("id_number"),
        phone: g("phone"),
        email: g("email"),
        address: g("address"),
        request: g("request"),
        form: g("form"),
        delivery: g("delivery"),
    }
}

fn confirm_page(
    st: &AppState,
    id: i64,
    agency: String,
    f: ApplicationForm,
    token: String,
    error: Option<String>,
) -> ConfirmPage {
    let f = f.trimmed();
    let kind = application_form::applicant_kinds()
        .into_iter()
        .find(|(k, _)| *k == f.applicant_kind)
        .map_or(String::new(), |(_, l)| l.to_string());
    let dash = |s: &str| {
        if s.is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    ConfirmPage {
        id,
        agency,
        token,
        rows: vec![
            ("申请人类型", kind),
            ("姓名或名称", f.applicant_name.clone()),
            ("证件", format!("{} {}", f.id_type, f.id_number)),
            ("联系电话", dash(&f.phone)),
            ("电子邮箱", dash(&f.email)),
            ("通信地址", dash(&f.address)),
            ("申请公开的信息", f.request.clone()),
            ("获取形式和方式", format!("{}；{}", f.form, f.delivery)),
        ],
        fields: form_fields(&f),
        file_rule: format!(
            "可选。最多 {} 个文件，每个不超过 {} MB，合计不超过 {} MB；可接收：{ACCEPTED}",
            portal::MAX_FILES,
            MAX_ATTACHMENT_BYTES / 1024 / 1024,
            crate::http::MAX_BODY / 1024 / 1024
        ),
        error,
        demo: st.demo,
    }
}

/// The filled-in form, checked: its errors beside the fields, or the page to
/// confirm it and add files.
pub async fn apply_review(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(m): Form<HashMap<String, String>>,
) -> PageResult {
    let a = st.office.agency(id).await?;
    let f = form_of(&m);
    let sent = m.get("_token").map(String::as_str).unwrap_or("");
    if !token_ok(&headers, sent) {
        let e = expired().to_string();
        return Ok(with_token(&st, &headers, |t| {
            with_status(
                views::html(&apply_page(
                    &st,
                    id,
                    a.name.clone(),
                    f.clone(),
                    vec![FieldError {
                        field: "form_token",
                        message: e,
                    }],
                    t,
                )),
                StatusCode::FORBIDDEN,
            )
        }));
    }
    match f.check(st.office.today()) {
        Err(errors) => Ok(with_token(&st, &headers, |t| {
            with_status(
                views::html(&apply_page(&st, id, a.name.clone(), f.clone(), errors, t)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        })),
        Ok(_) => Ok(with_token(&st, &headers, |t| {
            views::html(&confirm_page(&st, id, a.name.clone(), f.clone(), t, None))
        })),
    }
}

/// Reads a multipart form: its text fields and its files (name, bytes).
async fn read_multipart(
    mut form: Multipart,
) -> Result<(HashMap<String, String>, Vec<(String, Vec<u8>)>), AppError> {
    let unreadable = |_| {
        AppError::page(OfficeError::Invalid(format!(
            "上传的内容无法读取（文件过大或传输中断；合计上限 {} MB），请重新上传",
            crate::http::MAX_BODY / 1024 / 1024
        )))
    };
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !file_name.is_empty() || !bytes.is_empty() {
                files.push((file_name, bytes.to_vec()));
            }
        } else if fields.len() < 32 {
            fields.insert(name, field.text().await.map_err(unreadable)?);
        }
    }
    Ok((fields, files))
}

#[derive(Template)]
#[template(path = "public_receipt.html")]
pub struct ReceiptPage {
    pub r: Receipt,
    pub agency_id: i64,
    pub demo: bool,
}

/// The confirmed application with its files: stored, then the receipt.
pub async fn submit(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: Multipart,
) -> PageResult {
    // A flood from an address already over its limit is answered before anything is
    // read (no agency, no form, no page to fill back).
    if let Some(refused) = st.office.submissions_refused(&addr) {
        return Err(refused.into());
    }
    let a = st.office.agency(id).await?;
    let (m, files) = read_multipart(form).await?;
    let f = form_of(&m);
    if m.contains_key("edit") {
        return Ok(with_token(&st, &headers, |t| {
            views::html(&apply_page(
                &st,
                id,
                a.name.clone(),
                f.clone(),
                Vec::new(),
                t,
            ))
        }));
    }
    if !token_ok(&headers, m.get("_token").map(String::as_str).unwrap_or("")) {
        let e = expired().to_string();
        return Ok(with_token(&st, &headers, |t| {
            with_status(
                views::html(&confirm_page(
                    &st,
                    id,
                    a.name.clone(),
                    f.clone(),
                    t,
                    Some(e),
                )),
                StatusCode::FORBIDDEN,
            )
        }));
    }
    let account = citizen(&st, &headers).await?;
    match st
        .office
        .submit_online_as(&a, &f, files, &addr, account.as_ref())
        .await
    {
        Ok(r) => {
            let mut resp = views::html(&ReceiptPage {
                r,
                agency_id: id,
                demo: st.demo,
            });
            // The form's token is spent: a reload cannot send the application twice.
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(PUBLIC_CSRF_COOKIE, "", Some(0), st.secure_cookies),
            );
            Ok(resp)
        }
        Err(e @ (OfficeError::Invalid(_) | OfficeError::TooMany(_))) => {
            let status = crate::http::status_of(&e);
            let msg = e.to_string();
            Ok(with_token(&st, &headers, |t| {
                with_status(
                    views::html(&confirm_page(
                        &st,
                        id,
                        a.name.clone(),
                        f.clone(),
                        t,
                        Some(msg),
                    )),
                    status,
                )
            }))
        }
        Err(e) => Err(e.into()),
    }
}

// --- following the application -----------------------------------------------------------

#[derive(Template)]
#[template(path = "public_track.html")]
pub struct TrackPage {
    pub number: String,
    pub error: Option<String>,
    pub demo: bool,
}

#[derive(Deserialize, Default)]
pub struct NumberQuery {
    #[serde(default)]
    number: String,
}

pub async fn track_form(State(st): State<AppState>, Query(q): Query<NumberQuery>) -> Response {
    views::html(&TrackPage {
        number: q.number.chars().take(40).collect(),
        error: None,
        demo: st.demo,
    })
}

#[derive(Template)]
#[template(path = "public_status.html")]
pub struct StatusPage {
    pub t: Tracking,
    pub code: String,
    pub ok: Option<String>,
    pub error: Option<String>,
    pub may_supplement: bool,
    pub may_withdraw: bool,
    pub may_report_payment: bool,
    pub may_ask_copy: bool,
    pub due: Option<String>,
    pub due_label: String,
    pub explanation: String,
    pub provisional: Option<String>,
    pub pauses: Vec<String>,
    pub file_rule: String,
    /// The applicant's messages to the office: (when, what).
    pub messages: Vec<(String, String)>,
    pub demo: bool,
}

fn status_page(
    st: &AppState,
    t: Tracking,
    code: &str,
    ok: Option<String>,
    error: Option<String>,
) -> StatusPage {
    let has = |a: ApplicantAction| t.case.as_ref().is_some_and(|c| c.actions.contains(&a));
    let due = t.case.as_ref().and_then(|c| c.due.as_ref());
    let awaiting_correction = t.case.as_ref().is_some_and(|c| c.correction.is_some());
    StatusPage {
        may_supplement: has(ApplicantAction::Supplement),
        may_withdraw: has(ApplicantAction::Withdraw),
        may_report_payment: has(ApplicantAction::ReportPayment),
        may_ask_copy: has(ApplicantAction::AskCopy),
        due: due.map(|d| d.deadline.next_due.to_string()),
        due_label: if awaiting_correction {
            "补正期限".into()
        } else {
            "答复期限".into()
        },
        explanation: due
            .map(|d| d.deadline.explanation.clone())
            .unwrap_or_default(),
        provisional: due.and_then(|d| d.provisional.clone()),
        pauses: due
            .map(|d| {
                d.deadline
                    .pauses
                    .iter()
                    .map(|p| {
                        format!(
                            "{}：{} 至 {}{}",
                            p.reason,
                            p.from,
                            p.to,
                            if p.open { "（进行中）" } else { "" }
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        file_rule: format!(
            "可选。最多 {} 个文件，每个不超过 {} MB；可接收：{ACCEPTED}",
            portal::MAX_FILES,
            MAX_ATTACHMENT_BYTES / 1024 / 1024
        ),
        messages: t
            .case
            .as_ref()
            .map(|c| {
                c.messages
                    .iter()
                    .map(|m| {
                        let what = portal::message_label(&m.kind)
                            .unwrap_or("留言")
                            .trim_start_matches("申请人");
                        let what = if m.text.is_empty() {
                            what.to_string()
                        } else {
                            format!("{what}：{}", m.text)
                        };
                        (local_time(&m.created_at), what)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        t,
        code: code.to_string(),
        ok,
        error,
        demo: st.demo,
    }
}

#[derive(Deserialize, Default)]
pub struct TrackForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

/// The lookup refused: the lookup form again, with the reason.
fn refused_lookup(st: &AppState, number: &str, e: OfficeError) -> PageResult {
    match e {
        OfficeError::Invalid(_) | OfficeError::TooMany(_) => {
            let status = crate::http::status_of(&e);
            Ok(with_status(
                views::html(&TrackPage {
                    number: number.chars().take(40).collect(),
                    error: Some(e.to_string()),
                    demo: st.demo,
                }),
                status,
            ))
        }
        e => Err(e.into()),
    }
}

pub async fn track(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TrackForm>,
) -> PageResult {
    match st.office.track(&f.number, &f.code, &addr).await {
        Ok(t) => Ok(views::html(&status_page(&st, t, &f.code, None, None))),
        Err(e) => refused_lookup(&st, &f.number, e),
    }
}

/// After an applicant's step: the status page again, with what happened.
async fn after_step(
    st: &AppState,
    addr: &str,
    number: &str,
    code: &str,
    result: Result<&str, OfficeError>,
) -> PageResult {
    let (ok, error, status) = match result {
        Ok(m) => (Some(m.to_string()), None, StatusCode::OK),
        Err(e @ (OfficeError::Invalid(_) | OfficeError::Conflict(_))) => {
            (None, Some(e.to_string()), crate::http::status_of(&e))
        }
        Err(e) => return refused_lookup(st, number, e),
    };
    match st.office.track(number, code, addr).await {
        Ok(t) => Ok(with_status(
            views::html(&status_page(st, t, code, ok, error)),
            status,
        )),
        Err(e) => refused_lookup(st, number, e),
    }
}

pub async fn track_document(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TrackForm>,
) -> PageResult {
    let id = f.id.unwrap_or(0);
    match st
        .office
        .applicant_document(&f.number, &f.code, id, &addr)
        .await
    {
        Ok(d) => Ok(download(&d.file_name, &d.media_type, d.content)),
        Err(e) => refused_lookup(&st, &f.number, e),
    }
}

pub async fn receipt(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TrackForm>,
) -> PageResult {
    match st.office.receipt_document(&f.number, &f.code, &addr).await {
        Ok((name, media, bytes)) => Ok(download(&name, &media, bytes)),
        Err(e) => refused_lookup(&st, &f.number, e),
    }
}

pub async fn withdraw(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TrackForm>,
) -> PageResult {
    let r = st
        .office
        .applicant_withdraw(&f.number, &f.code, &f.reason, &addr)
        .await
        .map(|_| "已撤回申请。");
    after_step(&st, &addr, &f.number, &f.code, r).await
}

pub async fn message(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TrackForm>,
) -> PageResult {
    let r = st
        .office
        .applicant_message(&f.number, &f.code, &f.kind, &f.text, &addr)
        .await
        .map(|_| "已告知机关，机关将尽快处理。");
    after_step(&st, &addr, &f.number, &f.code, r).await
}

pub async fn supplement(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    form: Multipart,
) -> PageResult {
    let (m, files) = read_multipart(form).await?;
    let g = |k: &str| m.get(k).cloned().unwrap_or_default();
    let (number, code) = (g("number"), g("code"));
    let r = st
        .office
        .applicant_supplement(&number, &code, &g("text"), files, &addr)
        .await
        .map(|_| "补正已提交，答复期限自今日起重新计算。");
    after_step(&st, &addr, &number, &code, r).await
}

// --- the optional account -----------------------------------------------------------------

/// The signed-in portal account of this browser, if any.
async fn citizen(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<Option<gongkai_office::public_account::PublicAccount>, AppError> {
    match cookie(headers, CITIZEN_COOKIE) {
        Some(t) if !t.is_empty() => Ok(st.office.public_session(&t).await?),
        _ => Ok(None),
    }
}

#[derive(Template)]
#[template(path = "public_account.html")]
pub struct AccountPage {
    pub account: Option<gongkai_office::public_account::PublicAccount>,
    pub apps: Vec<gongkai_office::public_account::MyApplication>,
    pub token: String,
    pub login: String,
    pub error: Option<String>,
    pub min_password: usize,
    pub demo: bool,
}

async fn account_page(
    st: &AppState,
    headers: &HeaderMap,
    addr: &str,
    login: &str,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let account = citizen(st, headers).await?;
    let apps = match &account {
        Some(a) => st.office.my_applications(a, addr).await?,
        None => Vec::new(),
    };
    Ok(with_token(st, headers, |token| {
        with_status(
            views::html(&AccountPage {
                account,
                apps,
                token,
                login: login.chars().take(100).collect(),
                error,
                min_password: gongkai_office::public_account::MIN_PASSWORD,
                demo: st.demo,
            }),
            status,
        )
    }))
}

pub async fn account(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> PageResult {
    account_page(&st, &headers, &addr, "", None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct AccountForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_token")]
    token: String,
}

/// Signed in: the session cookie, and back to the list.
fn signed_in(st: &AppState, token: &str) -> Response {
    let mut r = axum::response::Redirect::to("/public/account").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            CITIZEN_COOKIE,
            token,
            Some(gongkai_office::public_account::PUBLIC_SESSION_HOURS * 3600),
            st.secure_cookies,
        ),
    );
    r
}

async fn account_action(
    st: &AppState,
    headers: &HeaderMap,
    addr: &str,
    f: &AccountForm,
    result: Result<gongkai_office::public_account::PublicSession, OfficeError>,
) -> PageResult {
    match result {
        Ok(s) => Ok(signed_in(st, &s.token)),
        Err(e @ (OfficeError::Invalid(_) | OfficeError::TooMany(_))) => {
            let status = crate::http::status_of(&e);
            account_page(st, headers, addr, &f.login, Some(e.to_string()), status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The account page again, refusing a form whose token has expired or was forged.
async fn expired_account_page(
    st: &AppState,
    headers: &HeaderMap,
    addr: &str,
    login: &str,
) -> PageResult {
    let e = expired().to_string();
    account_page(st, headers, addr, login, Some(e), StatusCode::FORBIDDEN).await
}

pub async fn account_register(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<AccountForm>,
) -> PageResult {
    if !token_ok(&headers, &f.token) {
        return expired_account_page(&st, &headers, &addr, &f.login).await;
    }
    let r = st
        .office
        .open_public_account(&f.login, &f.password, &addr)
        .await;
    account_action(&st, &headers, &addr, &f, r).await
}

pub async fn account_login(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<AccountForm>,
) -> PageResult {
    if !token_ok(&headers, &f.token) {
        return expired_account_page(&st, &headers, &addr, &f.login).await;
    }
    let r = st.office.public_login(&f.login, &f.password, &addr).await;
    account_action(&st, &headers, &addr, &f, r).await
}

pub async fn account_logout(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<AccountForm>,
) -> PageResult {
    if !token_ok(&headers, &f.token) {
        return expired_account_page(&st, &headers, &addr, "").await;
    }
    if let Some(t) = cookie(&headers, CITIZEN_COOKIE) {
        st.office.public_logout(&t).await?;
    }
    let mut r = axum::response::Redirect::to("/public/account").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(CITIZEN_COOKIE, "", Some(0), st.secure_cookies),
    );
    Ok(r)
}
