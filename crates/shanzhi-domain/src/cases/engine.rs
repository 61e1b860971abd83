//! The engine: creating a case from a report and applying an action to it, as pure functions
//! over a workflow. Each call returns the new case and the log entry to append, or a refusal
//! that says why.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::case::{Actor, Assignment, Case, LogEntry, NewReport, Rating, Summons};
use super::clock::StepClock;
use super::fields::{AT_REPORT, FieldProblem, merge};
use super::workflow::{ActionDef, Effect, HANDLING_STEP, Need, Party, SUMMONS_STEP, Workflow};
use crate::calendar::{CalendarError, WorkCalendar};
use crate::taxonomy::{HandlingLevel, Taxonomy};
use crate::time_limit::{TimeLimit, TimeUnit};

/// An action asked for, with what it carries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Command {
    pub action: String,
    pub opinion: Option<String>,
    pub units: Option<Assignment>,
    pub extension: Option<TimeLimit>,
    pub rating: Option<Rating>,
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The case to merge into (for a merge).
    #[serde(default)]
    pub parent: Option<i64>,
    /// The opinion is a reply to the public (公开答复): shown on public feeds (Open311). Staff
    /// opinions are internal unless marked so.
    #[serde(default)]
    pub public: bool,
    /// Values of the kind's fields the action gives or changes (`null` empties an optional one).
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("`{action}` is not an action of {kind} cases")]
    UnknownAction { kind: String, action: String },
    #[error("`{action}` cannot be taken in state `{state}`")]
    WrongState { action: String, state: String },
    #[error("the role {role} may not take `{action}`")]
    WrongRole { action: String, role: String },
    #[error("only the unit the case is assigned to may take `{action}`")]
    NotAssignedUnit { action: String },
    #[error("only the reporter may take `{action}`")]
    NotReporter { action: String },
    #[error("`{action}` is only for cases from {channels}")]
    WrongChannel { action: String, channels: String },
    #[error("`{action}` needs {field}")]
    Missing { action: String, field: &'static str, need: Need },
    #[error("only a unit summoned by the whistle and not yet reported in may take `{action}`")]
    NotSummoned { action: String },
    #[error("the case is already held at the top level")]
    TopLevel,
    #[error("the case has already been rated")]
    AlreadyRated,
    #[error("type {0} is not in the case's catalogue")]
    UnknownType(String),
    #[error("the workflow's entry state `{0}` is unknown")]
    BadEntry(String),
    #[error("deadline arithmetic: {0}")]
    Calendar(String),
    /// A field of the kind given wrong, or missing where it is required.
    #[error("{0}")]
    Field(FieldProblem),
}

impl From<CalendarError> for Refusal {
    fn from(e: CalendarError) -> Self {
        Refusal::Calendar(e.to_string())
    }
}

/// A new case and its first log entry.
pub fn create(
    wf: &Workflow,
    taxonomy: &Taxonomy,
    cal: &WorkCalendar,
    report: NewReport,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Case, LogEntry), Refusal> {
    let ty = taxonomy.get(&report.type_code).ok_or_else(|| Refusal::UnknownType(report.type_code.to_string()))?;
    let state = wf.entry_state(report.channel.as_str()).to_string();
    let def = wf.state(&state).ok_or_else(|| Refusal::BadEntry(state.clone()))?;
    let handling_limit = ty.limit;
    let fields = merge(wf.fields(), &BTreeMap::new(), &report.fields, AT_REPORT).map_err(Refusal::Field)?;
    let clock = match &def.step {
        Some(step) => Some(StepClock::start(cal, step, step_limit(wf, step, handling_limit), now)?),
        None => None,
    };
    let case = Case {
        kind: wf.kind.clone(),
        workflow_version: wf.version.clone(),
        type_code: report.type_code,
        taxonomy_version: taxonomy.version.clone(),
        channel: report.channel,
        description: report.description,
        location: report.location,
        grid: report.grid,
        reporter: report.reporter,
        route: None,
        state: state.clone(),
        units: None,
        clock,
        handling_limit,
        pending_extension: None,
        level: ty.level,
        summons: Vec::new(),
        flags: Vec::new(),
        possible_duplicate_of: None,
        merged_into: None,
        merged: Vec::new(),
        rework_count: 0,
        late_handling: 0,
        extension_count: 0,
        urge_count: 0,
        supervise_count: 0,
        rating: None,
        reported_at: now,
        closed_at: None,
        seq: 1,
        fields,
    };
    let entry = LogEntry {
        seq: 1,
        at: now,
        actor: actor.clone(),
        action: super::notes::REPORT.into(),
        from_state: None,
        to_state: state,
        opinion: None,
        attachments: Vec::new(),
        units: None,
        units_cleared: false,
        deadline: case.clock.as_ref().map(|c| c.deadline),
        overdue: false,
        ended_step: None,
        public: false,
        counts: Vec::new(),
        held_late: false,
        fields: case.fields.keys().cloned().collect(),
    };
    Ok((case, entry))
}

