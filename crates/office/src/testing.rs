//! What the office's unit tests share: the demo office on a fixed day, in a
//! temporary SQLite file, and its users as actors.

use crate::demo::{self, DemoData};
use crate::{Actor, Clock, Office};
use gongkai_cases::NaiveDate;
use gongkai_store::Store;

pub(crate) struct DemoOffice {
    pub office: Office,
    pub demo: DemoData,
    _dir: tempfile::TempDir,
}

/// The demo data seeded on 2026-11-30.
pub(crate) async fn demo_office() -> DemoOffice {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!(
        "sqlite:{}",
        dir.path().join("office.db").display()
    ))
    .await
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let office = Office::new(store, Clock::Fixed(today)).await.unwrap();
    let demo = demo::seed(&office).await.unwrap();
    DemoOffice {
        office,
        demo,
        _dir: dir,
    }
}

/// The demo user `login` as an actor.
pub(crate) async fn actor(office: &Office, login: &str) -> Actor {
    let u = office.store.user_by_login(login).await.unwrap().unwrap();
    let a = office.agency(u.agency_id).await.unwrap();
    Actor::new(&u, &a).unwrap()
}
