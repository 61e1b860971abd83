//! Accounts: a password (argon2id PHC string) and the login state per user, login tokens and API
//! keys. Tokens and keys are stored only as SHA-256 hashes: a leaked table grants nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("credentials")
                .if_not_exists()
                .col(string("username").primary_key())
                .col(text("password_hash"))
                .col(integer("failures").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("changed_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("auth_tokens")
                .if_not_exists()
                .col(string("token_hash").primary_key())
                .col(string("username"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_auth_tokens_username").table("auth_tokens").col("username").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("api_keys")
                .if_not_exists()
                .col(string("name").primary_key())
                .col(string("key_hash").unique_key())
                .col(string("username"))
                .col(string("scope"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["api_keys", "auth_tokens", "credentials"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
