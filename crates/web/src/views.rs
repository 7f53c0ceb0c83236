//! The pages as askama templates (`templates/`), and what they are filled with.

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use gongkai_office::Permission;
use gongkai_office::session::Session;

/// A page as a response, with the headers every page carries.
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => {
            let mut r =
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
            let h = r.headers_mut();
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            r
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("页面生成失败：{e}"),
        )
            .into_response(),
    }
}

/// Percent-encoding of everything but unreserved ASCII.
/// A stored UTC time as an office reads it: Beijing time, to the second. A value
/// that is not a time is shown as stored.
pub fn local_time(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_string(),
        |t| {
            t.with_timezone(&gongkai_office::cst())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        },
    )
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The header of every signed-in page: who, where, and the menu the role may use.
pub struct Nav {
    pub user: String,
    pub role: String,
    pub agency: String,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str, bool)>,
}

impl Nav {
    pub fn new(s: &Session, current: &str) -> Nav {
        let a = &s.actor;
        let own = a.agency_path.clone();
        let mut links = Vec::new();
        let mut add = |href: &'static str, label: &'static str| {
            links.push((href, label, href == current));
        };
        if a.may(Permission::ViewCases, &own) {
            add("/inbox", "待办案件");
        }
        if a.may(Permission::HandleCases, &own) {
            add("/cases/new", "登记申请");
        }
        if a.may(Permission::ViewStatistics, &own) {
            add("/stats", "年度统计");
        }
        if a.may(Permission::ManageUsers, &own) {
            add("/admin/users", "用户管理");
        }
        if a.may(Permission::EditTemplates, &own) {
            add("/admin/templates", "文书模板");
        }
        if a.may(Permission::ManageCalendar, &own) {
            add("/admin/calendar", "工作日日历");
        }
        if a.may(Permission::ViewAudit, &own) {
            add("/audit", "审计日志");
        }
        Nav {
            user: a.name.clone(),
            role: a.role.label().to_string(),
            agency: a.agency_name.clone(),
            csrf: s.csrf.clone(),
            links,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: &str) -> ErrorPage {
        let title = match status.as_u16() {
            401 => "请先登录",
            403 => "无权操作",
            404 => "未找到",
            409 => "内容已变化",
            422 => "填写有误",
            429 => "操作过于频繁",
            503 => "服务暂不可用",
            _ => "出错了",
        };
        ErrorPage {
            status: status.as_u16(),
            title,
            message: message.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub error: Option<String>,
    pub next: String,
    pub csrf: String,
    pub login: String,
    pub demo: bool,
}

/// One inbox line.
pub struct InboxRow {
    pub id: i64,
    pub number: String,
    pub applicant: String,
    pub kind: &'static str,
    pub channel: &'static str,
    pub received: String,
    pub stage: &'static str,
    pub due: String,
    pub days_left: String,
    pub overdue: bool,
    pub urgent: bool,
    pub paused: bool,
    pub provisional: bool,
    pub note: String,
}

/// An online application waiting for the office to confirm receipt.
pub struct OnlineRow {
    pub id: i64,
    pub number: String,
    pub submitted: String,
    pub applicant: String,
    pub kind: &'static str,
    pub request: String,
    pub provision: String,
    pub files: i64,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub nav: Nav,
    pub rows: Vec<InboxRow>,
    /// Online applications waiting for confirmation (条例第三十一条第（三）项).
    pub online: Vec<OnlineRow>,
    pub online_total: i64,
    pub online_shown: i64,
    /// The actor may confirm them (handles the agency's cases).
    pub may_confirm: bool,
    pub total: i64,
    pub open_only: bool,
    pub stages: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub query: String,
    pub calendar_warning: Option<String>,
    pub page: i64,
    pub pages: i64,
    pub prev_query: Option<String>,
    pub next_query: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    pub nav: Nav,
    pub error: Option<String>,
    pub channels: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub id_types: Vec<Choice>,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub request: String,
    pub submitted: String,
    pub confirmed: String,
    pub today: String,
}

pub struct TimelineRow {
    pub date: String,
    pub what: String,
    pub detail: String,
    pub actor: String,
    pub recorded: String,
}

pub struct DocRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub format: &'static str,
    pub created: String,
}

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub input: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<Choice>,
    pub hint: &'static str,
}

pub struct StepFormView {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub fields: Vec<FieldView>,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub nav: Nav,
    pub id: i64,
    pub version: i64,
    pub number: String,
    pub stage: &'static str,
    pub applicant: String,
    pub kind: &'static str,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub channel: &'static str,
    pub request: String,
    /// The form and way of provision asked for, when given.
    pub provision: String,
    /// The 申请编号 the applicant holds, for a case that came through the portal.
    pub portal_number: String,
    /// What the applicant told the office through the portal: (when, what).
    pub messages: Vec<(String, String)>,
    pub receipt: String,
    pub due: Option<String>,
    pub days_left: String,
    pub overdue: bool,
    pub paused: bool,
    pub provisional: Option<String>,
    pub explanation: String,
    pub applicant_due: Option<String>,
    /// What the shown date is: 答复期限, or the applicant's deadline while a 补正 is awaited.
    pub due_label: String,
    pub timeline: Vec<TimelineRow>,
    pub documents: Vec<DocRow>,
    pub attachments: Vec<AttachmentRow>,
    /// The kinds and size an attachment may have, for the upload form.
    pub attachment_rule: String,
    /// The actor may add attachments (handles the agency's cases).
    pub may_attach: bool,
    pub forms: Vec<StepFormView>,
    pub error: Option<String>,
    pub ok: Option<String>,
    pub today: String,
    pub demo: bool,
}

pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub size: String,
    pub created: String,
}

pub struct StatsCell {
    pub value: String,
}

pub struct StatsRow {
    pub label: String,
    pub cells: Vec<StatsCell>,
    pub total: bool,
}

#[derive(Template)]
#[template(path = "stats.html")]
pub struct StatsPage {
    pub nav: Nav,
    pub agency: String,
    pub year: i32,
    pub template: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<StatsRow>,
    pub appeal_columns: Vec<&'static str>,
    pub appeal_rows: Vec<StatsRow>,
    pub units: Vec<Choice>,
    pub years: Vec<i32>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub nav: Nav,
    pub coverage: String,
    pub reminder: Option<String>,
    pub imports: Vec<(String, String)>,
    pub changed: Vec<(String, String, String)>,
    pub error: Option<String>,
    pub ok: Option<String>,
}

pub struct AuditView {
    pub at: String,
    pub user: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub rows: Vec<AuditView>,
}

#[cfg(test)]
mod tests {
    use super::local_time;

    #[test]
    fn stored_utc_times_are_shown_in_beijing_time() {
        // Past 16:00 UTC it is already the next day in Beijing.
        assert_eq!(local_time("2026-12-01T16:30:05Z"), "2026-12-02 00:30:05");
        assert_eq!(local_time("not a time"), "not a time");
    }
}
