//! Visits on a register's plan (走访): the visits due in the caller's areas, soonest (and so the
//! late ones) first, and a visit recorded by a keeper of the register, which moves the record's
//! plan for that tag on by its interval. A visit made after its due time is counted late.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::text::Bilingual;
use shanzhi_store::DueQuery;

use crate::AppError;
use crate::registers::{RecordView, Registers, problem};

/// A visit note holds at most this many characters.
const NOTE_MAX: usize = 2000;
/// A record lists at most this many of its visits.
const VISITS_SHOWN: u64 = 100;

/// A visit due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueView {
    /// The record, masked.
    pub record: RecordView,
    pub tag: String,
    pub tag_name_zh: String,
    pub tag_name_en: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub last_visit_at: Option<DateTime<Utc>>,
}

/// A page of due visits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuePage {
    pub total: u64,
    /// How many of them are late.
    pub overdue: u64,
    pub items: Vec<DueView>,
}

/// A visit made, as given.
#[derive(Debug, Clone, Deserialize)]
pub struct VisitInput {
    pub tag: String,
    pub note: String,
}

/// A visit recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitDone {
    pub record_id: i64,
    pub tag: String,
    pub at: DateTime<Utc>,
    pub on_time: bool,
    pub next_due_at: Option<DateTime<Utc>>,
}

/// A visit made, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitView {
    pub tag: String,
    pub tag_name_zh: String,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub note: String,
    pub on_time: bool,
}

/// Which due visits a list holds.
#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    pub register: Option<String>,
    pub area: Option<String>,
    /// Only those due within this many days from now (the late ones always).
    pub within_days: Option<u32>,
    pub offset: u64,
    pub limit: u64,
}

