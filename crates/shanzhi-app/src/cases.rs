//! Case use cases, the `Cases` service (`App::cases`): report (locate → route → create → store,
//! idempotent), act, note, read, list. The engine decides; this layer supplies the clock, ids,
//! places and reference data, and stores. The server's housekeeping kept here (the deadline sweep,
//! forgetting old idempotency keys and login failures) is not a use case and stays on `App`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shanzhi_domain::access::DataScope;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport, Rating};
use shanzhi_domain::cases::duplicates::Probe;
use shanzhi_domain::cases::engine::{self, Command, Refusal};
use shanzhi_domain::cases::fields;
use shanzhi_domain::cases::notes::{self, annotate};
use shanzhi_domain::cases::routing::{Route, route};
use shanzhi_domain::cases::short_code::ShortCode;
use shanzhi_domain::cases::workflow::{Effect, Workflow};
use shanzhi_domain::ids::{DivisionCode, Level};
use shanzhi_domain::people::Role;
use shanzhi_domain::places::crs::Crs;
use shanzhi_domain::taxonomy::TypeCode;
use shanzhi_domain::text::Bilingual;
pub use shanzhi_store::{Acted, CaseFilter};
use shanzhi_store::{StoreError, StoredCase};

use crate::intake::Stored;
use crate::places::NearestGrid;
use crate::{App, AppError, Reference};

/// What a reporter sends.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportInput {
    pub kind: String,
    pub type_code: String,
    pub description: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub crs: Option<String>,
    pub channel: String,
    /// Photos or files already stored elsewhere (URLs), kept on the report's log entry.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Values of the kind's own fields (its workflow's `[[field]]`s), by key.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// A case as answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: i64,
    pub kind: String,
    pub type_code: String,
    pub type_name_zh: String,
    pub state: String,
    pub state_name_zh: String,
    pub channel: String,
    pub description: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// False when the location lies outside every grid; the case is kept and flagged.
    pub located: bool,
    pub grid: Option<String>,
    pub community: Option<String>,
    pub street: Option<String>,
    pub county: String,
    pub nearest: Option<NearestGrid>,
    pub units: Option<Assignment>,
    /// The names of the primary unit and of the unit routing suggested (`路南区城市管理局`).
    #[serde(default)]
    pub unit_name: Option<String>,
    /// Where it is, by name: the county, street and community (`路南区学院南路街道立新东楼社区`) and
    /// the grid's name; empty outside every grid.
    #[serde(default)]
    pub place_name: String,
    #[serde(default)]
    pub route_unit_name: Option<String>,
    pub route: Option<Route>,
    pub step: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    /// When the step's clock stopped (挂账, a pause in the workflow); none while it runs.
    #[serde(default)]
    pub paused_at: Option<DateTime<Utc>>,
    /// green | yellow | red, for the step in progress.
    pub light: Option<String>,
    pub possible_duplicate_of: Option<i64>,
    pub merged_into: Option<i64>,
    pub merged: Vec<i64>,
    pub rework_count: u32,
    pub extension_count: u32,
    /// How many times it was urged (催办) and supervised (督办).
    pub urge_count: u32,
    pub supervise_count: u32,
    pub rating: Option<Rating>,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: u32,
    /// The kind's own fields, personal data masked (whole only in an audited unmasking);
    /// residents see those they gave and those declared public.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The short follow code (`7K3M-9QXD`): only in the answer to the report that made the case
    /// (and that answer given again for its idempotency key). The case keeps only its hash.
    #[serde(default)]
    pub short_code: Option<String>,
    /// Whether the case has a short follow code (cases from before codes were given have none).
    #[serde(default)]
    pub has_short_code: bool,
}

/// Who made one log entry, by name (`CaseDetail::log_people`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogPerson {
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
}

/// A case with its log and what the caller may do next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    pub case: CaseView,
    pub log: Vec<LogEntry>,
    /// The names (Chinese, English) of the log's actions, entry by entry.
    pub log_names: Vec<(String, String)>,
    /// Who acted, entry by entry: the person (Chinese, English: a display name; for a resident
    /// or device reading the case, the role's name, whose user names are then left out) and
    /// the name of their unit.
    pub log_people: Vec<LogPerson>,
    pub actions: Vec<ActionOffer>,
    /// When an offered action needs units: those a case here may go to (id, name), the units of
    /// the city, the county, the street and the community, the routing's suggestion first.
    pub unit_choices: Vec<(String, String)>,
}

/// An action of the case's present state, as offered to the caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOffer {
    pub action: String,
    pub name_zh: String,
    pub name_en: String,
    /// What the command must carry: opinion, units, extension, rating, attachments, parent.
    pub needs: Vec<&'static str>,
    /// Why the caller may not take it now (none: they may).
    pub refusal: Option<Bilingual>,
}

/// The kind of request of a report's idempotency key.
pub(crate) const REPORT_KEY: &str = "report";

/// The kind of request of a report made through Open311: its key is the client's token, and
/// `tokens/{token}` finds only these (never a key of the internal API).
pub(crate) const OPEN311_KEY: &str = "open311";

