//! The shipped registers parse; a record is checked, tagged, labelled, masked and faceted as its
//! file says; a broken file names each of its problems.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

const PERSON: &str = include_str!("../../../../data/registers/person.toml");
const HOUSE: &str = include_str!("../../../../data/registers/house.toml");
const ORG: &str = include_str!("../../../../data/registers/org.toml");

fn map(v: Value) -> BTreeMap<String, Value> {
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_shipped_registers_parse() {
    for (text, key) in [(PERSON, "person"), (HOUSE, "house"), (ORG, "org")] {
        let r = Register::from_toml(text).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(r.register, key);
        assert!(r.may_read(Role::GridWorker) && r.may_write(Role::GridWorker) && !r.may_unmask(Role::GridWorker));
        assert!(!r.may_read(Role::DepartmentHandler), "a department has no area, so no register");
    }
}

#[test]
fn a_person_is_checked_labelled_and_masked() {
    let r = Register::from_toml(PERSON).unwrap();
    let given = map(json!({
        "person": {"name": "王秀兰", "phone": "138 1234 5678", "id_number": "11010519491231002x"},
        "residence": "registered", "address": "3号楼2单元501", "gender": "female"
    }));
    let f = r.merge(&BTreeMap::new(), &given).unwrap();
    assert_eq!(f["person"]["id_number"], "11010519491231002X", "upper case kept");
    assert_eq!(f["person"]["phone"], "13812345678");
    assert_eq!(r.label_of(&f, true), "王秀兰");
    assert_eq!(r.label_of(&f, false), "王*兰");
    let masked = serde_json::to_string(&r.masked(&f)).unwrap();
    assert!(!masked.contains("12345678") && !masked.contains("1949123") && !masked.contains("秀"), "{masked}");
    assert_eq!(r.facets(&f), ",gender=female,residence=registered,");

    // A wrong check character, a missing required field and an unknown field each name the field.
    let bad_id = map(json!({"person": {"name": "李四", "id_number": "110105194912310021"}, "residence": "migrant",
                            "address": "1号楼"}));
    assert_eq!(r.merge(&BTreeMap::new(), &bad_id).unwrap_err().field, "fields.person.id_number");
    let missing = map(json!({"person": {"name": "李四"}, "address": "1号楼"}));
    assert_eq!(r.merge(&BTreeMap::new(), &missing).unwrap_err().field, "fields.residence");
    let unknown = map(json!({"nickname": "x"}));
    let e = r.merge(&f, &unknown).unwrap_err();
    assert_eq!(e.field, "fields.nickname");
    assert!(e.message.zh.contains("没有名为"), "{}", e.message.zh);
    // A change merges over what is there; a required field cannot be emptied.
    let moved = r.merge(&f, &map(json!({"address": "5号楼1单元101"}))).unwrap();
    assert_eq!(moved["person"], f["person"]);
    assert_eq!(r.merge(&f, &map(json!({"residence": null}))).unwrap_err().field, "fields.residence");
}

#[test]
fn tags_are_the_declared_ones_each_once() {
    let r = Register::from_toml(PERSON).unwrap();
    assert_eq!(
        r.check_tags(&["very_old".into(), "elderly_alone".into(), "very_old".into()]).unwrap(),
        vec!["elderly_alone", "very_old"]
    );
    assert!(r.check_tags(&["vip".into()]).unwrap_err().message.en.contains("elderly_alone"));
    let many: Vec<String> = (0..=TAGS_MAX).map(|_| "veteran".to_string()).collect();
    assert_eq!(r.check_tags(&many).unwrap_err().field, "tags");
    assert!(r.tag("elderly_alone").unwrap().visit_every.is_some());
    assert!(r.tag("veteran").unwrap().visit_every.is_none());
}

#[test]
fn a_facet_filter_is_a_declared_filter_value() {
    let r = Register::from_toml(HOUSE).unwrap();
    assert_eq!(r.facet_filter("use=rented").unwrap(), ",use=rented,");
    assert_eq!(r.facet_filter("use=owner_occupied").unwrap(), ",use=owner_occupied,");
    let person = Register::from_toml(PERSON).unwrap();
    assert!(person.facet_filter("arrived_on=2026-03-01").is_ok());
    assert!(person.facet_filter("arrived_on=2026%").is_err());
    for bad in ["use", "use=palace", "owner=x", "floor_area=1", "use=", "use=a,b", "use=%", "use=rent_d"] {
        assert_eq!(r.facet_filter(bad).unwrap_err().field, "facet", "{bad}");
    }
}

#[test]
fn a_broken_register_names_every_problem() {
    let text = r#"
register = "Bad-Key"
version = ""
name_zh = "坏"
name_en = "Bad"
label = "nothing"
readers = ["resident"]
writers = ["grid_worker"]
[[field]]
key = "a"
name_zh = "甲"
name_en = "A"
type = "text"
at = ["close"]
[[tag]]
key = "t"
name_zh = "标"
name_en = "T"
visit_every = { value = 0, unit = "calendar_hours" }
[[tag]]
key = "t"
name_zh = "标"
name_en = "T"
"#;
    let e = Register::from_toml(text).unwrap_err();
    for want in [
        "register `Bad-Key`",
        "version",
        "label `nothing`",
        "a writer or unmasker must also be a reader",
        "a register is for staff",
        "tag t is declared twice",
        "`visit_every` of 0",
        "`at`",
    ] {
        assert!(e.contains(want), "{want} not in {e}");
    }
}

#[test]
fn a_record_goes_out_as_a_row_and_comes_back_the_same() {
    use super::sheet::{ColumnKind, cells, column_of, columns, header_map, read_row};
    let r = Register::from_toml(PERSON).unwrap();
    let given = map(json!({
        "person": {"name": "王秀兰", "phone": "13812345678", "id_number": "11010519491231002X"},
        "residence": "migrant", "address": "3号楼2单元501室", "birth_date": "1949-12-31", "arrived_on": "2026-03-01"
    }));
    let fields = r.merge(&BTreeMap::new(), &given).unwrap();
    let tags = vec!["elderly_alone".to_string(), "very_old".to_string()];
    let cols = columns(&r);
    let headers: Vec<String> = cols.iter().map(|c| c.zh.clone()).collect();
    assert!(
        headers.contains(&"姓名及证件·身份证号".to_string()) && headers.contains(&"标签".to_string()),
        "{headers:?}"
    );
    let mut row = cells(&r, 42, "130202001001001", "立新东楼第1网格", &fields, &tags, false);
    assert!(
        row.contains(&"流动人口".to_string()) && row.contains(&"独居老人、高龄老人（80岁以上）".to_string()),
        "{row:?}"
    );
    // A sheet to import leaves the number empty; its headers may be the English ones.
    row[0] = String::new();
    let english: Vec<String> = cols.iter().map(|c| c.en.clone()).collect();
    for heads in [&headers, &english] {
        let m = header_map(&r, heads).unwrap();
        let back = read_row(&r, &m, &row).unwrap();
        assert_eq!(back.grid, "130202001001001");
        assert_eq!(r.merge(&BTreeMap::new(), &back.fields).unwrap(), fields);
        assert_eq!(r.check_tags(&back.tags).unwrap(), tags);
    }
    // Problems name the column a clerk sees.
    let m = header_map(&r, &headers).unwrap();
    let mut bad = row.clone();
    let residence = cols.iter().position(|c| c.kind == ColumnKind::Field("residence".into())).unwrap();
    bad[residence] = "外星人".into();
    let e = read_row(&r, &m, &bad).unwrap_err();
    assert_eq!(e.field, "人口类别");
    assert!(e.message.zh.contains("户籍人口"), "{}", e.message.zh);
    bad = row.clone();
    bad[0] = "42".into();
    assert_eq!(read_row(&r, &m, &bad).unwrap_err().field, "编号");
    assert_eq!(column_of(&r, "fields.person.id_number"), "姓名及证件·身份证号");
    assert_eq!(column_of(&r, "fields.residence"), "人口类别");
    assert!(header_map(&r, &["网格编码".into(), "昵称".into()]).unwrap_err().zh.contains("昵称"));
    assert!(header_map(&r, &["姓名及证件·姓名".into()]).unwrap_err().zh.contains("网格编码"));
    assert!(header_map(&r, &["网格编码".into(), "网格编码".into()]).is_err());
}

#[test]
fn a_change_keeps_what_it_does_not_give_and_never_writes_a_mask_over_real_data() {
    let r = Register::from_toml(PERSON).unwrap();
    let f = r
        .merge(
            &BTreeMap::new(),
            &map(json!({"person": {"name": "王秀兰", "phone": "13812345678", "id_number": "11010519491231002X"},
                        "residence": "registered", "address": "3号楼", "notes": "女儿电话13912345678"})),
        )
        .unwrap();
    // The phone changed by someone who never saw the ID number: the ID number stays.
    let g = r.merge(&f, &map(json!({"person": {"name": "王秀兰", "phone": "13900000000"}}))).unwrap();
    assert_eq!(g["person"]["id_number"], "11010519491231002X");
    assert_eq!(g["person"]["phone"], "13900000000");
    let g = r.merge(&f, &map(json!({"person": {"name": "王秀兰", "phone": null}}))).unwrap();
    assert!(g["person"].get("phone").is_none(), "a null part removes it");
    // What masking showed, sent back, is refused; a value without personal data may hold `*`.
    let shown = r.masked(&f);
    for (k, v) in
        [("notes", json!(format!("{}，已走访", shown["notes"].as_str().unwrap()))), ("person", shown["person"].clone())]
    {
        let e = r.merge(&f, &map(json!({ k: v }))).unwrap_err();
        assert_eq!(e.field, format!("fields.{k}"), "{k}");
    }
    let plain = r.merge(&f, &map(json!({"address": "3号楼*"}))).unwrap();
    assert_eq!(plain["address"], "3号楼*");
}
