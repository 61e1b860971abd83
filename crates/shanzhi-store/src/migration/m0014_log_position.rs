//! Each log entry's place in commit order (`pos`): the sequence number of the audit entry written
//! in the same transaction. Appenders queue on the audit head until they commit, so a reader that
//! has seen position n has seen every entry below it, and the event feed and the search index
//! that follow the log by position never skip an entry committed late. Entries written before
//! this migration share position 0.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("case_log").add_column(big_integer("pos").default(0)).to_owned()).await?;
        m.create_index(Index::create().name("ix_case_log_pos").table("case_log").col("pos").if_not_exists().to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_case_log_pos").table("case_log").to_owned()).await?;
        m.alter_table(Table::alter().table("case_log").drop_column("pos").to_owned()).await
    }
}
