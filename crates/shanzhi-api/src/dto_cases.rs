//! Wire DTOs of cases.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanzhi_app::cases::{CaseDetail, CaseView};
use utoipa::ToSchema;

/// A report: `POST /api/v1/cases`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportDto {
    /// Case kind: `event` (urban-management event or component problem), `demand`, `mediation`,
    /// or any kind in force (`GET /api/v1/kinds`).
    pub kind: String,
    /// 4-digit type code of the catalogue.
    #[serde(rename = "type")]
    pub type_code: String,
    pub description: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// wgs84 (default), gcj02 or bd09
    pub crs: Option<String>,
    /// patrol, resident_web, resident_phone, hotline, device, open311
    pub channel: String,
    /// Uploaded attachments (`att_…` from `POST /api/v1/attachments`) or http(s) URLs.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Values of the kind's own fields (its workflow's fields, listed by `GET /api/v1/kinds`), by
    /// key: text, number, date (`YYYY-MM-DD`), a choice's key, a person
    /// (`{"name", "phone", "id_number"}`), a list of people, an address, attachment ids.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitsDto {
    pub primary: String,
    #[serde(default)]
    pub assisting: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteDto {
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    pub assisting: Vec<String>,
    pub rule: String,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingDto {
    /// satisfied | basically_satisfied | dissatisfied
    pub satisfaction: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearestGridDto {
    pub grid: String,
    pub distance_m: f64,
}

/// A case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: String,
    pub kind: String,
    #[serde(rename = "type")]
    pub type_code: String,
    pub type_name: String,
    pub state: String,
    pub state_name: String,
    pub channel: String,
    pub description: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// False when the location lies outside every grid (kept and flagged).
    pub located: bool,
    pub grid: Option<String>,
    pub community: Option<String>,
    pub street: Option<String>,
    pub county: String,
    pub nearest: Option<NearestGridDto>,
    pub units: Option<UnitsDto>,
    /// The primary unit's name (`路南区城市管理局`).
    pub unit_name: Option<String>,
    /// Where it is, by name: county, street, community and grid (empty outside every grid).
    pub place_name: String,
    /// Where routing sent the case and why.
    pub route: Option<RouteDto>,
    pub step: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    /// When the step's clock stopped (挂账); absent while it runs: the time left is frozen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<DateTime<Utc>>,
    /// green | yellow | red
    pub light: Option<String>,
    /// An open case of the same type nearby when this one was reported.
    pub possible_duplicate_of: Option<String>,
    /// The case this one was merged into.
    pub merged_into: Option<String>,
    /// Cases merged into this one.
    pub merged: Vec<String>,
    pub rework_count: u32,
    /// How many times the case was urged (催办) and supervised (督办).
    pub urge_count: u32,
    pub supervise_count: u32,
    pub extension_count: u32,
    pub rating: Option<RatingDto>,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: u32,
    /// The kind's own fields, by key; personal data masked unless unmasked (audited), and for
    /// residents only those they gave and those declared public.
    #[schema(value_type = Object)]
    pub fields: std::collections::BTreeMap<String, serde_json::Value>,
    /// The short follow code (查询码, `7K3M-9QXD`) by which anyone it is told to follows the case
    /// at `GET /api/v1/follow/{code}`: only in the answer to the report that made the case (and
    /// that answer given again for its `Idempotency-Key`); the server keeps only its hash.
    pub short_code: Option<String>,
    /// Whether the case has a short follow code (cases reported before codes were given have none).
    pub has_short_code: bool,
}

pub(crate) fn satisfaction(s: shanzhi_domain::cases::case::Satisfaction) -> &'static str {
    use shanzhi_domain::cases::case::Satisfaction::*;
    match s {
        Satisfied => "satisfied",
        BasicallySatisfied => "basically_satisfied",
        Dissatisfied => "dissatisfied",
    }
}

