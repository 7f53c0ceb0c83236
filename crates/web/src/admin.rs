//! The administrator's pages: the agency's accounts and its letter templates.
//! Each handler: session and CSRF, one office call, one template; a refusal of the
//! input comes back on the same page with what to fix.

use crate::AppState;
use crate::http::{AppError, ClientAddr, Form, PageUser, Path, Query, check_csrf};
use crate::views::{self, Choice, Nav};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_office::admin::NewAccount;
use gongkai_office::session::Session;
use gongkai_office::{OfficeError, Role};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

#[derive(Deserialize, Default)]
pub struct AgencyQuery {
    /// The agency administered (a system administrator picks any; default: one's own).
    agency: Option<i64>,
    ok: Option<String>,
}

pub struct UserLine {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub agency_id: i64,
    pub agency: String,
    pub users: Vec<UserLine>,
    pub roles: Vec<Choice>,
    pub min_password: usize,
    pub ok: Option<String>,
    pub error: Option<String>,
    /// What the refused form held, to fill it again.
    pub login: String,
    pub name: String,
}

pub struct TemplateLine {
    pub key: &'static str,
    pub title: &'static str,
    pub body: String,
    pub customized: bool,
    pub fields: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "templates.html")]
pub struct TemplatesPage {
    pub nav: Nav,
    pub agency_id: i64,
    pub agency: String,
    pub templates: Vec<TemplateLine>,
    /// The 公开指南 as it stands (or as a refused edit typed it).
    pub guide: String,
    pub guide_customized: bool,
    pub guide_open: bool,
    pub ok: Option<String>,
    pub error: Option<String>,
}

