//! Everyday problems (`data/resident/everyday.toml`): the handful of problems a resident recognises
//! (路灯不亮, 垃圾没清运, 井盖缺失/破损 …), each with its names, an icon and the catalogue type and
//! kind of case it is reported as. The resident's report page offers them before the catalogue.

use serde::Deserialize;
use thiserror::Error;

use crate::taxonomy::{Taxonomy, TypeCode};

/// The most problems a list may hold: tiles on a phone, not a second catalogue.
pub const MAX_PROBLEMS: usize = 40;

/// One everyday problem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Stable key (`street-light`).
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// An emoji shown as it is.
    pub icon: String,
    /// The catalogue type it is reported as.
    #[serde(rename = "type", deserialize_with = "type_code")]
    pub type_code: TypeCode,
    /// The kind of case (`event` unless given).
    #[serde(default = "event")]
    pub kind: String,
}

fn event() -> String {
    "event".into()
}

fn type_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TypeCode, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// The list, as a version of reference data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Everyday {
    pub version: String,
    #[serde(rename = "problem")]
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("everyday problems: {0}")]
pub struct EverydayError(String);

impl Everyday {
    /// Parses and checks a list: a version, 1 to [`MAX_PROBLEMS`] problems with unique keys and
    /// names and icons given.
    pub fn from_toml(text: &str) -> Result<Everyday, EverydayError> {
        let list: Everyday = toml::from_str(text).map_err(|e| EverydayError(e.to_string()))?;
        if list.version.trim().is_empty() {
            return Err(EverydayError("the version is empty".into()));
        }
        if list.problems.is_empty() || list.problems.len() > MAX_PROBLEMS {
            return Err(EverydayError(format!("1 to {MAX_PROBLEMS} problems, not {}", list.problems.len())));
        }
        let mut keys = std::collections::HashSet::new();
        for p in &list.problems {
            if !keys.insert(p.key.as_str()) {
                return Err(EverydayError(format!("the key `{}` is used twice", p.key)));
            }
            let blank = [("key", &p.key), ("name_zh", &p.name_zh), ("name_en", &p.name_en), ("icon", &p.icon)]
                .into_iter()
                .find(|(_, v)| v.trim().is_empty());
            if let Some((field, _)) = blank {
                return Err(EverydayError(format!("{}: {field} is empty", p.key)));
            }
        }
        Ok(list)
    }

    /// The problems a report can be made as now: those whose type is in the catalogue and whose
    /// kind is one of `kinds` (a city's catalogue may lack a type the shipped list names).
    pub fn in_force<'a>(&'a self, taxonomy: &'a Taxonomy, kinds: &'a [&str]) -> impl Iterator<Item = &'a Problem> {
        self.problems.iter().filter(|p| taxonomy.get(&p.type_code).is_some() && kinds.contains(&p.kind.as_str()))
    }

    /// The problems whose type is not in `taxonomy` (a shipped list and catalogue must agree).
    pub fn unknown_types<'a>(&'a self, taxonomy: &Taxonomy) -> Vec<&'a Problem> {
        self.problems.iter().filter(|p| taxonomy.get(&p.type_code).is_none()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_checked() {
        let one = |extra: &str| {
            format!(
                "version = \"v1\"\n[[problem]]\nkey = \"a\"\nname_zh = \"路灯不亮\"\nname_en = \"Light out\"\nicon = \"💡\"\ntype = \"0118\"\n{extra}"
            )
        };
        let list = Everyday::from_toml(&one("")).unwrap();
        assert_eq!(list.problems[0].kind, "event");
        assert_eq!(list.problems[0].type_code.as_str(), "0118");
        let twice = format!(
            "{}\n[[problem]]\nkey = \"a\"\nname_zh = \"x\"\nname_en = \"x\"\nicon = \"x\"\ntype = \"0101\"",
            one("")
        );
        assert!(Everyday::from_toml(&twice).unwrap_err().to_string().contains("used twice"));
        assert!(Everyday::from_toml(&one("colour = \"red\"")).is_err(), "unknown fields are refused");
        assert!(Everyday::from_toml(&one("").replace("0118", "118")).is_err(), "a type code has 4 digits");
        assert!(Everyday::from_toml(&one("").replace("💡", " ")).unwrap_err().to_string().contains("icon is empty"));
        assert!(Everyday::from_toml("version = \"v1\"\nproblem = []").is_err(), "an empty list");
    }
}
