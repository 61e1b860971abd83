//! Filtering cases by the values of their kind's fields (a desk's 纠纷类型 is 邻里纠纷 or 婚姻家庭纠纷,
//! 涉及金额 at least 1,000 yuan, a date in March): which values a case is filtered by (those of the
//! fields declared `filter = true`, which only choices, numbers and dates may be: never text,
//! addresses or people), and the conditions of the `fields` parameter, read against the kind's
//! declaration.
//!
//! The parameter is a comma-separated list of `key:test`. A choice field's test is one key or
//! several joined by `|` (any of them); a number's or a date's is one value, or a range
//! `from..to` with both ends included, either end left open (`1000..`, `..2026-03-31`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::{FieldDef, FieldProblem, FieldType, problem};

/// A parameter has at most this many characters.
pub const TEXT_MAX: usize = 2000;
/// A parameter names at most this many fields.
pub const CONDITIONS_MAX: usize = 16;
/// A choice test names at most this many keys.
pub const KEYS_MAX: usize = 64;

/// The parameter's name, which every problem names.
const PARAM: &str = "fields";

impl FieldType {
    /// Whether cases may be filtered by values of this type (and so whether the values are kept in
    /// the clear beside the case): choices, numbers and dates.
    pub fn filterable(self) -> bool {
        matches!(self, FieldType::Choice | FieldType::Number | FieldType::Date)
    }
}

/// A value as a filter compares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Indexed {
    /// A choice's key, or a date as `YYYY-MM-DD` (which sorts as dates do).
    Key(String),
    Number(f64),
}

/// The values of a case's filterable fields, by key, in declaration order (values of another shape
/// than the declaration's, left by an older version, are not filterable and are skipped).
pub fn indexed(defs: &[FieldDef], values: &BTreeMap<String, Value>) -> Vec<(String, Indexed)> {
    defs.iter()
        .filter(|d| d.filter && d.ty.filterable())
        .filter_map(|d| {
            let v = values.get(&d.key)?;
            let kept = match d.ty {
                FieldType::Number => Indexed::Number(v.as_f64().filter(|n| n.is_finite())?),
                FieldType::Date => Indexed::Key(NaiveDate::parse_from_str(v.as_str()?, "%Y-%m-%d").ok()?.to_string()),
                _ => Indexed::Key(v.as_str().filter(|k| d.choices.iter().any(|c| c.key == *k))?.to_string()),
            };
            Some((d.key.clone(), kept))
        })
        .collect()
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
}

/// What a field's value must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// One of these keys (a choice).
    AnyOf(Vec<String>),
    /// A number within these bounds (included; `None`: open).
    Numbers { from: Option<f64>, to: Option<f64> },
    /// A date within these bounds (`YYYY-MM-DD`, included; `None`: open).
    Dates { from: Option<String>, to: Option<String> },
}

/// The conditions `text` states, checked against the declaration: each names a declared,
/// filterable field once, with a test its type takes. A problem names the parameter and says
/// which field and why, in Chinese and English.
pub fn parse(defs: &[FieldDef], text: &str) -> Result<Vec<Condition>, FieldProblem> {
    if text.chars().count() > TEXT_MAX {
        return Err(problem(
            PARAM,
            format!("字段筛选条件最多 {TEXT_MAX} 个字"),
            format!("the field conditions must have at most {TEXT_MAX} characters"),
        ));
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() > CONDITIONS_MAX {
        return Err(problem(
            PARAM,
            format!("最多按 {CONDITIONS_MAX} 个字段筛选"),
            format!("at most {CONDITIONS_MAX} fields may be filtered by"),
        ));
    }
    let mut out: Vec<Condition> = Vec::with_capacity(parts.len());
    for part in parts {
        let Some((key, spec)) = part.split_once(':').map(|(k, s)| (k.trim(), s.trim())) else {
            return Err(problem(
                PARAM,
                format!("「{part}」应写作 字段:条件（如 dispute_type:family）"),
                format!("`{part}` must be written field:test (e.g. dispute_type:family)"),
            ));
        };
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            let keys: Vec<&str> = defs.iter().filter(|d| d.filter).map(|d| d.key.as_str()).collect();
            return Err(problem(
                PARAM,
                format!("没有字段「{key}」；可筛选的字段：{}", keys.join("、")),
                format!("there is no field `{key}`; the fields to filter by are: {}", keys.join(", ")),
            ));
        };
        if !def.filter || !def.ty.filterable() {
            return Err(problem(
                PARAM,
                format!("「{}」不能用于筛选：只有声明可筛选（filter）的选项、数字和日期字段可以", def.name_zh),
                format!(
                    "{} cannot be filtered by: only choice, number and date fields declared `filter` can",
                    def.name_en
                ),
            ));
        }
        if out.iter().any(|c| c.field == def.key) {
            return Err(problem(
                PARAM,
                format!("「{}」只能出现一次", def.name_zh),
                format!("{} may be named only once", def.name_en),
            ));
        }
        out.push(Condition { field: def.key.clone(), test: test(def, spec)? });
    }
    Ok(out)
}

