//! A register as a sheet, the form offices already keep: its columns (a person split into name,
//! phone and ID number; tags by name), each record as a row of text, and a row read back into
//! what a new record is made of, choices and tags by their names (or keys), each problem naming
//! the row's column.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Register;
use crate::cases::fields::{FieldDef, FieldProblem, FieldType, cell};
use crate::text::Bilingual;

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// The record's number (written; left empty in a sheet to import).
    Id,
    /// The grid's name (written; ignored on import).
    GridName,
    /// The 15-digit grid code.
    Grid,
    /// A field's value (a choice by its name).
    Field(String),
    /// One part of a person field: `name`, `phone` or `id_number`.
    Person(String, &'static str),
    /// The tags by name, separated by `、`.
    Tags,
    /// When the record was registered or last changed (written; ignored on import).
    Time(&'static str),
}

/// A column: its headers and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub zh: String,
    pub en: String,
    pub kind: ColumnKind,
}

const PERSON_PARTS: [(&str, &str, &str); 3] =
    [("name", "姓名", "name"), ("phone", "联系电话", "phone"), ("id_number", "身份证号", "ID number")];

/// The register's columns, in order.
pub fn columns(r: &Register) -> Vec<Column> {
    let col = |zh: &str, en: &str, kind| Column { zh: zh.into(), en: en.into(), kind };
    let mut out = vec![
        col("编号", "Number", ColumnKind::Id),
        col("网格", "Grid", ColumnKind::GridName),
        col("网格编码", "Grid code", ColumnKind::Grid),
    ];
    for f in &r.field {
        match f.ty {
            FieldType::Person => {
                for (part, zh, en) in PERSON_PARTS {
                    out.push(Column {
                        zh: format!("{}·{zh}", f.name_zh),
                        en: format!("{}: {en}", f.name_en),
                        kind: ColumnKind::Person(f.key.clone(), part),
                    });
                }
            }
            _ => out.push(Column {
                zh: f.name_zh.clone(),
                en: f.name_en.clone(),
                kind: ColumnKind::Field(f.key.clone()),
            }),
        }
    }
    if !r.tag.is_empty() {
        out.push(col("标签", "Tags", ColumnKind::Tags));
    }
    out.push(col("登记时间", "Registered", ColumnKind::Time("created_at")));
    out.push(col("更新时间", "Changed", ColumnKind::Time("updated_at")));
    out
}

/// A record's cells for the columns that are not times (those are the caller's to write), as
/// text: choices and tags by name in the sheet's language.
pub fn cells(
    r: &Register,
    id: i64,
    grid: &str,
    grid_name: &str,
    fields: &BTreeMap<String, Value>,
    tags: &[String],
    english: bool,
) -> Vec<String> {
    columns(r)
        .iter()
        .map(|c| match &c.kind {
            ColumnKind::Id => id.to_string(),
            ColumnKind::GridName => grid_name.to_string(),
            ColumnKind::Grid => grid.to_string(),
            ColumnKind::Field(k) => match (r.field.iter().find(|f| &f.key == k), fields.get(k)) {
                (Some(f), Some(v)) => cell(f, v, english),
                _ => String::new(),
            },
            ColumnKind::Person(k, part) => {
                fields.get(k).and_then(|p| p.get(*part)).and_then(Value::as_str).unwrap_or_default().to_string()
            }
            ColumnKind::Tags => tags
                .iter()
                .map(|t| r.tag(t).map_or(t.clone(), |d| if english { d.name_en.clone() } else { d.name_zh.clone() }))
                .collect::<Vec<_>>()
                .join(if english { ", " } else { "、" }),
            ColumnKind::Time(_) => String::new(),
        })
        .collect()
}

/// What a row of a sheet to import makes: the grid, the fields and the tags, still to be checked
/// as any new record is.
#[derive(Debug, Clone, PartialEq)]
pub struct RowInput {
    pub grid: String,
    pub fields: BTreeMap<String, Value>,
    pub tags: Vec<String>,
}

/// Which column of the sheet holds what: the header row matched against the register's columns
/// (Chinese or English headers). A header the register does not know, or one given twice, is a
/// problem of the sheet as a whole.
pub fn header_map(r: &Register, headers: &[String]) -> Result<Vec<Option<ColumnKind>>, Bilingual> {
    let cols = columns(r);
    let mut seen = Vec::new();
    let mut out = Vec::with_capacity(headers.len());
    for h in headers {
        let h = h.trim();
        if h.is_empty() {
            out.push(None);
            continue;
        }
        let Some(c) = cols.iter().find(|c| c.zh == h || c.en == h) else {
            let h: String = h.chars().take(40).collect();
            return Err(Bilingual::new(
                format!("表头「{h}」不是{}的列（请用导出的表格作模板）", r.name_zh),
                format!("the header `{h}` is not a column of {} (use an exported sheet as the template)", r.name_en),
            ));
        };
        if seen.contains(&c.kind) {
            return Err(Bilingual::new(
                format!("表头「{}」出现了两次", c.zh),
                format!("the header `{}` appears twice", c.en),
            ));
        }
        seen.push(c.kind.clone());
        out.push(Some(c.kind.clone()));
    }
    if !seen.contains(&ColumnKind::Grid) {
        return Err(Bilingual::new("表格缺少「网格编码」列", "the sheet has no `Grid code` column"));
    }
    Ok(out)
}

