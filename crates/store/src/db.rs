//! The database: one schema, SQLite or PostgreSQL, the same `$n` SQL on both.
//!
//! The API is async, on the caller's tokio runtime; a `Store` is a cheap clone of its
//! connection pool. Every statement is written once; `on_db!` instantiates the code
//! for each engine's pool.

use crate::error::StoreError;
use crate::files::{CRASHED, PreparedFile};
use gongkai_report::{
    Cell, Decimal, Finding, Report, Section, TemplateId, Value, check_consecutive,
};
use sqlx::Connection;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, SqlSafeStr};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool of whichever engine is open. The body
/// is compiled once per engine, so the SQL and the code are literally the same.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// `on_db!` for statements that only read: on SQLite they run on the pool of reading
/// connections (WAL lets them read beside the one writer, on every core), on
/// PostgreSQL on its one pool. Used for the reads a page makes, never inside a
/// transaction.
macro_rules! on_read {
    ($store:expr, $pool:ident => $body:expr) => {
        match (&$store.db, &$store.reader) {
            (_, Some($pool)) => $body,
            ($crate::db::Db::Sqlite($pool), None) => $body,
            ($crate::db::Db::Postgres($pool), None) => $body,
        }
    };
}
pub(crate) use on_read;

/// How long opening a PostgreSQL database waits for the server's first answer.
const PG_CONNECT_WAIT: Duration = Duration::from_secs(10);

/// A PostgreSQL connection idle longer than this is checked before it is used.
const PG_PING_IDLE: Duration = Duration::from_secs(1);

/// Reading connections beside SQLite's one writer.
const SQLITE_READERS: u32 = 4;

/// Schema version written to `meta` by the first migration (datasets made before
/// migrations existed carry it too).
const SCHEMA_VERSION: &str = "1";

/// The migrations of one engine, embedded: `migrations/ENGINE/NNNN_name.sql`.
macro_rules! migrations {
    ($engine:literal: $($n:literal $name:literal),* $(,)?) => {
        vec![$(Migration::new(
            $n,
            std::borrow::Cow::Borrowed($name),
            MigrationType::Simple,
            include_str!(concat!("../migrations/", $engine, "/", stringify!($n), "_", $name, ".sql"))
                .into_sql_str(),
            false,
        )),*]
    };
}

// The numbers are the files' names (`0003_reading.sql`).
#[allow(clippy::zero_prefixed_literal)]
fn sqlite_migrator() -> Migrator {
    Migrator::with_migrations(
        migrations!("sqlite": 0001 "reports", 0002 "office", 0003 "reading", 0004 "applicant_month", 0005 "portal", 0006 "report_bounds", 0007 "case_counters", 0008 "public_accounts", 0009 "portal_case", 0010 "inbox_order", 0011 "report_sections", 0012 "append_only"),
    )
}

// The numbers are the files' names (`0003_reading.sql`).
#[allow(clippy::zero_prefixed_literal)]
fn postgres_migrator() -> Migrator {
    Migrator::with_migrations(
        migrations!("postgres": 0001 "reports", 0002 "office", 0003 "reading", 0004 "applicant_month", 0005 "portal", 0006 "report_bounds", 0007 "case_counters", 0008 "public_accounts", 0009 "portal_case", 0010 "inbox_order", 0011 "report_sections", 0012 "append_only"),
    )
}

const SOURCE_COLUMNS: &str = "INSERT INTO sources (hash, file_name, path, size, format, status, cause, reports, ingested_at) VALUES ";
const SOURCE_ARITY: usize = 9;
const REPORT_COLUMNS: &str = "INSERT INTO reports (source_hash, member, format, agency, agency_key, year, template, published, has_errors) VALUES ";
const REPORT_ARITY: usize = 9;
const CELL_COLUMNS: &str =
    "INSERT INTO cells (report_id, key, kind, value, raw, unit, note, provenance) VALUES ";
const CELL_ARITY: usize = 8;
const FINDING_COLUMNS: &str = "INSERT INTO findings (report_id, prev_report_id, rule, severity, status, cells, expected, actual, message) VALUES ";
const FINDING_ARITY: usize = 9;
const SECTION_COLUMNS: &str = "INSERT INTO report_sections (report_id, seq, heading, body) VALUES ";
const SECTION_ARITY: usize = 4;
/// Rows per multi-row INSERT: well under SQLite's 32766 and PostgreSQL's 65535 parameters.
const ROWS_PER_INSERT: usize = 400;

/// The cells the cross-year rules read.
const CROSS_YEAR_KEYS: &str = "('requests.carried_out.natural_person', 'requests.carried_out.business', \
    'requests.carried_out.research', 'requests.carried_out.nonprofit', 'requests.carried_out.legal_service', \
    'requests.carried_out.other_org', 'requests.carried_out.total', \
    'requests.carried_in.natural_person', 'requests.carried_in.business', 'requests.carried_in.research', \
    'requests.carried_in.nonprofit', 'requests.carried_in.legal_service', 'requests.carried_in.other_org', \
    'requests.carried_in.total', \
    'proactive.regulations.in_force', 'proactive.regulations.issued', 'proactive.regulations.repealed', \
    'proactive.normative_docs.in_force', 'proactive.normative_docs.issued', 'proactive.normative_docs.repealed')";

/// One input file as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub hash: String,
    pub file_name: String,
    pub path: String,
    pub size: i64,
    pub format: Option<String>,
    /// `ok` or `failed`.
    pub status: String,
    pub cause: Option<String>,
    pub reports: i64,
}

/// A file whose reading started and has not ended with a stored result.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The run reading it (random per `ingest` run).
    pub run: String,
    pub hash: String,
    pub path: String,
    pub size: u64,
    /// When the reading started, by the database's clock (`YYYY-MM-DDTHH:MM:SSZ`).
    pub started_at: String,
    /// From when on no live run can still be reading it, by the database's clock.
    pub stale_at: String,
}

/// The database's clock as `YYYY-MM-DDTHH:MM:SSZ` (UTC), in SQL: the reading notes of
/// runs on several machines are compared by one clock, not by each machine's own.
const PG_NOW: &str = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// One report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub source_hash: String,
    /// The report's source name: the path as given, or `archive.zip/member`.
    pub member: String,
    pub format: String,
    pub agency: Option<String>,
    pub agency_key: Option<String>,
    pub year: Option<i64>,
    pub template: String,
    pub published: Option<String>,
    pub has_errors: bool,
}

