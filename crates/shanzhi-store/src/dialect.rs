//! Every difference between SQLite and PostgreSQL lives here: how to connect, WAL and durable
//! writes for SQLite, the schema search path for PostgreSQL.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::{Result, StoreError};

pub async fn connect(url: &str, schema: Option<&str>) -> Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        // One file, WAL, fsync on every commit: a write is durable before anyone hears "done".
        opts.max_connections(4).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // A page cache of 64 MiB per connection and memory-mapped reads: the hot tables
                // (grids, recent cases) stay in memory instead of costing a syscall per page.
                .pragma("cache_size", "-65536")
                .pragma("mmap_size", "1073741824")
                .pragma("temp_store", "memory")
        });
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        opts.max_connections(16);
        if let Some(s) = schema {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Unavailable(format!("invalid schema name `{s}`")));
            }
            let admin = Database::connect(url).await.map_err(|e| StoreError::Unavailable(format!("{url}: {e}")))?;
            admin.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {s}")).await?;
            admin.close().await?;
            opts.set_schema_search_path(s.to_string());
        }
    } else {
        return Err(StoreError::Unavailable(format!(
            "unsupported database URL `{url}`: use sqlite://FILE or postgres://…"
        )));
    }
    Database::connect(opts).await.map_err(|e| StoreError::Unavailable(format!("{}: {e}", redact(url))))
}

/// Drops a test schema (PostgreSQL only).
pub async fn drop_schema(db: &DatabaseConnection, schema: &str) -> Result<()> {
    db.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await?;
    Ok(())
}

/// A URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