impl From<CaseView> for CaseDto {
    fn from(v: CaseView) -> Self {
        CaseDto {
            id: v.id.to_string(),
            kind: v.kind,
            type_code: v.type_code,
            type_name: v.type_name_zh,
            state: v.state,
            state_name: v.state_name_zh,
            channel: v.channel,
            description: v.description,
            lon: v.lon,
            lat: v.lat,
            located: v.located,
            grid: v.grid,
            community: v.community,
            street: v.street,
            county: v.county,
            nearest: v.nearest.map(|n| NearestGridDto { grid: n.grid.code, distance_m: n.distance_m }),
            units: v.units.map(|u| UnitsDto { primary: u.primary, assisting: u.assisting }),
            unit_name: v.unit_name,
            place_name: v.place_name,
            route: v.route.map(|r| RouteDto {
                unit_name: v.route_unit_name.unwrap_or_else(|| r.unit.clone()),
                unit: r.unit,
                assisting: r.assisting,
                rule: r.rule,
                reason_zh: r.reason_zh,
                reason_en: r.reason_en,
            }),
            step: v.step,
            deadline: v.deadline,
            paused_at: v.paused_at,
            light: v.light,
            possible_duplicate_of: v.possible_duplicate_of.map(|i| i.to_string()),
            merged_into: v.merged_into.map(|i| i.to_string()),
            merged: v.merged.iter().map(|i| i.to_string()).collect(),
            rework_count: v.rework_count,
            urge_count: v.urge_count,
            supervise_count: v.supervise_count,
            extension_count: v.extension_count,
            rating: v.rating.map(|r| RatingDto { satisfaction: satisfaction(r.satisfaction).into(), reason: r.reason }),
            reported_at: v.reported_at,
            closed_at: v.closed_at,
            version: v.version,
            fields: v.fields,
            short_code: v.short_code,
            has_short_code: v.has_short_code,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryDto {
    pub seq: u32,
    pub at: DateTime<Utc>,
    /// The account's user name; empty where a resident reads another's step.
    pub user: String,
    /// Who acted, by name (a display name; for a resident reading the case, the role's name).
    pub user_name: String,
    pub user_name_en: String,
    pub role: String,
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    pub action: String,
    /// The action's name in Chinese and in English.
    pub action_name: String,
    pub action_name_en: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub opinion: Option<String>,
    pub attachments: Vec<String>,
    pub units: Option<UnitsDto>,
    /// The deadline in force after the action.
    pub deadline: Option<DateTime<Utc>>,
    /// Whether the step this action ended was overdue.
    pub overdue: bool,
    /// Whether the opinion is a reply to the public (published on Open311, masked).
    pub public: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOfferDto {
    pub action: String,
    /// The action's name in Chinese and in English.
    pub name: String,
    pub name_en: String,
    /// What the request must carry: opinion, units, extension, rating, attachments, parent.
    pub needs: Vec<String>,
    pub allowed: bool,
    /// Why not, when not allowed, in Chinese and in English.
    pub reason: Option<String>,
    pub reason_en: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailDto {
    #[serde(flatten)]
    pub case: CaseDto,
    pub log: Vec<LogEntryDto>,
    /// The actions of the present state and whether the caller may take each.
    pub actions: Vec<ActionOfferDto>,
    /// When an action the caller may take needs units: the units the case may go to (those of
    /// the city, county, street and community), the routing's suggestion first.
    pub unit_choices: Vec<UnitChoiceDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitChoiceDto {
    pub id: String,
    pub name: String,
}

impl From<CaseDetail> for CaseDetailDto {
    fn from(d: CaseDetail) -> Self {
        CaseDetailDto {
            case: d.case.into(),
            log: d
                .log
                .into_iter()
                .zip(d.log_names)
                .zip(d.log_people)
                .map(|((e, (action_name, action_name_en)), who)| LogEntryDto {
                    seq: e.seq,
                    at: e.at,
                    user: e.actor.user,
                    user_name: who.name_zh,
                    user_name_en: who.name_en,
                    role: e.actor.role.as_str().into(),
                    unit: e.actor.unit,
                    unit_name: who.unit,
                    action: e.action,
                    action_name,
                    action_name_en,
                    from_state: e.from_state,
                    to_state: e.to_state,
                    opinion: e.opinion,
                    attachments: e.attachments,
                    units: e.units.map(|u| UnitsDto { primary: u.primary, assisting: u.assisting }),
                    deadline: e.deadline,
                    overdue: e.overdue,
                    public: e.public,
                })
                .collect(),
            actions: d
                .actions
                .into_iter()
                .map(|o| ActionOfferDto {
                    action: o.action,
                    name: o.name_zh,
                    name_en: o.name_en,
                    needs: o.needs.into_iter().map(String::from).collect(),
                    allowed: o.refusal.is_none(),
                    reason: o.refusal.as_ref().map(|r| r.zh.clone()),
                    reason_en: o.refusal.map(|r| r.en),
                })
                .collect(),
            unit_choices: d.unit_choices.into_iter().map(|(id, name)| UnitChoiceDto { id, name }).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListDto {
    pub total: u64,
    pub items: Vec<CaseDto>,
    /// With `q`: more than 5,000 cases held the words, and only the newest 5,000 of them were
    /// filtered and counted (add words or filters).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// An action: `POST /api/v1/cases/{id}/actions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionDto {
    pub action: String,
    pub opinion: Option<String>,
    pub units: Option<UnitsDto>,
    /// An extension asked for: `{"value": 2, "unit": "working_days"}`.
    #[schema(value_type = Option<Object>)]
    pub extension: Option<shanzhi_domain::time_limit::TimeLimit>,
    pub rating: Option<RatingDto>,
    #[serde(default)]
    pub attachments: Vec<String>,
    /// For `merge`: the id of the case this one duplicates.
    pub parent: Option<String>,
    /// The opinion is a reply to the public (公开答复): shown, masked, on Open311's notes and
    /// updates. Staff opinions are internal otherwise.
    #[serde(default)]
    pub public: bool,
    /// Values of the kind's fields this action gives or changes (those whose `at` names it);
    /// `null` empties an optional one.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: std::collections::BTreeMap<String, serde_json::Value>,
}

/// One action taken on several cases (batch dispatch, batch urging): `POST /api/v1/batch/actions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchActionDto {
    /// 1 to 100 case ids (repeats are taken once).
    pub ids: Vec<String>,
    pub action: String,
    pub opinion: Option<String>,
    /// The units for every case; none: for `dispatch`, each case goes where the routing rules
    /// send it.
    pub units: Option<UnitsDto>,
}

/// What a batch did to each case, in the order asked: the case after the action, or why not.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResultDto {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::ApiError>,
}

/// A batch's answer: each case's result, and how many were done.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchDto {
    pub done: usize,
    pub failed: usize,
    pub results: Vec<BatchResultDto>,
}

/// A note on a case (补充说明, a progress note; 催办 is the workflow action `urge`): `POST /api/v1/cases/{id}/notes`. The case stays where it is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteDto {
    /// 1 to 2000 characters; personal data in it is masked when shown.
    pub text: String,
    /// Uploaded attachment ids (or web addresses) to keep with the note.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// One row of figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatRowDto {
    /// The value of the breakdown (a month, an area code, a unit id, a type code), `*` for the total.
    pub key: String,
    /// What the key names (an area, grid, unit or type; the month itself); empty for the total.
    pub name: String,
    /// A type's English name; otherwise the same as `name`.
    pub name_en: String,
    /// reported, filed, filed_public, dispatched, due, handled, handled_on_time, closed,
    /// closed_on_time, rework, overdue_steps, extensions, suspended, returned, voided, rejected,
    /// self_handled, satisfied, basically_satisfied, dissatisfied
    #[schema(value_type = BTreeMap<String, u64>)]
    pub counters: serde_json::Value,
    /// closing, on_time_closing, handling, on_time_handling, rework, extension, public_report,
    /// satisfaction (percent; null when the denominator is zero)
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub rates: serde_json::Value,
    /// The region (areas) or department (units) composite score with its grade and parts.
    pub score: Option<ScoreDto>,
    /// With `by=area_period`: the row's month (`2026-05`); its `key` is the area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// A composite score (综合得分) with its grade and the parts it was made of.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreDto {
    /// Σ weight × score over the defined parts, divided by the sum of their weights.
    pub value: f64,
    pub grade: String,
    pub parts: Vec<ScorePartDto>,
}

/// One part of a composite score: its weight, its score (null for want of a denominator) and the
/// counters it is computed from, numerator first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScorePartDto {
    /// public_report, filed, closing, on_time_closing, on_time_handling, rework
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub weight: f64,
    pub score: Option<f64>,
    pub counters: Vec<String>,
}

impl From<shanzhi_domain::cases::figures::assessment::Composite> for ScoreDto {
    fn from(c: shanzhi_domain::cases::figures::assessment::Composite) -> Self {
        let part = |p: shanzhi_domain::cases::figures::assessment::Part| ScorePartDto {
            key: p.key.into(),
            name: p.name.into(),
            name_en: p.name_en.into(),
            weight: p.weight,
            score: p.score,
            counters: p.counters.iter().map(|c| c.to_string()).collect(),
        };
        ScoreDto { value: c.value, grade: c.grade, parts: c.parts.into_iter().map(part).collect() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDto {
    pub kind: String,
    pub by: Option<String>,
    /// One page of the breakdown (`offset`, `limit`), in the order asked (`sort`).
    pub rows: Vec<StatRowDto>,
    /// How many rows the whole breakdown has (those matching `name`).
    pub rows_total: usize,
    pub offset: usize,
    pub total: StatRowDto,
}

impl From<shanzhi_app::stats::StatRow> for StatRowDto {
    fn from(r: shanzhi_app::stats::StatRow) -> Self {
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
        StatRowDto {
            key: r.key,
            name: r.name,
            name_en: r.name_en,
            counters: json(serde_json::to_value(r.counters)),
            rates: json(serde_json::to_value(r.rates)),
            score: r.score.map(ScoreDto::from),
            period: r.period,
        }
    }
}

impl From<shanzhi_app::stats::Stats> for StatsDto {
    fn from(s: shanzhi_app::stats::Stats) -> Self {
        StatsDto {
            kind: s.kind,
            by: s.by,
            rows: s.rows.into_iter().map(Into::into).collect(),
            rows_total: s.rows_total,
            offset: s.offset,
            total: s.total.into(),
        }
    }
}

/// An uploaded file: reference its `id` in a report's or an action's `attachments`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    /// `att_` and 32 hex digits.
    pub id: String,
    /// As read from the content: image/jpeg, image/png, image/webp, application/pdf or video/mp4.
    pub media_type: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub name: Option<String>,
    pub url: String,
    /// The thumbnail's address (images only).
    pub thumbnail_url: Option<String>,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<shanzhi_app::files::AttachmentRecord> for AttachmentDto {
    fn from(r: shanzhi_app::files::AttachmentRecord) -> Self {
        let url = format!("/api/v1/attachments/{}", r.id);
        AttachmentDto {
            thumbnail_url: r.thumbnail.then(|| format!("{url}/thumbnail")),
            url,
            id: r.id,
            media_type: r.media_type,
            size: r.size,
            width: r.width,
            height: r.height,
            name: r.name,
            sha256: r.sha256,
            uploaded_at: r.uploaded_at,
        }
    }
}
