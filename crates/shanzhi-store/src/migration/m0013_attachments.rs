//! Attachments: what was uploaded (the bytes live in the object store), and which cases reference
//! each one (written with the log entry that references it), so reading a file follows the
//! reader's data scope.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .if_not_exists()
                .col(string("id").primary_key())
                .col(string("media_type"))
                .col(big_integer("size"))
                .col(integer_null("width"))
                .col(integer_null("height"))
                .col(boolean("thumbnail"))
                .col(string_null("name"))
                .col(string("sha256"))
                .col(string("uploaded_by"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("attachment_links")
                .if_not_exists()
                .col(string("attachment"))
                .col(string("county_code"))
                .col(big_integer("case_id"))
                .primary_key(Index::create().col("attachment").col("county_code").col("case_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["attachment_links", "attachments"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
