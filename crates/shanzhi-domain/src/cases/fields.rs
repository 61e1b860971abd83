//! The fields a kind's cases carry besides the common ones (a dispute's parties, a permit's stall
//! size, the households a complaint affects): declared in the workflow file (`[[field]]`), given
//! with the report or with the actions the declaration names, checked when given (each problem
//! names the field, in Chinese and English), kept with the case, and masked when shown.
//!
//! Values are kept as JSON, in the one shape each type accepts: text and addresses as trimmed
//! strings, numbers as numbers, dates as `YYYY-MM-DD`, a choice as its key, a person as
//! `{"name", "phone"?, "id_number"?}`, a list of people as an array of those, attachments as an
//! array of attachment ids.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value};
use strum::{EnumString, IntoStaticStr, VariantNames};

use crate::privacy;
use crate::text::Bilingual;

/// The action key under which fields are given with the report that creates a case.
pub const AT_REPORT: &str = "report";

/// Text fields hold at most this many characters unless the declaration says fewer.
pub const TEXT_MAX: usize = 2000;
/// An address holds at most this many characters.
pub const ADDRESS_MAX: usize = 200;
/// A list of people or attachments holds at most this many unless the declaration says fewer.
pub const LIST_MAX: usize = 200;
/// A person's name holds at most this many characters.
const NAME_MAX: usize = 50;
/// A case carries at most this many fields (so the number of keys a body may bring is bounded).
pub const FIELDS_MAX: usize = 64;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    /// One of the declared choices (by key).
    Choice,
    /// A person: a name, and optionally a phone number and an ID number (personal data: masked).
    Person,
    /// A list of people.
    People,
    Address,
    /// Attachment ids (uploaded first, like a report's photos).
    Attachments,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether values of this type are personal data (masked in answers, exports and feeds).
    pub fn personal(self) -> bool {
        matches!(self, FieldType::Person | FieldType::People)
    }

    /// Whether values of this type are words that a search should find.
    pub fn searchable(self) -> bool {
        matches!(self, FieldType::Text | FieldType::Address)
    }
}

/// One of a choice field's values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A field as the workflow file declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// The type's name as written (`text`, `people`, …); checked into [`FieldDef::ty`].
    #[serde(rename = "type")]
    type_name: String,
    #[serde(skip, default = "text_type")]
    pub ty: FieldType,
    /// A case cannot be reported without it (or, when `report` is not among `at`, the first action
    /// in `at` cannot be taken without it), and it cannot be emptied afterwards.
    #[serde(default)]
    pub required: bool,
    /// The actions that may give or change it; `report` is the report that creates the case.
    #[serde(default = "at_report")]
    pub at: Vec<String>,
    /// For `choice`: the values.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// For `text`: at most this many characters; for `people` and `attachments`: at most this many.
    #[serde(default)]
    pub max: Option<usize>,
    /// For `number`: the least and greatest values allowed.
    #[serde(default)]
    pub min_value: Option<f64>,
    #[serde(default)]
    pub max_value: Option<f64>,
    /// Shown to the reporter (and residents reading the case) as well as the staff, and published
    /// (masked) with the case's Open311 request among its extended attributes.
    #[serde(default)]
    pub public: bool,
    /// A desk may filter the kind's cases by it (`fields=key:test`; choices, numbers and dates
    /// only). Its values are then also kept in the clear beside the sealed case, so a value that
    /// is personal (a birth date, an income) must not be declared so.
    #[serde(default)]
    pub filter: bool,
}

fn text_type() -> FieldType {
    FieldType::Text
}

fn at_report() -> Vec<String> {
    vec![AT_REPORT.to_string()]
}

impl FieldDef {
    /// The action that must carry a required field: `report` when the report may, else the first
    /// action listed.
    pub fn required_at(&self) -> Option<&str> {
        if !self.required {
            return None;
        }
        if self.at.iter().any(|a| a == AT_REPORT) { Some(AT_REPORT) } else { self.at.first().map(String::as_str) }
    }

    fn text_max(&self) -> usize {
        self.max.unwrap_or(TEXT_MAX).min(TEXT_MAX)
    }

