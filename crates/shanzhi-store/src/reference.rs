//! Versioned reference data (taxonomy, work calendar, departments): every imported version is
//! kept whole; one per kind is current.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr};

use crate::entity::reference_data;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    Taxonomy,
    Calendar,
    Departments,
}

impl ReferenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::Taxonomy => "taxonomy",
            ReferenceKind::Calendar => "calendar",
            ReferenceKind::Departments => "departments",
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
        let txn = self.db().begin().await?;
        let existing =
            reference_data::Entity::find_by_id((kind.as_str().to_string(), version.to_string())).one(&txn).await?;
        if let Some(e) = &existing {
            if e.source != source {
                return Err(StoreError::Conflict(format!(
                    "{} version {version} is already stored with different content: give the new file a new version",
                    kind.as_str()
                )));
            }
        }
        reference_data::Entity::update_many()
            .col_expr(reference_data::Column::IsCurrent, Expr::value(false))
            .filter(reference_data::Column::Kind.eq(kind.as_str()))
            .exec(&txn)
            .await?;
        if existing.is_some() {
            reference_data::Entity::update_many()
                .col_expr(reference_data::Column::IsCurrent, Expr::value(true))
                .filter(reference_data::Column::Kind.eq(kind.as_str()))
                .filter(reference_data::Column::Version.eq(version))
                .exec(&txn)
                .await?;
        } else {
            reference_data::Entity::insert(reference_data::ActiveModel {
                kind: Set(kind.as_str().to_string()),
                version: Set(version.to_string()),
                source: Set(source.to_string()),
                imported_at: Set(now),
                is_current: Set(true),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Every stored version of a kind, oldest first.
    pub async fn references(&self, kind: ReferenceKind) -> Result<Vec<ReferenceVersion>> {
        let rows = reference_data::Entity::find()
            .filter(reference_data::Column::Kind.eq(kind.as_str()))
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
}
