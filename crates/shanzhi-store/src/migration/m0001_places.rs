//! Places and reference data: divisions, grids, units, users, grid workers, buildings, and the
//! versioned reference files (taxonomy, calendar, departments). Large tables carry the county
//! code, the future shard key.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn index(table: &'static str, col: &'static str) -> IndexCreateStatement {
    Index::create().name(format!("ix_{table}_{col}")).table(table).col(col).if_not_exists().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("divisions")
                .if_not_exists()
                .col(string("code").primary_key())
                .col(string("name"))
                .col(string("level"))
                .col(string("kind"))
                .col(string_null("parent_code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("grids")
                .if_not_exists()
                .col(string("code").primary_key())
                .col(string("name"))
                .col(string("kind"))
                .col(string("community_code"))
                .col(string("township_code"))
                .col(string("county_code"))
                .col(text("geometry"))
                .col(double("min_lon"))
                .col(double("min_lat"))
                .col(double("max_lon"))
                .col(double("max_lat"))
                .col(double("area_m2"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("units")
                .if_not_exists()
                .col(string("id").primary_key())
                .col(string("name"))
                .col(string("kind"))
                .col(string("area_code"))
                .col(string_null("county_code"))
                .col(string_null("department"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("users")
                .if_not_exists()
                .col(string("username").primary_key())
                .col(string("display_name"))
                .col(string("role"))
                .col(string("unit_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("grid_workers")
                .if_not_exists()
                .col(big_integer("id").primary_key())
                .col(string("name"))
                .col(string("phone"))
                .col(string("grid_code"))
                .col(string("county_code"))
                .col(boolean("full_time"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("buildings")
                .if_not_exists()
                .col(string("code").primary_key())
                .col(string("grid_code"))
                .col(string("county_code"))
                .col(string("name"))
                .col(string("head_name"))
                .col(string("head_phone"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reference_data")
                .if_not_exists()
                .col(string("kind"))
                .col(string("version"))
                .col(text("source"))
                .col(timestamp_with_time_zone("imported_at"))
                .col(boolean("is_current"))
                .primary_key(Index::create().col("kind").col("version"))
                .to_owned(),
        )
        .await?;
        for (t, c) in [
            ("divisions", "parent_code"),
            ("grids", "community_code"),
            ("grids", "township_code"),
            ("grids", "county_code"),
            ("units", "area_code"),
            ("grid_workers", "grid_code"),
            ("buildings", "grid_code"),
        ] {
            m.create_index(index(t, c)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["reference_data", "buildings", "grid_workers", "users", "units", "grids", "divisions"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
