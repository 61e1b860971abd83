//! Account rules, pure: the password policy, lockout after repeated failures, token lifetimes
//! and API-key scopes. Hashing and storage live in the outer layers.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};

use crate::text::Bilingual;

/// How logins are guarded. Defaults follow common government-system practice (等保 2.0 asks for
/// lockout after repeated failures and a complexity rule); a city configures its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginPolicy {
    /// Failed logins in a row, for one name from one client address, that lock that name for
    /// that address (others still log in: an attacker cannot lock a person out from afar).
    pub max_failures: u32,
    /// How long the first lock lasts; each lock after it, before a successful login, lasts twice
    /// as long as the one before (backoff), up to `max_lock_minutes`.
    pub lock_minutes: i64,
    /// The longest lock.
    pub max_lock_minutes: i64,
    /// Failed logins in a row for one name from any addresses that lock the name everywhere
    /// (guessing spread over many addresses).
    pub account_failures: u32,
    /// How long a login token lives.
    pub token_hours: i64,
    /// Shortest password accepted.
    pub min_password_chars: usize,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lock_minutes: 15,
            max_lock_minutes: 24 * 60,
            account_failures: 50,
            token_hours: 12,
            min_password_chars: 8,
        }
    }
}

/// The failed logins counted for a name, from one client address or from all of them. Kept for
/// names that exist and names that do not alike, so the answers never tell which names exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginState {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// Locks so far without a successful login in between (each doubles the next).
    pub locks: u32,
}

impl LoginPolicy {
    /// Why a new password is not acceptable, if it is not: long enough, and at least three of
    /// ASCII lower-case letters, ASCII upper-case letters, digits and anything else (symbols,
    /// Chinese characters), and not containing the username.
    pub fn check_password(&self, username: &str, password: &str) -> Result<(), Bilingual> {
        let min = self.min_password_chars;
        if password.chars().count() < min {
            return Err(Bilingual::new(
                format!("密码至少 {min} 个字符"),
                format!("the password must have at least {min} characters"),
            ));
        }
        if password.chars().count() > 128 {
            return Err(Bilingual::new("密码最多 128 个字符", "the password must have at most 128 characters"));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            // Symbols, and any letter outside ASCII (汉字 included).
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|&&b| b).count() < 3 {
            return Err(Bilingual::new(
                "密码须含小写字母、大写字母、数字、符号中的至少三类",
                "the password must mix three of: lower-case letters, upper-case letters, digits, symbols",
            ));
        }
        if password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(Bilingual::new("密码不能包含账号", "the password must not contain the username"));
        }
        Ok(())
    }

    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, s: &LoginState, now: DateTime<Utc>) -> bool {
        s.locked_until.is_some_and(|t| now < t)
    }

    /// The state after a failed login, counted against `threshold` failures (`max_failures` for
    /// one address, `account_failures` for all): one more failure, locked once there are enough,
    /// each lock twice as long as the last (up to `max_lock_minutes`); the count starts again once
    /// a lock has run out, the backoff only after a successful login.
    pub fn after_failure(&self, s: &LoginState, now: DateTime<Utc>, threshold: u32) -> LoginState {
        let expired = s.locked_until.is_some_and(|t| now >= t);
        let failures = if expired { 1 } else { s.failures + 1 };
        if failures >= threshold.max(1) {
            let minutes = self
                .lock_minutes
                .saturating_mul(1i64 << s.locks.min(20))
                .min(self.max_lock_minutes.max(self.lock_minutes));
            LoginState { failures, locked_until: Some(now + Duration::minutes(minutes)), locks: s.locks + 1 }
        } else {
            LoginState { failures, locked_until: None, locks: s.locks }
        }
    }

    /// When a token issued at `now` expires.
    pub fn token_expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::hours(self.token_hours)
    }
}

/// Names no account may take: `anonymous` is how the logs name a resident without an account,
/// and the rest would read as the system itself in an audit entry.
pub const RESERVED_USERNAMES: [&str; 5] = ["anonymous", "operator", "system", "root", "shanzhi"];

