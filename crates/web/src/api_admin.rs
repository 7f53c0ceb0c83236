//! The JSON API's administration: accounts, letter templates, the 公开指南, the
//! holiday notice and the audit log — the operations of the administrators' pages,
//! with the same checks (they live in `gongkai-office`).

use crate::AppState;
use crate::api::{LimitQuery, api, body};
use crate::http::{ApiUser, AppError, ClientAddr, Path};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongkai_office::admin::NewAccount;
use gongkai_office::{OfficeError, Role};
use serde::Deserialize;
use serde_json::json;

type ApiResult = Result<Response, AppError>;

fn ok() -> ApiResult {
    Ok(Json(json!({ "ok": true })).into_response())
}

/// The agency's accounts (never their password hashes).
pub async fn users(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(agency): Path<i64>,
) -> ApiResult {
    let users = api(st.office.users(&s.actor, agency).await)?;
    Ok(Json(json!({ "users": users })).into_response())
}

#[derive(Deserialize)]
pub struct NewUserBody {
    login: String,
    name: String,
    role: String,
    password: String,
}

pub async fn add_user(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(agency): Path<i64>,
    b: Result<Json<NewUserBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    let role = Role::parse(&b.role).ok_or_else(|| {
        AppError::api(OfficeError::Invalid(format!("没有「{}」这个角色", b.role)))
    })?;
    let account = NewAccount {
        login: b.login,
        name: b.name,
        role,
        password: b.password,
    };
    let id = api(st
        .office
        .add_user(&s.actor, agency, &account, Some(&addr))
        .await)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

#[derive(Deserialize)]
pub struct UserActionBody {
    /// `activate`, `deactivate` or `reset` (with `password`).
    action: String,
    #[serde(default)]
    password: String,
}

pub async fn user_action(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    b: Result<Json<UserActionBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    let o = &st.office;
    api(match b.action.as_str() {
        "activate" => o.set_user_active(&s.actor, id, true, Some(&addr)).await,
        "deactivate" => o.set_user_active(&s.actor, id, false, Some(&addr)).await,
        "reset" => {
            o.reset_password(&s.actor, id, &b.password, Some(&addr))
                .await
        }
        other => Err(OfficeError::Invalid(format!(
            "未知的操作「{other}」（应为 activate、deactivate 或 reset）"
        ))),
    })?;
    ok()
}

/// The agency's letter templates: each kind with its wording in force.
pub async fn templates(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(agency): Path<i64>,
) -> ApiResult {
    let list = api(st.office.templates(&s.actor, agency).await)?;
    let templates: Vec<_> = list
        .iter()
        .map(|t| json!({ "kind": t.kind.key, "title": t.kind.title, "body": t.body, "customized": t.customized }))
        .collect();
    Ok(Json(json!({ "templates": templates })).into_response())
}

#[derive(Deserialize)]
pub struct TextBody {
    body: String,
}

/// A new version of a template; an empty body restores the built-in wording.
pub async fn save_template(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path((agency, kind)): Path<(i64, String)>,
    b: Result<Json<TextBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    api(st
        .office
        .save_template(&s.actor, agency, &kind, &b.body, Some(&addr))
        .await)?;
    ok()
}

/// A new version of the agency's 政府信息公开指南.
pub async fn save_guide(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(agency): Path<i64>,
    b: Result<Json<TextBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    api(st
        .office
        .save_guide(&s.actor, agency, &b.body, Some(&addr))
        .await)?;
    ok()
}

#[derive(Deserialize)]
pub struct CalendarBody {
    /// The notice as `spec/holidays.tsv` writes it.
    tsv: String,
}

/// Imports a holiday notice; answers with every open case whose date moved.
pub async fn import_calendar(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    b: Result<Json<CalendarBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    let changed = api(st
        .office
        .import_calendar(&s.actor, &b.tsv, Some(&addr))
        .await)?;
    let changed: Vec<_> = changed
        .iter()
        .map(|(number, was, now)| json!({ "number": number, "was": was, "now": now }))
        .collect();
    Ok(Json(json!({ "changed": changed })).into_response())
}

/// The newest audit entries: the unit's own, or everyone's for the system
/// administrator.
pub async fn audit(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    q: Result<Query<LimitQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let limit = LimitQuery::read(q, 200)?;
    let rows = api(st.office.audit_entries(&s.actor, limit).await)?;
    let entries: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({ "id": r.id, "at": r.at, "user_id": r.user_id, "agency_id": r.agency_id,
                    "action": r.action, "target": r.target, "detail": r.detail, "address": r.address })
        })
        .collect();
    Ok(Json(json!({ "entries": entries })).into_response())
}
