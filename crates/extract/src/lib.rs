//! Bytes → `Report`: sniff, decode, read into the neutral shape, map onto cell keys.

pub mod doc;
pub mod error;

pub use doc::{Block, Document, Format, Table, TableCell};
pub use error::ReadError;
