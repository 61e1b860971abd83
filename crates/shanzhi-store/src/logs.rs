//! Case logs in bulk: the logs of many cases in one query (a page of Open311 requests with their
//! notes), the entries of a time window (FixMyStreet's `servicerequestupdates`), and the entries
//! after a position in commit order (the live event feed and the search index, in every
//! server process alike).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shanzhi_domain::cases::case::LogEntry;

use crate::cases::decode_log;
use crate::entity::{case, case_log};
use crate::{Result, Store};

impl Store {
    /// The logs of these cases (county, id), each in order, by case id.
    pub async fn case_logs(&self, cases: &[(String, i64)]) -> Result<HashMap<i64, Vec<LogEntry>>> {
        let mut out: HashMap<i64, Vec<LogEntry>> = HashMap::new();
        for chunk in cases.chunks(500) {
            let mut counties: Vec<String> = chunk.iter().map(|(c, _)| c.clone()).collect();
            counties.sort_unstable();
            counties.dedup();
            let rows = case_log::Entity::find()
                .filter(case_log::Column::CountyCode.is_in(counties))
                .filter(case_log::Column::CaseId.is_in(chunk.iter().map(|(_, id)| *id)))
                .order_by_asc(case_log::Column::CaseId)
                .order_by_asc(case_log::Column::Seq)
                .all(self.db())
                .await?;
            for m in rows {
                let id = m.case_id;
                out.entry(id).or_default().push(decode_log(m, self.sealer())?);
            }
        }
        Ok(out)
    }

    /// Log entries written in `[from, to)` (of cases of these kinds; empty: any kind), oldest
    /// first, at most `limit`: (case id, entry).
    pub async fn log_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kinds: &[String],
        limit: u64,
    ) -> Result<Vec<(i64, LogEntry)>> {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let mut q = case_log::Entity::find().filter(case_log::Column::At.gte(from)).filter(case_log::Column::At.lt(to));
        if !kinds.is_empty() {
            q = q.filter(
                Expr::col(case_log::Column::CaseId).in_subquery(
                    Query::select()
                        .column(case::Column::Id)
                        .from(case::Entity)
                        .and_where(Expr::col(case::Column::Kind).is_in(kinds.iter().cloned()))
                        .to_owned(),
                ),
            );
        }
        let rows = self.in_order(q, case_log::Column::At, limit).await?;
        rows.into_iter().map(|m| Ok((m.case_id, decode_log(m, self.sealer())?))).collect()
    }

    /// Entries committed after the cursor (position, case id, sequence), in that order, at most
    /// `limit`: (position, county, case id, entry). Positions are in commit order (migration
    /// m0014), so a reader that follows them never skips an entry committed late.
    pub async fn log_after(
        &self,
        (pos, case_id, seq): (i64, i64, u32),
        limit: u64,
    ) -> Result<Vec<(i64, String, i64, LogEntry)>> {
        let after = Condition::any().add(case_log::Column::Pos.gt(pos)).add(
            Condition::all().add(case_log::Column::Pos.eq(pos)).add(
                Condition::any().add(case_log::Column::CaseId.gt(case_id)).add(
                    Condition::all()
                        .add(case_log::Column::CaseId.eq(case_id))
                        .add(case_log::Column::Seq.gt(seq as i32)),
                ),
            ),
        );
        let q = case_log::Entity::find().filter(case_log::Column::Pos.gte(pos)).filter(after);
        let rows = self.in_order(q, case_log::Column::Pos, limit).await?;
        rows.into_iter().map(|m| Ok((m.pos, m.county_code.clone(), m.case_id, decode_log(m, self.sealer())?))).collect()
    }

    /// Log rows ordered by `first`, then by case and sequence, at most `limit`.
    async fn in_order(
        &self,
        q: sea_orm::Select<case_log::Entity>,
        first: case_log::Column,
        limit: u64,
    ) -> Result<Vec<case_log::Model>> {
        let q = q.order_by_asc(first).order_by_asc(case_log::Column::CaseId).order_by_asc(case_log::Column::Seq);
        Ok(q.limit(limit).all(self.db()).await?)
    }

    /// The position of the last committed log entry (0 when there is none).
    pub async fn log_position(&self) -> Result<i64> {
        let last = case_log::Entity::find()
            .select_only()
            .column(case_log::Column::Pos)
            .order_by_desc(case_log::Column::Pos)
            .limit(1)
            .into_tuple::<i64>()
            .one(self.db())
            .await?;
        Ok(last.unwrap_or(0))
    }
}
