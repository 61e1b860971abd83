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
    /// Records of the registers (people, houses, units).
    pub records: usize,
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
        let records = self.load_demo_registers(cfg, snapshot.buildings.clone(), &mut progress).await?;
        let detail = format!(
            "{} grids, {} accounts, {records} records of people, houses and units",
            snapshot.grids.len(),
            snapshot.users.len()
        );
        self.audit("operator", "demo.load", "places", detail).await?;
        Ok(DemoLoaded {
            divisions: snapshot.divisions.len(),
            grids: snapshot.grids.len(),
            workers: snapshot.workers.len(),
            buildings: snapshot.buildings.len(),
            units: snapshot.units.len(),
            users: snapshot.users,
            records,
        })
    }

    /// The demo's registers (shanzhi-demo `demo_records`), each record checked against its
    /// register as any other, its plan following from its last visits, written in one
    /// transaction in place of whatever records there were.
    async fn load_demo_registers(
        &self,
        cfg: DemoConfig,
        buildings: Vec<shanzhi_domain::people::Building>,
        progress: &mut Progress,
    ) -> Result<usize, AppError> {
        use shanzhi_store::{Due, VisitRow};
        let now = self.clock().now();
        let places = self.places();
        let generated = tokio::task::spawn_blocking(move || {
            shanzhi_demo::demo_records(cfg.seed, &places.grids, &buildings, DEMO_COMMUNITY, now)
        })
        .await
        .map_err(AppError::internal)?;
        let reference = self.reference();
        // Ids from three years back: clear of the history's (a year back) and of what the
        // servers make from now on, whatever process loads the demo.
        let base = now - chrono::Duration::days(3 * 366);
        let ids = crate::clock::IdGen::new(base, self.ids.node());
        let mut loaded = Vec::with_capacity(generated.len());
        for g in generated {
            let r = reference
                .registers
                .get(g.register)
                .ok_or_else(|| AppError::internal(format!("no register {}", g.register)))?;
            let given = serde_json::from_value(g.fields).map_err(AppError::internal)?;
            let fields = r.merge(&Default::default(), &given).map_err(|e| AppError::internal(e.to_string()))?;
            let tags = r
                .check_tags(&g.tags.iter().map(|t| t.to_string()).collect::<Vec<_>>())
                .map_err(|e| AppError::internal(e.to_string()))?;
            let mut new = self.registers().fresh(r, &g.grid, fields, tags, ids.next(base), g.created_at)?;
            for (seq, (tag, at, note)) in g.visits.iter().enumerate() {
                let Some(every) = r.tag(tag).and_then(|t| t.visit_every) else { continue };
                let due_at = reference.calendar.add(*at, every).map_err(AppError::internal)?;
                new.dues.retain(|d| d.tag != *tag);
                new.dues.push(Due { tag: tag.to_string(), due_at, last_visit_at: Some(*at) });
                new.visits.push(VisitRow {
                    record_id: new.record.id,
                    seq: seq as i32 + 1,
                    tag: tag.to_string(),
                    actor: format!("wangge-{}", g.grid),
                    at: *at,
                    on_time: true,
                    body: serde_json::json!({ "note": note }).to_string(),
                });
            }
            loaded.push(new);
        }
        self.store().replace_register_records(&loaded, "system", &mut |d, t| progress("registers", d, t)).await?;
        Ok(loaded.len())
    }
}

/// The community whose every house and household the demo registers (the demo accounts' own).
const DEMO_COMMUNITY: &str = "130202001001";
