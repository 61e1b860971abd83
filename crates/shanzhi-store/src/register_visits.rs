//! Visit plans of the registers: when each record is next due a visit for each of its tags with a
//! plan (`register_due`, replaced whole with the record's tags in the transaction that changes
//! them), the visits due in the caller's areas soonest first, and each visit made
//! (`register_visits`, its note sealed) with the plan moved on in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use shanzhi_domain::access::DataScope;
use shanzhi_domain::audit::AuditEvent;

use crate::entity::{register_due, register_visit};
use crate::registers::{StoredRecord, grid_area, grid_scope};
use crate::{Result, Store, StoreError};

/// When a record is next due a visit for one tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub tag: String,
    pub due_at: DateTime<Utc>,
    pub last_visit_at: Option<DateTime<Utc>>,
}

/// A due visit as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRow {
    pub record_id: i64,
    pub register: String,
    pub grid_code: String,
    pub due: Due,
}

/// A visit made.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub record_id: i64,
    pub seq: i32,
    pub tag: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub on_time: bool,
    /// `{"note", "attachments"}` as JSON, opened.
    pub body: String,
}

/// Which due visits a list holds.
#[derive(Debug, Clone)]
pub struct DueQuery {
    /// The registers asked about (none: no row).
    pub registers: Vec<String>,
    pub area: Option<String>,
    /// Only those due by then.
    pub until: Option<DateTime<Utc>>,
    pub offset: u64,
    pub limit: u64,
}

/// The record's plan brought to `dues`: rows of tags no longer planned deleted, rows of new ones
/// added, and the rows of tags it keeps left as they are (a visit made meanwhile stands), moved to
/// the record's grid.
pub(crate) async fn replace_dues(txn: &impl ConnectionTrait, r: &StoredRecord, dues: &[Due]) -> Result<()> {
    use register_due::Column as C;
    register_due::Entity::delete_many()
        .filter(C::RecordId.eq(r.id))
        .filter(C::Tag.is_not_in(dues.iter().map(|d| d.tag.clone())))
        .exec(txn)
        .await?;
    if dues.is_empty() {
        return Ok(());
    }
    register_due::Entity::update_many()
        .col_expr(C::GridCode, Expr::val(r.grid_code.clone()))
        .filter(C::RecordId.eq(r.id))
        .exec(txn)
        .await?;
    let rows = dues.iter().map(|d| register_due::ActiveModel {
        record_id: Set(r.id),
        tag: Set(d.tag.clone()),
        register: Set(r.register.clone()),
        grid_code: Set(r.grid_code.clone()),
        due_at: Set(d.due_at),
        last_visit_at: Set(d.last_visit_at),
    });
    register_due::Entity::insert_many(rows)
        .on_conflict(sea_orm::sea_query::OnConflict::columns([C::RecordId, C::Tag]).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

impl Store {
    /// A record's plan, by tag.
    pub async fn record_dues(&self, id: i64) -> Result<Vec<Due>> {
        let rows = register_due::Entity::find()
            .filter(register_due::Column::RecordId.eq(id))
            .order_by_asc(register_due::Column::Tag)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|m| Due { tag: m.tag, due_at: m.due_at, last_visit_at: m.last_visit_at }).collect())
    }

    /// The visits due in the scope (and area), soonest first: a page, how many in all, and how
    /// many of them were due before `now`.
    pub async fn dues(&self, q: &DueQuery, scope: &DataScope, now: DateTime<Utc>) -> Result<(Vec<DueRow>, u64, u64)> {
        use register_due::Column as C;
        let mut cond = Condition::all().add(grid_scope(C::GridCode, scope));
        cond = cond.add(C::Register.is_in(q.registers.iter().cloned()));
        if let Some(a) = &q.area {
            cond = cond.add(grid_area(C::GridCode, a));
        }
        if let Some(u) = q.until {
            cond = cond.add(C::DueAt.lte(u));
        }
        let find = register_due::Entity::find().filter(cond);
        let total = find.clone().count(self.db()).await?;
        let overdue = find.clone().filter(C::DueAt.lt(now)).count(self.db()).await?;
        let rows = find
            .order_by_asc(C::DueAt)
            .order_by_asc(C::RecordId)
            .order_by_asc(C::Tag)
            .offset(q.offset)
            .limit(q.limit)
            .all(self.db())
            .await?;
        let rows = rows
            .into_iter()
            .map(|m| DueRow {
                record_id: m.record_id,
                register: m.register,
                grid_code: m.grid_code,
                due: Due { tag: m.tag, due_at: m.due_at, last_visit_at: m.last_visit_at },
            })
            .collect();
        Ok((rows, total, overdue))
    }

    /// Records a visit and moves the plan of its tag on to `next_due` (none: the tag has no
    /// plan), with its audit entry, in one transaction; answers the visit's number.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_visit(
        &self,
        record_id: i64,
        tag: &str,
        actor: &str,
        at: DateTime<Utc>,
        on_time: bool,
        body: &str,
        next_due: Option<DateTime<Utc>>,
        audit: AuditEvent,
    ) -> Result<i32> {
        use register_visit::Column as V;
        let txn = self.db().begin().await?;
        // The audit head is the write lock that orders two visits to one record.
        crate::audit::append(&txn, vec![audit]).await?;
        let last: Option<i32> = register_visit::Entity::find()
            .select_only()
            .column_as(V::Seq.max(), "m")
            .filter(V::RecordId.eq(record_id))
            .into_tuple::<Option<i32>>()
            .one(&txn)
            .await?
            .flatten();
        let seq = last.unwrap_or(0) + 1;
        let row = register_visit::ActiveModel {
            record_id: Set(record_id),
            seq: Set(seq),
            tag: Set(tag.into()),
            actor: Set(actor.into()),
            at: Set(at),
            on_time: Set(on_time),
            body: Set(self.sealer().seal(body)),
        };
        register_visit::Entity::insert(row).exec_without_returning(&txn).await?;
        if let Some(next) = next_due {
            let done = register_due::Entity::update_many()
                .col_expr(register_due::Column::DueAt, Expr::val(next))
                .col_expr(register_due::Column::LastVisitAt, Expr::val(Some(at)))
                .filter(register_due::Column::RecordId.eq(record_id))
                .filter(register_due::Column::Tag.eq(tag))
                .exec(&txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(StoreError::Conflict(format!("record {record_id} has no visit plan for {tag} now")));
            }
        }
        txn.commit().await?;
        Ok(seq)
    }

    /// A record's visits, newest first (at most `limit`).
    pub async fn visits_of(&self, record_id: i64, limit: u64) -> Result<Vec<VisitRow>> {
        let rows = register_visit::Entity::find()
            .filter(register_visit::Column::RecordId.eq(record_id))
            .order_by_desc(register_visit::Column::Seq)
            .limit(limit)
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|m| {
                Ok(VisitRow {
                    record_id: m.record_id,
                    seq: m.seq,
                    tag: m.tag,
                    actor: m.actor,
                    at: m.at,
                    on_time: m.on_time,
                    body: self.sealer().open(m.body)?,
                })
            })
            .collect()
    }
}

