//! The registers' records (`register_records`) and their history (`register_history`): a record
//! and the version it becomes are written together with its audit entry in one transaction; a
//! change names the version it read and loses to any other change made since (`Conflict`); lists
//! are the records of one register in the caller's areas, by grid, a page at a time.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shanzhi_domain::access::DataScope;
use shanzhi_domain::audit::AuditEvent;

use crate::entity::{register_history, register_record};
use crate::register_visits::{Due, replace_dues};
use crate::{Result, Store, StoreError};

/// A record as stored, its body opened (JSON text).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: i64,
    pub register: String,
    pub county_code: String,
    pub grid_code: String,
    pub version: i32,
    pub body: String,
    pub tags: String,
    pub facets: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// One version of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordVersion {
    pub version: i32,
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub body: String,
}

/// Which records a list holds.
#[derive(Debug, Clone)]
pub struct RecordQuery {
    pub register: String,
    /// The area asked for (a county, street, community or grid code), inside the scope.
    pub area: Option<String>,
    /// `,tag,` as stored.
    pub tag: Option<String>,
    /// `,key=value,` as stored.
    pub facet: Option<String>,
    /// The removed records instead of those in force.
    pub removed: bool,
    pub offset: u64,
    pub limit: u64,
}

/// The rows whose grid code (`grid`) lies in an area: a city (all), a county, street or
/// community (a range of grid codes), or one grid.
pub(crate) fn grid_area<C: ColumnTrait>(grid: C, area: &str) -> Condition {
    match area.len() {
        4 => Condition::all(),
        6 | 9 | 12 => Condition::all().add(grid.gte(area)).add(grid.lt(format!("{area}:"))),
        _ => Condition::all().add(grid.eq(area)),
    }
}

/// The rows a scope reaches by their grid code: every one, those in its areas, or none (a scope
/// of its own reports, or of units alone, has no register).
pub(crate) fn grid_scope<C: ColumnTrait>(grid: C, scope: &DataScope) -> Condition {
    let none = || Condition::all().add(Expr::val(1).eq(0));
    match scope {
        DataScope::All => Condition::all(),
        // No area: no record (an empty `any` would be true on some backends).
        DataScope::Within { areas, .. } if areas.is_empty() => none(),
        DataScope::Within { areas, .. } => areas.iter().fold(Condition::any(), |any, a| any.add(grid_area(grid, a))),
        DataScope::Own(_) => none(),
    }
}

fn area_condition(area: &str) -> Condition {
    grid_area(register_record::Column::GridCode, area)
}

fn scope_condition(scope: &DataScope) -> Condition {
    grid_scope(register_record::Column::GridCode, scope)
}

impl Store {
    fn record_of(&self, m: register_record::Model) -> Result<StoredRecord> {
        Ok(StoredRecord {
            id: m.id,
            register: m.register,
            county_code: m.county_code,
            grid_code: m.grid_code,
            version: m.version,
            body: self.sealer().open(m.body)?,
            tags: m.tags,
            facets: m.facets,
            created_at: m.created_at,
            updated_at: m.updated_at,
            removed_at: m.removed_at,
        })
    }

    fn history_row(&self, r: &StoredRecord, action: &str, actor: &str) -> register_history::ActiveModel {
        register_history::ActiveModel {
            record_id: Set(r.id),
            version: Set(r.version),
            action: Set(action.into()),
            actor: Set(actor.into()),
            at: Set(r.updated_at),
            body: Set(self.sealer().seal(&r.body)),
        }
    }

