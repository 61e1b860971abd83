//! The short follow code (查询码, domain `cases::short_code`): one case found by its code and shown
//! as a resident may see it (names of types, states, places and units, never of staff; personal
//! data masked; opinions only where they were meant for the public or the reporter; the photos of
//! the report and of public replies), those photos read with the code, and a closed case rated
//! once with it. For the rating the code acts as the case's reporter, on that case only, and only
//! when the reporter is a resident (a follow code's pseudonym, an anonymous report's, or a
//! resident's account): a case a grid worker or an operator reported is rated on a call-back, and
//! its code must not let staff rate their own work as the public. Wrong codes are `NotFound`;
//! the API limits how many codes one client address may try (`limits.rs`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanzhi_domain::cases::case::{Actor, Case, LogEntry, Rating};
use shanzhi_domain::cases::engine::{self, Command, Refusal};
use shanzhi_domain::cases::notes;
use shanzhi_domain::cases::short_code::ShortCode;
use shanzhi_domain::cases::workflow::{ActionDef, Effect, Workflow};
use shanzhi_domain::people::Role;
use shanzhi_domain::privacy::mask_text;
use shanzhi_domain::text::Bilingual;
use shanzhi_store::StoredCase;

use crate::AppError;
use crate::auth::FOLLOWER_PREFIX;
use crate::cases::Cases;
use crate::files::AttachmentRecord;

/// A case as its short code shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowView {
    /// The code, as people read it (`7K3M-9QXD`).
    pub short_code: String,
    pub id: i64,
    pub kind: String,
    pub kind_name_zh: String,
    pub kind_name_en: String,
    pub type_code: String,
    pub type_name_zh: String,
    pub type_name_en: String,
    pub state: String,
    pub state_name_zh: String,
    pub state_name_en: String,
    /// In a final state (closed, voided, …).
    pub finished: bool,
    /// Masked.
    pub description: String,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub located: bool,
    /// County, street, community and grid by name; empty outside every grid.
    pub place_name: String,
    /// The name of the unit the case is assigned to now.
    pub unit_name: Option<String>,
    /// The name of the unit routing sends it to (before it is dispatched).
    pub route_unit_name: Option<String>,
    /// The deadline of the step in progress, whether it is past and whether the clock stands still.
    pub deadline: Option<DateTime<Utc>>,
    pub late: bool,
    pub paused: bool,
    pub steps: Vec<FollowStep>,
    /// How it was rated, if it was (satisfied, basically_satisfied, dissatisfied).
    pub rating: Option<shanzhi_domain::cases::case::Satisfaction>,
    /// Whether the code may rate it now, and if not, why.
    pub can_rate: bool,
    pub rate_refusal: Option<Bilingual>,
}

/// One step of the case's log as the code shows it: what happened and when, never who.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowStep {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub action: String,
    pub name_zh: String,
    pub name_en: String,
    /// The state after the step.
    pub state_name_zh: String,
    pub state_name_en: String,
    /// A public reply, a note written for the reporter or the reporter's own words; masked.
    pub note: Option<String>,
    pub files: Vec<FollowFile>,
}

/// A file a step shows: an upload (read with the code) or a web address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowFile {
    /// The upload's id (`att_…`) or the web address.
    pub id: String,
    pub uploaded: bool,
    pub media_type: Option<String>,
    pub thumbnail: bool,
}

/// A code as typed, read (a 400 naming `code` otherwise).
pub fn parse_code(typed: &str) -> Result<ShortCode, AppError> {
    ShortCode::parse(typed).map_err(|e| {
        let said = e.explain();
        AppError::invalid("code", said.en).with_zh(format!("查询码（code）：{}", said.zh))
    })
}

fn wrong_code(code: &ShortCode) -> AppError {
    AppError::NotFound { what: format!("a case with the short code {code}") }
        .with_zh(format!("没有查询码为 {code} 的案件，请核对后重新输入"))
}

/// The actions of a workflow that rate a case and that a resident may take.
fn rate_actions(wf: &Workflow) -> impl Iterator<Item = &ActionDef> {
    wf.actions().iter().filter(|a| a.effects.contains(&Effect::Rate) && a.roles.contains(&Role::Resident))
}