/// A key sent again with another request.
fn reused(key: &str) -> AppError {
    let key = client_key(key);
    AppError::KeyReused(format!(
        "the Idempotency-Key `{key}` was used before with a different request; nothing was done"
    ))
    .with_zh(format!("幂等键 `{key}` 已用于另一个不同的请求，本次未执行任何操作；新请求请使用新的键"))
}

/// The idempotency key of a report, an action or a note as stored: the client's key belongs to the
/// account and the kind of request, so two accounts (or a report and an action) never share an
/// answer; the API keys of one account, and anonymous callers, share their keys (a client sends
/// random keys). The separator cannot occur in a header, so no client key equals a stored one;
/// the client's key comes first, so a report's token is found by its prefix.
pub(crate) fn scoped_key(request: &str, actor: &Actor, key: &str) -> String {
    format!("{request}\u{1f}{key}\u{1f}{}", actor.user)
}

/// The client's own key in a stored one.
fn client_key(stored: &str) -> &str {
    stored.split('\u{1f}').nth(1).unwrap_or(stored)
}

/// The names (Chinese, English) of a log entry's action: the workflow's, or a note's.
fn action_names(wf: &Workflow, action: &str) -> (String, String) {
    match (wf.action(action), notes::name(action)) {
        (Some(a), _) => (a.name_zh.clone(), a.name_en.clone()),
        (None, Some((zh, en))) => (zh.to_string(), en.to_string()),
        (None, None) => (action.to_string(), action.to_string()),
    }
}

/// A refusal as the application's error, its message in both languages.
fn refused(wf: &Workflow, e: Refusal) -> AppError {
    let said = e.explain(wf);
    if let Refusal::Field(p) = e {
        return AppError::invalid(&p.field, p.message.en).with_zh(p.message.zh);
    }
    let field = match &e {
        Refusal::Missing { need, .. } => need.field(),
        Refusal::UnknownAction { .. } => "action",
        _ => "",
    };
    match e {
        Refusal::WrongRole { .. }
        | Refusal::NotAssignedUnit { .. }
        | Refusal::NotReporter { .. }
        | Refusal::NotSummoned { .. } => AppError::Forbidden(e.to_string()),
        Refusal::Missing { .. } | Refusal::UnknownAction { .. } | Refusal::UnknownType(_) => {
            AppError::invalid(field, e.to_string())
        }
        Refusal::WrongState { .. } | Refusal::WrongChannel { .. } | Refusal::AlreadyRated | Refusal::TopLevel => {
            AppError::Refused(e.to_string())
        }
        Refusal::BadEntry(_) | Refusal::Calendar(_) | Refusal::Field(_) => AppError::Internal(e.to_string()),
    }
    .with_zh(said.zh)
}

/// Cases over the application (`App::cases`): reports (also through Open311), actions and notes,
/// a case with its log, the case list (with its words, `search.rs`), its workbook (`export.rs`)
/// and the attachments cases carry (`files.rs`); every answer within the caller's data scope.
pub struct Cases<'a> {
    pub(crate) app: &'a App,
}

impl App {
    /// The cases service.
    pub fn cases(&self) -> Cases<'_> {
        Cases { app: self }
    }
}