fn problem(column: &str, zh: String, en: String) -> FieldProblem {
    FieldProblem { field: column.to_string(), message: Bilingual::new(zh, en) }
}

/// A cell's text as a field's value: a number, a choice by name or key, text as it is (dates are
/// read by the field's own check, `YYYY-MM-DD`).
fn value(f: &FieldDef, text: &str, column: &str) -> Result<Value, FieldProblem> {
    match f.ty {
        FieldType::Number => text.parse::<f64>().ok().filter(|n| n.is_finite()).map(Value::from).ok_or_else(|| {
            problem(column, format!("「{}」应为数字", f.name_zh), format!("{} must be a number", f.name_en))
        }),
        FieldType::Choice => f
            .choices
            .iter()
            .find(|c| c.name_zh == text || c.name_en.eq_ignore_ascii_case(text) || c.key == text)
            .map(|c| Value::String(c.key.clone()))
            .ok_or_else(|| {
                let names: Vec<&str> = f.choices.iter().map(|c| c.name_zh.as_str()).collect();
                let keys: Vec<&str> = f.choices.iter().map(|c| c.name_en.as_str()).collect();
                problem(
                    column,
                    format!("「{}」应为以下之一：{}", f.name_zh, names.join("、")),
                    format!("{} must be one of {}", f.name_en, keys.join(", ")),
                )
            }),
        FieldType::People => {
            let people: Vec<Value> = text
                .split(['；', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let mut parts = p.split_whitespace();
                    let mut o = Map::new();
                    for key in ["name", "phone", "id_number"] {
                        if let Some(v) = parts.next() {
                            o.insert(key.into(), Value::String(v.into()));
                        }
                    }
                    Value::Object(o)
                })
                .collect();
            Ok(Value::Array(people))
        }
        FieldType::Attachments => Err(problem(
            column,
            format!("「{}」（附件）不能从表格导入", f.name_zh),
            format!("{} (attachments) cannot be imported from a sheet", f.name_en),
        )),
        _ => Ok(Value::String(text.to_string())),
    }
}

/// A row of text read by the header map: the record it makes, or its first problem, naming the
/// column by its Chinese header.
pub fn read_row(r: &Register, map: &[Option<ColumnKind>], row: &[String]) -> Result<RowInput, FieldProblem> {
    let cols = columns(r);
    let header = |k: &ColumnKind| cols.iter().find(|c| &c.kind == k).map(|c| c.zh.clone()).unwrap_or_default();
    let mut grid = String::new();
    let mut fields = BTreeMap::new();
    let mut tags = Vec::new();
    for (kind, text) in map.iter().zip(row) {
        let Some(kind) = kind else { continue };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match kind {
            ColumnKind::Id => {
                return Err(problem(
                    "编号",
                    "导入只用于新增记录：「编号」列应留空（变更请在页面上修改）".into(),
                    "an import only adds records: leave `Number` empty (change records in the pages)".into(),
                ));
            }
            ColumnKind::GridName | ColumnKind::Time(_) => {}
            ColumnKind::Grid => grid = text.to_string(),
            ColumnKind::Field(k) => {
                let Some(f) = r.field.iter().find(|f| &f.key == k) else { continue };
                fields.insert(k.clone(), value(f, text, &header(kind))?);
            }
            ColumnKind::Person(k, part) => {
                let entry = fields.entry(k.clone()).or_insert_with(|| Value::Object(Map::new()));
                entry[*part] = Value::String(text.to_string());
            }
            ColumnKind::Tags => {
                for name in text.split(['、', ',', '，', ';', '；']).map(str::trim).filter(|t| !t.is_empty()) {
                    let tag = r
                        .tag
                        .iter()
                        .find(|t| t.name_zh == name || t.name_en.eq_ignore_ascii_case(name) || t.key == name);
                    match tag {
                        Some(t) => tags.push(t.key.clone()),
                        None => {
                            let name: String = name.chars().take(40).collect();
                            let names: Vec<&str> = r.tag.iter().map(|t| t.name_zh.as_str()).collect();
                            return Err(problem(
                                "标签",
                                format!("没有标签「{name}」（可用：{}）", names.join("、")),
                                format!("there is no tag `{name}`"),
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(RowInput { grid, fields, tags })
}

/// The Chinese header of the column a field path names (`fields.person.id_number` →
/// 姓名及证件·身份证号), so a row's problem names the column a clerk sees.
pub fn column_of(r: &Register, path: &str) -> String {
    let rest = path.strip_prefix("fields.").unwrap_or(path);
    let (key, part) = rest.split_once('.').map_or((rest, None), |(k, p)| (k, Some(p)));
    let key = key.split('[').next().unwrap_or(key);
    for c in columns(r) {
        match (&c.kind, part) {
            (ColumnKind::Person(k, p), Some(part)) if k == key && *p == part => return c.zh,
            (ColumnKind::Person(k, "name"), None) if k == key => return c.zh,
            (ColumnKind::Field(k), _) if k == key => return c.zh,
            (ColumnKind::Grid, _) if key == "grid" => return c.zh,
            (ColumnKind::Tags, _) if key == "tags" => return c.zh,
            _ => {}
        }
    }
    path.to_string()
}
