//! The portal's optional account: a phone number or e-mail address and a password,
//! so that an applicant finds all of their applications in one list. Applying never
//! needs one; an application sent while signed in is linked to the account. The
//! 查询码 stays the key to follow and act on each application.

use crate::Office;
use crate::auth;
use crate::error::{OfficeError, Result};
use chrono::{Duration, Utc};
use serde::Serialize;

/// How long a portal session lasts.
pub const PUBLIC_SESSION_HOURS: i64 = 12;
/// Accounts opened from one address per hour.
pub const MAX_ACCOUNTS_PER_ADDRESS: i64 = 10;
pub const MIN_PASSWORD: usize = 8;

/// A signed-in applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicAccount {
    pub id: i64,
    /// The phone number or e-mail address it signs in with.
    pub login: String,
}

/// A session: the cookie's value (never stored) and its account.
#[derive(Debug, Clone)]
pub struct PublicSession {
    pub token: String,
    pub account: PublicAccount,
}

/// One line of the account's list.
#[derive(Debug, Clone, Serialize)]
pub struct MyApplication {
    pub number: String,
    pub agency: String,
    pub submitted_on: String,
    pub request: String,
    pub state: String,
}

/// A login as it is kept: an e-mail address in lower case, a phone number's digits.
pub fn normalize_login(s: &str) -> Result<String> {
    let s = s.trim();
    if s.contains('@') {
        let l = s.to_lowercase();
        let ok = l.split_once('@').is_some_and(|(u, h)| {
            !u.is_empty() && h.contains('.') && !h.ends_with('.') && !h.starts_with('.')
        }) && !l.chars().any(char::is_whitespace)
            && l.len() <= 100;
        return if ok {
            Ok(l)
        } else {
            Err(OfficeError::Invalid(
                "电子邮箱不正确：应形如 name@example.cn".into(),
            ))
        };
    }
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(OfficeError::Invalid(
            "请填写 11 位手机号码或电子邮箱".into(),
        ))
    }
}

impl Office {
    /// Opens an account and signs it in.
    pub async fn open_public_account(
        &self,
        login: &str,
        password: &str,
        address: &str,
    ) -> Result<PublicSession> {
        let login = normalize_login(login)?;
        if password.chars().count() < MIN_PASSWORD || password.len() > 200 {
            return Err(OfficeError::Invalid(format!("密码至少 {MIN_PASSWORD} 位")));
        }
        let key = format!("account:{address}");
        let window = Duration::minutes(60);
        let too_many =
            || OfficeError::TooMany("本网络地址一小时内注册的账户已达上限，请稍后再试".into());
        if self
            .over_limit(&key, window, MAX_ACCOUNTS_PER_ADDRESS)
            .await?
        {
            return Err(too_many());
        }
        // Checked and counted at once, as the online applications are.
        if !self
            .take_attempt(&key, window, MAX_ACCOUNTS_PER_ADDRESS)
            .await?
        {
            return Err(too_many());
        }
        let hash = auth::hash_off_thread(password).await?;
        let id = self
            .store
            .create_public_account(&login, &hash)
            .await
            .map_err(|e| match e {
                gongkai_store::StoreError::Invalid(_) => {
                    OfficeError::Invalid("该手机号或电子邮箱已注册，请直接登录".into())
                }
                e => e.into(),
            })?;
        self.audit(
            None,
            None,
            "开设公众账户",
            format!("public:{id}"),
            String::new(),
            Some(address),
        )
        .await?;
        self.open_public_session(PublicAccount { id, login }).await
    }

    async fn open_public_session(&self, account: PublicAccount) -> Result<PublicSession> {
        let token = auth::random_token(32);
        let expires = crate::utc_text(Utc::now() + Duration::hours(PUBLIC_SESSION_HOURS));
        self.store
            .create_public_session(&auth::token_hash(&token), account.id, &expires)
            .await?;
        Ok(PublicSession { token, account })
    }

    /// Signs an account in; failures are limited per login and per address as the
    /// staff's logins are.
    pub async fn public_login(
        &self,
        login: &str,
        password: &str,
        address: &str,
    ) -> Result<PublicSession> {
        let wrong = || OfficeError::Invalid("账户或密码不正确".into());
        let login = normalize_login(login).map_err(|_| wrong())?;
        let login_key = format!("plogin:{login}");
        let addr_key = format!("paddr:{address}");
        self.check_login_limits(&login_key, &addr_key).await?;
        let account = self.store.public_account_by_login(&login).await?;
        let ok =
            auth::password_matches(password, account.as_ref().map(|a| a.password_hash.clone()))
                .await;
        match account {
            Some(a) if ok => {
                self.store.clear_login_failures(&login_key).await?;
                self.open_public_session(PublicAccount {
                    id: a.id,
                    login: a.login,
                })
                .await
            }
            _ => {
                self.record_login_failure(&login_key, &addr_key).await?;
                Err(wrong())
            }
        }
    }

