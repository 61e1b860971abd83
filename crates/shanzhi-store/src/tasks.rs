//! Work a migration leaves for the application: a derived column or table that must be filled from
//! case bodies, which the migration cannot open when they are sealed. `store_tasks` lists what is still
//! to do; the application runs it with its data keys when it opens, and a task is struck off only
//! when it has finished, so an interrupted run starts again at the next open.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shanzhi_domain::cases::sweep::summons_due;

use crate::cases::decode;
use crate::entity::case;
use crate::migration::{m0015_summons, m0022_case_fields};
use crate::{Result, Store, StoreError};

/// Cases read per page.
const PAGE: u64 = 500;

impl Store {
    /// The tasks still to run, by name.
    pub async fn pending_store_tasks(&self) -> Result<Vec<String>> {
        let mut q = Query::select();
        q.from(Alias::new("store_tasks")).column(Alias::new("name")).order_by(Alias::new("name"), sea_orm::Order::Asc);
        self.db()
            .query_all(&q)
            .await?
            .iter()
            .map(|r| r.try_get::<String>("", "name").map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    /// Lists the task that (re)fills the filter rows of every case of the kinds with filter fields
    /// (after a new version of a kind declares `filter` on a field its cases may already hold).
    /// The rows already there are kept; the task runs with the next `run_store_tasks`.
    pub async fn refill_case_fields_later(&self) -> Result<()> {
        let mut q = Query::insert();
        q.into_table(Alias::new("store_tasks"))
            .columns([Alias::new("name")])
            .values_panic([m0022_case_fields::TASK.into()])
            .on_conflict(sea_orm::sea_query::OnConflict::column(Alias::new("name")).do_nothing().to_owned());
        self.db().execute(&q).await?;
        Ok(())
    }

    /// Runs every pending task, reporting (task, cases done); answers what each changed.
    pub async fn run_store_tasks(&self, progress: &mut (dyn FnMut(&str, u64) + Send)) -> Result<Vec<(String, u64)>> {
        let mut done = Vec::new();
        for task in self.pending_store_tasks().await? {
            let changed = match task.as_str() {
                m0015_summons::TASK => self.fill_summons_due(&mut |n| progress(&task, n)).await?,
                m0022_case_fields::TASK => self.fill_case_fields(&mut |n| progress(&task, n)).await?,
                other => return Err(StoreError::Corrupt(format!("unknown store task `{other}`"))),
            };
            let mut strike = Query::delete();
            strike.from_table(Alias::new("store_tasks")).and_where(Expr::col(Alias::new("name")).eq(task.as_str()));
            self.db().execute(&strike).await?;
            done.push((task, changed));
        }
        Ok(done)
    }

    /// Walks the cases matching `only` a page at a time in key order (county, id), handing each
    /// page to `each` and reporting how many were read so far.
    pub(crate) async fn walk_cases(
        &self,
        only: Condition,
        progress: &mut (dyn FnMut(u64) + Send),
        mut each: impl AsyncFnMut(Vec<case::Model>) -> Result<()>,
    ) -> Result<()> {
        let (mut after, mut read): (Option<(String, i64)>, u64) = (None, 0);
        loop {
            let mut q = case::Entity::find().filter(only.clone());
            if let Some((county, id)) = &after {
                q = q.filter(Condition::any().add(case::Column::CountyCode.gt(county.as_str())).add(
                    Condition::all().add(case::Column::CountyCode.eq(county.as_str())).add(case::Column::Id.gt(*id)),
                ));
            }
            let rows = q
                .order_by_asc(case::Column::CountyCode)
                .order_by_asc(case::Column::Id)
                .limit(PAGE)
                .all(self.db())
                .await?;
            let Some(last) = rows.last() else { break };
            after = Some((last.county_code.clone(), last.id));
            let full = rows.len() as u64 == PAGE;
            read += rows.len() as u64;
            each(rows).await?;
            progress(read);
            if !full {
                break;
            }
        }
        Ok(())
    }

    /// Sets `summons_due` on every open case from its body; a case saved meanwhile (another
    /// `seq`) already has it from that save and is left alone.
    async fn fill_summons_due(&self, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
        let mut changed = 0;
        let open = Condition::all().add(case::Column::ClosedAt.is_null());
        self.walk_cases(open, progress, async |rows| {
            for m in rows {
                let (county, id, seq) = (m.county_code.clone(), m.id, m.seq);
                let due = summons_due(&decode(m, self.sealer())?.case);
                if due.is_none() {
                    continue;
                }
                let set = case::ActiveModel { summons_due: Set(due), ..Default::default() };
                changed += case::Entity::update_many()
                    .set(set)
                    .filter(case::Column::CountyCode.eq(county))
                    .filter(case::Column::Id.eq(id))
                    .filter(case::Column::Seq.eq(seq))
                    .exec(self.db())
                    .await?
                    .rows_affected;
            }
            Ok(())
        })
        .await?;
        Ok(changed)
    }
}
