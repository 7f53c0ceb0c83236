//! Test databases: a fresh SQLite file, or a fresh schema on the real PostgreSQL of
//! `GONGKAI_TEST_PG` (dropped afterwards). Without `GONGKAI_TEST_PG` the PostgreSQL
//! tests fail, unless `GONGKAI_SKIP_PG=1` says to skip them on purpose.
#![allow(dead_code)]

use gongkai_store::Store;

pub struct TestDb {
    pub target: String,
    _dir: Option<tempfile::TempDir>,
    pub pg: bool,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        TestDb {
            target: format!("sqlite:{}", dir.path().join("office.db").display()),
            _dir: Some(dir),
            pg: false,
        }
    }

    /// `None` only when skipping PostgreSQL was asked for.
    pub fn postgres(name: &str) -> Option<TestDb> {
        let url = match std::env::var("GONGKAI_TEST_PG") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                if std::env::var("GONGKAI_SKIP_PG").as_deref() == Ok("1") {
                    eprintln!("GONGKAI_SKIP_PG=1：跳过 PostgreSQL 测试 {name}");
                    return None;
                }
                panic!(
                    "PostgreSQL 测试需要 GONGKAI_TEST_PG（scripts/ci-postgres.sh 会启动本地服务器并打印地址）；确实要跳过请设置 GONGKAI_SKIP_PG=1"
                );
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000)
            .unwrap_or(0);
        let schema = format!("gk_office_{name}_{}_{nanos}", std::process::id());
        let sep = if url.contains('?') { '&' } else { '?' };
        Some(TestDb {
            target: format!("{url}{sep}schema={schema}"),
            _dir: None,
            pg: true,
        })
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.target).await.unwrap()
    }

    pub async fn drop(&self) {
        if self.pg {
            if let Ok(s) = Store::open(&self.target).await {
                let _ = s.drop_schema().await;
            }
        }
    }
}
