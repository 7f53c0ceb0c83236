//! The neutral shape every source format is read into before the template reader
//! maps it onto cell keys. Formats that keep a grid (HTML, DOCX, PDF) give tables;
//! plain text, which has lost its grid, is kept as lines.

/// Which reader produced a document (sniffed from the bytes, never the file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
    Doc,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 97-2003 or WPS spreadsheet (.xls, .et): a compound file with a workbook stream.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// OpenDocument text.
    Odt,
    Zip,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Doc => "doc",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Odt => "odt",
            Format::Zip => "zip",
        }
    }
}

/// A document as a sequence of blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// One paragraph (or one line of a source without paragraphs), text as printed.
    Paragraph(String),
    Table(Table),
}

/// A table as its source stores it: each row lists only the cells that *start*
/// in that row, left to right (cells covered by a row or column span are absent,
/// as in HTML). Cell text keeps line breaks inside a cell as '\n'.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Vec<TableCell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    pub text: String,
    pub row_span: u32,
    pub col_span: u32,
}

impl TableCell {
    pub fn new(text: impl Into<String>) -> Self {
        TableCell {
            text: text.into(),
            row_span: 1,
            col_span: 1,
        }
    }
    pub fn spanning(text: impl Into<String>, row_span: u32, col_span: u32) -> Self {
        TableCell {
            text: text.into(),
            row_span: row_span.max(1),
            col_span: col_span.max(1),
        }
    }
}

impl Document {
    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }
    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }
    /// All text of the document, paragraphs and table cells, one per line.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => {
                    out.push_str(p);
                    out.push('\n');
                }
                Block::Table(t) => {
                    for row in &t.rows {
                        let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
                        out.push_str(&cells.join("\t"));
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}
