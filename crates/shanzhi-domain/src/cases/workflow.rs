//! Workflows as versioned data: a case kind declares its states, the step (and so the clock)
//! each state runs on, its actions with the states they leave and reach, the roles that may take
//! them, what each needs and what it does. The engine interprets them; a new kind is a new file.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use strum::{IntoStaticStr, VariantNames};
use thiserror::Error;

use super::counts::Count;
use super::fields::{FieldDef, check_defs};
use crate::people::Role;
use crate::time_limit::TimeLimit;

/// The step whose limit comes from the case's type (处置时限) rather than from the workflow.
pub const HANDLING_STEP: &str = "handling";

/// The step limit within which a summoned unit must report in (报到时限).
pub const SUMMONS_STEP: &str = "summons";

/// What an action does besides moving the state. Interpreted by the engine, matched exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Sets the primary and assisting units from the command.
    AssignUnits,
    /// Clears the units (a return approved: the case goes back for re-dispatch).
    ClearUnits,
    /// Adds the extension asked for in the pending request to the deadline in force.
    Extend,
    /// Stops the clock (挂账).
    Pause,
    /// Restarts the clock; the paused time does not count.
    Resume,
    /// Counts one rework (返工).
    CountRework,
    /// Records the reporter's rating; once only.
    Rate,
    /// Remembers the extension asked for, until it is approved or denied.
    RequestExtension,
    /// Blows the whistle (吹哨): summons the units of the command, who must report in before
    /// the `summons` step limit; the case goes up one level and the first summoned unit leads.
    Whistle,
    /// A summoned unit reports in (报到).
    ReportIn,
    /// Merges the case into the command's parent case (a duplicate); its reporter follows it.
    Merge,
    /// Counts one urging (催办): the unit working the case is told to hurry.
    Urge,
    /// Counts one supervision (督办): a higher level takes the case under its watch.
    Supervise,
}

/// Who, beyond the role, may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Party {
    /// Anyone with one of the roles.
    #[default]
    Role,
    /// Only the primary unit the case is assigned to.
    AssignedUnit,
    /// Only the person who reported the case.
    Reporter,
    /// Only a unit with an unanswered summons on the case.
    Summoned,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Need {
    /// The name of the command field that carries it (for error messages that name the field).
    pub fn field(self) -> &'static str {
        match self {
            Need::Opinion => "opinion",
            Need::Unit => "units",
            Need::Extension => "extension",
            Need::Rating => "rating",
            Need::Evidence => "attachments",
            Need::Parent => "parent",
        }
    }
}

/// What a command must carry for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// A written opinion (reason, result).
    Opinion,
    /// A primary unit (and optional assisting units).
    Unit,
    /// An extension amount.
    Extension,
    /// A rating.
    Rating,
    /// At least one attachment (photo evidence).
    Evidence,
    /// The case to merge into.
    Parent,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// The step this state belongs to; states of one step share one clock.
    #[serde(default)]
    pub step: Option<String>,
    /// The clock stands still in this state.
    #[serde(default)]
    pub paused: bool,
    /// No action leaves this state (other than those listed with it, like rating a closed case).
    #[serde(default)]
    pub terminal: bool,
    /// The state in FixMyStreet's extended Open311 vocabulary (`IN_PROGRESS`, `FIXED`, …; see
    /// [`super::open311`]); without it, `OPEN` or `CLOSED`.
    #[serde(default)]
    pub open311: Option<String>,
    /// The roles whose to-do lists the state is on (see [`super::todo`]); without it, every role
    /// with an action from the state. A role named here without an action from the state (one
    /// the administrator took away) has no list for it.
    #[serde(default)]
    pub todo: Option<Vec<Role>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub from: Vec<String>,
    /// The state the action leads to (empty when it `stays`).
    #[serde(default)]
    pub to: String,
    /// The action leaves the case in the state it is in (催办, 督办: a log entry, no transition).
    #[serde(default)]
    pub stays: bool,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub party: Party,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Only for cases that came in through these channels (empty: any channel).
    #[serde(default)]
    pub channels: Vec<String>,
    /// What the action counts as in the figures, as written in the file (`counts = [...]`);
    /// checked into [`ActionDef::counts`] when the workflow is read.
    #[serde(default, rename = "counts")]
    count_names: Vec<String>,
    /// What the action counts as in the figures; the engine records it on the log entry.
    #[serde(skip)]
    pub counts: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowFile {
    kind: String,
    version: String,
    name_zh: String,
    name_en: String,
    entry: HashMap<String, String>,
    steps: HashMap<String, TimeLimit>,
    state: Vec<StateDef>,
    action: Vec<ActionDef>,
    #[serde(default)]
    field: Vec<FieldDef>,
    #[serde(default)]
    open311: Option<Open311Def>,
    /// The step the kind's units are held to (see [`Workflow::held_step`]); `handling` if not said.
    #[serde(default)]
    held_to: Option<String>,
}

