//! Tests of `taxonomy`.

use super::*;
use crate::time_limit::TimeUnit;

const CATALOGUE: &str = include_str!("../../../../data/taxonomy/tangshan-2026.1.toml");
const DEPARTMENTS: &str = include_str!("../../../../data/org/departments.toml");

fn departments() -> Departments {
    Departments::from_toml(DEPARTMENTS).expect("shipped register is valid")
}

fn shipped() -> Taxonomy {
    Taxonomy::from_toml(CATALOGUE, &departments()).unwrap_or_else(|e| panic!("{e}"))
}

fn code(s: &str) -> TypeCode {
    s.parse().expect("valid code")
}

#[test]
fn shipped_catalogue_has_10_categories_and_194_types() {
    let t = shipped();
    assert_eq!(t.version, "tangshan-2026.1");
    assert_eq!((t.categories.len(), t.types.len()), (10, 194));
    let components = t.categories.iter().filter(|c| c.kind == ItemKind::Component).count();
    assert_eq!(components, 5);
    for c in &t.categories {
        let last = t.types_in(&c.code).last().expect("category has types");
        assert!(last.code.is_other() && last.name_zh.starts_with("其他"), "{}", c.code);
    }
}

#[test]
fn urgent_types_are_handled_within_one_working_day() {
    for t in shipped().types.iter().filter(|t| t.urgency == Urgency::Urgent) {
        let max = match t.limit.unit {
            TimeUnit::Minutes => 8 * 60,
            TimeUnit::CalendarHours => 24,
            TimeUnit::WorkingHours => 8,
            TimeUnit::WorkingDays => 1,
        };
        assert!(t.limit.value <= max, "{} {:?}", t.code, t.limit);
    }
}

#[test]
fn shipped_values_are_realistic() {
    let t = shipped();
    for cover in t.types.iter().filter(|t| t.name_zh.ends_with("井盖")) {
        assert_eq!(cover.urgency, Urgency::Urgent, "{}", cover.code);
        assert_eq!(cover.limit.unit, TimeUnit::CalendarHours, "{}", cover.code);
        assert!(cover.limit.value <= 4, "{}", cover.code);
    }
    for name in ["乱堆物堆料", "楼道杂物", "沿街晾挂"] {
        let found = t.types.iter().find(|t| t.name_zh == name).expect(name);
        assert_eq!(found.level, HandlingLevel::Community, "{name}");
    }
    let units: HashSet<_> = t.types.iter().map(|t| t.limit.unit).collect();
    assert_eq!(units.len(), 4, "all four units are used");
    let levels: HashSet<_> = t.types.iter().map(|t| t.level).collect();
    assert_eq!(levels.len(), 3, "all three levels are used");
}

#[test]
fn departments_exist_where_their_types_are_handled_and_all_are_used() {
    use crate::ids::Level;
    let deps = departments();
    let t = shipped();
    for ty in &t.types {
        let d = deps.get(&ty.department).expect("validated");
        let ok = match ty.level {
            HandlingLevel::District => d.exists_at(Level::County),
            HandlingLevel::Street => d.exists_at(Level::County) || d.exists_at(Level::Township),
            HandlingLevel::Community => true,
        };
        assert!(ok, "{} routed to {} at {}", ty.code, d.key, ty.level.as_str());
        assert!(!ty.assisting.contains(&ty.department), "{}", ty.code);
    }
    for d in &deps.departments {
        let used = t.types.iter().any(|ty| ty.department == d.key || ty.assisting.contains(&d.key));
        assert!(used, "department {} routes nothing", d.key);
    }
}

#[test]
fn lookups() {
    let t = shipped();
    assert_eq!(t.get(&code("0101")).map(|t| t.name_zh.as_str()), Some("上水井盖"));
    assert_eq!(t.get(&code("0198")), None);
    assert_eq!(t.kind_of(&code("0903")), Some(ItemKind::Event));
    assert_eq!(t.category("04").map(|c| c.name_zh.as_str()), Some("园林绿化"));
    assert_eq!(t.types_in("09").count(), 20);
    assert_eq!(t.types_in("11").count(), 0);
}

