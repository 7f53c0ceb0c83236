//! `gongkai ingest …` and `gongkai export …` (filled in by the store work).

#[derive(clap::Args)]
pub struct IngestArgs {}

#[derive(clap::Args)]
pub struct ExportArgs {}

pub fn run_ingest(_args: &IngestArgs) -> u8 {
    2
}

pub fn run_export(_args: &ExportArgs) -> u8 {
    2
}
