//! Bytes → `Report`: sniff, decode, read into the neutral shape, map onto cell keys.

pub mod archive;
pub mod doc;
pub mod docx;
pub mod error;
pub mod html;
pub mod pdf;

pub use doc::{Block, Document, Format, Table, TableCell};
pub use error::ReadError;
