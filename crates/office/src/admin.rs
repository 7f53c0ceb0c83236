//! The agency administrator's work (单位管理员): the agency's user accounts and its
//! letter templates. Every change is audited; a template edit is a new version, the
//! old wording stays in the store.

use crate::Office;
use crate::auth::hash_off_thread;
use crate::error::{OfficeError, Result};
use crate::letters::{self, LetterKind};
use crate::roles::{Actor, Permission, Role};
use gongkai_store::office::{AgencyRow, NewUser, UserRow};

/// A new account as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// A letter template as the administrator sees it.
#[derive(Debug, Clone)]
pub struct TemplateView {
    pub kind: LetterKind,
    pub body: String,
    /// The agency's own wording rather than the built-in one.
    pub customized: bool,
}

/// The shortest password an administrator may set.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest template body accepted.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(OfficeError::Invalid(format!(
            "密码至少 {MIN_PASSWORD_CHARS} 个字符"
        )));
    }
    if password.chars().count() > 200 {
        return Err(OfficeError::Invalid("密码不能超过 200 个字符".into()));
    }
    Ok(())
}

fn check_account(a: &NewAccount) -> Result<()> {
    let login = a.login.trim();
    let mut problems = Vec::new();
    if login.chars().count() < 3 || login.chars().count() > 50 {
        problems.push("登录名须为 3–50 个字符".to_string());
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        problems.push("登录名只能使用英文字母、数字和 _ - .".to_string());
    }
    if a.name.trim().is_empty() || a.name.trim().chars().count() > 50 {
        problems.push("姓名不能为空，且不超过 50 个字".to_string());
    }
    if let Err(OfficeError::Invalid(m)) = check_password(&a.password) {
        problems.push(m);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OfficeError::Invalid(problems.join("；")))
    }
}

/// Argon2 takes tens of milliseconds of CPU: off the request's thread.
impl Office {
    async fn managed_agency(&self, actor: &Actor, agency_id: i64) -> Result<AgencyRow> {
        let agency = self.agency(agency_id).await?;
        actor.require(Permission::ManageUsers, &agency.path)?;
        Ok(agency)
    }

    /// A user the actor may manage (of an agency it administers).
    async fn managed_user(&self, actor: &Actor, user_id: i64) -> Result<UserRow> {
        let user = self
            .store
            .user(user_id)
            .await?
            .ok_or_else(|| OfficeError::NotFound("用户不存在".into()))?;
        self.managed_agency(actor, user.agency_id).await?;
        Ok(user)
    }

    /// The agency's accounts.
    /// The newest `limit` audit entries the actor may read: its unit's, or
    /// everyone's for the system administrator.
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<gongkai_store::office::AuditRow>> {
        actor.require_own(Permission::ViewAudit)?;
        let scope = (actor.role != Role::Sysadmin).then_some(actor.agency_id);
        Ok(self.store.audit_log(scope, limit).await?)
    }

    pub async fn users(&self, actor: &Actor, agency_id: i64) -> Result<Vec<UserRow>> {
        self.managed_agency(actor, agency_id).await?;
        Ok(self.store.users_of(agency_id).await?)
    }

    /// Opens an account in the agency. An agency administrator gives the roles of
    /// its own office (经办人, 负责人, 管理员); oversight and system roles are the
    /// system administrator's to give.
    pub async fn add_user(
        &self,
        actor: &Actor,
        agency_id: i64,
        account: &NewAccount,
        address: Option<&str>,
    ) -> Result<i64> {
        let agency = self.managed_agency(actor, agency_id).await?;
        check_account(account)?;
        if actor.role != Role::Sysadmin
            && !matches!(account.role, Role::Clerk | Role::Head | Role::Admin)
        {
            return Err(OfficeError::Forbidden(format!(
                "单位管理员不能设置「{}」角色，请联系系统管理员",
                account.role.label()
            )));
        }
        let hash = hash_off_thread(&account.password).await?;
        let id = self
            .store
            .create_user(&NewUser {
                agency_id,
                login: account.login.trim().to_string(),
                name: account.name.trim().to_string(),
                role: account.role.key().to_string(),
                password_hash: hash,
            })
            .await?;
        self.audit(
            Some(actor),
            Some(agency.id),
            "新增用户",
            format!("user:{id}"),
            format!(
                "{}（{}），{}",
                account.name.trim(),
                account.login.trim(),
                account.role.label()
            ),
            address,
        )
        .await?;
        Ok(id)
    }

