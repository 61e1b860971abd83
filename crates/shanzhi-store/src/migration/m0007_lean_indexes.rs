//! Fewer b-trees per write. Figures are keyed (kind, area, unit, type, period), the order every
//! dashboard query narrows in, so the key alone serves them (one clustered b-tree on SQLite,
//! `WITHOUT ROWID`) and the two secondary indexes go. Cases lose the indexes on state, type,
//! community and township: the area filter is a range on the grid code (a grid's code begins
//! with its community's and street's), and type lookups use (type, lat, lon). On SQLite the case
//! log becomes `WITHOUT ROWID`: its key is the only b-tree a log entry is written to.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use super::m0005_figures::COUNTERS;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYS: [&str; 6] = ["county_code", "kind", "period", "area", "unit", "type_code"];

fn create(table: &str, key: &str, backend: DbBackend) -> String {
    let mut cols: Vec<String> = KEYS.iter().map(|k| format!("{k} VARCHAR NOT NULL")).collect();
    cols.extend(COUNTERS.iter().map(|c| format!("{c} BIGINT NOT NULL DEFAULT 0")));
    let tail = if backend == DbBackend::Sqlite { " WITHOUT ROWID" } else { "" };
    format!("CREATE TABLE {table} ({}, PRIMARY KEY ({key})){tail}", cols.join(", "))
}

async fn rebuild(m: &SchemaManager<'_>, key: &str, indexes: &[(&str, &str)]) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = db.get_database_backend();
    let all = KEYS.iter().chain(COUNTERS.iter()).copied().collect::<Vec<_>>().join(", ");
    for (name, _) in OLD_INDEXES {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
    }
    db.execute_unprepared("ALTER TABLE figures RENAME TO figures_before").await?;
    db.execute_unprepared(&create("figures", key, backend)).await?;
    db.execute_unprepared(&format!("INSERT INTO figures ({all}) SELECT {all} FROM figures_before")).await?;
    db.execute_unprepared("DROP TABLE figures_before").await?;
    for (name, cols) in indexes {
        db.execute_unprepared(&format!("CREATE INDEX {name} ON figures ({cols})")).await?;
    }
    Ok(())
}

const OLD_INDEXES: [(&str, &str); 2] =
    [("ix_figures_area_period", "area, period"), ("ix_figures_unit_period", "unit, period")];

const DROPPED: [(&str, &str); 4] = [
    ("ix_cases_state", "state"),
    ("ix_cases_type_code", "type_code"),
    ("ix_cases_community_code", "community_code"),
    ("ix_cases_township_code", "township_code"),
];

/// SQLite only: the case log rebuilt as it was declared, with or without a rowid.
async fn case_log_rowid(m: &SchemaManager<'_>, rowid: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let row = db
        .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'case_log'",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no case_log table".into()))?;
    let sql: String = row.try_get("", "sql")?;
    let body = sql.trim_end().trim_end_matches("WITHOUT ROWID").trim_end();
    let sql = if rowid { body.to_string() } else { format!("{body} WITHOUT ROWID") };
    db.execute_unprepared("ALTER TABLE case_log RENAME TO case_log_before").await?;
    db.execute_unprepared(&sql).await?;
    db.execute_unprepared("INSERT INTO case_log SELECT * FROM case_log_before").await?;
    db.execute_unprepared("DROP TABLE case_log_before").await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in DROPPED {
            m.drop_index(Index::drop().name(name).table("cases").to_owned()).await?;
        }
        rebuild(m, "kind, area, unit, type_code, period", &[]).await?;
        case_log_rowid(m, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        case_log_rowid(m, true).await?;
        rebuild(m, "kind, period, area, unit, type_code", &OLD_INDEXES).await?;
        for (name, col) in DROPPED {
            m.create_index(Index::create().name(name).table("cases").col(col).if_not_exists().to_owned()).await?;
        }
        Ok(())
    }
}
