//! The registers of the grid on the wire (docs/registers.md): a register's declaration, its
//! records, a change and a removal, and a record's versions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::KindFieldDto;

/// A tag a record may carry (a special group), with its visit plan.
#[derive(Serialize, ToSchema)]
pub struct RegisterTagDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// How often the grid's worker visits a record with it (none: no plan).
    pub visit_every: Option<VisitEveryDto>,
}

/// A visit interval: `value` of `unit` (minutes | calendar_hours | working_hours | working_days).
#[derive(Serialize, ToSchema)]
pub struct VisitEveryDto {
    pub value: u32,
    pub unit: String,
    /// As a person reads it: 168 日历小时.
    pub text_zh: String,
}

/// A register in force, as the caller may use it.
#[derive(Serialize, ToSchema)]
pub struct RegisterDto {
    /// `person`, `house`, `org`, or one a city imported.
    pub register: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// The field that names a record in lists.
    pub label: String,
    pub fields: Vec<KindFieldDto>,
    pub tags: Vec<RegisterTagDto>,
    /// Whether the caller adds, changes and removes records (in its areas).
    pub may_write: bool,
    /// Whether the caller may ask for records whole (`unmask=true`, audited).
    pub may_unmask: bool,
}

impl RegisterDto {
    pub fn of(r: &shanzhi_domain::registers::Register, role: shanzhi_domain::people::Role) -> Self {
        RegisterDto {
            register: r.register.clone(),
            version: r.version.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            label: r.label.clone(),
            fields: r.field.iter().map(KindFieldDto::from).collect(),
            tags: r
                .tag
                .iter()
                .map(|t| RegisterTagDto {
                    key: t.key.clone(),
                    name_zh: t.name_zh.clone(),
                    name_en: t.name_en.clone(),
                    visit_every: t.visit_every.map(|v| VisitEveryDto {
                        value: v.value,
                        unit: v.unit.as_str().into(),
                        text_zh: v.zh(),
                    }),
                })
                .collect(),
            may_write: r.may_write(role),
            may_unmask: r.may_unmask(role),
        }
    }
}

/// A new record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInputDto {
    /// The 15-digit grid the record lies in (inside the caller's areas).
    pub grid: String,
    /// The register's fields by key (as `GET /api/v1/registers` lists them).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The register's tags the record carries.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A change to a record, made from the version read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordChangeDto {
    /// The version the change was made from: another change since is a 409.
    pub version: i32,
    /// A new grid, when the record moved.
    #[serde(default)]
    pub grid: Option<String>,
    /// The fields changed (a null empties one that is not required).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The whole new set of tags, when they change.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A removal (moved away, deceased, demolished, closed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRemovalDto {
    pub version: i32,
    /// Why (1 to 200 characters).
    pub reason: String,
}

/// A record.
#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    pub id: String,
    pub register: String,
    pub version: i32,
    pub grid: String,
    pub grid_name: String,
    pub community: String,
    /// Where, by name (county, street, community and grid).
    pub place_name: String,
    /// What names the record (a person's name, masked unless whole).
    pub label: String,
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_reason: Option<String>,
    /// Whether personal data is shown whole (an audited unmasking).
    pub whole: bool,
}

impl From<shanzhi_app::registers::RecordView> for RecordDto {
    fn from(v: shanzhi_app::registers::RecordView) -> Self {
        RecordDto {
            id: v.id.to_string(),
            register: v.register,
            version: v.version,
            grid: v.grid,
            grid_name: v.grid_name,
            community: v.community,
            place_name: v.place_name,
            label: v.label,
            fields: v.fields,
            tags: v.tags,
            created_at: v.created_at,
            updated_at: v.updated_at,
            removed_at: v.removed_at,
            removed_reason: v.removed_reason,
            whole: v.whole,
        }
    }
}

/// A page of records.
#[derive(Serialize, ToSchema)]
pub struct RecordPageDto {
    pub total: u64,
    pub items: Vec<RecordDto>,
}

/// One version of a record.
#[derive(Serialize, ToSchema)]
pub struct RecordVersionDto {
    pub version: i32,
    /// create | update | remove
    pub action: String,
    /// Who made it, by name.
    pub actor_name: String,
    pub at: DateTime<Utc>,
    /// The fields this version changed (and `grid`, `tags`).
    pub changed: Vec<String>,
    pub grid: String,
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
    pub tags: Vec<String>,
}

impl From<shanzhi_app::registers::RecordVersionView> for RecordVersionDto {
    fn from(v: shanzhi_app::registers::RecordVersionView) -> Self {
        RecordVersionDto {
            version: v.version,
            action: v.action,
            actor_name: v.actor_name,
            at: v.at,
            changed: v.changed,
            grid: v.grid,
            fields: v.fields,
            tags: v.tags,
        }
    }
}

/// A visit due on a register's plan.
#[derive(Serialize, ToSchema)]
pub struct DueVisitDto {
    /// The record, masked.
    pub record: RecordDto,
    pub register: String,
    pub tag: String,
    pub tag_name_zh: String,
    pub tag_name_en: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub last_visit_at: Option<DateTime<Utc>>,
}

/// A page of due visits, the late ones first.
#[derive(Serialize, ToSchema)]
pub struct DueVisitPageDto {
    pub total: u64,
    /// How many of the list are late.
    pub overdue: u64,
    pub items: Vec<DueVisitDto>,
}

impl From<shanzhi_app::visits::DuePage> for DueVisitPageDto {
    fn from(p: shanzhi_app::visits::DuePage) -> Self {
        DueVisitPageDto {
            total: p.total,
            overdue: p.overdue,
            items: p
                .items
                .into_iter()
                .map(|d| DueVisitDto {
                    register: d.record.register.clone(),
                    record: d.record.into(),
                    tag: d.tag,
                    tag_name_zh: d.tag_name_zh,
                    tag_name_en: d.tag_name_en,
                    due_at: d.due_at,
                    overdue: d.overdue,
                    last_visit_at: d.last_visit_at,
                })
                .collect(),
        }
    }
}

/// A visit made.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInputDto {
    /// The record's tag the visit is for (its plan moves on).
    pub tag: String,
    /// What was found (1 to 2,000 characters).
    pub note: String,
}

/// A visit recorded.
#[derive(Serialize, ToSchema)]
pub struct VisitDoneDto {
    pub record_id: String,
    pub tag: String,
    pub at: DateTime<Utc>,
    /// Made by its due time.
    pub on_time: bool,
    /// When the next visit for the tag is due (none: the tag has no plan).
    pub next_due_at: Option<DateTime<Utc>>,
}

/// A visit, as a record lists it.
#[derive(Serialize, ToSchema)]
pub struct VisitDto {
    pub tag: String,
    pub tag_name_zh: String,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    /// Masked unless whole.
    pub note: String,
    pub on_time: bool,
}

/// What an import did (or, dry, would do).
#[derive(Serialize, ToSchema)]
pub struct SheetImportedDto {
    /// The rows added (or, dry, that would be).
    pub rows: usize,
    pub dry_run: bool,
}
