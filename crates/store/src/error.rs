//! The store's errors: a Chinese cause a clerk can act on, and the library's own
//! message kept apart as detail (for `--verbose`, logs and JSON).

use std::fmt;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The database cannot be reached or opened.
    Unavailable { cause: String, detail: String },
    /// The database refused or failed an operation.
    Database { cause: String, detail: String },
    /// The database could not be used for the moment: the connection dropped, the
    /// server is restarting or does not answer, another program holds the file's lock,
    /// a deadlock was broken. The operation may be tried again; a transaction it was
    /// in did not commit (or, when the connection dropped during the commit, may have).
    Transient { cause: String, detail: String },
    /// The record was changed by someone else since it was read (optimistic
    /// concurrency): nothing was written.
    Conflict(String),
    /// No such record (or not visible to the caller).
    NotFound(String),
    /// The request itself is wrong; the message says what to fix.
    Invalid(String),
}

impl StoreError {
    /// The Chinese cause shown to the user.
    pub fn cause(&self) -> &str {
        match self {
            StoreError::Unavailable { cause, .. }
            | StoreError::Database { cause, .. }
            | StoreError::Transient { cause, .. } => cause,
            StoreError::Conflict(m) | StoreError::NotFound(m) | StoreError::Invalid(m) => m,
        }
    }

    /// The underlying library message, if any (English, for diagnosis).
    pub fn detail(&self) -> Option<&str> {
        match self {
            StoreError::Unavailable { detail, .. }
            | StoreError::Database { detail, .. }
            | StoreError::Transient { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// `true` when trying again later may succeed ([`StoreError::Transient`]).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Transient { .. })
    }

    pub(crate) fn unavailable(cause: String, e: impl fmt::Display) -> StoreError {
        StoreError::Unavailable {
            cause,
            detail: e.to_string(),
        }
    }

    /// A failure to connect to `target` (a file path or a redacted URL).
    pub(crate) fn connect(target: &str, e: sqlx::Error) -> StoreError {
        let cause = match &e {
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("无法连接数据库 {target}：服务器未运行或端口不对")
            }
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                format!("无法打开数据库 {target}：没有读写权限")
            }
            sqlx::Error::Io(_) => format!("无法连接数据库 {target}：网络或文件不可用"),
            sqlx::Error::PoolTimedOut => format!("连接数据库 {target} 超时：服务器无响应"),
            sqlx::Error::Database(d) => match d.code().as_deref() {
                Some("3D000") => format!("数据库不存在：{target}"),
                Some("28P01") | Some("28000") => {
                    format!("数据库 {target} 拒绝登录：用户名或密码不对")
                }
                Some("14") => format!("无法打开数据库文件 {target}：目录不存在或没有写权限"),
                _ => format!(
                    "无法打开数据库 {target}：{}",
                    database_cause(d.code().as_deref())
                ),
            },
            _ => format!("无法打开数据库 {target}"),
        };
        StoreError::Unavailable {
            cause,
            detail: e.to_string(),
        }
    }

    pub(crate) fn migrate(e: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Database {
            cause: "数据库结构升级失败：数据库可能由更新版本的程序创建，或已损坏".into(),
            detail: e.to_string(),
        }
    }

    /// `true` when a unique key refused the write (a record someone else just wrote).
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }
}

/// `true` for the error codes of a database that cannot be used for the moment:
/// SQLite's busy and locked (with their extended codes), PostgreSQL's lost connections
/// (class 08), shutdown and restart (57P01–57P03), too many connections, and broken
/// deadlocks and serialisation failures.
fn transient_code(code: &str) -> bool {
    matches!(
        code,
        "5" | "6"
            | "261"
            | "262"
            | "517"
            | "773"
            | "40001"
            | "40P01"
            | "53300"
            | "57P01"
            | "57P02"
            | "57P03"
    ) || code.starts_with("08")
}

/// A Chinese cause for a database error code (SQLite's extended codes and
/// PostgreSQL's SQLSTATE).
fn database_cause(code: Option<&str>) -> &'static str {
    match code {
        Some("13") | Some("53100") => "磁盘空间已满",
        Some("5") | Some("517") | Some("6") | Some("261") | Some("262") | Some("773") => {
            "数据库文件被其他程序锁定"
        }
        Some("53300") => "数据库服务器的连接数已满",
        Some("8") => "数据库文件只读",
        Some("11") | Some("26") => "数据库文件已损坏或不是数据库",
        Some("10") => "读写数据库文件失败",
        Some("40001") | Some("40P01") => "与其他操作冲突，请重试",
        Some("57P01") | Some("57P02") | Some("57P03") => "数据库服务器正在关闭或重启",
        Some(c) if c.starts_with("08") => "与数据库服务器的连接中断",
        Some("2067") | Some("1555") | Some("23505") => "记录已存在",
        Some("787") | Some("23503") => "引用的记录不存在",
        Some("275") | Some("23514") => "数据不符合约束",
        _ => "数据库操作失败",
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let cause = match &e {
            sqlx::Error::Database(d) => database_cause(d.code().as_deref()).to_string(),
            sqlx::Error::PoolTimedOut => "数据库繁忙：等待连接超时，请稍后重试".into(),
            sqlx::Error::PoolClosed => "数据库连接已关闭".into(),
            sqlx::Error::Io(_) => "与数据库的连接中断".into(),
            sqlx::Error::RowNotFound => "记录不存在".into(),
            _ => "数据库操作失败".into(),
        };
        let transient = match &e {
            sqlx::Error::Database(d) => d.code().is_some_and(|c| transient_code(&c)),
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => true,
            _ => false,
        };
        let detail = e.to_string();
        if transient {
            StoreError::Transient { cause, detail }
        } else {
            StoreError::Database { cause, detail }
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cause())
    }
}

impl std::error::Error for StoreError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_chinese_causes() {
        assert_eq!(database_cause(Some("13")), "磁盘空间已满");
        assert_eq!(database_cause(Some("08006")), "与数据库服务器的连接中断");
        assert_eq!(database_cause(None), "数据库操作失败");
        let e = StoreError::from(sqlx::Error::PoolTimedOut);
        assert!(e.to_string().starts_with("数据库繁忙"));
        assert!(e.detail().unwrap().contains("pool timed out"));
        assert!(e.is_transient());
    }

    #[test]
    fn lost_connections_and_locks_are_transient() {
        for code in ["5", "517", "08006", "57P01", "40P01"] {
            assert!(transient_code(code), "{code}");
        }
        for code in ["13", "23505", "3D000", "28P01", "11"] {
            assert!(!transient_code(code), "{code}");
        }
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let e = StoreError::from(sqlx::Error::Io(io));
        assert!(e.is_transient());
        assert_eq!(e.cause(), "与数据库的连接中断");
        assert!(!StoreError::from(sqlx::Error::RowNotFound).is_transient());
    }
}