fn step_limit(wf: &Workflow, step: &str, handling: TimeLimit) -> TimeLimit {
    if step == HANDLING_STEP { handling } else { wf.step_limit(step).unwrap_or(handling) }
}

/// Whether `actor` may take `action` on `case` now, and if not, why.
pub fn check<'w>(wf: &'w Workflow, case: &Case, cmd: &Command, actor: &Actor) -> Result<&'w ActionDef, Refusal> {
    let action = cmd.action.as_str();
    let def = wf
        .action(action)
        .ok_or_else(|| Refusal::UnknownAction { kind: wf.kind.clone(), action: action.to_string() })?;
    if !def.from.contains(&case.state) {
        return Err(Refusal::WrongState { action: action.into(), state: case.state.clone() });
    }
    if !def.roles.contains(&actor.role) {
        return Err(Refusal::WrongRole { action: action.into(), role: actor.role.as_str().into() });
    }
    match def.party {
        Party::Role => {}
        Party::AssignedUnit => {
            if case.units.as_ref().is_none_or(|u| u.primary != actor.unit) {
                return Err(Refusal::NotAssignedUnit { action: action.into() });
            }
        }
        Party::Summoned => {
            if !case.summons.iter().any(|s| s.pending() && s.unit == actor.unit) {
                return Err(Refusal::NotSummoned { action: action.into() });
            }
        }
        Party::Reporter => {
            if case.reporter.as_deref() != Some(actor.user.as_str()) {
                return Err(Refusal::NotReporter { action: action.into() });
            }
        }
    }
    if !def.channels.is_empty() && !def.channels.iter().any(|c| c == case.channel.as_str()) {
        return Err(Refusal::WrongChannel { action: action.into(), channels: def.channels.join(", ") });
    }
    // Before the needs: `available` probes without them, and must still see this.
    if def.effects.contains(&Effect::Rate) && case.rating.is_some() {
        return Err(Refusal::AlreadyRated);
    }
    for need in &def.needs {
        let (present, field) = match need {
            Need::Opinion => (cmd.opinion.as_deref().is_some_and(|o| !o.trim().is_empty()), "an opinion"),
            Need::Unit => (cmd.units.as_ref().is_some_and(|u| !u.primary.is_empty()), "a primary unit"),
            Need::Extension => (cmd.extension.is_some_and(|e| e.value > 0), "an extension"),
            Need::Rating => (cmd.rating.is_some(), "a rating"),
            Need::Evidence => (!cmd.attachments.is_empty(), "evidence (an attachment)"),
            Need::Parent => (cmd.parent.is_some(), "the case to merge into"),
        };
        if !present {
            return Err(Refusal::Missing { action: action.into(), field, need: *need });
        }
    }
    Ok(def)
}

/// `list` and then the ids of `more` it does not hold already.
pub fn with_field_files(list: &[String], more: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashSet<&String> = list.iter().collect();
    let mut out = list.to_vec();
    out.extend(more.iter().filter(|id| seen.insert(id)).cloned());
    out
}

