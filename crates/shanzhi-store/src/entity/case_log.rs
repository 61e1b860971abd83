//! The `case_log` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "case_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub at: ChronoDateTimeUtc,
    pub actor_user: String,
    pub actor_role: String,
    pub actor_unit: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The whole log entry as JSON.
    pub body: String,
    /// The place in commit order (the audit sequence number of the writing transaction).
    pub pos: i64,
    /// What the entry counted in the figures: `Counted::bits`, its `due_at` and its unit.
    pub figure_bits: i64,
    pub due_at: Option<ChronoDateTimeUtc>,
    pub figure_unit: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
