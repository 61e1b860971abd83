//! Visit plans of the registers: `register_due`, when each (record, tag with a plan) is next to
//! be visited (kept with the record's tags in the transaction that changes them), and
//! `register_visits`, each visit made (the note and photos sealed), on time or late.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("register_due")
                .if_not_exists()
                .col(big_integer("record_id"))
                .col(string("tag"))
                .col(string("register"))
                .col(string("grid_code"))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone_null("last_visit_at"))
                .primary_key(Index::create().col("record_id").col("tag"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("register_due_grid")
                .table("register_due")
                .col("register")
                .col("grid_code")
                .col("due_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("register_visits")
                .if_not_exists()
                .col(big_integer("record_id"))
                .col(integer("seq"))
                .col(string("tag"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .col(boolean("on_time"))
                .col(text("body"))
                .primary_key(Index::create().col("record_id").col("seq"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["register_visits", "register_due"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
