//! HTTP plumbing: cookies, the client's address, sessions as extractors, CSRF, and
//! errors as Chinese pages or JSON.

use crate::AppState;
use crate::views;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_office::OfficeError;
use gongkai_office::auth::same_token;
use gongkai_office::session::Session;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "gk_session";
/// The pre-login CSRF cookie (double submit): the login form has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "gk_login";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest request body: attachments are capped below this by the office.
pub const MAX_BODY: usize = 12 * 1024 * 1024;

const STYLE: &str = include_str!("../assets/style.css");

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn not_found() -> Response {
    AppError::page(OfficeError::NotFound("页面不存在".into())).into_response()
}

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, the whole site.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The client's address, for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        if st.behind_proxy
            && let Some(ip) = forwarded_for(&parts.headers)
        {
            return Ok(ClientAddr(ip));
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "local".into());
        Ok(ClientAddr(addr))
    }
}

/// The address the nearest proxy saw: the last entry of `X-Forwarded-For`, if it is
/// an IP address (entries before it are the client's word, not the proxy's).
pub fn forwarded_for(headers: &HeaderMap) -> Option<String> {
    let all: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    all.last()
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string())
}

/// A logged-in user on a page; without a session the browser is sent to log in.
pub struct PageUser(pub Session);

/// A logged-in user of the API; without a session the answer is 401.
pub struct ApiUser(pub Session);

async fn session_of(parts: &Parts, state: &AppState) -> Result<Option<Session>, OfficeError> {
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => state.office.session(&token).await,
        _ => Ok(None),
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_of(parts, state).await {
            Ok(Some(s)) => Ok(PageUser(s)),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = format!("/login?next={}", views::url_encode(next));
                Err(Redirect::to(&to).into_response())
            }
            Err(e) => Err(AppError::page(e).into_response()),
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_of(parts, state).await {
            Ok(Some(s)) => {
                // Every API call that changes something carries the CSRF header.
                let safe = parts.method == axum::http::Method::GET
                    || parts.method == axum::http::Method::HEAD;
                if !safe {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !same_token(sent, &s.csrf) {
                        return Err(AppError::api(csrf_error()).into_response());
                    }
                }
                Ok(ApiUser(s))
            }
            Ok(None) => Err(AppError::api(OfficeError::Unauthenticated).into_response()),
            Err(e) => Err(AppError::api(e).into_response()),
        }
    }
}

pub fn csrf_error() -> OfficeError {
    OfficeError::Forbidden("请求校验失败（页面已过期或来自其他网站），请刷新页面后重试".into())
}

/// Checks a form's `_csrf` field against the session's token.
pub fn check_csrf(session: &Session, sent: &str) -> Result<(), AppError> {
    if same_token(sent, &session.csrf) {
        Ok(())
    } else {
        Err(AppError::page(csrf_error()))
    }
}

/// An error, shown as a Chinese page or as JSON `{ "error": "…" }`.
pub struct AppError {
    pub error: OfficeError,
    pub json: bool,
}

impl AppError {
    pub fn page(error: OfficeError) -> AppError {
        AppError { error, json: false }
    }

    pub fn api(error: OfficeError) -> AppError {
        AppError { error, json: true }
    }
}

pub fn status_of(e: &OfficeError) -> StatusCode {
    match e {
        OfficeError::Unauthenticated => StatusCode::UNAUTHORIZED,
        OfficeError::Forbidden(_) => StatusCode::FORBIDDEN,
        OfficeError::NotFound(_) => StatusCode::NOT_FOUND,
        OfficeError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        OfficeError::Conflict(_) => StatusCode::CONFLICT,
        OfficeError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        OfficeError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        OfficeError::Document(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = status_of(&self.error);
        if let OfficeError::Store(e) = &self.error {
            eprintln!("数据库错误：{e}（{}）", e.detail().unwrap_or(""));
        }
        if self.json {
            let body = serde_json::json!({ "error": self.error.to_string() });
            return (status, axum::Json(body)).into_response();
        }
        if self.error == OfficeError::Unauthenticated {
            return Redirect::to("/login").into_response();
        }
        (
            status,
            views::html(&views::ErrorPage::new(status, &self.error.to_string())),
        )
            .into_response()
    }
}

impl From<OfficeError> for AppError {
    fn from(e: OfficeError) -> Self {
        AppError::page(e)
    }
}

/// A file to download: never shown inline, never sniffed as HTML.
pub fn download(file_name: &str, media_type: &str, content: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        views::url_encode(file_name)
    );
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    (h, content).into_response()
}

/// Whether a request is for the JSON API (its errors are JSON).
fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

/// `axum::extract::Path` with a Chinese refusal: a malformed id is a page not found.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, s).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(AppError {
                error: OfficeError::NotFound("页面不存在（地址中的编号无效）".into()),
                json: is_api(parts),
            }),
        }
    }
}

/// `axum::extract::Query` with a Chinese refusal.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, s).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(_) => Err(AppError {
                error: OfficeError::Invalid(
                    "地址中的查询条件无效（日期应为 年-月-日，页码与编号为整数）".into(),
                ),
                json: is_api(parts),
            }),
        }
    }
}

/// `axum::Form` with a Chinese refusal.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, s: &S) -> Result<Self, AppError> {
        let too_big = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > MAX_BODY);
        match axum::Form::<T>::from_request(req, s).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(_) if too_big => Err(AppError::page(OfficeError::Invalid(format!(
                "提交的内容过大（上限 {} MB）",
                MAX_BODY / 1024 / 1024
            )))),
            Err(_) => Err(AppError::page(OfficeError::Invalid(
                "表单内容无法读取，请刷新页面后重新填写".into(),
            ))),
        }
    }
}