    fn list_max(&self) -> usize {
        self.max.unwrap_or(LIST_MAX).min(LIST_MAX)
    }
}

/// Checks the declarations of a workflow (`actions`: its action keys): known types, unique keys
/// written in lower case, choices for a choice field and only there, sensible limits, `at`
/// naming `report` or an action. Every problem names the field.
pub fn check_defs(defs: &mut [FieldDef], actions: &[&str], problems: &mut Vec<String>) {
    let mut keys = HashSet::new();
    if defs.len() > FIELDS_MAX {
        problems.push(format!("at most {FIELDS_MAX} fields"));
    }
    for d in defs.iter_mut() {
        let key = d.key.clone();
        if !keys.insert(key.clone()) {
            problems.push(format!("field {key} is declared twice"));
        }
        let well_formed = key.len() <= 40
            && key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            problems.push(format!("field `{key}`: a key is 1–40 of a–z, 0–9 and _, starting with a letter"));
        }
        match d.type_name.parse::<FieldType>() {
            Ok(t) => d.ty = t,
            Err(_) => problems.push(format!(
                "field {key}: unknown type `{}` (one of {})",
                d.type_name,
                FieldType::VARIANTS.join(", ")
            )),
        }
        if (d.ty == FieldType::Choice) == d.choices.is_empty() {
            problems.push(format!("field {key}: a `choice` field lists its `choices`, and only it"));
        }
        let mut choice_keys = HashSet::new();
        if d.choices.iter().any(|c| !choice_keys.insert(c.key.as_str())) {
            problems.push(format!("field {key}: two choices share a key"));
        }
        // A choice's key is written in the `fields` filter and in Open311 attributes as it is.
        for c in &d.choices {
            let ok = (1..=40).contains(&c.key.len())
                && c.key.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
            if !ok {
                problems.push(format!("field {key}: choice `{}`: a key is 1–40 of letters, digits, _ and -", c.key));
            }
        }
        if d.filter && !d.ty.filterable() {
            problems.push(format!("field {key}: `filter` is for choice, number and date fields"));
        }
        if d.at.is_empty() {
            problems.push(format!("field {key}: `at` names no action"));
        }
        for a in &d.at {
            if a != AT_REPORT && !actions.contains(&a.as_str()) {
                problems.push(format!("field {key}: `at` names `{a}`, which is neither `report` nor an action"));
            }
        }
        let limit = match d.ty {
            FieldType::Text => Some(TEXT_MAX),
            FieldType::People | FieldType::Attachments => Some(LIST_MAX),
            _ => None,
        };
        match (d.max, limit) {
            (Some(0), _) => problems.push(format!("field {key}: a `max` of 0")),
            (Some(m), Some(l)) if m > l => problems.push(format!("field {key}: a `max` above {l}")),
            (Some(_), None) => problems.push(format!("field {key}: `max` is for text, people and attachments")),
            _ => {}
        }
        if (d.min_value.is_some() || d.max_value.is_some()) && d.ty != FieldType::Number {
            problems.push(format!("field {key}: `min_value` and `max_value` are for numbers"));
        }
        if d.min_value.is_some_and(|v| !v.is_finite()) || d.max_value.is_some_and(|v| !v.is_finite()) {
            problems.push(format!("field {key}: `min_value` and `max_value` must be finite"));
        }
        if let (Some(lo), Some(hi)) = (d.min_value, d.max_value)
            && lo > hi
        {
            problems.push(format!("field {key}: `min_value` is above `max_value`"));
        }
    }
}

/// A problem with a given value: the field's path (`fields.parties[1].phone`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: Bilingual,
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message.en)
    }
}

