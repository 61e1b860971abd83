//! Appending to the audit chain inside the caller's transaction (the head row is touched first, so
//! appenders queue on it in both databases), and reading the chain back to verify it.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QueryResult, Statement, TransactionTrait};
use shanzhi_domain::audit::{AuditEntry, AuditEvent, Break, Verifier, chain_hash};

use crate::users::like_part;
use crate::{Result, Store, StoreError};

fn get<T: sea_orm::TryGetable>(r: &QueryResult, c: &str) -> Result<T> {
    r.try_get("", c).map_err(|e| StoreError::Corrupt(format!("audit: {e}")))
}

fn entry(r: &QueryResult) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: get(r, "seq")?,
        at: get(r, "at")?,
        actor: get(r, "actor")?,
        action: get(r, "action")?,
        target: get(r, "target")?,
        detail: get(r, "detail")?,
    })
}

/// Appends events to the chain in the caller's transaction and answers their sequence numbers,
/// which are in commit order: the head stays locked until the transaction ends.
pub(crate) async fn append(txn: &impl ConnectionTrait, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // Touch the head first: this takes the row lock (PostgreSQL) or the write lock (SQLite) before
    // the head is read, so two appenders never chain to the same entry.
    let head = Alias::new("audit_head");
    let mut touch = Query::update();
    touch
        .table(head.clone())
        .value(Alias::new("seq"), Expr::col(Alias::new("seq")))
        .and_where(Expr::col(Alias::new("id")).eq(1));
    txn.execute(&touch).await?;
    let mut read = Query::select();
    read.from(head.clone())
        .columns([Alias::new("seq"), Alias::new("hash")])
        .and_where(Expr::col(Alias::new("id")).eq(1));
    let row = txn.query_one(&read).await?.ok_or_else(|| StoreError::Corrupt("audit head missing".into()))?;
    let (mut seq, mut prev): (i64, String) = (get(&row, "seq")?, get(&row, "hash")?);
    let first = seq + 1;
    let mut rows = Vec::with_capacity(events.len());
    for ev in events {
        seq += 1;
        let e = ev.at_seq(seq);
        let hash = chain_hash(&prev, &e);
        rows.push((e, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    for chunk in rows.chunks(300) {
        let mut q = Query::insert();
        q.into_table(Alias::new("audit_log"))
            .columns(["seq", "at", "actor", "action", "target", "detail", "prev_hash", "hash"].map(Alias::new));
        for (e, p, h) in chunk {
            q.values([
                e.seq.into(),
                e.at.into(),
                e.actor.clone().into(),
                e.action.clone().into(),
                e.target.clone().into(),
                e.detail.clone().into(),
                p.clone().into(),
                h.clone().into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        txn.execute(&q).await?;
    }
    let mut set = Query::update();
    set.table(head)
        .value(Alias::new("seq"), seq)
        .value(Alias::new("hash"), prev)
        .and_where(Expr::col(Alias::new("id")).eq(1));
    txn.execute(&set).await?;
    Ok((first..=seq).collect())
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: i64,
    pub broken: Option<Break>,
}

impl Store {
    /// Appends events in a transaction of their own (for writes that are single statements).
    pub async fn audit(&self, events: Vec<AuditEvent>) -> Result<()> {
        let txn = self.db().begin().await?;
        append(&txn, events).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Reads the whole chain in order (in pages) and checks every link and the head.
    pub async fn verify_audit(&self, mut progress: impl FnMut(i64)) -> Result<AuditReport> {
        let mut v = Verifier::default();
        let mut entries = 0;
        loop {
            let sql = format!(
                "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log WHERE seq >= {} ORDER BY seq LIMIT 5000",
                v.next_seq
            );
            let rows = self.db().query_all_raw(Statement::from_string(self.db().get_database_backend(), sql)).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry(r)?;
                let (p, h): (String, String) = (get(r, "prev_hash")?, get(r, "hash")?);
                if let Err(b) = v.check(&e, &p, &h) {
                    return Ok(AuditReport { entries, broken: Some(b) });
                }
                entries += 1;
            }
            progress(entries);
        }
        let head = self
            .db()
            .query_one_raw(Statement::from_string(
                self.db().get_database_backend(),
                "SELECT seq, hash FROM audit_head WHERE id = 1",
            ))
            .await?
            .ok_or_else(|| StoreError::Corrupt("audit head missing".into()))?;
        let broken = v.finish(get(&head, "seq")?, &get::<String>(&head, "hash")?).err();
        Ok(AuditReport { entries, broken })
    }

    /// The latest entries, newest first.
    pub async fn audit_tail(&self, limit: u64) -> Result<Vec<AuditEntry>> {
        self.audit_page(&AuditQuery { limit, ..AuditQuery::default() }).await
    }

    /// A page of entries, newest first (an administrator's screen): those before `before`, of an
    /// actor, with an action or target beginning as asked.
    pub async fn audit_page(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let col = |c: &str| Expr::col(Alias::new(c));
        let mut read = Query::select();
        read.from(Alias::new("audit_log"))
            .columns(["seq", "at", "actor", "action", "target", "detail"].map(Alias::new))
            .order_by(Alias::new("seq"), sea_orm::sea_query::Order::Desc)
            .limit(q.limit.clamp(1, 1000));
        if let Some(before) = q.before {
            read.and_where(col("seq").lt(before));
        }
        if let Some(actor) = q.actor.as_deref().filter(|a| !a.is_empty()) {
            read.and_where(col("actor").eq(actor));
        }
        if let Some(action) = q.action.as_deref().filter(|a| !a.is_empty()) {
            read.and_where(col("action").like(like_part(action, true)));
        }
        if let Some(target) = q.target.as_deref().filter(|t| !t.is_empty()) {
            read.and_where(col("target").like(like_part(target, true)));
        }
        self.db().query_all(&read).await?.iter().map(entry).collect()
    }
}

/// Which audit entries to read: newest first, before a sequence number, filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Exactly this actor (a username, `system`, `anon:…`).
    pub actor: Option<String>,
    /// Actions beginning with this (`user.`, `case.`, `personal_data.unmask`).
    pub action: Option<String>,
    /// Targets beginning with this (a case id, a username, `grids`).
    pub target: Option<String>,
    /// Entries before this sequence number (the previous page's last).
    pub before: Option<i64>,
    /// 1..=1000.
    pub limit: u64,
}
