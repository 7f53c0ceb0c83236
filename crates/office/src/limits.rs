//! Limits on attempts per key (submissions and lookups per address, failed logins per
//! name and per address). The attempts are counted in the store, so every server of
//! a cluster sees the same counts. A key found over its limit is remembered here
//! until its count falls back under the limit, so a flood from one address is
//! refused without counting in the database again (the flood must not slow the clerks).

use crate::Office;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Keys remembered at most (a flood from many addresses cannot grow it without bound;
/// when it is full the database is asked, as without it).
const MAX_REMEMBERED: usize = 10_000;

/// Keys known to be over their limit, each until the moment it falls back under.
#[derive(Default)]
pub(crate) struct Refusals {
    until: Mutex<HashMap<String, Instant>>,
}

impl Refusals {
    pub(crate) fn refused(&self, key: &str) -> bool {
        let g = self.until.lock().unwrap_or_else(|p| p.into_inner());
        g.get(key).is_some_and(|t| *t > Instant::now())
    }

    fn remember(&self, key: &str, until: Instant) {
        let mut g = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if g.len() >= MAX_REMEMBERED {
            let now = Instant::now();
            g.retain(|_, t| *t > now);
            if g.len() >= MAX_REMEMBERED {
                return;
            }
        }
        g.insert(key.to_string(), until);
    }
}

impl Office {
    /// Whether `key` has reached `max` attempts in the last `window`.
    pub(crate) async fn over_limit(&self, key: &str, window: Duration, max: i64) -> Result<bool> {
        if self.refusals.refused(key) {
            return Ok(true);
        }
        let now = Utc::now();
        let since = crate::utc_text(now - window);
        // A max-th newest attempt in the window means `max` of them; the key is under
        // the limit again once that one leaves the window.
        let Some(nth) = self.store.nth_newest_failure(key, &since, max).await? else {
            return Ok(false);
        };
        if let Ok(at) = DateTime::parse_from_rfc3339(&nth) {
            let left = (at.with_timezone(&Utc) + window - now)
                .to_std()
                .unwrap_or_default();
            self.refusals.remember(key, Instant::now() + left);
        }
        Ok(true)
    }

    /// Counts one attempt under `key` if fewer than `max` were counted in the last
    /// `window`, checking and counting in one step (of attempts sent together,
    /// exactly those under the limit pass): whether it was counted.
    pub(crate) async fn take_attempt(&self, key: &str, window: Duration, max: i64) -> Result<bool> {
        let since = crate::utc_text(Utc::now() - window);
        Ok(self.store.take_attempt(key, &since, max).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_remembered_until_its_moment_only() {
        let r = Refusals::default();
        assert!(!r.refused("submit:10.0.0.1"));
        r.remember(
            "submit:10.0.0.1",
            Instant::now() + std::time::Duration::from_secs(60),
        );
        r.remember("submit:10.0.0.2", Instant::now());
        assert!(r.refused("submit:10.0.0.1"));
        assert!(!r.refused("submit:10.0.0.2"), "its moment has passed");
        assert!(!r.refused("submit:10.0.0.3"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_over_its_limit_is_refused_until_its_oldest_counted_attempt_leaves() {
        let f = crate::testing::demo_office().await;
        let o = &f.office;
        let window = Duration::minutes(60);
        for _ in 0..2 {
            o.store
                .record_login_failure("submit:192.0.2.7")
                .await
                .unwrap();
        }
        assert!(!o.over_limit("submit:192.0.2.7", window, 3).await.unwrap());
        assert!(!o.refusals.refused("submit:192.0.2.7"));
        o.store
            .record_login_failure("submit:192.0.2.7")
            .await
            .unwrap();
        assert!(o.over_limit("submit:192.0.2.7", window, 3).await.unwrap());
        // Remembered for about the window: the three attempts were made just now.
        let until = o.refusals.until.lock().unwrap()["submit:192.0.2.7"];
        let left = until - Instant::now();
        assert!(left > std::time::Duration::from_secs(59 * 60), "{left:?}");
        assert!(left <= std::time::Duration::from_secs(60 * 60), "{left:?}");
        // Refused from memory, as the database would say, and only this key.
        assert!(o.over_limit("submit:192.0.2.7", window, 3).await.unwrap());
        assert!(!o.over_limit("submit:192.0.2.8", window, 3).await.unwrap());
    }

    #[test]
    fn a_full_memory_forgets_the_expired_and_never_grows_past_its_bound() {
        let r = Refusals::default();
        for i in 0..MAX_REMEMBERED {
            r.remember(&format!("k{i}"), Instant::now());
        }
        r.remember("live", Instant::now() + std::time::Duration::from_secs(60));
        assert!(r.refused("live"), "the expired made room");
        let g = r.until.lock().unwrap();
        assert_eq!(g.len(), 1);
        drop(g);
        for i in 0..MAX_REMEMBERED + 5 {
            r.remember(
                &format!("x{i}"),
                Instant::now() + std::time::Duration::from_secs(60),
            );
        }
        assert_eq!(r.until.lock().unwrap().len(), MAX_REMEMBERED);
    }
}