fn problem(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> FieldProblem {
    FieldProblem { field: field.into(), message: Bilingual::new(zh, en) }
}

/// The fields `given` with action `at` (`report` for a new case) checked against the declarations
/// and merged into `current`: the fields after it, or the first problem. A field the action may not
/// give, an unknown field, a wrong value, a required field missing where it is required, or a
/// required field emptied (`null`) is a problem. `null` removes an optional field.
pub fn merge(
    defs: &[FieldDef],
    current: &BTreeMap<String, Value>,
    given: &BTreeMap<String, Value>,
    at: &str,
) -> Result<BTreeMap<String, Value>, FieldProblem> {
    let mut out = current.clone();
    for (key, value) in given {
        let path = format!("fields.{key}");
        let Some(def) = defs.iter().find(|d| &d.key == key) else {
            // The key as given, cut short: an error does not echo a long input back.
            let key: String = key.chars().take(40).collect();
            let path = format!("fields.{key}");
            let known: Vec<&str> = defs.iter().map(|d| d.key.as_str()).collect();
            let list = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            return Err(problem(
                path,
                format!("没有名为「{key}」的字段（本类案件的字段：{list}）"),
                format!("there is no field `{key}` (this kind's fields: {list})"),
            ));
        };
        if !def.at.iter().any(|a| a == at) {
            return Err(problem(
                path,
                format!("「{}」不能在此步骤填写或修改", def.name_zh),
                format!("{} cannot be given or changed by `{at}`", def.name_en),
            ));
        }
        if value.is_null() {
            if def.required {
                return Err(problem(
                    path,
                    format!("「{}」为必填项", def.name_zh),
                    format!("{} is required", def.name_en),
                ));
            }
            out.remove(key);
        } else {
            out.insert(key.clone(), check_value(def, value, &path)?);
        }
    }
    for def in defs {
        if def.required_at() == Some(at) && !out.contains_key(&def.key) {
            return Err(problem(
                format!("fields.{}", def.key),
                format!("「{}」为必填项", def.name_zh),
                format!("{} is required", def.name_en),
            ));
        }
    }
    Ok(out)
}

/// One value checked against its declaration, in its kept shape.
fn check_value(def: &FieldDef, value: &Value, path: &str) -> Result<Value, FieldProblem> {
    let (zh, en) = (def.name_zh.as_str(), def.name_en.as_str());
    let wrong = |want_zh: &str, want_en: &str| {
        problem(path, format!("「{zh}」应为{want_zh}"), format!("{en} must be {want_en}"))
    };
    match def.ty {
        FieldType::Text | FieldType::Address => {
            let max = if def.ty == FieldType::Text { def.text_max() } else { ADDRESS_MAX };
            let s = value.as_str().ok_or_else(|| wrong("文字", "text"))?;
            text(s, max, path, zh, en).map(Value::String)
        }
        FieldType::Number => {
            let n = value.as_f64().filter(|n| n.is_finite()).ok_or_else(|| wrong("数字", "a number"))?;
            if def.min_value.is_some_and(|lo| n < lo) || def.max_value.is_some_and(|hi| n > hi) {
                let range = format!(
                    "{}–{}",
                    def.min_value.map_or("".into(), |v| v.to_string()),
                    def.max_value.map_or("".into(), |v| v.to_string())
                );
                return Err(problem(
                    path,
                    format!("「{zh}」应在 {range} 之间"),
                    format!("{en} must be within {range}"),
                ));
            }
            Ok(value.clone())
        }
        FieldType::Date => {
            let s = value.as_str().ok_or_else(|| wrong("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"))?;
            let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| wrong("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"))?;
            Ok(Value::String(d.format("%Y-%m-%d").to_string()))
        }
        FieldType::Choice => {
            let s = value.as_str().unwrap_or_default();
            if let Some(c) = def.choices.iter().find(|c| c.key == s) {
                return Ok(Value::String(c.key.clone()));
            }
            let keys: Vec<&str> = def.choices.iter().map(|c| c.key.as_str()).collect();
            Err(problem(
                path,
                format!("「{zh}」应为以下之一：{}", keys.join("、")),
                format!("{en} must be one of {}", keys.join(", ")),
            ))
        }
        FieldType::Person => person(value, path, zh, en),
        FieldType::People | FieldType::Attachments => {
            let items = value.as_array().ok_or_else(|| wrong("列表", "a list"))?;
            let max = def.list_max();
            if items.is_empty() || items.len() > max {
                return Err(problem(
                    path,
                    format!("「{zh}」应有 1 至 {max} 项"),
                    format!("{en} must hold 1 to {max} items"),
                ));
            }
            let mut kept = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                kept.push(if def.ty == FieldType::People {
                    person(item, &at, zh, en)?
                } else {
                    let id = item.as_str().ok_or_else(|| wrong("附件编号列表", "a list of attachment ids"))?;
                    Value::String(text(id, 200, &at, zh, en)?)
                });
            }
            Ok(Value::Array(kept))
        }
    }
}

