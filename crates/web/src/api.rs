//! The JSON API: the same operations as the pages, for other systems and scripts.
//! A session comes from `POST /api/session`; every call that changes something
//! carries its CSRF token in the `X-CSRF-Token` header. Errors are
//! `{ "error": "中文说明" }` with the HTTP status of their kind.

use crate::AppState;
use crate::http::{ApiUser, AppError, ClientAddr, Path, SESSION_COOKIE, download, set_cookie};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use gongkai_cases::NaiveDate;
use gongkai_office::OfficeError;
use gongkai_office::casework::{Registration, Step};
use gongkai_office::session::SESSION_HOURS;
use gongkai_store::office::CaseFilter;
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult = Result<Response, AppError>;

/// A JSON body, or a Chinese message saying what is wrong with it.
pub(crate) fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    b.map(|Json(v)| v).map_err(|e| {
        let why = match &e {
            JsonRejection::MissingJsonContentType(_) => {
                "请求须为 JSON（Content-Type: application/json）".to_string()
            }
            JsonRejection::JsonSyntaxError(_) => "JSON 格式错误".to_string(),
            JsonRejection::JsonDataError(d) => {
                format!("JSON 内容不符合要求：{}", data_error(&d.body_text()))
            }
            _ => "无法读取请求内容".to_string(),
        };
        AppError::api(OfficeError::Invalid(why))
    })
}

/// serde's message, reduced to the field it names (its English stays out of the sentence).
fn data_error(s: &str) -> String {
    let s = s
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(s);
    match s.split_once(": ") {
        Some((path, _)) if !path.is_empty() && !path.contains(' ') => {
            format!("字段「{path}」缺失或类型不对")
        }
        _ if s.contains("missing field") => {
            let f = s.split('`').nth(1).unwrap_or("");
            format!("缺少字段「{f}」")
        }
        _ if s.contains("unknown variant") => {
            let f = s.split('`').nth(1).unwrap_or("");
            format!("取值「{f}」无效")
        }
        _ => "字段缺失或类型不对".into(),
    }
}

pub(crate) fn api<T>(r: Result<T, OfficeError>) -> Result<T, AppError> {
    r.map_err(AppError::api)
}

#[derive(Deserialize)]
pub struct LoginBody {
    login: String,
    password: String,
}

pub async fn login(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    b: Result<Json<LoginBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    let s = api(st.office.login(&b.login, &b.password, &addr).await)?;
    let mut r = Json(json!({
        "csrf": s.csrf,
        "user": { "name": s.actor.name, "role": s.actor.role, "agency_id": s.actor.agency_id, "agency": s.actor.agency_name },
    }))
    .into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &s.token,
            Some(SESSION_HOURS * 3600),
            st.secure_cookies,
        ),
    );
    Ok(r)
}

pub async fn logout(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
) -> ApiResult {
    api(st.office.logout(&s, &addr).await)?;
    Ok(Json(json!({ "ok": true })).into_response())
}

#[derive(Deserialize, Default)]
pub struct CasesQuery {
    #[serde(default)]
    all: bool,
    stage: Option<String>,
    channel: Option<String>,
    applicant_kind: Option<String>,
    outcome: Option<String>,
    received_from: Option<NaiveDate>,
    received_to: Option<NaiveDate>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn cases(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    q: Result<Query<CasesQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = q.map_err(|_| {
        AppError::api(OfficeError::Invalid(
            "查询参数无效（日期应为 YYYY-MM-DD，数量为整数）".into(),
        ))
    })?;
    let filter = CaseFilter {
        open_only: !q.all,
        stage: q.stage,
        channel: q.channel,
        applicant_kind: q.applicant_kind,
        outcome: q.outcome,
        received_from: q.received_from.map(|d| d.to_string()),
        received_to: q.received_to.map(|d| d.to_string()),
        limit: q.limit.unwrap_or(50).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (rows, total) = api(st.office.cases(&s.actor, &filter).await)?;
    let cases: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "number": r.number, "channel": r.channel, "applicant_kind": r.applicant_kind,
                "applicant_name": r.applicant_name, "received_on": r.received_on, "stage": r.stage,
                "due_on": r.due_on, "due_provisional": r.due_provisional != 0, "paused": r.paused != 0,
                "outcome": r.outcome, "version": r.version,
            })
        })
        .collect();
    Ok(Json(json!({ "total": total, "cases": cases })).into_response())
}

