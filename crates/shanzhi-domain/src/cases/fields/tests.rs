//! Tests of `fields`.

use serde_json::json;

use super::*;

/// A residents' complaint (居民投诉) with the households it affects.
const DEFS: &str = r#"
[[field]]
key = "households"
name_zh = "受影响住户"
name_en = "Affected households"
type = "people"
required = true
max = 3

[[field]]
key = "noise_level"
name_zh = "噪声（分贝）"
name_en = "Noise (dB)"
type = "number"
min_value = 0
max_value = 150
public = true

[[field]]
key = "since"
name_zh = "开始日期"
name_en = "Since"
type = "date"

[[field]]
key = "source"
name_zh = "噪声来源"
name_en = "Source"
type = "choice"
choices = [
  { key = "shop", name_zh = "商铺", name_en = "A shop" },
  { key = "works", name_zh = "施工", name_en = "Building works" },
]
public = true

[[field]]
key = "finding"
name_zh = "核查结论"
name_en = "Finding"
type = "text"
at = ["check"]
required = true
max = 20
"#;

#[derive(Deserialize)]
struct File {
    field: Vec<FieldDef>,
}

/// The declarations of `text` checked against a workflow with `actions`, and every problem.
fn checked(text: &str, actions: &[&str]) -> (Vec<FieldDef>, String) {
    let mut f: File = toml::from_str(text).unwrap();
    let mut problems = Vec::new();
    check_defs(&mut f.field, actions, &mut problems);
    (f.field, problems.join("\n"))
}

fn defs() -> Vec<FieldDef> {
    let (defs, problems) = checked(DEFS, &["check", "close"]);
    assert!(problems.is_empty(), "{problems}");
    defs
}

fn given(v: serde_json::Value) -> BTreeMap<String, Value> {
    serde_json::from_value(v).unwrap()
}

fn refused(v: serde_json::Value, at: &str) -> FieldProblem {
    merge(&defs(), &BTreeMap::new(), &given(v), at).unwrap_err()
}

const HOUSEHOLD: &str = "张三丰";

#[test]
fn a_report_keeps_its_fields_in_their_one_shape() {
    let got = merge(
        &defs(),
        &BTreeMap::new(),
        &given(json!({
            "households": [{"name": format!(" {HOUSEHOLD} "), "phone": "138-1234-5678", "id_number": "11010519491231002x"}],
            "noise_level": 72.5,
            "since": "2026-11-03",
            "source": "shop",
        })),
        AT_REPORT,
    )
    .unwrap();
    assert_eq!(
        got["households"],
        json!([{"name": HOUSEHOLD, "phone": "13812345678", "id_number": "11010519491231002X"}])
    );
    assert_eq!((got["noise_level"].clone(), got["source"].clone()), (json!(72.5), json!("shop")));
    assert!(!got.contains_key("finding"), "given later, by the check");
}

#[test]
fn each_problem_names_the_field_in_both_languages() {
    let p = refused(json!({"noise_level": 72}), AT_REPORT);
    assert_eq!(p.field, "fields.households");
    assert!(p.message.zh.contains("受影响住户") && p.message.en.contains("Affected households"), "{p:?}");
    for (v, field, en) in [
        (json!({"households": []}), "fields.households", "1 to 3 items"),
        (
            json!({"households": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}]}),
            "fields.households",
            "1 to 3",
        ),
        (
            json!({"households": [{"name": "甲"}, {"name": "乙", "phone": "12345"}]}),
            "fields.households[1].phone",
            "mobile",
        ),
        (
            json!({"households": [{"name": "甲", "id_number": "110105194912310021"}]}),
            "fields.households[0].id_number",
            "check",
        ),
        (json!({"households": [{"name": "甲", "age": 3}]}), "fields.households[0].age", "only"),
        (json!({"households": [{"name": "  "}]}), "fields.households[0].name", "1 to 50"),
        (json!({"households": [{"name": "甲"}], "noise_level": 200}), "fields.noise_level", "within 0–150"),
        (json!({"households": [{"name": "甲"}], "noise_level": "loud"}), "fields.noise_level", "a number"),
        (json!({"households": [{"name": "甲"}], "since": "2026-02-30"}), "fields.since", "YYYY-MM-DD"),
        (json!({"households": [{"name": "甲"}], "source": "dogs"}), "fields.source", "one of shop, works"),
        (json!({"households": [{"name": "甲"}], "colour": "red"}), "fields.colour", "no field `colour`"),
        (
            json!({"households": [{"name": "甲"}], "finding": "x"}),
            "fields.finding",
            "cannot be given or changed by `report`",
        ),
    ] {
        let p = refused(v.clone(), AT_REPORT);
        assert_eq!(p.field, field, "{v}");
        assert!(p.message.en.contains(en), "{v}: {}", p.message.en);
        assert!(!p.message.zh.is_empty());
    }
}

