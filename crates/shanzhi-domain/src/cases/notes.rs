//! Notes: log entries that leave a case where it is. A person adds one (补充说明: a resident's
//! follow-up, a hotline caller's 催办, an Open311 client's update, a handler's progress note), and
//! the system adds some when another case's action touches this one (a merge, a parent closing).
//! Their action keys are reserved: no workflow may define an action with one of them.

use chrono::{DateTime, Utc};

use super::case::{Actor, Case, LogEntry};

/// A person's note.
pub const NOTE: &str = "note";
/// A duplicate was merged into this case.
pub const ABSORB: &str = "absorb";
/// The case this one was merged into has closed.
pub const PARENT_CLOSED: &str = "parent_closed";
/// The deadline sweep's entries (sweep.rs).
pub const SWEEP_OVERDUE: &str = "overdue";
pub const SWEEP_ESCALATE: &str = "escalate";

/// Action keys a workflow may not use.
pub const RESERVED: [&str; 6] = [REPORT, NOTE, ABSORB, PARENT_CLOSED, SWEEP_OVERDUE, SWEEP_ESCALATE];

/// The first entry of every case (engine::create).
pub const REPORT: &str = "report";

/// The names (Chinese, English) of the entries that are not workflow actions.
pub fn name(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        REPORT => ("上报", "Reported"),
        NOTE => ("补充说明", "Note"),
        ABSORB => ("合并重复案件", "Duplicate merged in"),
        PARENT_CLOSED => ("主案件办结", "Main case finished"),
        SWEEP_OVERDUE => ("超时", "Overdue"),
        SWEEP_ESCALATE => ("超时提级", "Escalated when overdue"),
        _ => return None,
    })
}

/// The longest note, in characters (as a report's description).
pub const MAX_CHARS: usize = 2000;

/// The text of a person's note, trimmed, or why it cannot be one.
pub fn note_text(text: &str) -> Result<&str, crate::text::Bilingual> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_CHARS {
        return Err(crate::text::Bilingual::new(
            format!("备注须为 1 到 {MAX_CHARS} 个字"),
            format!("a note must have 1 to {MAX_CHARS} characters"),
        ));
    }
    Ok(text)
}

/// Appends a note to a case: the next entry of its log, in its state, with its deadline as it is.
pub fn annotate(case: &mut Case, actor: &Actor, now: DateTime<Utc>, action: &str, opinion: String) -> LogEntry {
    case.seq += 1;
    LogEntry {
        seq: case.seq,
        at: now,
        actor: actor.clone(),
        action: action.into(),
        from_state: Some(case.state.clone()),
        to_state: case.state.clone(),
        opinion: Some(opinion),
        attachments: Vec::new(),
        units: None,
        deadline: case.clock.as_ref().map(|c| c.deadline),
        overdue: false,
        ended_step: None,
        public: false,
        counts: Vec::new(),
        units_cleared: false,
        fields: Default::default(),
        held_late: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_text_is_trimmed_and_bounded() {
        assert_eq!(note_text("  仍未修好  "), Ok("仍未修好"));
        assert!(note_text("   ").is_err());
        assert!(note_text(&"字".repeat(MAX_CHARS)).is_ok());
        assert!(note_text(&"字".repeat(MAX_CHARS + 1)).unwrap_err().zh.contains("2000"));
    }
}