/// Why `name` cannot be an account's name, if it cannot: 2 to 32 characters, lower-case ASCII
/// letters, digits, `-`, `_` and `.`, starting with a letter, and not reserved. A name can hold no
/// `:`, so it never collides with a follow-code resident (`anon:…`) or a unit id.
pub fn check_username(name: &str) -> Result<(), Bilingual> {
    if !(2..=32).contains(&name.len()) {
        return Err(Bilingual::new("账号须为 2 到 32 个字符", "2 to 32 characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(Bilingual::new("账号须以小写字母开头", "must start with a lower-case letter"));
    }
    if let Some(c) = name.chars().find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))) {
        return Err(Bilingual::new(
            format!("账号不能含「{c}」：只能用小写字母、数字和 - _ ."),
            format!("`{c}` is not allowed: use lower-case letters, digits, `-`, `_` and `.`"),
        ));
    }
    if RESERVED_USERNAMES.contains(&name) {
        return Err(Bilingual::new(format!("「{name}」是保留名称"), format!("`{name}` is reserved")));
    }
    Ok(())
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Scope {
    /// Report problems (devices, the hotline system): `POST /api/v1/cases` only.
    Report,
    /// Read what the key's account may read.
    Read,
    /// The Open311 GeoReport v2 endpoints.
    Open311,
    /// Everything the key's account may do.
    Full,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Report, Scope::Read, Scope::Open311, Scope::Full];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Scope> {
        s.parse().ok()
    }

    /// Whether a request (method, path) is inside the scope.
    pub fn allows(self, method: &str, path: &str) -> bool {
        match self {
            Scope::Full => true,
            Scope::Report => method == "POST" && path == "/api/v1/cases",
            Scope::Read => method == "GET" && path.starts_with("/api/v1/"),
            Scope::Open311 => path.starts_with("/open311/"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_checked() {
        for ok in ["admin", "lunan-chengguan", "device-drone-01", "wang.li_2"] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a", "Admin", "1abc", "anon:1234", "wang li", "张伟", "anonymous", "operator", &"a".repeat(33)]
        {
            assert!(check_username(bad).is_err(), "{bad} accepted");
        }
        let e = check_username("anon:ab").unwrap_err();
        assert!(e.en.contains("`:`") && e.zh.contains("「:」"), "{e:?}");
    }

    #[test]
    fn passwords_need_length_and_three_kinds_of_character() {
        let p = LoginPolicy::default();
        assert!(p.check_password("admin", "Short1!").is_err());
        assert!(p.check_password("admin", "alllowercase").is_err());
        assert!(p.check_password("admin", "lower1234567").is_err(), "two classes are not enough");
        assert!(p.check_password("admin", "Lower1234567").is_ok());
        assert!(p.check_password("admin", "我的密码abc123").is_ok(), "Chinese characters count as other");
        assert!(p.check_password("lixin", "Lixin-2026!").is_err(), "contains the username");
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes_then_counting_starts_again() {
        let p = LoginPolicy::default();
        let t0 = Utc::now();
        let mut s = LoginState::default();
        for i in 1..5 {
            s = p.after_failure(&s, t0, p.max_failures);
            assert_eq!((s.failures, s.locked_until), (i, None));
        }
        s = p.after_failure(&s, t0, p.max_failures);
        assert!(p.is_locked(&s, t0 + Duration::minutes(14)));
        assert!(!p.is_locked(&s, t0 + Duration::minutes(15)));
        let after = p.after_failure(&s, t0 + Duration::minutes(16), p.max_failures);
        assert_eq!((after.failures, after.locked_until, after.locks), (1, None, 1));
    }

    #[test]
    fn each_lock_lasts_twice_the_last_up_to_a_day() {
        let p = LoginPolicy::default();
        let mut t = Utc::now();
        let mut s = LoginState::default();
        let mut lengths = Vec::new();
        for _ in 0..8 {
            for _ in 0..p.max_failures {
                s = p.after_failure(&s, t, p.max_failures);
            }
            let until = s.locked_until.unwrap();
            lengths.push((until - t).num_minutes());
            t = until;
        }
        assert_eq!(lengths, [15, 30, 60, 120, 240, 480, 960, 1440]);
    }

    #[test]
    fn scopes_cover_their_endpoints_only() {
        assert!(Scope::Report.allows("POST", "/api/v1/cases"));
        assert!(!Scope::Report.allows("GET", "/api/v1/cases"));
        assert!(!Scope::Report.allows("POST", "/api/v1/cases/1/actions"));
        assert!(!Scope::Report.allows("POST", "/api/v1/cases/1/notes"), "a note answers the case: not for report keys");
        assert!(Scope::Read.allows("GET", "/api/v1/cases/1"));
        assert!(!Scope::Read.allows("POST", "/api/v1/cases"));
        assert!(Scope::Open311.allows("POST", "/open311/v2/requests.json"));
        assert!(!Scope::Open311.allows("GET", "/api/v1/cases"));
        assert!(Scope::Full.allows("POST", "/api/v1/cases/1/actions"));
        assert_eq!(Scope::parse("open311"), Some(Scope::Open311));
        assert_eq!(Scope::parse("admin"), None);
    }
}
