//! Reading and writing places: divisions, grids, units, users, grid workers and buildings.

use geo::BoundingRect;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use shanzhi_domain::ids::{DivisionCode, GridCode, Level};
use shanzhi_domain::people::{Building, GridWorker, Unit, UnitKind, User};
use shanzhi_domain::places::division::{Division, DivisionKind};
use shanzhi_domain::places::geojson::geometry_from_json;
use shanzhi_domain::places::grid::{Grid, GridKind, shape_to_geojson};
use shanzhi_domain::places::partition::area_m2;

use crate::entity::{building, division, grid, grid_worker, unit, user};
use crate::{Result, Store, StoreError};

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const BATCH: usize = 400;

/// Everything about places, as written by the demo or read at start-up.
#[derive(Debug, Clone, Default)]
pub struct PlacesSnapshot {
    pub divisions: Vec<Division>,
    pub grids: Vec<Grid>,
    pub units: Vec<Unit>,
    pub users: Vec<User>,
    pub workers: Vec<GridWorker>,
    pub buildings: Vec<Building>,
}

/// What start-up needs from the database to serve places.
#[derive(Debug, Clone, Default)]
pub struct StoredPlaces {
    pub divisions: Vec<Division>,
    pub grids: Vec<Grid>,
    /// (grid code, full-time workers, part-time workers)
    pub workers_per_grid: Vec<(GridCode, u32, u32)>,
    /// The unit register, by id.
    pub units: Vec<Unit>,
}

fn county_of(code: &DivisionCode) -> Option<String> {
    code.ancestor(Level::County).map(|c| c.to_string())
}

fn grid_row(g: &Grid) -> grid::ActiveModel {
    let community = g.community();
    let r = g.shape.bounding_rect();
    let (lo, hi) = r.map(|r| (r.min(), r.max())).unwrap_or_default();
    grid::ActiveModel {
        code: Set(g.code.to_string()),
        name: Set(g.name.clone()),
        kind: Set(g.kind.as_str().to_string()),
        community_code: Set(community.to_string()),
        township_code: Set(community.parent().map(|c| c.to_string()).unwrap_or_default()),
        county_code: Set(county_of(&community).unwrap_or_default()),
        geometry: Set(shape_to_geojson(&g.shape).to_string()),
        min_lon: Set(lo.x),
        min_lat: Set(lo.y),
        max_lon: Set(hi.x),
        max_lat: Set(hi.y),
        area_m2: Set(area_m2(&g.shape)),
    }
}

fn corrupt(what: &str, key: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {key}: {why}"))
}

fn grid_from_row(m: grid::Model) -> Result<Grid> {
    let code: GridCode = m.code.parse().map_err(|e| corrupt("grid", &m.code, e))?;
    let kind = GridKind::parse(&m.kind).ok_or_else(|| corrupt("grid", &m.code, format!("kind `{}`", m.kind)))?;
    let json: serde_json::Value = serde_json::from_str(&m.geometry).map_err(|e| corrupt("grid", &m.code, e))?;
    let shape = geometry_from_json(&json).map_err(|e| corrupt("grid", &m.code, e.join("; ")))?;
    Ok(Grid { code, name: m.name, kind, shape })
}

async fn insert_batches<E, A, I, P>(txn: &impl sea_orm::ConnectionTrait, rows: I, progress: &mut P) -> Result<()>
where
    P: FnMut(usize) + ?Sized,
    E: EntityTrait<ActiveModel = A>,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    I: IntoIterator<Item = A>,
{
    let mut batch = Vec::with_capacity(BATCH);
    for row in rows {
        batch.push(row);
        if batch.len() == BATCH {
            let n = batch.len();
            E::insert_many(std::mem::take(&mut batch)).exec_without_returning(txn).await?;
            progress(n);
        }
    }
    if !batch.is_empty() {
        let n = batch.len();
        E::insert_many(batch).exec_without_returning(txn).await?;
        progress(n);
    }
    Ok(())
}

