//! Where cases happen: each grid's weight (urban or rural, central or outlying, dedicated), its
//! point and grid worker, the counties, the types found mostly in the city or only in some
//! counties, and where a case goes instead of its routed unit.

use std::collections::{HashMap, HashSet};

use geo::{BoundingRect, Contains, InteriorPoint, MultiPolygon, Point};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::actors::{County, DRONE, actor, role_of};
use super::config::HistoryInput;
use super::draw::{cumulative, normal, pick};
use super::streams::Stream;
use super::weights::TypeInfo;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::ids::{DivisionCode, Level};
use shanzhi_domain::people::{Role, User};
use shanzhi_domain::places::division::DivisionKind;
use shanzhi_domain::places::grid::GridKind;

/// Share of a type's cases in urban grids, where it differs from the grids' own mix.
pub(super) const URBAN: &[(&str, f64)] = &[
    ("0130", 0.1),
    ("0201", 0.95),
    ("0202", 0.98),
    ("0203", 0.9),
    ("0204", 0.9),
    ("0206", 0.95),
    ("0207", 0.95),
    ("0208", 0.95),
    ("0216", 0.98),
    ("0505", 0.96),
    ("0506", 0.98),
    ("0508", 0.3),
    ("0616", 0.1),
    ("0617", 0.92),
    ("0622", 0.02),
    ("0917", 0.98),
    ("1004", 0.92),
    ("1006", 0.9),
    ("1012", 0.85),
    ("1016", 0.92),
    ("1019", 0.85),
    ("1023", 0.97),
];

/// Types found only in some counties: coal-mining subsidence in the mining districts.
const ONLY_IN: &[(&str, &[&str])] = &[("0919", &["130202", "130203", "130204", "130205", "130207"])];

pub(super) struct GridInfo {
    pub(super) community: DivisionCode,
    pub(super) county: usize,
    pub(super) point: (f64, f64),
    /// Half-extent for jittering a location around the point.
    pub(super) jitter: (f64, f64),
    pub(super) worker: Actor,
}

impl GridInfo {
    /// A point near the grid's own point and inside its `shape` (the grid's own point after
    /// three misses).
    pub(super) fn location(&self, shape: &MultiPolygon<f64>, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let (dx, dy) = self.jitter;
        for _ in 0..3 {
            let candidate = (
                self.point.0 + dx * (2.0 * rng.random::<f64>() - 1.0),
                self.point.1 + dy * (2.0 * rng.random::<f64>() - 1.0),
            );
            if shape.contains(&Point::new(candidate.0, candidate.1)) {
                return candidate;
            }
        }
        self.point
    }
}

/// The grids and counties, with the grids' weights as cumulative weights over the urban and the
/// rural grids (and over the grids of the counties a restricted type is found in).
pub(super) struct Places {
    pub(super) grids: Vec<GridInfo>,
    pub(super) counties: Vec<County>,
    urban_cdf: Vec<f64>,
    urban_idx: Vec<usize>,
    rural_cdf: Vec<f64>,
    rural_idx: Vec<usize>,
    urban_share: f64,
    /// By `TypeInfo::only_in`.
    restricted: Vec<(Vec<f64>, Vec<usize>)>,
    /// Units known to exist (street offices), to check alternatives.
    streets: HashSet<String>,
}

