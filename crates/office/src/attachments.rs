//! Files attached to a case (the applicant's letter scanned, an ID card copy, the
//! third party's reply): kept in the database, capped in size, and accepted only as
//! the kinds of file an office exchanges, told by their bytes — never by the name
//! or the type the browser claims. A file whose name says one kind and whose bytes
//! another is refused as disguised.

use crate::Office;
use crate::error::{OfficeError, Result};
use crate::roles::{Actor, Permission};
use gongkai_store::office::{FileContent, NewAttachment};
use sha2::{Digest, Sha256};

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A kind of file an office accepts, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub media_type: &'static str,
    /// The name endings that may carry it.
    pub extensions: &'static [&'static str],
    pub label: &'static str,
}

const PDF: FileKind = FileKind {
    media_type: "application/pdf",
    extensions: &["pdf"],
    label: "PDF",
};
const OFD: FileKind = FileKind {
    media_type: "application/ofd",
    extensions: &["ofd"],
    label: "OFD 版式文件",
};
const DOCX: FileKind = FileKind {
    media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: &["docx", "wps"],
    label: "Word 文档",
};
const XLSX: FileKind = FileKind {
    media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extensions: &["xlsx", "et"],
    label: "Excel 表格",
};
const OLE: FileKind = FileKind {
    media_type: "application/x-ole-storage",
    extensions: &["doc", "xls", "wps", "et"],
    label: "Word/Excel 97-2003 文件",
};
const JPEG: FileKind = FileKind {
    media_type: "image/jpeg",
    extensions: &["jpg", "jpeg"],
    label: "JPEG 图片",
};
const PNG: FileKind = FileKind {
    media_type: "image/png",
    extensions: &["png"],
    label: "PNG 图片",
};
const TIFF: FileKind = FileKind {
    media_type: "image/tiff",
    extensions: &["tif", "tiff"],
    label: "TIFF 图片",
};
const TEXT: FileKind = FileKind {
    media_type: "text/plain; charset=utf-8",
    extensions: &["txt"],
    label: "文本文件",
};

/// What the accepted kinds are, for the upload form.
pub const ACCEPTED: &str =
    "PDF、OFD、Word（docx/doc/wps）、Excel（xlsx/xls/et）、JPEG、PNG、TIFF 图片、文本文件";

/// The kind of `bytes`, if it is one an office accepts.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"%PDF-") {
        return Some(PDF);
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some(TIFF);
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(OLE);
    }
    if starts(b"PK\x03\x04") {
        return zip_kind(bytes);
    }
    // Text: valid UTF-8 without control characters other than line breaks and tabs.
    let text = std::str::from_utf8(bytes).ok()?;
    let plain = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    // A web page is not a text attachment: served back, it could run in a browser.
    let lower = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    (plain
        && !lower.starts_with("<!doctype")
        && !lower.starts_with("<html")
        && !lower.starts_with("<svg"))
    .then_some(TEXT)
}

/// A zip is accepted only as an office document: DOCX, XLSX or OFD.
fn zip_kind(bytes: &[u8]) -> Option<FileKind> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    if names.iter().any(|n| n == "OFD.xml") {
        return Some(OFD);
    }
    if names.iter().any(|n| n == "[Content_Types].xml") {
        if names.iter().any(|n| n.starts_with("word/")) {
            return Some(DOCX);
        }
        if names.iter().any(|n| n.starts_with("xl/")) {
            return Some(XLSX);
        }
    }
    None
}

/// The file's own name, without any folder, control characters or path tricks,
/// at most 100 characters (keeping the extension).
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.chars().count() <= 100 {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 10 => (s.to_string(), format!(".{e}")),
        _ => (cleaned.clone(), String::new()),
    };
    stem.chars()
        .take(100 - ext.chars().count())
        .collect::<String>()
        + &ext
}

/// Checks an upload: size, kind by its bytes, and that its name does not claim
/// another kind. Returns the cleaned name and the kind.
pub fn check_upload(name: &str, bytes: &[u8]) -> Result<(String, FileKind)> {
    let name = clean_name(name);
    if name.is_empty() {
        return Err(OfficeError::Invalid("附件没有文件名".into()));
    }
    if bytes.is_empty() {
        return Err(OfficeError::Invalid(format!("附件「{name}」是空文件")));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(OfficeError::Invalid(format!(
            "附件「{name}」大小为 {:.1} MB，超过上限 {} MB",
            bytes.len() as f64 / 1024.0 / 1024.0,
            MAX_ATTACHMENT_BYTES / 1024 / 1024
        )));
    }
    let kind = sniff(bytes).ok_or_else(|| {
        OfficeError::Invalid(format!(
            "附件「{name}」不是可接收的文件类型（可接收：{ACCEPTED}）"
        ))
    })?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !kind.extensions.contains(&ext.as_str()) {
        return Err(OfficeError::Invalid(format!(
            "附件「{name}」的内容是{}，与文件扩展名不符，请确认文件后重新上传",
            kind.label
        )));
    }
    Ok((name, kind))
}

/// An upload checked by `check_upload`, ready to store: its clean name, the media
/// type its bytes show, and its sha256.
pub fn prepare_upload(name: &str, bytes: Vec<u8>) -> Result<(NewAttachment, FileKind)> {
    let (name, kind) = check_upload(name, &bytes)?;
    Ok((
        NewAttachment {
            file_name: name,
            media_type: kind.media_type.to_string(),
            sha256: crate::auth::hex(&Sha256::digest(&bytes)),
            content: bytes,
        },
        kind,
    ))
}

impl Office {
    /// Attaches a file to a case of the actor's agency.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        case_id: i64,
        name: &str,
        bytes: Vec<u8>,
        address: Option<&str>,
    ) -> Result<i64> {
        let (row, _) = self
            .case_for(actor, case_id, Permission::HandleCases)
            .await?;
        let (file, kind) = prepare_upload(name, bytes)?;
        let (name, size) = (file.file_name.clone(), file.content.len());
        let id = self
            .store
            .add_attachment(case_id, &file, Some(actor.user_id))
            .await?;
        self.audit(
            Some(actor),
            Some(row.agency_id),
            "上传附件",
            format!("attachment:{id}"),
            format!("{} {name}（{}，{size} 字节）", row.number, kind.label),
            address,
        )
        .await?;
        Ok(id)
    }

    /// One attachment, if the actor may see its case; the download is audited.
    pub async fn attachment(
        &self,
        actor: &Actor,
        id: i64,
        address: Option<&str>,
    ) -> Result<FileContent> {
        let file = self
            .store
            .attachment(id)
            .await?
            .ok_or_else(|| OfficeError::NotFound("附件不存在".into()))?;
        let (row, _) = self
            .case_for(actor, file.case_id, Permission::ViewCases)
            .await?;
        self.audit(
            Some(actor),
            Some(row.agency_id),
            "下载附件",
            format!("attachment:{id}"),
            format!("{} {}", row.number, file.file_name),
            address,
        )
        .await?;
        Ok(file)
    }
}

#[cfg(test)]
#[path = "attachments_tests.rs"]
mod tests;