    /// The account of a session cookie, if it is current.
    pub async fn public_session(&self, token: &str) -> Result<Option<PublicAccount>> {
        let now = crate::utc_text(Utc::now());
        Ok(self
            .store
            .public_session(&auth::token_hash(token), &now)
            .await?
            .map(|(id, login)| PublicAccount { id, login }))
    }

    pub async fn public_logout(&self, token: &str) -> Result<()> {
        Ok(self
            .store
            .delete_public_session(&auth::token_hash(token))
            .await?)
    }

    /// The applications sent from the account, newest first, with their states.
    /// Each one listed is a view of the applicant's case: audited, for its agency.
    pub async fn my_applications(
        &self,
        account: &PublicAccount,
        address: &str,
    ) -> Result<Vec<MyApplication>> {
        let mut out = Vec::new();
        for app in self.store.applications_of_account(account.id).await? {
            let agency = self.agency(app.agency_id).await?;
            let t = self.tracking(&app, &agency).await?;
            self.audit(
                None,
                Some(agency.id),
                "账户查看申请列表",
                format!("portal:{}", app.id),
                format!("{}（网上账户 {}）", app.number, account.id),
                Some(address),
            )
            .await?;
            out.push(MyApplication {
                number: t.number,
                agency: t.agency,
                submitted_on: t.submitted_on,
                request: t.request.chars().take(60).collect(),
                state: t.state,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application_form::ApplicationForm;
    use crate::testing::demo_office;

    #[test]
    fn logins_are_a_mobile_number_or_an_e_mail_address() {
        assert_eq!(normalize_login(" 138-0013-8000 ").unwrap(), "13800138000");
        assert_eq!(
            normalize_login("Chen@Example.CN").unwrap(),
            "chen@example.cn"
        );
        assert!(normalize_login("12345").is_err());
        assert!(normalize_login("chen@").is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_account_lists_its_own_applications_only() {
        let d = demo_office().await;
        let o = &d.office;
        let s = o
            .open_public_account("13800138000", "a-long-password", "203.0.113.9")
            .await
            .unwrap();
        let again = o
            .open_public_account("138 0013 8000", "another-password", "203.0.113.9")
            .await
            .unwrap_err();
        assert!(again.to_string().contains("已注册"), "{again}");
        let wrong = o
            .public_login("13800138000", "wrong-password", "203.0.113.9")
            .await;
        assert!(matches!(wrong, Err(OfficeError::Invalid(_))));
        let s2 = o
            .public_login("13800138000", "a-long-password", "203.0.113.9")
            .await
            .unwrap();
        assert_eq!(s2.account, s.account);
        assert_eq!(
            o.public_session(&s.token).await.unwrap(),
            Some(s.account.clone())
        );

        let form = ApplicationForm {
            applicant_kind: "natural_person".into(),
            applicant_name: "账户申请人".into(),
            id_type: "护照".into(),
            id_number: "E12345678".into(),
            phone: "13800138000".into(),
            request: "本县2026年义务教育招生划片方案".into(),
            form: "电子".into(),
            delivery: "在线下载".into(),
            ..ApplicationForm::default()
        };
        let office = o.agency(d.demo.office_id).await.unwrap();
        let mine = o
            .submit_online_as(&office, &form, vec![], "203.0.113.9", Some(&s.account))
            .await
            .unwrap();
        // Sent without signing in: not in the list.
        let other = o
            .submit_online(d.demo.office_id, &form, vec![], "203.0.113.9")
            .await
            .unwrap();
        let list = o.my_applications(&s.account, "203.0.113.9").await.unwrap();
        assert_eq!(list.len(), 1);
        // Seeing the list is seeing the application: in the agency's audit log.
        let log = o.store.audit_log(Some(d.demo.office_id), 20).await.unwrap();
        let seen = log
            .iter()
            .find(|e| e.action == "账户查看申请列表")
            .expect("the listing is audited");
        assert!(seen.detail.contains(&mine.number), "{seen:?}");
        assert_eq!(seen.address.as_deref(), Some("203.0.113.9"));
        assert_eq!(list[0].number, mine.number);
        assert_eq!(list[0].state, "等待机关确认收到");
        assert!(list.iter().all(|a| a.number != other.number));
        o.public_logout(&s.token).await.unwrap();
        assert_eq!(o.public_session(&s.token).await.unwrap(), None);
    }
}