/// How a kind is offered to the public over Open311 (GeoReport v2): not at all (no `[open311]`),
/// as one service per type of the catalogue (`catalogue = true`: the service code is the type's
/// code), or as one service of its own (`service_code`, with the catalogue type its reports take).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open311Def {
    #[serde(default)]
    pub catalogue: bool,
    #[serde(default)]
    pub service_code: Option<String>,
    /// The catalogue type a report through `service_code` takes.
    #[serde(default, rename = "type")]
    pub type_code: Option<String>,
}

/// Checks an `[open311]` declaration: one of its two forms, a service code of 1–40 lower-case
/// letters, digits and `_` that cannot be taken for a type code, a 4-digit type.
fn check_open311(d: &Open311Def, problems: &mut Vec<String>) {
    match (d.catalogue, &d.service_code, &d.type_code) {
        (true, None, None) => {}
        (false, Some(code), Some(ty)) => {
            let well_formed = (1..=40).contains(&code.len())
                && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && code.chars().any(|c| c.is_ascii_lowercase());
            if !well_formed {
                problems.push(format!("open311: service_code `{code}` must be 1–40 of a–z, 0–9 and _, with a letter"));
            }
            if !(ty.len() == 4 && ty.chars().all(|c| c.is_ascii_digit())) {
                problems.push(format!("open311: type `{ty}` is not a 4-digit type code"));
            }
        }
        _ => problems
            .push("open311: either `catalogue = true` (a service per type) or `service_code` with `type`".to_string()),
    }
}

/// A validated workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub kind: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// Entry state per channel; `default` for any other channel.
    entry: HashMap<String, String>,
    steps: HashMap<String, TimeLimit>,
    states: Vec<StateDef>,
    actions: Vec<ActionDef>,
    fields: Vec<FieldDef>,
    open311: Option<Open311Def>,
    held_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    #[error("workflow file: {0}")]
    Parse(String),
    #[error("workflow {kind}: {}", problems.join("; "))]
    Invalid { kind: String, problems: Vec<String> },
}

/// The counts an action declares, checked: each a known name, once; `due` only into a state on
/// the handling clock; `rated` only with the `rate` effect.
fn check_counts(a: &ActionDef, states: &[StateDef], held_to: &str, problems: &mut Vec<String>) -> Vec<Count> {
    let mut counts = Vec::new();
    for name in &a.count_names {
        match name.parse::<Count>() {
            Ok(c) if counts.contains(&c) => problems.push(format!("action {} counts `{name}` twice", a.key)),
            Ok(c) => counts.push(c),
            Err(_) => problems.push(format!(
                "action {}: unknown count `{name}` (one of {})",
                a.key,
                Count::names().join(", ")
            )),
        }
    }
    let to_handling = states.iter().any(|s| s.key == a.to && s.step.as_deref() == Some(held_to));
    if counts.contains(&Count::Due) && !to_handling {
        problems.push(format!(
            "action {} counts `due` but its `to` state {} does not run the `{held_to}` step",
            a.key, a.to
        ));
    }
    if counts.contains(&Count::Rated) && !a.effects.contains(&Effect::Rate) {
        problems.push(format!("action {} counts `rated` but has no `rate` effect", a.key));
    }
    counts
}