/// Trimmed text of 1 to `max` characters.
fn text(s: &str, max: usize, path: &str, zh: &str, en: &str) -> Result<String, FieldProblem> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 || n > max {
        return Err(problem(
            path,
            format!("「{zh}」应为 1 至 {max} 个字"),
            format!("{en} must be 1 to {max} characters"),
        ));
    }
    Ok(s.to_string())
}

/// A person: a name, and a phone number and an ID number when known.
fn person(value: &Value, path: &str, zh: &str, en: &str) -> Result<Value, FieldProblem> {
    let Some(obj) = value.as_object() else {
        return Err(problem(
            path,
            format!("「{zh}」应为人员（姓名，可附电话、身份证号）"),
            format!("{en} must be a person (a name, and a phone number and ID number if known)"),
        ));
    };
    if let Some(k) = obj.keys().find(|k| !["name", "phone", "id_number"].contains(&k.as_str())) {
        return Err(problem(
            format!("{path}.{k}"),
            "人员只有姓名（name）、电话（phone）和身份证号（id_number）",
            "a person has only `name`, `phone` and `id_number`",
        ));
    }
    let mut kept = Map::new();
    let name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
    kept.insert("name".into(), Value::String(text(name, NAME_MAX, &format!("{path}.name"), "姓名", "The name")?));
    if let Some(p) = obj.get("phone").filter(|v| !v.is_null()) {
        // As people write them: full-width digits, spaces, dashes and brackets, a leading +86 or
        // 0086; at most 20 characters, and nothing else.
        let raw = privacy::normalise(p.as_str().unwrap_or_default().trim());
        let raw = raw.strip_prefix("+86").or_else(|| raw.strip_prefix("0086")).unwrap_or(&raw).trim_start();
        let allowed =
            raw.chars().count() <= 20 && raw.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')'));
        let bare: String = raw.chars().filter(char::is_ascii_digit).collect();
        let mobile = allowed && bare.len() == 11 && bare.starts_with('1');
        let landline = allowed && (10..=12).contains(&bare.len()) && bare.starts_with('0');
        if !(mobile || landline) {
            return Err(problem(
                format!("{path}.phone"),
                "电话应为 11 位手机号或带区号的固定电话",
                "the phone must be an 11-digit mobile number or a landline with its area code",
            ));
        }
        // A landline keeps its area code apart: 0315-2345678.
        let area = if bare.starts_with("01") || bare.starts_with("02") { 3 } else { 4 };
        let kept_phone = if mobile { bare } else { format!("{}-{}", &bare[..area], &bare[area..]) };
        kept.insert("phone".into(), Value::String(kept_phone));
    }
    if let Some(id) = obj.get("id_number").filter(|v| !v.is_null()) {
        let id = privacy::normalise(id.as_str().unwrap_or_default().trim());
        let id = if id.chars().count() == 18 { id.to_ascii_uppercase() } else { String::new() };
        if !privacy::id_check_ok(&id) {
            return Err(problem(
                format!("{path}.id_number"),
                "身份证号应为 18 位且校验码正确",
                "the ID number must be 18 characters with a valid check character",
            ));
        }
        kept.insert("id_number".into(), Value::String(id));
    }
    Ok(Value::Object(kept))
}

/// The fields as someone who may not see personal data unmasked sees them: people's names, phones
/// and ID numbers masked, and phones, ID numbers and plates masked in text.
pub fn masked(defs: &[FieldDef], fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    fields
        .iter()
        .map(|(k, v)| {
            let ty = defs.iter().find(|d| &d.key == k).map_or(FieldType::Text, |d| d.ty);
            (k.clone(), mask_value(ty, v))
        })
        .collect()
}