/// A record with its plan and its visits, for a bulk load (the demo).
#[derive(Debug, Clone)]
pub struct LoadedRecord {
    pub record: StoredRecord,
    pub dues: Vec<Due>,
    pub visits: Vec<VisitRow>,
}

impl Store {
    /// Replaces every register record (with its history, plan and visits) by `records`, in one
    /// transaction, in batches, reporting progress; each record's first version is `actor`'s.
    pub async fn replace_register_records(
        &self,
        records: &[LoadedRecord],
        actor: &str,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<()> {
        use crate::entity::{register_history, register_record};
        let txn = self.db().begin().await?;
        register_visit::Entity::delete_many().exec(&txn).await?;
        register_due::Entity::delete_many().exec(&txn).await?;
        register_history::Entity::delete_many().exec(&txn).await?;
        register_record::Entity::delete_many().exec(&txn).await?;
        self.insert_loaded(&txn, records, actor, progress).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Adds records (an import) with their plans, all or none, with the audit entry.
    pub async fn insert_register_records(
        &self,
        records: &[LoadedRecord],
        actor: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let txn = self.db().begin().await?;
        self.insert_loaded(&txn, records, actor, &mut |_, _| {}).await?;
        crate::audit::append(&txn, vec![audit]).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn insert_loaded(
        &self,
        txn: &impl ConnectionTrait,
        records: &[LoadedRecord],
        actor: &str,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<()> {
        use crate::entity::{register_history, register_record};
        const BATCH: usize = 500;
        for (i, chunk) in records.chunks(BATCH).enumerate() {
            let seal = |s: &str| self.sealer().seal(s);
            let rows = chunk.iter().map(|l| {
                let r = &l.record;
                register_record::ActiveModel {
                    id: Set(r.id),
                    register: Set(r.register.clone()),
                    county_code: Set(r.county_code.clone()),
                    grid_code: Set(r.grid_code.clone()),
                    version: Set(r.version),
                    body: Set(seal(&r.body)),
                    tags: Set(r.tags.clone()),
                    facets: Set(r.facets.clone()),
                    created_at: Set(r.created_at),
                    updated_at: Set(r.updated_at),
                    removed_at: Set(r.removed_at),
                }
            });
            register_record::Entity::insert_many(rows).exec_without_returning(txn).await?;
            let history = chunk.iter().map(|l| register_history::ActiveModel {
                record_id: Set(l.record.id),
                version: Set(l.record.version),
                action: Set("create".into()),
                actor: Set(actor.into()),
                at: Set(l.record.updated_at),
                body: Set(seal(&l.record.body)),
            });
            register_history::Entity::insert_many(history).exec_without_returning(txn).await?;
            let dues: Vec<register_due::ActiveModel> = chunk
                .iter()
                .flat_map(|l| {
                    l.dues.iter().map(|d| register_due::ActiveModel {
                        record_id: Set(l.record.id),
                        tag: Set(d.tag.clone()),
                        register: Set(l.record.register.clone()),
                        grid_code: Set(l.record.grid_code.clone()),
                        due_at: Set(d.due_at),
                        last_visit_at: Set(d.last_visit_at),
                    })
                })
                .collect();
            if !dues.is_empty() {
                register_due::Entity::insert_many(dues).exec_without_returning(txn).await?;
            }
            let visits: Vec<register_visit::ActiveModel> = chunk
                .iter()
                .flat_map(|l| {
                    l.visits.iter().map(|v| register_visit::ActiveModel {
                        record_id: Set(v.record_id),
                        seq: Set(v.seq),
                        tag: Set(v.tag.clone()),
                        actor: Set(v.actor.clone()),
                        at: Set(v.at),
                        on_time: Set(v.on_time),
                        body: Set(seal(&v.body)),
                    })
                })
                .collect();
            if !visits.is_empty() {
                register_visit::Entity::insert_many(visits).exec_without_returning(txn).await?;
            }
            progress((i * BATCH + chunk.len()).min(records.len()), records.len());
        }
        Ok(())
    }
}
