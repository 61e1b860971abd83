//! `summons_due` on cases: when the earliest unanswered summons of the whistle falls due (none:
//! no unit is waited for), so the command centre counts whistles waiting for departments from
//! a column. Cases stored before this migration get it from their bodies, which may be sealed:
//! the migration cannot open them, so it leaves a task in `store_tasks` that the application
//! runs with the data key when it opens (`Store::run_store_tasks`).

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The task that fills `summons_due` for cases stored before this migration.
pub const TASK: &str = "cases.summons_due";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("cases").add_column(timestamp_with_time_zone_null("summons_due")).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create().table("store_tasks").if_not_exists().col(string("name").primary_key()).to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO store_tasks (name) SELECT '{TASK}' WHERE EXISTS (SELECT 1 FROM cases WHERE closed_at IS NULL)"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("store_tasks").if_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("cases").drop_column("summons_due").to_owned()).await
    }
}
