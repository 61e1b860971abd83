//! Tests that the names strum derives for the domain's enums are the names serde gives them: the
//! spellings on the wire and in the database, which must not change.

use serde::de::DeserializeOwned;
use strum::VariantNames;

use crate::access::ScopeRule;
use crate::accounts::Scope;
use crate::cases::case::Channel;
use crate::cases::clock::Light;
use crate::cases::counts::Count;
use crate::cases::workflow::Party;
use crate::ids::Level;
use crate::org::DepartmentKind;
use crate::people::{Role, UnitKind};
use crate::places::crs::Crs;
use crate::places::division::DivisionKind;
use crate::places::grid::GridKind;
use crate::taxonomy::{HandlingLevel, ItemKind, Urgency};
use crate::time_limit::TimeUnit;

/// Every name strum lists reads back through serde as the variant whose name it is.
fn names_are_serde_names<E>() -> usize
where
    E: VariantNames + DeserializeOwned + Into<&'static str> + Copy,
{
    for name in E::VARIANTS {
        let e: E = serde_json::from_value(serde_json::Value::from(*name))
            .unwrap_or_else(|e| panic!("{}: `{name}` is not a serde name: {e}", std::any::type_name::<E>()));
        assert_eq!(e.into(), *name, "{}", std::any::type_name::<E>());
    }
    E::VARIANTS.len()
}

#[test]
fn every_enum_is_named_as_serde_names_it() {
    let counted = [
        names_are_serde_names::<Role>(),
        names_are_serde_names::<UnitKind>(),
        names_are_serde_names::<Channel>(),
        names_are_serde_names::<DivisionKind>(),
        names_are_serde_names::<GridKind>(),
        names_are_serde_names::<Level>(),
        names_are_serde_names::<Scope>(),
        names_are_serde_names::<Light>(),
        names_are_serde_names::<Party>(),
        names_are_serde_names::<TimeUnit>(),
        names_are_serde_names::<DepartmentKind>(),
        names_are_serde_names::<ItemKind>(),
        names_are_serde_names::<Urgency>(),
        names_are_serde_names::<HandlingLevel>(),
        names_are_serde_names::<Crs>(),
        names_are_serde_names::<Count>(),
    ];
    assert_eq!(counted, [15, 9, 6, 11, 2, 4, 4, 3, 4, 4, 3, 2, 2, 3, 3, 13], "every variant is listed");
}

#[test]
fn the_names_in_use_stay_as_they_were() {
    // Stored in the database (cases, users, units) and sent on the wire: a rename would orphan rows.
    assert_eq!(
        Channel::ALL.map(Channel::as_str),
        ["patrol", "resident_web", "resident_phone", "hotline", "device", "open311"]
    );
    assert_eq!(
        [ScopeRule::Centre, ScopeRule::Area, ScopeRule::Units, ScopeRule::Own].map(ScopeRule::as_str),
        ["centre", "area", "units", "own"]
    );
    assert_eq!(Role::parse("grid_worker"), Some(Role::GridWorker));
    assert_eq!(Channel::parse("Patrol"), None, "names are case-sensitive");
}