impl Registers<'_> {
    /// The visits due in the caller's areas, of the registers it reads (or the one asked for).
    pub async fn due(&self, actor: &Actor, filter: &DueFilter) -> Result<DuePage, AppError> {
        let registers = match &filter.register {
            Some(k) => vec![self.register(k, actor)?],
            None => self.in_force(actor),
        };
        if registers.is_empty() {
            return Ok(DuePage { total: 0, overdue: 0, items: Vec::new() });
        }
        let now = self.app.clock().now();
        let scope = self.app.scope_of(actor);
        let q = DueQuery {
            registers: registers.iter().map(|r| r.register.clone()).collect(),
            area: filter.area.clone(),
            until: filter.within_days.map(|d| now + Duration::days(i64::from(d))),
            offset: filter.offset,
            limit: filter.limit.clamp(1, crate::registers::PAGE_MAX),
        };
        let (rows, total, overdue) = self.app.store().dues(&q, &scope, now).await?;
        let ids: Vec<i64> = rows.iter().map(|d| d.record_id).collect();
        let records = self.app.store().records_by_ids(&ids, &scope).await?;
        let mut items = Vec::with_capacity(rows.len());
        for d in rows {
            let (Some(r), Some(s)) =
                (registers.iter().find(|r| r.register == d.register), records.iter().find(|s| s.id == d.record_id))
            else {
                continue;
            };
            let tag = r.tag(&d.due.tag);
            items.push(DueView {
                record: self.view(r, s, false)?,
                tag_name_zh: tag.map(|t| t.name_zh.clone()).unwrap_or_else(|| d.due.tag.clone()),
                tag_name_en: tag.map(|t| t.name_en.clone()).unwrap_or_else(|| d.due.tag.clone()),
                tag: d.due.tag,
                overdue: d.due.due_at < now,
                due_at: d.due.due_at,
                last_visit_at: d.due.last_visit_at,
            });
        }
        Ok(DuePage { total, overdue, items })
    }

    /// Records a visit to a record for one of its tags (a keeper of the register, in its areas).
    pub async fn visit(&self, key: &str, id: i64, actor: &Actor, input: VisitInput) -> Result<VisitDone, AppError> {
        let r = self.writable(key, actor)?;
        let s = self.stored(&r, id, &self.app.scope_of(actor)).await?;
        if s.removed_at.is_some() {
            return Err(AppError::Conflict(format!("record {id} was removed")).with_zh(format!("记录 {id} 已注销")));
        }
        let note = input.note.trim();
        if note.is_empty() || note.chars().count() > NOTE_MAX {
            return Err(AppError::invalid_in(
                "note",
                Bilingual::new(
                    format!("走访情况应为 1 至 {NOTE_MAX} 个字"),
                    format!("note must be 1 to {NOTE_MAX} characters"),
                ),
            ));
        }
        let tag = r
            .check_tags(std::slice::from_ref(&input.tag))
            .map_err(|e| problem(shanzhi_domain::cases::fields::FieldProblem { field: "tag".into(), ..e }))?
            .remove(0);
        if !s.tags.contains(&format!(",{tag},")) {
            return Err(AppError::invalid_in(
                "tag",
                Bilingual::new(
                    format!("该记录没有标签「{}」", r.tag(&tag).map_or(tag.as_str(), |t| t.name_zh.as_str())),
                    format!("the record has no tag {tag}"),
                ),
            ));
        }
        let now = self.app.clock().now();
        let due = self.app.store().record_dues(id).await?.into_iter().find(|d| d.tag == tag);
        let on_time = due.as_ref().is_none_or(|d| now <= d.due_at);
        let next_due_at = match (due.is_some(), r.tag(&tag).and_then(|t| t.visit_every)) {
            (true, Some(every)) => Some(self.app.reference().calendar.add(now, every).map_err(AppError::internal)?),
            _ => None,
        };
        let body = serde_json::json!({ "note": note }).to_string();
        let audit = AuditEvent::new(
            now,
            &actor.user,
            "register.visit",
            format!("{}: {id}", r.register),
            format!("{tag}{}", if on_time { "" } else { ", late" }),
        );
        self.app
            .store()
            .record_visit(id, &tag, &actor.user, now, on_time, &body, next_due_at, audit)
            .await
            .map_err(crate::registers::changed_meanwhile)?;
        Ok(VisitDone { record_id: id, tag, at: now, on_time, next_due_at })
    }

    /// A record's visits, newest first; the notes masked unless whole.
    pub async fn visits(
        &self,
        key: &str,
        id: i64,
        actor: &Actor,
        unmask: Option<&str>,
    ) -> Result<Vec<VisitView>, AppError> {
        let r = self.register(key, actor)?;
        let whole = self.whole(&r, actor, unmask)?;
        self.stored(&r, id, &self.app.scope_of(actor)).await?;
        let rows = self.app.store().visits_of(id, VISITS_SHOWN).await?;
        let mut out = Vec::with_capacity(rows.len());
        for v in rows {
            let body: serde_json::Value = serde_json::from_str(&v.body).map_err(AppError::internal)?;
            let note = body["note"].as_str().unwrap_or_default();
            out.push(VisitView {
                tag_name_zh: r.tag(&v.tag).map(|t| t.name_zh.clone()).unwrap_or_else(|| v.tag.clone()),
                tag: v.tag,
                at: v.at,
                // A worker without an account here (the demo's) is named by the role visits are made in.
                actor_name: self.app.actor_name(
                    &Actor {
                        user: v.actor.clone(),
                        role: shanzhi_domain::people::Role::GridWorker,
                        unit: String::new(),
                    },
                    false,
                ),
                note: if whole { note.to_string() } else { shanzhi_domain::privacy::mask_text(note) },
                on_time: v.on_time,
            });
        }
        if whole {
            self.app
                .audit(
                    &actor.user,
                    "register.unmask",
                    format!("{}: {id} visits", r.register),
                    format!("by {}", unmask.unwrap_or_default()),
                )
                .await?;
        }
        Ok(out)
    }
}
