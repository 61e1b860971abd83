//! A role's share of a workflow's actions changed in place (the administration's roles page): a
//! new version of the workflow file in which the role is added to or taken from each action's
//! `roles`, every other line and comment kept. Whether the result is a sound workflow (each
//! action keeps a role) is the import's check. Also the one-time upgrade of a workflow stored
//! before actions declared what they count ([`upgraded_from_shipped`]).

use toml_edit::{Array, Item};

use crate::cases::workflow::Workflow;
use crate::edit::{EditError, open, set_list, tables};
use crate::people::Role;

/// What a change of a role's actions made: the new file and the actions gained and lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub text: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// The workflow `source` as version `version`, in which `role` may take exactly the actions
/// `actions` (keys). An unknown key is `EditError::Unknown`.
pub fn with_role_actions(source: &str, version: &str, role: Role, actions: &[String]) -> Result<Granted, EditError> {
    let mut doc = open(source, version, &["version"])?;
    let list = tables(&mut doc, "action", "actions")?;
    let known: Vec<String> =
        list.iter().filter_map(|t| t.get("key").and_then(Item::as_str)).map(str::to_string).collect();
    if let Some(unknown) = actions.iter().find(|a| !known.contains(a)) {
        return Err(EditError::Unknown(format!("action {unknown}")));
    }
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for entry in list.iter_mut() {
        let Some(key) = entry.get("key").and_then(Item::as_str).map(str::to_string) else { continue };
        let wanted = actions.contains(&key);
        let has = |roles: &Array| roles.iter().any(|r| r.as_str() == Some(role.as_str()));
        match entry.get_mut("roles").and_then(Item::as_array_mut) {
            Some(roles) if wanted && !has(roles) => {
                roles.push(role.as_str());
                added.push(key);
            }
            Some(roles) if !wanted && has(roles) => {
                roles.retain(|r| r.as_str() != Some(role.as_str()));
                // As written by hand: `["a", "b"]`, whichever element went (a list written over
                // several lines keeps its line breaks).
                if let Some(first) = roles.get_mut(0) {
                    let one_line = first.decor().prefix().and_then(|p| p.as_str()).is_none_or(|p| !p.contains('\n'));
                    if one_line {
                        first.decor_mut().set_prefix("");
                    }
                }
                removed.push(key);
            }
            Some(_) => {}
            None if wanted => {
                set_list(entry, "roles", [role.as_str()], false);
                added.push(key);
            }
            None => {}
        }
    }
    Ok(Granted { text: doc.to_string(), added, removed })
}

