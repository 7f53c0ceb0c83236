//! Which SQLite file of this process another program is writing to, and which program:
//! read from the system's table of file locks, so that a run waiting for a lock can
//! say so at once instead of after SQLite's own wait.
//!
//! SQLite locks its files with POSIX advisory locks: in WAL mode a writer holds a
//! write lock on byte 120 of the `-shm` file; in rollback-journal mode (and in WAL's
//! exclusive locking mode) a writer holds write locks at 0x40000000 of the database
//! file (the pending, reserved and shared bytes). Linux lists every lock in
//! `/proc/locks` with the holder's process id and the file's device and inode. The
//! files this process has open (`/proc/self/fd`) are matched against that list: a
//! write lock at those places held by another process is another program writing.
//!
//! Nothing here opens the database files: closing a descriptor of a file releases all
//! of this process's POSIX locks on it, SQLite's own included. Paths are only looked
//! at (`stat`). On other systems nothing is found.

use std::path::PathBuf;

/// A SQLite database of this process that another program holds a write lock on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Locked {
    /// The database file (not its `-shm` or `-wal` file).
    pub(crate) file: PathBuf,
    /// The process holding the lock.
    pub(crate) pid: u32,
}

/// First byte of SQLite's lock bytes in a database file (`PENDING_BYTE`), and the
/// last (the end of the shared range).
const DB_LOCKS: (u64, u64) = (0x4000_0000, 0x4000_0000 + 2 + 510 - 1);
/// The WAL write lock's byte in the `-shm` file.
const WAL_WRITE: u64 = 120;

/// The first database file of this process that another process holds a SQLite write
/// lock on, if any.
pub(crate) fn locked_by_other() -> Option<Locked> {
    #[cfg(target_os = "linux")]
    {
        let locks = std::fs::read_to_string("/proc/locks").ok()?;
        let open = open_files();
        find(&locks, &open, std::process::id())
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// A file this process has open: its path and (major, minor, inode).
type OpenFile = (PathBuf, (u64, u64, u64));

#[cfg(target_os = "linux")]
fn open_files() -> Vec<OpenFile> {
    use std::os::unix::fs::MetadataExt;
    let mut out: Vec<OpenFile> = Vec::new();
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return out;
    };
    for fd in fds.flatten() {
        let Ok(path) = std::fs::read_link(fd.path()) else {
            continue;
        };
        if !path.is_absolute() {
            continue; // sockets, pipes, anonymous files
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let id = (major(meta.dev()), minor(meta.dev()), meta.ino());
        if !out.iter().any(|(_, i)| *i == id) {
            out.push((path, id));
        }
    }
    out
}

/// The device numbers as Linux (and `/proc/locks`) splits them.
#[cfg(target_os = "linux")]
fn major(dev: u64) -> u64 {
    ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)
}

#[cfg(target_os = "linux")]
fn minor(dev: u64) -> u64 {
    ((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)
}

/// Reads `/proc/locks` (`1: POSIX  ADVISORY  WRITE 4242 fe:00:10010640 120 120`;
/// a waiting request is listed after `->`) against the open files.
fn find(locks: &str, open: &[OpenFile], me: u32) -> Option<Locked> {
    for line in locks.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // id, class, mode, type, pid, device:inode, start, end
        if fields.len() < 8 || fields[1] == "->" || fields[1] != "POSIX" || fields[3] != "WRITE" {
            continue;
        }
        let Ok(pid) = fields[4].parse::<u32>() else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Some(id) = device_inode(fields[5]) else {
            continue;
        };
        let Ok(start) = fields[6].parse::<u64>() else {
            continue;
        };
        let end = if fields[7] == "EOF" {
            u64::MAX
        } else {
            match fields[7].parse::<u64>() {
                Ok(e) => e,
                Err(_) => continue,
            }
        };
        for (path, file) in open {
            if *file != id {
                continue;
            }
            let name = path.to_string_lossy();
            let db = if let Some(db) = name.strip_suffix("-shm") {
                if !(start <= WAL_WRITE && WAL_WRITE <= end) {
                    continue;
                }
                PathBuf::from(db)
            } else {
                if end < DB_LOCKS.0 || start > DB_LOCKS.1 {
                    continue;
                }
                path.clone()
            };
            return Some(Locked { file: db, pid });
        }
    }
    None
}

/// `fe:00:10010640` → (0xfe, 0x00, 10010640).
fn device_inode(s: &str) -> Option<(u64, u64, u64)> {
    let mut it = s.split(':');
    let major = u64::from_str_radix(it.next()?, 16).ok()?;
    let minor = u64::from_str_radix(it.next()?, 16).ok()?;
    let inode = it.next()?.parse().ok()?;
    it.next().is_none().then_some((major, minor, inode))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCKS: &str = "\
1: POSIX  ADVISORY  WRITE 18890 fe:00:10010640 120 120
2: POSIX  ADVISORY  READ 18890 fe:00:10010640 124 124
3: POSIX  ADVISORY  READ 18890 fe:00:10010640 128 128
4: POSIX  ADVISORY  READ 18890 fe:00:10010638 1073741826 1073742335
5: FLOCK  ADVISORY  WRITE 7065 fe:00:5308835 0 EOF
";

    fn open() -> Vec<OpenFile> {
        vec![
            ("/data/gongkai.db".into(), (0xfe, 0, 10010638)),
            ("/data/gongkai.db-shm".into(), (0xfe, 0, 10010640)),
            ("/data/gongkai.db-wal".into(), (0xfe, 0, 10010639)),
        ]
    }

    #[test]
    fn a_wal_writer_of_another_process_is_found() {
        assert_eq!(
            find(LOCKS, &open(), 1),
            Some(Locked {
                file: "/data/gongkai.db".into(),
                pid: 18890
            })
        );
    }

    #[test]
    fn own_locks_readers_and_other_files_are_not() {
        // This process's own writer.
        assert_eq!(find(LOCKS, &open(), 18890), None);
        // Readers only.
        let readers: String = LOCKS.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert_eq!(find(&readers, &open(), 1), None);
        // A file this process does not have open.
        assert_eq!(find(LOCKS, &open()[..1], 1), None);
    }

    #[test]
    fn a_rollback_journal_writer_is_found() {
        let locks = "1: POSIX  ADVISORY  WRITE 77 fe:00:10010638 1073741825 1073741825\n\
                     2: -> POSIX  ADVISORY  WRITE 78 fe:00:10010638 1073741824 1073741824\n";
        assert_eq!(find(locks, &open(), 1).map(|l| l.pid), Some(77));
        // A request still waiting holds nothing.
        let waiting = locks.lines().nth(1).unwrap();
        assert_eq!(find(waiting, &open(), 1), None);
    }
}
