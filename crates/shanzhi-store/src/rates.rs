//! Rate windows shared by every server on the database (`rate_windows`, m0021): one upsert per
//! request counts it in its window and answers the count, the same SQL on both databases; old
//! windows are deleted.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};

use crate::{Result, Store, StoreError};

const TABLE: &str = "rate_windows";

impl Store {
    /// Counts one request of `client` in `bucket`'s window that starts at `window_start` (Unix
    /// seconds) and answers the requests counted in that window so far, this one included.
    /// `INSERT … ON CONFLICT … DO UPDATE SET hits = hits + 1 RETURNING hits`: concurrent servers
    /// each get their own count.
    pub async fn count_rate_hit(&self, bucket: &str, client: &str, window_start: i64) -> Result<i64> {
        let mut q = Query::insert();
        q.into_table(Alias::new(TABLE))
            .columns(["bucket", "client", "window_start", "hits"].map(Alias::new))
            .values([Expr::val(bucket), Expr::val(client), Expr::val(window_start), Expr::val(1)])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .on_conflict(
                OnConflict::columns(["bucket", "client", "window_start"].map(Alias::new))
                    .value(Alias::new("hits"), Expr::col((Alias::new(TABLE), Alias::new("hits"))).add(1))
                    .to_owned(),
            )
            .returning_col(Alias::new("hits"));
        let row = self.db().query_one(&q).await?.ok_or_else(|| StoreError::Corrupt("no count returned".into()))?;
        let hits: i32 = row.try_get("", "hits").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(hits.into())
    }

    /// Deletes the windows that started before `window_start`; answers how many there were.
    pub async fn forget_rate_windows(&self, window_start: i64) -> Result<u64> {
        let mut q = Query::delete();
        q.from_table(Alias::new(TABLE)).and_where(Expr::col(Alias::new("window_start")).lt(window_start));
        Ok(self.db().execute(&q).await?.rows_affected())
    }
}
