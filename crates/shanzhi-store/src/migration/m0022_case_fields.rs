//! `case_fields`: the values of a case's filterable fields (choices, numbers and dates, as the
//! kind's workflow declares them; never text or personal data), beside the sealed body that keeps
//! them all, so a desk filters a kind's cases by them (`case_fields.rs`). Cases stored before this
//! migration get their rows from their bodies, which may be sealed: the migration leaves a task
//! that the application runs with its data key and its workflows when it opens.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The task that fills `case_fields` for cases stored before this migration.
pub const TASK: &str = "cases.fields";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("case_fields")
                .if_not_exists()
                .col(string("county_code"))
                .col(big_integer("case_id"))
                .col(string("field"))
                .col(string_null("value_text"))
                .col(double_null("value_number"))
                .primary_key(Index::create().col("county_code").col("case_id").col("field"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [("ix_case_fields_text", "value_text"), ("ix_case_fields_number", "value_number")] {
            m.create_index(
                Index::create().name(name).table("case_fields").col("field").col(col).if_not_exists().to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO store_tasks (name) SELECT '{TASK}' WHERE EXISTS (SELECT 1 FROM cases)"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared(&format!("DELETE FROM store_tasks WHERE name = '{TASK}'")).await?;
        m.drop_table(Table::drop().table("case_fields").if_exists().to_owned()).await
    }
}