/// One cell as stored. `kind` is `number`, `blank` or `n/a`; `value` is the exact
/// number as text for `number`, `None` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRow {
    pub report_id: i64,
    pub key: String,
    pub kind: String,
    pub value: Option<String>,
    pub raw: String,
    pub unit: Option<String>,
    pub note: Option<String>,
    pub provenance: Option<String>,
}

impl CellRow {
    /// The value back as the report model's `Value`.
    pub fn to_value(&self) -> Value {
        match self.kind.as_str() {
            "number" => self
                .value
                .as_deref()
                .and_then(Decimal::parse)
                .map(Value::Number)
                .unwrap_or(Value::Blank),
            "n/a" => Value::NotApplicable,
            _ => Value::Blank,
        }
    }
}

/// One finding as stored, with the report it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub id: i64,
    pub report_id: i64,
    /// Set for cross-year rules: the previous year's report.
    pub prev_report_id: Option<i64>,
    pub rule: String,
    pub severity: String,
    pub status: String,
    /// The keys involved, comma-separated.
    pub cells: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: String,
    pub member: String,
    pub agency: Option<String>,
    pub year: Option<i64>,
}

/// What the database holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub sources: i64,
    pub sources_failed: i64,
    pub reports: i64,
    pub reports_with_errors: i64,
    pub cells: i64,
    pub findings: i64,
    pub cross_year_findings: i64,
}

/// A dataset in SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    /// SQLite only: connections that serve `on_read!` statements (none for an
    /// in-memory database, which each connection would see empty).
    pub(crate) reader: Option<SqlitePool>,
    schema: Option<String>,
    /// Audit entries waiting to be committed together (`audit` module).
    pub(crate) audits: std::sync::Arc<crate::audit::AuditQueue>,
}

fn clean(s: &str) -> Cow<'_, str> {
    // PostgreSQL text cannot hold NUL; nothing printed in a report needs it.
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', ""))
    } else {
        Cow::Borrowed(s)
    }
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(|s| clean(s).into_owned())
}

fn kind_of(v: &Value) -> (&'static str, Option<String>) {
    match v {
        Value::Number(d) => ("number", Some(d.to_string())),
        Value::Blank => ("blank", None),
        Value::NotApplicable => ("n/a", None),
    }
}

/// `INSERT … VALUES ($1, …), (…)` for `rows` rows of `arity` columns; with
/// `numbered` false, anonymous `?` placeholders (SQLite: the driver looks each named
/// parameter up by a linear scan, which makes a 3,000-parameter insert quadratic).
fn values_sql(head: &str, arity: usize, rows: usize, numbered: bool) -> String {
    let mut s = String::with_capacity(head.len() + rows * arity * 6);
    s.push_str(head);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..arity {
            if c > 0 {
                s.push(',');
            }
            if numbered {
                s.push('$');
                s.push_str(&n.to_string());
                n += 1;
            } else {
                s.push('?');
            }
        }
        s.push(')');
    }
    s
}

