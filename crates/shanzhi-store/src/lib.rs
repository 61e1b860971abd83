//! shanzhi-store: persistence on SQLite (embedded default) and PostgreSQL (production) through
//! SeaORM, with one set of migrations and queries for both.

mod accounts;
mod attachments;
mod audit;
mod case_fields;
mod cases;
mod dialect;
pub mod entity;
mod figures;
mod live;
mod logins;
mod logs;
mod migration;
mod places;
mod rates;
mod reference;
mod register_visits;
mod registers;
mod reseal;
mod sealed;
mod tasks;
pub mod testing;
mod todo_marks;
mod users;

pub use accounts::{ApiKeyRecord, Credential, TokenRecord};
pub use attachments::AttachmentRecord;
pub use audit::{AuditQuery, AuditReport};
pub use cases::{Acted, CaseFilter, Counter, History, NewCase, StoredCase};
pub use figures::FigureQuery;
pub use live::{LiveCounts, LiveGroup, LiveQuery};
pub use logins::ALL_ADDRESSES;
pub use places::{PlacesSnapshot, StoredPlaces};
pub use reference::{ReferenceKind, ReferenceVersion};
pub use register_visits::{Due, DueQuery, DueRow, LoadedRecord, VisitRow};
pub use registers::{RecordQuery, RecordVersion, StoredRecord};
pub use reseal::ResealReport;
pub use sealed::DataKey;
pub use users::{AccountChange, UserQuery, UserRow};

use sea_orm::{DatabaseBackend, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use thiserror::Error;

/// The errors of the store layer.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        let text = e.to_string();
        if text.contains("UNIQUE") || text.contains("duplicate key") {
            StoreError::Conflict(text)
        } else {
            StoreError::Unavailable(text)
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A connection pool to one database.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where it was opened, so that a second, independent pool can be opened (`open_again`).
    url: std::sync::Arc<str>,
    schema: Option<std::sync::Arc<str>>,
    /// Seals personal data at rest when a data key is set (`sealed.rs`).
    sealer: sealed::Sealer,
    /// The filterable fields of each kind, whose values are kept where filters find them.
    field_plan: case_fields::FieldPlan,
}

impl Store {
    /// Connects to `sqlite://path` (created if absent) or `postgres://…`. For PostgreSQL a
    /// `schema` puts every table in that schema (created if absent), which isolates test runs.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Store> {
        let db = dialect::connect(url, schema).await?;
        Ok(Store {
            db,
            url: url.into(),
            schema: schema.map(Into::into),
            sealer: Default::default(),
            field_plan: Default::default(),
        })
    }

    /// The same store sealing personal data with this key from now on (and opening what it
    /// sealed); without one, personal data is written as it is.
    pub fn with_data_key(self, key: Option<DataKey>) -> Store {
        self.with_data_keys(key, Vec::new())
    }

    /// The same store sealing with `current` and opening with it or any of `old` (key rotation:
    /// `reseal` then moves what the old keys sealed to the current one).
    pub fn with_data_keys(mut self, current: Option<DataKey>, old: Vec<DataKey>) -> Store {
        self.sealer = sealed::Sealer::new(current, old);
        self
    }

    /// A second pool to the same database, sharing nothing with this one: what another server
    /// process has (used to test that two servers on one database stay correct).
    pub async fn open_again(&self) -> Result<Store> {
        Ok(Store { sealer: self.sealer.clone(), ..Store::connect(&self.url, self.schema.as_deref()).await? })
    }

    /// Registers a server process starting and returns its number (1, 2, …): the source of the
    /// node bits in case ids.
    pub async fn register_node(&self, host: &str, now: chrono::DateTime<chrono::Utc>) -> Result<i64> {
        use sea_orm::{ActiveValue::Set, EntityTrait};
        let row = entity::server_node::ActiveModel {
            host: Set(host.to_string()),
            started_at: Set(now),
            ..Default::default()
        };
        Ok(entity::server_node::Entity::insert(row).exec(&self.db).await?.last_insert_id)
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Migrations applied and pending, by name.
    pub async fn migration_status(&self) -> Result<(Vec<String>, Vec<String>)> {
        let applied =
            migration::Migrator::get_applied_migrations(&self.db).await?.iter().map(|m| m.name().to_string()).collect();
        let pending =
            migration::Migrator::get_pending_migrations(&self.db).await?.iter().map(|m| m.name().to_string()).collect();
        Ok((applied, pending))
    }

    pub fn backend(&self) -> &'static str {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite => "sqlite",
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::MySql => "mysql",
            _ => "other",
        }
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }

    /// Drops a PostgreSQL schema with everything in it (test isolation; a no-op on SQLite).
    pub async fn drop_schema_for_tests(&self, schema: &str) -> Result<()> {
        if self.backend() == "postgres" {
            dialect::drop_schema(&self.db, schema).await?;
        }
        Ok(())
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The id of the key personal data is sealed with (none: it is stored unsealed).
    pub fn data_key_id(&self) -> Option<&str> {
        self.sealer.current().map(DataKey::id)
    }

    pub(crate) fn sealer(&self) -> &sealed::Sealer {
        &self.sealer
    }

    pub(crate) fn field_plan(&self) -> &case_fields::FieldPlan {
        &self.field_plan
    }
}
