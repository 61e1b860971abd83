//! The shipped everyday problems (`data/resident/everyday.toml`) against the shipped catalogue:
//! every tile a resident may tap is reported as a type that exists.

mod support;

use shanzhi_domain::everyday::Everyday;

const EVERYDAY: &str = include_str!("../../../data/resident/everyday.toml");

#[test]
fn every_everyday_problem_names_a_type_of_the_catalogue() {
    let list = Everyday::from_toml(EVERYDAY).unwrap();
    let tax = support::taxonomy(&support::departments());
    let unknown: Vec<String> =
        list.unknown_types(&tax).iter().map(|p| format!("{} → {}", p.key, p.type_code)).collect();
    assert!(unknown.is_empty(), "types not in {}: {unknown:?}", tax.version);
    assert!((12..=20).contains(&list.problems.len()), "{} problems", list.problems.len());
    assert_eq!(list.in_force(&tax, &["event"]).count(), list.problems.len(), "every one is an event");
    assert_eq!(list.in_force(&tax, &["demand"]).count(), 0, "a kind not in force offers none");
    for must in [
        "路灯不亮",
        "垃圾没清运",
        "井盖缺失/破损",
        "道路坑洼",
        "占道经营",
        "违章停车",
        "噪音扰民",
        "小广告",
        "共享单车乱停",
    ] {
        assert!(list.problems.iter().any(|p| p.name_zh == must), "{must}");
    }
}