/// `n` placeholders separated by commas (`$1, $2` or `?, ?`).
fn placeholders(n: usize, numbered: bool) -> String {
    (1..=n)
        .map(|i| {
            if numbered {
                format!("${i}")
            } else {
                "?".into()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list's page and count for [`Store::page`].
pub(crate) struct PageQuery<'a> {
    /// `SELECT COUNT(*) …` of the whole list.
    pub count: &'a str,
    /// A `SELECT` of the page's rows, its columns `T`'s fields in order.
    pub rows: &'a str,
    /// Those columns' names, as a query over `rows` sees them.
    pub names: &'a str,
    /// The page's order, over those names.
    pub order: &'a str,
    /// Bound to `$1`, `$2`…: the list's, in both statements.
    pub filter: &'a [Arg],
    /// Bound after `filter`: the page's own (an offset), in `rows` only.
    pub paging: &'a [Arg],
    /// The list's name in an error.
    pub what: &'a str,
}

/// A value bound to a statement built at run time.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Splits our own `schema=NAME` parameter off a PostgreSQL URL.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|p| match p.strip_prefix("schema=") {
            Some(s) => {
                schema = Some(s.to_string());
                false
            }
            None => !p.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
}

fn url_has_user(url: &str) -> bool {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = after.split(['/', '?']).next().unwrap_or("");
    authority.contains('@')
}

fn is_postgres(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

impl Store {
    /// Opens (and creates, if needed) a dataset: a SQLite file path (or `sqlite:PATH`),
    /// or a PostgreSQL URL `postgres://USER@HOST:PORT/DB`. A `schema=NAME` parameter on a
    /// PostgreSQL URL keeps the tables in that schema (created if missing). Without a
    /// user in the URL, `PGUSER`, then `USER`, then `postgres` is used.
    pub async fn open(target: &str) -> Result<Store, StoreError> {
        Store::open_with(target, 8).await
    }

    /// `open` with at most `connections` PostgreSQL connections (SQLite always has one
    /// writer connection; readers are served by it too).
    pub async fn open_with(target: &str, connections: u32) -> Result<Store, StoreError> {
        Store::connect(target, connections, true).await
    }

    /// `open` of a dataset that must exist already: a SQLite file that is not there is
    /// an error (数据库文件不存在), never created. For commands that only read, so that
    /// a mistyped path is said instead of answered from a new, empty database.
    pub async fn open_existing(target: &str) -> Result<Store, StoreError> {
        Store::connect(target, 8, false).await
    }

    async fn connect(target: &str, connections: u32, create: bool) -> Result<Store, StoreError> {
        let mut reading: Option<SqliteConnectOptions> = None;
        let (db, schema) = if is_postgres(target) {
            let (url, schema) = split_schema(target);
            if let Some(s) = &schema {
                if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(StoreError::Invalid(format!(
                        "schema 名称「{s}」无效：只能使用英文字母、数字和下划线"
                    )));
                }
            }
            let mut opts = PgConnectOptions::from_str(&url).map_err(|e| {
                StoreError::unavailable(format!("PostgreSQL 地址「{}」无效", redact(&url)), e)
            })?;
            if !url_has_user(&url) {
                let user = std::env::var("PGUSER")
                    .or_else(|_| std::env::var("USER"))
                    .unwrap_or_else(|_| "postgres".into());
                opts = opts.username(&user);
            }
            if let Some(s) = &schema {
                opts = opts.options([("search_path", s.as_str())]);
            }
            // One connection by hand first: the pool would retry a refused connection
            // until its timeout and then say only that it timed out. A wrong port, host
            // or database name is said at once, in its own words.
            match tokio::time::timeout(PG_CONNECT_WAIT, PgConnection::connect_with(&opts)).await {
                Ok(Ok(first)) => {
                    let _ = first.close().await;
                }
                Ok(Err(e)) => return Err(StoreError::connect(&redact(&url), e)),
                Err(_) => {
                    return Err(StoreError::Unavailable {
                        cause: format!(
                            "连接数据库 {} 超时：{} 秒内服务器没有回答（主机地址不对，或被防火墙拦截）",
                            redact(&url),
                            PG_CONNECT_WAIT.as_secs()
                        ),
                        detail: "connect timed out".into(),
                    });
                }
            }
            let pool = PgPoolOptions::new()
                .max_connections(connections.max(1))
                .acquire_timeout(Duration::from_secs(10))
                // Checking every connection before each use is a round trip to the
                // server per query; only one left idle a while (which the server, a
                // restart or a firewall may have dropped) is checked.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PG_PING_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::connect(&redact(&url), e))?;
            (Db::Postgres(pool), schema)
        } else {
            let path = target
                .strip_prefix("sqlite://")
                .or_else(|| target.strip_prefix("sqlite:"))
                .unwrap_or(target);
            if !create && path != ":memory:" && !std::path::Path::new(path).exists() {
                return Err(StoreError::NotFound(format!("数据库文件不存在：{path}")));
            }
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged, even if the
                // machine (not only the process) goes down. WAL keeps that cheap.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .test_before_acquire(false)
                .connect_with(opts.clone())
                .await
                .map_err(|e| StoreError::connect(path, e))?;
            reading = (path != ":memory:").then_some(opts);
            (Db::Sqlite(pool), None)
        };
        let mut store = Store {
            db,
            reader: None,
            schema,
            audits: Default::default(),
        };
        store.migrate().await?;
        // Readers open once the schema is in place; lazily, so a command that only
        // writes never opens them.
        if let Some(opts) = reading {
            store.reader = Some(
                SqlitePoolOptions::new()
                    .max_connections(SQLITE_READERS)
                    .acquire_timeout(Duration::from_secs(30))
                    // A SQLite connection is a file this process holds open: a check
                    // before each use would only be a round trip to its thread.
                    .test_before_acquire(false)
                    .connect_lazy_with(opts.create_if_missing(false)),
            );
        }
        Ok(store)
    }

    /// `true` on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// One page of a list and the count of the whole list, in one statement (see
    /// [`PageQuery`]).
    ///
    /// Each engine gets the page its cheapest way. SQLite answers one row, the count
    /// and the page's rows as one JSON array of arrays: a row fetched on its own
    /// crosses from the connection's thread to the request's task. PostgreSQL answers
    /// the page's rows, each with the count: building JSON costs it more than the
    /// rows do (for the inbox's page, `json_agg(json_build_array(…))` cost it as much
    /// again as reading the rows).
    pub(crate) async fn page<T>(&self, q: &PageQuery<'_>) -> Result<(Vec<T>, i64), StoreError>
    where
        T: serde::de::DeserializeOwned
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let &PageQuery {
            count,
            rows,
            names,
            order,
            filter,
            paging,
            what,
        } = q;
        macro_rules! bound {
            ($q:expr, $args:expr) => {{
                let mut q = $q;
                for a in $args {
                    q = match a {
                        Arg::Int(v) => q.bind(*v),
                        Arg::Text(v) => q.bind(v.as_str()),
                    };
                }
                q
            }};
        }
        let sqlite = match (&self.db, &self.reader) {
            (_, Some(pool)) | (Db::Sqlite(pool), None) => pool,
            (Db::Postgres(pool), None) => {
                let sql =
                    format!("SELECT w.*, ({count}) AS page_total FROM ({rows}) w ORDER BY {order}");
                let found = bound!(sqlx::query(AssertSqlSafe(sql)), filter.iter().chain(paging))
                    .fetch_all(pool)
                    .await?;
                let Some(first) = found.first() else {
                    // No rows: nothing to count, or a page past the end.
                    let total: i64 =
                        bound!(sqlx::query_scalar(AssertSqlSafe(count.to_string())), filter)
                            .fetch_one(pool)
                            .await?;
                    return Ok((Vec::new(), total));
                };
                let total: i64 = first.try_get("page_total")?;
                let page = found
                    .iter()
                    .map(T::from_row)
                    .collect::<Result<Vec<T>, sqlx::Error>>()?;
                return Ok((page, total));
            }
        };
        let sql = format!(
            "SELECT ({count}) AS total, \
             (SELECT json_group_array(json_array({names}) ORDER BY {order}) FROM ({rows}) w) AS page"
        );
        let (total, page): (i64, Option<String>) = bound!(
            sqlx::query_as(AssertSqlSafe(sql)),
            filter.iter().chain(paging)
        )
        .fetch_one(sqlite)
        .await?;
        let page = match page {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Invalid(format!("{what}无法读取：{e}")))?,
            None => Vec::new(),
        };
        Ok((page, total))
    }

    /// Brings the schema up to date. Several servers starting at once on one
    /// PostgreSQL are serialised by the migrator's advisory lock.
    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => sqlite_migrator().run(pool).await,
            Db::Postgres(pool) => {
                if let Some(s) = &self.schema {
                    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}")))
                        .execute(pool)
                        .await?;
                }
                postgres_migrator().run(pool).await
            }
        }
        .map_err(StoreError::migrate)?;
        let found: Option<String> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT value FROM meta WHERE name = 'schema_version'")
                .fetch_optional(pool)
                .await?
        });
        match found.as_deref() {
            Some(SCHEMA_VERSION) => Ok(()),
            other => Err(StoreError::Invalid(format!(
                "数据库结构版本为 {}，本程序使用版本 {SCHEMA_VERSION}，请使用对应版本的程序或新建数据库",
                other.unwrap_or("（无）")
            ))),
        }
    }

    /// Writes SQLite's write-ahead log into the database file, so that the one file
    /// is the whole dataset (a copy of it alone is complete). Nothing on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Db::Sqlite(pool) = &self.db {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in use
    /// (`VACUUM INTO`: one transaction's view, nothing half-written). PostgreSQL is
    /// backed up with `pg_dump`; this says so.
    pub async fn backup_to(&self, path: &str) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => {
                if std::path::Path::new(path).exists() {
                    return Err(StoreError::Invalid(format!(
                        "备份文件 {path} 已存在；请换一个文件名，以免覆盖以前的备份"
                    )));
                }
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Invalid(
                "PostgreSQL 数据库请用 pg_dump 备份（见 README「备份与恢复」）".into(),
            )),
        }
    }

    /// Closes the connections (after a checkpoint on SQLite).
    pub async fn close(&self) {
        // Readers first: an open reader would keep the checkpoint from emptying the log.
        if let Some(r) = &self.reader {
            r.close().await;
        }
        let _ = self.checkpoint().await;
        on_db!(&self.db, pool => pool.close().await)
    }

    /// PostgreSQL: `VACUUM ANALYZE` of every table in the store's schema — what
    /// autovacuum does in its own time after a bulk load. Until then an index-only
    /// scan reads every row's page too (the visibility map is unset), so a benchmark
    /// right after seeding measures that, not the office. SQLite: nothing.
    pub async fn vacuum_analyze(&self) -> Result<(), StoreError> {
        if let Db::Postgres(pool) = &self.db {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables \
                 WHERE schemaname = current_schema()",
            )
            .fetch_all(pool)
            .await?;
            for t in tables {
                sqlx::raw_sql(AssertSqlSafe(format!("VACUUM (ANALYZE) {t}")))
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Drops the `schema=` schema with everything in it (test clean-up on PostgreSQL).
    pub async fn drop_schema(self) -> Result<(), StoreError> {
        if let (Db::Postgres(pool), Some(s)) = (&self.db, &self.schema) {
            sqlx::query(AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {s} CASCADE")))
                .execute(pool)
                .await?;
            pool.close().await;
        }
        Ok(())
    }

    /// Every content hash stored, with `true` when the file was read.
    pub async fn known_hashes(&self) -> Result<HashMap<String, bool>, StoreError> {
        {
            on_db!(&self.db, pool => {
                let rows = sqlx::query("SELECT hash, status FROM sources")
                    .fetch_all(pool)
                    .await?;
                let mut out = HashMap::with_capacity(rows.len());
                for r in rows {
                    let hash: String = r.try_get(0)?;
                    let status: String = r.try_get(1)?;
                    out.insert(hash, status == "ok");
                }
                Ok(out)
            })
        }
    }

    /// Notes, and commits, that run `run` is about to read the file `hash`, and that
    /// after `bound` (from now, by the database's clock) no live run can still be
    /// reading it. If the reading ends the program, a later run finds the note in
    /// [`Store::stale_readings`]. Storing the file's result removes it, whichever run
    /// stores it.
    pub async fn reading_started(
        &self,
        run: &str,
        hash: &str,
        path: &str,
        size: u64,
        bound: Duration,
    ) -> Result<(), StoreError> {
        const UPSERT: &str = "ON CONFLICT (run_id, hash) DO UPDATE SET path = excluded.path, \
             size = excluded.size, started_at = excluded.started_at, stale_at = excluded.stale_at";
        let secs = bound.as_secs().min(i64::MAX as u64 / 2) as i64;
        match &self.db {
            Db::Postgres(pool) => {
                let sql = format!(
                    "INSERT INTO reading (run_id, hash, path, size, started_at, stale_at) \
                     VALUES ($1, $2, $3, $4, {PG_NOW}, \
                     to_char((now() + make_interval(secs => $5)) AT TIME ZONE 'UTC', \
                     'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) {UPSERT}"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(run)
                    .bind(hash)
                    .bind(clean(path).into_owned())
                    .bind(size as i64)
                    .bind(secs as f64)
                    .execute(pool)
                    .await?;
            }
            Db::Sqlite(pool) => {
                let sql = format!(
                    "INSERT INTO reading (run_id, hash, path, size, started_at, stale_at) \
                     VALUES ($1, $2, $3, $4, {SQLITE_NOW}, \
                     strftime('%Y-%m-%dT%H:%M:%SZ', 'now', printf('+%d seconds', $5))) {UPSERT}"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(run)
                    .bind(hash)
                    .bind(clean(path).into_owned())
                    .bind(size as i64)
                    .bind(secs)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Every reading noted and not ended with a stored result, of every run, oldest
    /// first: files being read now as well as files whose reading crashed.
    pub async fn unfinished_readings(&self) -> Result<Vec<Reading>, StoreError> {
        self.readings_where("1 = 1", None).await
    }

    /// The readings that ended their program: noted by a run other than `run` and
    /// past their `stale_at` (by the database's clock), when no live reader can still
    /// be at them. Oldest first; a file may be named by several crashed runs.
    pub async fn stale_readings(&self, run: &str) -> Result<Vec<Reading>, StoreError> {
        let now = if self.is_postgres() {
            PG_NOW
        } else {
            SQLITE_NOW
        };
        self.readings_where(&format!("run_id <> $1 AND stale_at <= {now}"), Some(run))
            .await
    }

    async fn readings_where(
        &self,
        condition: &str,
        run: Option<&str>,
    ) -> Result<Vec<Reading>, StoreError> {
        let sql = format!(
            "SELECT run_id, hash, path, size, started_at, stale_at FROM reading \
             WHERE {condition} ORDER BY started_at, hash, run_id"
        );
        on_db!(&self.db, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            if let Some(run) = run {
                q = q.bind(run);
            }
            let rows = q.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let size: i64 = r.try_get(3)?;
                out.push(Reading {
                    run: r.try_get(0)?,
                    hash: r.try_get(1)?,
                    path: r.try_get(2)?,
                    size: size.max(0) as u64,
                    started_at: r.try_get(4)?,
                    stale_at: r.try_get(5)?,
                });
            }
            Ok(out)
        })
    }

    /// Removes the note of run `run` on the file `hash`: for a reading that has ended
    /// without taking the program down, when its result is not stored yet (the notes
    /// of other runs on the file stay).
    pub async fn reading_ended(&self, run: &str, hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM reading WHERE run_id = $1 AND hash = $2")
                .bind(run)
                .bind(hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Forgets the unfinished readings of run `run`: for a run stopped on purpose
    /// (Ctrl-C), whose files were not at fault. Other runs' notes are theirs: a run
    /// still reading keeps its notes, a crashed one leaves them to be found.
    pub async fn clear_readings(&self, run: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM reading WHERE run_id = $1")
                .bind(run)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Stores one file in one transaction: its source row, its reports with every cell
    /// and finding. Returns `false` when the file (by content hash) was already stored;
    /// nothing is written then. With `replace_failed`, a file stored as failed before is
    /// replaced by this attempt; without it, only a crash record
    /// ([`PreparedFile::crashed`]) is replaced, by anything but another crash record.
    /// Removes the file's reading notes, whichever run wrote them.
    pub async fn store_file(
        &self,
        file: &PreparedFile,
        replace_failed: bool,
    ) -> Result<bool, StoreError> {
        self.store_files(std::slice::from_ref(file), replace_failed)
            .await?
            .pop()
            .unwrap_or(Ok(false))
    }

    /// Stores several files in one transaction, with a few multi-row statements for the
    /// whole batch: a commit and a statement cost more than a file's rows. If the
    /// database refuses any file's data, the batch is rolled back and each file stored
    /// in a transaction of its own, so the refused one is reported in its slot and the
    /// others are kept. The outer error is a failure of the database itself.
    pub async fn store_files(
        &self,
        files: &[PreparedFile],
        replace_failed: bool,
    ) -> Result<Vec<Result<bool, StoreError>>, StoreError> {
        let numbered = self.is_postgres();
        let now = now_utc();
        // One report row's parameters, in REPORT_COLUMNS order.
        macro_rules! bind_report {
            ($q:expr, $file:expr, $pr:expr) => {{
                let r = &$pr.report;
                $q.bind($file.hash.as_str())
                    .bind(clean(&$pr.member).into_owned())
                    .bind($pr.format)
                    .bind(clean_opt(r.agency.as_deref()))
                    .bind(r.agency.as_deref().and_then(crate::agency_key))
                    .bind(r.year.map(i64::from))
                    .bind(r.template.id())
                    .bind(clean_opt(r.published.as_deref()))
                    .bind(i64::from(gongkai_report::has_errors(&$pr.findings)))
            }};
        }
        // The files' rows on `$tx`: for each file, `false` when its hash is stored already.
        macro_rules! insert_batch {
            ($tx:ident, $files:expr) => {
                async {
                    let files: &[PreparedFile] = $files;
                    let tx = &mut $tx;
                    // Their readings have ended: the markers go with the results.
                    let sql = format!(
                        "DELETE FROM reading WHERE hash IN ({})",
                        placeholders(files.len(), numbered)
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for f in files {
                        q = q.bind(f.hash.as_str());
                    }
                    q.execute(&mut **tx).await?;
                    if replace_failed {
                        let sql = format!(
                            "DELETE FROM sources WHERE status = 'failed' AND hash IN ({})",
                            placeholders(files.len(), numbered)
                        );
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for f in files {
                            q = q.bind(f.hash.as_str());
                        }
                        q.execute(&mut **tx).await?;
                    }
                    // A reading that finished disproves a crash inferred from its note
                    // (another run took a slow reading for a crashed one): its result,
                    // whatever it is, replaces the crash record. A crash record itself
                    // never replaces anything.
                    let read: Vec<&PreparedFile> =
                        files.iter().filter(|f| !f.is_crash_record()).collect();
                    if !read.is_empty() && !replace_failed {
                        let sql = format!(
                            "DELETE FROM sources WHERE status = 'failed' AND hash IN ({}) \
                             AND cause LIKE {}",
                            placeholders(read.len(), numbered),
                            if numbered {
                                format!("${}", read.len() + 1)
                            } else {
                                "?".into()
                            }
                        );
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for f in &read {
                            q = q.bind(f.hash.as_str());
                        }
                        let q = q.bind(format!("{CRASHED}%"));
                        q.execute(&mut **tx).await?;
                    }
                    // Sources: the hashes that were new are the files to store. In hash
                    // order, so that runs storing the same files at once take their
                    // locks in one order (PostgreSQL), never waiting on each other in a
                    // circle.
                    let sql = format!(
                        "{} ON CONFLICT (hash) DO NOTHING RETURNING hash",
                        values_sql(SOURCE_COLUMNS, SOURCE_ARITY, files.len(), numbered)
                    );
                    let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
                    let mut in_order: Vec<&PreparedFile> = files.iter().collect();
                    in_order.sort_by(|a, b| a.hash.cmp(&b.hash));
                    for file in in_order {
                        let status = if file.reports.is_empty() {
                            "failed"
                        } else {
                            "ok"
                        };
                        q = q
                            .bind(file.hash.as_str())
                            .bind(clean(&file.file_name).into_owned())
                            .bind(clean(&file.path).into_owned())
                            .bind(file.size as i64)
                            .bind(file.format)
                            .bind(status)
                            .bind(clean_opt(file.cause().as_deref()))
                            .bind(file.reports.len() as i64)
                            .bind(now.as_str());
                    }
                    let new: HashSet<String> = q.fetch_all(&mut **tx).await?.into_iter().collect();
                    let mut stored = Vec::with_capacity(files.len());
                    let mut reports: Vec<(&PreparedFile, &crate::files::PreparedReport)> =
                        Vec::new();
                    let mut taken = HashSet::new();
                    for file in files {
                        // The same content twice in one batch is stored once.
                        let is_new = new.contains(&file.hash) && taken.insert(file.hash.as_str());
                        stored.push(is_new);
                        if is_new {
                            reports.extend(file.reports.iter().map(|r| (file, r)));
                        }
                    }
                    // Reports: their ids, by (hash, member), for the cells and findings.
                    // A name twice in one archive cannot tell its rows apart: those
                    // reports are inserted one at a time.
                    let keys: Vec<(String, String)> = reports
                        .iter()
                        .map(|(file, pr)| (file.hash.clone(), clean(&pr.member).into_owned()))
                        .collect();
                    let mut seen: HashMap<&(String, String), usize> = HashMap::new();
                    for k in &keys {
                        *seen.entry(k).or_default() += 1;
                    }
                    let unique: Vec<usize> = (0..reports.len())
                        .filter(|&i| seen[&keys[i]] == 1)
                        .collect();
                    let mut by_key: HashMap<(String, String), i64> = HashMap::new();
                    for chunk in unique.chunks(ROWS_PER_INSERT) {
                        let sql = format!(
                            "{} RETURNING id, source_hash, member",
                            values_sql(REPORT_COLUMNS, REPORT_ARITY, chunk.len(), numbered)
                        );
                        let mut q = sqlx::query_as::<_, (i64, String, String)>(AssertSqlSafe(sql));
                        for &i in chunk {
                            let (file, pr) = reports[i];
                            q = bind_report!(q, file, pr);
                        }
                        for (id, hash, member) in q.fetch_all(&mut **tx).await? {
                            by_key.insert((hash, member), id);
                        }
                    }
                    let mut ids: Vec<Option<i64>> = Vec::with_capacity(reports.len());
                    for (i, (file, pr)) in reports.iter().enumerate() {
                        ids.push(if seen[&keys[i]] == 1 {
                            by_key.get(&keys[i]).copied()
                        } else {
                            let sql = format!(
                                "{} RETURNING id",
                                values_sql(REPORT_COLUMNS, REPORT_ARITY, 1, numbered)
                            );
                            let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
                            Some(bind_report!(q, file, pr).fetch_one(&mut **tx).await?)
                        });
                    }
                    let mut cells: Vec<(i64, &String, &Cell)> = Vec::new();
                    let mut findings: Vec<(i64, &Finding)> = Vec::new();
                    let mut sections: Vec<(i64, usize, &Section)> = Vec::new();
                    for ((_, pr), id) in reports.iter().zip(ids) {
                        let id = id.ok_or_else(|| {
                            StoreError::Invalid(format!("报告 {} 未能写入", pr.member))
                        })?;
                        cells.extend(pr.report.cells.iter().map(|(k, c)| (id, k, c)));
                        findings.extend(pr.findings.iter().map(|f| (id, f)));
                        sections.extend(
                            pr.report
                                .sections
                                .iter()
                                .enumerate()
                                .map(|(i, s)| (id, i, s)),
                        );
                    }
                    for chunk in sections.chunks(ROWS_PER_INSERT) {
                        let mut q = sqlx::query(AssertSqlSafe(values_sql(
                            SECTION_COLUMNS,
                            SECTION_ARITY,
                            chunk.len(),
                            numbered,
                        )));
                        for (id, seq, section) in chunk {
                            q = q
                                .bind(*id)
                                .bind(*seq as i64)
                                .bind(clean(&section.heading).into_owned())
                                .bind(clean(&section.text).into_owned());
                        }
                        q.execute(&mut **tx).await?;
                    }
                    for chunk in cells.chunks(ROWS_PER_INSERT) {
                        let mut q = sqlx::query(AssertSqlSafe(values_sql(
                            CELL_COLUMNS,
                            CELL_ARITY,
                            chunk.len(),
                            numbered,
                        )));
                        for (id, key, cell) in chunk {
                            let (kind, value) = kind_of(&cell.value);
                            let prov = cell
                                .source
                                .as_ref()
                                .and_then(|p| serde_json::to_string(p).ok());
                            q = q
                                .bind(*id)
                                .bind(key.as_str())
                                .bind(kind)
                                .bind(value)
                                .bind(clean(&cell.raw).into_owned())
                                .bind(clean_opt(cell.unit.as_deref()))
                                .bind(clean_opt(cell.note.as_deref()))
                                .bind(prov);
                        }
                        q.execute(&mut **tx).await?;
                    }
                    for chunk in findings.chunks(ROWS_PER_INSERT) {
                        let mut q = sqlx::query(AssertSqlSafe(values_sql(
                            FINDING_COLUMNS,
                            FINDING_ARITY,
                            chunk.len(),
                            numbered,
                        )));
                        for (id, f) in chunk {
                            q = q
                                .bind(*id)
                                .bind(None::<i64>)
                                .bind(f.rule.as_str())
                                .bind(severity_name(f.severity))
                                .bind(status_name(f.status))
                                .bind(f.cells.join(","))
                                .bind(clean_opt(f.expected.as_deref()))
                                .bind(clean_opt(f.actual.as_deref()))
                                .bind(clean(&f.message).into_owned());
                        }
                        q.execute(&mut **tx).await?;
                    }
                    Ok::<Vec<bool>, StoreError>(stored)
                }
            };
        }
        {
            on_db!(&self.db, pool => {
                let mut tx = pool.begin().await?;
                match insert_batch!(tx, files).await {
                    Ok(stored) => {
                        tx.commit().await?;
                        return Ok(stored.into_iter().map(Ok).collect());
                    }
                    // The database, not a file's data, failed (a lost connection, a
                    // lock held by another program): no file is to blame, and storing
                    // them one by one would only wait as long again for each.
                    Err(e) if e.is_transient() => {
                        let _ = tx.rollback().await;
                        return Err(e);
                    }
                    Err(_) => tx.rollback().await?,
                }
                let mut results = Vec::with_capacity(files.len());
                for file in files {
                    let mut tx = pool.begin().await?;
                    match insert_batch!(tx, std::slice::from_ref(file)).await {
                        Ok(stored) => {
                            tx.commit().await?;
                            results.push(Ok(stored.first().copied().unwrap_or(false)));
                        }
                        Err(e) if e.is_transient() => {
                            let _ = tx.rollback().await;
                            return Err(e);
                        }
                        Err(e) => {
                            tx.rollback().await?;
                            results.push(Err(e));
                        }
                    }
                }
                Ok(results)
            })
        }
    }

    /// Runs the cross-year rules (`YEAR.CARRY`, `YEAR.IN_FORCE`) for every agency with a
    /// report not yet cross-checked: all its reports of consecutive years are compared,
    /// its earlier cross-year findings replaced. Idempotent and resumable (one
    /// transaction per agency). Returns the number of cross-year findings written.
    pub async fn cross_year(&self) -> Result<usize, StoreError> {
        let keys: Vec<String> = {
            on_db!(&self.db, pool => {
                sqlx::query_scalar(
                    "SELECT DISTINCT agency_key FROM reports WHERE cross_checked = 0 AND agency_key IS NOT NULL",
                )
                .fetch_all(pool)
                .await
            })
        }?;
        let mut written = 0;
        for key in keys {
            written += self.cross_year_for(&key).await?;
        }
        Ok(written)
    }

    async fn cross_year_for(&self, agency_key: &str) -> Result<usize, StoreError> {
        let numbered = self.is_postgres();
        {
            on_db!(&self.db, pool => {
                // Several runs may finish at once on one database: each agency's
                // findings are recomputed by one of them at a time, and on what the
                // other committed. SQLite: the write lock from the start (a transaction
                // that read first could not write once another had committed);
                // PostgreSQL: a lock on the agency, held to the commit.
                let mut tx = if numbered {
                    let mut tx = pool.begin().await?;
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gongkai.cross_year:' || $1))")
                        .bind(agency_key)
                        .execute(&mut *tx)
                        .await?;
                    tx
                } else {
                    pool.begin_with("BEGIN IMMEDIATE").await?
                };
                let rows = sqlx::query(
                    "SELECT id, member, year, template FROM reports \
                     WHERE agency_key = $1 AND year IS NOT NULL ORDER BY year, id",
                )
                .bind(agency_key)
                .fetch_all(&mut *tx)
                .await?;
                let mut reports: Vec<(i64, Report)> = Vec::with_capacity(rows.len());
                for row in rows {
                    let id: i64 = row.try_get(0)?;
                    let member: String = row.try_get(1)?;
                    let year: i64 = row.try_get(2)?;
                    let template: String = row.try_get(3)?;
                    let Some(t) = TemplateId::parse(&template) else { continue };
                    let mut r = Report::new(member, t);
                    // Only the cross-year cells are loaded: an agency may have many
                    // reports, and a full template per report would be memory for nothing.
                    r.cells.clear();
                    r.year = i32::try_from(year).ok();
                    reports.push((id, r));
                }
                // Only reports with a report of the year before or after are compared:
                // only their cells are read.
                let years: std::collections::BTreeSet<i32> =
                    reports.iter().filter_map(|(_, r)| r.year).collect();
                let paired = |y: i32| years.contains(&(y - 1)) || years.contains(&(y + 1));
                reports.retain(|(_, r)| r.year.is_some_and(paired));
                let index: HashMap<i64, usize> =
                    reports.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
                let paired_years: Vec<String> =
                    years.iter().filter(|&&y| paired(y)).map(|y| y.to_string()).collect();
                let mut findings = Vec::new();
                if reports.len() > 1 {
                    let cells = sqlx::query(AssertSqlSafe(format!(
                        "SELECT c.report_id, c.kind, c.value, c.key FROM cells c JOIN reports r ON r.id = c.report_id \
                         WHERE r.agency_key = $1 AND r.year IN ({}) AND c.key IN {CROSS_YEAR_KEYS}",
                        paired_years.join(", ")
                    )))
                    .bind(agency_key)
                    .fetch_all(&mut *tx)
                    .await?;
                    for c in cells {
                        let id: i64 = c.try_get(0)?;
                        let row = CellRow {
                            report_id: id,
                            kind: c.try_get(1)?,
                            value: c.try_get(2)?,
                            key: c.try_get(3)?,
                            raw: String::new(),
                            unit: None,
                            note: None,
                            provenance: None,
                        };
                        if let Some(&i) = index.get(&id) {
                            let v = row.to_value();
                            reports[i].1.set(&row.key, Cell::from_value(v));
                        }
                    }
                    for (pi, (pid, prev)) in reports.iter().enumerate() {
                        for (cid, cur) in &reports[pi + 1..] {
                            if cur.year.zip(prev.year).map(|(c, p)| c - p) == Some(1) {
                                for f in check_consecutive(prev, cur) {
                                    findings.push((*cid, *pid, f));
                                }
                            }
                        }
                    }
                }
                sqlx::query(
                    "DELETE FROM findings WHERE prev_report_id IS NOT NULL \
                     AND report_id IN (SELECT id FROM reports WHERE agency_key = $1)",
                )
                .bind(agency_key)
                .execute(&mut *tx)
                .await?;
                for chunk in findings.chunks(ROWS_PER_INSERT) {
                    let mut q = sqlx::query(AssertSqlSafe(values_sql(FINDING_COLUMNS, FINDING_ARITY, chunk.len(), numbered)));
                    for (cid, pid, f) in chunk {
                        q = q
                            .bind(*cid)
                            .bind(Some(*pid))
                            .bind(f.rule.as_str())
                            .bind(severity_name(f.severity))
                            .bind(status_name(f.status))
                            .bind(f.cells.join(","))
                            .bind(clean_opt(f.expected.as_deref()))
                            .bind(clean_opt(f.actual.as_deref()))
                            .bind(clean(&f.message).into_owned());
                    }
                    q.execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE reports SET cross_checked = 1 WHERE agency_key = $1")
                    .bind(agency_key)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(findings.len())
            })
        }
    }

    /// All sources, in hash order.
    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        {
            on_db!(&self.db, pool => {
                let rows = sqlx::query(
                    "SELECT hash, file_name, path, size, format, status, cause, reports FROM sources ORDER BY path, hash",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(SourceRow {
                            hash: r.try_get(0)?,
                            file_name: r.try_get(1)?,
                            path: r.try_get(2)?,
                            size: r.try_get(3)?,
                            format: r.try_get(4)?,
                            status: r.try_get(5)?,
                            cause: r.try_get(6)?,
                            reports: r.try_get(7)?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from)
            })
        }
    }

    /// Up to `limit` reports with `id > after`, in id order (paging through the dataset).
    pub async fn reports_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ReportRow>, StoreError> {
        {
            on_db!(&self.db, pool => {
                let rows = sqlx::query(
                    "SELECT id, source_hash, member, format, agency, agency_key, year, template, published, has_errors \
                     FROM reports WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(ReportRow {
                            id: r.try_get(0)?,
                            source_hash: r.try_get(1)?,
                            member: r.try_get(2)?,
                            format: r.try_get(3)?,
                            agency: r.try_get(4)?,
                            agency_key: r.try_get(5)?,
                            year: r.try_get(6)?,
                            template: r.try_get(7)?,
                            published: r.try_get(8)?,
                            has_errors: r.try_get::<i64, _>(9)? != 0,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from)
            })
        }
    }

    /// The cells of reports `first..=last` (ids), ordered by report.
    pub async fn cells_of_range(&self, first: i64, last: i64) -> Result<Vec<CellRow>, StoreError> {
        {
            on_db!(&self.db, pool => {
                let rows = sqlx::query(
                    "SELECT report_id, key, kind, value, raw, unit, note, provenance FROM cells \
                     WHERE report_id >= $1 AND report_id <= $2 ORDER BY report_id",
                )
                .bind(first)
                .bind(last)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(CellRow {
                            report_id: r.try_get(0)?,
                            key: r.try_get(1)?,
                            kind: r.try_get(2)?,
                            value: r.try_get(3)?,
                            raw: r.try_get(4)?,
                            unit: r.try_get(5)?,
                            note: r.try_get(6)?,
                            provenance: r.try_get(7)?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from)
            })
        }
    }

    /// Up to `limit` findings with `id > after`, in id order, with their report's source.
    pub async fn findings_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<FindingRow>, StoreError> {
        {
            on_db!(&self.db, pool => {
                let rows = sqlx::query(
                    "SELECT f.id, f.report_id, f.prev_report_id, f.rule, f.severity, f.status, f.cells, \
                     f.expected, f.actual, f.message, r.member, r.agency, r.year \
                     FROM findings f JOIN reports r ON r.id = f.report_id \
                     WHERE f.id > $1 ORDER BY f.id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(FindingRow {
                            id: r.try_get(0)?,
                            report_id: r.try_get(1)?,
                            prev_report_id: r.try_get(2)?,
                            rule: r.try_get(3)?,
                            severity: r.try_get(4)?,
                            status: r.try_get(5)?,
                            cells: r.try_get(6)?,
                            expected: r.try_get(7)?,
                            actual: r.try_get(8)?,
                            message: r.try_get(9)?,
                            member: r.try_get(10)?,
                            agency: r.try_get(11)?,
                            year: r.try_get(12)?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from)
            })
        }
    }

    /// The templates the stored reports use, e.g. `["2019", "2021"]`.
    pub async fn templates(&self) -> Result<Vec<String>, StoreError> {
        {
            on_db!(&self.db, pool => {
                sqlx::query_scalar("SELECT DISTINCT template FROM reports ORDER BY template")
                    .fetch_all(pool)
                    .await
                    .map_err(StoreError::from)
            })
        }
    }

    /// One stored report back as the report model (cells with value, raw, unit, note).
    pub async fn load_report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        let Some(row) = self
            .reports_after(id - 1, 1)
            .await?
            .into_iter()
            .find(|r| r.id == id)
        else {
            return Ok(None);
        };
        let Some(t) = TemplateId::parse(&row.template) else {
            return Ok(None);
        };
        let mut r = Report::new(row.member, t);
        r.agency = row.agency;
        r.year = row.year.and_then(|y| i32::try_from(y).ok());
        r.published = row.published;
        r.sections = self.sections_of(id).await?;
        for c in self.cells_of_range(id, id).await? {
            let provenance = c
                .provenance
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok());
            let value = c.to_value();
            r.set(
                &c.key,
                Cell {
                    value,
                    raw: c.raw,
                    unit: c.unit,
                    note: c.note,
                    source: provenance,
                },
            );
        }
        Ok(Some(r))
    }

    /// The prose sections stored with report `id`, in the order read (none for a
    /// report stored before sections were kept, migration 0011).
    pub async fn sections_of(&self, id: i64) -> Result<Vec<Section>, StoreError> {
        let rows: Vec<(String, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT heading, body FROM report_sections WHERE report_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(heading, text)| Section { heading, text })
            .collect())
    }

    /// Counts of what is stored.
    pub async fn totals(&self) -> Result<Totals, StoreError> {
        {
            on_db!(&self.db, pool => {
                let row = sqlx::query(
                    "SELECT \
                     (SELECT COUNT(*) FROM sources), \
                     (SELECT COUNT(*) FROM sources WHERE status = 'failed'), \
                     (SELECT COUNT(*) FROM reports), \
                     (SELECT COUNT(*) FROM reports WHERE has_errors <> 0), \
                     (SELECT COUNT(*) FROM cells), \
                     (SELECT COUNT(*) FROM findings), \
                     (SELECT COUNT(*) FROM findings WHERE prev_report_id IS NOT NULL)",
                )
                .fetch_one(pool)
                .await?;
                Ok(Totals {
                    sources: row.try_get(0)?,
                    sources_failed: row.try_get(1)?,
                    reports: row.try_get(2)?,
                    reports_with_errors: row.try_get(3)?,
                    cells: row.try_get(4)?,
                    findings: row.try_get(5)?,
                    cross_year_findings: row.try_get(6)?,
                })
            })
        }
    }
}

fn severity_name(s: gongkai_report::Severity) -> &'static str {
    match s {
        gongkai_report::Severity::Error => "error",
        gongkai_report::Severity::Warning => "warning",
        gongkai_report::Severity::Info => "info",
    }
}

fn status_name(s: gongkai_report::Status) -> &'static str {
    match s {
        gongkai_report::Status::Failed => "failed",
        gongkai_report::Status::NotAssessable => "not_assessable",
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_sql_numbers_placeholders() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", 2, 2, true),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", 2, 2, false),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?)"
        );
    }

    #[test]
    fn schema_parameter_is_split_off() {
        assert_eq!(
            split_schema("postgres://u@h/db?schema=x_1&sslmode=disable"),
            (
                "postgres://u@h/db?sslmode=disable".to_string(),
                Some("x_1".to_string())
            )
        );
        assert_eq!(
            split_schema("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
        assert!(url_has_user("postgres://postgres@127.0.0.1:5432/test"));
        assert!(!url_has_user("postgres://127.0.0.1:5432/test"));
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn utc_time_is_formatted() {
        let t = now_utc();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20"));
    }
}