impl Cases<'_> {
    fn workflow<'r>(reference: &'r Reference, kind: &str) -> Result<&'r Workflow, AppError> {
        reference.workflows.get(kind).ok_or_else(|| {
            let mut kinds: Vec<&str> = reference.workflows.keys().map(String::as_str).collect();
            kinds.sort_unstable();
            AppError::invalid("kind", format!("unknown kind `{kind}`: expected one of {}", kinds.join(", ")))
        })
    }

    /// The type of the catalogue in force a code names (a 400 naming `type` otherwise).
    fn type_in_force<'r>(
        reference: &'r Reference,
        code: &str,
    ) -> Result<&'r shanzhi_domain::taxonomy::EventType, AppError> {
        let type_code: TypeCode = code.parse().map_err(|e| AppError::invalid("type", format!("{e}")))?;
        reference.taxonomy.get(&type_code).ok_or_else(|| {
            AppError::invalid("type", format!("type {type_code} is not in catalogue {}", reference.taxonomy.version))
                .with_zh(format!("事件小类 {type_code} 不在现行分类 {} 中", reference.taxonomy.version))
        })
    }

    /// Whether a kind and a type name a workflow and a type in force (filters name them too).
    pub fn check_kind_and_type(&self, kind: Option<&str>, type_code: Option<&str>) -> Result<(), AppError> {
        let reference = self.app.reference();
        if let Some(k) = kind {
            Self::workflow(&reference, k)?;
        }
        if let Some(t) = type_code {
            Self::type_in_force(&reference, t)?;
        }
        Ok(())
    }

    /// Reports a problem. With an idempotency key, a retry gets the first answer and creates
    /// nothing. The case is stored (durably) before this returns.
    pub async fn report(
        &self,
        input: ReportInput,
        actor: &Actor,
        idempotency_key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        self.report_as(REPORT_KEY, input, actor, idempotency_key).await
    }

    /// [`Cases::report`] through Open311: the key is the client's token for the request.
    pub async fn report_open311(
        &self,
        input: ReportInput,
        actor: &Actor,
        token: Option<&str>,
    ) -> Result<CaseView, AppError> {
        // The kind's fields are Open311 attributes there: `fields.applicant.phone` is
        // `attribute[applicant.phone]` (a list item's index is not an attribute's).
        self.report_as(OPEN311_KEY, input, actor, token).await.map_err(|e| {
            e.renamed_field(|f| {
                f.strip_prefix("fields.").map(|k| format!("attribute[{}]", k.split('[').next().unwrap_or(k)))
            })
        })
    }

    /// A report whose key belongs to the kind of request `request`, its answer naming only the
    /// cases the reporter may open.
    async fn report_as(
        &self,
        request: &str,
        input: ReportInput,
        actor: &Actor,
        key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        let mut view = self.report_unseen(request, input, actor, key).await?;
        self.hide_unseen(std::slice::from_mut(&mut view), actor).await?;
        Ok(view)
    }

    /// [`Cases::report`], its answer naming every case it names; `request` is the kind of request
    /// the key belongs to.
    async fn report_unseen(
        &self,
        request: &str,
        input: ReportInput,
        actor: &Actor,
        idempotency_key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        let fingerprint = crate::kept::fingerprint(&input);
        // Each caller's keys are their own: two clients counting `fms-77` never share an answer.
        let scoped = idempotency_key.map(|k| scoped_key(request, actor, k));
        let idempotency_key = scoped.as_deref();
        let reference = self.app.reference();
        let wf = Self::workflow(&reference, &input.kind)?;
        let ty = Self::type_in_force(&reference, &input.type_code)?;
        let type_code = ty.code;
        let description = input.description.trim();
        if description.is_empty() || description.chars().count() > 2000 {
            return Err(AppError::invalid("description", "description must have 1 to 2000 characters")
                .with_zh("问题描述须为 1 到 2000 个字"));
        }
        let channel = Channel::parse(&input.channel)
            .ok_or_else(|| AppError::invalid("channel", format!("unknown channel `{}`", input.channel)))?;
        let allowed = match channel {
            Channel::Patrol => actor.role == Role::GridWorker,
            Channel::Hotline | Channel::ResidentPhone => actor.role == Role::IntakeOperator,
            Channel::Device => actor.role == Role::Device,
            Channel::ResidentWeb | Channel::Open311 => true,
        };
        if !allowed {
            return Err(AppError::Forbidden(format!(
                "the role {} cannot report through {}",
                actor.role.as_str(),
                channel.as_str()
            ))
            .with_zh(format!("{}不能通过「{}」上报", actor.role.name_zh(), channel.name_zh())));
        }
        let (lon, lat) = match (input.lon, input.lat) {
            (Some(lon), Some(lat)) => (lon, lat),
            (None, _) => return Err(AppError::invalid("lon", "lon is required").with_zh("缺少位置（经度）")),
            (_, None) => return Err(AppError::invalid("lat", "lat is required").with_zh("缺少位置（纬度）")),
        };
        let crs =
            Crs::parse(input.crs.as_deref().unwrap_or("wgs84")).map_err(|e| AppError::invalid("crs", e.to_string()))?;
        self.check_attachments(&input.attachments, actor).await?;
        let field_files = fields::attachment_ids(wf.fields(), &input.fields);
        self.check_attachments_in("fields", &field_files, actor).await?;
        let places = self.app.places();
        let here = places.locate(lon, lat, crs)?;
        let grid = here.grid.as_ref().map(|g| g.code.parse()).transpose().map_err(AppError::internal)?;
        let now = self.app.clock().now();
        let report = NewReport {
            type_code,
            channel,
            description: description.to_string(),
            location: Some((here.lon, here.lat)),
            grid,
            // An anonymous reporter (no account, no follow code) gets a pseudonym of their own, so
            // that the short follow code, acting as the reporter, can rate the case (`follow.rs`).
            reporter: Some(if actor.is_anonymous() { crate::auth::pseudonym() } else { actor.user.clone() }),
            fields: input.fields,
        };
        let (mut case, mut first) = engine::create(wf, &reference.taxonomy, &reference.calendar, report, actor, now)
            .map_err(|e| refused(wf, e))?;
        first.attachments = engine::with_field_files(&input.attachments, &field_files);
        let community = case.grid.as_ref().map(|g| g.community());
        case.route = Some(route(ty, community.as_ref(), &places.tree, &reference.departments, &reference.routing));
        let probe = case.location.map(|here| Probe {
            kind: case.kind.clone(),
            type_code: case.type_code.to_string(),
            here,
            at: now,
            window: reference.duplicates.window(&case.type_code),
        });
        let county = community
            .as_ref()
            .and_then(|c| c.ancestor(Level::County))
            .or_else(|| here.nearest.as_ref().and_then(|n| n.grid.code.get(..6)).and_then(|c| c.parse().ok()))
            .map(|c| c.to_string())
            .unwrap_or_else(|| "000000".into());
        // The short follow code: drawn here, made unique by the intake writer, told only in the answer.
        let code = crate::intake::draw_short_code();
        let mut stored = StoredCase {
            id: self.app.ids.next(now),
            county,
            case,
            yellow_at: None,
            short_code_hash: Some(code.lookup_key()),
        };
        stored.yellow_at = yellow_at(&reference, &stored.case);
        // The writer decides the duplicate flag (against the store and the reports committed
        // with this one), then keeps the answer with the key, so a retry gets it back.
        let key = idempotency_key.map(|k| {
            let app = self.app.clone();
            let fingerprint = fingerprint.clone();
            let answer: crate::intake::Answer = Box::new(move |s: &StoredCase, code: &ShortCode| {
                serde_json::to_string(&app.cases().reported_view(s, code, now))
                    .map(|a| crate::kept::keep(&fingerprint, &a))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            });
            (k.to_string(), answer)
        });
        let (reply, answered) = tokio::sync::oneshot::channel();
        let job = crate::intake::Job {
            stored,
            short_code: code,
            first,
            probe,
            key,
            request: fingerprint.clone(),
            now,
            reply,
        };
        match self.app.intake.store(job, answered).await {
            Ok(Stored::New(stored, code)) => Ok(self.reported_view(&stored, &code, now)),
            Ok(Stored::Replayed(answer)) => serde_json::from_str(&answer).map_err(AppError::internal),
            Ok(Stored::Reused) => Err(reused(idempotency_key.unwrap_or_default())),
            // The same key raced in from a retry through another server: answer what it stored.
            Err(StoreError::Conflict(_)) if idempotency_key.is_some() => {
                let key = idempotency_key.unwrap_or_default();
                let kept = self.app.store().idempotent_response(key).await?.ok_or_else(|| {
                    AppError::Conflict("the same idempotency key is in use by a request that failed; retry".into())
                })?;
                let answer = crate::kept::answer_for(&kept, &fingerprint).map_err(|()| reused(key))?;
                serde_json::from_str(answer).map_err(AppError::internal)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Takes an action on a case. A dispatch without units goes where routing suggested; a merge
    /// also records the child on its parent; closing a parent tells its merged children.
    pub async fn act(&self, id: i64, command: Command, actor: &Actor) -> Result<CaseView, AppError> {
        self.act_once(id, command, actor, None).await
    }

    /// `act` with an idempotency key: a retry (a phone on a slow link that never heard the
    /// answer) gets the first answer, and the action is taken once.
    pub async fn act_once(
        &self,
        id: i64,
        command: Command,
        actor: &Actor,
        key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        let mut view = self.act_unseen(id, command, actor, key).await?;
        self.hide_unseen(std::slice::from_mut(&mut view), actor).await?;
        Ok(view)
    }

    /// [`Cases::act_once`], its answer naming every case it names.
    async fn act_unseen(
        &self,
        id: i64,
        mut command: Command,
        actor: &Actor,
        key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        // An opinion is written into the log for good (and, in a batch, into every case's).
        if command.opinion.as_ref().is_some_and(|o| o.chars().count() > notes::MAX_CHARS) {
            return Err(AppError::invalid(
                "opinion",
                format!("opinion must have at most {} characters", notes::MAX_CHARS),
            )
            .with_zh(format!("意见不能超过 {} 个字", notes::MAX_CHARS)));
        }
        let reference = self.app.reference();
        // Acting needs the case inside the area or units: one's own report elsewhere is only read.
        let scope = self.app.scope_of(actor).for_acting();
        let stored = self.app.store().load_case(id, &scope).await?;
        let key = key.map(|k| scoped_key("act", actor, k));
        let key = key.as_deref();
        let fingerprint = crate::kept::fingerprint(&command);
        if let Some(view) = self.replayed(id, key, &fingerprint).await? {
            return Ok(view);
        }
        let wf = Self::workflow(&reference, &stored.case.kind)?;
        // An assignment without units goes where the routing rules sent the case.
        let assigns = wf.action(&command.action).is_some_and(|a| a.effects.contains(&Effect::AssignUnits));
        if command.units.is_none() && assigns {
            command.units = stored
                .case
                .route
                .as_ref()
                .map(|r| Assignment { primary: r.unit.clone(), assisting: r.assisting.clone() });
        }
        if let Some(units) = &command.units {
            self.check_units(units)?;
        }
        self.check_attachments(&command.attachments, actor).await?;
        self.check_attachments_in("fields", &fields::attachment_ids(wf.fields(), &command.fields), actor).await?;
        let merging = wf.action(&command.action).is_some_and(|a| a.effects.contains(&Effect::Merge));
        let now = self.app.clock().now();
        let (case, entry) =
            engine::apply(wf, &reference.calendar, &stored.case, &command, actor, now).map_err(|e| refused(wf, e))?;
        let before = stored.case.seq;
        let was_open = stored.case.closed_at.is_none();
        let mut next = StoredCase { case, ..stored };
        next.yellow_at = yellow_at(&reference, &next.case);
        // Other cases this action touches: the parent of a merge, the children of a closing parent.
        let mut others: Vec<(StoredCase, u32, LogEntry)> = Vec::new();
        if merging {
            let parent_id = command.parent.unwrap_or_default();
            let bad = |m: String| AppError::invalid("parent", m);
            if parent_id == id {
                return Err(bad("a case cannot be merged into itself".into()));
            }
            let mut parent = match self.app.store().load_case(parent_id, &scope).await {
                Err(StoreError::NotFound(_)) => return Err(bad(format!("case {parent_id} does not exist"))),
                other => other?,
            };
            if parent.case.closed_at.is_some() || parent.case.merged_into.is_some() {
                return Err(bad(format!("case {parent_id} is closed or merged itself: merge into an open case")));
            }
            let seq = parent.case.seq;
            parent.case.merged.push(id);
            let e = annotate(&mut parent.case, actor, now, notes::ABSORB, format!("合并重复案件 {id}"));
            others.push((parent, seq, e));
        } else if was_open && next.case.closed_at.is_some() {
            // The children's reporters read this note: it says what became of the problem, not
            // which case (they may not open the parent).
            let ended = wf.state(&next.case.state).map_or_else(|| next.case.state.clone(), |d| d.name_zh.clone());
            for child in next.case.merged.clone() {
                let mut c = self.app.store().load_case(child, &DataScope::All).await?;
                let seq = c.case.seq;
                let e = annotate(
                    &mut c.case,
                    actor,
                    now,
                    notes::PARENT_CLOSED,
                    format!("同一问题的主案件已办结（{ended}）"),
                );
                others.push((c, seq, e));
            }
        }
        let mut changes: Vec<(&StoredCase, u32, &LogEntry)> = vec![(&next, before, &entry)];
        changes.extend(others.iter().map(|(s, b, e)| (s, *b, e)));
        self.save_once(id, &changes, key, &fingerprint, now).await
    }

    /// Adds a note to a case the caller can see, in any state (补充说明, 催办, an Open311 client's
    /// update): the case stays where it is, and the note reaches its watchers. With an
    /// idempotency key, a retry adds nothing and gets the first answer.
    pub async fn add_note(
        &self,
        id: i64,
        text: &str,
        attachments: Vec<String>,
        actor: &Actor,
        key: Option<&str>,
    ) -> Result<CaseView, AppError> {
        if actor.is_anonymous() {
            return Err(AppError::Unauthenticated("log in to add a note to a case".into()));
        }
        let text = notes::note_text(text).map_err(|m| AppError::invalid_in("text", m))?;
        self.check_attachments(&attachments, actor).await?;
        let scope = self.app.scope_of(actor);
        let key = key.map(|k| scoped_key("note", actor, k));
        let key = key.as_deref();
        let fingerprint = crate::kept::fingerprint(&(text, &attachments));
        // A note does not depend on the state: when someone acts in between, note the new version.
        let mut tries = 0;
        loop {
            let mut next = self.app.store().load_case(id, &scope).await?;
            if let Some(mut view) = self.replayed(id, key, &fingerprint).await? {
                self.hide_unseen(std::slice::from_mut(&mut view), actor).await?;
                return Ok(view);
            }
            let before = next.case.seq;
            let now = self.app.clock().now();
            let mut entry = annotate(&mut next.case, actor, now, notes::NOTE, text.to_string());
            entry.attachments = attachments.clone();
            match self.save_once(id, &[(&next, before, &entry)], key, &fingerprint, now).await {
                Err(AppError::Conflict(_)) if tries < 3 => tries += 1,
                Ok(mut view) => {
                    self.hide_unseen(std::slice::from_mut(&mut view), actor).await?;
                    return Ok(view);
                }
                other => return other,
            }
        }
    }

    /// Saves the changes of an action (the first is the case acted on), keeping the answer with
    /// the idempotency key in the same transaction; a key that raced in from a retry answers
    /// what the first use stored.
    async fn save_once(
        &self,
        id: i64,
        changes: &[(&StoredCase, u32, &LogEntry)],
        key: Option<&str>,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseView, AppError> {
        let view = self.view(changes[0].0, now);
        let answer = key
            .map(|k| serde_json::to_string(&view).map(|a| (k, crate::kept::keep(fingerprint, &a))))
            .transpose()
            .map_err(AppError::internal)?;
        match self.app.store().save_actions(changes, answer.as_ref().map(|(k, a)| (*k, a.as_str()))).await {
            Ok(()) => Ok(view),
            Err(StoreError::Conflict(m)) => match self.replayed(id, key, fingerprint).await? {
                Some(first) => Ok(first),
                None => Err(AppError::Conflict(m)),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// The answer kept with an idempotency key already used on this case for this request (a
    /// key used with another request is refused, one used on another case is a conflict).
    async fn replayed(&self, id: i64, key: Option<&str>, fingerprint: &str) -> Result<Option<CaseView>, AppError> {
        let Some(key) = key else { return Ok(None) };
        let Some(kept) = self.app.store().idempotent_response(key).await? else { return Ok(None) };
        let answer = crate::kept::answer_for(&kept, fingerprint).map_err(|()| reused(key))?;
        let view: CaseView = serde_json::from_str(answer).map_err(AppError::internal)?;
        if view.id != id {
            let key = client_key(key);
            return Err(AppError::Conflict(format!("the idempotency key `{key}` was used on another request")));
        }
        Ok(Some(view))
    }

    /// One case with its log and the actions the caller may take. Personal data in the text is
    /// masked; with `unmask` (naming the login that asks: `Caller::session`), a role that may see
    /// it gets it whole, and the unmasking is audited with that login.
    pub async fn detail(&self, id: i64, actor: &Actor, unmask: Option<&str>) -> Result<CaseDetail, AppError> {
        let session = unmask;
        let unmask = session.is_some();
        let reference = self.app.reference();
        let stored = self.app.store().load_case(id, &self.app.scope_of(actor)).await?;
        if unmask && !shanzhi_domain::privacy::may_unmask(actor.role) {
            return Err(AppError::Forbidden(format!(
                "the role {} may not see personal data unmasked",
                actor.role.as_str()
            )));
        }
        let mut log = self.app.store().case_log(&stored.county, id).await?;
        let wf = Self::workflow(&reference, &stored.case.kind)?;
        // One's own report outside one's area and units is read, not worked: no action is offered.
        let grid = stored.case.grid.as_ref().map(|g| g.to_string());
        let units = shanzhi_domain::access::involved_units(&stored.case, &log);
        let may_act = self.app.scope_of(actor).for_acting().admits(
            &stored.county,
            grid.as_deref(),
            stored.case.reporter.as_deref(),
            &units,
        );
        let offered = if may_act { engine::available(wf, &stored.case, actor) } else { Vec::new() };
        let actions: Vec<ActionOffer> = offered
            .into_iter()
            .map(|(a, r)| {
                let (name_zh, name_en) = action_names(wf, a);
                let needs = wf.action(a).map(|d| d.needs.iter().map(|n| n.field()).collect()).unwrap_or_default();
                ActionOffer { action: a.to_string(), name_zh, name_en, needs, refusal: r.err().map(|e| e.explain(wf)) }
            })
            .collect();
        let log_names = log.iter().map(|e| action_names(wf, &e.action)).collect();
        let unit_choices = if actions.iter().any(|a| a.refusal.is_none() && a.needs.contains(&"units")) {
            self.unit_choices(&stored)
        } else {
            Vec::new()
        };
        let mut case = self.view(&stored, self.app.clock().now());
        self.hide_unseen(std::slice::from_mut(&mut case), actor).await?;
        if unmask {
            let detail = format!("description, fields and log opinions, by {}", session.unwrap_or_default());
            self.app.audit(&actor.user, "pii.unmask", id.to_string(), detail).await?;
            case.description = stored.case.description.clone();
            case.fields = stored.case.fields.clone();
        } else {
            // Residents, devices and building heads (who see only their own reports) read the
            // replies to the public, their own words and what was written for them; the staff's
            // working opinions stay inside, as on the public feeds.
            let outside =
                matches!(shanzhi_domain::access::ScopeRule::of(actor.role), shanzhi_domain::access::ScopeRule::Own);
            for e in &mut log {
                let for_them = e.public || e.actor.user == actor.user || e.action == notes::PARENT_CLOSED;
                e.opinion =
                    e.opinion.as_deref().filter(|_| !outside || for_them).map(shanzhi_domain::privacy::mask_text);
                // The staff's working photos and files go with their opinions.
                if outside && !for_them {
                    e.attachments.clear();
                }
            }
        }
        let outside =
            matches!(shanzhi_domain::access::ScopeRule::of(actor.role), shanzhi_domain::access::ScopeRule::Own);
        let log_people = log
            .iter_mut()
            .map(|e| {
                let unit = if e.actor.unit.is_empty() { String::new() } else { self.app.unit_name(&e.actor.unit) };
                if outside && e.actor.user != actor.user {
                    e.actor.user = String::new();
                    LogPerson { name_zh: e.actor.role.name_zh().into(), name_en: e.actor.role.name_en().into(), unit }
                } else {
                    LogPerson {
                        name_zh: self.app.actor_name(&e.actor, false),
                        name_en: self.app.actor_name(&e.actor, true),
                        unit,
                    }
                }
            })
            .collect();
        Ok(CaseDetail { case, log, log_names, log_people, actions, unit_choices })
    }

    /// Every unit an action names (the primary and the assisting ones) is in the unit register
    /// in force: a case sent to a unit that does not exist would wait for no one.
    fn check_units(&self, units: &Assignment) -> Result<(), AppError> {
        /// More assisting units than any case needs is a mistake (or an attack), not a dispatch.
        const MAX_ASSISTING: usize = 20;
        if units.assisting.len() > MAX_ASSISTING {
            return Err(AppError::invalid_in(
                "units.assisting",
                Bilingual::new(
                    format!("协办单位最多 {MAX_ASSISTING} 个"),
                    format!("at most {MAX_ASSISTING} assisting units"),
                ),
            ));
        }
        let places = self.app.places();
        // An empty primary is the workflow's to refuse (it names what the action needs).
        let primary = Some(("units.primary", &units.primary)).filter(|(_, u)| !u.is_empty());
        let named = primary.into_iter().chain(units.assisting.iter().map(|u| ("units.assisting", u)));
        for (field, unit) in named {
            if places.unit(unit).is_none() {
                return Err(AppError::unknown(
                    field,
                    Bilingual::new(
                        format!("单位 `{unit}` 不在现行单位名录中"),
                        format!("unit `{unit}` is not in the unit register in force"),
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The units a case may be sent or summoned to (see `CaseDetail::unit_choices`).
    fn unit_choices(&self, stored: &StoredCase) -> Vec<(String, String)> {
        let places = self.app.places();
        let area: Option<DivisionCode> = match &stored.case.grid {
            Some(g) => Some(g.community()),
            None => stored.county.parse().ok(),
        };
        let suggested = stored.case.route.as_ref().map(|r| r.unit.clone());
        let mut out: Vec<(String, String)> = area
            .map(|a| places.units_above(&a))
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.kind != shanzhi_domain::people::UnitKind::CommandCentre)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect();
        if let Some(s) = suggested
            && let Some(i) = out.iter().position(|(id, _)| *id == s)
        {
            let first = out.remove(i);
            out.insert(0, first);
        }
        out
    }

    /// The cases matching the filter inside the caller's data scope (counted there too).
    pub async fn list(&self, filter: &CaseFilter, actor: &Actor) -> Result<(u64, Vec<CaseView>), AppError> {
        let now = self.app.clock().now();
        let (total, rows) = self.app.store().list_cases(filter, &self.app.scope_of(actor), now).await?;
        let mut views: Vec<CaseView> = rows.iter().map(|s| self.view(s, now)).collect();
        self.hide_unseen(&mut views, actor).await?;
        Ok((total, views))
    }

    /// The case ids views name (a likely duplicate, the case one was merged into, the cases
    /// merged into it), kept only where the caller may open that case: an id, a time and a type
    /// say something about a case, and a reporter may not learn of cases outside their scope.
    /// Every answer about cases goes through here (reports, actions, notes and their replays,
    /// lists, a case, exports), so it also keeps residents to the fields they may read.
    pub(crate) async fn hide_unseen(&self, views: &mut [CaseView], actor: &Actor) -> Result<(), AppError> {
        self.fields_for(views, actor);
        let scope = self.app.scope_of(actor);
        if scope == DataScope::All {
            return Ok(());
        }
        let named: std::collections::BTreeSet<i64> = views
            .iter()
            .flat_map(|v| v.possible_duplicate_of.into_iter().chain(v.merged_into).chain(v.merged.iter().copied()))
            .collect();
        if named.is_empty() {
            return Ok(());
        }
        let mut seen = std::collections::HashSet::new();
        let named: Vec<i64> = named.into_iter().collect();
        for ids in named.chunks(crate::open311::MAX_REQUESTS as usize) {
            let filter = CaseFilter { ids: ids.to_vec(), limit: ids.len() as u64, ..CaseFilter::default() };
            let (_, rows) = self.app.store().list_cases(&filter, &scope, self.app.clock().now()).await?;
            seen.extend(rows.iter().map(|r| r.id));
        }
        for v in views {
            v.possible_duplicate_of = v.possible_duplicate_of.filter(|i| seen.contains(i));
            v.merged_into = v.merged_into.filter(|i| seen.contains(i));
            v.merged.retain(|i| seen.contains(i));
        }
        Ok(())
    }

    /// Residents, devices and building heads (who see only their own reports) see the fields
    /// they gave and those declared public, not the staff's.
    fn fields_for(&self, views: &mut [CaseView], actor: &Actor) {
        if !matches!(shanzhi_domain::access::ScopeRule::of(actor.role), shanzhi_domain::access::ScopeRule::Own) {
            return;
        }
        let reference = self.app.reference();
        for v in views {
            let defs = reference.workflows.get(&v.kind).map(|w| w.fields()).unwrap_or_default();
            v.fields = fields::for_reporter(defs, &v.fields);
        }
    }

    /// The answer to a report: the case with its short follow code, which is told only here.
    fn reported_view(&self, s: &StoredCase, code: &ShortCode, now: DateTime<Utc>) -> CaseView {
        CaseView { short_code: Some(code.to_string()), ..self.view(s, now) }
    }

    pub(crate) fn view(&self, s: &StoredCase, now: DateTime<Utc>) -> CaseView {
        let reference = self.app.reference();
        let c: &Case = &s.case;
        let wf = reference.workflows.get(&c.kind);
        let community = c.grid.as_ref().map(|g| g.community());
        let nearest = match (&c.grid, c.location) {
            (None, Some((lon, lat))) => self.app.places().locate(lon, lat, Crs::Wgs84).ok().and_then(|l| l.nearest),
            _ => None,
        };
        CaseView {
            id: s.id,
            kind: c.kind.clone(),
            type_code: c.type_code.to_string(),
            type_name_zh: reference.taxonomy.get(&c.type_code).map(|t| t.name_zh.clone()).unwrap_or_default(),
            state: c.state.clone(),
            state_name_zh: wf.and_then(|w| w.state(&c.state)).map(|d| d.name_zh.clone()).unwrap_or_default(),
            channel: c.channel.as_str().into(),
            // Phone and ID numbers and plates in the text are masked in every answer.
            description: shanzhi_domain::privacy::mask_text(&c.description),
            lon: c.location.map(|l| l.0),
            lat: c.location.map(|l| l.1),
            located: c.grid.is_some(),
            grid: c.grid.as_ref().map(|g| g.to_string()),
            community: community.as_ref().map(|g| g.to_string()),
            street: community.as_ref().and_then(|g| g.parent()).map(|g| g.to_string()),
            county: s.county.clone(),
            nearest,
            units: c.units.clone(),
            unit_name: c.units.as_ref().map(|u| self.app.unit_name(&u.primary)),
            place_name: match (&c.grid, &community) {
                (Some(g), Some(community)) => {
                    let places = self.app.places();
                    let grid = places.grid(g).map(|g| g.name.clone()).unwrap_or_default();
                    format!("{} {grid}", places.address(community)).trim().to_string()
                }
                _ => String::new(),
            },
            route_unit_name: c.route.as_ref().map(|r| self.app.unit_name(&r.unit)),
            route: c.route.clone(),
            step: c.clock.as_ref().map(|k| k.step.clone()),
            deadline: c.clock.as_ref().map(|k| k.deadline),
            paused_at: c.clock.as_ref().and_then(|k| k.paused_at),
            light: c
                .clock
                .as_ref()
                .and_then(|k| k.light(&reference.calendar, now).ok())
                .map(|l| l.as_str().to_string()),
            possible_duplicate_of: c.possible_duplicate_of,
            merged_into: c.merged_into,
            merged: c.merged.clone(),
            rework_count: c.rework_count,
            urge_count: c.urge_count,
            supervise_count: c.supervise_count,
            extension_count: c.extension_count,
            rating: c.rating.clone(),
            reported_at: c.reported_at,
            closed_at: c.closed_at,
            version: c.seq,
            fields: wf.map(|w| fields::masked(w.fields(), &c.fields)).unwrap_or_default(),
            short_code: None,
            has_short_code: s.short_code_hash.is_some(),
        }
    }
}

fn yellow_at(reference: &Reference, c: &Case) -> Option<DateTime<Utc>> {
    c.clock.as_ref().and_then(|k| k.yellow_at(&reference.calendar).ok())
}

/// What one pass of the deadline sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Cases whose sweep time had come.
    pub due: usize,
    /// Cases escalated or noted overdue by this pass.
    pub swept: usize,
    /// Cases another process swept (or someone acted on) first: left to it.
    pub lost_races: usize,
}

impl App {
    /// One pass of the deadline sweep: reads only the cases due (an index on `sweep_at`), applies
    /// the pure sweep and saves each with the version check, so two processes never both
    /// escalate one case; running it again at once does nothing.
    pub async fn sweep_once(&self, batch: u64) -> Result<SweepReport, AppError> {
        let reference = self.reference();
        let now = self.clock().now();
        let due = self.store().due_for_sweep(now, batch).await?;
        let mut report = SweepReport { due: due.len(), ..SweepReport::default() };
        for stored in due {
            let Some(wf) = reference.workflows.get(&stored.case.kind) else { continue };
            let Some((case, entry)) = shanzhi_domain::cases::sweep::sweep(wf, &reference.calendar, &stored.case, now)
                .map_err(|e| refused(wf, e))?
            else {
                continue;
            };
            let before = stored.case.seq;
            let mut next = StoredCase { case, ..stored };
            next.yellow_at = yellow_at(&reference, &next.case);
            match self.store().save_action(&next, before, &entry).await {
                Ok(()) => report.swept += 1,
                Err(StoreError::Conflict(_)) => report.lost_races += 1,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(report)
    }

    /// Forgets failed logins untouched for a day whose lock has run out: a name tried once is not
    /// kept for ever. (A lock's backoff goes with it, after a quiet day.)
    pub async fn forget_old_login_failures(&self) -> Result<u64, AppError> {
        Ok(self.store().forget_login_failures(self.clock().now() - chrono::Duration::days(1)).await?)
    }

    /// Forgets the answers kept for idempotency keys older than `days` days (none when 0), so
    /// that the table does not grow for ever: a client retries within minutes or days, not months.
    /// An Open311 token (a report's key) stops finding its request then too.
    pub async fn forget_old_keys(&self, days: u32) -> Result<u64, AppError> {
        if days == 0 {
            return Ok(0);
        }
        let before = self.clock().now() - chrono::Duration::days(i64::from(days));
        Ok(self.store().forget_idempotency_keys(before).await?)
    }
}
