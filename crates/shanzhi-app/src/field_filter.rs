//! The desk's filter on a kind's field values (`fields=dispute_type:family,amount:1000..`): the
//! parameter read against the declaration of the kind in force.

use shanzhi_domain::access::ScopeRule;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::cases::fields::filter::{self, Condition};
use shanzhi_domain::cases::fields::{AT_REPORT, FieldDef};

use crate::AppError;
use crate::cases::Cases;

impl Cases<'_> {
    /// The conditions `text` states on the fields of `kind`; a 400 naming `fields` when no kind is
    /// given, or when a condition names a field the kind lacks or cannot be filtered by, or takes
    /// a value its field cannot have. Residents, devices and building heads (who see only the
    /// fields they gave and the public ones) may filter only by those: a filter on a staff field
    /// would tell them its value.
    pub fn field_conditions(&self, kind: Option<&str>, text: &str, actor: &Actor) -> Result<Vec<Condition>, AppError> {
        let Some(kind) = kind else {
            return Err(AppError::invalid("fields", "fields are a kind's own: give kind too")
                .with_zh("字段是各类别自有的：请同时指定类别（kind）"));
        };
        let reference = self.app.reference();
        let wf =
            reference.workflows.get(kind).ok_or_else(|| AppError::invalid("kind", format!("unknown kind `{kind}`")))?;
        let own = matches!(ScopeRule::of(actor.role), ScopeRule::Own);
        let shown: Vec<FieldDef> =
            wf.fields().iter().filter(|d| !own || d.public || d.at.iter().any(|a| a == AT_REPORT)).cloned().collect();
        filter::parse(&shown, text).map_err(|p| AppError::invalid(&p.field, p.message.en).with_zh(p.message.zh))
    }
}
