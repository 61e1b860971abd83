//! The audit chain: every write (and every unmasking of personal data) appends an entry whose
//! hash covers the previous entry's hash, so changing, removing or reordering any entry breaks the
//! chain from there on. Pure: hashing and verification; the store appends and reads.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "shanzhi-audit-genesis";

/// One audited event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The account (or `anonymous`, or `system`).
    pub actor: String,
    /// What was done: `case.report`, `case.dispatch`, `auth.login`, `apikey.create`, …
    pub action: String,
    /// What it was done to: a case id, an account, a key name, a reference kind.
    pub target: String,
    /// Anything else worth keeping (never a password or a key).
    pub detail: String,
}

/// What to append: an entry before it has its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl AuditEvent {
    pub fn new(
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        AuditEvent { at, actor: actor.into(), action: action.into(), target: target.into(), detail: detail.into() }
    }

    pub fn at_seq(self, seq: i64) -> AuditEntry {
        AuditEntry {
            seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            target: self.target,
            detail: self.detail,
        }
    }
}

/// What the audit actions outside a case's workflow are called (action, Chinese, English); a
/// case's `case.<action>` is named by its workflow.
pub const ACTION_NAMES: [(&str, &str, &str); 36] = [
    ("apikey.create", "创建 API 密钥", "API key created"),
    ("apikey.revoke", "吊销 API 密钥", "API key revoked"),
    ("attachment.upload", "上传附件", "Attachment uploaded"),
    ("audit.verify", "校验审计链", "Audit chain checked"),
    ("auth.login", "登录", "Logged in"),
    ("auth.login_failed", "登录失败", "Login failed"),
    ("auth.locked", "登录锁定", "Login locked"),
    ("auth.logout", "注销登录", "Logged out"),
    ("auth.password", "修改密码", "Password changed"),
    ("auth.set_password", "设置密码", "Password set"),
    ("auth.unlock", "解除登录锁定", "Login unlocked"),
    ("calendar.holiday", "修改节假日", "Holiday changed"),
    ("calendar.hours", "修改工作时间", "Working hours changed"),
    ("case.export", "导出案件", "Cases exported"),
    ("datakey.reseal", "更换数据密钥并重新加密", "Data re-encrypted under a new key"),
    ("demo.load", "载入示范数据", "Demo data loaded"),
    ("grids.import", "导入网格", "Grids imported"),
    ("history.load", "载入历史案件", "History loaded"),
    ("pii.unmask", "查看未脱敏的个人信息", "Personal data unmasked"),
    ("reference.import", "导入参考数据", "Reference data imported"),
    ("register.create", "登记（名册）", "Register record added"),
    ("register.export", "导出名册", "Register exported"),
    ("register.import", "导入名册", "Register imported"),
    ("register.remove", "注销（名册）", "Register record removed"),
    ("register.unmask", "查看名册未脱敏信息", "Register record unmasked"),
    ("register.update", "变更（名册）", "Register record changed"),
    ("register.visit", "走访（名册）", "Register record visited"),
    ("role.actions", "修改角色可办理的操作", "Role's actions changed"),
    ("search.reindex", "重建全文索引", "Search index rebuilt"),
    ("stats.export", "导出统计", "Figures exported"),
    ("taxonomy.type", "修改事件类型", "Event type changed"),
    ("user.create", "新建用户", "Account created"),
    ("user.disable", "停用用户", "Account disabled"),
    ("user.enable", "启用用户", "Account enabled"),
    ("user.scope", "修改数据范围", "Data scope changed"),
    ("user.update", "修改用户", "Account changed"),
];

/// The (Chinese, English) name of an audit action outside a workflow, if it has one.
pub fn action_name(action: &str) -> Option<(&'static str, &'static str)> {
    ACTION_NAMES.iter().find(|(a, _, _)| *a == action).map(|(_, zh, en)| (*zh, *en))
}

/// The hash of an entry chained to the previous hash: SHA-256 over the previous hash and each
/// field, length-prefixed so no two different entries hash the same text.
pub fn chain_hash(prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let at = e.at.to_rfc3339_opts(SecondsFormat::Micros, true);
    for part in [prev, &e.seq.to_string(), &at, &e.actor, &e.action, &e.target, &e.detail] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// An entry is missing before this sequence number (removed, or the chain reordered).
    Gap { expected: i64, found: i64 },
    /// This entry's stored previous hash or hash is not what its content gives: it was changed.
    Altered { seq: i64 },
    /// The chain ends before the head says it does (entries removed from the end).
    Truncated { last: i64, head: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Gap { expected, found } => write!(f, "entry {expected} is missing (the next is {found})"),
            Break::Altered { seq } => write!(f, "entry {seq} was altered"),
            Break::Truncated { last, head } => write!(f, "the chain ends at {last} but its head says {head}"),
        }
    }
}

