//! The office's errors, each a Chinese sentence for the person who caused it.

use gongkai_store::StoreError;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficeError {
    /// Not logged in, or the session has ended.
    Unauthenticated,
    /// The role or agency may not do this.
    Forbidden(String),
    /// No such record, or not one the caller may know of.
    NotFound(String),
    /// The input or the step is not allowed; says what to fix (the case engine's
    /// reasons, with their articles, arrive here).
    Invalid(String),
    /// Someone else changed the record since it was read.
    Conflict(String),
    /// Too many attempts; try again later.
    TooMany(String),
    /// The database failed.
    Store(StoreError),
    /// A document could not be produced.
    Document(String),
}

impl From<StoreError> for OfficeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => OfficeError::Conflict(m),
            StoreError::NotFound(m) => OfficeError::NotFound(m),
            StoreError::Invalid(m) => OfficeError::Invalid(m),
            other => OfficeError::Store(other),
        }
    }
}

impl fmt::Display for OfficeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OfficeError::Unauthenticated => f.write_str("请先登录"),
            OfficeError::Forbidden(m)
            | OfficeError::NotFound(m)
            | OfficeError::Invalid(m)
            | OfficeError::Conflict(m)
            | OfficeError::TooMany(m)
            | OfficeError::Document(m) => f.write_str(m),
            OfficeError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OfficeError {}

pub type Result<T> = std::result::Result<T, OfficeError>;
