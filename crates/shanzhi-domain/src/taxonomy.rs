//! The component/event catalogue (部件事件分类, after GB/T 30428.2): categories, types, and per
//! type the responsible department, urgency, handling level, time limit and filing/closing rules.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::{IntoStaticStr, VariantNames};

use crate::org::{Departments, TomlSyntaxError, join};
use crate::time_limit::TimeLimit;

/// A type code: 2-digit category + 2-digit sequence, e.g. `0101`; neither half is `00`.
/// Sequence `99` is by convention the "other …" type of its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeCode([u8; 4]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("type code must be 4 ASCII digits (category + sequence, neither 00), got `{0}`")]
pub struct TypeCodeError(pub String);

impl TypeCode {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a TypeCode holds ASCII digits")
    }

    /// The 2-digit category code, e.g. `01`.
    pub fn category(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The 2-digit sequence within the category, e.g. `01`.
    pub fn sequence(&self) -> &str {
        &self.as_str()[2..]
    }

    /// True for the `99` "other …" catch-all of a category.
    pub fn is_other(&self) -> bool {
        self.sequence() == "99"
    }
}

impl FromStr for TypeCode {
    type Err = TypeCodeError;
    fn from_str(s: &str) -> Result<TypeCode, TypeCodeError> {
        let bytes: [u8; 4] = s.as_bytes().try_into().map_err(|_| TypeCodeError(s.to_string()))?;
        if !bytes.iter().all(u8::is_ascii_digit) || &bytes[..2] == b"00" || &bytes[2..] == b"00" {
            return Err(TypeCodeError(s.to_string()));
        }
        Ok(TypeCode(bytes))
    }
}

impl fmt::Display for TypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TypeCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TypeCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TypeCode, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether a category holds components (部件, physical objects) or events (事件, occurrences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ItemKind {
    Component,
    Event,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The lowest level that handles a type (小事不出社区，大事不出街道). Ordered low to high.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, IntoStaticStr, VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HandlingLevel {
    Community,
    Street,
    District,
}

impl HandlingLevel {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A major category (大类), e.g. `01 公用设施`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Two ASCII digits, e.g. `01`.
    pub code: String,
    pub kind: ItemKind,
    pub name_zh: String,
    pub name_en: String,
}

/// A sub-category (小类) with its operating rules (立案、处置与结案标准).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventType {
    pub code: TypeCode,
    pub name_zh: String,
    pub name_en: String,
    /// Key of the lead department (a key of the department register).
    pub department: String,
    /// Keys of assisting departments.
    pub assisting: Vec<String>,
    pub urgency: Urgency,
    pub level: HandlingLevel,
    /// Handling limit (处置时限).
    pub limit: TimeLimit,
    /// Filing condition (立案条件).
    pub filing_zh: String,
    /// Closing condition (结案条件).
    pub closing_zh: String,
}

/// A validated catalogue; only [`Taxonomy::from_toml`] builds one. Categories and types are
/// sorted by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taxonomy {
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub standard_ref: String,
    pub categories: Vec<Category>,
    pub types: Vec<EventType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    catalogue: RawHeader,
    #[serde(default, rename = "category")]
    categories: Vec<Category>,
    #[serde(default, rename = "type")]
    types: Vec<RawType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    version: String,
    name_zh: String,
    name_en: String,
    standard_ref: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    code: String,
    /// Optional explicit category; when given it must match the code's first two digits.
    category: Option<String>,
    name_zh: String,
    name_en: String,
    department: String,
    #[serde(default)]
    assisting: Vec<String>,
    urgency: Urgency,
    level: HandlingLevel,
    limit: TimeLimit,
    filing_zh: String,
    closing_zh: String,
}

/// What is wrong with one field of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// Not a valid code (category: 2 digits; type: 4 digits), with the text found.
    BadCode(String),
    DuplicateCode,
    /// The type code does not start with its declared category code.
    OutsideCategory {
        category: String,
    },
    UnknownCategory(String),
    UnknownDepartment(String),
    ZeroLimit,
    Empty,
}

/// One problem in a catalogue, naming the item (`catalogue`, `category 01`, `type 0101`, or
/// `type #n` for the n-th type without a code) and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyProblem {
    pub item: String,
    pub field: &'static str,
    pub issue: Issue,
}

