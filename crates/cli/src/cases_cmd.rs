//! `gongkai cases …` and `gongkai calendar …` (filled in by the cases work).

#[derive(clap::Args)]
pub struct CasesArgs {}

#[derive(clap::Args)]
pub struct CalendarArgs {}

pub fn run_cases(_args: &CasesArgs) -> u8 {
    2
}

pub fn run_calendar(_args: &CalendarArgs) -> u8 {
    2
}
