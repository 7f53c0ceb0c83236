//! The signed-in pages and the login. Each handler: session and CSRF, one office
//! call, one template.

use crate::AppState;
use crate::forms;
use crate::http::{
    AppError, ClientAddr, Form, LOGIN_CSRF_COOKIE, PageUser, Path, Query, SESSION_COOKIE,
    check_csrf, cookie, download, set_cookie,
};
use crate::views::{self, *};
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongkai_cases::{ApplicantKind, Channel, NaiveDate, Outcome};
use gongkai_office::attachments;
use gongkai_office::casework::wire_name as plain;
use gongkai_office::casework::{self, Registration, mask_id};
use gongkai_office::session::SESSION_HOURS;
use gongkai_office::{OfficeError, Permission, Role};
use gongkai_report::template::{self, TableId};
use gongkai_store::office::{CaseFilter, CaseListing};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, AppError>;

pub async fn home(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    match st.office.session(&token).await {
        Ok(Some(s)) if matches!(s.actor.role, Role::Clerk | Role::Head) => {
            Redirect::to("/inbox").into_response()
        }
        Ok(Some(s)) if s.actor.role == Role::Sysadmin => {
            Redirect::to("/admin/calendar").into_response()
        }
        Ok(Some(_)) => Redirect::to("/stats").into_response(),
        _ => Redirect::to("/login").into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only a path on this site may be returned to after logging in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".into()
    }
}

fn login_page(
    st: &AppState,
    error: Option<String>,
    next: &str,
    login: &str,
    status: StatusCode,
) -> Response {
    let csrf = gongkai_office::auth::random_token(16);
    let mut r = views::html(&LoginPage {
        error,
        next: safe_next(next),
        csrf: csrf.clone(),
        login: login.to_string(),
        demo: st.demo(),
    });
    *r.status_mut() = status;
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), st.secure_cookies),
    );
    r
}

pub async fn login_form(State(st): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    login_page(&st, None, &q.next, "", StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let sent_cookie = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if sent_cookie.is_empty() || !gongkai_office::auth::same_token(&sent_cookie, &f.csrf) {
        return login_page(
            &st,
            Some("登录页面已过期，请重新输入".into()),
            &f.next,
            &f.login,
            StatusCode::FORBIDDEN,
        );
    }
    match st.office.login(&f.login, &f.password, &addr).await {
        Ok(s) => {
            let mut r = Redirect::to(&safe_next(&f.next)).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &s.token,
                    Some(SESSION_HOURS * 3600),
                    st.secure_cookies,
                ),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), st.secure_cookies),
            );
            r
        }
        Err(e) => {
            let status = crate::http::status_of(&e);
            login_page(&st, Some(e.to_string()), &f.next, &f.login, status)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    st.office.logout(&s, &addr).await?;
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), st.secure_cookies),
    );
    Ok(r)
}

// --- inbox --------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct InboxQuery {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn check_date(s: &str, what: &str) -> Result<Option<String>, AppError> {
    match opt(s) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map(|d| Some(d.to_string()))
            .map_err(|_| {
                AppError::page(OfficeError::Invalid(format!("{what}不是有效日期：「{d}」")))
            }),
    }
}

impl InboxQuery {
    fn filter(&self, limit: i64) -> Result<CaseFilter, AppError> {
        let page = self.page.unwrap_or(1).max(1);
        Ok(CaseFilter {
            open_only: self.scope != "all",
            stage: opt(&self.stage),
            channel: opt(&self.channel),
            applicant_kind: opt(&self.kind),
            outcome: opt(&self.outcome),
            received_from: check_date(&self.from, "收到日期（起）")?,
            received_to: check_date(&self.to, "收到日期（止）")?,
            limit,
            offset: (page - 1) * limit,
        })
    }

    fn query(&self, page: Option<i64>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("scope", &self.scope),
            ("stage", &self.stage),
            ("channel", &self.channel),
            ("kind", &self.kind),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", views::url_encode(v)));
            }
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

fn channel_label(key: &str) -> &'static str {
    CHANNELS
        .iter()
        .find(|c| plain(**c) == key)
        .map_or("其他", |c| c.label())
}

