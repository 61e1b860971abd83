//! Cases, their immutable logs and idempotency keys. The county code leads every primary key
//! (the future shard key); the deadline index serves the overdue sweep.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_"))).table(table).if_not_exists();
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("cases")
                .if_not_exists()
                .col(string("county_code"))
                .col(big_integer("id"))
                .col(string("kind"))
                .col(string("type_code"))
                .col(string("channel"))
                .col(string("state"))
                .col(string_null("grid_code"))
                .col(string_null("community_code"))
                .col(string_null("township_code"))
                .col(boolean("located"))
                .col(string_null("reporter"))
                .col(string_null("primary_unit"))
                .col(string_null("step"))
                .col(timestamp_with_time_zone_null("deadline"))
                .col(timestamp_with_time_zone_null("yellow_at"))
                .col(timestamp_with_time_zone("reported_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(integer("seq"))
                .col(text("body"))
                .primary_key(Index::create().col("county_code").col("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("case_log")
                .if_not_exists()
                .col(string("county_code"))
                .col(big_integer("case_id"))
                .col(integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(string("actor_user"))
                .col(string("actor_role"))
                .col(string("actor_unit"))
                .col(string("action"))
                .col(string_null("from_state"))
                .col(string("to_state"))
                .col(text("body"))
                .primary_key(Index::create().col("county_code").col("case_id").col("seq"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("idempotency_keys")
                .if_not_exists()
                .col(string("key").primary_key())
                .col(string("county_code"))
                .col(big_integer("case_id"))
                .col(text("response"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        let mut unique_id = index("cases", &["id"]);
        unique_id.unique();
        m.create_index(unique_id).await?;
        for cols in [
            &["deadline"][..],
            &["state"],
            &["community_code"],
            &["township_code"],
            &["grid_code"],
            &["primary_unit"],
            &["reported_at"],
            &["type_code"],
        ] {
            m.create_index(index("cases", cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["idempotency_keys", "case_log", "cases"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
