//! Open311 GeoReport v2 use cases: the services (the public kinds: a catalogue's types, or a kind
//! of its own, with the kind's report fields as attributes), reports through Open311 (into the
//! same closed loop as every other report), the public request list and FixMyStreet's update
//! feed. The XML and JSON shapes belong to the API layer.
//!
//! What is public is what a kind's workflow says (`[open311]`): the shipped urban-management
//! events are, one service per catalogue type, with personal data masked, as FixMyStreet and the
//! 数字城管 public pages show them; 12345 demands and mediation carry private matters and are not.

use shanzhi_domain::access::DataScope;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shanzhi_domain::cases::case::{Actor, LogEntry};
use shanzhi_domain::cases::open311::{self as o311, WindowError};
use shanzhi_domain::ids::Level;
use shanzhi_domain::privacy::mask_text;
use shanzhi_store::CaseFilter;

use shanzhi_domain::cases::fields::{AT_REPORT, FieldDef, FieldType};
use shanzhi_domain::cases::workflow::{Open311Def, Workflow};

use crate::Reference;
use crate::cases::{CaseView, ReportInput};
use crate::{App, AppError};

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
    pub code: String,
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
    /// The service it was reported to: its type's code, or its kind's own service code.
    pub service_code: String,
    /// That service's name.
    pub service_name: String,
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
    /// The values of the kind's public fields, masked, as the attributes its service definition
    /// names them (`goods`, `applicant.name`): (code, value).
    pub attributes: Vec<(String, String)>,
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

/// Open311 GeoReport v2 over the application (`App::open311`): the jurisdiction, the services
/// and their definitions, reports made through it, and requests and their updates as the standard
/// shapes them; only public kinds, only what the public may read.
pub struct Open311<'a> {
    app: &'a App,
}

impl App {
    /// The Open311 service.
    pub fn open311(&self) -> Open311<'_> {
        Open311 { app: self }
    }
}