/// A field's test, as its type takes it.
fn test(def: &FieldDef, spec: &str) -> Result<Test, FieldProblem> {
    let (zh, en) = (def.name_zh.as_str(), def.name_en.as_str());
    match def.ty {
        FieldType::Choice => {
            let mut keys: Vec<String> = Vec::new();
            for k in spec.split('|').map(str::trim) {
                if !def.choices.iter().any(|c| c.key == k) {
                    let known: Vec<&str> = def.choices.iter().map(|c| c.key.as_str()).collect();
                    return Err(problem(
                        PARAM,
                        format!("「{zh}」没有选项「{k}」；选项为：{}", known.join("、")),
                        format!("{en} has no choice `{k}`; its choices are: {}", known.join(", ")),
                    ));
                }
                if !keys.iter().any(|have| have == k) {
                    keys.push(k.to_string());
                }
            }
            if keys.len() > KEYS_MAX {
                return Err(problem(
                    PARAM,
                    format!("「{zh}」最多列出 {KEYS_MAX} 个选项"),
                    format!("{en} may list at most {KEYS_MAX} choices"),
                ));
            }
            Ok(Test::AnyOf(keys))
        }
        FieldType::Number => {
            let number = |s: &str| s.parse::<f64>().ok().filter(|n| n.is_finite());
            let (from, to) = bounds(spec, number).ok_or_else(|| {
                problem(
                    PARAM,
                    format!("「{zh}」的条件应为数字或范围（如 1000..5000、1000..、..5000）"),
                    format!("{en} takes a number or a range (e.g. 1000..5000, 1000.., ..5000)"),
                )
            })?;
            Ok(Test::Numbers { from, to })
        }
        FieldType::Date => {
            let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.to_string());
            let (from, to) = bounds(spec, date).ok_or_else(|| {
                problem(
                    PARAM,
                    format!("「{zh}」的条件应为日期或日期范围（如 2026-03-01..2026-03-31）"),
                    format!("{en} takes a date or a range of dates (e.g. 2026-03-01..2026-03-31)"),
                )
            })?;
            Ok(Test::Dates { from, to })
        }
        _ => unreachable!("only filterable fields are tested"),
    }
}

