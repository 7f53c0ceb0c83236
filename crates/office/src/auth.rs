//! Passwords (Argon2id), session tokens and lookup codes. Only hashes are stored:
//! a copy of the database does not let anyone log in or read a case.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

/// A PHC string (`$argon2id$…`) for `password`.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// `hash_password` off the async threads (Argon2 takes tens of milliseconds).
pub(crate) async fn hash_off_thread(password: &str) -> crate::Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| crate::OfficeError::Document("无法计算密码摘要".into()))
}

/// Whether `password` matches `phc`, off the async threads. With no account
/// (`None`) a dummy hash is checked all the same, so the time taken does not tell
/// whether the name exists.
pub(crate) async fn password_matches(password: &str, phc: Option<String>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = phc.unwrap_or_else(|| DUMMY.get_or_init(|| hash_password("-")).clone());
    let password = password.to_string();
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

/// Fills `buf` from the operating system's random source. A system that cannot
/// give randomness cannot run a login safely: that is a fatal fault, not an input error.
fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source is unavailable");
}

/// A random token of `bytes` bytes as lowercase hex.
pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    fill_random(&mut b);
    hex(&b)
}

/// sha256 of `s` as lowercase hex: what is stored for a token.
pub fn token_hash(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_differ_by_salt() {
        let a = hash_password("正确的密码");
        let b = hash_password("正确的密码");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password("正确的密码", &a));
        assert!(!verify_password("错误的密码", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let t = random_token(32);
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token(32));
        assert_eq!(token_hash("abc").len(), 64);
        assert!(same_token(&t, &t.clone()));
        assert!(!same_token(&t, &random_token(32)));
    }
}
