//! The values a desk filters a kind's cases by (`case_fields`): which fields each kind has that
//! are filterable (the application tells the store when its workflows change), the rows kept in
//! the transaction that saves a case, the condition a filter adds to the case list, and the task
//! that fills the rows of cases stored before the table existed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use shanzhi_domain::cases::fields::FieldDef;
use shanzhi_domain::cases::fields::filter::{self, Indexed, Test};

use crate::cases::{StoredCase, decode};
use crate::entity::{case, case_field};
use crate::{Result, Store};

/// The filterable fields of each kind, by kind (shared by every clone of a store).
#[derive(Clone, Default)]
pub(crate) struct FieldPlan(Arc<RwLock<Arc<HashMap<String, Vec<FieldDef>>>>>);

impl FieldPlan {
    fn get(&self) -> Arc<HashMap<String, Vec<FieldDef>>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Rows written per statement.
const ROWS: usize = 300;

impl Store {
    /// The workflows' field declarations in force, by kind: from now on every case saved keeps the
    /// values of its kind's filterable fields (choices, numbers, dates) where a filter finds them.
    pub fn filter_fields_of(&self, kinds: impl IntoIterator<Item = (String, Vec<FieldDef>)>) {
        let plan: HashMap<String, Vec<FieldDef>> = kinds
            .into_iter()
            .map(|(kind, defs)| (kind, defs.into_iter().filter(|d| d.filter && d.ty.filterable()).collect::<Vec<_>>()))
            .filter(|(_, defs)| !defs.is_empty())
            .collect();
        *self.field_plan().0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(plan);
    }

    /// The rows of these cases' filterable values.
    pub(crate) fn field_rows<'a>(
        &self,
        cases: impl IntoIterator<Item = &'a StoredCase>,
    ) -> Vec<case_field::ActiveModel> {
        let plan = self.field_plan().get();
        let mut rows = Vec::new();
        for s in cases {
            let Some(defs) = plan.get(&s.case.kind) else { continue };
            for (field, value) in filter::indexed(defs, &s.case.fields) {
                let (text, number) = match value {
                    Indexed::Key(k) => (Some(k), None),
                    Indexed::Number(n) => (None, Some(n)),
                };
                rows.push(case_field::ActiveModel {
                    county_code: Set(s.county.clone()),
                    case_id: Set(s.id),
                    field: Set(field),
                    value_text: Set(text),
                    value_number: Set(number),
                });
            }
        }
        rows
    }
}

/// Writes rows (a case's row for a field already there is left as it is: callers replacing a
/// case's values delete them first).
pub(crate) async fn add_field_rows(txn: &impl ConnectionTrait, rows: Vec<case_field::ActiveModel>) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(ROWS).collect();
        case_field::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    case_field::Column::CountyCode,
                    case_field::Column::CaseId,
                    case_field::Column::Field,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Replaces the rows of the fields a step gave (`given`) with the case's values now; the rows of
/// the other fields stay as they are (a server whose workflows are older than another's does
/// not drop the rows of fields it does not know yet).
pub(crate) async fn replace_field_rows(
    txn: &impl ConnectionTrait,
    store: &Store,
    changes: &[(&StoredCase, &[String])],
) -> Result<()> {
    for (s, given) in changes {
        case_field::Entity::delete_many()
            .filter(case_field::Column::CountyCode.eq(s.county.clone()))
            .filter(case_field::Column::CaseId.eq(s.id))
            .filter(case_field::Column::Field.is_in(given.iter().cloned()))
            .exec(txn)
            .await?;
        let rows = store.field_rows([*s]).into_iter().filter(|r| match &r.field {
            sea_orm::ActiveValue::Set(f) => given.contains(f),
            _ => false,
        });
        add_field_rows(txn, rows.collect()).await?;
    }
    Ok(())
}

/// The case-list condition of one field's test: the case has a row for the field whose value
/// passes it.
pub(crate) fn field_condition(c: &filter::Condition) -> Condition {
    let col = |c: case_field::Column| Expr::col((case_field::Entity, c));
    let mut q: SelectStatement = Query::select();
    q.expr(Expr::val(1))
        .from(case_field::Entity)
        .and_where(col(case_field::Column::CountyCode).equals((case::Entity, case::Column::CountyCode)))
        .and_where(col(case_field::Column::CaseId).equals((case::Entity, case::Column::Id)))
        .and_where(col(case_field::Column::Field).eq(c.field.as_str()));
    match &c.test {
        Test::AnyOf(keys) => {
            q.and_where(col(case_field::Column::ValueText).is_in(keys.iter().cloned()));
        }
        Test::Numbers { from, to } => {
            if let Some(v) = from {
                q.and_where(col(case_field::Column::ValueNumber).gte(*v));
            }
            if let Some(v) = to {
                q.and_where(col(case_field::Column::ValueNumber).lte(*v));
            }
        }
        Test::Dates { from, to } => {
            if let Some(v) = from {
                q.and_where(col(case_field::Column::ValueText).gte(v.as_str()));
            }
            if let Some(v) = to {
                q.and_where(col(case_field::Column::ValueText).lte(v.as_str()));
            }
        }
    }
    Condition::all().add(Expr::exists(q))
}

impl Store {
    /// Fills `case_fields` from the bodies of the cases of kinds with filterable fields (the task
    /// migration m0022 leaves); answers how many rows it wrote.
    pub(crate) async fn fill_case_fields(&self, progress: &mut (dyn FnMut(u64) + Send)) -> Result<u64> {
        let kinds: Vec<String> = self.field_plan().get().keys().cloned().collect();
        if kinds.is_empty() {
            return Ok(0);
        }
        let mut written = 0;
        let of_kinds = Condition::all().add(case::Column::Kind.is_in(kinds));
        self.walk_cases(of_kinds, progress, async |rows| {
            let cases = rows.into_iter().map(|m| decode(m, self.sealer())).collect::<Result<Vec<_>>>()?;
            let field_rows = self.field_rows(&cases);
            written += field_rows.len() as u64;
            add_field_rows(self.db(), field_rows).await
        })
        .await?;
        Ok(written)
    }
}
