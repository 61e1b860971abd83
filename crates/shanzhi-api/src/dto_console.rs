//! Wire types of the command centre: the live overview of an area and the base map settings.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanzhi_app::live::{AreaLive, Overview};
use shanzhi_app::map::BaseMap;
use utoipa::ToSchema;

/// An area and what is live in it now (within the caller's data scope).
#[derive(Serialize, ToSchema)]
pub struct AreaLiveDto {
    pub code: String,
    pub name: String,
    /// city | county | township | village | grid | unlocated
    pub level: String,
    /// Cases not closed.
    pub open: u64,
    /// Open cases whose step has used more than 80 % of its time.
    pub yellow: u64,
    /// Open cases past their step's deadline.
    pub red: u64,
    /// Open cases with a whistle's summons not yet answered by the unit summoned.
    pub summoned: u64,
    /// Cases reported since midnight (UTC+8), closed or not.
    pub today: u64,
}

impl From<AreaLive> for AreaLiveDto {
    fn from(a: AreaLive) -> Self {
        AreaLiveDto {
            code: a.code,
            name: a.name,
            level: a.level.to_string(),
            open: a.open,
            yellow: a.yellow,
            red: a.red,
            summoned: a.summoned,
            today: a.today,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParentDto {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct OverviewDto {
    pub area: AreaLiveDto,
    /// From the city down to the area's parent.
    pub parents: Vec<ParentDto>,
    /// Every child area (the grids of a community), zeros included.
    pub children: Vec<AreaLiveDto>,
    /// The area's cases outside every grid, if any.
    pub unlocated: Option<AreaLiveDto>,
    /// The area's counts for each kind in force (whatever `kind` narrows the rest to), zeros
    /// included, in key order.
    pub kinds: Vec<KindLiveDto>,
    /// When the counts were read (RFC 3339).
    pub at: String,
}

/// What is live of one kind in the area (the counts mean what they mean for an area).
#[derive(Serialize, ToSchema)]
pub struct KindLiveDto {
    pub kind: String,
    pub name_zh: String,
    pub name_en: String,
    pub open: u64,
    pub yellow: u64,
    pub red: u64,
    pub summoned: u64,
    pub today: u64,
}

impl From<Overview> for OverviewDto {
    fn from(o: Overview) -> Self {
        OverviewDto {
            area: o.area.into(),
            parents: o.parents.into_iter().map(|(code, name)| ParentDto { code, name }).collect(),
            children: o.children.into_iter().map(Into::into).collect(),
            unlocated: o.unlocated.map(Into::into),
            kinds: o
                .kinds
                .into_iter()
                .map(|k| KindLiveDto {
                    kind: k.kind,
                    name_zh: k.name_zh,
                    name_en: k.name_en,
                    open: k.counts.open,
                    yellow: k.counts.yellow,
                    red: k.counts.red,
                    summoned: k.counts.summoned,
                    today: k.counts.today,
                })
                .collect(),
            at: o.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// The base map: no `tiles` means outlines on a plain background, nothing from the internet.
#[derive(Serialize, ToSchema)]
pub struct BaseMapDto {
    /// Tile URL template with {z}, {x}, {y} (and maybe {s}).
    pub tiles: Option<String>,
    /// The tiles' datum (wgs84 | gcj02 | bd09); ask `/api/v1/map/{code}` with this `crs`.
    pub crs: String,
    pub attribution: String,
    pub max_zoom: u8,
}

impl From<&BaseMap> for BaseMapDto {
    fn from(b: &BaseMap) -> Self {
        BaseMapDto {
            tiles: b.tiles.clone(),
            crs: b.crs.as_str().into(),
            attribution: b.attribution.clone(),
            max_zoom: b.max_zoom,
        }
    }
}

/// One of the caller's to-do lists (待办): the open cases of a kind in a state that wait for the
/// caller's role, as the kind's workflow says.
#[derive(Serialize, ToSchema)]
pub struct TodoDto {
    pub kind: String,
    pub kind_name_zh: String,
    pub kind_name_en: String,
    pub state: String,
    /// The state's name (`已立案·待派遣`).
    pub name_zh: String,
    pub name_en: String,
    /// Whose cases in the state: `scope` (any in the caller's data scope), `unit` (assigned to
    /// the caller's unit) or `summoned` (a whistle's summons waiting).
    pub whose: String,
    /// Open cases on the list.
    pub count: u64,
    /// Of those, with the step's light yellow; and red (past the deadline).
    pub yellow: u64,
    pub red: u64,
    /// With `kind` and `state`, the case list's filter that shows them (`GET /api/v1/cases`).
    pub unit: Option<String>,
    /// That unit's name.
    pub unit_name: Option<String>,
    pub summoned: Option<bool>,
    /// The list's key (`kind:state:whose`): `POST /api/v1/todo/seen` marks it opened.
    pub key: String,
    /// When the caller last opened it (none: never), and how many of its cases changed since
    /// (`changed_since` on the case list shows them).
    pub seen_at: Option<DateTime<Utc>>,
    pub changed: u64,
}

impl From<shanzhi_app::todo::Todo> for TodoDto {
    fn from(t: shanzhi_app::todo::Todo) -> Self {
        TodoDto {
            key: t.key(),
            seen_at: t.seen_at,
            changed: t.changed,
            kind: t.kind,
            kind_name_zh: t.kind_name_zh,
            kind_name_en: t.kind_name_en,
            state: t.state,
            name_zh: t.name_zh,
            name_en: t.name_en,
            whose: t.whose.as_str().to_string(),
            count: t.count,
            yellow: t.yellow,
            red: t.red,
            unit: t.unit,
            unit_name: t.unit_name,
            summoned: t.summoned,
        }
    }
}
