//! Authentication: password login (argon2id, with lockout after repeated failures), login tokens
//! (random, stored as SHA-256 hashes, expiring, revocable), password change, API keys for devices
//! and external systems (scoped, revocable, stored hashed), and who a request's credentials name.
//! Hashing runs on the blocking pool; a verified token is remembered for a few seconds so intake
//! at thousands of reports a second does not read the token table for each one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use shanzhi_domain::accounts::{LoginState, Scope};
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::people::Role;

use crate::{App, AppError};

/// Login tokens start with this; API keys with [`KEY_PREFIX`].
pub const TOKEN_PREFIX: &str = "szt_";
pub const KEY_PREFIX: &str = "szk_";

/// How long a verified token or key is trusted without asking the store again. A revocation in
/// this process takes effect at once; one made through another server within this time.
const TRUST: Duration = Duration::from_secs(15);

/// The credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// None: an anonymous resident.
    None,
    /// `Authorization: Bearer …`: a login token or an API key.
    Bearer(&'a str),
    /// An API key sent as `X-API-Key` or `api_key`.
    ApiKey(&'a str),
    /// A resident without an account, known by a follow code of their own making (`X-Follow-Code`,
    /// 32–64 hex digits, kept on their phone): they report under it and later follow and rate
    /// what they reported, and nothing else (see `Caller::follower`).
    FollowCode(&'a str),
}

/// The account name of a follow code's resident: this prefix and part of the code's hash. No
/// account name contains `:`, so none is ever taken for one of these.
pub const FOLLOWER_PREFIX: &str = "anon:";

/// A reporter's name for an anonymous report: [`FOLLOWER_PREFIX`] and 128 random bits, like a
/// follow code's resident but with no code behind it, so nobody can call as it; only the case's
/// short follow code acts as it, on that one case.
pub(crate) fn pseudonym() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{FOLLOWER_PREFIX}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Who is calling, and what an API key limits them to.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub actor: Actor,
    /// The key's scope, for a caller that came with an API key.
    pub scope: Option<Scope>,
    /// The hash of the login token used (for logout and password change).
    token_hash: Option<String>,
    /// The hash of the API key used (to re-check it: `App::still_valid`).
    key_hash: Option<String>,
}

impl Caller {
    /// Whether the caller came with a login (not an API key): personal data is unmasked only
    /// for a person who logged in, never for a key a program holds.
    pub fn logged_in(&self) -> bool {
        self.token_hash.is_some()
    }

    /// The login or key this caller came with, as the audit names it: the start of its hash
    /// (the secret itself is never written), which the tokens and keys tables hold whole.
    pub fn session(&self) -> String {
        match (&self.token_hash, &self.key_hash) {
            (Some(h), _) => format!("login {}", &h[..h.len().min(12)]),
            (None, Some(h)) => format!("API key {}", &h[..h.len().min(12)]),
            (None, None) => "no login".into(),
        }
    }
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller { actor: Actor::anonymous(), scope: None, token_hash: None, key_hash: None }
    }

    pub fn is_anonymous(&self) -> bool {
        self.actor.is_anonymous()
    }

    /// The hash of the login token the caller came with, if a token.
    pub fn token_hash(&self) -> Option<&str> {
        self.token_hash.as_deref()
    }

    /// The resident behind a follow code: a pseudonymous reporter (the code is never stored, only
    /// 128 bits of its SHA-256), whose data scope is their own reports.
    pub fn follower(code: &str) -> Result<Caller, AppError> {
        let ok = (32..=64).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(AppError::Unauthenticated("X-Follow-Code must be 32 to 64 hexadecimal digits".into()));
        }
        let user = format!("{FOLLOWER_PREFIX}{}", &digest(&code.to_ascii_lowercase())[..32]);
        Ok(Caller {
            actor: Actor { user, role: Role::Resident, unit: String::new() },
            scope: None,
            token_hash: None,
            key_hash: None,
        })
    }
}

/// A login's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
}

/// Verified tokens and keys, by hash, with when they were verified and when they expire.
#[derive(Default)]
pub(crate) struct TrustCache(Mutex<HashMap<String, (Caller, Instant, Option<DateTime<Utc>>)>>);

impl TrustCache {
    fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<Caller> {
        let map = self.0.lock().expect("trust cache");
        let (caller, at, expires) = map.get(hash)?;
        (at.elapsed() < TRUST && expires.is_none_or(|e| now < e)).then(|| caller.clone())
    }

