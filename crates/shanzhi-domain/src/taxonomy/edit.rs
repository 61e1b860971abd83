//! Changing one type's rules in the page: a new version of the catalogue made from the one in
//! force by rewriting that type's entry in its TOML text, every other line (comments included)
//! kept as it was. The result is an ordinary catalogue file, checked like any imported one.

use thiserror::Error;
use toml_edit::{DocumentMut, InlineTable, Item, Value, value};

use super::EventType;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    #[error("the catalogue in force cannot be read as TOML: {0}")]
    Source(String),
    #[error("type {0} is not in the catalogue in force")]
    UnknownType(String),
    #[error("a new version needs a name")]
    NoVersion,
}

/// The catalogue `source` with `version` as its version and the type of `change`'s code given
/// `change`'s names and rules (its category follows from its code and stays).
pub fn with_type(source: &str, version: &str, change: &EventType) -> Result<String, EditError> {
    let code = &change.code;
    let version = version.trim();
    if version.is_empty() {
        return Err(EditError::NoVersion);
    }
    let mut doc: DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| EditError::Source(e.to_string()))?;
    doc["catalogue"]["version"] = value(version);
    let unknown = || EditError::UnknownType(code.as_str().to_string());
    let types = doc.get_mut("type").and_then(Item::as_array_of_tables_mut).ok_or_else(unknown)?;
    let entry =
        types.iter_mut().find(|t| t.get("code").and_then(Item::as_str) == Some(code.as_str())).ok_or_else(unknown)?;
    entry["name_zh"] = value(change.name_zh.trim());
    entry["name_en"] = value(change.name_en.trim());
    entry["department"] = value(change.department.as_str());
    if change.assisting.is_empty() {
        entry.remove("assisting");
    } else {
        entry["assisting"] = value(change.assisting.iter().map(String::as_str).collect::<toml_edit::Array>());
    }
    entry["urgency"] = value(change.urgency.as_str());
    entry["level"] = value(change.level.as_str());
    let mut limit = InlineTable::new();
    limit.insert("value", Value::from(i64::from(change.limit.value)));
    limit.insert("unit", Value::from(change.limit.unit.as_str()));
    entry["limit"] = value(limit);
    entry["filing_zh"] = value(change.filing_zh.trim());
    entry["closing_zh"] = value(change.closing_zh.trim());
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
        assert_eq!(with_type(SHIPPED, "v2", &missing), Err(EditError::UnknownType("0198".into())));
        assert_eq!(with_type(SHIPPED, "  ", &change), Err(EditError::NoVersion));
        // A department the register does not know passes here and is caught by the catalogue's check.
        let bad = EventType { department: "nobody".into(), ..change };
        let text = with_type(SHIPPED, "v2", &bad).unwrap();
        assert!(Taxonomy::from_toml(&text, &departments).is_err());
    }
}
