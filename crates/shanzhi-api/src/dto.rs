//! Wire DTOs: what the API answers, separate from domain and app types.

use serde::Serialize;
use shanzhi_app::places::{AreaCounts, AreaRef, AreaSummary, GridRef, Location};
use shanzhi_domain::taxonomy::Taxonomy;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HealthDto {
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub grids: usize,
    pub taxonomy_version: String,
}

#[derive(Serialize, ToSchema)]
pub struct AreaRefDto {
    /// Statistical code: 4 (city), 6 (county), 9 (township) or 12 (community/village) digits.
    pub code: String,
    pub name: String,
    /// city | county | township | village
    pub level: String,
    /// city, district, county, county_city, zone, subdistrict, town, township, other, community, village
    pub kind: String,
}

impl From<AreaRef> for AreaRefDto {
    fn from(a: AreaRef) -> Self {
        AreaRefDto { code: a.code, name: a.name, level: a.level.into(), kind: a.kind.into() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GridRefDto {
    /// 15 digits: community code + sequence.
    pub code: String,
    pub name: String,
    /// general | dedicated
    pub kind: String,
}

impl From<GridRef> for GridRefDto {
    fn from(g: GridRef) -> Self {
        GridRefDto { code: g.code, name: g.name, kind: g.kind }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NearestDto {
    pub grid: GridRefDto,
    /// Distance from the point to the grid's outline, metres.
    pub distance_m: f64,
}

#[derive(Serialize, ToSchema)]
pub struct LocateDto {
    /// The point in WGS-84, after conversion from the given CRS.
    pub lon: f64,
    pub lat: f64,
    /// False when the point lies outside every grid: then `nearest` says which grid is closest.
    pub located: bool,
    pub grid: Option<GridRefDto>,
    pub community: Option<AreaRefDto>,
    pub street: Option<AreaRefDto>,
    pub county: Option<AreaRefDto>,
    pub city: Option<AreaRefDto>,
    pub nearest: Option<NearestDto>,
}

impl From<Location> for LocateDto {
    fn from(l: Location) -> Self {
        let mut areas = l.areas.into_iter();
        let (city, county, street, community) = (areas.next(), areas.next(), areas.next(), areas.next());
        LocateDto {
            lon: l.lon,
            lat: l.lat,
            located: l.located,
            grid: l.grid.map(Into::into),
            community: community.map(Into::into),
            street: street.map(Into::into),
            county: county.map(Into::into),
            city: city.map(Into::into),
            nearest: l.nearest.map(|n| NearestDto { grid: n.grid.into(), distance_m: n.distance_m }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountsDto {
    pub grids: u32,
    pub grid_workers: u32,
    pub full_time_workers: u32,
    pub part_time_workers: u32,
}

impl From<AreaCounts> for CountsDto {
    fn from(c: AreaCounts) -> Self {
        CountsDto {
            grids: c.grids,
            grid_workers: c.full_time_workers + c.part_time_workers,
            full_time_workers: c.full_time_workers,
            part_time_workers: c.part_time_workers,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChildDto {
    #[serde(flatten)]
    pub area: AreaRefDto,
    pub counts: CountsDto,
}

#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    #[serde(flatten)]
    pub area: AreaRefDto,
    /// From the city down to the direct parent.
    pub parents: Vec<AreaRefDto>,
    pub children: Vec<ChildDto>,
    pub counts: CountsDto,
    /// The grids of a community or village (empty above that level).
    pub grids: Vec<GridRefDto>,
}

impl From<AreaSummary> for AreaDto {
    fn from(a: AreaSummary) -> Self {
        AreaDto {
            area: a.area.into(),
            parents: a.parents.into_iter().map(Into::into).collect(),
            children: a.children.into_iter().map(|(c, n)| ChildDto { area: c.into(), counts: n.into() }).collect(),
            counts: a.counts.into(),
            grids: a.grids.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TimeLimitDto {
    pub value: u32,
    /// minutes | calendar_hours | working_hours | working_days
    pub unit: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventTypeDto {
    /// 4 digits: category + sequence.
    pub code: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    /// Key of the default responsible department.
    pub department: String,
    pub assisting: Vec<String>,
    /// normal | urgent
    pub urgency: String,
    /// Lowest level that handles it: community | street | district
    pub level: String,
    pub limit: TimeLimitDto,
    pub filing_zh: String,
    pub closing_zh: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryDto {
    pub code: String,
    /// component | event
    pub kind: String,
    pub name_zh: String,
    pub name_en: String,
    pub types: Vec<EventTypeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct TaxonomyDto {
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub standard_ref: String,
    pub category_count: usize,
    pub type_count: usize,
    pub categories: Vec<CategoryDto>,
}

impl From<&Taxonomy> for TaxonomyDto {
    fn from(t: &Taxonomy) -> Self {
        let categories = t
            .categories
            .iter()
            .map(|c| CategoryDto {
                code: c.code.clone(),
                kind: c.kind.as_str().into(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                types: t
                    .types_in(&c.code)
                    .map(|ty| EventTypeDto {
                        code: ty.code.to_string(),
                        category: ty.code.category().to_string(),
                        name_zh: ty.name_zh.clone(),
                        name_en: ty.name_en.clone(),
                        department: ty.department.clone(),
                        assisting: ty.assisting.clone(),
                        urgency: ty.urgency.as_str().into(),
                        level: ty.level.as_str().into(),
                        limit: TimeLimitDto { value: ty.limit.value, unit: ty.limit.unit.as_str().into() },
                        filing_zh: ty.filing_zh.clone(),
                        closing_zh: ty.closing_zh.clone(),
                    })
                    .collect(),
            })
            .collect();
        TaxonomyDto {
            version: t.version.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            standard_ref: t.standard_ref.clone(),
            category_count: t.categories.len(),
            type_count: t.types.len(),
            categories,
        }
    }
}

/// A case kind in force: what the console needs to offer, show and count it.
#[derive(Serialize, ToSchema)]
pub struct KindDto {
    /// The kind's key (`event`, `demand`, `mediation`, or one a city imported).
    pub kind: String,
    /// The workflow version in force.
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub states: Vec<KindStateDto>,
    pub actions: Vec<KindActionDto>,
    /// The fields a case of the kind carries besides the common ones.
    pub fields: Vec<KindFieldDto>,
}

/// A field of a kind (docs/kinds.md): what a report or an action gives in `fields.<key>`.
#[derive(Serialize, ToSchema)]
pub struct KindFieldDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// text | number | date | choice | person | people | address | attachments
    #[serde(rename = "type")]
    pub type_name: String,
    /// Required with the first of `at` (the report when `at` names it), and never emptied.
    pub required: bool,
    /// The actions that may give or change it; `report` is the report itself.
    pub at: Vec<String>,
    /// For `choice`: the values (key and names).
    pub choices: Vec<KindChoiceDto>,
    /// For `text`: at most this many characters; for lists: at most this many items.
    pub max: Option<usize>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    /// Personal data (a person or people): masked wherever it is shown.
    pub personal: bool,
    /// Shown to the reporter as well as the staff, and published (masked) on Open311.
    pub public: bool,
    /// A desk may filter the kind's cases by it (`GET /api/v1/cases?kind=…&fields=key:test`).
    pub filter: bool,
}

#[derive(Serialize, ToSchema)]
pub struct KindChoiceDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct KindStateDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// The case is finished in this state.
    pub terminal: bool,
}

#[derive(Serialize, ToSchema)]
pub struct KindActionDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// What the action counts as in the figures (docs/kinds.md): `filed`, `dispatched`, `due`,
    /// `handled`, `reworked`, `closed`, `extended`, `suspended`, `returned`, `voided`,
    /// `rejected`, `self_handled`, `rated`.
    pub counts: Vec<String>,
    /// The states it may be taken from.
    pub from: Vec<String>,
    /// The state it leads to (empty when it stays: 催办, 督办).
    pub to: String,
    /// The roles that may take it (as the administrator has granted them).
    pub roles: Vec<String>,
    /// What a command for it must carry, by the command's field: `opinion`, `units`,
    /// `extension`, `rating`, `attachments`, `parent` (a console offers it in a batch only when
    /// it needs at most an opinion, or units for an action that `assigns`).
    pub needs: Vec<String>,
    /// It sets the case's units; a command without units takes the unit the routing rules chose
    /// (a batch dispatch).
    pub assigns: bool,
    /// Who beyond the role may take it: `role` (anyone with one of the roles), `assigned_unit`
    /// (the case's primary unit), `reporter`, `summoned` (a unit summoned and not yet reported in).
    pub party: String,
    /// Only for cases that came in through these channels (empty: any).
    pub channels: Vec<String>,
}

impl From<&shanzhi_domain::cases::workflow::Workflow> for KindDto {
    fn from(wf: &shanzhi_domain::cases::workflow::Workflow) -> Self {
        KindDto {
            kind: wf.kind.clone(),
            version: wf.version.clone(),
            name_zh: wf.name_zh.clone(),
            name_en: wf.name_en.clone(),
            states: wf
                .states()
                .iter()
                .map(|s| KindStateDto {
                    key: s.key.clone(),
                    name_zh: s.name_zh.clone(),
                    name_en: s.name_en.clone(),
                    terminal: s.terminal,
                })
                .collect(),
            actions: wf
                .actions()
                .iter()
                .map(|a| KindActionDto {
                    key: a.key.clone(),
                    name_zh: a.name_zh.clone(),
                    name_en: a.name_en.clone(),
                    counts: a.counts.iter().map(|c| c.as_str().to_string()).collect(),
                    from: a.from.clone(),
                    to: a.to.clone(),
                    roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
                    needs: a.needs.iter().map(|n| n.field().to_string()).collect(),
                    assigns: a.effects.contains(&shanzhi_domain::cases::workflow::Effect::AssignUnits),
                    party: a.party.as_str().into(),
                    channels: a.channels.clone(),
                })
                .collect(),
            fields: wf.fields().iter().map(KindFieldDto::from).collect(),
        }
    }
}

impl From<&shanzhi_domain::cases::fields::FieldDef> for KindFieldDto {
    fn from(f: &shanzhi_domain::cases::fields::FieldDef) -> Self {
        KindFieldDto {
            key: f.key.clone(),
            name_zh: f.name_zh.clone(),
            name_en: f.name_en.clone(),
            type_name: f.ty.as_str().into(),
            required: f.required,
            at: f.at.clone(),
            choices: f
                .choices
                .iter()
                .map(|c| KindChoiceDto { key: c.key.clone(), name_zh: c.name_zh.clone(), name_en: c.name_en.clone() })
                .collect(),
            max: f.max,
            min_value: f.min_value,
            max_value: f.max_value,
            personal: f.ty.personal(),
            public: f.public,
            filter: f.filter,
        }
    }
}