fn mask_value(ty: FieldType, v: &Value) -> Value {
    match (ty, v) {
        (FieldType::Person, Value::Object(_)) => mask_person(v),
        (FieldType::People, Value::Array(items)) => Value::Array(items.iter().map(mask_person).collect()),
        // A value of another shape (a field no longer declared, or declared anew with another
        // type) fails closed: every text in it masked, a `name` as a name.
        _ => mask_any(v),
    }
}

/// Any value with every string in it masked as text, and every `name` as a name.
fn mask_any(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(privacy::mask_text(s)),
        Value::Array(items) => Value::Array(items.iter().map(mask_any).collect()),
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("name", Value::String(s)) => (k.clone(), Value::String(privacy::mask_name(s))),
                    _ => (k.clone(), mask_any(v)),
                })
                .collect(),
        ),
        _ => v.clone(),
    }
}

fn mask_person(v: &Value) -> Value {
    let Some(obj) = v.as_object() else { return mask_any(v) };
    let mut out = Map::new();
    for (k, v) in obj {
        let s = v.as_str().unwrap_or_default();
        let masked = match k.as_str() {
            "name" => privacy::mask_name(s),
            "phone" if s.starts_with('0') => privacy::mask_landline(s),
            "phone" => privacy::mask_mobile(s),
            "id_number" => privacy::mask_id_number(s),
            _ => privacy::mask_text(s),
        };
        out.insert(k.clone(), Value::String(masked));
    }
    Value::Object(out)
}

/// The fields the public sees (those declared `public`), masked.
pub fn public(defs: &[FieldDef], fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let shown: BTreeMap<String, Value> = fields
        .iter()
        .filter(|(k, _)| defs.iter().any(|d| &d.key == *k && d.public))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    masked(defs, &shown)
}

/// The attachment ids given in fields of type `attachments` (for the caller to check they exist
/// and are the giver's), whatever else is wrong with the values.
pub fn attachment_ids(defs: &[FieldDef], given: &BTreeMap<String, Value>) -> Vec<String> {
    defs.iter()
        .filter(|d| d.ty == FieldType::Attachments)
        .filter_map(|d| given.get(&d.key).and_then(Value::as_array).map(|ids| (d, ids)))
        .flat_map(|(d, ids)| ids.iter().take(d.list_max()))
        .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
        .collect()
}

/// What a reporter outside the staff sees of the fields (kept as they are: masking is apart):
/// those declared public and those given with the report (their own words); not the staff's.
pub fn for_reporter(defs: &[FieldDef], fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    fields
        .iter()
        .filter(|(k, _)| defs.iter().any(|d| &d.key == *k && (d.public || d.at.iter().any(|a| a == AT_REPORT))))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The words of the fields a search should find (text and addresses), one per line.
pub fn search_text(defs: &[FieldDef], fields: &BTreeMap<String, Value>) -> String {
    defs.iter()
        .filter(|d| d.ty.searchable())
        .filter_map(|d| fields.get(&d.key).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value as one cell of a sheet: text as it is, a choice by its name, people as
/// `name phone id_number` separated by `；`, attachments by their ids.
pub fn cell(def: &FieldDef, value: &Value, english: bool) -> String {
    let person = |p: &Value| {
        ["name", "phone", "id_number"]
            .iter()
            .filter_map(|k| p.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match (def.ty, value) {
        (FieldType::Choice, Value::String(k)) => def
            .choices
            .iter()
            .find(|c| &c.key == k)
            .map_or_else(|| k.clone(), |c| if english { c.name_en.clone() } else { c.name_zh.clone() }),
        (FieldType::Person, p) => person(p),
        (FieldType::People, Value::Array(ps)) => ps.iter().map(person).collect::<Vec<_>>().join("；"),
        (FieldType::Attachments, Value::Array(ids)) => {
            ids.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ")
        }
        (_, Value::String(s)) => s.clone(),
        (_, v) => v.to_string(),
    }
}

pub mod filter;

#[cfg(test)]
mod tests;