impl Workflow {
    /// Parses and checks a workflow: every state named by an entry or action exists, every step
    /// has a limit (except the handling step, whose limit is the type's), no two actions share a
    /// key, every non-terminal state can be left, every state can be reached, and what each action
    /// counts as is known and fits what it does (see [`check_counts`]).
    pub fn from_toml(text: &str) -> Result<Workflow, WorkflowError> {
        let mut f: WorkflowFile = toml::from_str(text).map_err(|e| WorkflowError::Parse(e.to_string()))?;
        let mut problems = Vec::new();
        let keys: HashSet<&str> = f.state.iter().map(|s| s.key.as_str()).collect();
        if keys.len() != f.state.len() {
            problems.push("two states share a key".to_string());
        }
        if !f.entry.contains_key("default") {
            problems.push("entry needs a `default` state".to_string());
        }
        for (channel, s) in &f.entry {
            if !keys.contains(s.as_str()) {
                problems.push(format!("entry for {channel}: unknown state `{s}`"));
            }
        }
        for s in &f.state {
            if let Some(step) = &s.step
                && step != HANDLING_STEP
                && !f.steps.contains_key(step)
            {
                problems.push(format!("state {}: step `{step}` has no limit in [steps]", s.key));
            }
            if s.terminal && s.step.is_some() {
                problems.push(format!("state {} is terminal and cannot run a clock", s.key));
            }
            if let Some(v) = &s.open311
                && !super::open311::EXTENDED_STATUSES.contains(&v.as_str())
            {
                problems.push(format!(
                    "state {}: open311 `{v}` is not one of {}",
                    s.key,
                    super::open311::EXTENDED_STATUSES.join(", ")
                ));
            }
        }
        let whistles = f.action.iter().any(|a| a.effects.contains(&Effect::Whistle));
        if whistles && !f.steps.contains_key(SUMMONS_STEP) {
            problems.push(format!("a whistle action needs a `{SUMMONS_STEP}` limit in [steps]"));
        }
        for (step, limit) in &f.steps {
            if limit.value == 0 {
                problems.push(format!("step {step}: a limit of 0"));
            }
        }
        let mut action_keys = HashSet::new();
        for a in &f.action {
            if !action_keys.insert(a.key.as_str()) {
                problems.push(format!("action {} is defined twice", a.key));
            }
            if super::notes::RESERVED.contains(&a.key.as_str()) {
                problems.push(format!("action {}: the key is reserved for notes and the deadline sweep", a.key));
            }
            for s in a.from.iter().chain((!a.stays).then_some(&a.to)) {
                if !keys.contains(s.as_str()) {
                    problems.push(format!("action {}: unknown state `{s}`", a.key));
                }
            }
            if a.stays != a.to.is_empty() {
                problems.push(format!("action {}: give either `to` (the state it leads to) or `stays = true`", a.key));
            }
            if a.stays && a.from.iter().any(|s| f.state.iter().any(|d| d.key == *s && d.terminal)) {
                problems.push(format!("action {}: an action that stays is not taken on a finished case", a.key));
            }
            if a.from.is_empty() || a.roles.is_empty() {
                problems.push(format!("action {} needs at least one `from` state and one role", a.key));
            }
        }
        let held_to = f.held_to.clone().unwrap_or_else(|| HANDLING_STEP.to_string());
        if f.held_to.is_some() && !f.state.iter().any(|s| s.step.as_deref() == Some(held_to.as_str())) {
            problems.push(format!("held_to: no state runs the step `{held_to}`"));
        }
        for a in &mut f.action {
            a.counts = check_counts(a, &f.state, &held_to, &mut problems);
        }
        let action_keys: Vec<&str> = f.action.iter().map(|a| a.key.as_str()).collect();
        check_defs(&mut f.field, &action_keys, &mut problems);
        if let Some(d) = &f.open311 {
            check_open311(d, &mut problems);
        }
        let reachable: HashSet<&str> = f
            .entry
            .values()
            .map(String::as_str)
            .chain(f.action.iter().filter(|a| !a.stays).map(|a| a.to.as_str()))
            .collect();
        for s in &f.state {
            if !reachable.contains(s.key.as_str()) {
                problems.push(format!("state {} can never be reached", s.key));
            }
            let leaves = f.action.iter().any(|a| a.from.contains(&s.key) && !a.stays && a.to != s.key);
            if !s.terminal && !leaves {
                problems.push(format!("state {} is not terminal but no action leaves it", s.key));
            }
        }
        if !problems.is_empty() {
            return Err(WorkflowError::Invalid { kind: f.kind, problems });
        }
        Ok(Workflow {
            kind: f.kind,
            version: f.version,
            name_zh: f.name_zh,
            name_en: f.name_en,
            entry: f.entry,
            steps: f.steps,
            states: f.state,
            actions: f.action,
            fields: f.field,
            open311: f.open311,
            held_to,
        })
    }

    /// The state a new case starts in, for the channel it came through.
    pub fn entry_state(&self, channel: &str) -> &str {
        self.entry.get(channel).or_else(|| self.entry.get("default")).map(String::as_str).unwrap_or_default()
    }

    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }

    pub fn action(&self, key: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.key == key)
    }

    pub fn states(&self) -> &[StateDef] {
        &self.states
    }

    pub fn actions(&self) -> &[ActionDef] {
        &self.actions
    }

    /// The step the kind's units are held to (`held_to`; `handling`, the type's 处置时限, unless
    /// the file names another): an entry that ends it late makes the case's closing late, and
    /// `due` counts its deadline.
    pub fn held_step(&self) -> &str {
        &self.held_to
    }

    /// How the kind is offered over Open311, if it is.
    pub fn open311(&self) -> Option<&Open311Def> {
        self.open311.as_ref()
    }

    /// The fields a case of this kind carries besides the common ones.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// The limit of a step other than handling.
    pub fn step_limit(&self, step: &str) -> Option<TimeLimit> {
        self.steps.get(step).copied()
    }
}
