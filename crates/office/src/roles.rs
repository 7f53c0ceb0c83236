//! Roles and what each may do, to which agency. Every route of the web and every
//! operation of the office asks [`Actor::may`]; the permission table test walks all
//! of it.

use crate::error::OfficeError;
use gongkai_store::office::{AgencyRow, UserRow};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 经办人: handles the cases of its agency.
    Clerk,
    /// 负责人/审核人: handles cases and approves extensions and decisions.
    Head,
    /// 单位管理员: its agency's users, document templates and 公开指南.
    Admin,
    /// 监督 (政务公开办): statistics and reports of its subtree; never personal data.
    Oversight,
    /// 系统管理员: agencies, users everywhere, the calendar, the audit log.
    Sysadmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Clerk,
        Role::Head,
        Role::Admin,
        Role::Oversight,
        Role::Sysadmin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Head => "head",
            Role::Admin => "admin",
            Role::Oversight => "oversight",
            Role::Sysadmin => "sysadmin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "经办人",
            Role::Head => "负责人（审核人）",
            Role::Admin => "单位管理员",
            Role::Oversight => "监督（政务公开办）",
            Role::Sysadmin => "系统管理员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
}

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the agency's cases, with the applicants' personal data.
    ViewCases,
    /// Register applications and record steps.
    HandleCases,
    /// Approve an extension, or a decision where the agency requires 报批.
    Approve,
    /// Manage the agency's users.
    ManageUsers,
    /// Edit the agency's document templates and 公开指南.
    EditTemplates,
    /// Read the statistics (table 三/四 counts) of the agency.
    ViewStatistics,
    /// Import holiday notices.
    ManageCalendar,
    /// Read the audit log of the agency.
    ViewAudit,
}

/// The logged-in user with the agency it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub agency_id: i64,
    pub agency_name: String,
    /// The agency's tree path (`/1/4/9/`).
    #[serde(skip)]
    pub agency_path: String,
}

impl Actor {
    pub fn new(user: &UserRow, agency: &AgencyRow) -> Option<Actor> {
        Some(Actor {
            user_id: user.id,
            login: user.login.clone(),
            name: user.name.clone(),
            role: Role::parse(&user.role)?,
            agency_id: agency.id,
            agency_name: agency.name.clone(),
            agency_path: agency.path.clone(),
        })
    }

    /// Whether the actor may do `p` for the agency whose tree path is `target_path`.
    pub fn may(&self, p: Permission, target_path: &str) -> bool {
        let own = target_path == self.agency_path;
        let below = target_path.starts_with(&self.agency_path);
        use Permission::*;
        match self.role {
            Role::Clerk => own && matches!(p, ViewCases | HandleCases | ViewStatistics),
            Role::Head => own && matches!(p, ViewCases | HandleCases | Approve | ViewStatistics),
            Role::Admin => {
                own && matches!(p, ManageUsers | EditTemplates | ViewStatistics | ViewAudit)
            }
            Role::Oversight => below && matches!(p, ViewStatistics),
            Role::Sysadmin => matches!(
                p,
                ManageUsers | ManageCalendar | ViewAudit | ViewStatistics | EditTemplates
            ),
        }
    }

    /// `may`, or the Chinese refusal.
    pub fn require(&self, p: Permission, target_path: &str) -> Result<(), OfficeError> {
        if self.may(p, target_path) {
            Ok(())
        } else {
            Err(OfficeError::Forbidden(refusal(self.role, p)))
        }
    }

    /// `require` for the actor's own agency.
    pub fn require_own(&self, p: Permission) -> Result<(), OfficeError> {
        self.require(p, &self.agency_path.clone())
    }
}

fn refusal(role: Role, p: Permission) -> String {
    let what = match p {
        Permission::ViewCases => "查看本机关的依申请公开案件",
        Permission::HandleCases => "办理依申请公开案件",
        Permission::Approve => "审批延期和答复",
        Permission::ManageUsers => "管理用户",
        Permission::EditTemplates => "修改文书模板和公开指南",
        Permission::ViewStatistics => "查看该机关的统计",
        Permission::ManageCalendar => "导入放假安排",
        Permission::ViewAudit => "查看审计日志",
    };
    format!(
        "您的角色（{}）无权{what}，或该机关不在您的管辖范围内",
        role.label()
    )
}
