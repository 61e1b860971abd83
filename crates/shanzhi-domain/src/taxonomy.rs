//! The component/event catalogue (部件事件分类, after GB/T 30428.2): categories, types, and per
//! type the responsible department, urgency, handling level, time limit and filing/closing rules.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Component,
    Event,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Component => "component",
            ItemKind::Event => "event",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }
}

/// The lowest level that handles a type (小事不出社区，大事不出街道). Ordered low to high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingLevel {
    Community,
    Street,
    District,
}

impl HandlingLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            HandlingLevel::Community => "community",
            HandlingLevel::Street => "street",
            HandlingLevel::District => "district",
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_limit::TimeUnit;

    const CATALOGUE: &str = include_str!("../../../data/taxonomy/tangshan-2026.1.toml");
    const DEPARTMENTS: &str = include_str!("../../../data/org/departments.toml");

    fn departments() -> Departments {
        Departments::from_toml(DEPARTMENTS).expect("shipped register is valid")
    }

    fn shipped() -> Taxonomy {
        Taxonomy::from_toml(CATALOGUE, &departments()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn code(s: &str) -> TypeCode {
        s.parse().expect("valid code")
    }

    #[test]
    fn shipped_catalogue_has_10_categories_and_194_types() {
        let t = shipped();
        assert_eq!(t.version, "tangshan-2026.1");
        assert_eq!((t.categories.len(), t.types.len()), (10, 194));
        let components = t.categories.iter().filter(|c| c.kind == ItemKind::Component).count();
        assert_eq!(components, 5);
        for c in &t.categories {
            let last = t.types_in(&c.code).last().expect("category has types");
            assert!(last.code.is_other() && last.name_zh.starts_with("其他"), "{}", c.code);
        }
    }

    #[test]
    fn urgent_types_are_handled_within_one_working_day() {
        for t in shipped().types.iter().filter(|t| t.urgency == Urgency::Urgent) {
            let max = match t.limit.unit {
                TimeUnit::Minutes => 8 * 60,
                TimeUnit::CalendarHours => 24,
                TimeUnit::WorkingHours => 8,
                TimeUnit::WorkingDays => 1,
            };
            assert!(t.limit.value <= max, "{} {:?}", t.code, t.limit);
        }
    }

    #[test]
    fn shipped_values_are_realistic() {
        let t = shipped();
        for cover in t.types.iter().filter(|t| t.name_zh.ends_with("井盖")) {
            assert_eq!(cover.urgency, Urgency::Urgent, "{}", cover.code);
            assert_eq!(cover.limit.unit, TimeUnit::CalendarHours, "{}", cover.code);
            assert!(cover.limit.value <= 4, "{}", cover.code);
        }
        for name in ["乱堆物堆料", "楼道杂物", "沿街晾挂"] {
            let found = t.types.iter().find(|t| t.name_zh == name).expect(name);
            assert_eq!(found.level, HandlingLevel::Community, "{name}");
        }
        let units: HashSet<_> = t.types.iter().map(|t| t.limit.unit).collect();
        assert_eq!(units.len(), 4, "all four units are used");
        let levels: HashSet<_> = t.types.iter().map(|t| t.level).collect();
        assert_eq!(levels.len(), 3, "all three levels are used");
    }

    #[test]
    fn departments_exist_where_their_types_are_handled_and_all_are_used() {
        use crate::ids::Level;
        let deps = departments();
        let t = shipped();
        for ty in &t.types {
            let d = deps.get(&ty.department).expect("validated");
            let ok = match ty.level {
                HandlingLevel::District => d.exists_at(Level::County),
                HandlingLevel::Street => d.exists_at(Level::County) || d.exists_at(Level::Township),
                HandlingLevel::Community => true,
            };
            assert!(ok, "{} routed to {} at {}", ty.code, d.key, ty.level.as_str());
            assert!(!ty.assisting.contains(&ty.department), "{}", ty.code);
        }
        for d in &deps.departments {
            let used = t.types.iter().any(|ty| ty.department == d.key || ty.assisting.contains(&d.key));
            assert!(used, "department {} routes nothing", d.key);
        }
    }

    #[test]
    fn lookups() {
        let t = shipped();
        assert_eq!(t.get(&code("0101")).map(|t| t.name_zh.as_str()), Some("上水井盖"));
        assert_eq!(t.get(&code("0198")), None);
        assert_eq!(t.kind_of(&code("0903")), Some(ItemKind::Event));
        assert_eq!(t.category("04").map(|c| c.name_zh.as_str()), Some("园林绿化"));
        assert_eq!(t.types_in("09").count(), 20);
        assert_eq!(t.types_in("11").count(), 0);
    }

    #[test]
    fn type_codes_parse_strictly() {
        let c = code("0612");
        assert_eq!((c.category(), c.sequence(), c.to_string()), ("06", "12", "0612".into()));
        for bad in ["", "101", "01011", "0a01", "0001", "0100", "０１０１", " 0101"] {
            assert!(bad.parse::<TypeCode>().is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"0612\"");
        assert_eq!(serde_json::from_str::<TypeCode>("\"0612\"").unwrap(), c);
        assert!(serde_json::from_str::<TypeCode>("\"612\"").is_err());
    }

    const HEADER: &str = r#"
[catalogue]
version = "t"
name_zh = "测试"
name_en = "Test"
standard_ref = "none"
[[category]]
code = "01"
kind = "component"
name_zh = "公用设施"
name_en = "Public utilities"
"#;

    fn ty(code: &str, dept: &str, limit: u32, extra: &str) -> String {
        format!(
            "[[type]]\ncode = \"{code}\"\nname_zh = \"甲\"\nname_en = \"A\"\ndepartment = \"{dept}\"\n\
             urgency = \"normal\"\nlevel = \"street\"\nlimit = {{ value = {limit}, unit = \"working_days\" }}\n\
             filing_zh = \"有\"\nclosing_zh = \"无\"\n{extra}"
        )
    }

    fn problems(text: &str) -> Vec<String> {
        match Taxonomy::from_toml(text, &departments()) {
            Err(TaxonomyError::Invalid(ps)) => ps.iter().map(ToString::to_string).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_broken_catalogue_reports_every_problem() {
        let types = [ty("0101", "gas", 2, ""), ty("0102", "nope", 2, ""), ty("0103", "gas", 0, "")];
        let text = [HEADER, &types.concat(), &ty("0201", "gas", 1, "")].concat();
        assert_eq!(
            problems(&text),
            [
                "type 0102, department: unknown department key `nope`",
                "type 0103, limit: time limit is zero",
                "type 0201, category: no category `02`",
            ]
        );
        let Err(TaxonomyError::Invalid(ps)) = Taxonomy::from_toml(&text, &departments()) else { unreachable!() };
        assert_eq!(ps[0].issue, Issue::UnknownDepartment("nope".into()));
    }

    #[test]
    fn codes_names_and_categories_are_checked() {
        let blank_filing = ty("0103", "gas", 1, "").replace("filing_zh = \"有\"", "filing_zh = \" \"");
        let text = [
            HEADER,
            &ty("0101", "gas", 1, "assisting = [\"gas\", \"bank\"]\n"),
            &ty("0101", "gas", 1, ""),
            &ty("1x01", "gas", 1, ""),
            &ty("0102", "gas", 1, "category = \"02\"\n"),
            &blank_filing,
            "[[category]]\ncode = \"1\"\nkind = \"event\"\nname_zh = \"\"\nname_en = \"E\"\n",
        ]
        .concat();
        assert_eq!(
            problems(&text),
            [
                "category 1, code: malformed code `1`",
                "category 1, name_zh: is empty",
                "type 0101, assisting: unknown department key `bank`",
                "type 0101, code: duplicate code",
                "type 1x01, code: malformed code `1x01`",
                "type 0102, code: code does not start with its category `02`",
                "type 0103, filing_zh: is empty",
            ]
        );
    }

    #[test]
    fn syntax_and_shape_errors_carry_the_line() {
        let text = [HEADER, &ty("0101", "gas", 1, "").replace("\"normal\"", "\"soon\"")].concat();
        let Err(TaxonomyError::Parse(e)) = Taxonomy::from_toml(&text, &departments()) else { panic!("expected Parse") };
        assert_eq!(e.line, Some(17), "{e}"); // the `urgency` line
        let Err(TaxonomyError::Parse(e)) = Taxonomy::from_toml("[catalogue\n", &departments()) else {
            panic!("expected Parse")
        };
        assert_eq!(e.line, Some(1), "{e}");
    }
}
