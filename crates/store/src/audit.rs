//! The audit log's writes, committed in groups.
//!
//! Every view of personal data is audited before it is answered, so a page that
//! only reads still writes one row, and on SQLite every write goes through the one
//! writing connection and its own commit (a flush to disk). Entries that arrive while
//! a commit is running wait for it and are then written together, in one
//! transaction: each caller is still answered only once its row is on disk, but a
//! burst of N views costs one commit, not N.

use crate::StoreError;
use crate::db::{Store, now_utc, on_db};
use crate::office::NewAudit;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::oneshot;

/// At most this many rows in one statement (7 values a row, far under both
/// engines' limits on bound values).
const ROWS_PER_STATEMENT: usize = 200;

struct Waiting {
    at: String,
    entry: NewAudit,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// Entries waiting for the next commit, and whether a writer is running.
#[derive(Default)]
pub(crate) struct AuditQueue {
    waiting: Mutex<Vec<Waiting>>,
    writing: AtomicBool,
}

impl AuditQueue {
    fn waiting(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Lets the next entry start a writer again if this one ends in any way (a panic
/// included: its waiters' senders are dropped and they are told).
struct Writing<'a>(&'a AtomicBool);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Store {
    /// Writes one audit entry; returns once it is committed.
    pub async fn audit(&self, a: &NewAudit) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.audits.waiting().push(Waiting {
            at: now_utc(),
            entry: a.clone(),
            done,
        });
        if !self.audits.writing.swap(true, Ordering::AcqRel) {
            // A task of its own: a caller that goes away (a closed connection) must
            // not cancel the commit the others wait for.
            let store = self.clone();
            tokio::spawn(async move { store.write_audits().await });
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Database {
                cause: "审计记录未能写入：写入任务意外中止".into(),
                detail: "audit writer ended without an answer".into(),
            })
        })
    }

    /// Commits what is waiting, group by group, until nothing is.
    async fn write_audits(&self) {
        loop {
            {
                let _writing = Writing(&self.audits.writing);
                loop {
                    let group = std::mem::take(&mut *self.audits.waiting());
                    if group.is_empty() {
                        break;
                    }
                    let result = self.insert_audits(&group).await;
                    // One bad entry must not fail the others: on an error each is
                    // tried alone and told its own outcome.
                    if result.is_err() && group.len() > 1 {
                        for w in group {
                            let one = self.insert_audits(std::slice::from_ref(&w)).await;
                            let _ = w.done.send(one);
                        }
                    } else {
                        for w in group {
                            let _ = w.done.send(result.clone());
                        }
                    }
                }
            }
            // An entry pushed after the last take but before the flag was cleared saw
            // a writer running and started none: look once more.
            let pending = !self.audits.waiting().is_empty();
            if !pending || self.audits.writing.swap(true, Ordering::AcqRel) {
                return;
            }
        }
    }

    async fn insert_audits(&self, group: &[Waiting]) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for chunk in group.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO audit_log (at, user_id, agency_id, action, target, detail, address) ",
                );
                q.push_values(chunk, |mut row, w| {
                    let a = &w.entry;
                    row.push_bind(w.at.as_str())
                        .push_bind(a.user_id)
                        .push_bind(a.agency_id)
                        .push_bind(a.action.as_str())
                        .push_bind(a.target.as_str())
                        .push_bind(a.detail.as_str())
                        .push_bind(a.address.as_deref());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
