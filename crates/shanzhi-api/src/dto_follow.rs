//! Wire DTOs of the resident's pages: a case as its short follow code shows it, the everyday
//! problems, and communities found by name.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanzhi_app::follow::{FollowFile, FollowStep, FollowView};
use shanzhi_app::places::CommunityHit;
use shanzhi_app::reference::EverydayProblem;
use utoipa::ToSchema;

/// A message in Chinese and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct BilingualDto {
    pub zh: String,
    pub en: String,
}

/// A case as its short follow code shows it: names, never codes of people; personal data masked;
/// opinions only where meant for the public or the reporter.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowDto {
    /// The code as people read it (`7K3M-9QXD`).
    pub short_code: String,
    /// The case number.
    pub id: String,
    pub kind: String,
    pub kind_name: String,
    pub kind_name_en: String,
    #[serde(rename = "type")]
    pub type_code: String,
    pub type_name: String,
    pub type_name_en: String,
    pub state: String,
    pub state_name: String,
    pub state_name_en: String,
    /// In a final state (closed, voided, …).
    pub finished: bool,
    /// What was reported, personal data masked.
    pub description: String,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// False outside every grid.
    pub located: bool,
    /// County, street, community and grid by name.
    pub place_name: String,
    /// The name of the unit the case is assigned to now.
    pub unit_name: Option<String>,
    /// The name of the unit routing sends it to (before it is dispatched).
    pub route_unit_name: Option<String>,
    /// The deadline of the step in progress.
    pub deadline: Option<DateTime<Utc>>,
    /// The step in progress is past its deadline.
    pub late: bool,
    /// The clock stands still (a suspension).
    pub paused: bool,
    pub steps: Vec<FollowStepDto>,
    /// satisfied | basically_satisfied | dissatisfied, once rated.
    pub rating: Option<String>,
    /// Whether `POST /api/v1/follow/{code}/rating` may rate it now.
    pub can_rate: bool,
    /// Why not, when it may not.
    pub rate_refusal: Option<BilingualDto>,
}

/// One step: what happened and when, never who.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowStepDto {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub action: String,
    pub name: String,
    pub name_en: String,
    /// The state after it.
    pub state_name: String,
    pub state_name_en: String,
    /// A public reply, a note written for the reporter or the reporter's own words (masked).
    pub note: Option<String>,
    pub files: Vec<FollowFileDto>,
}

/// A file of a step: an upload (read at `/api/v1/follow/{code}/attachments/{id}`, its thumbnail
/// at `…/thumbnail`) or a web address.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowFileDto {
    /// The upload's id (`att_…`) or the web address.
    pub id: String,
    pub uploaded: bool,
    pub media_type: Option<String>,
    /// An upload with a thumbnail (an image).
    pub thumbnail: bool,
}

impl From<FollowFile> for FollowFileDto {
    fn from(f: FollowFile) -> Self {
        FollowFileDto { id: f.id, uploaded: f.uploaded, media_type: f.media_type, thumbnail: f.thumbnail }
    }
}

impl From<FollowStep> for FollowStepDto {
    fn from(s: FollowStep) -> Self {
        FollowStepDto {
            seq: s.seq,
            at: s.at,
            action: s.action,
            name: s.name_zh,
            name_en: s.name_en,
            state_name: s.state_name_zh,
            state_name_en: s.state_name_en,
            note: s.note,
            files: s.files.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<FollowView> for FollowDto {
    fn from(v: FollowView) -> Self {
        FollowDto {
            short_code: v.short_code,
            id: v.id.to_string(),
            kind: v.kind,
            kind_name: v.kind_name_zh,
            kind_name_en: v.kind_name_en,
            type_code: v.type_code,
            type_name: v.type_name_zh,
            type_name_en: v.type_name_en,
            state: v.state,
            state_name: v.state_name_zh,
            state_name_en: v.state_name_en,
            finished: v.finished,
            description: v.description,
            reported_at: v.reported_at,
            closed_at: v.closed_at,
            located: v.located,
            place_name: v.place_name,
            unit_name: v.unit_name,
            route_unit_name: v.route_unit_name,
            deadline: v.deadline,
            late: v.late,
            paused: v.paused,
            steps: v.steps.into_iter().map(Into::into).collect(),
            rating: v.rating.map(|r| crate::dto_cases::satisfaction(r).to_string()),
            can_rate: v.can_rate,
            rate_refusal: v.rate_refusal.map(|b| BilingualDto { zh: b.zh, en: b.en }),
        }
    }
}

/// A rating given with a short code.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowRatingDto {
    /// satisfied | basically_satisfied | dissatisfied
    pub satisfaction: String,
    /// Why, in the resident's words (at most 500 characters).
    pub reason: Option<String>,
}

/// An everyday problem: a tile of the resident's report page.
#[derive(Debug, Serialize, ToSchema)]
pub struct EverydayProblemDto {
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// An emoji.
    pub icon: String,
    /// The kind of case it is reported as.
    pub kind: String,
    /// The catalogue type it is reported as, and that type's names.
    #[serde(rename = "type")]
    pub type_code: String,
    pub type_name: String,
    pub type_name_en: String,
}

/// The everyday problems in force (`data/resident/everyday.toml`, those whose kind and type are in
/// force).
#[derive(Debug, Serialize, ToSchema)]
pub struct EverydayDto {
    pub version: String,
    pub problems: Vec<EverydayProblemDto>,
}

impl From<(String, Vec<EverydayProblem>)> for EverydayDto {
    fn from((version, problems): (String, Vec<EverydayProblem>)) -> Self {
        EverydayDto {
            version,
            problems: problems
                .into_iter()
                .map(|p| EverydayProblemDto {
                    key: p.problem.key,
                    name: p.problem.name_zh,
                    name_en: p.problem.name_en,
                    icon: p.problem.icon,
                    kind: p.problem.kind,
                    type_code: p.problem.type_code.to_string(),
                    type_name: p.type_name_zh,
                    type_name_en: p.type_name_en,
                })
                .collect(),
        }
    }
}

/// A community (or village) found by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityDto {
    /// 12-digit code.
    pub code: String,
    /// Its everyday name (立新东楼社区).
    pub name: String,
    /// County, street and community (路南区学院南路街道立新东楼社区).
    pub address: String,
    /// A point inside it (WGS-84), to report from when the phone gives no position.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

impl From<CommunityHit> for CommunityDto {
    fn from(c: CommunityHit) -> Self {
        CommunityDto {
            code: c.code,
            name: c.name,
            address: c.address,
            lon: c.point.map(|p| p.0),
            lat: c.point.map(|p| p.1),
        }
    }
}
