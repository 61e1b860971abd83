//! The `cases` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub kind: String,
    pub type_code: String,
    pub channel: String,
    pub state: String,
    pub grid_code: Option<String>,
    pub community_code: Option<String>,
    pub township_code: Option<String>,
    pub located: bool,
    pub reporter: Option<String>,
    pub primary_unit: Option<String>,
    pub step: Option<String>,
    pub deadline: Option<ChronoDateTimeUtc>,
    pub yellow_at: Option<ChronoDateTimeUtc>,
    pub reported_at: ChronoDateTimeUtc,
    pub closed_at: Option<ChronoDateTimeUtc>,
    pub seq: i32,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// When the deadline sweep next has work on this case.
    pub sweep_at: Option<ChronoDateTimeUtc>,
    /// When the earliest unanswered summons falls due (none: nobody is waited for).
    pub summons_due: Option<ChronoDateTimeUtc>,
    /// The hash of the case's short follow code (`ShortCode::lookup_key`); none for cases stored
    /// before codes were given (m0023) and for loaded histories.
    pub short_code_hash: Option<String>,
    /// The whole case as JSON; the columns above are derived from it for queries.
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
