//! The disclosure office's records: agencies, users, sessions, cases with their
//! append-only events, documents, attachments, the audit log and imported calendars.
//!
//! Records are never changed in place except the derived columns of `cases` (the
//! inbox summary) and `sessions`. A case's events are keyed `(case_id, seq)`: a
//! writer names the version it read, and the insert of the next `seq` fails for the
//! second of two writers — on one server or on several behind a load balancer.

use crate::db::{Arg, PageQuery, Store, now_utc, on_db, on_read};
use crate::error::StoreError;
use serde::Serialize;
use sqlx::{AssertSqlSafe, FromRow};

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct AgencyRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub level: String,
    pub kind: String,
    pub path: String,
    pub requires_approval: i64,
    pub demo: i64,
}

#[derive(Debug, Clone)]
pub struct NewAgency {
    pub parent_id: Option<i64>,
    pub name: String,
    pub level: String,
    pub kind: String,
    pub requires_approval: bool,
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub agency_id: i64,
    pub login: String,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub active: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub agency_id: i64,
    pub login: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub expires_at: String,
}

/// A case as stored: the applicant's particulars and the inbox summary of its events.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize, serde::Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub agency_id: i64,
    pub number: String,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub request: String,
    pub received_on: String,
    pub version: i64,
    pub stage: String,
    pub closed: i64,
    pub due_on: Option<String>,
    pub due_provisional: i64,
    pub due_note: Option<String>,
    pub paused: i64,
    pub outcome: Option<String>,
    pub demo: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The form and way of provision asked for (第二十九条), when given.
    pub provision: Option<String>,
}

/// A case as a list shows it (the inbox, its export, the API's list): the summary
/// columns, none of the applicant's particulars beyond the name. Fields in the
/// order of `LISTING_COLUMNS`: SQLite's page comes as JSON arrays of them
/// (`Store::page`), PostgreSQL's as rows read by name.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize, serde::Deserialize)]
pub struct CaseListing {
    pub id: i64,
    pub number: String,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub received_on: String,
    pub version: i64,
    pub stage: String,
    pub closed: i64,
    pub due_on: Option<String>,
    pub due_provisional: i64,
    pub due_note: Option<String>,
    pub paused: i64,
    pub outcome: Option<String>,
}

impl From<&CaseRow> for CaseListing {
    fn from(r: &CaseRow) -> Self {
        CaseListing {
            id: r.id,
            number: r.number.clone(),
            channel: r.channel.clone(),
            applicant_kind: r.applicant_kind.clone(),
            applicant_name: r.applicant_name.clone(),
            received_on: r.received_on.clone(),
            version: r.version,
            stage: r.stage.clone(),
            closed: r.closed,
            due_on: r.due_on.clone(),
            due_provisional: r.due_provisional,
            due_note: r.due_note.clone(),
            paused: r.paused,
            outcome: r.outcome.clone(),
        }
    }
}

/// The applicant's particulars and the request of a new case.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub agency_id: i64,
    pub number: String,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub request: String,
    pub received_on: String,
    pub lookup_hash: Option<String>,
    pub demo: bool,
    pub provision: Option<String>,
    /// The online application this case confirms: linked in the case's own
    /// transaction, which fails if another clerk confirmed it first.
    pub portal_application_id: Option<i64>,
}

/// The inbox columns of a case, derived from its events by the case engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSummary {
    pub stage: String,
    pub closed: bool,
    pub due_on: Option<String>,
    pub due_provisional: bool,
    pub due_note: Option<String>,
    pub paused: bool,
    pub outcome: Option<String>,
    /// The date of the case's last event, and whether an appeal is still open: a
    /// case closed before a year with no open appeal cannot count in that year's
    /// report, so the report need not replay it.
    pub last_event_on: Option<String>,
    pub appeals_open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct EventRow {
    pub case_id: i64,
    pub seq: i64,
    pub event: String,
    pub user_id: Option<i64>,
    pub recorded_at: String,
}

