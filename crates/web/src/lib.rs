//! gongkai-web: the HTTP face of the disclosure office (`gongkai serve`).
//!
//! Server-rendered Chinese pages (askama; no JavaScript needed, every asset embedded)
//! and a JSON API over the same operations, described by `/api/openapi.json`. The
//! handlers parse requests, call `gongkai-office`, and show the result: the rules,
//! permissions and records live there. Every piece of state is in the store, so
//! several servers on one PostgreSQL behave as one.

mod admin;
mod api;
mod api_admin;
mod forms;
mod http;
mod pages;
mod portal;
mod views;

use axum::Router;
use axum::routing::{get, post};
use gongkai_office::Office;
use std::net::SocketAddr;

pub use api::OPENAPI;
pub use http::{CSRF_HEADER, SESSION_COOKIE};

/// What every handler shares: the office (store, calendar, clock).
#[derive(Clone)]
pub struct AppState {
    pub office: Office,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The office holds demo data (pages say so).
    pub demo: bool,
    /// Served behind a reverse proxy or load balancer: the client's address is the
    /// last one the proxy appended to `X-Forwarded-For` (the per-address limits and
    /// the audit log would otherwise see every citizen as the proxy).
    pub behind_proxy: bool,
}

/// Every route, with the permission check it makes, in one table (the route × role
/// test walks it).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/inbox", get(pages::inbox))
        .route("/inbox.xlsx", get(pages::inbox_xlsx))
        .route("/cases/new", get(pages::register_form))
        .route("/cases", post(pages::register))
        .route("/cases/{id}", get(pages::case_page))
        .route("/cases/{id}/steps", post(pages::case_step))
        .route("/cases/{id}/attachments", post(pages::upload_attachment))
        .route("/documents/{id}", get(pages::document))
        .route("/attachments/{id}", get(pages::attachment))
        .route("/stats", get(pages::stats))
        .route(
            "/admin/calendar",
            get(pages::calendar_page).post(pages::calendar_import),
        )
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", post(admin::user_action))
        .route(
            "/admin/templates",
            get(admin::templates).post(admin::save_template),
        )
        .route("/admin/guide", post(admin::save_guide))
        .route("/audit", get(pages::audit))
        .route("/online/{id}/confirm", post(pages::confirm_online))
        // The public portal: no login; the 查询码 travels in POST bodies only.
        .route("/public", get(portal::home))
        .route("/public/agencies/{id}", get(portal::agency))
        .route(
            "/public/agencies/{id}/apply",
            get(portal::apply_form).post(portal::apply_review),
        )
        .route("/public/agencies/{id}/submit", post(portal::submit))
        .route(
            "/public/agencies/{id}/reports/{report}",
            get(portal::report),
        )
        .route("/public/track", get(portal::track_form).post(portal::track))
        .route("/public/track/document", post(portal::track_document))
        .route("/public/track/receipt", post(portal::receipt))
        .route("/public/track/supplement", post(portal::supplement))
        .route("/public/track/withdraw", post(portal::withdraw))
        .route("/public/track/message", post(portal::message))
        .route("/public/account", get(portal::account))
        .route("/public/account/register", post(portal::account_register))
        .route("/public/account/login", post(portal::account_login))
        .route("/public/account/logout", post(portal::account_logout))
        .route("/assets/portal.js", get(portal::script))
        .route("/assets/style.css", get(http::style))
        .route("/healthz", get(http::healthz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/session", post(api::login).delete(api::logout))
        .route("/api/cases", get(api::cases).post(api::register))
        .route("/api/cases/{id}", get(api::case))
        .route("/api/cases/{id}/steps", post(api::step))
        .route("/api/cases/{id}/attachments", post(api::upload))
        .route("/api/documents/{id}", get(api::document))
        .route("/api/attachments/{id}", get(api::attachment))
        .route("/api/online", get(api::pending))
        .route("/api/online/{id}/confirm", post(api::confirm))
        .route("/api/stats/{agency}/{year}", get(api::stats))
        .route(
            "/api/agencies/{agency}/users",
            get(api_admin::users).post(api_admin::add_user),
        )
        .route("/api/users/{id}", post(api_admin::user_action))
        .route(
            "/api/agencies/{agency}/templates",
            get(api_admin::templates),
        )
        .route(
            "/api/agencies/{agency}/templates/{kind}",
            post(api_admin::save_template),
        )
        .route("/api/agencies/{agency}/guide", post(api_admin::save_guide))
        .route("/api/calendar", post(api_admin::import_calendar))
        .route("/api/audit", get(api_admin::audit))
        .fallback(http::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY))
        .with_state(state)
}

/// Serves `router` on `listener` until Ctrl-C (or SIGTERM): in-flight requests finish.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
