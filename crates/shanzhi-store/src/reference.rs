//! Versioned reference data (taxonomy, work calendar, departments, routing, duplicate and
//! assessment rules, and one workflow per case kind): every imported version is kept whole; one
//! per kind is current.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr};
use shanzhi_domain::audit::AuditEvent;

use crate::entity::reference_data;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    Taxonomy,
    Calendar,
    Departments,
    Routing,
    Duplicates,
    Assessment,
    /// The workflow of one case kind (`event`, `demand`, …).
    Workflow(String),
    /// One register of the grid (`person`, `house`, `org`).
    Register(String),
}

const WORKFLOW_PREFIX: &str = "workflow:";
const REGISTER_PREFIX: &str = "register:";

impl ReferenceKind {
    /// The kinds a file may be imported as (a workflow names its case kind inside the file).
    pub const IMPORTABLE: [&'static str; 7] =
        ["taxonomy", "calendar", "routing", "duplicates", "assessment", "workflow", "register"];

    /// The kind's name (a workflow of any case kind is `workflow`).
    pub fn name(&self) -> &'static str {
        match self {
            ReferenceKind::Taxonomy => "taxonomy",
            ReferenceKind::Calendar => "calendar",
            ReferenceKind::Departments => "departments",
            ReferenceKind::Routing => "routing",
            ReferenceKind::Duplicates => "duplicates",
            ReferenceKind::Assessment => "assessment",
            ReferenceKind::Workflow(_) => "workflow",
            ReferenceKind::Register(_) => "register",
        }
    }

    /// The kind a stored key names (`taxonomy`, …, `workflow:event`).
    pub fn from_key(key: &str) -> Option<ReferenceKind> {
        if let Some(kind) = key.strip_prefix(WORKFLOW_PREFIX) {
            return (!kind.is_empty()).then(|| ReferenceKind::Workflow(kind.to_string()));
        }
        if let Some(key) = key.strip_prefix(REGISTER_PREFIX) {
            return (!key.is_empty()).then(|| ReferenceKind::Register(key.to_string()));
        }
        Self::singles().into_iter().find(|k| k.name() == key)
    }

    /// Every kind but the workflows (one per case kind).
    pub fn singles() -> [ReferenceKind; 6] {
        [
            ReferenceKind::Taxonomy,
            ReferenceKind::Calendar,
            ReferenceKind::Departments,
            ReferenceKind::Routing,
            ReferenceKind::Duplicates,
            ReferenceKind::Assessment,
        ]
    }

