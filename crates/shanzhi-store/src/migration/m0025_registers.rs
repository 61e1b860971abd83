//! The registers of the grid (一标三实: houses, people, units; `data/registers/*.toml`):
//! `register_records`, one row per record (the fields and tags sealed in `body`; the grid, the
//! tags and the values the file declares `filter` in the clear for lists), and `register_history`,
//! every version of every record (sealed), who made it and when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("register_records")
                .if_not_exists()
                .col(big_integer("id").primary_key())
                .col(string("register"))
                .col(string("county_code"))
                .col(string("grid_code"))
                .col(integer("version"))
                .col(text("body"))
                .col(string("tags"))
                .col(string("facets"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("removed_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("register_records_grid")
                .table("register_records")
                .col("register")
                .col("grid_code")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("register_history")
                .if_not_exists()
                .col(big_integer("record_id"))
                .col(integer("version"))
                .col(string("action"))
                .col(string("actor"))
                .col(timestamp_with_time_zone("at"))
                .col(text("body"))
                .primary_key(Index::create().col("record_id").col("version"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["register_history", "register_records"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