/// The workflow `source` as version `version`, with what each action counts taken from
/// `shipped` (the same kind's shipped workflow) for every action of the same key that declares no
/// counts: how a workflow stored before actions declared their counts keeps counting what the
/// code counted for it then (the shipped meanings, matched by kind and action key), and published
/// over Open311 as the shipped kind is, when it says nothing of it (the code published the event
/// kind by its name then). `None` when `source` already declares counts somewhere, or nothing
/// would change.
pub fn upgraded_from_shipped(source: &str, version: &str, shipped: &Workflow) -> Result<Option<String>, EditError> {
    let mut doc = open(source, version, &["version"])?;
    if tables(&mut doc, "action", "actions")?.iter().any(|t| t.contains_key("counts")) {
        return Ok(None);
    }
    let mut changed = false;
    // Published over Open311 as the shipped kind was (the code published it by its name then).
    if let Some(d) = shipped.open311()
        && !doc.contains_key("open311")
    {
        let mut t = toml_edit::Table::new();
        if d.catalogue {
            t["catalogue"] = toml_edit::value(true);
        }
        if let Some(code) = &d.service_code {
            t["service_code"] = toml_edit::value(code.as_str());
        }
        if let Some(ty) = &d.type_code {
            t["type"] = toml_edit::value(ty.as_str());
        }
        doc["open311"] = toml_edit::Item::Table(t);
        changed = true;
    }
    let list = tables(&mut doc, "action", "actions")?;
    for entry in list.iter_mut() {
        let Some(def) = entry.get("key").and_then(Item::as_str).and_then(|k| shipped.action(k)) else { continue };
        if !def.counts.is_empty() {
            set_list(entry, "counts", def.counts.iter().map(|c| c.as_str()), true);
            changed = true;
        }
    }
    Ok(changed.then(|| doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_workflow(text: &str) -> Result<Workflow, crate::cases::workflow::WorkflowError> {
        Workflow::from_toml(text)
    }

    const EVENT: &str = include_str!("../../../../data/workflows/event.toml");

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_role_gains_and_loses_actions_and_nothing_else_changes() {
        let before = parse_workflow(EVENT).unwrap();
        let mut mine: Vec<String> =
            before.actions().iter().filter(|a| a.roles.contains(&Role::Dispatcher)).map(|a| a.key.clone()).collect();
        assert!(mine.contains(&"merge".to_string()), "the dispatcher merges duplicates in the file");
        mine.retain(|k| k != "merge");
        mine.push("file".into());
        let g = with_role_actions(EVENT, "event-2026.6", Role::Dispatcher, &mine).unwrap();
        assert_eq!((g.added, g.removed), (keys(&["file"]), keys(&["merge"])));
        let after = parse_workflow(&g.text).unwrap();
        assert_eq!(after.version, "event-2026.6");
        for (a, b) in before.actions().iter().zip(after.actions()) {
            let mut roles = a.roles.clone();
            match a.key.as_str() {
                "merge" => roles.retain(|r| *r != Role::Dispatcher),
                "file" => roles.push(Role::Dispatcher),
                _ => {}
            }
            assert_eq!((&b.key, &b.roles, &b.from, &b.to), (&a.key, &roles, &a.from, &a.to), "{}", a.key);
        }
        // Comments and the other lines stay as written.
        assert_eq!(EVENT.lines().count(), g.text.lines().count());
        assert!(g.text.contains("# 其他来源：受理员转核实"), "a comment kept");
        // The first role taken from a list leaves it as written by hand.
        let operator: Vec<String> = before
            .actions()
            .iter()
            .filter(|a| a.roles.contains(&Role::IntakeOperator) && a.key != "merge")
            .map(|a| a.key.clone())
            .collect();
        let g = with_role_actions(EVENT, "event-2026.6", Role::IntakeOperator, &operator).unwrap();
        assert_eq!(g.removed, keys(&["merge"]));
        assert!(g.text.contains("roles = [\"dispatcher\"]\nneeds = [\"parent\""), "{}", g.text);
    }

    #[test]
    fn the_same_actions_change_nothing_and_an_unknown_action_is_named() {
        let wf = parse_workflow(EVENT).unwrap();
        let same: Vec<String> =
            wf.actions().iter().filter(|a| a.roles.contains(&Role::GridWorker)).map(|a| a.key.clone()).collect();
        let g = with_role_actions(EVENT, "event-x", Role::GridWorker, &same).unwrap();
        assert!(g.added.is_empty() && g.removed.is_empty());
        assert_eq!(g.text, EVENT.replace("version = \"event-2026.5\"", "version = \"event-x\""));
        assert_eq!(
            with_role_actions(EVENT, "event-x", Role::GridWorker, &keys(&["fly"])),
            Err(EditError::Unknown("action fly".into()))
        );
        assert_eq!(with_role_actions(EVENT, " ", Role::GridWorker, &[]), Err(EditError::NoVersion));
    }

    #[test]
    fn a_workflow_stored_before_counts_gains_the_shipped_counts_once() {
        let shipped = parse_workflow(EVENT).unwrap();
        let old: String = EVENT
            .lines()
            .filter(|l| !l.starts_with("counts = ") && *l != "[open311]" && *l != "catalogue = true")
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse_workflow(&old).unwrap().actions().iter().all(|a| a.counts.is_empty()));
        let text = upgraded_from_shipped(&old, "event-2026.2+counts", &shipped).unwrap().expect("an upgrade");
        let upgraded = parse_workflow(&text).unwrap();
        assert_eq!(upgraded.version, "event-2026.2+counts");
        for (a, b) in shipped.actions().iter().zip(upgraded.actions()) {
            assert_eq!((&a.key, &a.counts), (&b.key, &b.counts));
        }
        assert_eq!(upgraded.open311(), shipped.open311(), "still published over Open311");
        assert_eq!(upgraded_from_shipped(&text, "again", &shipped).unwrap(), None, "once only");
        assert!(text.contains("# 其他来源：受理员转核实"), "comments kept");
    }
}
