//! What a log entry means to someone watching live (the command centre's wall, a unit's inbox):
//! a new case, a dispatch, a whistle, an overdue step or an escalation, a closing, a note, or
//! another step. Decided from the workflow's effects and states, not from action names.

use super::case::LogEntry;
use super::notes::{ABSORB, NOTE, PARENT_CLOSED, SWEEP_ESCALATE, SWEEP_OVERDUE};
use super::workflow::{Effect, Workflow};

/// new | dispatched | whistle | urged | overdue | escalated | closed | note | updated
pub fn event_kind(e: &LogEntry, wf: Option<&Workflow>) -> &'static str {
    if e.from_state.is_none() {
        return "new";
    }
    match e.action.as_str() {
        SWEEP_OVERDUE => return "overdue",
        SWEEP_ESCALATE => return "escalated",
        NOTE | ABSORB | PARENT_CLOSED => return "note",
        _ => {}
    }
    let effects = wf.and_then(|w| w.action(&e.action)).map(|a| a.effects.as_slice()).unwrap_or_default();
    if effects.contains(&Effect::Whistle) {
        "whistle"
    } else if effects.iter().any(|e| matches!(e, Effect::Urge | Effect::Supervise)) {
        "urged"
    } else if effects.contains(&Effect::AssignUnits) {
        "dispatched"
    } else if wf.and_then(|w| w.state(&e.to_state)).is_some_and(|d| d.terminal) {
        "closed"
    } else {
        "updated"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::case::Actor;
    use crate::people::Role;

    const EVENT: &str = include_str!("../../../../data/workflows/event.toml");

    fn entry(action: &str, from: Option<&str>, to: &str) -> LogEntry {
        LogEntry {
            seq: 2,
            at: chrono::DateTime::UNIX_EPOCH,
            actor: Actor { user: "u".into(), role: Role::Dispatcher, unit: "1302:command_centre".into() },
            action: action.into(),
            from_state: from.map(str::to_string),
            to_state: to.into(),
            opinion: None,
            attachments: vec![],
            units: None,
            deadline: None,
            overdue: false,
            ended_step: None,
            public: false,
            counts: Vec::new(),
            units_cleared: false,
            fields: Default::default(),
            held_late: false,
        }
    }

    #[test]
    fn the_workflow_says_what_an_entry_means() {
        let wf = Workflow::from_toml(EVENT).unwrap();
        let k = |a, f, t| event_kind(&entry(a, f, t), Some(&wf));
        assert_eq!(k("report", None, "reported"), "new");
        assert_eq!(k("dispatch", Some("filed"), "dispatched"), "dispatched");
        assert_eq!(k("whistle", Some("dispatched"), "dispatched"), "whistle");
        assert_eq!(k("overdue", Some("dispatched"), "dispatched"), "overdue");
        assert_eq!(k("escalate", Some("dispatched"), "dispatched"), "escalated");
        assert_eq!(k("close", Some("pending_close"), "closed"), "closed");
        assert_eq!(k("note", Some("closed"), "closed"), "note", "a note on a closed case does not close it again");
        assert_eq!(k("parent_closed", Some("merged"), "merged"), "note", "nor does news of its parent");
        assert_eq!(k("feedback", Some("dispatched"), "handled"), "updated");
    }
}
