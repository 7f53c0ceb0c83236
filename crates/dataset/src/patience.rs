//! How long a run waits for its database. Every store call of a run goes through one
//! [`Patience`]: a call that does not answer within the limit counts as failed; a
//! failure the database may recover from (a dropped connection, a server restarting,
//! a SQLite file locked by another program) is tried again, with growing pauses, until
//! the database has been unusable for the limit — counted from the first failure of
//! the outage, whichever thread met it — and then the run stops with the cause and how
//! long it waited. Any success ends the outage. Other errors stop the run at once.
//!
//! SQLite itself waits for a lock (10 s) before it fails: a call that has not answered
//! after [`SLOW`] looks at once whether another program holds the write lock of a
//! database file this process has open ([`crate::sqlite_lock`]); if so the user is
//! told (the file and the program's process id), and the outage starts there.

use gongkai_store::StoreError;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;

/// How long a call may go unanswered before the run looks for a lock held by another
/// program.
pub(crate) const SLOW: Duration = Duration::from_millis(500);

pub(crate) struct Patience {
    limit: Duration,
    /// The current outage (since the last success): when the first failed call began,
    /// and the cause of its first failure that was more than a call running out of time.
    outage: Mutex<Option<Outage>>,
    retries: AtomicUsize,
    notice: Option<fn(&str)>,
}

struct Outage {
    since: Instant,
    error: StoreError,
    /// `true` while `error` only says that a call ran out of time.
    silent: bool,
}

impl Patience {
    pub(crate) fn new(limit: Duration, notice: Option<fn(&str)>) -> Patience {
        Patience {
            limit,
            outage: Mutex::new(None),
            retries: AtomicUsize::new(0),
            notice,
        }
    }