/// `a`, `a..b`, `a..` or `..b`, each end read by `read`, the lower not above the upper; `None` when
/// it is none of these.
fn bounds<T: PartialOrd + Clone>(spec: &str, read: impl Fn(&str) -> Option<T>) -> Option<(Option<T>, Option<T>)> {
    let end = |s: &str| -> Option<Option<T>> {
        let s = s.trim();
        if s.is_empty() { Some(None) } else { read(s).map(Some) }
    };
    let (from, to) = match spec.split_once("..") {
        None => {
            let one = read(spec.trim())?;
            (Some(one.clone()), Some(one))
        }
        Some((a, b)) => (end(a)?, end(b)?),
    };
    match (&from, &to) {
        (None, None) => None,
        (Some(a), Some(b)) if a > b => None,
        _ => Some((from, to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> Vec<FieldDef> {
        let toml = r#"
            [[field]]
            key = "dispute_type"
            name_zh = "纠纷类型"
            name_en = "Kind of dispute"
            type = "choice"
            filter = true
            choices = [
              { key = "neighbours", name_zh = "邻里纠纷", name_en = "Neighbours" },
              { key = "family", name_zh = "婚姻家庭纠纷", name_en = "Family" },
            ]
            [[field]]
            key = "amount"
            name_zh = "涉及金额"
            name_en = "Sum"
            type = "number"
            filter = true
            [[field]]
            key = "agreed_on"
            name_zh = "协议日期"
            name_en = "Agreed on"
            type = "date"
            filter = true
            [[field]]
            key = "received_on"
            name_zh = "收件日期"
            name_en = "Received on"
            type = "date"
            [[field]]
            key = "agreement"
            name_zh = "协议内容"
            name_en = "Terms"
            type = "text"
            [[field]]
            key = "parties"
            name_zh = "当事人"
            name_en = "Parties"
            type = "people"
        "#;
        #[derive(serde::Deserialize)]
        struct F {
            field: Vec<FieldDef>,
        }
        let mut defs = toml::from_str::<F>(toml).unwrap().field;
        let mut problems = Vec::new();
        super::super::check_defs(&mut defs, &[], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        defs
    }

    #[test]
    fn each_type_takes_its_own_test() {
        let got =
            parse(&defs(), "dispute_type:family|neighbours|family, amount:1000.., agreed_on:..2026-03-31").unwrap();
        assert_eq!(
            got,
            [
                Condition {
                    field: "dispute_type".into(),
                    test: Test::AnyOf(vec!["family".into(), "neighbours".into()])
                },
                Condition { field: "amount".into(), test: Test::Numbers { from: Some(1000.0), to: None } },
                Condition {
                    field: "agreed_on".into(),
                    test: Test::Dates { from: None, to: Some("2026-03-31".into()) }
                },
            ]
        );
        assert_eq!(parse(&defs(), "amount:250").unwrap()[0].test, Test::Numbers { from: Some(250.0), to: Some(250.0) });
        assert_eq!(parse(&defs(), "").unwrap(), []);
    }

    #[test]
    fn a_bad_condition_is_refused_naming_the_field_and_why() {
        for (text, zh, en) in [
            ("dispute_type", "字段:条件", "field:test"),
            ("colour:red", "没有字段「colour」", "no field `colour`"),
            ("agreement:yes", "「协议内容」不能用于筛选", "Terms cannot be filtered by"),
            ("parties:x", "「当事人」不能用于筛选", "Parties cannot be filtered by"),
            ("received_on:2026-03-01", "「收件日期」不能用于筛选", "Received on cannot be filtered by"),
            ("dispute_type:land", "没有选项「land」", "no choice `land`"),
            ("dispute_type:family,dispute_type:neighbours", "只能出现一次", "only once"),
            ("amount:lots", "数字或范围", "a number or a range"),
            ("amount:5000..1000", "数字或范围", "a number or a range"),
            ("amount:..", "数字或范围", "a number or a range"),
            ("amount:NaN", "数字或范围", "a number or a range"),
            ("agreed_on:2026-02-30", "日期", "a date"),
        ] {
            let p = parse(&defs(), text).unwrap_err();
            assert_eq!(p.field, "fields", "{text}");
            assert!(p.message.zh.contains(zh) && p.message.en.contains(en), "{text}: {p:?}");
        }
        let many = (0..=CONDITIONS_MAX).map(|_| "amount:1").collect::<Vec<_>>().join(",");
        assert!(parse(&defs(), &many).unwrap_err().message.en.contains("at most"));
        let long = format!("amount:{}", "1".repeat(TEXT_MAX));
        assert!(parse(&defs(), &long).unwrap_err().message.en.contains("characters"));
    }

    #[test]
    fn only_choices_numbers_and_dates_are_kept_for_filtering() {
        let values: BTreeMap<String, Value> = serde_json::from_value(serde_json::json!({
            "dispute_type": "family",
            "amount": 1200.5,
            "agreed_on": "2026-03-02",
            "received_on": "2026-03-01",
            "agreement": "赔偿 1200 元",
            "parties": [{"name": "张三", "phone": "13900001111"}],
        }))
        .unwrap();
        assert_eq!(
            indexed(&defs(), &values),
            [
                ("dispute_type".to_string(), Indexed::Key("family".into())),
                ("amount".to_string(), Indexed::Number(1200.5)),
                ("agreed_on".to_string(), Indexed::Key("2026-03-02".into())),
            ]
        );
        // A value of another shape (an older declaration's) is not kept.
        let odd: BTreeMap<String, Value> =
            serde_json::from_value(serde_json::json!({"dispute_type": "gone", "amount": "many"})).unwrap();
        assert_eq!(indexed(&defs(), &odd), []);
    }
}
