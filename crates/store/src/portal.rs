//! The public portal's records: applications sent online and waiting for the
//! office's confirmation (条例第三十一条), the files sent with them, and what an
//! applicant tells the office about a case (a fee paid, a copy asked for again).
//!
//! An online application is written with its files in one transaction before the
//! applicant is shown a receipt; it becomes a case in the transaction that creates
//! the case (`Store::create_case` with `portal_application_id`).

use crate::db::{Arg, Db, PageQuery, Store, now_utc, on_db, on_read};
use crate::error::StoreError;
use crate::office::NewAttachment;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct PortalApplicationRow {
    pub id: i64,
    pub agency_id: i64,
    pub number: String,
    #[serde(skip)]
    pub lookup_hash: String,
    /// The office's `Registration`, JSON.
    pub application: String,
    pub submitted_on: String,
    pub case_id: Option<i64>,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub account_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewPortalApplication {
    pub agency_id: i64,
    pub number: String,
    pub lookup_hash: String,
    pub application: String,
    pub submitted_on: String,
    pub address: Option<String>,
    /// The portal account it was sent from, if the applicant was signed in.
    pub account_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct PortalFileInfo {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct ApplicantMessageRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub text: String,
    pub created_at: String,
}

/// An online application waiting to be confirmed, as the inbox lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingApplication<A> {
    pub id: i64,
    pub number: String,
    pub submitted_on: String,
    pub application: A,
    /// How many files came with it.
    pub files: i64,
}

const APPLICATION_COLUMNS: &str = "id, agency_id, number, lookup_hash, application, submitted_on, case_id, created_at, confirmed_at, account_id";

impl Store {
    /// Stores an online application with its files, in one transaction.
    /// `Err(Invalid)` when the number is taken (the caller draws another).
    pub async fn create_portal_application(
        &self,
        a: &NewPortalApplication,
        files: &[NewAttachment],
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let r = sqlx::query_scalar(
                "INSERT INTO portal_applications (agency_id, number, lookup_hash, application, submitted_on, address, created_at, account_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(a.agency_id)
            .bind(&a.number)
            .bind(&a.lookup_hash)
            .bind(&a.application)
            .bind(&a.submitted_on)
            .bind(&a.address)
            .bind(&now)
            .bind(a.account_id)
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match r {
                Ok(id) => id,
                Err(e) if StoreError::is_unique_violation(&e) => {
                    return Err(StoreError::Invalid(format!("申请编号「{}」已存在", a.number)));
                }
                Err(e) => return Err(e.into()),
            };
            for f in files {
                sqlx::query(
                    "INSERT INTO portal_files (application_id, file_name, media_type, size, sha256, content, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(&f.file_name)
                .bind(&f.media_type)
                .bind(f.content.len() as i64)
                .bind(&f.sha256)
                .bind(&f.content)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn portal_application_by_number(
        &self,
        number: &str,
    ) -> Result<Option<PortalApplicationRow>, StoreError> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM portal_applications WHERE number = $1");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PortalApplicationRow>(sqlx::AssertSqlSafe(sql))
                .bind(number)
                .fetch_optional(pool)
                .await?)
        })
    }

    pub async fn portal_application(
        &self,
        id: i64,
    ) -> Result<Option<PortalApplicationRow>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM portal_applications WHERE id = $1");
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PortalApplicationRow>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// The 申请编号 of the online application a case was confirmed from, if any.
    pub async fn portal_number_of_case(&self, case_id: i64) -> Result<Option<String>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_scalar("SELECT number FROM portal_applications WHERE case_id = $1")
                .bind(case_id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// The online applications of `agency_id` not yet confirmed, oldest first (at
    /// most `limit`), each with the number of its files and its application read
    /// as `A` (the office's registration); and how many wait in all.
    pub async fn pending_portal_applications<A: DeserializeOwned>(
        &self,
        agency_id: i64,
        limit: i64,
    ) -> Result<(Vec<PendingApplication<A>>, i64), StoreError> {
        // One query: the count and the page (`Store::page`). Only the columns the list
        // shows; the limit in the text (a bound LIMIT makes SQLite prepare the
        // statement again at every execution).
        let limit = limit.clamp(0, 1000);
        let pending = "FROM portal_applications p WHERE agency_id = $1 AND case_id IS NULL";
        // (id, number, submitted_on, application, files)
        type Waiting = (i64, String, String, String, i64);
        let (rows, total) = self
            .page::<Waiting>(&PageQuery {
                count: &format!("SELECT COUNT(*) {pending}"),
                rows: &format!(
                    "SELECT id, number, submitted_on, application, \
                     (SELECT COUNT(*) FROM portal_files f WHERE f.application_id = p.id) AS files \
                     {pending} ORDER BY id LIMIT {limit}"
                ),
                names: "id, number, submitted_on, application, files",
                order: "id",
                filter: &[Arg::Int(agency_id)],
                paging: &[],
                what: "网上申请清单",
            })
            .await?;
        let rows = rows
            .into_iter()
            .map(|(id, number, submitted_on, application, files)| {
                Ok(PendingApplication {
                    application: serde_json::from_str(&application).map_err(|e| {
                        StoreError::Invalid(format!("网上申请 {number} 的记录无法读取：{e}"))
                    })?,
                    id,
                    number,
                    submitted_on,
                    files,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((rows, total))
    }

    pub async fn portal_files_of(
        &self,
        application_id: i64,
    ) -> Result<Vec<PortalFileInfo>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PortalFileInfo>(
                "SELECT id, file_name, media_type, size FROM portal_files WHERE application_id = $1 ORDER BY id",
            )
            .bind(application_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn add_applicant_message(
        &self,
        case_id: i64,
        kind: &str,
        text: &str,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO applicant_messages (case_id, kind, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(case_id)
            .bind(kind)
            .bind(text)
            .bind(&now)
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn applicant_messages_of(
        &self,
        case_id: i64,
    ) -> Result<Vec<ApplicantMessageRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, ApplicantMessageRow>(
                "SELECT id, case_id, kind, text, created_at FROM applicant_messages WHERE case_id = $1 ORDER BY id",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?)
        })
    }
}

impl Store {
    /// Counts one portal attempt under `key` (`submit:IP`, `lookup:IP`) for the
    /// per-address limits. The attempts share the table of failed logins: one
    /// mechanism for every "so many per address in a window" limit.
    pub async fn record_attempt(&self, key: &str) -> Result<(), StoreError> {
        self.record_login_failure(key).await
    }

    /// Counts one attempt under `key` unless `max` were counted since `since` (UTC,
    /// as `nth_newest_failure`): whether it was counted. The count and the insert are
    /// one step, so of requests at once, on one server or many, exactly those under
    /// the limit get through.
    pub async fn take_attempt(&self, key: &str, since: &str, max: i64) -> Result<bool, StoreError> {
        let now = now_utc();
        let insert = "INSERT INTO login_failures (key, at) SELECT $1, $2 \
                      WHERE (SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $3) < $4";
        let counted = match &self.db {
            // One writing connection: the statement runs alone.
            Db::Sqlite(pool) => sqlx::query(insert)
                .bind(key)
                .bind(&now)
                .bind(since)
                .bind(max)
                .execute(pool)
                .await?
                .rows_affected(),
            // The key's transactions take turns (a lock on its hash until commit);
            // each statement then counts what the one before it committed.
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                let r = sqlx::query(insert)
                    .bind(key)
                    .bind(&now)
                    .bind(since)
                    .bind(max)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                r.rows_affected()
            }
        };
        Ok(counted == 1)
    }
}

/// A report of the dataset published by an agency, as the portal lists it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct PublishedReport {
    pub id: i64,
    pub year: Option<i64>,
    pub template: String,
    pub published: Option<String>,
}

impl Store {
    /// The reports read into the dataset (`gongkai ingest`) under `agency_key`,
    /// newest year first.
    pub async fn published_reports(
        &self,
        agency_key: &str,
    ) -> Result<Vec<PublishedReport>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PublishedReport>(
                "SELECT id, year, template, published FROM reports WHERE agency_key = $1 \
                 ORDER BY year DESC, id DESC LIMIT 50",
            )
            .bind(agency_key)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The agency key a stored report was filed under.
    pub async fn report_agency_key(&self, id: i64) -> Result<Option<String>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_scalar::<_, Option<String>>("SELECT agency_key FROM reports WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .flatten())
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PublicAccountRow {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
}

impl Store {
    /// Opens a portal account; `Err(Invalid)` when the login is taken.
    pub async fn create_public_account(
        &self,
        login: &str,
        password_hash: &str,
    ) -> Result<i64, StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            let r = sqlx::query_scalar(
                "INSERT INTO public_accounts (login, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(login)
            .bind(password_hash)
            .bind(&now)
            .fetch_one(pool)
            .await;
            match r {
                Ok(id) => Ok(id),
                Err(e) if StoreError::is_unique_violation(&e) => {
                    Err(StoreError::Invalid("该手机号或电子邮箱已注册".into()))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    pub async fn public_account_by_login(
        &self,
        login: &str,
    ) -> Result<Option<PublicAccountRow>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PublicAccountRow>(
                "SELECT id, login, password_hash FROM public_accounts WHERE login = $1",
            )
            .bind(login)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn create_public_session(
        &self,
        token_hash: &str,
        account_id: i64,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let now = now_utc();
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO public_sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(account_id)
            .bind(&now)
            .bind(expires_at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The account of a portal session that has not expired at `now`: (id, login).
    pub async fn public_session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, (i64, String)>(
                "SELECT a.id, a.login FROM public_sessions s JOIN public_accounts a ON a.id = s.account_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn delete_public_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM public_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The applications sent from a portal account, newest first.
    pub async fn applications_of_account(
        &self,
        account_id: i64,
    ) -> Result<Vec<PortalApplicationRow>, StoreError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM portal_applications WHERE account_id = $1 ORDER BY id DESC LIMIT 200"
        );
        on_read!(self, pool => {
            Ok(sqlx::query_as::<_, PortalApplicationRow>(sqlx::AssertSqlSafe(sql))
                .bind(account_id)
                .fetch_all(pool)
                .await?)
        })
    }
}