/// Applies an action: the new case and its log entry, or why not.
pub fn apply(
    wf: &Workflow,
    cal: &WorkCalendar,
    case: &Case,
    cmd: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Case, LogEntry), Refusal> {
    let def = check(wf, case, cmd, actor)?;
    let mut next = case.clone();
    next.fields = merge(wf.fields(), &case.fields, &cmd.fields, &def.key).map_err(Refusal::Field)?;
    for effect in &def.effects {
        match effect {
            Effect::AssignUnits => next.units = cmd.units.clone(),
            Effect::ClearUnits => next.units = None,
            Effect::RequestExtension => next.pending_extension = cmd.extension,
            Effect::Extend => {
                if let (Some(clock), Some(by)) = (next.clock.as_mut(), next.pending_extension.take()) {
                    clock.extend(cal, by)?;
                    next.extension_count += 1;
                }
            }
            Effect::Pause => {
                if let Some(clock) = next.clock.as_mut() {
                    clock.pause(now);
                }
            }
            Effect::Resume => {
                if let Some(clock) = next.clock.as_mut() {
                    clock.resume(cal, now)?;
                }
            }
            Effect::CountRework => next.rework_count += 1,
            Effect::Urge => next.urge_count += 1,
            Effect::Supervise => next.supervise_count += 1,
            Effect::Rate => next.rating = cmd.rating.clone(),
            Effect::Whistle => {
                next.level = match case.level {
                    HandlingLevel::Community => HandlingLevel::Street,
                    HandlingLevel::Street => HandlingLevel::District,
                    HandlingLevel::District => return Err(Refusal::TopLevel),
                };
                let summoned =
                    cmd.units.clone().unwrap_or(Assignment { primary: String::new(), assisting: Vec::new() });
                let limit = wf.step_limit(SUMMONS_STEP).unwrap_or(TimeLimit { value: 2, unit: TimeUnit::WorkingHours });
                let due = cal.add(now, limit)?;
                for unit in std::iter::once(&summoned.primary).chain(&summoned.assisting) {
                    next.summons.push(Summons {
                        unit: unit.clone(),
                        summoned_at: now,
                        due,
                        reported_at: None,
                        escalated_at: None,
                    });
                }
                let mut assisting = summoned.assisting.clone();
                if let Some(old) = &case.units {
                    assisting.push(old.primary.clone());
                }
                next.units = Some(Assignment { primary: summoned.primary, assisting });
            }
            Effect::Merge => next.merged_into = cmd.parent,
            Effect::ReportIn => {
                if let Some(s) = next.summons.iter_mut().find(|s| s.pending() && s.unit == actor.unit) {
                    s.reported_at = Some(now);
                }
            }
        }
    }
    if !def.stays && !def.effects.iter().any(|e| matches!(e, Effect::Extend | Effect::RequestExtension)) {
        // Any other decision forgets an extension that was asked for (an urging decides nothing).
        next.pending_extension = None;
    }
    // An action that stays (催办, 督办) leaves the case in its state, its clock running on.
    let target = if def.stays { case.state.clone() } else { def.to.clone() };
    let to = wf.state(&target).expect("validated workflow");
    next.state = target;
    // A new step starts a new clock; the same step keeps its clock; no step, no clock.
    let rework = def.effects.contains(&Effect::CountRework);
    next.clock = match (&to.step, next.clock.take()) {
        (None, _) => None,
        (Some(step), Some(clock)) if clock.step == *step && !rework => Some(clock),
        (Some(step), _) => Some(StepClock::start(cal, step, step_limit(wf, step, case.handling_limit), now)?),
    };
    if to.terminal && next.closed_at.is_none() {
        next.closed_at = Some(now);
    }
    // The step this action ended (if any) and whether it ended late.
    let ended = match (&case.clock, &next.clock) {
        (Some(old), Some(new)) => old.step != new.step || old.started_at != new.started_at,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let overdue = ended && case.clock.as_ref().is_some_and(|c| c.overdue(now));
    let ended_step = if ended { case.clock.as_ref().map(|c| c.step.clone()) } else { None };
    // Late on the step the kind's units are held to: the closing will not be on time.
    let held_late = overdue && ended_step.as_deref() == Some(wf.held_step());
    if held_late {
        next.late_handling += 1;
    }
    next.seq = case.seq + 1;
    let entry = LogEntry {
        seq: next.seq,
        at: now,
        actor: actor.clone(),
        action: def.key.clone(),
        from_state: Some(case.state.clone()),
        to_state: next.state.clone(),
        opinion: cmd.opinion.clone(),
        public: cmd.public && cmd.opinion.is_some(),
        // The files given in the kind's fields too, so that they belong to the case like evidence.
        attachments: with_field_files(&cmd.attachments, &super::fields::attachment_ids(wf.fields(), &cmd.fields)),
        units: if def.effects.iter().any(|e| matches!(e, Effect::AssignUnits | Effect::Whistle)) {
            next.units.clone()
        } else {
            None
        },
        units_cleared: def.effects.contains(&Effect::ClearUnits),
        deadline: next.clock.as_ref().map(|c| c.deadline),
        overdue,
        ended_step,
        counts: def.counts.clone(),
        held_late,
        fields: cmd.fields.keys().cloned().collect(),
    };
    Ok((next, entry))
}

/// The actions of the workflow and, for each, whether `actor` may take it now (and why not).
pub fn available<'w>(wf: &'w Workflow, case: &Case, actor: &Actor) -> Vec<(&'w str, Result<(), Refusal>)> {
    wf.actions()
        .iter()
        .filter(|a| a.from.contains(&case.state))
        .map(|a| {
            let probe = Command { action: a.key.clone(), ..Default::default() };
            let verdict = match check(wf, case, &probe, actor) {
                Err(Refusal::Missing { .. }) | Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            (a.key.as_str(), verdict)
        })
        .collect()
}
