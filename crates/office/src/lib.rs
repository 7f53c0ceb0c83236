//! gongkai-office: the disclosure office as operations — log in, register an
//! application, record each legal step on the case engine with its statutory letter,
//! read the inbox and the case, compile the year's tables, import a holiday notice —
//! each checked against the actor's role and agency and written to the audit log.
//!
//! The web server and the command line are faces over this crate: they parse
//! requests and show results; the rules live here and in `gongkai-cases`.

pub mod admin;
pub mod application_form;
pub mod attachments;
pub mod auth;
pub mod calendar;
pub mod casework;
pub mod demo;
pub mod error;
pub mod guide;
pub mod letters;
mod limits;
pub mod portal;
pub mod public_account;
pub mod roles;
pub mod session;
#[cfg(test)]
mod testing;

pub use calendar::OfficeCalendar;
pub use casework::{CaseView, Registration, Step, StepKind};
pub use error::{OfficeError, Result};
pub use roles::{Actor, Permission, Role};

use chrono::{FixedOffset, NaiveDate, Utc};
use gongkai_store::Store;
use gongkai_store::office::{AgencyRow, NewAudit};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// A UTC time as the store keeps it (`YYYY-MM-DDTHH:MM:SSZ`).
pub(crate) fn utc_text(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// China Standard Time: the legal dates of acts are local dates.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// Where "today" comes from: the system clock, or a fixed date (tests, demos).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(NaiveDate),
}

/// The office: the store, the calendar (cached, refreshed from the store), the clock,
/// and the keys known to be over a limit (`limits.rs`).
#[derive(Clone)]
pub struct Office {
    pub store: Store,
    clock: Clock,
    calendar: Arc<RwLock<(Arc<OfficeCalendar>, Instant)>>,
    calendar_ttl: Duration,
    refusals: Arc<limits::Refusals>,
}

/// How long a server trusts its cached calendar before asking the store whether
/// another server imported a notice.
const CALENDAR_TTL: Duration = Duration::from_secs(10);

impl Office {
    pub async fn new(store: Store, clock: Clock) -> Result<Office> {
        let imports = store.calendar_imports().await?;
        let cal = Arc::new(OfficeCalendar::build(&imports));
        Ok(Office {
            store,
            clock,
            calendar: Arc::new(RwLock::new((cal, Instant::now()))),
            calendar_ttl: CALENDAR_TTL,
            refusals: Arc::default(),
        })
    }

    pub fn today(&self) -> NaiveDate {
        match self.clock {
            Clock::System => Utc::now().with_timezone(&cst()).date_naive(),
            Clock::Fixed(d) => d,
        }
    }

    /// The calendar, refreshed when another server may have imported a notice.
    ///
    /// A server that finds a notice imported elsewhere recomputes the open cases'
    /// dates itself: a case it recorded in the seconds before it knew was dated by
    /// the old calendar, after the importing server had recomputed.
    pub async fn calendar(&self) -> Result<Arc<OfficeCalendar>> {
        let (cal, at) = {
            let g = self.calendar.read().unwrap_or_else(|p| p.into_inner());
            (Arc::clone(&g.0), g.1)
        };
        if at.elapsed() < self.calendar_ttl {
            return Ok(cal);
        }
        let imports = self.store.calendar_imports().await?;
        if imports.len() == cal.imports {
            let mut g = self.calendar.write().unwrap_or_else(|p| p.into_inner());
            g.1 = Instant::now();
            return Ok(cal);
        }
        let newer = Arc::new(OfficeCalendar::build(&imports));
        let first = {
            let mut g = self.calendar.write().unwrap_or_else(|p| p.into_inner());
            // Of the requests that noticed at once, the one that swaps recomputes.
            let first = g.0.imports < newer.imports;
            if first {
                *g = (Arc::clone(&newer), Instant::now());
            }
            first
        };
        if first {
            self.recompute_open_cases(&newer).await?;
        }
        Ok(newer)
    }

    /// How long this server trusts its cached calendar (tests shorten it).
    pub fn set_calendar_ttl(&mut self, ttl: Duration) {
        self.calendar_ttl = ttl;
    }

    /// Forgets the cached calendar (after an import on this server).
    fn reload_calendar(&self, cal: OfficeCalendar) -> Arc<OfficeCalendar> {
        let cal = Arc::new(cal);
        let mut g = self.calendar.write().unwrap_or_else(|p| p.into_inner());
        *g = (Arc::clone(&cal), Instant::now());
        cal
    }

    /// Writes one audit entry.
    pub async fn audit(
        &self,
        actor: Option<&Actor>,
        agency_id: Option<i64>,
        action: &str,
        target: String,
        detail: String,
        address: Option<&str>,
    ) -> Result<()> {
        self.store
            .audit(&NewAudit {
                user_id: actor.map(|a| a.user_id),
                agency_id: agency_id.or(actor.map(|a| a.agency_id)),
                action: action.to_string(),
                target,
                detail,
                address: address.map(String::from),
            })
            .await?;
        Ok(())
    }

    pub async fn agency(&self, id: i64) -> Result<AgencyRow> {
        self.store
            .agency(id)
            .await?
            .ok_or_else(|| OfficeError::NotFound(format!("机关（编号 {id}）不存在")))
    }

    /// The agency that hears an administrative review of `agency`'s answers: its
    /// parent government, or 上一级行政机关 when it has none stored.
    pub async fn review_body(&self, agency: &AgencyRow) -> Result<String> {
        let mut parent = agency.parent_id;
        while let Some(p) = parent {
            let a = self.agency(p).await?;
            if a.kind == "government" {
                return Ok(a.name);
            }
            parent = a.parent_id;
        }
        Ok("上一级行政机关".into())
    }

    /// Imports a holiday notice (TSV of `spec/holidays.tsv`'s form), recomputes every
    /// open case's due date, and returns the cases whose date changed:
    /// (case number, before, after).
    pub async fn import_calendar(
        &self,
        actor: &Actor,
        tsv: &str,
        address: Option<&str>,
    ) -> Result<Vec<(String, Option<String>, Option<String>)>> {
        if !actor.may(Permission::ManageCalendar, &actor.agency_path) {
            return Err(OfficeError::Forbidden(
                "只有系统管理员可以导入放假安排".into(),
            ));
        }
        let years = calendar::check_import(tsv).map_err(|e| OfficeError::Invalid(e.to_string()))?;
        let years_text = years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.store
            .add_calendar_import(&years_text, tsv, Some(actor.user_id))
            .await?;
        let imports = self.store.calendar_imports().await?;
        let cal = self.reload_calendar(OfficeCalendar::build(&imports));
        let changed = self.recompute_open_cases(&cal).await?;
        self.audit(
            Some(actor),
            None,
            "导入放假安排",
            format!("calendar:{years_text}"),
            format!(
                "{} 年放假安排；{} 件在办案件期限变化",
                years_text,
                changed.len()
            ),
            address,
        )
        .await?;
        Ok(changed)
    }
}
