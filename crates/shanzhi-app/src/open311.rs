//! Open311 GeoReport v2 use cases: the services (the event catalogue and its attributes), reports
//! through Open311 (into the same closed loop as every other report), the public request list
//! and FixMyStreet's update feed. The XML and JSON shapes belong to the API layer.
//!
//! What is public: the urban-management events (kind `event`), with personal data masked, as
//! FixMyStreet and the 数字城管 public pages show them. 12345 demands carry callers' private
//! matters and stay inside the system.

use shanzhi_domain::access::DataScope;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shanzhi_domain::cases::case::{Actor, LogEntry};
use shanzhi_domain::cases::open311::{self as o311, WindowError};
use shanzhi_domain::ids::Level;
use shanzhi_domain::privacy::mask_text;
use shanzhi_store::CaseFilter;

use crate::cases::{CaseView, ReportInput};
use crate::{App, AppError};

/// The case kind Open311 publishes and takes reports of.
pub const PUBLIC_KIND: &str = "event";

/// The most requests (or updates) one answer carries (the standard's default limit).
pub const MAX_REQUESTS: u64 = 1000;

/// A service: one type of the event catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub description: String,
    pub group: String,
    pub keywords: Vec<String>,
}

/// One attribute of a service definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// False: text shown to the reporter, nothing to enter.
    pub variable: bool,
    pub code: &'static str,
    /// string | number | datetime | text | singlevaluelist | multivaluelist
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    /// (key, name)
    pub values: Vec<(String, String)>,
}

/// A report as an Open311 client sends it (`POST requests`), fields as named by the standard.
#[derive(Debug, Clone, Default)]
pub struct Open311Report {
    pub service_code: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// `attribute[CODE]` values (several for a multi-value list).
    pub attributes: Vec<(String, String)>,
}

/// One entry of a request's history as published (no names of people).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub action: String,
    pub action_name: String,
    /// The opinion written, if marked public, masked.
    pub opinion: Option<String>,
    /// submitted | closed | reopened | activity
    pub kind: &'static str,
    pub from_state: Option<String>,
    pub to_state: String,
    pub unit: String,
    pub role: &'static str,
    pub overdue: bool,
}

/// A request as published: the case, its history and what Open311 adds.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRequest {
    pub case: CaseView,
    pub notes: Vec<Note>,
    /// `open` | `closed`.
    pub status: &'static str,
    /// FixMyStreet's extended status.
    pub extended_status: String,
    /// The latest public opinion written on the case (masked).
    pub status_notes: Option<String>,
    /// The name of the unit handling it.
    pub agency: Option<String>,
    /// County, street and community names.
    pub address: String,
    pub updated_at: DateTime<Utc>,
    pub media_url: Option<String>,
}

/// The standard's filters of `GET requests`.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// When given, every other filter is ignored.
    pub ids: Vec<i64>,
    pub service_codes: Vec<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// `open`, `closed` or both (empty: both).
    pub statuses: Vec<String>,
    pub limit: u64,
    pub offset: u64,
}

/// One entry of FixMyStreet's `servicerequestupdates`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestUpdate {
    pub update_id: String,
    pub request_id: i64,
    /// The extended status after the update.
    pub status: String,
    /// The state key after the update.
    pub external_status_code: String,
    pub at: DateTime<Utc>,
    pub description: String,
    pub media_url: Option<String>,
}

fn window_error(e: WindowError) -> AppError {
    match e {
        WindowError::Reversed => AppError::invalid("start_date", "start_date must be before end_date"),
        WindowError::TooLong => {
            AppError::invalid("end_date", format!("the span may not exceed {} days", o311::MAX_SPAN_DAYS))
        }
    }
}

impl App {
    /// The jurisdiction (`jurisdiction_id`): the city's division code.
    pub fn jurisdiction(&self) -> String {
        let places = self.places();
        let city = places.tree.at_level(Level::City).next().map(|d| d.code.to_string());
        city.or_else(|| places.tree.all().first().and_then(|d| d.code.as_str().get(..4)).map(str::to_string))
            .unwrap_or_default()
    }

    /// Whether a `jurisdiction_id` names us (an empty one is absent, as the standard says).
    pub fn is_jurisdiction(&self, id: Option<&str>) -> bool {
        id.is_none_or(|j| j.trim().is_empty() || j.trim() == self.jurisdiction())
    }