impl Places {
    /// Places the grids and their counties (drawing, in grid order, each grid's weight and each
    /// new county's miss factor), and restricts the `ONLY_IN` types to their counties' grids.
    pub(super) fn new(
        input: &HistoryInput,
        known: &HashMap<&str, Vec<&User>>,
        types: &mut [TypeInfo],
        rng: &mut ChaCha8Rng,
    ) -> Places {
        // Counties and their centres.
        let mut counties: Vec<County> = Vec::new();
        let mut county_index: HashMap<String, usize> = HashMap::new();
        let mut grids = Vec::with_capacity(input.grids.len());
        let mut weights = Vec::with_capacity(input.grids.len());
        let mut urban_flags = Vec::with_capacity(input.grids.len());
        for g in input.grids {
            let community = g.community();
            let county_code = community.ancestor(Level::County).map(|c| c.to_string()).unwrap_or_else(|| "1302".into());
            let county = match county_index.get(&county_code) {
                Some(&i) => i,
                None => {
                    let i = counties.len();
                    county_index.insert(county_code.clone(), i);
                    counties.push(County::new(&county_code, known, rng));
                    i
                }
            };
            let urban = input.tree.get(&community).is_some_and(|d| d.kind == DivisionKind::Community);
            let county_kind =
                input.tree.get(&community.ancestor(Level::County).unwrap_or(community.clone())).map(|d| d.kind);
            let central = matches!(county_code.as_str(), "130202" | "130203");
            let county_w = match county_kind {
                _ if central => 1.3,
                Some(DivisionKind::District) => 1.1,
                Some(DivisionKind::CountyCity) => 1.0,
                Some(DivisionKind::Zone) => 0.85,
                _ => 0.9,
            };
            let kind_w = if urban { 1.0 } else { 0.3 };
            let dedicated = if g.kind == GridKind::Dedicated { 0.6 } else { 1.0 };
            weights.push(kind_w * county_w * dedicated * (0.5 * normal(rng)).exp());
            urban_flags.push(urban);
            let point = g
                .shape
                .interior_point()
                .map(|p| (p.x(), p.y()))
                .or_else(|| g.shape.bounding_rect().map(|r| (r.center().x, r.center().y)))
                .unwrap_or((118.18, 39.63));
            let jitter = g.shape.bounding_rect().map(|r| (r.width() * 0.25, r.height() * 0.25)).unwrap_or((0.0, 0.0));
            let unit = format!("{community}:residents_committee");
            let user = known
                .get(unit.as_str())
                .and_then(|us| us.iter().find(|u| u.role == Role::GridWorker))
                .map(|u| u.username.clone())
                .unwrap_or_else(|| format!("wangge-{}", g.code));
            grids.push(GridInfo { community, county, point, jitter, worker: actor(user, Role::GridWorker, unit) });
        }
        // Cumulative weights over some of the grids.
        let weighted = |idx: Vec<usize>| (cumulative(&idx.iter().map(|&i| weights[i]).collect::<Vec<_>>()), idx);
        let (urban_cdf, urban_idx) = weighted((0..grids.len()).filter(|&i| urban_flags[i]).collect());
        let (rural_cdf, rural_idx) = weighted((0..grids.len()).filter(|&i| !urban_flags[i]).collect());
        let (u, r) = (urban_cdf.last().copied().unwrap_or(0.0), rural_cdf.last().copied().unwrap_or(0.0));
        let urban_share = if u + r > 0.0 { u / (u + r) } else { 0.5 };
        let mut restricted = Vec::new();
        for (code, counties_of) in ONLY_IN {
            if let Some(t) = types.iter_mut().find(|t| t.ty.code.as_str() == *code) {
                let idx: Vec<usize> = (0..grids.len())
                    .filter(|&i| counties_of.contains(&counties[grids[i].county].code.as_str()))
                    .collect();
                if !idx.is_empty() {
                    t.only_in = Some(restricted.len());
                    restricted.push(weighted(idx));
                }
            }
        }
        let streets = input.tree.at_level(Level::Township).map(|d| format!("{}:street-office", d.code)).collect();
        Places { grids, counties, urban_cdf, urban_idx, rural_cdf, rural_idx, urban_share, restricted, streets }
    }

    /// A grid for a case of type `t` from `stream`.
    pub(super) fn pick_grid(&self, t: &TypeInfo, stream: Stream, rng: &mut ChaCha8Rng) -> usize {
        if let Some(r) = t.only_in {
            let (cdf, idx) = &self.restricted[r];
            return idx[pick(cdf, rng)];
        }
        let mut p_urban = t.urban.unwrap_or(self.urban_share);
        if stream == Stream::Device && !DRONE.contains(&t.ty.code.as_str()) {
            // Cameras and sensors are mostly in the city.
            p_urban = p_urban.max(0.9);
        }
        let urban = (rng.random::<f64>() < p_urban && !self.urban_idx.is_empty()) || self.rural_idx.is_empty();
        if urban { self.urban_idx[pick(&self.urban_cdf, rng)] } else { self.rural_idx[pick(&self.rural_cdf, rng)] }
    }

    /// Where a returned case goes instead: a department's case to the street office, the street
    /// office's (or a community's) to the county's urban management.
    pub(super) fn alternative(&self, unit: &str, grid: &GridInfo) -> String {
        match role_of(unit) {
            Role::DepartmentHandler => self.street_office(grid),
            _ => self.urban_management(grid),
        }
    }

    /// The unit a demand case is dispatched to: the routed unit when it can accept 12345 orders
    /// (departments and street offices), else the street office of the community.
    pub(super) fn demand_unit(&self, unit: &str, grid: &GridInfo) -> String {
        match role_of(unit) {
            Role::DepartmentHandler | Role::StreetStaff => unit.to_string(),
            _ => self.street_office(grid),
        }
    }

    /// The street office of the grid's community, or the county's urban management where there
    /// is none.
    fn street_office(&self, grid: &GridInfo) -> String {
        match grid.community.parent().map(|t| format!("{t}:street-office")) {
            Some(s) if self.streets.contains(&s) => s,
            _ => self.urban_management(grid),
        }
    }

    fn urban_management(&self, grid: &GridInfo) -> String {
        format!("{}:urban-management", self.counties[grid.county].code)
    }
}
