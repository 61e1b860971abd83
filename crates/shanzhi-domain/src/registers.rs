//! Registers as data (一标三实: standard addresses with the actual houses, population and units of
//! each grid): what a register is — its fields, the tags a record may carry (special groups with
//! a visit plan), who reads, writes and unmasks it — is a versioned file (`data/registers/*.toml`),
//! like a case kind's workflow; records are checked against it here, with the same field types,
//! checks and masking as a kind's fields (`cases::fields`).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use crate::cases::fields::{self, AT_REPORT, FieldDef, FieldProblem, FieldType};
use crate::people::Role;
use crate::privacy;
use crate::text::Bilingual;
use crate::time_limit::TimeLimit;

/// A record carries at most this many tags.
pub const TAGS_MAX: usize = 16;

/// A tag a record may carry (a special group: 独居老人, 留守儿童, …), with its visit plan.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagDef {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// How often a grid worker visits a record with the tag (none: no visits are planned).
    #[serde(default)]
    pub visit_every: Option<TimeLimit>,
}

/// A register as its file declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// The register's key (`person`, `house`, `org`): records and the API name it.
    pub register: String,
    /// A new version of a register is a new import; the old stay listed.
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// The field whose value names a record in lists (a person's name, an address).
    pub label: String,
    /// Roles that read the register's records in their data scope (masked).
    pub readers: Vec<Role>,
    /// Roles that add, change and remove records in their data scope.
    pub writers: Vec<Role>,
    /// Roles that may see records whole (after logging in; every unmasking is audited).
    #[serde(default)]
    pub unmask: Vec<Role>,
    #[serde(default)]
    pub field: Vec<FieldDef>,
    #[serde(default)]
    pub tag: Vec<TagDef>,
}

