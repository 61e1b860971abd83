//! Accounts' extra data scopes (自定义数据权限): each entry checked against the register and named
//! for the pages, and the areas, grids and units an administrator chooses them from.

use shanzhi_domain::access::{check_extra_scope, is_unit_entry};
use shanzhi_domain::ids::{DivisionCode, GridCode, Level};
use shanzhi_domain::people::Role;

use crate::places::Places;
use crate::{App, AppError};

/// One entry of an extra data scope as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeEntry {
    /// A division or grid code, or a unit id.
    pub id: String,
    /// The division's names from the county down (路南区学院南路街道), the grid's community and
    /// name, or the unit's name.
    pub name: String,
    /// `county`, `township`, `village` or `grid` for areas; the unit's kind for units.
    pub kind: &'static str,
}

impl Places {
    /// What an entry names, if the register knows it (a city-level division is not an entry:
    /// its scope would be everything).
    pub fn scope_entry(&self, id: &str) -> Option<ScopeEntry> {
        if is_unit_entry(id) {
            let u = self.unit(id)?;
            return Some(ScopeEntry { id: u.id.clone(), name: u.name.clone(), kind: u.kind.as_str() });
        }
        if id.len() == 15 {
            let code: GridCode = id.parse().ok()?;
            let g = self.grid(&code)?;
            let name = format!("{}{}", self.address(&g.community()), g.name);
            return Some(ScopeEntry { id: id.to_string(), name, kind: "grid" });
        }
        let code: DivisionCode = id.parse().ok()?;
        let d = self.tree.get(&code)?;
        (d.level() != Level::City).then(|| ScopeEntry {
            id: id.to_string(),
            name: self.address(&code),
            kind: d.level().as_str(),
        })
    }

    /// Counties, streets, communities and units whose name contains `text` or whose code starts
    /// with it, areas first and higher levels before lower, at most `limit`; a full grid code
    /// finds its grid.
    pub fn find_scope_entries(&self, text: &str, limit: usize) -> Vec<ScopeEntry> {
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<ScopeEntry> = self.scope_entry(text).filter(|e| e.kind == "grid").into_iter().collect();
        for level in [Level::County, Level::Township, Level::Village] {
            let found = self
                .tree
                .at_level(level)
                .filter(|d| d.code.as_str().starts_with(text) || d.name.contains(text))
                .filter_map(|d| self.scope_entry(d.code.as_str()));
            out.extend(found.take(limit.saturating_sub(out.len())));
        }
        let units = self.find_units(text, &[], limit.saturating_sub(out.len()));
        out.extend(units.into_iter().filter_map(|u| self.scope_entry(&u.id)));
        out
    }
}

impl App {
    /// An extra data scope for an account of `role` at `unit`, checked: its shape fits the role
    /// (domain `check_extra_scope`) and every entry names a county, street, community, grid or
    /// unit of the register. Entries are trimmed; blank ones dropped.
    pub(crate) fn checked_extra_scope(
        &self,
        role: Role,
        unit: &str,
        extra: &[String],
    ) -> Result<Vec<String>, AppError> {
        let extra: Vec<String> = extra.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
        check_extra_scope(role, unit, &extra)
            .map_err(|e| AppError::invalid("extra_scope", e.to_string()).with_zh(e.zh()))?;
        let places = self.places();
        if let Some(unknown) = extra.iter().find(|e| places.scope_entry(e).is_none()) {
            return Err(AppError::invalid(
                "extra_scope",
                format!("`{unknown}` is no county, street, community, grid or unit of the register"),
            )
            .with_zh(format!("「{unknown}」不是登记在册的区县、街道、社区、网格或单位")));
        }
        Ok(extra)
    }

    /// The entries of an account's extra scope, named (an entry the register no longer knows is
    /// shown by its code).
    pub fn scope_entries(&self, extra: &[String]) -> Vec<ScopeEntry> {
        let places = self.places();
        extra
            .iter()
            .map(|e| places.scope_entry(e).unwrap_or_else(|| ScopeEntry { id: e.clone(), name: e.clone(), kind: "" }))
            .collect()
    }
}
