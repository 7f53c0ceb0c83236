//! A dataset made before migrations existed (schema version 1, no migration table)
//! is adopted as it is: its rows survive, and the office tables are added.

use gongkai_store::Store;
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn an_old_dataset_migrates_in_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let url = format!("sqlite:{}?mode=rwc", path.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        // The schema exactly as the earlier program wrote it.
        let old = include_str!("../migrations/sqlite/0001_reports.sql");
        sqlx::raw_sql(sqlx::AssertSqlSafe(old))
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::raw_sql(
            "INSERT INTO sources VALUES ('abc', 'a.txt', '/x/a.txt', 10, 'text', 'ok', NULL, 1, '2026-01-01T00:00:00Z');
             INSERT INTO reports (source_hash, member, format, agency, agency_key, year, template, published, has_errors)
                 VALUES ('abc', '/x/a.txt', 'text', '某县人民政府', '某县', 2025, '2021', NULL, 0);
             INSERT INTO cells VALUES (1, 'requests.new.total', 'number', '12', '12', NULL, NULL, NULL);",
        )
        .execute(&mut c)
        .await
        .unwrap();
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(tables, 0, "the old dataset has no migration table");
    }
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    let t = store.totals().await.unwrap();
    assert_eq!((t.sources, t.reports, t.cells), (1, 1, 1));
    let r = store.load_report(1).await.unwrap().unwrap();
    assert_eq!(r.agency.as_deref(), Some("某县人民政府"));
    assert_eq!(r.cells["requests.new.total"].raw, "12");
    // The office tables are there and empty.
    assert!(store.agencies().await.unwrap().is_empty());
    store.close().await;
    // Opening again applies nothing twice.
    let again = Store::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(again.totals().await.unwrap().reports, 1);
}

/// A dataset that must exist is not created when its file is missing; once created, it
/// opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn open_existing_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    let p = path.to_str().unwrap();
    for target in [p.to_string(), format!("sqlite:{p}")] {
        let e = Store::open_existing(&target).await.err().expect("refused");
        assert_eq!(e.to_string(), format!("数据库文件不存在：{p}"));
        assert!(!path.exists(), "{target} was created");
    }
    Store::open(p).await.unwrap().close().await;
    let store = Store::open_existing(p).await.unwrap();
    assert_eq!(store.totals().await.unwrap().sources, 0);
    store.close().await;
}