/// A generated document (DOCX, PDF) kept with the case.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct DocumentInfo {
    pub id: i64,
    pub case_id: i64,
    pub seq: i64,
    pub kind: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FileContent {
    pub case_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub case_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CalendarImportRow {
    pub id: i64,
    pub years: String,
    pub tsv: String,
    pub user_id: Option<i64>,
    pub imported_at: String,
}

/// Which cases an inbox lists.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only open cases (the inbox), or all.
    pub open_only: bool,
    pub stage: Option<String>,
    pub channel: Option<String>,
    pub applicant_kind: Option<String>,
    pub outcome: Option<String>,
    /// `received_on` between these dates, inclusive (`YYYY-MM-DD`).
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

const CASE_COLUMNS: &str = "id, agency_id, number, channel, applicant_kind, applicant_name, id_type, \
    id_number, phone, email, address, request, received_on, version, stage, closed, due_on, \
    due_provisional, due_note, paused, outcome, demo, created_at, updated_at, provision";

/// `CaseListing`'s columns, in its fields' order.
const LISTING_COLUMNS: &str = "id, number, channel, applicant_kind, applicant_name, received_on, \
    version, stage, closed, due_on, due_provisional, due_note, paused, outcome";

fn flag(b: bool) -> i64 {
    i64::from(b)
}

impl Store {
    // --- agencies -----------------------------------------------------------------

    /// Adds an agency under `parent_id` (or a root) and returns its id.
    pub async fn create_agency(&self, a: &NewAgency) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let parent_path: String = match a.parent_id {
                Some(p) => sqlx::query_scalar("SELECT path FROM agencies WHERE id = $1")
                    .bind(p)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("上级机关（编号 {p}）不存在")))?,
                None => "/".into(),
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO agencies (parent_id, name, level, kind, path, requires_approval, demo, created_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $7) RETURNING id",
            )
            .bind(a.parent_id)
            .bind(&a.name)
            .bind(&a.level)
            .bind(&a.kind)
            .bind(flag(a.requires_approval))
            .bind(flag(a.demo))
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE agencies SET path = $1 WHERE id = $2")
                .bind(format!("{parent_path}{id}/"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn agency(&self, id: i64) -> Result<Option<AgencyRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, AgencyRow>(
                "SELECT id, parent_id, name, level, kind, path, requires_approval, demo FROM agencies WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The agency `id` and everything below it, in tree order.
    pub async fn agency_subtree(&self, id: i64) -> Result<Vec<AgencyRow>, StoreError> {
        let Some(root) = self.agency(id).await? else {
            return Ok(Vec::new());
        };
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, AgencyRow>(
                "SELECT id, parent_id, name, level, kind, path, requires_approval, demo FROM agencies \
                 WHERE path LIKE $1 ORDER BY path",
            )
            .bind(format!("{}%", root.path))
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn agencies(&self) -> Result<Vec<AgencyRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, AgencyRow>(
                "SELECT id, parent_id, name, level, kind, path, requires_approval, demo FROM agencies ORDER BY path",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    // --- users and sessions ---------------------------------------------------------

    pub async fn create_user(&self, u: &NewUser) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            let r = sqlx::query_scalar(
                "INSERT INTO users (agency_id, login, name, role, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
            )
            .bind(u.agency_id)
            .bind(&u.login)
            .bind(&u.name)
            .bind(&u.role)
            .bind(&u.password_hash)
            .bind(&now)
            .fetch_one(pool)
            .await;
            match r {
                Ok(id) => Ok(id),
                Err(e) if StoreError::is_unique_violation(&e) => {
                    Err(StoreError::Invalid(format!("登录名「{}」已被使用", u.login)))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    const USER_COLUMNS: &'static str = "id, agency_id, login, name, role, password_hash, active";

    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {} FROM users WHERE login = $1", Self::USER_COLUMNS);
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, UserRow>(AssertSqlSafe(sql)).bind(login).fetch_optional(pool).await?)
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {} FROM users WHERE id = $1", Self::USER_COLUMNS);
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, UserRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn users_of(&self, agency_id: i64) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM users WHERE agency_id = $1 ORDER BY id",
            Self::USER_COLUMNS
        );
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, UserRow>(AssertSqlSafe(sql)).bind(agency_id).fetch_all(pool).await?)
        })
    }

    /// Turns an account on or off; a turned-off account's sessions stop at once.
    pub async fn set_user_active(&self, id: i64, active: bool) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
                .bind(i64::from(active))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// A new password hash; the user's sessions end.
    pub async fn set_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn create_session(&self, s: &SessionRow) -> Result<(), StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(&s.csrf)
            .bind(&now)
            .bind(&s.expires_at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The live session of `token_hash` with its active user and the user's agency,
    /// in one query (every page asks this first).
    pub async fn session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<(SessionRow, UserRow, AgencyRow)>, StoreError> {
        #[derive(FromRow)]
        struct Joined {
            token_hash: String,
            csrf: String,
            expires_at: String,
            user_id: i64,
            agency_id: i64,
            login: String,
            user_name: String,
            role: String,
            password_hash: String,
            active: i64,
            parent_id: Option<i64>,
            agency_name: String,
            level: String,
            kind: String,
            path: String,
            requires_approval: i64,
            demo: i64,
        }
        let row: Option<Joined> = on_read!(self, pool => {
            sqlx::query_as::<_, Joined>(
                "SELECT s.token_hash, s.csrf, s.expires_at, u.id AS user_id, u.agency_id, u.login, \
                 u.name AS user_name, u.role, u.password_hash, u.active, a.parent_id, \
                 a.name AS agency_name, a.level, a.kind, a.path, a.requires_approval, a.demo \
                 FROM sessions s JOIN users u ON u.id = s.user_id JOIN agencies a ON a.id = u.agency_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active <> 0",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|j| {
            (
                SessionRow {
                    token_hash: j.token_hash,
                    user_id: j.user_id,
                    csrf: j.csrf,
                    expires_at: j.expires_at,
                },
                UserRow {
                    id: j.user_id,
                    agency_id: j.agency_id,
                    login: j.login,
                    name: j.user_name,
                    role: j.role,
                    password_hash: j.password_hash,
                    active: j.active,
                },
                AgencyRow {
                    id: j.agency_id,
                    parent_id: j.parent_id,
                    name: j.agency_name,
                    level: j.level,
                    kind: j.kind,
                    path: j.path,
                    requires_approval: j.requires_approval,
                    demo: j.demo,
                },
            )
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn record_login_failure(&self, key: &str) -> Result<(), StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(&now)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// When the `n`-th newest failure (or attempt) for `key` since `since` (UTC,
    /// `YYYY-MM-DDTHH:MM:SSZ`) happened: none when fewer than `n` were made; once it
    /// is older than the window, fewer than `n` remain.
    pub async fn nth_newest_failure(
        &self,
        key: &str,
        since: &str,
        n: i64,
    ) -> Result<Option<String>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            )
            .bind(key)
            .bind(since)
            .bind((n - 1).max(0))
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM login_failures WHERE key = $1")
                .bind(key)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    // --- cases ----------------------------------------------------------------------

    /// Registers a case with its first event (`received`) in one transaction.
    pub async fn create_case(
        &self,
        c: &NewCase,
        first_event: &str,
        user_id: Option<i64>,
        summary: &CaseSummary,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let r = sqlx::query_scalar(
                "INSERT INTO cases (agency_id, number, channel, applicant_kind, applicant_name, id_type, id_number, \
                 phone, email, address, request, received_on, version, stage, closed, due_on, due_provisional, due_note, \
                 paused, outcome, lookup_hash, demo, created_at, updated_at, provision, last_event_on, appeals_open) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, $24, $25) \
                 RETURNING id",
            )
            .bind(c.agency_id)
            .bind(&c.number)
            .bind(&c.channel)
            .bind(&c.applicant_kind)
            .bind(&c.applicant_name)
            .bind(&c.id_type)
            .bind(&c.id_number)
            .bind(&c.phone)
            .bind(&c.email)
            .bind(&c.address)
            .bind(&c.request)
            .bind(&c.received_on)
            .bind(&summary.stage)
            .bind(flag(summary.closed))
            .bind(&summary.due_on)
            .bind(flag(summary.due_provisional))
            .bind(&summary.due_note)
            .bind(flag(summary.paused))
            .bind(&summary.outcome)
            .bind(&c.lookup_hash)
            .bind(flag(c.demo))
            .bind(&now)
            .bind(&c.provision)
            .bind(&summary.last_event_on)
            .bind(flag(summary.appeals_open))
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match r {
                Ok(id) => id,
                Err(e) if StoreError::is_unique_violation(&e) => {
                    return Err(StoreError::Invalid(format!("申请编号「{}」已存在", c.number)));
                }
                Err(e) => return Err(e.into()),
            };
            sqlx::query("INSERT INTO case_events (case_id, seq, event, user_id, recorded_at) VALUES ($1, 1, $2, $3, $4)")
                .bind(id)
                .bind(first_event)
                .bind(user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            if let Some(app) = c.portal_application_id {
                let linked = sqlx::query(
                    "UPDATE portal_applications SET case_id = $1, confirmed_at = $2 WHERE id = $3 AND case_id IS NULL",
                )
                .bind(id)
                .bind(&now)
                .bind(app)
                .execute(&mut *tx)
                .await?;
                if linked.rows_affected() != 1 {
                    return Err(StoreError::Conflict("该网上申请已由他人确认登记，请刷新".into()));
                }
                sqlx::query(
                    "INSERT INTO attachments (case_id, file_name, media_type, size, sha256, content, user_id, created_at) \
                     SELECT $1, file_name, media_type, size, sha256, content, NULL, created_at FROM portal_files \
                     WHERE application_id = $2 ORDER BY id",
                )
                .bind(id)
                .bind(app)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Appends one event to case `case_id`, which the caller read at `version`, with
    /// the documents the step produced, the files that came with it and the new
    /// summary, all in one transaction. `Err(Conflict)` when someone else wrote the
    /// case since: nothing is written.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_event(
        &self,
        case_id: i64,
        version: i64,
        event: &str,
        user_id: Option<i64>,
        summary: &CaseSummary,
        documents: &[NewDocument],
        attachments: &[NewAttachment],
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        let seq = version + 1;
        let conflict = || StoreError::Conflict("案件已被他人更新，请刷新".into());
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            // The version check and the bump in one statement: of two writers that
            // read the same version, the second updates no row.
            let bumped = sqlx::query(
                "UPDATE cases SET version = $1, stage = $2, closed = $3, due_on = $4, due_provisional = $5, \
                 due_note = $11, paused = $6, outcome = $7, updated_at = $8, last_event_on = $12, appeals_open = $13 \
                 WHERE id = $9 AND version = $10",
            )
            .bind(seq)
            .bind(&summary.stage)
            .bind(flag(summary.closed))
            .bind(&summary.due_on)
            .bind(flag(summary.due_provisional))
            .bind(flag(summary.paused))
            .bind(&summary.outcome)
            .bind(&now)
            .bind(case_id)
            .bind(version)
            .bind(&summary.due_note)
            .bind(&summary.last_event_on)
            .bind(flag(summary.appeals_open))
            .execute(&mut *tx)
            .await?;
            if bumped.rows_affected() != 1 {
                return Err(conflict());
            }
            let inserted = sqlx::query(
                "INSERT INTO case_events (case_id, seq, event, user_id, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(seq)
            .bind(event)
            .bind(user_id)
            .bind(&now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {}
                Err(e) if StoreError::is_unique_violation(&e) => return Err(conflict()),
                Err(e) => return Err(e.into()),
            }
            for d in documents {
                sqlx::query(
                    "INSERT INTO documents (case_id, seq, kind, title, file_name, media_type, content, user_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(case_id)
                .bind(seq)
                .bind(&d.kind)
                .bind(&d.title)
                .bind(&d.file_name)
                .bind(&d.media_type)
                .bind(&d.content)
                .bind(user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            // Files that came with the step (an applicant's 补正), so neither is
            // stored without the other.
            for a in attachments {
                sqlx::query(
                    "INSERT INTO attachments (case_id, file_name, media_type, size, sha256, content, user_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(case_id)
                .bind(&a.file_name)
                .bind(&a.media_type)
                .bind(a.content.len() as i64)
                .bind(&a.sha256)
                .bind(&a.content)
                .bind(user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(seq)
        })
    }

    /// Rewrites the derived summary of a case (after a calendar import), if it is
    /// still at `version`.
    pub async fn update_summary(
        &self,
        case_id: i64,
        version: i64,
        summary: &CaseSummary,
    ) -> Result<bool, StoreError> {
        on_db!(&self.db, pool => {
            let r = sqlx::query(
                "UPDATE cases SET stage = $1, closed = $2, due_on = $3, due_provisional = $4, paused = $5, \
                 outcome = $6, due_note = $9, last_event_on = $10, appeals_open = $11 WHERE id = $7 AND version = $8",
            )
            .bind(&summary.stage)
            .bind(flag(summary.closed))
            .bind(&summary.due_on)
            .bind(flag(summary.due_provisional))
            .bind(flag(summary.paused))
            .bind(&summary.outcome)
            .bind(case_id)
            .bind(version)
            .bind(&summary.due_note)
            .bind(&summary.last_event_on)
            .bind(flag(summary.appeals_open))
            .execute(pool)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    pub async fn case(&self, id: i64) -> Result<Option<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn case_by_number(
        &self,
        agency_id: i64,
        number: &str,
    ) -> Result<Option<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE agency_id = $1 AND number = $2");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql)).bind(agency_id).bind(number).fetch_optional(pool).await?)
        })
    }

    pub async fn case_events(&self, case_id: i64) -> Result<Vec<EventRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, EventRow>(
                "SELECT case_id, seq, event, user_id, recorded_at FROM case_events WHERE case_id = $1 ORDER BY seq",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The events of the cases of `agency_id` that can count in the report of the
    /// year `start`..=`end` (`YYYY-MM-DD`): received by its end, and open, or with
    /// an appeal open, or with an event on or after its start. The others closed
    /// before the year with every appeal resolved: the report counts nothing of
    /// them. A case whose last event date is unknown (stored before it was kept)
    /// is always read.
    pub async fn agency_events_for_year(
        &self,
        agency_id: i64,
        start: &str,
        end: &str,
    ) -> Result<Vec<EventRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, EventRow>(
                "SELECT e.case_id, e.seq, e.event, e.user_id, e.recorded_at FROM case_events e \
                 JOIN cases c ON c.id = e.case_id WHERE c.agency_id = $1 AND c.received_on <= $2 \
                 AND (c.closed = 0 OR c.appeals_open <> 0 OR c.last_event_on IS NULL OR c.last_event_on >= $3) \
                 ORDER BY c.received_on, e.case_id, e.seq",
            )
            .bind(agency_id)
            .bind(end)
            .bind(start)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Cases of `agency_id` by `filter`: open ones by due date (most urgent first),
    /// otherwise newest first. Returns the page and the total count.
    pub async fn cases_of(
        &self,
        agency_id: i64,
        f: &CaseFilter,
    ) -> Result<(Vec<CaseListing>, i64), StoreError> {
        let mut args = vec![Arg::Int(agency_id)];
        let mut wh = vec!["agency_id = $1".to_string()];
        let arg = |args: &mut Vec<Arg>, v: &str| {
            args.push(Arg::Text(v.to_string()));
            format!("${}", args.len())
        };
        if f.open_only {
            wh.push("closed = 0".into());
        }
        for (col, v) in [
            ("stage", &f.stage),
            ("channel", &f.channel),
            ("applicant_kind", &f.applicant_kind),
            ("outcome", &f.outcome),
        ] {
            if let Some(v) = v {
                let n = arg(&mut args, v);
                wh.push(format!("{col} = {n}"));
            }
        }
        if let Some(v) = &f.received_from {
            let n = arg(&mut args, v);
            wh.push(format!("received_on >= {n}"));
        }
        if let Some(v) = &f.received_to {
            let n = arg(&mut args, v);
            wh.push(format!("received_on <= {n}"));
        }
        let offset = format!("${}", args.len() + 1);
        // The open cases' order is the index `cases_inbox_order` (migration 0010).
        let order = if f.open_only {
            "closed, due_on IS NULL, due_on, id"
        } else {
            "id DESC"
        };
        let where_sql = wh.join(" AND ");
        let limit = if f.limit <= 0 {
            50
        } else {
            f.limit.min(100_000)
        };
        // The limit is written into the text, not bound: SQLite re-prepares a
        // statement whose bound LIMIT changes at every execution. Both engines find
        // the page's ids on the index alone and then read only those rows. SQLite
        // takes them as `id IN (…)`; PostgreSQL joins them back by primary key (its
        // plan for `id IN (…)` — hash the ids, look each up, sort — cost it twice
        // the rows themselves, and reading the rows along the index fetched every
        // row the OFFSET skips: 964 against 187 buffers for the page at 900).
        let page = format!("ORDER BY {order} LIMIT {limit} OFFSET {offset}");
        let rows = if self.is_postgres() {
            static JOINED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                LISTING_COLUMNS
                    .split(',')
                    .map(|c| format!("c.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            format!(
                "SELECT {} FROM (SELECT id, closed, due_on FROM cases WHERE {where_sql} {page}) p \
                 JOIN cases c ON c.id = p.id",
                *JOINED
            )
        } else {
            format!(
                "SELECT {LISTING_COLUMNS} FROM cases WHERE id IN \
                 (SELECT id FROM cases WHERE {where_sql} {page})"
            )
        };
        self.page(&PageQuery {
            count: &format!("SELECT COUNT(*) FROM cases WHERE {where_sql}"),
            rows: &rows,
            names: LISTING_COLUMNS,
            order,
            filter: &args,
            paging: &[Arg::Int(f.offset.max(0))],
            what: "案件清单",
        })
        .await
    }

    /// This case's place among the applicant's applications received in `month`
    /// (`YYYY-MM`) at the agency, itself included (按件计收 counts per natural month).
    pub async fn applicant_month_ordinal(
        &self,
        agency_id: i64,
        identity: &str,
        month: &str,
        case_id: i64,
    ) -> Result<i64, StoreError> {
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM cases WHERE agency_id = $1 AND COALESCE(id_number, applicant_name) = $2 \
                 AND substr(received_on, 1, 7) = $3 AND id <= $4",
            )
            .bind(agency_id)
            .bind(identity)
            .bind(month)
            .bind(case_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Every open case (all agencies), for recomputing due dates after a calendar import.
    pub async fn open_cases(&self) -> Result<Vec<CaseRow>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE closed = 0 ORDER BY id");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql)).fetch_all(pool).await?)
        })
    }

    /// The highest case number with `prefix` in the agency, to number the next one.
    /// The highest case number of the agency that starts with `prefix` and goes on
    /// in digits (`2026-` → `2026-00042`). A range on the (agency, number) index, so
    /// it costs the same with a hundred cases or a million.
    pub async fn last_case_number(
        &self,
        agency_id: i64,
        prefix: &str,
    ) -> Result<Option<String>, StoreError> {
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "SELECT MAX(number) FROM cases WHERE agency_id = $1 AND number >= $2 AND number <= $3",
            )
            .bind(agency_id)
            .bind(format!("{prefix}0"))
            .bind(format!("{prefix}99999999"))
            .fetch_one(pool)
            .await?)
        })
    }

    /// The next serial number of the agency's cases under `prefix` (`2026-`): one
    /// more than the last one taken, and never below `at_least` (one more than the
    /// highest number stored, for numbers given before the counter existed). One
    /// statement, so two registrations at once never get the same serial.
    pub async fn next_case_serial(
        &self,
        agency_id: i64,
        prefix: &str,
        at_least: i64,
    ) -> Result<i64, StoreError> {
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO case_counters (agency_id, prefix, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (agency_id, prefix) DO UPDATE SET last = \
                 CASE WHEN case_counters.last + 1 > $3 THEN case_counters.last + 1 ELSE $3 END \
                 RETURNING last",
            )
            .bind(agency_id)
            .bind(prefix)
            .bind(at_least)
            .fetch_one(pool)
            .await?)
        })
    }

    // --- documents and attachments --------------------------------------------------

    pub async fn documents_of(&self, case_id: i64) -> Result<Vec<DocumentInfo>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, DocumentInfo>(
                "SELECT id, case_id, seq, kind, title, file_name, media_type, created_at FROM documents \
                 WHERE case_id = $1 ORDER BY id",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn document(&self, id: i64) -> Result<Option<FileContent>, StoreError> {
        self.file_content("documents", id).await
    }

    /// A stored file of `table` (documents or attachments), with its case.
    async fn file_content(
        &self,
        table: &'static str,
        id: i64,
    ) -> Result<Option<FileContent>, StoreError> {
        let sql =
            format!("SELECT case_id, file_name, media_type, content FROM {table} WHERE id = $1");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, FileContent>(AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    pub async fn add_attachment(
        &self,
        case_id: i64,
        a: &NewAttachment,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO attachments (case_id, file_name, media_type, size, sha256, content, user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(case_id)
            .bind(&a.file_name)
            .bind(&a.media_type)
            .bind(a.content.len() as i64)
            .bind(&a.sha256)
            .bind(&a.content)
            .bind(user_id)
            .bind(&now)
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn attachments_of(&self, case_id: i64) -> Result<Vec<AttachmentInfo>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, AttachmentInfo>(
                "SELECT id, case_id, file_name, media_type, size, created_at FROM attachments WHERE case_id = $1 ORDER BY id",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<FileContent>, StoreError> {
        self.file_content("attachments", id).await
    }

    // --- document templates ---------------------------------------------------------

    /// The newest template body of `kind` for the agency, else the newest national one.
    pub async fn doc_template(
        &self,
        agency_id: i64,
        kind: &str,
    ) -> Result<Option<String>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT body FROM doc_templates WHERE kind = $1 AND (agency_id = $2 OR agency_id IS NULL) \
                 ORDER BY agency_id IS NULL, id DESC LIMIT 1",
            )
            .bind(kind)
            .bind(agency_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn save_doc_template(
        &self,
        agency_id: Option<i64>,
        kind: &str,
        body: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO doc_templates (agency_id, kind, body, user_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(agency_id)
            .bind(kind)
            .bind(body)
            .bind(user_id)
            .bind(&now)
            .fetch_one(pool)
            .await?)
        })
    }

    // --- audit log ------------------------------------------------------------------

    /// The newest `limit` audit entries, of one agency or (None) of all.
    pub async fn audit_log(
        &self,
        agency_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, AuditRow>(
                "SELECT id, at, user_id, agency_id, action, target, detail, address FROM audit_log \
                 WHERE ($1 IS NULL OR agency_id = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(agency_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    // --- calendar -------------------------------------------------------------------

    pub async fn add_calendar_import(
        &self,
        years: &str,
        tsv: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO calendar_imports (years, tsv, user_id, imported_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(years)
            .bind(tsv)
            .bind(user_id)
            .bind(&now)
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn calendar_imports(&self) -> Result<Vec<CalendarImportRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, CalendarImportRow>(
                "SELECT id, years, tsv, user_id, imported_at FROM calendar_imports ORDER BY id",
            )
            .fetch_all(pool)
            .await?)
        })
    }
}
