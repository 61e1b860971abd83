//! What each case log entry counted in the figures (domain `Counted`): the counters of its month
//! as bits, the handling deadline whose month counts it as due, and the unit it counted under. A
//! list filtered on these shows exactly the cases behind any figure of the dashboards. Entries
//! written before this migration have no bits (0) and so are listed behind no figure.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        let table = || Table::alter().table("case_log").to_owned();
        m.alter_table(table().add_column(big_integer("figure_bits").default(0)).to_owned()).await?;
        m.alter_table(table().add_column(timestamp_with_time_zone_null("due_at")).to_owned()).await?;
        m.alter_table(table().add_column(string_null("figure_unit")).to_owned()).await?;
        m.create_index(
            Index::create().name("ix_case_log_due_at").table("case_log").col("due_at").if_not_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_case_log_due_at").table("case_log").to_owned()).await?;
        for col in ["figure_unit", "due_at", "figure_bits"] {
            m.alter_table(Table::alter().table("case_log").drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
