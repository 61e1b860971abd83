//! Key rotation: re-sealing every sealed column under the store's current data key. Rows are read
//! in primary-key order, a page at a time, and only those holding a value not sealed with the
//! current key (an old key's, or plain text from before any key); each is written back only if it
//! still holds what was read, so a run can go beside a server, stop, and start again.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, Value};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};

use crate::{Result, Store, StoreError};

/// Rows read per page.
const PAGE: u64 = 500;

#[derive(Clone, Copy)]
enum KeyType {
    Text,
    /// INTEGER (i32)
    Int,
    /// BIGINT (i64)
    BigInt,
}

/// A table with sealed columns: its primary key (in order) and those columns.
struct SealedTable {
    table: &'static str,
    key: &'static [(&'static str, KeyType)],
    columns: &'static [&'static str],
}

/// Every sealed column (sealed.rs lists what they hold).
const SEALED: &[SealedTable] = &[
    SealedTable { table: "cases", key: &[("county_code", KeyType::Text), ("id", KeyType::BigInt)], columns: &["body"] },
    SealedTable {
        table: "case_log",
        key: &[("county_code", KeyType::Text), ("case_id", KeyType::BigInt), ("seq", KeyType::Int)],
        columns: &["body"],
    },
    SealedTable { table: "idempotency_keys", key: &[("key", KeyType::Text)], columns: &["response"] },
    SealedTable { table: "grid_workers", key: &[("id", KeyType::BigInt)], columns: &["name", "phone"] },
    SealedTable { table: "buildings", key: &[("code", KeyType::Text)], columns: &["head_name", "head_phone"] },
    SealedTable { table: "register_records", key: &[("id", KeyType::BigInt)], columns: &["body"] },
    SealedTable {
        table: "register_history",
        key: &[("record_id", KeyType::BigInt), ("version", KeyType::Int)],
        columns: &["body"],
    },
    SealedTable {
        table: "register_visits",
        key: &[("record_id", KeyType::BigInt), ("seq", KeyType::Int)],
        columns: &["body"],
    },
];

/// What a run re-sealed: (table, rows rewritten), the id of the key they are sealed with now, and
/// the rows still not under it at the end (written meanwhile by a server that seals with an old
/// key, or changed while being re-sealed): a run with some left must be repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResealReport {
    pub key: String,
    pub tables: Vec<(String, u64)>,
    pub remaining: u64,
}

impl ResealReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn get<T: sea_orm::TryGetable>(r: &QueryResult, c: &str) -> Result<T> {
    r.try_get::<T>("", c).map_err(|e| StoreError::Corrupt(format!("{c}: {e}")))
}

impl SealedTable {
    /// Rows with a column not sealed with the current key (`prefix`).
    fn stale(&self, prefix: &str) -> Expr {
        let pattern = format!("{prefix}%");
        self.columns.iter().map(|c| col(c).not_like(pattern.as_str())).reduce(|a, b| a.or(b)).expect("a column")
    }

    fn key_values(&self, r: &QueryResult) -> Result<Vec<Value>> {
        self.key
            .iter()
            .map(|(c, t)| {
                Ok(match t {
                    KeyType::Text => get::<String>(r, c)?.into(),
                    KeyType::Int => get::<i32>(r, c)?.into(),
                    KeyType::BigInt => get::<i64>(r, c)?.into(),
                })
            })
            .collect()
    }

    fn key_tuple(&self) -> Expr {
        Expr::tuple(self.key.iter().map(|(c, _)| col(c)))
    }
}

impl Store {
    /// Re-seals every value not sealed with the current key (see the module), reporting
    /// (table, rows done, rows to do) as it goes.
    pub async fn reseal(&self, mut progress: impl FnMut(&'static str, u64, u64)) -> Result<ResealReport> {
        let (Some(key), Some(prefix)) = (self.sealer().current(), self.sealer().current_prefix()) else {
            return Err(StoreError::Conflict("no data key is configured to seal with (`data_key`)".into()));
        };
        let mut tables = Vec::new();
        for t in SEALED {
            let total = self.stale_rows(t, &prefix).await?;
            let (mut done, mut rewritten, mut after): (u64, u64, Option<Vec<Value>>) = (0, 0, None);
            progress(t.table, 0, total);
            let mut more = total > 0;
            while more {
                let mut page = Query::select();
                page.from(Alias::new(t.table))
                    .columns(t.key.iter().map(|(c, _)| Alias::new(*c)))
                    .columns(t.columns.iter().map(|c| Alias::new(*c)))
                    .and_where(t.stale(&prefix));
                if let Some(last) = &after {
                    page.and_where(t.key_tuple().gt(Expr::tuple(last.iter().cloned().map(Expr::val))));
                }
                for (c, _) in t.key {
                    page.order_by(Alias::new(*c), Order::Asc);
                }
                page.limit(PAGE);
                let rows = self.db().query_all(&page).await?;
                let Some(last) = rows.last() else { break };
                after = Some(t.key_values(last)?);
                let txn = self.db().begin().await?;
                for r in &rows {
                    let mut update = Query::update();
                    update.table(Alias::new(t.table));
                    for c in t.columns {
                        let stored: String = get(r, c)?;
                        let plain = self.sealer().open(stored.clone())?;
                        let value =
                            if stored.starts_with(&prefix) { stored.clone() } else { self.sealer().seal(&plain) };
                        update.value(Alias::new(*c), value).and_where(col(c).eq(stored));
                    }
                    for ((c, _), v) in t.key.iter().zip(t.key_values(r)?) {
                        update.and_where(col(c).eq(Expr::val(v)));
                    }
                    rewritten += txn.execute(&update).await?.rows_affected();
                }
                txn.commit().await?;
                done += rows.len() as u64;
                more = rows.len() as u64 == PAGE;
                progress(t.table, Ord::min(done, total), total);
            }
            tables.push((t.table.to_string(), rewritten));
        }
        let mut remaining = 0;
        for t in SEALED {
            remaining += self.stale_rows(t, &prefix).await?;
        }
        Ok(ResealReport { key: key.id().to_string(), tables, remaining })
    }

    /// Rows of a table holding a value not sealed with the current key (`prefix`).
    async fn stale_rows(&self, t: &SealedTable, prefix: &str) -> Result<u64> {
        let mut count = Query::select();
        count.from(Alias::new(t.table)).expr_as(Expr::cust("COUNT(*)"), Alias::new("n")).and_where(t.stale(prefix));
        Ok(match self.db().query_one(&count).await? {
            Some(r) => get::<i64>(&r, "n")? as u64,
            None => 0,
        })
    }
}