fn key_ok(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Register {
    /// Parses and checks a register file; every problem is listed.
    pub fn from_toml(text: &str) -> Result<Register, String> {
        let mut r: Register = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut problems = Vec::new();
        if !key_ok(&r.register) {
            problems
                .push(format!("register `{}`: a key is 1–40 of a–z, 0–9 and _, starting with a letter", r.register));
        }
        if r.version.trim().is_empty() || r.version.len() > 80 {
            problems.push("version: 1–80 characters".into());
        }
        if r.field.is_empty() {
            problems.push("a register declares at least one field".into());
        }
        fields::check_defs(&mut r.field, &[], &mut problems);
        for f in &r.field {
            if f.at.iter().any(|a| a != AT_REPORT) {
                problems.push(format!("field {}: a register's fields take no `at`", f.key));
            }
        }
        match r.field.iter().find(|f| f.key == r.label) {
            None => problems.push(format!("label `{}` names no field", r.label)),
            Some(f) if !f.required || !matches!(f.ty, FieldType::Text | FieldType::Address | FieldType::Person) => {
                problems.push(format!("label `{}`: the label is a required text, address or person field", r.label))
            }
            Some(_) => {}
        }
        if r.readers.is_empty() {
            problems.push("readers: at least one role".into());
        }
        for role in r.writers.iter().chain(&r.unmask) {
            if !r.readers.contains(role) {
                problems.push(format!("role {}: a writer or unmasker must also be a reader", role.as_str()));
            }
        }
        for role in r.readers.iter() {
            if matches!(role, Role::Resident | Role::Device) {
                problems.push(format!("role {}: a register is for staff", role.as_str()));
            }
        }
        let mut tags = HashSet::new();
        for t in &r.tag {
            if !tags.insert(t.key.as_str()) {
                problems.push(format!("tag {} is declared twice", t.key));
            }
            if !key_ok(&t.key) {
                problems.push(format!("tag `{}`: a key is 1–40 of a–z, 0–9 and _, starting with a letter", t.key));
            }
            if t.visit_every.is_some_and(|v| v.value == 0) {
                problems.push(format!("tag {}: `visit_every` of 0", t.key));
            }
        }
        if problems.is_empty() { Ok(r) } else { Err(problems.join("; ")) }
    }

    pub fn tag(&self, key: &str) -> Option<&TagDef> {
        self.tag.iter().find(|t| t.key == key)
    }

    /// Whether a role reads the register (within its data scope).
    pub fn may_read(&self, role: Role) -> bool {
        self.readers.contains(&role)
    }

    pub fn may_write(&self, role: Role) -> bool {
        self.writers.contains(&role)
    }

    pub fn may_unmask(&self, role: Role) -> bool {
        self.unmask.contains(&role)
    }

    /// A record's fields after a change: `given` over `current` (a null removes a value), each
    /// value checked as a kind's fields are, the required ones present.
    pub fn merge(
        &self,
        current: &BTreeMap<String, Value>,
        given: &BTreeMap<String, Value>,
    ) -> Result<BTreeMap<String, Value>, FieldProblem> {
        if given.len() > fields::FIELDS_MAX {
            return Err(FieldProblem {
                field: "fields".into(),
                message: Bilingual::new(
                    format!("最多 {} 个字段", fields::FIELDS_MAX),
                    format!("at most {} fields", fields::FIELDS_MAX),
                ),
            });
        }
        // A person given in part keeps the parts not given (a worker who may not see the ID
        // number changes the phone without erasing it); a part given as null is removed.
        let mut given = given.clone();
        for d in self.field.iter().filter(|d| d.ty == FieldType::Person) {
            if let (Some(Value::Object(g)), Some(Value::Object(c))) = (given.get_mut(&d.key), current.get(&d.key)) {
                for (part, v) in c {
                    g.entry(part.clone()).or_insert_with(|| v.clone());
                }
                g.retain(|_, v| !v.is_null());
            }
        }
        for (key, v) in &given {
            self.refuse_masked_echo(key, v, current)?;
        }
        fields::merge(&self.field, current, &given, AT_REPORT)
    }

    /// A value sent back as it was shown masked (`王*兰`, `女儿电话139****5678`) would write the mask
    /// over the real data: a text, address or person value holding `*` where the stored value
    /// holds personal data that masking hides is refused (it is given whole, or left out).
    fn refuse_masked_echo(&self, key: &str, v: &Value, current: &BTreeMap<String, Value>) -> Result<(), FieldProblem> {
        let Some(d) = self.field.iter().find(|d| d.key == key) else { return Ok(()) };
        let Some(stored) = current.get(key) else { return Ok(()) };
        let hides = |v: &Value| {
            let one = BTreeMap::from([(key.to_string(), v.clone())]);
            fields::masked(&self.field, &one).get(key) != Some(v)
        };
        let starred = match v {
            Value::String(s) => s.contains('*') || s.contains('＊'),
            Value::Object(o) => o.values().filter_map(Value::as_str).any(|s| s.contains('*') || s.contains('＊')),
            _ => false,
        };
        if starred && v != stored && hides(stored) {
            return Err(FieldProblem {
                field: format!("fields.{key}"),
                message: Bilingual::new(
                    format!("「{}」含有脱敏显示的个人信息（*）：请完整填写，或不修改此项", d.name_zh),
                    format!("{} holds masked personal data (*): give it whole, or leave it out", d.name_en),
                ),
            });
        }
        Ok(())
    }

    /// The tags as given, checked: declared, at most [`TAGS_MAX`], each once (kept sorted).
    pub fn check_tags(&self, given: &[String]) -> Result<Vec<String>, FieldProblem> {
        let bad = |zh: String, en: String| FieldProblem { field: "tags".into(), message: Bilingual::new(zh, en) };
        if given.len() > TAGS_MAX {
            return Err(bad(format!("最多 {TAGS_MAX} 个标签"), format!("at most {TAGS_MAX} tags")));
        }
        let mut out: Vec<String> = Vec::with_capacity(given.len());
        for t in given {
            let t = t.trim();
            if self.tag(t).is_none() {
                let t: String = t.chars().take(40).collect();
                let keys: Vec<&str> = self.tag.iter().map(|t| t.key.as_str()).collect();
                let names: Vec<&str> = self.tag.iter().map(|t| t.name_zh.as_str()).collect();
                let (keys, names) = if keys.is_empty() {
                    ("none".to_string(), "无".to_string())
                } else {
                    (keys.join(", "), names.join("、"))
                };
                return Err(bad(
                    format!("没有标签「{t}」（{}的标签：{names}）", self.name_zh),
                    format!("there is no tag `{t}` (this register's tags: {keys})"),
                ));
            }
            out.push(t.to_string());
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// What names a record: its label field's value (a person's name), masked unless `whole`.
    pub fn label_of(&self, fields: &BTreeMap<String, Value>, whole: bool) -> String {
        let Some(v) = fields.get(&self.label) else { return String::new() };
        let text = match v {
            Value::Object(o) => o.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if whole {
            return text;
        }
        match v {
            Value::Object(_) => privacy::mask_name(&text),
            _ => privacy::mask_text(&text),
        }
    }

    /// The fields as a reader who may not unmask sees them.
    pub fn masked(&self, fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        fields::masked(&self.field, fields)
    }

    /// The values a list filters records by, kept in the clear beside the sealed record: each
    /// field declared `filter` (never personal), as `,key=value,` pairs.
    pub fn facets(&self, fields: &BTreeMap<String, Value>) -> String {
        let mut out = String::from(",");
        for d in self.field.iter().filter(|d| d.filter) {
            if let Some(v) = fields.get(&d.key) {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push_str(&format!("{}={v},", d.key));
            }
        }
        out
    }

    /// The one facet a list may ask for (`use=rented`), checked against the declaration.
    pub fn facet_filter(&self, text: &str) -> Result<String, FieldProblem> {
        let bad = || FieldProblem {
            field: "facet".into(),
            message: Bilingual::new(
                "facet 应为「字段=取值」，字段须可筛选（如 use=rented）",
                "facet must be field=value of a filter field (e.g. use=rented)",
            ),
        };
        let (key, value) = text.split_once('=').ok_or_else(bad)?;
        let def = self.field.iter().find(|d| d.key == key && d.filter).ok_or_else(bad)?;
        let value = value.trim();
        // Kept as written (`2026-03-01`, `12.5`, a choice's key): nothing a LIKE pattern reads.
        // (A choice is one of its keys, checked below.)
        let plain =
            def.ty == FieldType::Choice || value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
        if value.is_empty() || value.chars().count() > 40 || !plain {
            return Err(bad());
        }
        if def.ty == FieldType::Choice && !def.choices.iter().any(|c| c.key == value) {
            return Err(bad());
        }
        Ok(format!(",{key}={value},"))
    }
}

pub mod sheet;

#[cfg(test)]
mod tests;
