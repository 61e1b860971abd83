//! The `case_fields` table: (case, field) → the value a desk filters by (a choice's key or a date
//! in `value_text`, a number in `value_number`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "case_fields")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub field: String,
    pub value_text: Option<String>,
    pub value_number: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