pub async fn register(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    b: Result<Json<Registration>, JsonRejection>,
) -> ApiResult {
    let reg = body(b)?;
    let id = api(st.office.register(&s.actor, &reg, Some(&addr)).await)?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

pub async fn case(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult {
    let v = api(st.office.view_case(&s.actor, id, Some(&addr)).await)?;
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
pub struct StepBody {
    version: i64,
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(flatten)]
    step: Step,
}

pub async fn step(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    b: Result<Json<StepBody>, JsonRejection>,
) -> ApiResult {
    let b = body(b)?;
    let version = api(st
        .office
        .act(&s.actor, id, b.version, &b.step, b.date, Some(&addr))
        .await)?;
    Ok(Json(json!({ "version": version })).into_response())
}

pub async fn stats(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path((agency, year)): Path<(i64, i32)>,
) -> ApiResult {
    let r = api(st.office.year_report(&s.actor, agency, year).await)?;
    let cells: serde_json::Map<String, Value> = r
        .cells()
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
    Ok(Json(
        json!({ "agency_id": agency, "year": year, "template": r.template.id(), "cells": cells }),
    )
    .into_response())
}

/// `?limit=N` of a list: `default` when absent, at most 1,000.
#[derive(Deserialize, Default)]
pub struct LimitQuery {
    limit: Option<i64>,
}

impl LimitQuery {
    pub(crate) fn read(
        q: Result<Query<LimitQuery>, axum::extract::rejection::QueryRejection>,
        default: i64,
    ) -> Result<i64, AppError> {
        let Query(q) = q.map_err(|_| {
            AppError::api(OfficeError::Invalid("查询参数无效（limit 为整数）".into()))
        })?;
        Ok(q.limit.unwrap_or(default).clamp(1, 1000))
    }
}

/// The online applications waiting for this agency to confirm them, oldest first:
/// as the inbox lists them, the applicant's particulars left for the case.
pub async fn pending(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    q: Result<Query<LimitQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let limit = LimitQuery::read(q, 50)?;
    let (rows, total) = api(st.office.pending_online(&s.actor, limit).await)?;
    let applications: Vec<Value> = rows
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "number": p.number, "submitted_on": p.submitted_on,
                "files": p.files, "applicant_kind": p.application.applicant_kind,
                "applicant_name": p.application.applicant_name, "request": p.application.request,
            })
        })
        .collect();
    Ok(Json(json!({ "total": total, "applications": applications })).into_response())
}

/// Confirms an online application: it becomes a case received today.
pub async fn confirm(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult {
    let case_id = api(st.office.confirm_online(&s.actor, id, Some(&addr)).await)?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "case_id": case_id })),
    )
        .into_response())
}

/// A generated letter (DOCX or PDF), always as a download.
pub async fn document(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult {
    let d = api(st.office.document(&s.actor, id, Some(&addr)).await)?;
    Ok(download(&d.file_name, &d.media_type, d.content))
}

/// An attached file, always as a download.
pub async fn attachment(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> ApiResult {
    let f = api(st.office.attachment(&s.actor, id, Some(&addr)).await)?;
    Ok(download(&f.file_name, &f.media_type, f.content))
}

/// Attaches a file (`multipart/form-data`, field `file`) to a case.
pub async fn upload(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> ApiResult {
    let unreadable = |_| {
        AppError::api(OfficeError::Invalid(format!(
            "上传的内容无法读取（文件过大或传输中断；附件上限 {} MB）",
            gongkai_office::attachments::MAX_ATTACHMENT_BYTES / 1024 / 1024
        )))
    };
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            file = Some((name, field.bytes().await.map_err(unreadable)?.to_vec()));
        }
    }
    let (name, bytes) = match file {
        Some((name, bytes)) if !name.is_empty() => (name, bytes),
        _ => {
            return Err(AppError::api(OfficeError::Invalid(
                "缺少文件（multipart 字段 file，须带文件名）".into(),
            )));
        }
    };
    let att = api(st
        .office
        .add_attachment(&s.actor, id, &name, bytes, Some(&addr))
        .await)?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({ "id": att }))).into_response())
}

/// The API's OpenAPI 3.1 description, served as it is written in `openapi.json`.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        OPENAPI,
    )
        .into_response()
}

pub const OPENAPI: &str = include_str!("../openapi.json");