fn kind_label(key: &str) -> &'static str {
    ApplicantKind::ALL
        .iter()
        .find(|k| k.column_key() == key)
        .map_or("其他", |k| k.label())
}

const CHANNELS: [Channel; 6] = [
    Channel::InPerson,
    Channel::PostSigned,
    Channel::PlainLetter,
    Channel::Fax,
    Channel::Email,
    Channel::Online,
];

const STAGES: [&str; 7] = [
    "received",
    "awaiting_correction",
    "in_process",
    "awaiting_payment",
    "decided",
    "delivered",
    "withdrawn",
];

fn pick(values: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

async fn inbox_rows(st: &AppState, rows: &[CaseListing]) -> Result<Vec<InboxRow>, AppError> {
    let cal = st.office.calendar().await?;
    let today = st.office.today();
    Ok(rows
        .iter()
        .map(|r| {
            let due = r
                .due_on
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let left = due.and_then(|d| cal.provisional.working_days_between(today, d).ok());
            InboxRow {
                id: r.id,
                number: r.number.clone(),
                applicant: r.applicant_name.clone(),
                kind: kind_label(&r.applicant_kind),
                channel: channel_label(&r.channel),
                received: r.received_on.clone(),
                stage: casework::stage_label(&r.stage),
                due: r.due_on.clone().unwrap_or_else(|| {
                    if r.closed != 0 {
                        "已办结".into()
                    } else {
                        "—".into()
                    }
                }),
                days_left: left.map_or_else(|| "—".into(), |n| n.abs().to_string()),
                overdue: left.is_some_and(|n| n < 0),
                urgent: left.is_some_and(|n| (0..=3).contains(&n)),
                paused: r.paused != 0,
                provisional: r.due_provisional != 0,
                note: r.due_note.clone().unwrap_or_default(),
            }
        })
        .collect())
}

pub async fn inbox(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let filter = q.filter(PAGE_SIZE)?;
    let (rows, total) = st.office.cases(&s.actor, &filter).await?;
    let page = q.page.unwrap_or(1).max(1);
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let cal = st.office.calendar().await?;
    let calendar_warning = cal.import_due(st.office.today()).map(|y| {
        format!("内置工作日日历只到 {} 年底，{y} 年的期限暂按周一至周五计算并标注「暂定」；待导入{y}年放假安排（系统管理员在「工作日日历」中导入）后自动重算。", cal.last_year())
    });
    // The oldest first: each waiting day delays its receipt date.
    let (online, online_total) = st.office.pending_online(&s.actor, 20).await?;
    let online = online
        .into_iter()
        .map(|p| OnlineRow {
            id: p.id,
            number: p.number,
            submitted: p.submitted_on,
            applicant: p.application.applicant_name.clone(),
            kind: p.application.applicant_kind.label(),
            request: p.application.request.chars().take(80).collect(),
            provision: p.application.provision.clone().unwrap_or_default(),
            files: p.files,
        })
        .collect::<Vec<_>>();
    Ok(views::html(&InboxPage {
        online_shown: online.len() as i64,
        nav: Nav::new(&s, "/inbox"),
        rows: inbox_rows(&st, &rows).await?,
        online,
        online_total,
        may_confirm: s.actor.may(Permission::HandleCases, &s.actor.agency_path),
        total,
        open_only: filter.open_only,
        stages: pick(
            STAGES
                .iter()
                .map(|k| (k.to_string(), casework::stage_label(k).to_string())),
            &q.stage,
        ),
        channels: pick(
            CHANNELS.iter().map(|c| (plain(*c), c.label().to_string())),
            &q.channel,
        ),
        kinds: pick(
            ApplicantKind::ALL
                .iter()
                .map(|k| (k.column_key().to_string(), k.label().to_string())),
            &q.kind,
        ),
        outcomes: pick(
            Outcome::ALL
                .iter()
                .map(|o| (o.row_key().to_string(), o.label().to_string())),
            &q.outcome,
        ),
        from: q.from.clone(),
        to: q.to.clone(),
        query: q.query(None),
        calendar_warning,
        page,
        pages,
        prev_query: (page > 1).then(|| q.query(Some(page - 1))),
        next_query: (page < pages).then(|| q.query(Some(page + 1))),
    }))
}

pub async fn inbox_xlsx(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let mut filter = q.filter(100_000)?;
    filter.offset = 0;
    let (rows, _) = st.office.cases(&s.actor, &filter).await?;
    let lines = inbox_rows(&st, &rows).await?;
    let bytes = inbox_workbook(&lines)
        .map_err(|e| AppError::page(OfficeError::Document(format!("无法生成 Excel 文件：{e}"))))?;
    st.office
        .audit(
            Some(&s.actor),
            None,
            "导出案件清单",
            "inbox.xlsx".into(),
            format!("{} 件", lines.len()),
            Some(&addr),
        )
        .await?;
    Ok(download(
        &format!("案件清单-{}.xlsx", st.office.today()),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

fn inbox_workbook(rows: &[InboxRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("案件清单")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let head = [
        "申请编号",
        "申请人",
        "申请人类型",
        "渠道",
        "收到日期",
        "状态",
        "期限",
        "暂定",
        "剩余工作日",
        "已超期",
        "暂停计时",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.number)?;
        sheet.write_string(row, 1, &r.applicant)?;
        sheet.write_string(row, 2, r.kind)?;
        sheet.write_string(row, 3, r.channel)?;
        sheet.write_string(row, 4, &r.received)?;
        sheet.write_string(row, 5, r.stage)?;
        sheet.write_string(row, 6, &r.due)?;
        sheet.write_string(row, 7, if r.provisional { "是" } else { "" })?;
        match r.days_left.parse::<f64>() {
            Ok(n) => sheet.write_number(row, 8, if r.overdue { -n } else { n })?,
            Err(_) => sheet.write_string(row, 8, &r.days_left)?,
        };
        sheet.write_string(row, 9, if r.overdue { "是" } else { "" })?;
        sheet.write_string(row, 10, if r.paused { "是" } else { "" })?;
    }
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(0, 14)?;
    book.save_to_buffer()
}

// --- registering --------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_type: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    submitted: String,
    #[serde(default)]
    confirmed: String,
}

const ID_TYPES: [&str; 6] = [
    "居民身份证",
    "统一社会信用代码",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "其他",
];

fn register_page(
    s: &gongkai_office::session::Session,
    f: &RegisterForm,
    today: NaiveDate,
    error: Option<String>,
) -> RegisterPage {
    RegisterPage {
        nav: Nav::new(s, "/cases/new"),
        error,
        channels: pick(
            CHANNELS
                .iter()
                .filter(|c| **c != Channel::Online)
                .map(|c| (plain(*c), c.label().to_string())),
            &f.channel,
        ),
        kinds: pick(
            ApplicantKind::ALL
                .iter()
                .map(|k| (k.column_key().to_string(), k.label().to_string())),
            &f.kind,
        ),
        id_types: pick(
            ID_TYPES.iter().map(|t| (t.to_string(), t.to_string())),
            &f.id_type,
        ),
        name: f.name.clone(),
        id_number: f.id_number.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        address: f.address.clone(),
        request: f.request.clone(),
        submitted: if f.submitted.is_empty() {
            today.to_string()
        } else {
            f.submitted.clone()
        },
        confirmed: f.confirmed.clone(),
        today: today.to_string(),
    }
}

pub async fn register_form(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.actor.require_own(Permission::HandleCases)?;
    Ok(views::html(&register_page(
        &s,
        &RegisterForm::default(),
        st.office.today(),
        None,
    )))
}

fn registration(f: &RegisterForm) -> Result<Registration, String> {
    let channel: Channel = serde_json::from_value(serde_json::Value::String(f.channel.clone()))
        .map_err(|_| "请选择申请渠道".to_string())?;
    let kind = ApplicantKind::ALL
        .into_iter()
        .find(|k| k.column_key() == f.kind)
        .ok_or_else(|| "请选择申请人类型".to_string())?;
    let date = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        match opt(s) {
            None => Ok(None),
            Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{what}不是有效日期：「{d}」")),
        }
    };
    Ok(Registration {
        channel,
        applicant_kind: kind,
        applicant_name: f.name.clone(),
        id_type: opt(&f.id_type),
        id_number: opt(&f.id_number),
        phone: opt(&f.phone),
        email: opt(&f.email),
        address: opt(&f.address),
        request: f.request.clone(),
        submitted: date(&f.submitted, "提交日期")?.ok_or_else(|| "请填写提交日期".to_string())?,
        confirmed: date(&f.confirmed, "签收或确认日期")?,
        provision: None,
    })
}

pub async fn register(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    let today = st.office.today();
    let result = match registration(&f) {
        Ok(reg) => st.office.register(&s.actor, &reg, Some(&addr)).await,
        Err(m) => Err(OfficeError::Invalid(m)),
    };
    match result {
        Ok(id) => Ok(
            Redirect::to(&format!("/cases/{id}?ok={}", views::url_encode("已登记")))
                .into_response(),
        ),
        Err(e @ (OfficeError::Invalid(_) | OfficeError::Conflict(_))) => {
            let status = crate::http::status_of(&e);
            let mut r = views::html(&register_page(&s, &f, today, Some(e.to_string())));
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// --- the case -----------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    ok: String,
}

async fn case_response(
    st: &AppState,
    s: &gongkai_office::session::Session,
    id: i64,
    addr: &str,
    ok: Option<String>,
    error: Option<(StatusCode, String, Option<String>)>,
) -> PageResult {
    let v = st.office.view_case(&s.actor, id, Some(addr)).await?;
    let today = st.office.today();
    let open = error.as_ref().and_then(|(_, _, k)| k.clone());
    let forms = forms::step_forms(&v, today, open.as_deref());
    let row = &v.row;
    let due = v.due.as_ref();
    let left = due.map(|d| d.deadline.working_days_left).unwrap_or(0);
    let page = CasePage {
        nav: Nav::new(s, ""),
        id,
        version: row.version,
        number: row.number.clone(),
        stage: v.case.stage.label(),
        applicant: row.applicant_name.clone(),
        kind: kind_label(&row.applicant_kind),
        id_type: row.id_type.clone().unwrap_or_default(),
        // The handling agency's own case page is the one place the number is shown.
        id_number: row.id_number.clone().unwrap_or_default(),
        phone: row.phone.clone().unwrap_or_default(),
        email: row.email.clone().unwrap_or_default(),
        address: row.address.clone().unwrap_or_default(),
        channel: channel_label(&row.channel),
        request: row.request.clone(),
        provision: row.provision.clone().unwrap_or_default(),
        portal_number: v.portal_number.clone().unwrap_or_default(),
        messages: v
            .messages
            .iter()
            .map(|m| {
                let what = gongkai_office::portal::message_label(&m.kind).unwrap_or("申请人留言");
                let what = if m.text.is_empty() {
                    what.to_string()
                } else {
                    format!("{what}：{}", m.text)
                };
                (views::local_time(&m.created_at), what)
            })
            .collect(),
        receipt: v.case.receipt.to_string(),
        due: due
            .and_then(|d| d.deadline.answer_due.or(Some(d.deadline.next_due)))
            .map(|d| d.to_string()),
        // While a 补正 is awaited the answer period has not begun (第三十条): the date
        // that matters is the applicant's.
        due_label: match due.and_then(|d| d.deadline.applicant_due.as_ref()) {
            Some(a) if due.is_some_and(|d| d.deadline.answer_due.is_none()) => {
                format!("申请人{}期限", a.what)
            }
            _ => "答复期限".into(),
        },
        days_left: left.abs().to_string(),
        overdue: left < 0,
        paused: due.is_some_and(|d| d.deadline.paused),
        provisional: due.and_then(|d| d.provisional.clone()),
        explanation: due
            .map(|d| d.deadline.explanation.clone())
            .unwrap_or_default(),
        applicant_due: due.and_then(|d| match &d.deadline.applicant_due {
            Some(_) if d.deadline.answer_due.is_none() => {
                Some("答复期限自收到补正后的申请之日起重新计算（条例第三十条）".to_string())
            }
            Some(a) => Some(format!("申请人{}期限：{}", a.what, a.due)),
            None => None,
        }),
        timeline: v
            .timeline
            .iter()
            .map(|t| TimelineRow {
                date: t.date.to_string(),
                what: t.what.clone(),
                detail: t.detail.clone(),
                actor: t.actor.clone(),
                recorded: views::local_time(&t.recorded_at),
            })
            .collect(),
        documents: v
            .documents
            .iter()
            .map(|d| DocRow {
                id: d.id,
                title: d.title.clone(),
                file_name: d.file_name.clone(),
                format: if d.media_type == "application/pdf" {
                    "PDF"
                } else {
                    "Word"
                },
                created: views::local_time(&d.created_at),
            })
            .collect(),
        attachments: v
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                id: a.id,
                file_name: a.file_name.clone(),
                size: format!("{:.1} KB", a.size as f64 / 1024.0),
                created: views::local_time(&a.created_at),
            })
            .collect(),
        attachment_rule: format!(
            "可上传 {}，每个不超过 {} MB；按文件内容识别类型，内容与扩展名不符的不予接收。",
            attachments::ACCEPTED,
            attachments::MAX_ATTACHMENT_BYTES / 1024 / 1024
        ),
        may_attach: s.actor.may(Permission::HandleCases, &s.actor.agency_path),
        forms,
        error: error.as_ref().map(|(_, m, _)| m.clone()),
        ok,
        today: today.to_string(),
        demo: row.demo != 0,
    };
    let mut r = views::html(&page);
    if let Some((status, _, _)) = error {
        *r.status_mut() = status;
    }
    Ok(r)
}

/// The case page again with the reason a step or an upload was refused, under the
/// refusal's status; `open` names the step form to show unfolded.
async fn refused_on_case_page(
    st: &AppState,
    s: &gongkai_office::session::Session,
    id: i64,
    addr: &str,
    e: &OfficeError,
    open: Option<String>,
) -> PageResult {
    let status = crate::http::status_of(e);
    case_response(st, s, id, addr, None, Some((status, e.to_string(), open))).await
}

pub async fn case_page(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    case_response(&st, &s, id, &addr, opt(&q.ok), None).await
}

pub async fn case_step(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    check_csrf(&s, form.get("_csrf").map(String::as_str).unwrap_or(""))?;
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::page(OfficeError::Invalid("表单缺少版本号，请刷新页面".into())))?;
    let step_key = form.get("step").cloned();
    let result = match forms::parse_step(&form) {
        Ok((step, date)) => st
            .office
            .act(&s.actor, id, version, &step, date, Some(&addr))
            .await
            .map(|_| step.kind().label()),
        Err(m) => Err(OfficeError::Invalid(m)),
    };
    match result {
        Ok(label) => Ok(Redirect::to(&format!(
            "/cases/{id}?ok={}",
            views::url_encode(&format!("已办理：{label}"))
        ))
        .into_response()),
        Err(
            e @ (OfficeError::Invalid(_) | OfficeError::Conflict(_) | OfficeError::Forbidden(_)),
        ) => refused_on_case_page(&st, &s, id, &addr, &e, step_key).await,
        Err(e) => Err(e.into()),
    }
}

/// Confirms an online application: it becomes a case received today.
pub async fn confirm_online(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    let case_id = st.office.confirm_online(&s.actor, id, Some(&addr)).await?;
    Ok(Redirect::to(&format!(
        "/cases/{case_id}?ok={}",
        views::url_encode("已确认收到网上申请并登记，答复期限自今日起计算")
    ))
    .into_response())
}

pub async fn document(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> PageResult {
    let d = st.office.document(&s.actor, id, Some(&addr)).await?;
    Ok(download(&d.file_name, &d.media_type, d.content))
}

/// A staff form sent as `multipart/form-data`: its text fields and the file of its
/// `file` field. The CSRF token comes first, and nothing else is read from a form
/// whose token is wrong; `unreadable` says what to do when the body cannot be read.
struct StaffUpload {
    texts: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

async fn read_staff_upload(
    s: &gongkai_office::session::Session,
    mut form: axum::extract::Multipart,
    unreadable: &str,
) -> Result<StaffUpload, AppError> {
    let unreadable = |_| AppError::page(OfficeError::Invalid(unreadable.to_string()));
    let mut csrf = String::new();
    let mut up = StaffUpload {
        texts: HashMap::new(),
        file: None,
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "_csrf" {
            csrf = field.text().await.map_err(unreadable)?;
            continue;
        }
        check_csrf(s, &csrf)?;
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            up.file = Some((file_name, bytes.to_vec()));
        } else {
            up.texts
                .insert(name, field.text().await.map_err(unreadable)?);
        }
    }
    check_csrf(s, &csrf)?;
    Ok(up)
}

/// A file attached to the case page's upload form (`multipart/form-data`: the CSRF
/// token first, then the file).
pub async fn upload_attachment(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> PageResult {
    let unreadable = format!(
        "上传的内容无法读取（文件过大或传输中断；附件上限 {} MB），请重新上传",
        attachments::MAX_ATTACHMENT_BYTES / 1024 / 1024
    );
    let file = read_staff_upload(&s, form, &unreadable).await?.file;
    let result = match file {
        Some((name, bytes)) if !name.is_empty() => st
            .office
            .add_attachment(&s.actor, id, &name, bytes, Some(&addr))
            .await
            .map(|_| name),
        _ => Err(OfficeError::Invalid("请先选择要上传的文件".into())),
    };
    match result {
        Ok(name) => Ok(Redirect::to(&format!(
            "/cases/{id}?ok={}",
            views::url_encode(&format!("已上传附件：{}", attachments::clean_name(&name)))
        ))
        .into_response()),
        Err(e @ OfficeError::Invalid(_)) => {
            refused_on_case_page(&st, &s, id, &addr, &e, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn attachment(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> PageResult {
    let f = st.office.attachment(&s.actor, id, Some(&addr)).await?;
    Ok(download(&f.file_name, &f.media_type, f.content))
}

// --- statistics ---------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    #[serde(default)]
    agency: Option<i64>,
    #[serde(default)]
    year: Option<i32>,
}

pub async fn stats(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let today = st.office.today();
    let year = q.year.unwrap_or(today.year());
    if !(2019..=today.year()).contains(&year) {
        return Err(AppError::page(OfficeError::Invalid(format!(
            "年度应在 2019 至 {} 之间",
            today.year()
        ))));
    }
    let agency_id = q.agency.unwrap_or(s.actor.agency_id);
    let report = st.office.year_report(&s.actor, agency_id, year).await?;
    let agency = st.office.agency(agency_id).await?;
    let units: Vec<Choice> = st
        .office
        .store
        .agency_subtree(s.actor.agency_id)
        .await
        .map_err(OfficeError::from)?
        .into_iter()
        .filter(|a| s.actor.may(Permission::ViewStatistics, &a.path))
        .map(|a| Choice {
            selected: a.id == agency_id,
            value: a.id.to_string(),
            label: a.name,
        })
        .collect();
    let t = report.template;
    let cells: HashMap<String, u64> = report.cells().into_iter().collect();
    let label_of = |key: &str| template::cell(key).map(|c| c.row_label).unwrap_or("");
    let rows = template::request_rows(t)
        .into_iter()
        .map(|row| StatsRow {
            label: label_of(&format!("{row}.total")).to_string(),
            total: row == "requests.total",
            cells: template::REQUEST_COLUMNS
                .iter()
                .map(|c| StatsCell {
                    value: cells
                        .get(&format!("{row}.{c}"))
                        .map_or_else(String::new, |v| v.to_string()),
                })
                .collect(),
        })
        .collect();
    let column_label = |key: &str| template::cell(key).map(|c| c.column_label).unwrap_or("");
    let columns = template::REQUEST_COLUMNS
        .iter()
        .map(|c| column_label(&format!("requests.new.{c}")))
        .collect();
    let appeal_rows = template::APPEAL_ROWS
        .iter()
        .map(|r| StatsRow {
            label: label_of(&format!("appeals.{r}.total")).to_string(),
            total: false,
            cells: template::APPEAL_COLUMNS
                .iter()
                .map(|c| StatsCell {
                    value: cells
                        .get(&format!("appeals.{r}.{c}"))
                        .map_or_else(String::new, |v| v.to_string()),
                })
                .collect(),
        })
        .collect();
    let appeal_columns = template::APPEAL_COLUMNS
        .iter()
        .map(|c| column_label(&format!("appeals.review.{c}")))
        .collect();
    let _ = TableId::Requests;
    Ok(views::html(&StatsPage {
        nav: Nav::new(&s, "/stats"),
        agency: agency.name,
        year,
        template: t.id(),
        columns,
        rows,
        appeal_columns,
        appeal_rows,
        units,
        years: (2019..=today.year()).rev().collect(),
    }))
}

// --- calendar and audit -------------------------------------------------------------

async fn calendar_view(
    st: &AppState,
    s: &gongkai_office::session::Session,
    changed: Vec<(String, String, String)>,
    ok: Option<String>,
    error: Option<String>,
) -> Result<CalendarPage, AppError> {
    s.actor.require_own(Permission::ManageCalendar)?;
    let cal = st.office.calendar().await?;
    let imports = st
        .office
        .store
        .calendar_imports()
        .await
        .map_err(OfficeError::from)?
        .into_iter()
        .map(|i| (i.years, views::local_time(&i.imported_at)))
        .collect();
    Ok(CalendarPage {
        nav: Nav::new(s, "/admin/calendar"),
        coverage: cal
            .official
            .covered_years()
            .map_or_else(|| "无".into(), |(a, b)| format!("{a}–{b} 年")),
        reminder: cal.import_due(st.office.today()).map(|y| {
            format!("请导入 {y} 年的放假安排（国务院办公厅通知）：在此之前，跨入 {y} 年的期限按周一至周五计算，标注为「暂定」。")
        }),
        imports,
        changed,
        ok,
        error,
    })
}

pub async fn calendar_page(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    Ok(views::html(
        &calendar_view(&st, &s, Vec::new(), None, None).await?,
    ))
}

/// The import form (`multipart/form-data`): the CSRF token, then the notice pasted
/// into the box or chosen as a file (a file wins when both are given).
pub async fn calendar_import(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    form: axum::extract::Multipart,
) -> PageResult {
    let mut up = read_staff_upload(
        &s,
        form,
        "提交的内容无法读取（文件过大或传输中断），请重新导入",
    )
    .await?;
    let pasted = up.texts.remove("tsv").unwrap_or_default();
    // An empty file input still sends a part: only a chosen file counts.
    let file = up
        .file
        .filter(|(name, bytes)| !name.is_empty() || !bytes.is_empty());
    let notice = match file {
        Some((name, bytes)) => gongkai_office::calendar::notice_text(&name, &bytes),
        None => Ok(pasted),
    };
    let refused = async |message: String| -> PageResult {
        let mut r = views::html(&calendar_view(&st, &s, Vec::new(), None, Some(message)).await?);
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(r)
    };
    let tsv = match notice {
        Ok(t) => t,
        Err(message) => return refused(message).await,
    };
    match st.office.import_calendar(&s.actor, &tsv, Some(&addr)).await {
        Ok(changed) => {
            let n = changed.len();
            let changed = changed
                .into_iter()
                .map(|(c, a, b)| (c, a.unwrap_or_default(), b.unwrap_or_default()))
                .collect();
            Ok(views::html(
                &calendar_view(
                    &st,
                    &s,
                    changed,
                    Some(format!("已导入；{n} 件在办案件的期限随之变化")),
                    None,
                )
                .await?,
            ))
        }
        Err(e @ OfficeError::Invalid(_)) => refused(e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn audit(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    let rows = st.office.audit_entries(&s.actor, 200).await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let user = match r.user_id {
            Some(id) => {
                if !names.contains_key(&id) {
                    let n = st
                        .office
                        .store
                        .user(id)
                        .await
                        .ok()
                        .flatten()
                        .map_or_else(|| id.to_string(), |u| u.name);
                    names.insert(id, n);
                }
                names[&id].clone()
            }
            None => "—".into(),
        };
        out.push(AuditView {
            at: views::local_time(&r.at),
            user,
            action: r.action,
            target: r.target,
            // An ID number never reaches the log, but mask anything that looks like one.
            detail: mask_long_digits(&r.detail),
            address: r.address.unwrap_or_default(),
        });
    }
    Ok(views::html(&AuditPage {
        nav: Nav::new(&s, "/audit"),
        rows: out,
    }))
}

/// Masks runs of 15 or more digits/letters that look like ID numbers.
fn mask_long_digits(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().count() >= 15 && w.chars().filter(|c| c.is_ascii_digit()).count() >= 14 {
                mask_id(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppState {
    /// Whether the office holds demo data (the login page says so).
    pub fn demo(&self) -> bool {
        self.demo
    }
}