impl Store {
    /// Replaces every place, unit and person in one transaction: all or nothing.
    /// `progress(rows_written, rows_total)` is called after each batch.
    pub async fn replace_places(&self, s: &PlacesSnapshot, progress: &mut dyn FnMut(usize, usize)) -> Result<()> {
        let total =
            s.divisions.len() + s.grids.len() + s.units.len() + s.users.len() + s.workers.len() + s.buildings.len();
        let mut done = 0;
        let mut tick = |n: usize| {
            done += n;
            progress(done, total);
        };
        let txn = self.db().begin().await?;
        building::Entity::delete_many().exec(&txn).await?;
        grid_worker::Entity::delete_many().exec(&txn).await?;
        user::Entity::delete_many().exec(&txn).await?;
        unit::Entity::delete_many().exec(&txn).await?;
        grid::Entity::delete_many().exec(&txn).await?;
        division::Entity::delete_many().exec(&txn).await?;
        insert_batches(
            &txn,
            s.divisions.iter().map(|d| division::ActiveModel {
                code: Set(d.code.to_string()),
                name: Set(d.name.clone()),
                level: Set(d.level().as_str().to_string()),
                kind: Set(d.kind.as_str().to_string()),
                parent_code: Set(d.parent().map(|p| p.to_string())),
            }),
            &mut tick,
        )
        .await?;
        insert_batches(&txn, s.grids.iter().map(grid_row), &mut tick).await?;
        insert_batches(
            &txn,
            s.units.iter().map(|u| unit::ActiveModel {
                id: Set(u.id.clone()),
                name: Set(u.name.clone()),
                kind: Set(u.kind.as_str().to_string()),
                area_code: Set(u.area.to_string()),
                county_code: Set(county_of(&u.area)),
                department: Set(u.department.clone()),
            }),
            &mut tick,
        )
        .await?;
        insert_batches(
            &txn,
            s.users.iter().map(|u| user::ActiveModel {
                username: Set(u.username.clone()),
                display_name: Set(u.display_name.clone()),
                role: Set(u.role.as_str().to_string()),
                unit_id: Set(u.unit.clone()),
                disabled_at: Set(None),
                extra_scope: Set(crate::users::scope_text(&u.extra_scope)),
            }),
            &mut tick,
        )
        .await?;
        insert_batches(
            &txn,
            s.workers.iter().map(|w| grid_worker::ActiveModel {
                id: Set(i64::from(w.id)),
                name: Set(self.sealer().seal(&w.name)),
                phone: Set(self.sealer().seal(&w.phone)),
                grid_code: Set(w.grid.to_string()),
                county_code: Set(county_of(&w.grid.community()).unwrap_or_default()),
                full_time: Set(w.full_time),
            }),
            &mut tick,
        )
        .await?;
        insert_batches(
            &txn,
            s.buildings.iter().map(|b| building::ActiveModel {
                code: Set(b.code.clone()),
                grid_code: Set(b.grid.to_string()),
                county_code: Set(county_of(&b.grid.community()).unwrap_or_default()),
                name: Set(b.name.clone()),
                head_name: Set(self.sealer().seal(&b.head_name)),
                head_phone: Set(self.sealer().seal(&b.head_phone)),
            }),
            &mut tick,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Adds grids, replacing those with the same codes, in one transaction.
    pub async fn upsert_grids(&self, grids: &[Grid]) -> Result<()> {
        let txn = self.db().begin().await?;
        for chunk in grids.chunks(BATCH) {
            let codes: Vec<String> = chunk.iter().map(|g| g.code.to_string()).collect();
            grid::Entity::delete_many().filter(grid::Column::Code.is_in(codes)).exec(&txn).await?;
        }
        insert_batches(&txn, grids.iter().map(grid_row), &mut |_| {}).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn count_grids(&self) -> Result<u64> {
        Ok(grid::Entity::find().count(self.db()).await?)
    }

    pub async fn load_divisions(&self) -> Result<Vec<Division>> {
        let rows = division::Entity::find().order_by_asc(division::Column::Code).all(self.db()).await?;
        rows.into_iter()
            .map(|m| {
                let code: DivisionCode = m.code.parse().map_err(|e| corrupt("division", &m.code, e))?;
                let kind = DivisionKind::parse(&m.kind)
                    .ok_or_else(|| corrupt("division", &m.code, format!("kind `{}`", m.kind)))?;
                if kind.level() != code.level() || m.level != code.level().as_str() {
                    return Err(corrupt("division", &m.code, "level, kind and code disagree"));
                }
                Ok(Division { code, name: m.name, kind })
            })
            .collect()
    }

    pub async fn load_grids(&self) -> Result<Vec<Grid>> {
        let rows = grid::Entity::find().order_by_asc(grid::Column::Code).all(self.db()).await?;
        rows.into_iter().map(grid_from_row).collect()
    }

    /// One grid by code.
    pub async fn grid(&self, code: &GridCode) -> Result<Grid> {
        let row = grid::Entity::find_by_id(code.to_string()).one(self.db()).await?;
        grid_from_row(row.ok_or_else(|| StoreError::NotFound(format!("grid {code}")))?)
    }

    /// Full-time and part-time workers per grid.
    pub async fn workers_per_grid(&self) -> Result<Vec<(GridCode, u32, u32)>> {
        #[derive(FromQueryResult)]
        struct Row {
            grid_code: String,
            full_time: bool,
            n: i64,
        }
        let rows = grid_worker::Entity::find()
            .select_only()
            .column(grid_worker::Column::GridCode)
            .column(grid_worker::Column::FullTime)
            .column_as(grid_worker::Column::Id.count(), "n")
            .group_by(grid_worker::Column::GridCode)
            .group_by(grid_worker::Column::FullTime)
            .order_by_asc(grid_worker::Column::GridCode)
            .into_model::<Row>()
            .all(self.db())
            .await?;
        let mut out: Vec<(GridCode, u32, u32)> = Vec::new();
        for r in rows {
            let code: GridCode = r.grid_code.parse().map_err(|e| corrupt("grid worker of", &r.grid_code, e))?;
            if out.last().is_none_or(|l| l.0 != code) {
                out.push((code, 0, 0));
            }
            let last = out.last_mut().expect("pushed above");
            if r.full_time { last.1 += r.n as u32 } else { last.2 += r.n as u32 }
        }
        Ok(out)
    }

    /// What start-up needs: divisions, grids and worker counts.
    pub async fn load_places(&self) -> Result<StoredPlaces> {
        Ok(StoredPlaces {
            divisions: self.load_divisions().await?,
            grids: self.load_grids().await?,
            workers_per_grid: self.workers_per_grid().await?,
            units: self.load_units().await?,
        })
    }

    pub async fn load_units(&self) -> Result<Vec<Unit>> {
        let rows = unit::Entity::find().order_by_asc(unit::Column::Id).all(self.db()).await?;
        rows.into_iter()
            .map(|m| {
                let kind =
                    UnitKind::parse(&m.kind).ok_or_else(|| corrupt("unit", &m.id, format!("kind `{}`", m.kind)))?;
                let area = m.area_code.parse().map_err(|e| corrupt("unit", &m.id, e))?;
                Ok(Unit { id: m.id, name: m.name, kind, area, department: m.department })
            })
            .collect()
    }

    /// The active accounts (disabled ones are left out).
    pub async fn load_users(&self) -> Result<Vec<User>> {
        let rows = user::Entity::find()
            .filter(user::Column::DisabledAt.is_null())
            .order_by_asc(user::Column::Username)
            .all(self.db())
            .await?;
        rows.into_iter().map(|m| crate::users::decode_user(m).map(|(u, _)| u)).collect()
    }

    /// Workers of one grid, full-time first.
    pub async fn workers_of(&self, grid: &GridCode) -> Result<Vec<GridWorker>> {
        let rows = grid_worker::Entity::find()
            .filter(grid_worker::Column::GridCode.eq(grid.to_string()))
            .order_by_desc(grid_worker::Column::FullTime)
            .order_by_asc(grid_worker::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|m| {
                Ok(GridWorker {
                    id: m.id as u32,
                    name: self.sealer().open(m.name)?,
                    phone: self.sealer().open(m.phone)?,
                    grid: grid.clone(),
                    full_time: m.full_time,
                })
            })
            .collect()
    }

    pub async fn count_buildings(&self) -> Result<u64> {
        Ok(building::Entity::find().count(self.db()).await?)
    }
}
