//! To-do lists, from the workflows' data: which of a kind's states wait for a role (the state's
//! `todo`, or else every role with an action from it), and whose cases in that state the role
//! has to work (any in its data scope, those assigned to its unit, or those it was summoned to),
//! as the parties of its actions from the state say. An action that `stays` (催办, 督办: a log
//! entry, the case waits for someone else) puts nothing on a list: a street may urge any case in
//! its area, but its list holds the cases assigned or summoned to it. A new kind's steps appear
//! in the lists of the roles that work them with no code naming them.

use strum::IntoStaticStr;

use super::workflow::{Party, Workflow};
use crate::people::Role;

/// Whose cases in a state a to-do list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Whose {
    /// Any case in the role's data scope (an action any holder of the role may take).
    Scope,
    /// Those whose primary unit is the holder's unit (the actions are the assigned unit's).
    Unit,
    /// Those with a summons of the whistle waiting (the actions are a summoned unit's).
    Summoned,
}

impl Whose {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One to-do list of a role: the open cases of the workflow's kind in `state`, narrowed by `whose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoList {
    pub state: String,
    pub whose: Whose,
}

/// The to-do lists of `role` in a workflow, in the order of its states. A state whose actions for
/// the role are all the reporter's (rating a closed case) gives none: a reporter's own cases are
/// followed on their own page.
pub fn lists(wf: &Workflow, role: Role) -> Vec<TodoList> {
    let mut out = Vec::new();
    for s in wf.states() {
        let waits = match &s.todo {
            Some(roles) => roles.contains(&role),
            None => true,
        };
        if !waits {
            continue;
        }
        let parties: Vec<Party> = wf
            .actions()
            .iter()
            .filter(|a| a.from.contains(&s.key) && a.roles.contains(&role) && !a.stays)
            .map(|a| a.party)
            .collect();
        let mut whose: Vec<Whose> = if parties.contains(&Party::Role) {
            vec![Whose::Scope]
        } else {
            parties
                .iter()
                .filter_map(|p| match p {
                    Party::AssignedUnit => Some(Whose::Unit),
                    Party::Summoned => Some(Whose::Summoned),
                    Party::Role | Party::Reporter => None,
                })
                .collect()
        };
        whose.sort_unstable();
        whose.dedup();
        out.extend(whose.into_iter().map(|whose| TodoList { state: s.key.clone(), whose }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Workflow {
        Workflow::from_toml(include_str!("../../../../data/workflows/event.toml")).unwrap()
    }

    fn of(wf: &Workflow, role: Role) -> Vec<(String, &'static str)> {
        lists(wf, role).into_iter().map(|l| (l.state, l.whose.as_str())).collect()
    }

    #[test]
    fn each_role_waits_on_the_states_the_shipped_event_workflow_gives_it() {
        let wf = event();
        let pairs = |v: &[(&str, &'static str)]| v.iter().map(|(s, w)| (s.to_string(), *w)).collect::<Vec<_>>();
        assert_eq!(of(&wf, Role::IntakeOperator), pairs(&[("reported", "scope")]));
        assert_eq!(
            of(&wf, Role::Dispatcher),
            pairs(&[
                ("filed", "scope"),
                ("extension_requested", "scope"),
                ("return_requested", "scope"),
                ("suspension_requested", "scope"),
                ("suspended", "scope"),
            ])
        );
        assert_eq!(of(&wf, Role::DepartmentHandler), pairs(&[("dispatched", "unit"), ("dispatched", "summoned")]));
        // A street may urge any case of its area from `dispatched`, but urging is not work the
        // case waits for: its lists are the cases assigned to it and those it was summoned to.
        assert!(wf.action("urge").is_some_and(|a| a.stays && a.roles.contains(&Role::StreetStaff)));
        assert_eq!(of(&wf, Role::StreetStaff), pairs(&[("dispatched", "unit"), ("dispatched", "summoned")]));
        assert_eq!(of(&wf, Role::GridWorker), pairs(&[("verifying", "scope"), ("handled", "scope")]));
        assert_eq!(
            of(&wf, Role::ShiftSupervisor),
            pairs(&[("pending_filing", "scope"), ("pending_close", "scope"), ("void_requested", "scope")])
        );
        assert!(of(&wf, Role::Resident).is_empty(), "a reporter follows their own cases elsewhere");
    }

    #[test]
    fn without_todo_every_role_with_an_action_from_a_state_waits_on_it() {
        let text = include_str!("../../../../data/workflows/event.toml").replace("todo = [", "# todo = [");
        let wf = Workflow::from_toml(&text).unwrap();
        // Merging is open to the dispatcher from four states: each is on its list now.
        let dispatcher: Vec<String> = lists(&wf, Role::Dispatcher).into_iter().map(|l| l.state).collect();
        for s in ["reported", "verifying", "pending_filing", "filed", "dispatched"] {
            assert!(dispatcher.contains(&s.to_string()), "{s} in {dispatcher:?}");
        }
    }

    #[test]
    fn a_role_named_without_an_action_from_the_state_has_no_list_for_it() {
        let text = include_str!("../../../../data/workflows/event.toml").replacen(
            "todo = [\"dispatcher\"]",
            "todo = [\"dispatcher\", \"grid_worker\"]",
            1,
        );
        let wf = Workflow::from_toml(&text).unwrap();
        assert!(!lists(&wf, Role::GridWorker).iter().any(|l| l.state == "filed"));
        assert!(lists(&wf, Role::Dispatcher).iter().any(|l| l.state == "filed"));
    }
}