    fn put(&self, hash: String, caller: Caller, expires: Option<DateTime<Utc>>) {
        let mut map = self.0.lock().expect("trust cache");
        if map.len() > 100_000 {
            map.retain(|_, (_, at, _)| at.elapsed() < TRUST);
        }
        map.insert(hash, (caller, Instant::now(), expires));
    }

    fn forget(&self, hash: &str) {
        self.0.lock().expect("trust cache").remove(hash);
    }

    fn forget_user(&self, username: &str) {
        self.0.lock().expect("trust cache").retain(|_, (c, _, _)| c.actor.user != username);
    }
}

/// SHA-256 of a token or key, in hex: what the store keeps.
pub(crate) fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random secret (256 bits) with a prefix that tells what it is.
fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The argon2id PHC string of a password (on the blocking pool: it takes tens of milliseconds).
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(p.as_bytes()).map(|h| h.to_string()).map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

async fn verify_password(password: &str, phc: &str) -> Result<bool, AppError> {
    let (p, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&phc).map_err(AppError::internal)?;
        Ok(Argon2::default().verify_password(p.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

fn wrong() -> AppError {
    AppError::Unauthenticated("wrong username or password".into()).with_zh("账号或密码错误")
}

impl App {
    /// The actor a username names (the command line's `--user`, and tests): a known account, or,
    /// without a name, an anonymous resident. Every service takes one, so it is the context's.
    pub async fn actor(&self, username: Option<&str>) -> Result<Actor, AppError> {
        let Some(name) = username else {
            return Ok(Actor::anonymous());
        };
        let u = self.user(name).ok_or_else(|| AppError::Unauthenticated(format!("unknown user `{name}`")))?;
        Ok(Actor { user: u.username, role: u.role, unit: u.unit })
    }

    /// The caller an account's token or key stands for, from the account as the store has it now
    /// (read once per trust period, so a role change or a disabling made through another server
    /// takes effect here too).
    /// `hash` is the token's or, with a `scope`, the key's.
    async fn caller_for(&self, username: &str, scope: Option<Scope>, hash: String) -> Result<Caller, AppError> {
        let u = self.fresh_user(username).await?.ok_or_else(|| {
            AppError::Unauthenticated(format!("the account `{username}` no longer exists or was disabled"))
                .with_zh(format!("账号「{username}」已不存在或已停用"))
        })?;
        let (token_hash, key_hash) = if scope.is_some() { (None, Some(hash)) } else { (Some(hash), None) };
        Ok(Caller { actor: Actor { user: u.username, role: u.role, unit: u.unit }, scope, token_hash, key_hash })
    }

    /// Logs in with a password: a new token, or `Unauthenticated` (the same answer whether the
    /// user or the password was wrong), or `Locked` after too many failures in a row.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, AppError> {
        self.login_from(username, password, "local").await
    }

    /// [`App::login`] from a client address. Failures are counted per name and address, and per
    /// name from all addresses (a higher bar), for names that exist and names that do not alike:
    /// an attacker cannot lock a person out from elsewhere, and no answer tells which names exist.
    pub async fn login_from(&self, username: &str, password: &str, address: &str) -> Result<Session, AppError> {
        let now = self.clock().now();
        let policy = self.login_policy();
        // A name longer than any account's is no account's (and keeps the table's keys short).
        let name: String = username.chars().take(64).collect();
        let address: String = address.chars().take(64).collect();
        let all = shanzhi_store::ALL_ADDRESSES;
        // One login of a name at a time in this server (other servers on the same database can
        // still interleave theirs: a handful more guesses at most, not dozens).
        let _turn = self.auth.login_turns.of(&name).lock().await;
        let states = self.store().login_states(&name, &[&address, all]).await?;
        let here = states.get(&address).copied().unwrap_or_default();
        let everywhere = states.get(all).copied().unwrap_or_default();
        let locked = |s: &LoginState| policy.is_locked(s, now).then_some(s.locked_until).flatten();
        if let Some(until) = locked(&here).into_iter().chain(locked(&everywhere)).max() {
            return Err(AppError::Locked(format!("too many failed logins: locked until {}", until.to_rfc3339()))
                .with_zh(format!(
                    "登录失败次数过多，已锁定至 {}",
                    until.with_timezone(&self.reference().calendar.utc_offset()).format("%Y-%m-%d %H:%M")
                )));
        }
        // From the store, not the cache: another server may have added, changed or disabled it.
        let user = self.fresh_user(&name).await?;
        let cred = match &user {
            Some(_) => self.store().credential(&name).await?,
            None => None,
        };
        // A name without an account spends the same time on a check as one with it.
        let good = match &cred {
            Some(c) => verify_password(password, &c.password_hash).await?,
            None => {
                let _ = verify_password(password, &self.dummy_hash().await?).await;
                false
            }
        };
        if !good {
            let here = policy.after_failure(&here, now, policy.max_failures);
            let everywhere = policy.after_failure(&everywhere, now, policy.account_failures);
            self.store().set_login_states(&name, &[(&address, here), (all, everywhere)], now).await?;
            let locked = [here, everywhere].iter().any(|s| policy.is_locked(s, now));
            // Failures for accounts are audited; names without one are only counted (an attacker
            // trying millions of names must not grow the audit chain, nor write into it).
            if user.is_some() {
                let action = if locked { "auth.locked" } else { "auth.login_failed" };
                let detail = format!(
                    "{} failures in a row from {address}, {} from anywhere",
                    here.failures, everywhere.failures
                );
                self.audit(&name, action, &name, detail).await?;
            }
            if locked {
                let until = [here, everywhere].iter().filter_map(|s| s.locked_until).max().unwrap_or(now);
                let minutes = (until - now).num_minutes().max(1);
                return Err(AppError::Locked(format!("too many failed logins in a row: locked for {minutes} minutes"))
                    .with_zh(format!("连续登录失败次数过多，锁定 {minutes} 分钟")));
            }
            return Err(wrong());
        }
        if here != LoginState::default() || everywhere != LoginState::default() {
            self.store().clear_login_failures_from(&name, &[&address, all]).await?;
        }
        let username = name.as_str();
        let token = new_secret(TOKEN_PREFIX);
        let expires_at = policy.token_expiry(now);
        self.store().insert_token(&digest(&token), username, now, expires_at).await?;
        self.audit(username, "auth.login", username, format!("token until {}", expires_at.to_rfc3339())).await?;
        let u = user.ok_or_else(wrong)?;
        Ok(Session {
            token,
            expires_at,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            unit: u.unit,
        })
    }

    /// Forgets what this process trusts of an account's tokens and keys: the next request with
    /// them is checked against the store (and the account) again.
    pub(crate) fn forget_logins_of(&self, username: &str) {
        self.auth.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.auth.trusted.forget_user(username);
    }

    /// Counts the administrators' changes to accounts: what was read from the store before a
    /// change is not cached after it (`fresh_user`, the trust cache).
    pub(crate) fn account_epoch(&self) -> u64 {
        self.auth.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A hash to verify against when the user is unknown (made once).
    async fn dummy_hash(&self) -> Result<String, AppError> {
        if let Some(h) = self.auth.dummy.get() {
            return Ok(h.clone());
        }
        let h = hash_password("no such user, no such password").await?;
        Ok(self.auth.dummy.get_or_init(|| h).clone())
    }

    /// Who the credentials name. No credentials: an anonymous resident. A bad, expired or revoked
    /// token or key: `Unauthenticated`.
    pub async fn authenticate(&self, credentials: Credentials<'_>) -> Result<Caller, AppError> {
        let now = self.clock().now();
        let (secret, is_key) = match credentials {
            Credentials::None => return Ok(Caller::anonymous()),
            Credentials::FollowCode(code) => return Caller::follower(code),
            Credentials::Bearer(s) => (s, s.starts_with(KEY_PREFIX)),
            Credentials::ApiKey(s) => (s, true),
        };
        let hash = digest(secret);
        // A cached caller answers only for the kind of credential it was cached as: a login
        // token sent where only API keys go (`api_key=`) is not a key.
        if let Some(c) = self.auth.trusted.get(&hash, now).filter(|c| c.key_hash.is_some() == is_key) {
            return Ok(c);
        }
        let epoch = self.account_epoch();
        if is_key {
            let key = self.store().api_key_by_hash(&hash).await?;
            let key = key
                .filter(|k| k.revoked_at.is_none())
                .ok_or_else(|| AppError::Unauthenticated("the API key is not known or was revoked".into()))?;
            let scope = Scope::parse(&key.scope).ok_or_else(|| AppError::internal(format!("scope {}", key.scope)))?;
            let caller = self.caller_for(&key.username, Some(scope), hash.clone()).await?;
            if self.account_epoch() == epoch {
                self.auth.trusted.put(hash, caller.clone(), None);
            }
            return Ok(caller);
        }
        let token = self.store().token(&hash).await?;
        let token = token.filter(|t| !t.revoked && now < t.expires_at).ok_or_else(|| {
            AppError::Unauthenticated("the token is not known, has expired or was revoked: log in again".into())
                .with_zh("登录已失效，请重新登录")
        })?;
        let caller = self.caller_for(&token.username, None, hash.clone()).await?;
        if self.account_epoch() == epoch {
            self.auth.trusted.put(hash, caller.clone(), Some(token.expires_at));
        }
        Ok(caller)
    }

    /// Whether the credentials a caller came with still stand: the token or key neither revoked
    /// nor expired, and the account still active with the same role and unit. Long answers (the
    /// event stream) ask now and then; within the trust period the answer comes from memory.
    /// Residents without an account carry nothing that can be revoked.
    pub async fn still_valid(&self, caller: &Caller) -> Result<bool, AppError> {
        let now = self.clock().now();
        let Some(hash) = caller.token_hash.as_ref().or(caller.key_hash.as_ref()) else {
            return Ok(true);
        };
        if self.auth.trusted.get(hash, now).is_some_and(|c| c.actor == caller.actor) {
            return Ok(true);
        }
        let epoch = self.account_epoch();
        let (stands, expires) = if caller.token_hash.is_some() {
            match self.store().token(hash).await? {
                Some(t) if !t.revoked && now < t.expires_at => (true, Some(t.expires_at)),
                _ => (false, None),
            }
        } else {
            (self.store().api_key_by_hash(hash).await?.is_some_and(|k| k.revoked_at.is_none()), None)
        };
        if !stands {
            return Ok(false);
        }
        let user = self.fresh_user(&caller.actor.user).await?;
        let same = user.is_some_and(|u| u.role == caller.actor.role && u.unit == caller.actor.unit);
        if same && self.account_epoch() == epoch {
            // Trusted again for a while: a busy stream asks the store once per trust period.
            self.auth.trusted.put(hash.clone(), caller.clone(), expires);
        }
        Ok(same)
    }

    /// Ends the caller's login (revokes its token).
    pub async fn logout(&self, caller: &Caller) -> Result<(), AppError> {
        let Some(hash) = &caller.token_hash else {
            return Err(AppError::invalid("Authorization", "log out with the login token, not an API key"));
        };
        self.auth.trusted.forget(hash);
        self.store().revoke_token(hash, self.clock().now()).await?;
        self.audit(&caller.actor.user, "auth.logout", &caller.actor.user, "").await
    }

    /// Changes the caller's password; every other login of the account ends.
    pub async fn change_password(&self, caller: &Caller, old: &str, new: &str) -> Result<(), AppError> {
        if caller.token_hash.is_none() {
            return Err(AppError::Forbidden("a password is changed after logging in with it".into()));
        }
        let username = caller.actor.user.clone();
        let cred = self.store().credential(&username).await?.ok_or_else(wrong)?;
        if !verify_password(old, &cred.password_hash).await? {
            return Err(AppError::invalid("old_password", "the old password is wrong").with_zh("原密码错误"));
        }
        self.login_policy().check_password(&username, new).map_err(|m| AppError::invalid_in("new_password", m))?;
        if old == new {
            return Err(
                AppError::invalid("new_password", "the new password is the old one").with_zh("新密码与原密码相同")
            );
        }
        let now = self.clock().now();
        self.store().set_password(&username, &hash_password(new).await?, now).await?;
        self.auth.trusted.forget_user(&username);
        // Every login of the account ends, the one that changed the password too: whoever knew
        // the old password may hold one of them.
        let ended = self.store().revoke_tokens_of(&username, None, now).await?;
        self.audit(&username, "auth.password", &username, format!("{ended} login(s) ended, this one too")).await
    }

    /// Sets a user's password (administration, first start): the policy applies.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<(), AppError> {
        self.set_password_by("operator", username, password).await
    }

    /// [`App::set_password`], recording who did it.
    pub async fn set_password_by(&self, by: &str, username: &str, password: &str) -> Result<(), AppError> {
        if self.user(username).is_none() {
            return Err(AppError::NotFound { what: format!("user {username}") });
        }
        self.login_policy().check_password(username, password).map_err(|m| AppError::invalid_in("password", m))?;
        let now = self.clock().now();
        self.store().set_password(username, &hash_password(password).await?, now).await?;
        // A password set from outside (the operator's command line) ends every login of the
        // account and lifts its locks, like an administrator's reset.
        let ended = self.store().revoke_tokens_of(username, None, now).await?;
        self.store().clear_login_failures(username).await?;
        self.forget_logins_of(username);
        self.audit(by, "auth.set_password", username, format!("{ended} login(s) ended, locks lifted")).await
    }

    /// Gives `admin` its first password, if it has none yet. Returns whether it did.
    pub async fn bootstrap_admin(&self, password: &str) -> Result<bool, AppError> {
        if self.user("admin").is_none() || self.store().credential("admin").await?.is_some() {
            return Ok(false);
        }
        self.set_password_by("SHANZHI_ADMIN_PASSWORD", "admin", password).await?;
        Ok(true)
    }

    /// Gives the listed accounts one shared password, hashed once (the demo's printed accounts).
    pub async fn set_shared_password(&self, usernames: &[&str], password: &str) -> Result<(), AppError> {
        let hash = hash_password(password).await?;
        self.store().set_passwords(usernames, &hash, self.clock().now()).await?;
        self.audit("operator", "auth.set_password", usernames.join(","), "the demo password").await
    }

    /// Creates an API key acting as `username` within `scope`; the key is shown only here.
    pub async fn create_api_key(&self, by: &str, name: &str, username: &str, scope: &str) -> Result<String, AppError> {
        if name.is_empty()
            || name.len() > 64
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(AppError::invalid("name", "1 to 64 letters, digits, `-`, `_` or `.`"));
        }
        let scope = Scope::parse(scope).ok_or_else(|| {
            let all: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            AppError::invalid("scope", format!("`{scope}` is not one of {}", all.join(", ")))
        })?;
        if self.user(username).is_none() {
            return Err(AppError::invalid("username", format!("no account `{username}`")));
        }
        let key = new_secret(KEY_PREFIX);
        self.store().insert_api_key(name, &digest(&key), username, scope.as_str(), self.clock().now()).await?;
        self.audit(by, "apikey.create", name, format!("acts as {username}, scope {}", scope.as_str())).await?;
        Ok(key)
    }

    pub async fn revoke_api_key(&self, by: &str, name: &str) -> Result<(), AppError> {
        self.store().revoke_api_key(name, self.clock().now()).await?;
        self.audit(by, "apikey.revoke", name, "").await?;
        // The key's hash is not known here: forget every key-based entry.
        self.auth.trusted.0.lock().expect("trust cache").retain(|_, (c, _, _)| c.scope.is_none());
        Ok(())
    }
}

impl App {
    /// Appends one entry to the audit chain (for writes outside the case transactions).
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Result<(), AppError> {
        let e = shanzhi_domain::audit::AuditEvent::new(self.clock().now(), actor, action, target, detail);
        self.store().audit(vec![e]).await?;
        Ok(())
    }
}

/// The authentication state an `App` keeps.
#[derive(Default)]
pub(crate) struct AuthState {
    pub trusted: TrustCache,
    /// Bumped by every change an administrator makes to an account (`forget_logins_of`).
    pub epoch: std::sync::atomic::AtomicU64,
    pub dummy: std::sync::OnceLock<String>,
    /// One reload of the accounts at a time, each reading the store after the change that asked
    /// for it: a slower reload cannot put back what a later one read (an extra scope taken away
    /// would otherwise linger until the account's next check).
    pub reload: tokio::sync::Mutex<()>,
    /// Logins of one name take turns (names share these by hash): failures are read, checked and
    /// written back one login at a time, so parallel guesses cannot all count as the same one.
    pub login_turns: LoginTurns,
}

/// The login turns, striped by name.
pub(crate) struct LoginTurns(Vec<tokio::sync::Mutex<()>>);

impl Default for LoginTurns {
    fn default() -> Self {
        LoginTurns((0..64).map(|_| tokio::sync::Mutex::new(())).collect())
    }
}

impl LoginTurns {
    fn of(&self, name: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        name.hash(&mut h);
        &self.0[(h.finish() % self.0.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_prefixed_and_only_their_hash_is_kept() {
        let (a, b) = (new_secret(TOKEN_PREFIX), new_secret(TOKEN_PREFIX));
        assert_ne!(a, b);
        assert!(a.starts_with("szt_") && a.len() == 4 + 43);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        assert!(!digest(&a).contains(&a[4..]));
    }
}