impl fmt::Display for TaxonomyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: ", self.item, self.field)?;
        match &self.issue {
            Issue::BadCode(code) => write!(f, "malformed code `{code}`"),
            Issue::DuplicateCode => f.write_str("duplicate code"),
            Issue::OutsideCategory { category } => {
                write!(f, "code does not start with its category `{category}`")
            }
            Issue::UnknownCategory(c) => write!(f, "no category `{c}`"),
            Issue::UnknownDepartment(d) => write!(f, "unknown department key `{d}`"),
            Issue::ZeroLimit => f.write_str("time limit is zero"),
            Issue::Empty => f.write_str("is empty"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxonomyError {
    #[error("catalogue is not valid TOML: {0}")]
    Parse(TomlSyntaxError),
    #[error("catalogue has {} problem(s): {}", .0.len(), join(.0))]
    Invalid(Vec<TaxonomyProblem>),
}

/// Collects problems while a catalogue is checked.
#[derive(Default)]
struct Problems(Vec<TaxonomyProblem>);

impl Problems {
    fn add(&mut self, item: &str, field: &'static str, issue: Issue) {
        let item = item.to_string();
        self.0.push(TaxonomyProblem { item, field, issue });
    }

    fn non_empty(&mut self, item: &str, texts: &[(&'static str, &str)]) {
        for &(field, text) in texts {
            if text.trim().is_empty() {
                self.add(item, field, Issue::Empty);
            }
        }
    }
}

impl RawType {
    fn into_type(self, code: TypeCode) -> EventType {
        EventType {
            code,
            name_zh: self.name_zh,
            name_en: self.name_en,
            department: self.department,
            assisting: self.assisting,
            urgency: self.urgency,
            level: self.level,
            limit: self.limit,
            filing_zh: self.filing_zh,
            closing_zh: self.closing_zh,
        }
    }
}

impl Taxonomy {
    /// Parses and validates a catalogue against a department register, reporting every
    /// problem at once. The number of categories and types is not constrained.
    pub fn from_toml(text: &str, departments: &Departments) -> Result<Taxonomy, TaxonomyError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| TaxonomyError::Parse(TomlSyntaxError::new(text, &e)))?;
        let mut problems = Problems::default();
        let h = &raw.catalogue;
        let header = [("version", &*h.version), ("name_zh", &h.name_zh), ("name_en", &h.name_en)];
        problems.non_empty("catalogue", &header);

        let mut category_codes = HashSet::new();
        for c in &raw.categories {
            let item = format!("category {}", c.code);
            let digits = c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_digit());
            if !digits || c.code == "00" {
                problems.add(&item, "code", Issue::BadCode(c.code.clone()));
            } else if !category_codes.insert(c.code.as_str()) {
                problems.add(&item, "code", Issue::DuplicateCode);
            }
            problems.non_empty(&item, &[("name_zh", &c.name_zh), ("name_en", &c.name_en)]);
        }

        let mut types = Vec::with_capacity(raw.types.len());
        let mut type_codes = HashSet::new();
        for (i, t) in raw.types.into_iter().enumerate() {
            let item = match t.code.as_str() {
                "" => format!("type #{}", i + 1),
                code => format!("type {code}"),
            };
            let code = t.code.parse::<TypeCode>().ok();
            match code {
                None => problems.add(&item, "code", Issue::BadCode(t.code.clone())),
                Some(code) if !type_codes.insert(code) => problems.add(&item, "code", Issue::DuplicateCode),
                Some(_) => {}
            }
            if let Some(code) = code {
                let category = code.category();
                match &t.category {
                    Some(declared) if declared != category => {
                        let issue = Issue::OutsideCategory { category: declared.clone() };
                        problems.add(&item, "code", issue)
                    }
                    _ if !category_codes.contains(category) => {
                        let issue = Issue::UnknownCategory(category.to_string());
                        problems.add(&item, "category", issue)
                    }
                    _ => {}
                }
            }
            let keys =
                std::iter::once(("department", &t.department)).chain(t.assisting.iter().map(|key| ("assisting", key)));
            for (field, key) in keys {
                if !departments.contains(key) {
                    problems.add(&item, field, Issue::UnknownDepartment(key.clone()));
                }
            }
            if t.limit.value == 0 {
                problems.add(&item, "limit", Issue::ZeroLimit);
            }
            let texts = [
                ("name_zh", &*t.name_zh),
                ("name_en", &t.name_en),
                ("filing_zh", &t.filing_zh),
                ("closing_zh", &t.closing_zh),
            ];
            problems.non_empty(&item, &texts);
            types.extend(code.map(|code| t.into_type(code)));
        }
        if !problems.0.is_empty() {
            return Err(TaxonomyError::Invalid(problems.0));
        }

        let mut categories = raw.categories;
        categories.sort_by(|a, b| a.code.cmp(&b.code));
        types.sort_by_key(|t| t.code);
        let RawHeader { version, name_zh, name_en, standard_ref } = raw.catalogue;
        Ok(Taxonomy { version, name_zh, name_en, standard_ref, categories, types })
    }

    pub fn get(&self, code: &TypeCode) -> Option<&EventType> {
        self.types.binary_search_by_key(code, |t| t.code).ok().map(|i| &self.types[i])
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The types of one category, in code order.
    pub fn types_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a EventType> + 'a {
        self.types.iter().filter(move |t| t.code.category() == category)
    }

    /// Whether a type is a component or an event (from its category).
    pub fn kind_of(&self, code: &TypeCode) -> Option<ItemKind> {
        self.category(code.category()).map(|c| c.kind)
    }
}

pub mod edit;

#[cfg(test)]
mod tests;