/// Checks a run of stored entries (seq, entry, prev_hash, hash), starting from `prev` at
/// `first_seq - 1`; returns the last hash and seq.
pub struct Verifier {
    pub prev: String,
    pub next_seq: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { prev: GENESIS.to_string(), next_seq: 1 }
    }
}

impl Verifier {
    pub fn check(&mut self, e: &AuditEntry, stored_prev: &str, stored_hash: &str) -> Result<(), Break> {
        if e.seq != self.next_seq {
            return Err(Break::Gap { expected: self.next_seq, found: e.seq });
        }
        if stored_prev != self.prev || chain_hash(&self.prev, e) != stored_hash {
            return Err(Break::Altered { seq: e.seq });
        }
        self.prev = stored_hash.to_string();
        self.next_seq += 1;
        Ok(())
    }

    /// After the last entry: the head must point at it.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), Break> {
        let last = self.next_seq - 1;
        if head_seq != last {
            return Err(Break::Truncated { last, head: head_seq });
        }
        if head_hash != self.prev {
            return Err(Break::Altered { seq: last });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(AuditEntry, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let e = AuditEvent::new(Utc::now(), "paiqian", "case.dispatch", i.to_string(), "").at_seq(i);
                let h = chain_hash(&prev, &e);
                let row = (e, prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditEntry, String, String)], head: (i64, &str)) -> Result<(), Break> {
        let mut v = Verifier::default();
        for (e, p, h) in rows {
            v.check(e, p, h)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies_and_any_tampering_is_found() {
        let rows = chain(5);
        let head = (5, rows[4].2.clone());
        assert_eq!(verify(&rows, (head.0, &head.1)), Ok(()));

        let mut altered = rows.clone();
        altered[2].0.detail = "改过".into();
        assert_eq!(verify(&altered, (head.0, &head.1)), Err(Break::Altered { seq: 3 }));

        let mut removed = rows.clone();
        removed.remove(1);
        assert_eq!(verify(&removed, (head.0, &head.1)), Err(Break::Gap { expected: 2, found: 3 }));

        // Rewriting an entry and every hash after it still disagrees with the head.
        let mut rewritten = rows.clone();
        rewritten[4].0.actor = "someone".into();
        rewritten[4].2 = chain_hash(&rewritten[4].1, &rewritten[4].0);
        assert_eq!(verify(&rewritten, (head.0, &head.1)), Err(Break::Altered { seq: 5 }));

        assert_eq!(verify(&rows[..4], (head.0, &head.1)), Err(Break::Truncated { last: 4, head: 5 }));
    }
}

#[cfg(test)]
mod names {
    /// Every audit action written outside a workflow (a `"word.word"` literal on a line that
    /// audits, in the application's and the store's sources) has a name for the audit page.
    #[test]
    fn every_audit_action_the_code_writes_is_named() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut unnamed = Vec::new();
        let mut seen = 0;
        for dir in ["shanzhi-app/src", "shanzhi-store/src"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Every literal of an action's shape on an auditing line or one of the lines after
                // it (calls split over lines, actions passed through a helper).
                let lines: Vec<&str> = text.lines().collect();
                let near_audit = |i: usize| {
                    lines[i.saturating_sub(4)..=i]
                        .iter()
                        .any(|l| l.contains("audit") || l.contains("AuditEvent::new") || l.contains("edit_event"))
                };
                for line in lines.iter().enumerate().filter(|(i, _)| near_audit(*i)).map(|(_, l)| *l) {
                    for literal in line.split('"').skip(1).step_by(2) {
                        let is_action = literal.split_once('.').is_some_and(|(a, b)| {
                            !a.is_empty()
                                && !b.is_empty()
                                && literal.bytes().all(|c| c.is_ascii_lowercase() || c == b'_' || c == b'.')
                        });
                        if is_action && !literal.starts_with("case.") {
                            seen += 1;
                            if super::action_name(literal).is_none() {
                                unnamed.push(format!("{}: {literal}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(seen >= 10, "the scan found the audit calls: {seen}");
        assert!(unnamed.is_empty(), "audit actions without a name: {unnamed:?}");
    }
}
