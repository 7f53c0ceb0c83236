//! The store for the blocking command line: a small runtime beside the async store.

use gongkai_store::{Store, StoreError};
use std::future::Future;

pub struct Db {
    rt: tokio::runtime::Runtime,
    pub store: Store,
}

impl Db {
    /// Opens `target` (a SQLite path or a PostgreSQL URL), running migrations.
    pub fn open(target: &str) -> Result<Db, StoreError> {
        Db::open_in(target, true)
    }

    /// Opens a dataset that must exist: for commands that only read it, a SQLite path
    /// that is not there is an error (数据库文件不存在), not a new empty database.
    pub fn open_existing(target: &str) -> Result<Db, StoreError> {
        Db::open_in(target, false)
    }

    fn open_in(target: &str, create: bool) -> Result<Db, StoreError> {
        let rt = gongkai_dataset::runtime().map_err(|e| {
            StoreError::Invalid(format!("无法启动数据库运行时（系统资源不足？）：{e}"))
        })?;
        let store = if create {
            rt.block_on(Store::open(target))?
        } else {
            rt.block_on(Store::open_existing(target))?
        };
        Ok(Db { rt, store })
    }

    /// Waits for one store call.
    pub fn run<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.rt.handle()
    }
}

impl Drop for Db {
    /// The dataset is one file when the command ends (SQLite's log checkpointed).
    fn drop(&mut self) {
        self.rt.block_on(self.store.close());
    }
}
