//! The registers of the grid as use cases (`app.registers()`): the registers in force, a page of
//! records in the caller's areas, one record with its history, adding, changing and removing a
//! record. Who may read, write and see whole records is each register file's to say; the areas
//! are the caller's data scope (a scope without areas reaches no record). Records are masked
//! unless a role the file names for it asks (logged in), and every such unmasking is audited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shanzhi_domain::access::DataScope;
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::ids::GridCode;
use shanzhi_domain::registers::Register;
use shanzhi_domain::text::Bilingual;
use shanzhi_store::{Due, LoadedRecord, RecordQuery, StoredRecord};

use crate::{App, AppError};

/// The most records one page holds.
pub const PAGE_MAX: u64 = 200;
/// A removal's reason holds at most this many characters.
const REASON_MAX: usize = 200;

/// What a record's body holds (sealed at rest).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Body {
    fields: BTreeMap<String, Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_reason: Option<String>,
}

/// A new record: its grid, its fields and its tags.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordInput {
    pub grid: String,
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A change to a record, made from the version read: the fields given (a null empties one), the
/// tags when given (the whole new set), and a new grid when it moved.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordChange {
    pub version: i32,
    #[serde(default)]
    pub grid: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A record as answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordView {
    pub id: i64,
    pub register: String,
    pub version: i32,
    pub grid: String,
    pub grid_name: String,
    pub community: String,
    /// Where, by name: 路南区学院南路街道立新东楼社区 第1网格.
    pub place_name: String,
    /// What names the record (a person's name, an address), masked unless whole.
    pub label: String,
    pub fields: BTreeMap<String, Value>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_reason: Option<String>,
    /// Whether personal data is shown whole (an audited unmasking).
    pub whole: bool,
}

/// A page of records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordPage {
    pub total: u64,
    pub items: Vec<RecordView>,
}

/// One version of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordVersionView {
    pub version: i32,
    /// create | update | remove
    pub action: String,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    /// The fields whose values this version changed (keys), and whether the grid or tags did.
    pub changed: Vec<String>,
    pub grid: String,
    pub fields: BTreeMap<String, Value>,
    pub tags: Vec<String>,
}

/// A list of records asked for.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub area: Option<String>,
    pub tag: Option<String>,
    pub facet: Option<String>,
    pub removed: bool,
    pub offset: u64,
    pub limit: u64,
}

pub struct Registers<'a> {
    pub(crate) app: &'a App,
}

impl App {
    /// The registers service.
    pub fn registers(&self) -> Registers<'_> {
        Registers { app: self }
    }
}

/// Whether a scope's areas reach a grid.
fn reaches(scope: &DataScope, grid: &str) -> bool {
    match scope {
        DataScope::All => true,
        DataScope::Within { areas, .. } => areas.iter().any(|a| grid.starts_with(a.as_str())),
        DataScope::Own(_) => false,
    }
}

pub(crate) fn problem(e: shanzhi_domain::cases::fields::FieldProblem) -> AppError {
    AppError::invalid_in(&e.field, e.message)
}