    /// Turns an account off (its sessions stop at once) or on again. Nobody turns
    /// off their own account.
    pub async fn set_user_active(
        &self,
        actor: &Actor,
        user_id: i64,
        active: bool,
        address: Option<&str>,
    ) -> Result<()> {
        let user = self.managed_user(actor, user_id).await?;
        if user.id == actor.user_id && !active {
            return Err(OfficeError::Invalid("不能停用自己的账号".into()));
        }
        self.store.set_user_active(user.id, active).await?;
        self.audit(
            Some(actor),
            Some(user.agency_id),
            if active {
                "启用用户"
            } else {
                "停用用户"
            },
            format!("user:{}", user.id),
            format!("{}（{}）", user.name, user.login),
            address,
        )
        .await
    }

    /// Sets a new password for an account; its sessions end.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let user = self.managed_user(actor, user_id).await?;
        check_password(password)?;
        let hash = hash_off_thread(password).await?;
        self.store.set_password_hash(user.id, &hash).await?;
        self.audit(
            Some(actor),
            Some(user.agency_id),
            "重设密码",
            format!("user:{}", user.id),
            format!("{}（{}）", user.name, user.login),
            address,
        )
        .await
    }

    /// The agency's letter templates, each its current wording.
    pub async fn templates(&self, actor: &Actor, agency_id: i64) -> Result<Vec<TemplateView>> {
        let agency = self.agency(agency_id).await?;
        actor.require(Permission::EditTemplates, &agency.path)?;
        let mut out = Vec::new();
        for kind in letters::ALL {
            let stored = self.store.doc_template(agency.id, kind.key).await?;
            let customized = stored.as_deref().is_some_and(|b| b != kind.default_body);
            out.push(TemplateView {
                kind,
                body: stored.unwrap_or_else(|| kind.default_body.to_string()),
                customized,
            });
        }
        Ok(out)
    }

    /// Saves a new version of one template (an empty body restores the built-in
    /// wording). Fields the letters do not know are refused, so a typo does not
    /// reach an applicant.
    pub async fn save_template(
        &self,
        actor: &Actor,
        agency_id: i64,
        kind_key: &str,
        body: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let agency = self.agency(agency_id).await?;
        actor.require(Permission::EditTemplates, &agency.path)?;
        let kind = letters::kind(kind_key)
            .ok_or_else(|| OfficeError::NotFound(format!("没有「{kind_key}」这种文书")))?;
        let body = body.replace("\r\n", "\n");
        let body = body.trim();
        if body.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(OfficeError::Invalid(format!(
                "模板不能超过 {MAX_TEMPLATE_CHARS} 个字"
            )));
        }
        let unknown = letters::unknown_fields(kind, body);
        if !unknown.is_empty() {
            return Err(OfficeError::Invalid(format!(
                "模板中有无法填写的字段：{}（可用字段：{}）",
                unknown.join("、"),
                letters::fields_of(kind).join("、")
            )));
        }
        let body = if body.is_empty() {
            kind.default_body
        } else {
            body
        };
        self.store
            .save_doc_template(Some(agency.id), kind.key, body, Some(actor.user_id))
            .await?;
        self.audit(
            Some(actor),
            Some(agency.id),
            "修改文书模板",
            format!("template:{}", kind.key),
            kind.title.to_string(),
            address,
        )
        .await
    }
}

#[cfg(test)]
#[path = "admin_tests.rs"]
mod tests;
