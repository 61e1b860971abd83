//! Loading the Tangshan demo: generate places from the shipped data and write them in one
//! transaction, reporting progress.

use shanzhi_demo::{DemoConfig, demo_units, demo_users, generate_places, parse_county_outlines, parse_zone_hosts};
use shanzhi_domain::people::User;
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_store::PlacesSnapshot;

use crate::reference::shipped;
use crate::{App, AppError};

/// Progress of a long step: (step name, done, total).
pub type Progress = Box<dyn FnMut(&'static str, usize, usize) + Send>;

/// Figures of a loaded demo.
#[derive(Debug, Clone)]
pub struct DemoLoaded {
    pub divisions: usize,
    pub grids: usize,
    pub workers: usize,
    pub buildings: usize,
    pub units: usize,
    pub users: Vec<User>,
}

/// Generates the demo places (CPU work, off the async threads).
pub async fn generate(cfg: DemoConfig, mut progress: Progress) -> Result<(PlacesSnapshot, Progress), AppError> {
    tokio::task::spawn_blocking(move || {
        let tree = DivisionTree::from_csv(shipped::DIVISIONS).map_err(AppError::internal)?;
        let outlines = parse_county_outlines(shipped::COUNTIES).map_err(AppError::internal)?;
        let hosts = parse_zone_hosts(shipped::ZONE_HOSTS).map_err(AppError::internal)?;
        let departments = crate::reference::parse_departments(shipped::DEPARTMENTS)?;
        let places = generate_places(&tree, &outlines, &hosts, &cfg, &mut |d, t| progress("grids", d, t))
            .map_err(AppError::internal)?;
        let units = demo_units(&tree, &departments);
        let users = demo_users(&units);
        let snapshot = PlacesSnapshot {
            divisions: tree.all().to_vec(),
            grids: places.grids,
            units,
            users,
            workers: places.workers,
            buildings: places.buildings,
        };
        Ok((snapshot, progress))
    })
    .await
    .map_err(AppError::internal)?
}

impl App {
    /// Replaces all places with the generated demo and rebuilds the in-memory index.
    pub async fn load_demo(&self, cfg: DemoConfig, progress: Progress) -> Result<DemoLoaded, AppError> {
        let (snapshot, mut progress) = generate(cfg, progress).await?;
        self.store().replace_places(&snapshot, &mut |d, t| progress("store", d, t)).await?;
        self.reload_places().await?;
        let detail = format!("{} grids, {} accounts", snapshot.grids.len(), snapshot.users.len());
        self.audit("operator", "demo.load", "places", detail).await?;
        Ok(DemoLoaded {
            divisions: snapshot.divisions.len(),
            grids: snapshot.grids.len(),
            workers: snapshot.workers.len(),
            buildings: snapshot.buildings.len(),
            units: snapshot.units.len(),
            users: snapshot.users,
        })
    }
}
