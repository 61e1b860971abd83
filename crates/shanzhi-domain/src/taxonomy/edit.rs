//! Changing one type's rules in the page: a new version of the catalogue made from the one in
//! force by rewriting that type's entry in its TOML text, every other line (comments included)
//! kept as it was. The result is an ordinary catalogue file, checked like any imported one.

use toml_edit::{InlineTable, Item, Value, value};

use super::EventType;
pub use crate::edit::EditError;
use crate::edit::{open, set_list, set_text, tables};

/// The catalogue `source` with `version` as its version and the type of `change`'s code given
/// `change`'s names and rules (its category follows from its code and stays).
pub fn with_type(source: &str, version: &str, change: &EventType) -> Result<String, EditError> {
    let code = change.code.as_str();
    let what = format!("type {code}");
    let mut doc = open(source, version, &["catalogue", "version"])?;
    let entry = tables(&mut doc, "type", &what)?
        .iter_mut()
        .find(|t| t.get("code").and_then(Item::as_str) == Some(code))
        .ok_or(EditError::Unknown(what))?;
    set_text(entry, "name_zh", &change.name_zh);
    set_text(entry, "name_en", &change.name_en);
    set_text(entry, "department", &change.department);
    set_list(entry, "assisting", change.assisting.iter().map(String::as_str), true);
    entry["urgency"] = value(change.urgency.as_str());
    entry["level"] = value(change.level.as_str());
    let mut limit = InlineTable::new();
    limit.insert("value", Value::from(i64::from(change.limit.value)));
    limit.insert("unit", Value::from(change.limit.unit.as_str()));
    entry["limit"] = value(limit);
    set_text(entry, "filing_zh", &change.filing_zh);
    set_text(entry, "closing_zh", &change.closing_zh);
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Departments;
    use crate::taxonomy::{HandlingLevel, Taxonomy, TypeCode, Urgency};
    use crate::time_limit::{TimeLimit, TimeUnit};

    const SHIPPED: &str = include_str!("../../../../data/taxonomy/tangshan-2026.1.toml");
    const DEPARTMENTS: &str = include_str!("../../../../data/org/departments.toml");

    #[test]
    fn one_type_changes_and_everything_else_stays() {
        let departments = Departments::from_toml(DEPARTMENTS).unwrap();
        let before = Taxonomy::from_toml(SHIPPED, &departments).unwrap();
        let code: TypeCode = "0101".parse().unwrap();
        let mut change = before.get(&code).unwrap().clone();
        change.limit = TimeLimit { value: 4, unit: TimeUnit::WorkingHours };
        change.level = HandlingLevel::Street;
        change.urgency = Urgency::Normal;
        change.assisting = vec![];
        change.filing_zh = "  上水井盖缺失或破损  ".into();
        let text = with_type(SHIPPED, "tangshan-2026.1-a", &change).unwrap();
        let after = Taxonomy::from_toml(&text, &departments).unwrap();
        assert_eq!(after.version, "tangshan-2026.1-a");
        let t = after.get(&code).unwrap();
        assert_eq!((t.limit, t.level, t.urgency), (change.limit, HandlingLevel::Street, Urgency::Normal));
        assert!(t.assisting.is_empty());
        assert_eq!(t.filing_zh, "上水井盖缺失或破损");
        // Every other type is as it was, and the comments of the file are still there.
        assert_eq!(after.types.len(), before.types.len());
        for (a, b) in after.types.iter().zip(&before.types).filter(|(a, _)| a.code != code) {
            assert_eq!(a, b);
        }
        assert!(text.contains("# ---- 01 公用设施 (component) ----"));
        assert_eq!(after.categories, before.categories);
    }

    #[test]
    fn an_unknown_type_or_an_empty_version_is_refused() {
        let departments = Departments::from_toml(DEPARTMENTS).unwrap();
        let before = Taxonomy::from_toml(SHIPPED, &departments).unwrap();
        let change = before.types[0].clone();
        let missing = EventType { code: "0198".parse().unwrap(), ..change.clone() };
        assert_eq!(with_type(SHIPPED, "v2", &missing), Err(EditError::Unknown("type 0198".into())));
        assert_eq!(with_type(SHIPPED, "  ", &change), Err(EditError::NoVersion));
        // A department the register does not know passes here and is caught by the catalogue's check.
        let bad = EventType { department: "nobody".into(), ..change };
        let text = with_type(SHIPPED, "v2", &bad).unwrap();
        assert!(Taxonomy::from_toml(&text, &departments).is_err());
    }
}