impl Open311<'_> {
    /// The jurisdiction (`jurisdiction_id`): the city's division code.
    pub fn jurisdiction(&self) -> String {
        let places = self.app.places();
        let city = places.tree.at_level(Level::City).next().map(|d| d.code.to_string());
        city.or_else(|| places.tree.all().first().and_then(|d| d.code.as_str().get(..4)).map(str::to_string))
            .unwrap_or_default()
    }

    /// Whether a `jurisdiction_id` names us (an empty one is absent, as the standard says).
    pub fn is_jurisdiction(&self, id: Option<&str>) -> bool {
        id.is_none_or(|j| j.trim().is_empty() || j.trim() == self.jurisdiction())
    }

    /// The services: each type of the catalogue for the kind published by type, and a service of
    /// its own for each other public kind whose report fields Open311 can carry.
    pub fn services(&self, english: bool) -> Vec<Service> {
        let reference = self.app.reference();
        let tax = &reference.taxonomy;
        let mut out = Vec::new();
        for (wf, d) in public_kinds(&reference) {
            if d.catalogue {
                out.extend(tax.types.iter().map(|t| {
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
                }));
            } else if let (Some(code), Some(ty)) = (&d.service_code, type_of(&reference, d)) {
                if !carried(wf) {
                    continue;
                }
                let name = if english { wf.name_en.clone() } else { wf.name_zh.clone() };
                out.push(Service {
                    code: code.clone(),
                    description: wf.name_zh.clone(),
                    group: name.clone(),
                    keywords: vec![wf.name_zh.clone(), ty.name_zh.clone()],
                    name,
                });
            }
        }
        out
    }

    /// The definition of a service: for a catalogue type, what qualifies, when it counts as solved
    /// and its time limit (shown, not entered); the coordinate system of `lat`/`long`; and the
    /// kind's report fields (entered; a person as `<field>.name`, `.phone`, `.id_number`).
    pub fn service_definition(&self, code: &str) -> Result<Vec<Attribute>, AppError> {
        let reference = self.app.reference();
        let (wf, d, ty) = resolved(&reference, code)?;
        Ok(definition(wf, d, ty))
    }

    /// Turns an Open311 report into ours, checking it against the service definition.
    pub fn open311_input(&self, r: Open311Report) -> Result<ReportInput, AppError> {
        let reference = self.app.reference();
        let (wf, d, ty) = resolved(&reference, &r.service_code)?;
        let definition = definition(wf, d, ty);
        let mut crs = None;
        let mut fields: std::collections::BTreeMap<String, serde_json::Value> = Default::default();
        for (code, value) in &r.attributes {
            let field = format!("attribute[{code}]");
            let Some(a) = definition.iter().find(|a| &a.code == code && a.variable) else {
                return Err(AppError::invalid(&field, format!("service {} has no attribute `{code}`", r.service_code)));
            };
            if a.datatype == "singlevaluelist" && !a.values.iter().any(|(k, _)| k == value) {
                let keys: Vec<&str> = a.values.iter().map(|(k, _)| k.as_str()).collect();
                return Err(AppError::invalid(&field, format!("`{value}` is not one of {}", keys.join(", "))));
            }
            if code == "crs" {
                crs = Some(value.clone());
                continue;
            }
            // A field of the kind (a person's parts as `<field>.name`, `.phone`, `.id_number`).
            let (key, part) = code.split_once('.').map_or((code.as_str(), None), |(k, p)| (k, Some(p)));
            let number = wf.fields().iter().any(|f| f.key == key && f.ty == FieldType::Number);
            let v = if number {
                let n = value.trim().parse::<f64>().ok().filter(|n| n.is_finite());
                serde_json::Number::from_f64(n.unwrap_or(f64::NAN))
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| AppError::invalid(&field, format!("`{value}` is not a number")))?
            } else {
                serde_json::Value::String(value.clone())
            };
            match part {
                Some(part) => {
                    let person = fields.entry(key.to_string()).or_insert_with(|| serde_json::json!({}));
                    if let Some(p) = person.as_object_mut() {
                        p.insert(part.to_string(), v);
                    }
                }
                None => {
                    fields.insert(key.to_string(), v);
                }
            }
        }
        let (kind, type_code) = (wf.kind.clone(), ty.code.to_string());
        drop(reference);
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
            kind,
            type_code,
            description,
            lon: Some(lon),
            lat: Some(lat),
            crs,
            channel: "open311".into(),
            attachments,
            fields,
        })
    }

    /// Public requests: by id (all other filters ignored), or by service, status and the
    /// reporting window (at most 90 days; the last 90 by default), newest first.
    pub async fn public_requests(&self, q: &RequestQuery) -> Result<Vec<PublicRequest>, AppError> {
        let now = self.app.clock().now();
        let reference = self.app.reference();
        let public: Vec<(String, Vec<String>)> =
            public_kinds(&reference).into_iter().map(|(wf, _)| (wf.kind.clone(), Vec::new())).collect();
        if public.is_empty() {
            return Ok(Vec::new());
        }
        let mut filter = CaseFilter {
            kinds_types: public,
            limit: q.limit.clamp(1, MAX_REQUESTS),
            offset: q.offset,
            ..CaseFilter::default()
        };
        if q.ids.is_empty() {
            let (from, to) = o311::window(q.start, q.end, now).map_err(window_error)?;
            filter.reported_from = Some(from);
            filter.reported_to = Some(to);
            if !q.service_codes.is_empty() {
                // Each code a catalogue type of the kind published by type, or a kind's own
                // service; an unknown code matches nothing.
                let mut asked: Vec<(String, Vec<String>)> = Vec::new();
                for code in &q.service_codes {
                    let Some((wf, d, ty)) = resolve(&reference, code) else { continue };
                    let types = if d.catalogue { vec![ty.code.to_string()] } else { Vec::new() };
                    match asked.iter_mut().find(|(k, t)| *k == wf.kind && !t.is_empty() && !types.is_empty()) {
                        Some((_, t)) => t.extend(types),
                        None => asked.push((wf.kind.clone(), types)),
                    }
                }
                if asked.is_empty() {
                    return Ok(Vec::new());
                }
                filter.kinds_types = asked;
            }
            let open = q.statuses.iter().any(|s| s == "open");
            let closed = q.statuses.iter().any(|s| s == "closed");
            filter.closed = if open == closed { None } else { Some(closed) };
        } else {
            filter.ids = q.ids.clone();
        }
        // The public feed: every case of the public kind, each shown only as the public sees it.
        let (_, rows) = self.app.store().list_cases(&filter, &DataScope::All, now).await?;
        let keys: Vec<(String, i64)> = rows.iter().map(|s| (s.county.clone(), s.id)).collect();
        let mut logs = self.app.store().case_logs(&keys).await?;
        let places = self.app.places();
        Ok(rows
            .iter()
            .map(|s| {
                let wf = reference.workflows.get(&s.case.kind);
                let log = logs.remove(&s.id).unwrap_or_default();
                let notes: Vec<Note> = log.iter().map(|e| note(e, wf)).collect();
                let closed = s.case.closed_at.is_some();
                let area = s.case.grid.as_ref().map(|g| g.community()).or_else(|| s.county.parse().ok());
                let own = wf.and_then(|w| w.open311()).and_then(|d| d.service_code.clone());
                let service_name = match (&own, wf) {
                    (Some(_), Some(w)) => w.name_zh.clone(),
                    _ => reference.taxonomy.get(&s.case.type_code).map(|t| t.name_zh.clone()).unwrap_or_default(),
                };
                PublicRequest {
                    service_code: own.unwrap_or_else(|| s.case.type_code.to_string()),
                    service_name,
                    status: o311::status(&s.case),
                    extended_status: o311::extended_status(wf, &s.case.state, closed),
                    status_notes: notes.iter().rev().find_map(|n| n.opinion.clone()),
                    agency: s.case.units.as_ref().map(|u| self.app.unit_name(&u.primary)),
                    address: area.map(|a| places.address(&a)).unwrap_or_default(),
                    updated_at: log.last().map(|e| e.at).unwrap_or(s.case.reported_at),
                    media_url: log.first().and_then(|e| web_address(&e.attachments)),
                    attributes: wf.map(|w| attribute_values(w, &s.case.fields)).unwrap_or_default(),
                    case: self.app.cases().view(s, now),
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
        let (from, to) = o311::window(start, end, self.app.clock().now()).map_err(window_error)?;
        let kinds: Vec<String> =
            public_kinds(&self.app.reference()).into_iter().map(|(wf, _)| wf.kind.clone()).collect();
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let entries = self.app.store().log_between(from, to, &kinds, MAX_REQUESTS).await?;
        let cases = self.app.cases_touched(entries.iter().map(|(id, _)| *id), &kinds).await?;
        let public: HashMap<i64, &str> = cases.iter().map(|s| (s.id, s.case.kind.as_str())).collect();
        let reference = self.app.reference();
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
        let stored = self.app.store().load_case(id, &self.app.scope_of(actor)).await?;
        if !self.app.is_public_kind(&stored.case.kind) {
            return Err(AppError::NotFound { what: format!("service request {id}") });
        }
        self.app.cases().add_note(id, text, attachments, actor, Some(&format!("open311:{update_id}"))).await
    }

    /// The request a token stands for. A token is the `Idempotency-Key` a client sent with its
    /// report, so a client that lost the answer still finds its request.
    pub async fn request_of_token(&self, token: &str) -> Result<i64, AppError> {
        // The newest report of any account with that key: the request it stands for is public.
        let prefix = format!("{}\u{1f}{token}\u{1f}", crate::cases::OPEN311_KEY);
        let stored = self.app.store().idempotent_response_starting(&prefix).await?;
        stored
            .and_then(|s| serde_json::from_str::<CaseView>(crate::kept::open(&s).1).ok())
            .filter(|c| self.app.is_public_kind(&c.kind))
            .map(|c| c.id)
            .ok_or_else(|| AppError::NotFound { what: format!("token `{token}`") })
    }
}

impl App {
    /// Whether cases of a kind are published over Open311.
    pub fn is_public_kind(&self, kind: &str) -> bool {
        self.reference().workflows.get(kind).is_some_and(|w| w.open311().is_some())
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

/// The kinds published over Open311, by key.
fn public_kinds(reference: &Reference) -> Vec<(&Workflow, &Open311Def)> {
    let mut out: Vec<(&Workflow, &Open311Def)> =
        reference.workflows.values().filter_map(|w| w.open311().map(|d| (w, d))).collect();
    out.sort_by(|a, b| a.0.kind.cmp(&b.0.kind));
    out
}

/// The catalogue type a kind's own service takes, if the catalogue in force has it.
fn type_of<'r>(reference: &'r Reference, d: &Open311Def) -> Option<&'r shanzhi_domain::taxonomy::EventType> {
    d.type_code.as_deref().and_then(|t| t.parse().ok()).and_then(|t| reference.taxonomy.get(&t))
}

/// The kind and catalogue type a service code stands for: a type of the catalogue, for the kind
/// published by type (the first by key, should two say so), or a kind's own service code.
fn resolve<'r>(
    reference: &'r Reference,
    code: &str,
) -> Option<(&'r Workflow, &'r Open311Def, &'r shanzhi_domain::taxonomy::EventType)> {
    let kinds = public_kinds(reference);
    if let Some(ty) = code.parse().ok().and_then(|c| reference.taxonomy.get(&c))
        && let Some((wf, d)) = kinds.iter().find(|(_, d)| d.catalogue)
    {
        return Some((*wf, *d, ty));
    }
    kinds
        .into_iter()
        .filter(|(wf, _)| carried(wf))
        .find(|(_, d)| d.service_code.as_deref() == Some(code))
        .and_then(|(wf, d)| type_of(reference, d).map(|ty| (wf, d, ty)))
}

/// [`resolve`], or a 404 naming the code.
fn resolved<'r>(
    reference: &'r Reference,
    code: &str,
) -> Result<(&'r Workflow, &'r Open311Def, &'r shanzhi_domain::taxonomy::EventType), AppError> {
    resolve(reference, code).ok_or_else(|| AppError::NotFound { what: format!("service `{code}`") })
}

/// Whether Open311 can carry every field a report of the kind must give (a list of people or of
/// attachments it cannot).
fn carried(wf: &Workflow) -> bool {
    wf.fields()
        .iter()
        .filter(|f| f.required_at() == Some(AT_REPORT))
        .all(|f| !matches!(f.ty, FieldType::People | FieldType::Attachments))
}

/// The attributes a field is entered as: (code, datatype, required, note). A person is three; a
/// list of people or attachments is none.
fn attribute_codes(f: &FieldDef) -> Vec<(String, &'static str, bool, Option<String>)> {
    let required = f.required_at() == Some(AT_REPORT);
    let one = |datatype, note: Option<&str>| vec![(f.key.clone(), datatype, required, note.map(str::to_string))];
    match f.ty {
        FieldType::Text => one("text", None),
        FieldType::Address => one("string", None),
        FieldType::Number => one("number", None),
        FieldType::Date => one("string", Some("YYYY-MM-DD")),
        FieldType::Choice => one("singlevaluelist", None),
        FieldType::Person => vec![
            (format!("{}.name", f.key), "string", required, Some("姓名（公开时脱敏）".into())),
            (format!("{}.phone", f.key), "string", false, Some("电话（公开时脱敏）".into())),
            (format!("{}.id_number", f.key), "string", false, Some("身份证号（公开时脱敏）".into())),
        ],
        FieldType::People | FieldType::Attachments => Vec::new(),
    }
}

/// The public fields' values of a case, masked, named as [`attribute_codes`] names them: a
/// person's parts as `<field>.name`, `.phone`, `.id_number`; a choice by its key; a list of people
/// as one value under the field's key, its people separated by `；`. Attachments are not published
/// (their ids are the staff's; a report's photo is its `media_url`).
fn attribute_values(
    wf: &Workflow,
    values: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Vec<(String, String)> {
    let shown = shanzhi_domain::cases::fields::public(wf.fields(), values);
    let mut out = Vec::new();
    for f in wf.fields() {
        let Some(v) = shown.get(&f.key) else { continue };
        match (f.ty, v) {
            (FieldType::Person, serde_json::Value::Object(parts)) => {
                for part in ["name", "phone", "id_number"] {
                    if let Some(s) = parts.get(part).and_then(serde_json::Value::as_str) {
                        out.push((format!("{}.{part}", f.key), s.to_string()));
                    }
                }
            }
            (FieldType::Choice, serde_json::Value::String(key)) => out.push((f.key.clone(), key.clone())),
            (FieldType::Attachments, _) => {}
            _ => out.push((f.key.clone(), shanzhi_domain::cases::fields::cell(f, v, false))),
        }
    }
    out
}

/// The definition of a resolved service (see [`Open311::service_definition`]).
fn definition(wf: &Workflow, d: &Open311Def, ty: &shanzhi_domain::taxonomy::EventType) -> Vec<Attribute> {
    let shown = |order: u32, code: &str, description: String| Attribute {
        variable: false,
        code: code.to_string(),
        datatype: "text",
        required: false,
        datatype_description: None,
        order,
        description,
        values: Vec::new(),
    };
    let mut out = Vec::new();
    if d.catalogue {
        out.push(shown(1, "filing_standard", format!("立案条件：{}", ty.filing_zh)));
        out.push(shown(2, "closing_standard", format!("结案条件：{}", ty.closing_zh)));
        out.push(shown(3, "time_limit", format!("处置时限：{}", ty.limit.zh())));
    }
    out.push(Attribute {
        variable: true,
        code: "crs".into(),
        datatype: "singlevaluelist",
        required: false,
        datatype_description: Some("lat/long 的坐标系，默认 WGS84 (GPS)".into()),
        order: out.len() as u32 + 1,
        description: "坐标系".into(),
        values: vec![
            ("wgs84".into(), "WGS84（GPS、天地图）".into()),
            ("gcj02".into(), "GCJ-02（高德、腾讯地图）".into()),
            ("bd09".into(), "BD-09（百度地图）".into()),
        ],
    });
    for f in wf.fields().iter().filter(|f| f.at.iter().any(|a| a == AT_REPORT)) {
        for (code, datatype, required, note) in attribute_codes(f) {
            out.push(Attribute {
                variable: true,
                code,
                datatype,
                required,
                datatype_description: note,
                order: out.len() as u32 + 1,
                description: f.name_zh.clone(),
                values: f.choices.iter().map(|c| (c.key.clone(), c.name_zh.clone())).collect(),
            });
        }
    }
    out
}