#[test]
fn type_codes_parse_strictly() {
    let c = code("0612");
    assert_eq!((c.category(), c.sequence(), c.to_string()), ("06", "12", "0612".into()));
    for bad in ["", "101", "01011", "0a01", "0001", "0100", "０１０１", " 0101"] {
        assert!(bad.parse::<TypeCode>().is_err(), "{bad:?}");
    }
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"0612\"");
    assert_eq!(serde_json::from_str::<TypeCode>("\"0612\"").unwrap(), c);
    assert!(serde_json::from_str::<TypeCode>("\"612\"").is_err());
}

const HEADER: &str = r#"
[catalogue]
version = "t"
name_zh = "测试"
name_en = "Test"
standard_ref = "none"
[[category]]
code = "01"
kind = "component"
name_zh = "公用设施"
name_en = "Public utilities"
"#;

fn ty(code: &str, dept: &str, limit: u32, extra: &str) -> String {
    format!(
        "[[type]]\ncode = \"{code}\"\nname_zh = \"甲\"\nname_en = \"A\"\ndepartment = \"{dept}\"\n\
         urgency = \"normal\"\nlevel = \"street\"\nlimit = {{ value = {limit}, unit = \"working_days\" }}\n\
         filing_zh = \"有\"\nclosing_zh = \"无\"\n{extra}"
    )
}

fn problems(text: &str) -> Vec<String> {
    match Taxonomy::from_toml(text, &departments()) {
        Err(TaxonomyError::Invalid(ps)) => ps.iter().map(ToString::to_string).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_broken_catalogue_reports_every_problem() {
    let types = [ty("0101", "gas", 2, ""), ty("0102", "nope", 2, ""), ty("0103", "gas", 0, "")];
    let text = [HEADER, &types.concat(), &ty("0201", "gas", 1, "")].concat();
    assert_eq!(
        problems(&text),
        [
            "type 0102, department: unknown department key `nope`",
            "type 0103, limit: time limit is zero",
            "type 0201, category: no category `02`",
        ]
    );
    let Err(TaxonomyError::Invalid(ps)) = Taxonomy::from_toml(&text, &departments()) else { unreachable!() };
    assert_eq!(ps[0].issue, Issue::UnknownDepartment("nope".into()));
}

#[test]
fn codes_names_and_categories_are_checked() {
    let blank_filing = ty("0103", "gas", 1, "").replace("filing_zh = \"有\"", "filing_zh = \" \"");
    let text = [
        HEADER,
        &ty("0101", "gas", 1, "assisting = [\"gas\", \"bank\"]\n"),
        &ty("0101", "gas", 1, ""),
        &ty("1x01", "gas", 1, ""),
        &ty("0102", "gas", 1, "category = \"02\"\n"),
        &blank_filing,
        "[[category]]\ncode = \"1\"\nkind = \"event\"\nname_zh = \"\"\nname_en = \"E\"\n",
    ]
    .concat();
    assert_eq!(
        problems(&text),
        [
            "category 1, code: malformed code `1`",
            "category 1, name_zh: is empty",
            "type 0101, assisting: unknown department key `bank`",
            "type 0101, code: duplicate code",
            "type 1x01, code: malformed code `1x01`",
            "type 0102, code: code does not start with its category `02`",
            "type 0103, filing_zh: is empty",
        ]
    );
}

#[test]
fn syntax_and_shape_errors_carry_the_line() {
    let text = [HEADER, &ty("0101", "gas", 1, "").replace("\"normal\"", "\"soon\"")].concat();
    let Err(TaxonomyError::Parse(e)) = Taxonomy::from_toml(&text, &departments()) else { panic!("expected Parse") };
    assert_eq!(e.line, Some(17), "{e}"); // the `urgency` line
    let Err(TaxonomyError::Parse(e)) = Taxonomy::from_toml("[catalogue\n", &departments()) else {
        panic!("expected Parse")
    };
    assert_eq!(e.line, Some(1), "{e}");
}
