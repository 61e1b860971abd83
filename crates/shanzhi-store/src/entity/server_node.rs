//! The `server_nodes` table: one row per server process start.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "server_nodes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub host: String,
    pub started_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
