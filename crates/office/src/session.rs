//! Logging in and out. Sessions live in the store (every server behind a load
//! balancer sees them); the browser holds only a random token, the store its hash.
//! Failed logins are counted per login name and per address, in the store too.

use crate::Office;
use crate::auth;
use crate::error::{OfficeError, Result};
use crate::roles::Actor;
use chrono::{Duration, Utc};
use gongkai_store::office::SessionRow;

/// How long a session lasts without logging in again.
pub const SESSION_HOURS: i64 = 12;
/// Failed attempts allowed per login name, and per address, in `WINDOW_MINUTES`.
pub const MAX_FAILURES_PER_LOGIN: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

/// A session as the browser holds it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value (never stored).
    pub token: String,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    pub actor: Actor,
}

impl Office {
    /// Refused when the name or the address has failed to log in too often lately
    /// (staff and portal logins alike, under their own keys).
    pub(crate) async fn check_login_limits(&self, login_key: &str, addr_key: &str) -> Result<()> {
        let window = Duration::minutes(WINDOW_MINUTES);
        if self
            .over_limit(login_key, window, MAX_FAILURES_PER_LOGIN)
            .await?
            || self
                .over_limit(addr_key, window, MAX_FAILURES_PER_ADDRESS)
                .await?
        {
            return Err(OfficeError::TooMany(format!(
                "登录失败次数过多，请 {WINDOW_MINUTES} 分钟后再试"
            )));
        }
        Ok(())
    }

    /// Counts a failed login against the name and the address.
    pub(crate) async fn record_login_failure(&self, login_key: &str, addr_key: &str) -> Result<()> {
        self.store.record_login_failure(login_key).await?;
        self.store.record_login_failure(addr_key).await?;
        Ok(())
    }

    /// Checks the password; on success opens a session.
    pub async fn login(&self, login: &str, password: &str, address: &str) -> Result<Session> {
        let login_key = format!("login:{}", login.trim());
        let addr_key = format!("addr:{address}");
        self.check_login_limits(&login_key, &addr_key).await?;
        let user = self.store.user_by_login(login.trim()).await?;
        let ok =
            auth::password_matches(password, user.as_ref().map(|u| u.password_hash.clone())).await;
        let user = match user {
            Some(u) if ok && u.active != 0 => u,
            _ => {
                self.record_login_failure(&login_key, &addr_key).await?;
                self.audit(
                    None,
                    None,
                    "登录失败",
                    format!("login:{}", login.trim()),
                    String::new(),
                    Some(address),
                )
                .await?;
                return Err(OfficeError::Invalid("用户名或密码不正确".into()));
            }
        };
        let agency = self.agency(user.agency_id).await?;
        let actor = Actor::new(&user, &agency)
            .ok_or_else(|| OfficeError::Forbidden("该用户的角色无效，请联系系统管理员".into()))?;
        self.store.clear_login_failures(&login_key).await?;
        let token = auth::random_token(32);
        let csrf = auth::random_token(32);
        self.store
            .create_session(&SessionRow {
                token_hash: auth::token_hash(&token),
                user_id: user.id,
                csrf: csrf.clone(),
                expires_at: crate::utc_text(Utc::now() + Duration::hours(SESSION_HOURS)),
            })
            .await?;
        self.audit(
            Some(&actor),
            None,
            "登录",
            format!("user:{}", user.id),
            String::new(),
            Some(address),
        )
        .await?;
        Ok(Session { token, csrf, actor })
    }

    /// The session of a cookie value, if it is current.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = crate::utc_text(Utc::now());
        let Some((s, user, agency)) = self.store.session(&auth::token_hash(token), &now).await?
        else {
            return Ok(None);
        };
        Ok(Actor::new(&user, &agency).map(|actor| Session {
            token: token.to_string(),
            csrf: s.csrf,
            actor,
        }))
    }

    pub async fn logout(&self, session: &Session, address: &str) -> Result<()> {
        self.store
            .delete_session(&auth::token_hash(&session.token))
            .await?;
        self.audit(
            Some(&session.actor),
            None,
            "退出登录",
            format!("user:{}", session.actor.user_id),
            String::new(),
            Some(address),
        )
        .await
    }
}