    /// Writes a new record (version 1), its first history row and its audit entry together.
    pub async fn insert_record(&self, r: &StoredRecord, dues: &[Due], actor: &str, audit: AuditEvent) -> Result<()> {
        let txn = self.db().begin().await?;
        let row = register_record::ActiveModel {
            id: Set(r.id),
            register: Set(r.register.clone()),
            county_code: Set(r.county_code.clone()),
            grid_code: Set(r.grid_code.clone()),
            version: Set(r.version),
            body: Set(self.sealer().seal(&r.body)),
            tags: Set(r.tags.clone()),
            facets: Set(r.facets.clone()),
            created_at: Set(r.created_at),
            updated_at: Set(r.updated_at),
            removed_at: Set(r.removed_at),
        };
        register_record::Entity::insert(row).exec_without_returning(&txn).await?;
        register_history::Entity::insert(self.history_row(r, "create", actor)).exec_without_returning(&txn).await?;
        replace_dues(&txn, r, dues).await?;
        crate::audit::append(&txn, vec![audit]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Writes a record's next version (`r.version`, one more than the version read) if nobody
    /// changed it since, with its history row, its visit plan (`dues`, whole) and audit entry;
    /// `Conflict` otherwise.
    pub async fn update_record(
        &self,
        r: &StoredRecord,
        dues: &[Due],
        action: &str,
        actor: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        use register_record::Column as C;
        let txn = self.db().begin().await?;
        let done = register_record::Entity::update_many()
            .col_expr(C::Version, Expr::val(r.version))
            .col_expr(C::Body, Expr::val(self.sealer().seal(&r.body)))
            .col_expr(C::GridCode, Expr::val(r.grid_code.clone()))
            .col_expr(C::CountyCode, Expr::val(r.county_code.clone()))
            .col_expr(C::Tags, Expr::val(r.tags.clone()))
            .col_expr(C::Facets, Expr::val(r.facets.clone()))
            .col_expr(C::UpdatedAt, Expr::val(r.updated_at))
            .col_expr(C::RemovedAt, Expr::val(r.removed_at))
            .filter(C::Id.eq(r.id))
            .filter(C::Version.eq(r.version - 1))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(StoreError::Conflict(format!("record {} was changed by someone else", r.id)));
        }
        register_history::Entity::insert(self.history_row(r, action, actor)).exec_without_returning(&txn).await?;
        replace_dues(&txn, r, dues).await?;
        crate::audit::append(&txn, vec![audit]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A record by id, if the scope reaches it.
    pub async fn record(&self, id: i64, scope: &DataScope) -> Result<Option<StoredRecord>> {
        let found = register_record::Entity::find_by_id(id).filter(scope_condition(scope)).one(self.db()).await?;
        found.map(|m| self.record_of(m)).transpose()
    }

    /// The records of these ids that the scope reaches (any order).
    pub async fn records_by_ids(&self, ids: &[i64], scope: &DataScope) -> Result<Vec<StoredRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = register_record::Entity::find()
            .filter(register_record::Column::Id.is_in(ids.iter().copied()))
            .filter(scope_condition(scope))
            .all(self.db())
            .await?;
        rows.into_iter().map(|m| self.record_of(m)).collect()
    }

    /// A page of records and how many the query holds in all, by grid and then id.
    pub async fn records(&self, q: &RecordQuery, scope: &DataScope) -> Result<(Vec<StoredRecord>, u64)> {
        use register_record::Column as C;
        let mut cond = Condition::all().add(C::Register.eq(q.register.clone())).add(scope_condition(scope));
        if let Some(a) = &q.area {
            cond = cond.add(area_condition(a));
        }
        if let Some(t) = &q.tag {
            cond = cond.add(C::Tags.contains(t.clone()));
        }
        if let Some(f) = &q.facet {
            cond = cond.add(C::Facets.contains(f.clone()));
        }
        cond = cond.add(if q.removed { C::RemovedAt.is_not_null() } else { C::RemovedAt.is_null() });
        let find = register_record::Entity::find().filter(cond);
        let total = find.clone().count(self.db()).await?;
        let rows =
            find.order_by_asc(C::GridCode).order_by_asc(C::Id).offset(q.offset).limit(q.limit).all(self.db()).await?;
        let rows = rows.into_iter().map(|m| self.record_of(m)).collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    /// Every version of a record, oldest first.
    pub async fn record_history(&self, id: i64) -> Result<Vec<RecordVersion>> {
        let rows = register_history::Entity::find()
            .filter(register_history::Column::RecordId.eq(id))
            .order_by_asc(register_history::Column::Version)
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|m| {
                Ok(RecordVersion {
                    version: m.version,
                    action: m.action,
                    actor: m.actor,
                    at: m.at,
                    body: self.sealer().open(m.body)?,
                })
            })
            .collect()
    }
}
