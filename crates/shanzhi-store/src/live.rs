//! The command centre's live counts, read from the derived columns of `cases` in one grouped
//! query: open cases, their yellow and red lights, whistles waiting for a unit to report in, and
//! today's reports, for an area and each of its child areas.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use shanzhi_domain::access::DataScope;

use crate::cases::{area_condition, scope_condition};
use crate::entity::case;
use crate::{Result, Store};

/// What is live in an area now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LiveCounts {
    /// Not closed (any state short of a terminal one).
    pub open: u64,
    /// Open with the step's light yellow (past 80 % of its time, not yet due).
    pub yellow: u64,
    /// Open and past the step's deadline.
    pub red: u64,
    /// Open with a summons of the whistle not yet answered.
    pub summoned: u64,
    /// Reported since `today` (open or not).
    pub today: u64,
}

impl LiveCounts {
    pub fn add(&mut self, o: &LiveCounts) {
        self.open += o.open;
        self.yellow += o.yellow;
        self.red += o.red;
        self.summoned += o.summoned;
        self.today += o.today;
    }
}

/// The question: within a scope and an area, grouped by the first `group` digits of the grid
/// code (none: one total).
#[derive(Debug, Clone)]
pub struct LiveQuery {
    pub scope: DataScope,
    /// A division or grid code (see `area_condition`).
    pub area: String,
    /// How the counts are grouped.
    pub group: LiveGroup,
    /// Only cases of this kind.
    pub kind: Option<String>,
    /// Only cases whose primary unit is this one.
    pub unit: Option<String>,
    pub now: DateTime<Utc>,
    /// When today began (UTC+8 midnight, in UTC).
    pub today: DateTime<Utc>,
}

/// The groups of live counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveGroup {
    /// One row for the whole area.
    None,
    /// By the first n digits of the grid code (6, 9, 12 or 15): the area's children.
    Area(usize),
    /// By case kind.
    Kind,
    /// By kind and state, the key `kind:state` (the to-do lists).
    KindState,
}

#[derive(FromQueryResult)]
struct Row {
    k: Option<String>,
    open: Option<i64>,
    yellow: Option<i64>,
    red: Option<i64>,
    summoned: Option<i64>,
    today: Option<i64>,
}

fn count_if(c: Condition) -> Expr {
    let one_or_zero: Expr = Expr::case(c, 1).finally(0).into();
    one_or_zero.sum()
}

impl Store {
    /// Live counts per group key (`None`: cases with no grid, i.e. unlocated), in key order.
    pub async fn live_counts(&self, q: &LiveQuery) -> Result<Vec<(Option<String>, LiveCounts)>> {
        let open = || Condition::all().add(case::Column::ClosedAt.is_null());
        // The group length is a number we chose (6..=15), not input: written into the SQL as it is.
        let key = match q.group {
            LiveGroup::Area(n) => Expr::cust(format!("substr(grid_code, 1, {n})")),
            LiveGroup::Kind => Expr::col(case::Column::Kind),
            LiveGroup::KindState => Expr::cust("kind || ':' || state"),
            LiveGroup::None => Expr::cust("'*'"),
        };
        let mut select = case::Entity::find()
            .select_only()
            .column_as(key, "k")
            .column_as(count_if(open()), "open")
            .column_as(
                count_if(open().add(case::Column::YellowAt.lte(q.now)).add(case::Column::Deadline.gte(q.now))),
                "yellow",
            )
            .column_as(count_if(open().add(case::Column::Deadline.lt(q.now))), "red")
            .column_as(count_if(open().add(case::Column::SummonsDue.is_not_null())), "summoned")
            .column_as(count_if(Condition::all().add(case::Column::ReportedAt.gte(q.today))), "today")
            .filter(scope_condition(&q.scope))
            .filter(area_condition(&q.area))
            .filter(Condition::any().add(case::Column::ClosedAt.is_null()).add(case::Column::ReportedAt.gte(q.today)));
        if let Some(kind) = &q.kind {
            select = select.filter(case::Column::Kind.eq(kind.as_str()));
        }
        if let Some(unit) = &q.unit {
            select = select.filter(case::Column::PrimaryUnit.eq(unit.as_str()));
        }
        if q.group != LiveGroup::None {
            select = select.group_by(Expr::col(Alias::new("k")));
        }
        let rows = select.into_model::<Row>().all(self.db()).await?;
        let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
        let mut out: Vec<(Option<String>, LiveCounts)> = rows
            .into_iter()
            .map(|r| {
                let k = if q.group == LiveGroup::None { Some("*".into()) } else { r.k };
                let c = LiveCounts {
                    open: n(r.open),
                    yellow: n(r.yellow),
                    red: n(r.red),
                    summoned: n(r.summoned),
                    today: n(r.today),
                };
                (k, c)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
