//! Runs and their reading notes. A run's id is random and names the process that runs
//! it (`RANDOM@BOOT:PID:START`: the machine's boot id, the process id and the process's
//! start time), so that a run on the same machine can tell at once that the run which
//! left a note is gone; a run elsewhere is known to be gone only when its note's
//! bound has passed.
//!
//! A note left by a run that is gone names a file that was being read when the program
//! ended: the reader may have crashed on it, or the program was killed (kill -9, power
//! loss) while it was read with others. Such a file is a *suspect*: it is read again,
//! alone — no other reading at the same time, noted under the run's solitary id
//! ([`solitary`]), the note removed as soon as the solitary reading ends (not when the
//! result is stored: a kill while the result waits for the writer is no evidence).
//! Only a file whose solitary reading has ended the program [`CONCLUSIVE`] times is
//! recorded as crashed; a kill at a random moment does not brand a good file.

use gongkai_store::Reading;
use std::collections::{HashMap, HashSet};

/// Solitary readings that ended the program before a file is recorded as crashed:
/// one could be a kill that happened to fall on it.
pub const CONCLUSIVE: usize = 2;

const SOLITARY: &str = "/alone";

/// The id under which run `run` notes its solitary readings.
pub fn solitary(run: &str) -> String {
    format!("{run}{SOLITARY}")
}

fn is_solitary(run: &str) -> bool {
    run.ends_with(SOLITARY)
}

/// This process as `BOOT:PID:START`, where the system tells (Linux).
pub(crate) fn this_process() -> Option<String> {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let pid = std::process::id();
    let start = start_time(pid)?;
    Some(format!("{}:{pid}:{start}", boot.trim()))
}

/// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks since boot.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// `true` when the run `run` (a note's run id) was a process on this machine, since
/// its last start, that is no longer running. `false` when it is running or when
/// this cannot be told (another machine, an id without a process).
pub(crate) fn gone_here(run: &str) -> bool {
    let run = run.strip_suffix(SOLITARY).unwrap_or(run);
    let Some((_, process)) = run.split_once('@') else {
        return false;
    };
    let mut parts = process.split(':');
    let (Some(boot), Some(pid), Some(start)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return false;
    };
    let Some(mine) = this_process() else {
        return false;
    };
    if mine.split(':').next() != Some(boot) {
        return false;
    }
    // A process id taken again by another program counts as gone too.
    start_time(pid) != Some(start)
}

/// What the notes of runs that are gone say about their files.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Files to record as crashed (their solitary reading ended the program often
    /// enough), one note each (oldest first).
    pub crashed: Vec<Reading>,
    /// Hashes of files to read alone.
    pub suspects: HashSet<String>,
}

/// Judges the notes of runs that are gone (`notes`, oldest first).
pub(crate) fn judge(notes: Vec<Reading>) -> Verdict {
    let mut solitary_deaths: HashMap<String, HashSet<String>> = HashMap::new();
    for r in &notes {
        if is_solitary(&r.run) {
            solitary_deaths
                .entry(r.hash.clone())
                .or_default()
                .insert(r.run.clone());
        }
    }
    let mut verdict = Verdict::default();
    let mut recorded = HashSet::new();
    for r in notes {
        let deaths = solitary_deaths.get(&r.hash).map_or(0, HashSet::len);
        if deaths >= CONCLUSIVE {
            if recorded.insert(r.hash.clone()) {
                verdict.crashed.push(r);
            }
        } else {
            verdict.suspects.insert(r.hash);
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(run: &str, hash: &str) -> Reading {
        Reading {
            run: run.into(),
            hash: hash.into(),
            path: format!("{hash}.txt"),
            size: 1,
            started_at: String::new(),
            stale_at: String::new(),
        }
    }

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_gone() {
        let me = this_process().expect("Linux /proc");
        assert!(!gone_here(&format!("abc@{me}")));
        assert!(!gone_here(&solitary(&format!("abc@{me}"))));
        let child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let start = start_time(pid);
        let mut child = child;
        child.wait().unwrap();
        let boot = me.split(':').next().unwrap();
        let gone = format!("abc@{boot}:{pid}:{}", start.unwrap_or(1));
        assert!(gone_here(&gone), "{gone}");
        // Another machine, or an id that names no process: cannot be told here.
        assert!(!gone_here("abc@00000000-other-boot:1:1"));
        assert!(!gone_here("killed"));
    }

    #[test]
    fn only_repeated_solitary_deaths_are_crashes() {
        let v = judge(vec![
            note("r1", "a"),
            note("r1", "b"),
            note("r2/alone", "a"),
            note("r3/alone", "a"),
            note("r3/alone", "b"),
        ]);
        assert_eq!(v.crashed.len(), 1);
        assert_eq!(v.crashed[0].hash, "a");
        assert_eq!(v.suspects, HashSet::from(["b".to_string()]));
    }
}