    /// Runs the store call `f` on `rt` (blocking this thread), trying again as described
    /// in the module's comment. The wait is counted from the start of the outage's
    /// first failed call, so that a database that fails slowly (a lock waited on)
    /// stops the run as soon as one that fails at once.
    pub(crate) fn call<T, F, Fut>(&self, rt: &Handle, f: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let mut pause = Duration::from_millis(200);
        loop {
            let started = Instant::now();
            let allowed = self.remaining().max(Duration::from_millis(100));
            let answer = rt.block_on(async {
                let mut call = std::pin::pin!(tokio::time::timeout(allowed, f()));
                if allowed > SLOW {
                    match tokio::time::timeout(SLOW, call.as_mut()).await {
                        Ok(answer) => return answer,
                        Err(_) => self.look_for_lock(started),
                    }
                }
                call.await
            });
            let (e, silent) = match answer {
                Ok(Ok(v)) => {
                    self.recovered();
                    return Ok(v);
                }
                Ok(Err(e)) if !e.is_transient() => return Err(e),
                Ok(Err(e)) => (e, false),
                Err(_) => (
                    StoreError::Transient {
                        cause: format!("数据库在 {} 秒内没有回答", secs(allowed)),
                        detail: "no answer within the limit".into(),
                    },
                    true,
                ),
            };
            let (since, first) = {
                let mut o = self.outage.lock().unwrap_or_else(|p| p.into_inner());
                let first = o.is_none();
                let outage = o.get_or_insert_with(|| Outage {
                    since: started,
                    error: e.clone(),
                    silent,
                });
                if outage.silent && !silent {
                    outage.error = e.clone();
                    outage.silent = false;
                }
                (outage.since, first.then(|| outage.error.clone()))
            };
            let waited = since.elapsed();
            if waited >= self.limit {
                let e = self
                    .outage
                    .lock()
                    .map(|o| o.as_ref().map(|o| o.error.clone()))
                    .unwrap_or(None)
                    .unwrap_or(e);
                return Err(StoreError::Unavailable {
                    cause: format!(
                        "{}；等待 {} 秒、重试 {} 次仍未恢复",
                        e.cause(),
                        secs(waited),
                        self.retries.load(Ordering::Relaxed)
                    ),
                    detail: e.detail().unwrap_or_default().to_string(),
                });
            }
            if let (Some(e), Some(notice)) = (first, self.notice) {
                notice(&format!(
                    "数据库暂时无法使用（{}），正在重试，最多等待 {} 秒……",
                    e.cause(),
                    secs(self.limit)
                ));
            }
            self.retries.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(pause.min(self.limit.saturating_sub(waited)));
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    /// A call has gone unanswered for [`SLOW`]: if another program holds the write lock
    /// of a SQLite file of this process, that starts the outage (at `started`, when the
    /// call began) and the user is told at once. Said once per outage.
    fn look_for_lock(&self, started: Instant) {
        {
            let o = self.outage.lock().unwrap_or_else(|p| p.into_inner());
            if o.as_ref().is_some_and(|o| !o.silent) {
                return;
            }
        }
        let Some(locked) = crate::sqlite_lock::locked_by_other() else {
            return;
        };
        let cause = format!(
            "数据库文件 {} 被其他程序（进程号 {}）锁定",
            locked.file.display(),
            locked.pid
        );
        {
            let mut o = self.outage.lock().unwrap_or_else(|p| p.into_inner());
            let error = StoreError::Transient {
                cause: cause.clone(),
                detail: format!("write lock held by process {}", locked.pid),
            };
            match o.as_mut() {
                Some(outage) if !outage.silent => return,
                Some(outage) => {
                    outage.error = error;
                    outage.silent = false;
                }
                None => {
                    *o = Some(Outage {
                        since: started,
                        error,
                        silent: false,
                    })
                }
            }
        }
        if let Some(notice) = self.notice {
            notice(&format!(
                "{cause}，正在等待其释放，最多等待 {} 秒……",
                secs(self.limit)
            ));
        }
    }

    /// What is left of the limit in the current outage (all of it when there is none).
    fn remaining(&self) -> Duration {
        let o = self.outage.lock().unwrap_or_else(|p| p.into_inner());
        match o.as_ref() {
            Some(o) => self.limit.saturating_sub(o.since.elapsed()),
            None => self.limit,
        }
    }

    fn recovered(&self) {
        let ended = self
            .outage
            .lock()
            .map(|mut o| o.take().is_some())
            .unwrap_or(false);
        if ended && let Some(notice) = self.notice {
            notice("数据库已恢复，继续入库。");
        }
    }
}

/// Seconds as said to the user: whole seconds, tenths below ten.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    let tenths = (s * 10.0).round();
    if s >= 10.0 {
        format!("{}", s.round() as u64)
    } else if tenths % 10.0 == 0.0 {
        // 4.02 s is said as 4, not 4.0.
        format!("{}", (tenths / 10.0) as u64)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        crate::runtime().unwrap()
    }

    fn lost() -> StoreError {
        StoreError::Transient {
            cause: "与数据库的连接中断".into(),
            detail: "connection reset".into(),
        }
    }

    #[test]
    fn a_transient_failure_is_tried_again() {
        let rt = runtime();
        let p = Patience::new(Duration::from_secs(5), None);
        let tries = AtomicUsize::new(0);
        let v = p
            .call(rt.handle(), || {
                let n = tries.fetch_add(1, Ordering::SeqCst);
                async move { if n < 2 { Err(lost()) } else { Ok(n) } }
            })
            .unwrap();
        assert_eq!(v, 2);
    }

    #[test]
    fn an_outage_ends_the_run_within_the_limit() {
        let rt = runtime();
        let p = Patience::new(Duration::from_millis(600), None);
        let started = Instant::now();
        let e = p
            .call(rt.handle(), || async { Err::<(), _>(lost()) })
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{e:?}");
        assert!(!e.is_transient());
        assert!(
            e.cause().starts_with("与数据库的连接中断；等待 0.")
                && e.cause().ends_with("次仍未恢复"),
            "{}",
            e.cause()
        );
    }

    #[test]
    fn a_call_that_never_answers_is_bounded() {
        let rt = runtime();
        let p = Patience::new(Duration::from_millis(300), None);
        let started = Instant::now();
        let e = p
            .call(rt.handle(), || {
                std::future::pending::<Result<(), StoreError>>()
            })
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(
            e.cause().starts_with("数据库在 0.3 秒内没有回答"),
            "{}",
            e.cause()
        );
    }

    #[test]
    fn other_errors_stop_at_once() {
        let rt = runtime();
        let p = Patience::new(Duration::from_secs(60), None);
        let tries = AtomicUsize::new(0);
        let e = p
            .call(rt.handle(), || {
                tries.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(StoreError::Invalid("坏".into())) }
            })
            .unwrap_err();
        assert_eq!(e, StoreError::Invalid("坏".into()));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }
}