    /// The key stored with each version: `taxonomy`, …, `workflow:event`.
    pub fn key(&self) -> String {
        match self {
            ReferenceKind::Workflow(kind) => format!("{WORKFLOW_PREFIX}{kind}"),
            ReferenceKind::Register(key) => format!("{REGISTER_PREFIX}{key}"),
            other => other.name().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceVersion {
    pub version: String,
    pub source: String,
    pub imported_at: DateTime<Utc>,
    pub is_current: bool,
}

impl Store {
    /// Stores a new version and makes it current. A version already stored with the same text is
    /// simply made current again; the same version name with different text is a conflict.
    pub async fn put_reference(
        &self,
        kind: ReferenceKind,
        version: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.put_reference_guarded(kind, version, source, now, None, Vec::new()).await
    }

    /// [`Store::put_reference`] with its audit entries, in one transaction; with `based_on`, only
    /// if that version is the one in force when the transaction writes (a change made from it
    /// must not undo another put in force meanwhile): `Conflict` otherwise.
    pub async fn put_reference_guarded(
        &self,
        kind: ReferenceKind,
        version: &str,
        source: &str,
        now: DateTime<Utc>,
        based_on: Option<&str>,
        audit: Vec<AuditEvent>,
    ) -> Result<()> {
        let key = kind.key();
        let txn = self.db().begin().await?;
        if let Some(base) = based_on {
            // The current row is written again, so a concurrent put of this kind waits for us
            // (PostgreSQL) or fails to commit (SQLite, one writer): the check and the put are one.
            reference_data::Entity::update_many()
                .col_expr(reference_data::Column::IsCurrent, Expr::value(true))
                .filter(reference_data::Column::Kind.eq(key.clone()))
                .filter(reference_data::Column::IsCurrent.eq(true))
                .exec(&txn)
                .await?;
            let current = reference_data::Entity::find()
                .filter(reference_data::Column::Kind.eq(key.clone()))
                .filter(reference_data::Column::IsCurrent.eq(true))
                .one(&txn)
                .await?;
            let current = current.map(|c| c.version).unwrap_or_default();
            if current != base {
                return Err(StoreError::Conflict(format!(
                    "the {key} in force is version {current}, not {base}, which this change was made from: reload and make it again"
                )));
            }
        }
        let existing = reference_data::Entity::find_by_id((key.clone(), version.to_string())).one(&txn).await?;
        if let Some(e) = &existing
            && e.source != source
        {
            return Err(StoreError::Conflict(format!(
                "{key} version {version} is already stored with different content: give the new file a new version"
            )));
        }
        reference_data::Entity::update_many()
            .col_expr(reference_data::Column::IsCurrent, Expr::value(false))
            .filter(reference_data::Column::Kind.eq(key.clone()))
            .exec(&txn)
            .await?;
        if existing.is_some() {
            reference_data::Entity::update_many()
                .col_expr(reference_data::Column::IsCurrent, Expr::value(true))
                .filter(reference_data::Column::Kind.eq(key.clone()))
                .filter(reference_data::Column::Version.eq(version))
                .exec(&txn)
                .await?;
        } else {
            reference_data::Entity::insert(reference_data::ActiveModel {
                kind: Set(key),
                version: Set(version.to_string()),
                source: Set(source.to_string()),
                imported_at: Set(now),
                is_current: Set(true),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        crate::audit::append(&txn, audit).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every stored version of a kind, oldest first.
    pub async fn references(&self, kind: ReferenceKind) -> Result<Vec<ReferenceVersion>> {
        let key = kind.key();
        let rows = reference_data::Entity::find()
            .filter(reference_data::Column::Kind.eq(key.clone()))
            .order_by_asc(reference_data::Column::ImportedAt)
            .order_by_asc(reference_data::Column::Version)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ReferenceVersion {
                version: m.version,
                source: m.source,
                imported_at: m.imported_at,
                is_current: m.is_current,
            })
            .collect())
    }

    /// The current version of a kind, if any was imported.
    pub async fn current_reference(&self, kind: ReferenceKind) -> Result<Option<ReferenceVersion>> {
        Ok(self.references(kind).await?.into_iter().find(|r| r.is_current))
    }

    /// The case kinds that have a workflow stored (shipped or imported).
    pub async fn workflow_kinds(&self) -> Result<Vec<String>> {
        self.keys_under(WORKFLOW_PREFIX).await
    }

    /// The registers with a version in force (`person`, …, and those a city added).
    pub async fn register_keys(&self) -> Result<Vec<String>> {
        self.keys_under(REGISTER_PREFIX).await
    }

    async fn keys_under(&self, prefix: &str) -> Result<Vec<String>> {
        let rows = reference_data::Entity::find()
            .filter(reference_data::Column::Kind.starts_with(prefix))
            .filter(reference_data::Column::IsCurrent.eq(true))
            .order_by_asc(reference_data::Column::Kind)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().filter_map(|m| m.kind.strip_prefix(prefix).map(str::to_string)).collect())
    }

    /// The states the stored cases of a kind are in (a new workflow version must keep them all).
    pub async fn case_states(&self, kind: &str) -> Result<Vec<String>> {
        use sea_orm::QuerySelect;
        Ok(crate::entity::case::Entity::find()
            .select_only()
            .column(crate::entity::case::Column::State)
            .distinct()
            .filter(crate::entity::case::Column::Kind.eq(kind))
            .into_tuple()
            .all(self.db())
            .await?)
    }
}
