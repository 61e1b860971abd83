//! Routing over the shipped taxonomy, departments, divisions and routing rules.

mod support;

use shanzhi_domain::cases::routing::{RoutingRules, route};
use shanzhi_domain::ids::DivisionCode;
use shanzhi_domain::org::Departments;
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_domain::taxonomy::Taxonomy;

struct Ref {
    tax: Taxonomy,
    deps: Departments,
    tree: DivisionTree,
    rules: RoutingRules,
}

fn load() -> Ref {
    let deps = support::departments();
    Ref { tax: support::taxonomy(&deps), deps, tree: support::divisions(), rules: support::routing_rules() }
}

fn unit_for(r: &Ref, ty: &str, community: &str) -> (String, String) {
    let community: DivisionCode = community.parse().unwrap();
    let route = route(r.tax.get(&ty.parse().unwrap()).unwrap(), Some(&community), &r.tree, &r.deps, &r.rules);
    assert!(!route.reason_zh.is_empty() && !route.reason_en.is_empty());
    (route.unit, route.rule)
}

#[test]
fn each_type_goes_to_the_lowest_level_that_handles_it() {
    let r = load();
    // 乱堆物堆料 (community level) → the residents' committee.
    assert_eq!(
        unit_for(&r, "1008", "130202001001"),
        ("130202001001:residents_committee".into(), "default-community".into())
    );
    // 暴露垃圾 (street level) → the street office.
    assert_eq!(unit_for(&r, "0602", "130202001001"), ("130202001:street-office".into(), "default-street".into()));
    // 上水井盖 (district level) → the county's water-supply company.
    assert_eq!(unit_for(&r, "0101", "130283106201"), ("130283:water-supply".into(), "default-department".into()));
}

#[test]
fn area_rules_override_the_default() {
    let r = load();
    // In an urban compound the property company acts first; a village has none.
    assert_eq!(unit_for(&r, "0617", "130202001001"), ("130202001001:property_service".into(), "property-first".into()));
    assert_eq!(
        unit_for(&r, "0617", "130283106201"),
        ("130283106201:residents_committee".into(), "default-community".into())
    );
    // 路北区 sends illegal parking straight to its traffic police; 路南区 keeps it in the street.
    assert_eq!(unit_for(&r, "1006", "130203001001"), ("130203:traffic-police".into(), "lubei-parking".into()));
    assert_eq!(unit_for(&r, "1006", "130202001001"), ("130202001:street-office".into(), "default-street".into()));
}

#[test]
fn an_unlocated_case_goes_to_the_command_centre() {
    let r = load();
    let route = route(r.tax.get(&"0101".parse().unwrap()).unwrap(), None, &r.tree, &r.deps, &r.rules);
    assert_eq!((route.unit.as_str(), route.rule.as_str()), ("1302:command_centre", "unlocated"));
}

#[test]
fn a_street_office_named_by_a_type_is_the_street_of_the_place() {
    let r = load();
    let community: DivisionCode = "130202001001".parse().unwrap();
    // Every type's responsible and assisting units exist: a street office is the street's own,
    // never a city-level unit that no one holds.
    for ty in &r.tax.types {
        let route = route(ty, Some(&community), &r.tree, &r.deps, &r.rules);
        for unit in std::iter::once(&route.unit).chain(&route.assisting) {
            assert_ne!(unit, "1302:street-office", "{}: {route:?}", ty.code.as_str());
        }
    }
    // 体育设施 (0127): the sports bureau, with the street office of the place assisting.
    let sports = route(r.tax.get(&"0127".parse().unwrap()).unwrap(), Some(&community), &r.tree, &r.deps, &r.rules);
    assert_eq!(sports.assisting, ["130202001:street-office"]);
}
