//! Organisations that cases are routed to: the department register (`data/org/departments.toml`).

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantNames};

use crate::ids::Level;

/// What sort of unit a department is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DepartmentKind {
    /// A government department or public institution (bureau, office, centre).
    Government,
    /// A public-utility company (water, power, gas, heating, telecom, post).
    Utility,
    /// A police unit (public security, traffic police).
    Police,
}

impl DepartmentKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One department or unit that cases can be routed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable kebab-case key, referenced by the taxonomy (e.g. `urban-management`).
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: DepartmentKind,
    /// The division levels at which the unit exists: `city`, `county` (each district/county) or
    /// `township` (each street office/town).
    pub levels: Vec<Level>,
}

impl Department {
    pub fn exists_at(&self, level: Level) -> bool {
        self.levels.contains(&level)
    }
}

/// The versioned department register. Only [`Departments::from_toml`] builds one, so keys are
/// unique and well formed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Departments {
    pub version: String,
    pub departments: Vec<Department>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartments {
    version: String,
    #[serde(default, rename = "department")]
    departments: Vec<Department>,
}

impl Departments {
    /// Parses and validates a register, reporting every problem at once.
    pub fn from_toml(text: &str) -> Result<Departments, OrgError> {
        let raw: RawDepartments = toml::from_str(text).map_err(|e| OrgError::Parse(TomlSyntaxError::new(text, &e)))?;
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        if raw.version.trim().is_empty() {
            problems.push(OrgProblem::new("register", "version", "is empty"));
        }
        for (i, d) in raw.departments.iter().enumerate() {
            let item = if d.key.is_empty() { format!("#{}", i + 1) } else { d.key.clone() };
            if !is_kebab_key(&d.key) {
                problems.push(OrgProblem::new(&item, "key", "must be lowercase kebab-case"));
            } else if !seen.insert(d.key.as_str()) {
                problems.push(OrgProblem::new(&item, "key", "is a duplicate"));
            }
            for (field, value) in [("name_zh", &d.name_zh), ("name_en", &d.name_en)] {
                if value.trim().is_empty() {
                    problems.push(OrgProblem::new(&item, field, "is empty"));
                }
            }
            if d.levels.is_empty() {
                problems.push(OrgProblem::new(&item, "levels", "is empty"));
            }
        }
        if problems.is_empty() {
            Ok(Departments { version: raw.version, departments: raw.departments })
        } else {
            Err(OrgError::Invalid(problems))
        }
    }

    pub fn get(&self, key: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.key == key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// `a-z`, `0-9` and single inner hyphens, e.g. `water-supply`.
fn is_kebab_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('-')
        && !key.ends_with('-')
        && !key.contains("--")
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A TOML syntax error (or a value of the wrong shape), with the 1-based line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlSyntaxError {
    pub line: Option<usize>,
    pub message: String,
}

impl TomlSyntaxError {
    pub(crate) fn new(text: &str, err: &toml::de::Error) -> TomlSyntaxError {
        let line = err.span().map(|span| {
            let end = span.start.min(text.len());
            text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
        });
        TomlSyntaxError { line, message: err.message().trim().to_string() }
    }
}

impl fmt::Display for TomlSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One problem found in a department register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgProblem {
    /// The department key (or `#n` for the n-th entry without a key), or `register`.
    pub item: String,
    pub field: &'static str,
    pub issue: String,
}

impl OrgProblem {
    fn new(item: &str, field: &'static str, issue: &str) -> OrgProblem {
        OrgProblem { item: item.to_string(), field, issue: issue.to_string() }
    }
}

impl fmt::Display for OrgProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "department {}, {}: {}", self.item, self.field, self.issue)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("department register is not valid TOML: {0}")]
    Parse(TomlSyntaxError),
    #[error("department register has {} problem(s): {}", .0.len(), join(.0))]
    Invalid(Vec<OrgProblem>),
}

pub(crate) fn join<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../data/org/departments.toml");

    #[test]
    fn shipped_register_loads() {
        let deps = Departments::from_toml(SHIPPED).expect("shipped register is valid");
        assert_eq!(deps.version, "tangshan-2026.1");
        assert!((20..=30).contains(&deps.departments.len()));
        let um = deps.get("urban-management").expect("urban management exists");
        assert_eq!(um.kind, DepartmentKind::Government);
        assert!(um.exists_at(Level::County));
        assert_eq!(deps.get("traffic-police").map(|d| d.kind), Some(DepartmentKind::Police));
        assert_eq!(deps.get("gas").map(|d| d.kind), Some(DepartmentKind::Utility));
    }

    #[test]
    fn every_problem_is_reported() {
        let text = r#"
version = "x"
[[department]]
key = "Bad_Key"
name_zh = "甲"
name_en = "A"
kind = "government"
levels = ["city"]
[[department]]
key = "gas"
name_zh = ""
name_en = "Gas"
kind = "utility"
levels = []
[[department]]
key = "gas"
name_zh = "燃气"
name_en = "Gas"
kind = "utility"
levels = ["county"]
"#;
        let Err(OrgError::Invalid(problems)) = Departments::from_toml(text) else { panic!("expected Invalid") };
        let got: Vec<_> = problems.iter().map(|p| (p.item.as_str(), p.field)).collect();
        assert_eq!(got, [("Bad_Key", "key"), ("gas", "name_zh"), ("gas", "levels"), ("gas", "key")]);
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let text = "version = \"x\"\n[[department]]\nkey = \"a\"\nkind = \"bank\"\n";
        let Err(OrgError::Parse(e)) = Departments::from_toml(text) else { panic!("expected Parse") };
        assert_eq!(e.line, Some(4), "{e}");
    }
}