impl Cases<'_> {
    /// The case a code names (with its workflow); `NotFound` for a code no case has.
    async fn by_code(&self, typed: &str) -> Result<(ShortCode, StoredCase), AppError> {
        let code = parse_code(typed)?;
        match self.app.store().case_by_short_code(&code.lookup_key()).await {
            Ok(stored) => Ok((code, stored)),
            Err(shanzhi_store::StoreError::NotFound(_)) => Err(wrong_code(&code)),
            Err(e) => Err(e.into()),
        }
    }

    /// Who the code acts as when it rates: the reporter, when a resident reported the case.
    fn rating_actor(&self, case: &Case) -> Option<Actor> {
        let reporter = case.reporter.as_deref()?;
        if reporter.starts_with(FOLLOWER_PREFIX) {
            return Some(Actor { user: reporter.to_string(), role: Role::Resident, unit: String::new() });
        }
        let account = self.app.user(reporter).filter(|u| u.role == Role::Resident)?;
        Some(Actor { user: account.username, role: Role::Resident, unit: account.unit })
    }

    /// The rating action the code would take now, or why it may not.
    fn rate_offer<'w>(&self, wf: &'w Workflow, case: &Case) -> Result<&'w ActionDef, Bilingual> {
        let Some(actor) = self.rating_actor(case) else {
            return Err(Bilingual::new(
                "本案由工作人员上报，满意度由回访评价",
                "This case was reported by staff: its rating is taken on a call-back",
            ));
        };
        let mut first = None;
        for a in rate_actions(wf) {
            let probe = Command { action: a.key.clone(), ..Default::default() };
            match engine::check(wf, case, &probe, &actor) {
                Ok(_) | Err(Refusal::Missing { .. }) => return Ok(a),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        Err(match first {
            Some(Refusal::WrongState { .. }) => {
                Bilingual::new("办结后才能评价", "A case can be rated once it is closed")
            }
            Some(e) => e.explain(wf),
            None => Bilingual::new(format!("{}不接受评价", wf.name_zh), format!("{} cases are not rated", wf.name_en)),
        })
    }

    /// The case a short code names, as the code shows it.
    pub async fn follow(&self, typed: &str) -> Result<FollowView, AppError> {
        let (code, stored) = self.by_code(typed).await?;
        let log = self.app.store().case_log(&stored.county, stored.id).await?;
        self.follow_view(&code, &stored, &log).await
    }

    async fn follow_view(
        &self,
        code: &ShortCode,
        stored: &StoredCase,
        log: &[LogEntry],
    ) -> Result<FollowView, AppError> {
        let reference = self.app.reference();
        let now = self.app.clock().now();
        let c = &stored.case;
        let wf = reference
            .workflows
            .get(&c.kind)
            .ok_or_else(|| AppError::Internal(format!("case {}: no workflow `{}` in force", stored.id, c.kind)))?;
        let state = |key: &str| wf.state(key).map(|d| (d.name_zh.clone(), d.name_en.clone()));
        let (state_name_zh, state_name_en) = state(&c.state).unwrap_or_else(|| (c.state.clone(), c.state.clone()));
        let ty = reference.taxonomy.get(&c.type_code);
        // What the reporter wrote and added is theirs to read again, when a resident reported it.
        let resident = self.rating_actor(c).map(|a| a.user);
        // The files held by the kind's fields that are not public (their values now).
        let staff_fields: Vec<_> = wf.fields().iter().filter(|d| !d.public).cloned().collect();
        let staff_files = shanzhi_domain::cases::fields::attachment_ids(&staff_fields, &c.fields);
        let mut steps = Vec::with_capacity(log.len());
        for e in log {
            let own = resident.as_deref() == Some(e.actor.user.as_str());
            let for_them = e.public || own || e.action == notes::PARENT_CLOSED;
            // A note is a step only when it was written for the public or by the reporter; a
            // merge's note names another case.
            if (e.action == notes::NOTE && !for_them) || e.action == notes::ABSORB {
                continue;
            }
            let (name_zh, name_en) = match (wf.action(&e.action), notes::name(&e.action)) {
                (Some(a), _) => (a.name_zh.clone(), a.name_en.clone()),
                (None, Some((zh, en))) => (zh.to_string(), en.to_string()),
                (None, None) => (e.action.clone(), e.action.clone()),
            };
            let (after_zh, after_en) = state(&e.to_state).unwrap_or_else(|| (e.to_state.clone(), e.to_state.clone()));
            // The files of the kind's fields that are not public stay inside, unless the resident
            // gave them.
            let hidden: &[String] = if own { &[] } else { &staff_files };
            let shown: Vec<String> = e.attachments.iter().filter(|a| !hidden.contains(a)).cloned().collect();
            let files = if e.seq == 1 || for_them { self.files_of(&shown).await? } else { Vec::new() };
            steps.push(FollowStep {
                seq: e.seq,
                at: e.at,
                action: e.action.clone(),
                name_zh,
                name_en,
                state_name_zh: after_zh,
                state_name_en: after_en,
                note: e.opinion.as_deref().filter(|_| for_them).map(mask_text),
                files,
            });
        }
        let offer = self.rate_offer(wf, c);
        let view = self.view(stored, now);
        // The grid's name without the community's, which the address already says
        // (路南区学院南路街道立新东楼社区 第1网格).
        let place_name = match &c.grid {
            Some(g) => {
                let places = self.app.places();
                let community = g.community();
                let short = places.tree.get(&community).map(|d| d.short_name()).unwrap_or_default();
                let grid = places.grid(g).map(|g| g.name.clone()).unwrap_or_default();
                let grid = grid.strip_prefix(short.as_str()).filter(|rest| !rest.is_empty()).unwrap_or(&grid);
                format!("{} {grid}", places.address(&community)).trim().to_string()
            }
            None => String::new(),
        };
        Ok(FollowView {
            short_code: code.to_string(),
            id: stored.id,
            kind: c.kind.clone(),
            kind_name_zh: wf.name_zh.clone(),
            kind_name_en: wf.name_en.clone(),
            type_code: c.type_code.to_string(),
            type_name_zh: ty.map(|t| t.name_zh.clone()).unwrap_or_default(),
            type_name_en: ty.map(|t| t.name_en.clone()).unwrap_or_default(),
            state: c.state.clone(),
            state_name_zh,
            state_name_en,
            finished: wf.state(&c.state).is_some_and(|d| d.terminal),
            description: view.description,
            reported_at: c.reported_at,
            closed_at: c.closed_at,
            located: view.located,
            place_name,
            unit_name: view.unit_name,
            route_unit_name: view.route_unit_name,
            deadline: c.clock.as_ref().map(|k| k.deadline),
            late: c.clock.as_ref().is_some_and(|k| k.overdue(now)),
            paused: c.clock.as_ref().is_some_and(|k| k.paused_at.is_some()),
            steps,
            rating: c.rating.as_ref().map(|r| r.satisfaction),
            can_rate: offer.is_ok(),
            rate_refusal: offer.err(),
        })
    }

    /// The files of a log entry as the code shows them (an upload's kind from its record).
    async fn files_of(&self, attachments: &[String]) -> Result<Vec<FollowFile>, AppError> {
        let mut out = Vec::with_capacity(attachments.len());
        for a in attachments {
            let uploaded = a.starts_with("att_");
            let record = if uploaded { self.app.store().attachment(a).await? } else { None };
            if uploaded && record.is_none() {
                continue;
            }
            out.push(FollowFile {
                id: a.clone(),
                uploaded,
                media_type: record.as_ref().map(|r| r.media_type.clone()),
                thumbnail: record.as_ref().is_some_and(|r| r.thumbnail),
            });
        }
        Ok(out)
    }

    /// A file the code's view shows (an upload of the report or of a public reply), or its
    /// thumbnail; `NotFound` for any other.
    pub async fn follow_file(
        &self,
        typed: &str,
        id: &str,
        thumbnail: bool,
    ) -> Result<(AttachmentRecord, bytes::Bytes), AppError> {
        let view = self.follow(typed).await?;
        let shown = view.steps.iter().flat_map(|s| &s.files).any(|f| f.uploaded && f.id == id);
        let not_found = || AppError::NotFound { what: format!("attachment {id} of this case") };
        if !shown {
            return Err(not_found());
        }
        let record = self.app.store().attachment(id).await?.ok_or_else(not_found)?;
        let bytes = self.file_bytes(&record, thumbnail).await?;
        Ok((record, bytes))
    }

    /// Rates the case a code names, once, as its reporter (see the module's note); the case as the
    /// code shows it afterwards. With an idempotency key, a retry rates once.
    pub async fn follow_rate(&self, typed: &str, rating: Rating, key: Option<&str>) -> Result<FollowView, AppError> {
        let (code, stored) = self.by_code(typed).await?;
        let reference = self.app.reference();
        let wf = reference
            .workflows
            .get(&stored.case.kind)
            .ok_or_else(|| AppError::Internal(format!("no workflow `{}` in force", stored.case.kind)))?;
        let Some(actor) = self.rating_actor(&stored.case) else {
            let why = self.rate_offer(wf, &stored.case).err().unwrap_or_else(|| Bilingual::new("", ""));
            return Err(AppError::Forbidden(why.en).with_zh(why.zh));
        };
        // The rating action that fits now; otherwise the first there is, for the workflow to say
        // why not (a case still open, one already rated).
        let action = match self.rate_offer(wf, &stored.case) {
            Ok(a) => a.key.clone(),
            Err(why) => match rate_actions(wf).next() {
                Some(a) => a.key.clone(),
                None => return Err(AppError::Refused(why.en).with_zh(why.zh)),
            },
        };
        drop(reference);
        let command = Command { action, rating: Some(rating), ..Default::default() };
        self.act_once(stored.id, command, &actor, key).await?;
        let stored = self.app.store().load_case(stored.id, &shanzhi_domain::access::DataScope::All).await?;
        let log = self.app.store().case_log(&stored.county, stored.id).await?;
        self.follow_view(&code, &stored, &log).await
    }
}
