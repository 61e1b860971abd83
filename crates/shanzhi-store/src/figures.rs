//! Figures in the database: the deltas of each log entry added (upserted) in the transaction that
//! appends the entry, and read back by key for the dashboards.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use shanzhi_domain::cases::case::{Case, LogEntry};
use shanzhi_domain::cases::figures::{Counters, FigureKey, deltas};

use crate::{Result, Store, StoreError};

/// The counter columns: the serialised field names of `Counters`.
fn counters_map(c: &Counters) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(c).map_err(|e| StoreError::Corrupt(e.to_string()))? {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(StoreError::Corrupt("counters are not an object".into())),
    }
}

fn county_of(area: &str) -> String {
    if area.len() >= 6 && area.bytes().all(|b| b.is_ascii_digit()) { area[..6].to_string() } else { String::new() }
}

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
pub(crate) async fn upsert_figures(txn: &impl ConnectionTrait, sum: HashMap<FigureKey, Counters>) -> Result<()> {
    if sum.is_empty() {
        return Ok(());
    }
    let columns: Vec<String> = counters_map(&Counters::default())?.keys().cloned().collect();
    let mut rows: Vec<(FigureKey, Counters)> = sum.into_iter().collect();
    rows.sort_by(|a, b| {
        (&a.0.kind, &a.0.period, &a.0.area, &a.0.unit, &a.0.type_code).cmp(&(
            &b.0.kind,
            &b.0.period,
            &b.0.area,
            &b.0.unit,
            &b.0.type_code,
        ))
    });
    for chunk in rows.chunks(200) {
        let mut q = Query::insert();
        q.into_table(Alias::new("figures"));
        let mut cols = vec!["county_code", "kind", "period", "area", "unit", "type_code"]
            .into_iter()
            .map(Alias::new)
            .collect::<Vec<_>>();
        cols.extend(columns.iter().map(Alias::new));
        q.columns(cols);
        for (k, c) in chunk {
            let m = counters_map(c)?;
            let mut values: Vec<Expr> = vec![
                Expr::val(county_of(&k.area)),
                Expr::val(k.kind.clone()),
                Expr::val(k.period.clone()),
                Expr::val(k.area.clone()),
                Expr::val(k.unit.clone()),
                Expr::val(k.type_code.clone()),
            ];
            values.extend(columns.iter().map(|col| Expr::val(m.get(col).and_then(|v| v.as_i64()).unwrap_or(0))));
            q.values(values).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let mut on = OnConflict::columns(["kind", "period", "area", "unit", "type_code"].map(Alias::new));
        for col in &columns {
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
    /// give `area_prefix`), `unit` or `type`.
    pub by: Option<String>,
    /// With `by = area`: the areas whose code starts with this and has this length.
    pub area_prefix: Option<(String, usize)>,
}

impl Store {
    /// Every figure row (for checks and exports).
    pub async fn all_figures(&self) -> Result<Vec<(FigureKey, Counters)>> {
        let columns: Vec<String> = counters_map(&Counters::default())?.keys().cloned().collect();
        let mut s = Query::select();
        s.from(Alias::new("figures"));
        for c in
            ["kind", "period", "area", "unit", "type_code"].iter().map(|c| c.to_string()).chain(columns.iter().cloned())
        {
            s.column(Alias::new(c));
        }
        let rows = self.db().query_all(&s).await?;
        rows.iter().map(|r| decode_row(r, &columns)).collect()
    }

    /// Reads figure rows, each (key, counters).
    pub async fn figures(&self, q: &FigureQuery) -> Result<Vec<(FigureKey, Counters)>> {
        let columns: Vec<String> = counters_map(&Counters::default())?.keys().cloned().collect();
        let mut s = Query::select();
        s.from(Alias::new("figures"));
        for c in
            ["kind", "period", "area", "unit", "type_code"].iter().map(|c| c.to_string()).chain(columns.iter().cloned())
        {
            s.column(Alias::new(c));
        }
        s.and_where(Expr::col(Alias::new("kind")).eq(q.kind.clone()));
        if let Some(p) = &q.period_from {
            s.and_where(Expr::col(Alias::new("period")).gte(p.clone()));
        }
        if let Some(p) = &q.period_to {
            s.and_where(Expr::col(Alias::new("period")).lte(p.clone()));
        }
        let by = q.by.as_deref();
        match (by, &q.area_prefix) {
            (Some("area"), Some((prefix, len))) => {
                s.and_where(Expr::col(Alias::new("area")).like(format!("{prefix}%")));
                s.and_where(Expr::cust(format!("LENGTH(area) = {len}")));
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
        rows.iter().map(|r| decode_row(r, &columns)).collect()
    }
}

fn decode_row(r: &QueryResult, columns: &[String]) -> Result<(FigureKey, Counters)> {
    let get = |c: &str| r.try_get::<String>("", c).map_err(|e| StoreError::Corrupt(e.to_string()));
    let key = FigureKey {
        kind: get("kind")?,
        period: get("period")?,
        area: get("area")?,
        unit: get("unit")?,
        type_code: get("type_code")?,
    };
    let mut m = serde_json::Map::new();
    for c in columns {
        let v: i64 = r.try_get("", c).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        m.insert(c.clone(), serde_json::Value::from(Ord::max(v, 0) as u64));
    }
    let counters =
        serde_json::from_value(serde_json::Value::Object(m)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((key, counters))
}