impl Registers<'_> {
    /// The registers in force, those the role reads, by key.
    pub fn in_force(&self, actor: &Actor) -> Vec<Register> {
        self.app.reference().registers.values().filter(|r| r.may_read(actor.role)).cloned().collect()
    }

    pub(crate) fn register(&self, key: &str, actor: &Actor) -> Result<Register, AppError> {
        let reference = self.app.reference();
        let r = reference.registers.get(key).ok_or_else(|| {
            let keys: Vec<&str> = reference.registers.keys().map(String::as_str).collect();
            let key: String = key.chars().take(40).collect();
            AppError::NotFound { what: format!("register `{key}` (registers: {})", keys.join(", ")) }
                .with_zh(format!("没有名册「{key}」（现有：{}）", keys.join("、")))
        })?;
        if !r.may_read(actor.role) {
            return Err(AppError::Forbidden(format!(
                "the role {} does not read the register {}",
                actor.role.as_str(),
                r.register
            ))
            .with_zh(format!("角色「{}」无权查看{}", actor.role.name_zh(), r.name_zh)));
        }
        Ok(r.clone())
    }

    pub(crate) fn writable(&self, key: &str, actor: &Actor) -> Result<Register, AppError> {
        let r = self.register(key, actor)?;
        if !r.may_write(actor.role) {
            return Err(AppError::Forbidden(format!(
                "the role {} does not keep the register {}",
                actor.role.as_str(),
                r.register
            ))
            .with_zh(format!("角色「{}」无权登记或变更{}", actor.role.name_zh(), r.name_zh)));
        }
        Ok(r)
    }

    /// A grid the caller may put a record in: one that exists, inside the caller's areas.
    pub(crate) fn grid_for(&self, text: &str, scope: &DataScope) -> Result<GridCode, AppError> {
        let code: GridCode = text.trim().parse().map_err(|_| {
            AppError::invalid_in("grid", Bilingual::new("网格编码应为 15 位数字", "grid must be a 15-digit grid code"))
        })?;
        if self.app.places().grid(&code).is_none() {
            return Err(AppError::unknown(
                "grid",
                Bilingual::new(format!("没有网格 {code}"), format!("there is no grid {code}")),
            ));
        }
        if !reaches(scope, code.as_str()) {
            return Err(AppError::Forbidden(format!("grid {code} is outside your area"))
                .with_zh(format!("网格 {code} 不在您的辖区内")));
        }
        Ok(code)
    }

    /// Whether `unmask` (the login asking) may be granted: a role the register names, logged in.
    pub(crate) fn whole(&self, r: &Register, actor: &Actor, unmask: Option<&str>) -> Result<bool, AppError> {
        match unmask {
            None => Ok(false),
            Some(_) if !r.may_unmask(actor.role) => Err(AppError::Forbidden(format!(
                "the role {} may not see {} unmasked",
                actor.role.as_str(),
                r.register
            ))
            .with_zh(format!("角色「{}」无权查看未脱敏的{}", actor.role.name_zh(), r.name_zh))),
            Some(_) => Ok(true),
        }
    }

    pub(crate) fn view(&self, r: &Register, s: &StoredRecord, whole: bool) -> Result<RecordView, AppError> {
        let body: Body = serde_json::from_str(&s.body).map_err(AppError::internal)?;
        let places = self.app.places();
        let grid: Option<GridCode> = s.grid_code.parse().ok();
        let grid_name = grid.as_ref().and_then(|g| places.grid(g)).map(|g| g.name.clone()).unwrap_or_default();
        let community = grid.as_ref().map(|g| g.community());
        let place_name = community.as_ref().map(|c| format!("{} {grid_name}", places.address(c)).trim().to_string());
        Ok(RecordView {
            id: s.id,
            register: s.register.clone(),
            version: s.version,
            grid: s.grid_code.clone(),
            grid_name,
            community: community.map(|c| c.to_string()).unwrap_or_default(),
            place_name: place_name.unwrap_or_default(),
            label: r.label_of(&body.fields, whole),
            fields: if whole { body.fields } else { r.masked(&body.fields) },
            tags: body.tags,
            created_at: s.created_at,
            updated_at: s.updated_at,
            removed_at: s.removed_at,
            removed_reason: body.removed_reason.map(|r| if whole { r } else { shanzhi_domain::privacy::mask_text(&r) }),
            whole,
        })
    }

    /// A list's filter checked against the register (its tags, its filter fields, an area code).
    pub(crate) fn checked_filter(&self, r: &Register, filter: &RecordFilter) -> Result<RecordQuery, AppError> {
        let tag = match &filter.tag {
            Some(t) => Some(format!(",{},", r.check_tags(std::slice::from_ref(t)).map_err(problem)?[0])),
            None => None,
        };
        let facet = filter.facet.as_deref().map(|f| r.facet_filter(f)).transpose().map_err(problem)?;
        if let Some(a) = &filter.area {
            let ok = a.chars().all(|c| c.is_ascii_digit()) && [4, 6, 9, 12, 15].contains(&a.len());
            if !ok {
                return Err(AppError::invalid_in(
                    "area",
                    Bilingual::new(
                        "area 应为 4、6、9、12 或 15 位区划或网格编码",
                        "area must be a 4, 6, 9, 12 or 15-digit code",
                    ),
                ));
            }
        }
        Ok(RecordQuery {
            register: r.register.clone(),
            area: filter.area.clone(),
            tag,
            facet,
            removed: filter.removed,
            offset: filter.offset,
            limit: filter.limit.clamp(1, PAGE_MAX),
        })
    }

    async fn audit_unmask(&self, actor: &Actor, target: String, session: Option<&str>) -> Result<(), AppError> {
        let detail = format!("by {}", session.unwrap_or_default());
        self.app.audit(&actor.user, "register.unmask", target, detail).await
    }

    /// A page of a register's records in the caller's areas (and the area asked for), by grid.
    pub async fn list(
        &self,
        key: &str,
        actor: &Actor,
        filter: &RecordFilter,
        unmask: Option<&str>,
    ) -> Result<RecordPage, AppError> {
        let r = self.register(key, actor)?;
        let whole = self.whole(&r, actor, unmask)?;
        let scope = self.app.scope_of(actor);
        let q = self.checked_filter(&r, filter)?;
        let (rows, total) = self.app.store().records(&q, &scope).await?;
        let items = rows.iter().map(|s| self.view(&r, s, whole)).collect::<Result<Vec<_>, _>>()?;
        if whole && !items.is_empty() {
            let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
            self.audit_unmask(actor, format!("{}: {}", r.register, ids.join(",")), unmask).await?;
        }
        Ok(RecordPage { total, items })
    }

    pub(crate) async fn stored(&self, r: &Register, id: i64, scope: &DataScope) -> Result<StoredRecord, AppError> {
        let s = self.app.store().record(id, scope).await?;
        s.filter(|s| s.register == r.register).ok_or_else(|| {
            AppError::NotFound { what: format!("{} record {id} in your area", r.register) }
                .with_zh(format!("您的辖区内没有{}记录 {id}", r.name_zh))
        })
    }

    /// One record in the caller's areas.
    pub async fn get(&self, key: &str, id: i64, actor: &Actor, unmask: Option<&str>) -> Result<RecordView, AppError> {
        let r = self.register(key, actor)?;
        let whole = self.whole(&r, actor, unmask)?;
        let s = self.stored(&r, id, &self.app.scope_of(actor)).await?;
        let view = self.view(&r, &s, whole)?;
        if whole {
            self.audit_unmask(actor, format!("{}: {id}", r.register), unmask).await?;
        }
        Ok(view)
    }

    /// Every version of a record, oldest first, masked unless whole.
    pub async fn history(
        &self,
        key: &str,
        id: i64,
        actor: &Actor,
        unmask: Option<&str>,
    ) -> Result<Vec<RecordVersionView>, AppError> {
        let r = self.register(key, actor)?;
        let whole = self.whole(&r, actor, unmask)?;
        self.stored(&r, id, &self.app.scope_of(actor)).await?;
        let mut out = Vec::new();
        let mut before: Option<(String, Body)> = None;
        for v in self.app.store().record_history(id).await? {
            let parsed: serde_json::Value = serde_json::from_str(&v.body).map_err(AppError::internal)?;
            let grid = parsed.get("grid").and_then(Value::as_str).unwrap_or_default().to_string();
            let body: Body = serde_json::from_value(parsed).map_err(AppError::internal)?;
            let mut changed: Vec<String> = Vec::new();
            match &before {
                None => changed.extend(body.fields.keys().cloned()),
                Some((g, b)) => {
                    let keys: std::collections::BTreeSet<&String> = b.fields.keys().chain(body.fields.keys()).collect();
                    changed.extend(keys.into_iter().filter(|k| b.fields.get(*k) != body.fields.get(*k)).cloned());
                    if *g != grid {
                        changed.push("grid".into());
                    }
                    if b.tags != body.tags {
                        changed.push("tags".into());
                    }
                }
            }
            out.push(RecordVersionView {
                version: v.version,
                action: v.action,
                actor_name: self.app.actor_name(
                    &Actor {
                        user: v.actor.clone(),
                        role: shanzhi_domain::people::Role::GridWorker,
                        unit: String::new(),
                    },
                    false,
                ),
                at: v.at,
                changed,
                grid: grid.clone(),
                fields: if whole { body.fields.clone() } else { r.masked(&body.fields) },
                tags: body.tags.clone(),
            });
            before = Some((grid, body));
        }
        if whole {
            self.audit_unmask(actor, format!("{}: {id} history", r.register), unmask).await?;
        }
        Ok(out)
    }

    /// The body as stored: the record's fields and tags, and its grid (so a version says where it was).
    fn body_text(body: &Body, grid: &GridCode) -> Result<String, AppError> {
        let mut v = serde_json::to_value(body).map_err(AppError::internal)?;
        v["grid"] = Value::String(grid.to_string());
        serde_json::to_string(&v).map_err(AppError::internal)
    }

    /// Adds a record to a register, in a grid of the caller's areas.
    pub async fn create(&self, key: &str, actor: &Actor, input: RecordInput) -> Result<RecordView, AppError> {
        let r = self.writable(key, actor)?;
        let scope = self.app.scope_of(actor);
        let grid = self.grid_for(&input.grid, &scope)?;
        let fields = r.merge(&BTreeMap::new(), &input.fields).map_err(problem)?;
        let tags = r.check_tags(&input.tags).map_err(problem)?;
        let now = self.app.clock().now();
        let new = self.fresh(&r, &grid, fields, tags, self.app.ids.next(now), now)?;
        let (stored, dues) = (new.record, new.dues);
        let audit = AuditEvent::new(
            now,
            &actor.user,
            "register.create",
            format!("{}: {}", r.register, stored.id),
            grid.to_string(),
        );
        self.app.store().insert_record(&stored, &dues, &actor.user, audit).await?;
        self.view(&r, &stored, false)
    }

    /// Changes a record from the version the caller read (a change made since wins: 409).
    pub async fn update(
        &self,
        key: &str,
        id: i64,
        actor: &Actor,
        change: RecordChange,
    ) -> Result<RecordView, AppError> {
        let r = self.writable(key, actor)?;
        let scope = self.app.scope_of(actor);
        let s = self.stored(&r, id, &scope).await?;
        if s.removed_at.is_some() {
            return Err(AppError::Conflict(format!("record {id} was removed")).with_zh(format!("记录 {id} 已注销")));
        }
        check_version(&s, change.version)?;
        let mut body: Body = serde_json::from_str(&s.body).map_err(AppError::internal)?;
        let before = (body.fields.clone(), body.tags.clone(), s.grid_code.clone());
        let grid = match &change.grid {
            Some(g) => self.grid_for(g, &scope)?,
            None => s.grid_code.parse().map_err(AppError::internal)?,
        };
        body.fields = r.merge(&body.fields, &change.fields).map_err(problem)?;
        if let Some(tags) = &change.tags {
            body.tags = r.check_tags(tags).map_err(problem)?;
        }
        // A change that changes nothing makes no version (nor a history row).
        if before == (body.fields.clone(), body.tags.clone(), grid.to_string()) {
            return self.view(&r, &s, false);
        }
        let now = self.app.clock().now();
        let next = StoredRecord {
            version: s.version + 1,
            county_code: grid.as_str()[..6].to_string(),
            grid_code: grid.to_string(),
            body: Self::body_text(&body, &grid)?,
            tags: tag_column(&body.tags),
            facets: r.facets(&body.fields),
            updated_at: now,
            ..s
        };
        let audit = AuditEvent::new(
            now,
            &actor.user,
            "register.update",
            format!("{}: {id}", r.register),
            format!("version {}", next.version),
        );
        let dues = self.plan(&r, &body.tags, &self.app.store().record_dues(id).await?, now)?;
        self.app.store().update_record(&next, &dues, "update", &actor.user, audit).await.map_err(changed_meanwhile)?;
        self.view(&r, &next, false)
    }

    /// Removes a record (moved away, deceased, demolished, closed), with the reason; it stays in
    /// the register's removed list with its history.
    pub async fn remove(
        &self,
        key: &str,
        id: i64,
        actor: &Actor,
        version: i32,
        reason: &str,
    ) -> Result<RecordView, AppError> {
        let r = self.writable(key, actor)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX {
            return Err(AppError::invalid_in(
                "reason",
                Bilingual::new(
                    format!("注销原因应为 1 至 {REASON_MAX} 个字"),
                    format!("reason must be 1 to {REASON_MAX} characters"),
                ),
            ));
        }
        let scope = self.app.scope_of(actor);
        let s = self.stored(&r, id, &scope).await?;
        if s.removed_at.is_some() {
            return Err(AppError::Conflict(format!("record {id} was removed")).with_zh(format!("记录 {id} 已注销")));
        }
        check_version(&s, version)?;
        let mut body: Body = serde_json::from_str(&s.body).map_err(AppError::internal)?;
        body.removed_reason = Some(reason.to_string());
        let grid: GridCode = s.grid_code.parse().map_err(AppError::internal)?;
        let now = self.app.clock().now();
        let next = StoredRecord {
            version: s.version + 1,
            body: Self::body_text(&body, &grid)?,
            updated_at: now,
            removed_at: Some(now),
            ..s
        };
        let audit = AuditEvent::new(
            now,
            &actor.user,
            "register.remove",
            format!("{}: {id}", r.register),
            shanzhi_domain::privacy::mask_text(reason),
        );
        self.app.store().update_record(&next, &[], "remove", &actor.user, audit).await.map_err(changed_meanwhile)?;
        self.view(&r, &next, false)
    }
}

