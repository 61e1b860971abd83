//! Figures in the database: the deltas of each log entry added (upserted) in the transaction that
//! appends the entry, and read back by key for the dashboards.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use shanzhi_domain::cases::case::{Case, LogEntry};
use shanzhi_domain::cases::figures::{Counters, FigureKey, deltas};

use crate::{Result, Store, StoreError};

fn county_of(area: &str) -> String {
    if area.len() >= 6 && area.bytes().all(|b| b.is_ascii_digit()) { area[..6].to_string() } else { String::new() }
}

/// The key columns, in the order of the table's primary key.
const KEY: [&str; 5] = ["kind", "area", "unit", "type_code", "period"];

/// Adds what the entries did to the figures, inside the caller's transaction.
pub(crate) async fn add_figures(txn: &impl ConnectionTrait, changes: &[(&Case, &LogEntry)]) -> Result<()> {
    let mut sum: HashMap<FigureKey, Counters> = HashMap::new();
    for (case, entry) in changes {
        for (k, c) in deltas(case, entry) {
            sum.entry(k).or_default().add(&c);
        }
    }
    upsert_figures(txn, sum).await
}

/// Adds counters to the stored figures (creating rows as needed), inside the caller's transaction.
/// Rows go in key order (so concurrent writers lock in one order), and each statement names only
/// the counters that some of its rows change.
pub(crate) async fn upsert_figures(txn: &impl ConnectionTrait, sum: HashMap<FigureKey, Counters>) -> Result<()> {
    let mut rows: Vec<(FigureKey, Counters)> = sum.into_iter().filter(|(_, c)| !c.is_zero()).collect();
    rows.sort_by(|a, b| {
        (&a.0.kind, &a.0.area, &a.0.unit, &a.0.type_code, &a.0.period).cmp(&(
            &b.0.kind,
            &b.0.area,
            &b.0.unit,
            &b.0.type_code,
            &b.0.period,
        ))
    });
    for chunk in rows.chunks(200) {
        let named: Vec<Vec<(&str, u64)>> = chunk.iter().map(|(_, c)| c.named()).collect();
        let used: Vec<usize> = (0..Counters::FIELDS.len()).filter(|&i| named.iter().any(|n| n[i].1 != 0)).collect();
        let mut q = Query::insert();
        q.into_table(Alias::new("figures"));
        let mut cols: Vec<Alias> = ["county_code"].iter().chain(KEY.iter()).map(|c| Alias::new(*c)).collect();
        cols.extend(used.iter().map(|&i| Alias::new(Counters::FIELDS[i])));
        q.columns(cols);
        for ((k, _), named) in chunk.iter().zip(&named) {
            let mut values: Vec<Expr> = vec![
                Expr::val(county_of(&k.area)),
                Expr::val(k.kind.clone()),
                Expr::val(k.area.clone()),
                Expr::val(k.unit.clone()),
                Expr::val(k.type_code.clone()),
                Expr::val(k.period.clone()),
            ];
            values.extend(used.iter().map(|&i| Expr::val(named[i].1 as i64)));
            q.values(values).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let mut on = OnConflict::columns(KEY.map(Alias::new));
        for &i in &used {
            let col = Counters::FIELDS[i];
            on.value(Alias::new(col), Expr::cust(format!("figures.{col} + excluded.{col}")));
        }
        q.on_conflict(on);
        txn.execute(&q).await?;
    }
    Ok(())
}

/// Which figures to read: `None` on a dimension means "all of them" (the `*` rows).
#[derive(Debug, Clone, Default)]
pub struct FigureQuery {
    pub kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub area: Option<String>,
    pub unit: Option<String>,
    pub type_code: Option<String>,
    /// Break the answer down by this dimension: `period`, `area` (children are not implied:
    /// give `areas`), `unit` or `type`.
    pub by: Option<String>,
    /// With `by = area`: the areas to read (the children of the area asked about).
    pub areas: Option<Vec<String>>,
}

impl Store {
    /// Every figure row (for checks and exports).
    pub async fn all_figures(&self) -> Result<Vec<(FigureKey, Counters)>> {
        let mut s = Query::select();
        s.from(Alias::new("figures"));
        s.columns(KEY.iter().chain(Counters::FIELDS).map(|c| Alias::new(*c)));
        let rows = self.db().query_all(&s).await?;
        rows.iter().map(decode_row).collect()
    }

    /// Reads figure rows, each (key, counters).
    pub async fn figures(&self, q: &FigureQuery) -> Result<Vec<(FigureKey, Counters)>> {
        let mut s = Query::select();
        s.from(Alias::new("figures"));
        s.columns(KEY.iter().chain(Counters::FIELDS).map(|c| Alias::new(*c)));
        s.and_where(Expr::col(Alias::new("kind")).eq(q.kind.clone()));
        if let Some(p) = &q.period_from {
            s.and_where(Expr::col(Alias::new("period")).gte(p.clone()));
        }
        if let Some(p) = &q.period_to {
            s.and_where(Expr::col(Alias::new("period")).lte(p.clone()));
        }
        let by = q.by.as_deref();
        match (by, &q.areas) {
            (Some("area"), Some(areas)) => {
                s.and_where(Expr::col(Alias::new("area")).is_in(areas.iter().cloned()));
            }
            _ => {
                s.and_where(Expr::col(Alias::new("area")).eq(q.area.clone().unwrap_or_else(|| "*".into())));
            }
        }
        if by != Some("unit") {
            s.and_where(Expr::col(Alias::new("unit")).eq(q.unit.clone().unwrap_or_else(|| "*".into())));
        } else {
            s.and_where(Expr::col(Alias::new("unit")).ne("*"));
        }
        if by != Some("type") {
            s.and_where(Expr::col(Alias::new("type_code")).eq(q.type_code.clone().unwrap_or_else(|| "*".into())));
        } else {
            s.and_where(Expr::col(Alias::new("type_code")).ne("*"));
        }
        s.order_by(Alias::new("period"), sea_orm::sea_query::Order::Asc);
        let rows = self.db().query_all(&s).await?;
        rows.iter().map(decode_row).collect()
    }
}

fn decode_row(r: &QueryResult) -> Result<(FigureKey, Counters)> {
    let get = |c: &str| r.try_get::<String>("", c).map_err(|e| StoreError::Corrupt(e.to_string()));
    let key = FigureKey {
        kind: get("kind")?,
        period: get("period")?,
        area: get("area")?,
        unit: get("unit")?,
        type_code: get("type_code")?,
    };
    let values = Counters::FIELDS
        .iter()
        .map(|c| {
            r.try_get::<i64>("", c).map(|v: i64| Ord::max(v, 0) as u64).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<u64>>>()?;
    Ok((key, Counters::from_values(&values)))
}
