//! The statistical division tree: city → county → township → village, parsed from reference CSV.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};
use thiserror::Error;

use crate::ids::{DivisionCode, Level};

/// What kind of unit a division is (its level is in its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DivisionKind {
    City,
    /// 市辖区
    District,
    /// 县
    County,
    /// 县级市
    CountyCity,
    /// 开发区 / 管理区 (functional zone)
    Zone,
    /// 街道
    Subdistrict,
    /// 镇
    Town,
    /// 乡
    Township,
    /// farms, zones and offices at township level
    Other,
    /// 社区 / 居委会
    Community,
    /// 村 / 村委会
    Village,
}

impl DivisionKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<DivisionKind> {
        s.parse().ok()
    }

    /// The level this kind belongs to.
    pub fn level(self) -> Level {
        match self {
            DivisionKind::City => Level::City,
            DivisionKind::District | DivisionKind::County | DivisionKind::CountyCity | DivisionKind::Zone => {
                Level::County
            }
            DivisionKind::Subdistrict | DivisionKind::Town | DivisionKind::Township | DivisionKind::Other => {
                Level::Township
            }
            DivisionKind::Community | DivisionKind::Village => Level::Village,
        }
    }
}

/// One division.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    pub kind: DivisionKind,
}

impl Division {
    pub fn level(&self) -> Level {
        self.code.level()
    }

    pub fn parent(&self) -> Option<DivisionCode> {
        self.code.parent()
    }

    /// The everyday name: 立新东楼社区居民委员会 → 立新东楼社区, 大崔庄村民委员会 → 大崔庄村.
    pub fn short_name(&self) -> String {
        let n = &self.name;
        for (suffix, keep) in
            [("社区居民委员会", "社区"), ("居民委员会", "社区"), ("村民委员会", "村"), ("村委会", "村")]
        {
            if let Some(stem) = n.strip_suffix(suffix) {
                return if stem.ends_with(keep) { stem.to_string() } else { format!("{stem}{keep}") };
            }
        }
        n.clone()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DivisionError {
    #[error("divisions file, line {line}: {problem}")]
    Row { line: usize, problem: String },
}

/// The whole tree, indexed by code, children in code order.
#[derive(Debug, Clone, Default)]
pub struct DivisionTree {
    divisions: Vec<Division>,
    index: HashMap<DivisionCode, usize>,
    children: HashMap<DivisionCode, Vec<usize>>,
}

impl DivisionTree {
    /// Parses `code,name,level,kind,parent` CSV and checks that every row is consistent and every
    /// parent exists.
    pub fn from_csv(text: &str) -> Result<DivisionTree, DivisionError> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let mut divisions = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let err = |problem: String| DivisionError::Row { line, problem };
            let rec = rec.map_err(|e| err(e.to_string()))?;
            let field = |n: usize| rec.get(n).unwrap_or("").trim();
            let code: DivisionCode = field(0).parse().map_err(|e: crate::ids::CodeError| err(e.to_string()))?;
            let level = Level::parse(field(2)).ok_or_else(|| err(format!("unknown level `{}`", field(2))))?;
            let kind = DivisionKind::parse(field(3)).ok_or_else(|| err(format!("unknown kind `{}`", field(3))))?;
            if code.level() != level || kind.level() != level {
                return Err(err(format!("code {code}, level {} and kind {} disagree", level.as_str(), kind.as_str())));
            }
            let parent = field(4);
            let expected = code.parent().map(|p| p.to_string()).unwrap_or_default();
            if parent != expected {
                return Err(err(format!("parent `{parent}` of {code} should be `{expected}`")));
            }
            if field(1).is_empty() {
                return Err(err(format!("{code} has no name")));
            }
            divisions.push(Division { code, name: field(1).to_string(), kind });
        }
        Self::from_divisions(divisions)
    }

    pub fn from_divisions(mut divisions: Vec<Division>) -> Result<DivisionTree, DivisionError> {
        divisions.sort_by(|a, b| a.code.cmp(&b.code));
        let mut tree = DivisionTree::default();
        for (i, d) in divisions.iter().enumerate() {
            if tree.index.insert(d.code.clone(), i).is_some() {
                return Err(DivisionError::Row { line: i + 2, problem: format!("duplicate code {}", d.code) });
            }
        }
        for (i, d) in divisions.iter().enumerate() {
            if let Some(p) = d.parent() {
                if !tree.index.contains_key(&p) {
                    return Err(DivisionError::Row {
                        line: i + 2,
                        problem: format!("parent {p} of {} is missing", d.code),
                    });
                }
                tree.children.entry(p).or_default().push(i);
            }
        }
        tree.divisions = divisions;
        Ok(tree)
    }

    pub fn get(&self, code: &DivisionCode) -> Option<&Division> {
        self.index.get(code).map(|&i| &self.divisions[i])
    }

    pub fn children(&self, code: &DivisionCode) -> impl Iterator<Item = &Division> {
        self.children.get(code).into_iter().flatten().map(|&i| &self.divisions[i])
    }

    pub fn all(&self) -> &[Division] {
        &self.divisions
    }

    pub fn at_level(&self, level: Level) -> impl Iterator<Item = &Division> {
        self.divisions.iter().filter(move |d| d.level() == level)
    }

    /// The division and its ancestors, from the city down.
    pub fn lineage(&self, code: &DivisionCode) -> Vec<&Division> {
        let mut out: Vec<&Division> = Vec::new();
        let mut cur = Some(code.clone());
        while let Some(c) = cur {
            if let Some(d) = self.get(&c) {
                out.push(d);
            }
            cur = c.parent();
        }
        out.reverse();
        out
    }

    pub fn len(&self) -> usize {
        self.divisions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.divisions.is_empty()
    }
}