#[test]
fn a_later_action_gives_its_own_fields_and_cannot_empty_a_required_one() {
    let d = defs();
    let reported = merge(&d, &BTreeMap::new(), &given(json!({"households": [{"name": "甲"}]})), AT_REPORT).unwrap();
    assert_eq!(merge(&d, &reported, &given(json!({})), "check").unwrap_err().field, "fields.finding");
    let checked = merge(&d, &reported, &given(json!({"finding": "属实"})), "check").unwrap();
    assert_eq!(checked["finding"], json!("属实"));
    assert_eq!(checked["households"], reported["households"], "kept");
    assert_eq!(
        merge(&d, &checked, &given(json!({"finding": "x".repeat(21)})), "check").unwrap_err().field,
        "fields.finding"
    );
    // Another action carries none of it; `null` empties an optional field only.
    assert_eq!(merge(&d, &checked, &BTreeMap::new(), "close").unwrap(), checked);
    assert!(merge(&d, &checked, &given(json!({"finding": null})), "check").is_err());
    let with_date =
        merge(&d, &BTreeMap::new(), &given(json!({"households": [{"name": "甲"}], "since": "2026-11-03"})), AT_REPORT)
            .unwrap();
    let mut optional = d.clone();
    optional.iter_mut().for_each(|f| f.at.push("close".into()));
    assert!(!merge(&optional, &with_date, &given(json!({"since": null})), "close").unwrap().contains_key("since"));
}

#[test]
fn personal_data_is_masked_and_only_public_fields_reach_the_public() {
    let d = defs();
    let f = merge(
        &d,
        &BTreeMap::new(),
        &given(json!({
            "households": [{"name": HOUSEHOLD, "phone": "13812345678", "id_number": "11010519491231002X"}],
            "noise_level": 80,
            "source": "works",
        })),
        AT_REPORT,
    )
    .unwrap();
    let m = masked(&d, &f);
    let shown = m["households"].to_string();
    assert!(
        !shown.contains(HOUSEHOLD) && !shown.contains("13812345678") && !shown.contains("11010519491231002X"),
        "{shown}"
    );
    assert!(shown.contains("138****5678"), "{shown}");
    let p = public(&d, &f);
    assert_eq!(p.keys().collect::<Vec<_>>(), ["noise_level", "source"]);
    assert_eq!(cell(&d[3], &f["source"], false), "施工");
    assert!(cell(&d[0], &f["households"], false).starts_with(HOUSEHOLD));
}

#[test]
fn declarations_that_cannot_work_are_refused_naming_the_field() {
    let text = r#"
[[field]]
key = "Bad Key"
name_zh = "x"
name_en = "x"
type = "colour"
at = ["fly"]
[[field]]
key = "pick"
name_zh = "x"
name_en = "x"
type = "choice"
[[field]]
key = "pick"
name_zh = "x"
name_en = "x"
type = "number"
min_value = 5
max_value = 1
"#;
    let (_, all) = checked(text, &["close"]);
    for expected in [
        "field `Bad Key`: a key is",
        "field Bad Key: unknown type `colour`",
        "`at` names `fly`",
        "field pick: a `choice` field lists its `choices`",
        "field pick is declared twice",
        "`min_value` is above `max_value`",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}

#[test]
fn phones_and_id_numbers_are_taken_as_people_write_them_and_nothing_longer() {
    let d = defs();
    let one = |p: serde_json::Value| merge(&d, &BTreeMap::new(), &given(json!({"households": [p]})), AT_REPORT);
    let got = one(json!({"name": "甲", "phone": "+86 １３８ １２３４ ５６７８", "id_number": "１１０１０５１９４９１２３１００２ｘ"})).unwrap();
    assert_eq!(got["households"][0], json!({"name": "甲", "phone": "13812345678", "id_number": "11010519491231002X"}));
    let landline = one(json!({"name": "甲", "phone": "(0315) 234-5678"})).unwrap();
    assert_eq!(landline["households"][0]["phone"], "0315-2345678");
    let padded = format!("0{}3152345678", "-".repeat(50_000));
    assert_eq!(one(json!({"name": "甲", "phone": padded})).unwrap_err().field, "fields.households[0].phone");
    assert_eq!(
        one(json!({"name": "甲", "phone": "138 1234 5678 转 12"})).unwrap_err().field,
        "fields.households[0].phone"
    );
    let long_key = format!("x{}", "y".repeat(10_000));
    let p = merge(&d, &BTreeMap::new(), &given(json!({ long_key: 1 })), AT_REPORT).unwrap_err();
    assert!(p.field.len() < 60 && p.message.en.len() < 300, "no long echo: {p:?}");
}

#[test]
fn a_value_of_a_field_no_longer_declared_is_masked_all_the_same() {
    // Stored under a field a later version dropped, or retyped to text: still personal data.
    let kept: BTreeMap<String, Value> = given(json!({
        "parties": [{"name": "王小明", "phone": "13812345678", "id_number": "11010519491231002X"}],
        "noise_level": {"name": "李四", "note": "电话13912345678"},
    }));
    let shown = masked(&defs(), &kept);
    let text = serde_json::to_string(&shown).unwrap();
    for whole in ["王小明", "13812345678", "11010519491231002X", "李四", "13912345678"] {
        assert!(!text.contains(whole), "{whole} in {text}");
    }
}

#[test]
fn limits_a_field_cannot_use_are_refused() {
    let text = r#"
[[field]]
key = "n"
name_zh = "x"
name_en = "x"
type = "number"
max = 3
min_value = nan
[[field]]
key = "t"
name_zh = "x"
name_en = "x"
type = "text"
max = 5000
min_value = 1
"#;
    let (_, all) = checked(text, &[]);
    for expected in [
        "field n: `max` is for text, people and attachments",
        "field n: `min_value` and `max_value` must be finite",
        "field t: a `max` above 2000",
        "field t: `min_value` and `max_value` are for numbers",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}