impl Registers<'_> {
    /// A new record (version 1, made `now`) of checked fields and tags, with its visit plan.
    pub(crate) fn fresh(
        &self,
        r: &Register,
        grid: &GridCode,
        fields: BTreeMap<String, Value>,
        tags: Vec<String>,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<LoadedRecord, AppError> {
        let dues = self.plan(r, &tags, &[], now)?;
        let body = Body { fields, tags, removed_reason: None };
        let record = StoredRecord {
            id,
            register: r.register.clone(),
            county_code: grid.as_str()[..6].to_string(),
            grid_code: grid.to_string(),
            version: 1,
            body: Self::body_text(&body, grid)?,
            tags: tag_column(&body.tags),
            facets: r.facets(&body.fields),
            created_at: now,
            updated_at: now,
            removed_at: None,
        };
        Ok(LoadedRecord { record, dues, visits: Vec::new() })
    }

    /// The visit plan of a record with these tags: a tag it had keeps its due time, a new one
    /// with a plan is due one interval from now, a tag without a plan has none.
    fn plan(&self, r: &Register, tags: &[String], had: &[Due], now: DateTime<Utc>) -> Result<Vec<Due>, AppError> {
        let calendar = &self.app.reference().calendar;
        let mut out = Vec::new();
        for tag in tags {
            let Some(every) = r.tag(tag).and_then(|t| t.visit_every) else { continue };
            match had.iter().find(|d| &d.tag == tag) {
                Some(d) => out.push(d.clone()),
                None => out.push(Due {
                    tag: tag.clone(),
                    due_at: calendar.add(now, every).map_err(AppError::internal)?,
                    last_visit_at: None,
                }),
            }
        }
        Ok(out)
    }
}

/// The store's word that another change won, in both languages.
pub(crate) fn changed_meanwhile(e: shanzhi_store::StoreError) -> AppError {
    match e {
        shanzhi_store::StoreError::Conflict(m) => AppError::Conflict(m).with_zh("记录刚被他人修改或走访，请刷新后重做"),
        other => other.into(),
    }
}

fn check_version(s: &StoredRecord, version: i32) -> Result<(), AppError> {
    if s.version != version {
        return Err(AppError::Conflict(format!(
            "record {} is at version {}, not {version}: reload it and make the change again",
            s.id, s.version
        ))
        .with_zh(format!("记录已被他人修改（当前为第 {} 版，不是第 {version} 版），请刷新后重做", s.version)));
    }
    Ok(())
}

fn tag_column(tags: &[String]) -> String {
    if tags.is_empty() { ",".into() } else { format!(",{},", tags.join(",")) }
}