    /// The services: every type of the catalogue, grouped by category.
    pub fn services(&self, english: bool) -> Vec<Service> {
        let reference = self.reference();
        let tax = &reference.taxonomy;
        tax.types
            .iter()
            .map(|t| {
                let code = t.code.to_string();
                let category = tax.categories.iter().find(|c| code.starts_with(c.code.as_str()));
                let (name, group) = if english {
                    (t.name_en.clone(), category.map(|c| c.name_en.clone()))
                } else {
                    (t.name_zh.clone(), category.map(|c| c.name_zh.clone()))
                };
                let kind = category.map(|c| c.kind.as_str().to_string());
                Service {
                    code,
                    name,
                    description: t.filing_zh.clone(),
                    group: group.unwrap_or_default(),
                    keywords: [Some(t.name_zh.clone()), category.map(|c| c.name_zh.clone()), kind]
                        .into_iter()
                        .flatten()
                        .collect(),
                }
            })
            .collect()
    }

    /// The definition of a service: what qualifies, when it counts as solved, its time limit
    /// (shown, not entered), and the coordinate system of `lat`/`long` (entered).
    pub fn service_definition(&self, code: &str) -> Result<Vec<Attribute>, AppError> {
        let reference = self.reference();
        let ty = code
            .parse()
            .ok()
            .and_then(|c| reference.taxonomy.get(&c))
            .ok_or_else(|| AppError::NotFound { what: format!("service `{code}`") })?;
        let shown = |order: u32, code: &'static str, description: String| Attribute {
            variable: false,
            code,
            datatype: "text",
            required: false,
            datatype_description: None,
            order,
            description,
            values: Vec::new(),
        };
        Ok(vec![
            shown(1, "filing_standard", format!("立案条件：{}", ty.filing_zh)),
            shown(2, "closing_standard", format!("结案条件：{}", ty.closing_zh)),
            shown(3, "time_limit", format!("处置时限：{}", ty.limit.zh())),
            Attribute {
                variable: true,
                code: "crs",
                datatype: "singlevaluelist",
                required: false,
                datatype_description: Some("lat/long 的坐标系，默认 WGS84 (GPS)".into()),
                order: 4,
                description: "坐标系".into(),
                values: vec![
                    ("wgs84".into(), "WGS84（GPS、天地图）".into()),
                    ("gcj02".into(), "GCJ-02（高德、腾讯地图）".into()),
                    ("bd09".into(), "BD-09（百度地图）".into()),
                ],
            },
        ])
    }

    /// Turns an Open311 report into ours, checking it against the service definition.
    pub fn open311_input(&self, r: Open311Report) -> Result<ReportInput, AppError> {
        let definition = self.service_definition(&r.service_code)?;
        let mut crs = None;
        for (code, value) in &r.attributes {
            let field = format!("attribute[{code}]");
            let Some(a) = definition.iter().find(|a| a.code == code && a.variable) else {
                return Err(AppError::invalid(&field, format!("service {} has no attribute `{code}`", r.service_code)));
            };
            if !a.values.iter().any(|(k, _)| k == value) {
                let keys: Vec<&str> = a.values.iter().map(|(k, _)| k.as_str()).collect();
                return Err(AppError::invalid(&field, format!("`{value}` is not one of {}", keys.join(", "))));
            }
            crs = Some(value.clone());
        }
        let (lon, lat) = match (r.long, r.lat) {
            (Some(lon), Some(lat)) => (lon, lat),
            (None, Some(_)) => return Err(AppError::invalid("long", "lat needs long")),
            (Some(_), None) => return Err(AppError::invalid("lat", "long needs lat")),
            (None, None) => {
                return Err(AppError::invalid(
                    "lat",
                    "lat and long are required: reports are placed in grids by their coordinates, \
                     and address_string alone cannot be placed",
                ));
            }
        };
        let mut description = r.description.as_deref().map(str::trim).unwrap_or_default().to_string();
        if description.is_empty() {
            description =
                self.services(false).into_iter().find(|s| s.code == r.service_code).map(|s| s.name).unwrap_or_default();
        }
        if let Some(a) = r.address_string.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            description.push_str(&format!("\n地址：{a}"));
        }
        // One limit on the text as stored (the spec allows 4,000 characters; we keep 2,000).
        if description.chars().count() > 2000 {
            return Err(AppError::invalid(
                "description",
                "description (with address_string appended) must have at most 2000 characters",
            ));
        }
        let mut attachments = Vec::new();
        if let Some(url) = r.media_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
                return Err(AppError::invalid("media_url", "media_url must be an http(s) URL of at most 2000 bytes"));
            }
            attachments.push(url.to_string());
        }
        Ok(ReportInput {
            kind: PUBLIC_KIND.into(),
            type_code: r.service_code,
            description,
            lon: Some(lon),
            lat: Some(lat),
            crs,
            channel: "open311".into(),
            attachments,
            fields: Default::default(),
        })
    }

    /// Public requests: by id (all other filters ignored), or by service, status and the
    /// reporting window (at most 90 days; the last 90 by default), newest first.
    pub async fn public_requests(&self, q: &RequestQuery) -> Result<Vec<PublicRequest>, AppError> {
        let now = self.clock().now();
        let mut filter = CaseFilter {
            kind: Some(PUBLIC_KIND.into()),
            limit: q.limit.clamp(1, MAX_REQUESTS),
            offset: q.offset,
            ..CaseFilter::default()
        };
        if q.ids.is_empty() {
            let (from, to) = o311::window(q.start, q.end, now).map_err(window_error)?;
            filter.reported_from = Some(from);
            filter.reported_to = Some(to);
            filter.types = q.service_codes.clone();
            let open = q.statuses.iter().any(|s| s == "open");
            let closed = q.statuses.iter().any(|s| s == "closed");
            filter.closed = if open == closed { None } else { Some(closed) };
        } else {
            filter.ids = q.ids.clone();
        }
        // The public feed: every case of the public kind, each shown only as the public sees it.
        let (_, rows) = self.store().list_cases(&filter, &DataScope::All, now).await?;
        let keys: Vec<(String, i64)> = rows.iter().map(|s| (s.county.clone(), s.id)).collect();
        let mut logs = self.store().case_logs(&keys).await?;
        let reference = self.reference();
        let places = self.places();
        Ok(rows
            .iter()
            .map(|s| {
                let wf = reference.workflows.get(&s.case.kind);
                let log = logs.remove(&s.id).unwrap_or_default();
                let notes: Vec<Note> = log.iter().map(|e| note(e, wf)).collect();
                let closed = s.case.closed_at.is_some();
                let area = s.case.grid.as_ref().map(|g| g.community()).or_else(|| s.county.parse().ok());
                PublicRequest {
                    status: o311::status(&s.case),
                    extended_status: o311::extended_status(wf, &s.case.state, closed),
                    status_notes: notes.iter().rev().find_map(|n| n.opinion.clone()),
                    agency: s.case.units.as_ref().map(|u| self.unit_name(&u.primary)),
                    address: area.map(|a| places.address(&a)).unwrap_or_default(),
                    updated_at: log.last().map(|e| e.at).unwrap_or(s.case.reported_at),
                    media_url: log.first().and_then(|e| web_address(&e.attachments)),
                    case: self.view(s, now),
                    notes,
                }
            })
            .collect())
    }

    /// One public request; `NotFound` for an unknown id or a case that is not public.
    pub async fn public_request(&self, id: i64) -> Result<PublicRequest, AppError> {
        let q = RequestQuery { ids: vec![id], limit: 1, ..RequestQuery::default() };
        self.public_requests(&q)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound { what: format!("service request {id}") })
    }

    /// The updates (log entries) of public requests in a window, oldest first (FixMyStreet's
    /// `servicerequestupdates`).
    pub async fn request_updates(
        &self,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Result<Vec<RequestUpdate>, AppError> {
        let (from, to) = o311::window(start, end, self.clock().now()).map_err(window_error)?;
        let entries = self.store().log_between(from, to, Some(PUBLIC_KIND), MAX_REQUESTS).await?;
        let cases = self.cases_touched(entries.iter().map(|(id, _)| *id), Some(PUBLIC_KIND)).await?;
        let public: HashMap<i64, &str> = cases.iter().map(|s| (s.id, s.case.kind.as_str())).collect();
        let reference = self.reference();
        Ok(entries
            .into_iter()
            .filter_map(|(id, e)| {
                let wf = reference.workflows.get(*public.get(&id)?);
                let closed = wf.and_then(|w| w.state(&e.to_state)).is_some_and(|d| d.terminal);
                let action = wf.and_then(|w| w.action(&e.action)).map(|a| a.name_zh.clone());
                Some(RequestUpdate {
                    update_id: format!("{id}-{}", e.seq),
                    request_id: id,
                    status: o311::extended_status(wf, &e.to_state, closed),
                    external_status_code: e.to_state.clone(),
                    at: e.at,
                    description: public_opinion(&e).or(action).unwrap_or_else(|| e.action.clone()),
                    // The report's photo and a public reply's; the staff's working files stay inside.
                    media_url: (e.seq == 1 || e.public).then(|| web_address(&e.attachments)).flatten(),
                })
            })
            .collect())
    }

    /// A client's update on a public request (FixMyStreet's `POST servicerequestupdates`): a note,
    /// given once per client update id. A request that is not public, or not in the client
    /// account's scope, does not exist here.
    pub async fn open311_update(
        &self,
        id: i64,
        text: &str,
        attachments: Vec<String>,
        actor: &Actor,
        update_id: &str,
    ) -> Result<CaseView, AppError> {
        let stored = self.store().load_case(id, &self.scope_of(actor)).await?;
        if stored.case.kind != PUBLIC_KIND {
            return Err(AppError::NotFound { what: format!("service request {id}") });
        }
        self.add_note(id, text, attachments, actor, Some(&format!("open311:{update_id}"))).await
    }

    /// The request a token stands for. A token is the `Idempotency-Key` a client sent with its
    /// report, so a client that lost the answer still finds its request.
    pub async fn request_of_token(&self, token: &str) -> Result<i64, AppError> {
        // The newest report of any account with that key: the request it stands for is public.
        let prefix = format!("{}\u{1f}{token}\u{1f}", crate::cases::OPEN311_KEY);
        let stored = self.store().idempotent_response_starting(&prefix).await?;
        stored
            .and_then(|s| serde_json::from_str::<CaseView>(crate::kept::open(&s).1).ok())
            .filter(|c| c.kind == PUBLIC_KIND)
            .map(|c| c.id)
            .ok_or_else(|| AppError::NotFound { what: format!("token `{token}`") })
    }

    /// A unit's name: as the unit register has it (学院南路街道办事处); for a unit not in it, the
    /// division's and the department's (`路北区` + `城市管理局`), or its id.
    pub fn unit_name(&self, unit: &str) -> String {
        if let Some(u) = self.places().unit(unit) {
            return u.name.clone();
        }
        let (area, key) = unit.split_once(':').unwrap_or((unit, ""));
        let reference = self.reference();
        let Some(dept) = reference.departments.departments.iter().find(|d| d.key == key) else {
            return unit.to_string();
        };
        format!("{}{}", self.places().division_name(area).unwrap_or_default(), dept.name_zh)
    }
}

fn note(e: &LogEntry, wf: Option<&shanzhi_domain::cases::workflow::Workflow>) -> Note {
    Note {
        at: e.at,
        action: e.action.clone(),
        action_name: wf.and_then(|w| w.action(&e.action)).map_or_else(|| e.action.clone(), |a| a.name_zh.clone()),
        opinion: public_opinion(e),
        kind: o311::note_type(e, wf),
        from_state: e.from_state.clone(),
        to_state: e.to_state.clone(),
        unit: e.actor.unit.clone(),
        role: e.actor.role.as_str(),
        overdue: e.overdue,
    }
}

/// An entry's opinion as published: only one marked public (公开答复), masked. Staff opinions
/// are internal (a department's working notes, a caller's private matters).
fn public_opinion(e: &LogEntry) -> Option<String> {
    e.opinion.as_deref().filter(|_| e.public).map(mask_text)
}

/// The first web address among a log entry's attachments. Uploads are never published: their ids
/// are capabilities, and their files are read within the data scope.
fn web_address(attachments: &[String]) -> Option<String> {
    attachments.iter().find(|a| a.starts_with("https://") || a.starts_with("http://")).cloned()
}