/// The page's answer to refused input: the page again with the reason, 422.
fn refused(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

fn back_to(path: &str, agency: i64, ok: &str) -> Response {
    Redirect::to(&format!(
        "{path}?agency={agency}&ok={}",
        views::url_encode(ok)
    ))
    .into_response()
}

async fn users_page(
    st: &AppState,
    s: &Session,
    agency_id: i64,
    ok: Option<String>,
    error: Option<String>,
    filled: (&str, &str),
) -> Result<UsersPage, AppError> {
    let users = st.office.users(&s.actor, agency_id).await?;
    let agency = st.office.agency(agency_id).await?;
    let offered: Vec<Role> = if s.actor.role == Role::Sysadmin {
        Role::ALL.to_vec()
    } else {
        vec![Role::Clerk, Role::Head, Role::Admin]
    };
    Ok(UsersPage {
        nav: Nav::new(s, "/admin/users"),
        agency_id,
        agency: agency.name,
        users: users
            .into_iter()
            .map(|u| UserLine {
                id: u.id,
                role: Role::parse(&u.role).map_or("未知", Role::label),
                login: u.login,
                name: u.name,
                active: u.active != 0,
            })
            .collect(),
        roles: offered
            .into_iter()
            .map(|r| Choice {
                value: r.key().into(),
                label: r.label().into(),
                selected: false,
            })
            .collect(),
        min_password: gongkai_office::admin::MIN_PASSWORD_CHARS,
        ok,
        error,
        login: filled.0.to_string(),
        name: filled.1.to_string(),
    })
}

pub async fn users(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<AgencyQuery>,
) -> PageResult {
    let agency = q.agency.unwrap_or(s.actor.agency_id);
    Ok(views::html(
        &users_page(&st, &s, agency, q.ok, None, ("", "")).await?,
    ))
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    agency: i64,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn add_user(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    let role = Role::parse(&f.role)
        .ok_or_else(|| OfficeError::Invalid(format!("没有「{}」这个角色", f.role)))?;
    let account = NewAccount {
        login: f.login.clone(),
        name: f.name.clone(),
        role,
        password: f.password.clone(),
    };
    match st
        .office
        .add_user(&s.actor, f.agency, &account, Some(&addr))
        .await
    {
        Ok(_) => Ok(back_to(
            "/admin/users",
            f.agency,
            &format!("已新增用户 {}", f.login.trim()),
        )),
        Err(OfficeError::Invalid(e)) => Ok(refused(views::html(
            &users_page(&st, &s, f.agency, None, Some(e), (&f.login, &f.name)).await?,
        ))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct UserActionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// `deactivate`, `activate` or `reset`.
    action: String,
    #[serde(default)]
    password: String,
}

pub async fn user_action(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(f): Form<UserActionForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    let office = &st.office;
    let done = match f.action.as_str() {
        "deactivate" => office
            .set_user_active(&s.actor, id, false, Some(&addr))
            .await
            .map(|()| "已停用该账号，其登录立即失效"),
        "activate" => office
            .set_user_active(&s.actor, id, true, Some(&addr))
            .await
            .map(|()| "已启用该账号"),
        "reset" => office
            .reset_password(&s.actor, id, &f.password, Some(&addr))
            .await
            .map(|()| "已重设密码，该用户需用新密码重新登录"),
        other => Err(OfficeError::Invalid(format!("未知的操作「{other}」"))),
    };
    // The user's agency, known only once the office has allowed the action.
    let agency = match office.store.user(id).await.map_err(OfficeError::from)? {
        Some(u) => u.agency_id,
        None => s.actor.agency_id,
    };
    match done {
        Ok(msg) => Ok(back_to("/admin/users", agency, msg)),
        Err(OfficeError::Invalid(e)) => Ok(refused(views::html(
            &users_page(&st, &s, agency, None, Some(e), ("", "")).await?,
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn templates_page(
    st: &AppState,
    s: &Session,
    agency_id: i64,
    ok: Option<String>,
    error: Option<(String, String, String)>,
) -> Result<TemplatesPage, AppError> {
    let list = st.office.templates(&s.actor, agency_id).await?;
    let agency = st.office.agency(agency_id).await?;
    let guide = st.office.guide(agency_id).await?;
    let guide_refused = error.as_ref().filter(|(k, _, _)| k == GUIDE_KEY);
    Ok(TemplatesPage {
        nav: Nav::new(s, "/admin/templates"),
        agency_id,
        agency: agency.name,
        templates: list
            .into_iter()
            .map(|t| {
                let refused = error.as_ref().filter(|(k, _, _)| k == t.kind.key);
                TemplateLine {
                    key: t.kind.key,
                    title: t.kind.title,
                    // A refused edit is shown as it was typed, not lost.
                    body: refused.map_or(t.body, |(_, body, _)| body.clone()),
                    customized: t.customized,
                    fields: gongkai_office::letters::fields_of(t.kind)
                        .iter()
                        .map(|f| format!("{{{f}}}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    open: refused.is_some(),
                }
            })
            .collect(),
        guide: guide_refused.map_or(guide.body, |(_, body, _)| body.clone()),
        guide_customized: guide.customized,
        guide_open: guide_refused.is_some(),
        ok,
        error: error.map(|(_, _, e)| e),
    })
}

/// The key a refused guide edit is reported under (letters use their kinds).
const GUIDE_KEY: &str = "guide";

#[derive(Deserialize)]
pub struct GuideForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    agency: i64,
    #[serde(default)]
    body: String,
}

pub async fn save_guide(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<GuideForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    match st
        .office
        .save_guide(&s.actor, f.agency, &f.body, Some(&addr))
        .await
    {
        Ok(()) => Ok(back_to("/admin/templates", f.agency, "已保存公开指南")),
        Err(OfficeError::Invalid(e)) => Ok(refused(views::html(
            &templates_page(&st, &s, f.agency, None, Some((GUIDE_KEY.into(), f.body, e))).await?,
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn templates(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<AgencyQuery>,
) -> PageResult {
    let agency = q.agency.unwrap_or(s.actor.agency_id);
    Ok(views::html(
        &templates_page(&st, &s, agency, q.ok, None).await?,
    ))
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    agency: i64,
    kind: String,
    #[serde(default)]
    body: String,
}

pub async fn save_template(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    check_csrf(&s, &f.csrf)?;
    match st
        .office
        .save_template(&s.actor, f.agency, &f.kind, &f.body, Some(&addr))
        .await
    {
        Ok(()) => Ok(back_to(
            "/admin/templates",
            f.agency,
            "已保存，此后生成的文书使用新模板",
        )),
        Err(OfficeError::Invalid(e)) => Ok(refused(views::html(
            &templates_page(&st, &s, f.agency, None, Some((f.kind, f.body, e))).await?,
        ))),
        Err(e) => Err(e.into()),
    }
}
