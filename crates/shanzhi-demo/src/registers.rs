//! The demo's registers (一标三实): in every grid a few people of the special groups a grid worker
//! visits on a plan (elderly living alone, the very old, the disabled, left-behind children,
//! low-income households), each with a plausible ID number (region, birth date, sequence, check
//! character), the last visit made and when; and, in one community (the demo accounts' own), every
//! house of every building with its household and a few shops, so the registers' pages are full
//! there. Deterministic for a seed, made up (never real people).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use shanzhi_domain::ids::GridCode;
use shanzhi_domain::people::Building;
use shanzhi_domain::places::grid::Grid;

use crate::names::{mobile, person_name};

/// A record of the demo, with the visit last made on each of its planned tags.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRecord {
    pub register: &'static str,
    pub grid: GridCode,
    pub fields: Value,
    pub tags: Vec<&'static str>,
    pub created_at: DateTime<Utc>,
    /// (tag, when, what was found): the last visit for each tag with a plan.
    pub visits: Vec<(&'static str, DateTime<Utc>, &'static str)>,
}

/// The special groups, how often each is visited in days (as `data/registers/person.toml` says),
/// its share of the people drawn, and the years its people are born in.
const GROUPS: [(&str, i64, u32, (i32, i32)); 5] = [
    ("elderly_alone", 7, 40, (1936, 1958)),
    ("very_old", 14, 22, (1928, 1945)),
    ("disabled", 30, 18, (1950, 2005)),
    ("left_behind_child", 14, 10, (2011, 2021)),
    ("low_income", 30, 10, (1950, 1990)),
];

const NOTES: [&str; 6] = [
    "身体状况良好，生活能自理，无特殊需求",
    "血压偏高，已提醒按时服药并告知社区卫生服务站",
    "家中燃气、用电检查正常，已讲解防诈骗知识",
    "反映楼道灯不亮，已代为报修",
    "子女近期来探望过，情绪稳定",
    "需要代购生活用品，已联系志愿者",
];

/// The community's short name a grid's name starts with (立新东楼 of 立新东楼第1网格).
fn place(g: &Grid) -> &str {
    g.name.split('第').next().unwrap_or(&g.name)
}

/// An ID number for someone born on `born` in `county` (sequence parity gives the sex).
fn id_number(rng: &mut impl Rng, county: &str, born: NaiveDate, male: bool) -> String {
    let seq = rng.random_range(0..500u32) * 2 + u32::from(male);
    let first17 = format!("{county}{}{seq:03}", born.format("%Y%m%d"));
    let check = shanzhi_domain::privacy::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn person(rng: &mut impl Rng, county: &str, years: (i32, i32), address: String, tags: &[&str]) -> Value {
    let born = NaiveDate::from_ymd_opt(
        rng.random_range(years.0..=years.1),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .expect("a day of a month");
    let male = rng.random_bool(0.45);
    let mut p = json!({"name": person_name(rng), "id_number": id_number(rng, county, born, male)});
    if rng.random_bool(0.7) {
        p["phone"] = json!(mobile(rng));
    }
    let mut f = json!({
        "person": p,
        "gender": if male { "male" } else { "female" },
        "residence": if rng.random_bool(0.9) { "registered" } else { "separated" },
        "address": address,
        "birth_date": born.format("%Y-%m-%d").to_string(),
    });
    if tags.contains(&"elderly_alone") {
        f["household_relation"] = json!("head");
    }
    f
}

/// The demo's records as of `now`: the special groups of every grid, and every house, household
/// and shop of the community `full` (a 12-digit code).
pub fn demo_records(
    seed: u64,
    grids: &[Grid],
    buildings: &[Building],
    full: &str,
    now: DateTime<Utc>,
) -> Vec<DemoRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5245_4749);
    let mut out = Vec::new();
    let total_share: u32 = GROUPS.iter().map(|g| g.2).sum();
    let mut by_grid: std::collections::HashMap<&GridCode, Vec<&Building>> = std::collections::HashMap::new();
    for b in buildings {
        by_grid.entry(&b.grid).or_default().push(b);
    }
    for g in grids {
        let county = &g.code.as_str()[..6];
        let homes = by_grid.get(&g.code).map(Vec::as_slice).unwrap_or_default();
        for _ in 0..rng.random_range(2..=5u32) {
            let mut pick = rng.random_range(0..total_share);
            let (tag, every, _, years) = *GROUPS
                .iter()
                .find(|grp| {
                    let hit = pick < grp.2;
                    pick = pick.saturating_sub(grp.2);
                    hit
                })
                .expect("a group");
            let address = match homes {
                [] => format!("{}{}组{}号", place(g), rng.random_range(1..=9), rng.random_range(1..=60)),
                hs => {
                    let b = hs[rng.random_range(0..hs.len())];
                    format!(
                        "{}{}单元{}{:02}室",
                        b.name,
                        rng.random_range(1..=3),
                        rng.random_range(1..=6),
                        rng.random_range(1..=2)
                    )
                }
            };
            let mut tags = vec![tag];
            if tag == "elderly_alone" && rng.random_bool(0.3) {
                tags.push("very_old");
            }
            let fields = person(&mut rng, county, years, address, &tags);
            let created_at = now - Duration::days(rng.random_range(40..400));
            // The last visit of each planned tag: most within their interval, some overdue.
            let visits = tags
                .iter()
                .map(|&t| {
                    let days = GROUPS.iter().find(|grp| grp.0 == t).map_or(every, |grp| grp.1);
                    let ago = Duration::minutes(rng.random_range(60..days * 24 * 60 * 115 / 100));
                    (t, now - ago, NOTES[rng.random_range(0..NOTES.len())])
                })
                .collect();
            out.push(DemoRecord { register: "person", grid: g.code.clone(), fields, tags, created_at, visits });
        }
        if g.code.community().as_str() == full {
            full_community(&mut rng, g, homes, now, &mut out);
        }
    }
    out
}

/// Every house of the grid's buildings with its household, and a few shops.
fn full_community(rng: &mut impl Rng, g: &Grid, homes: &[&Building], now: DateTime<Utc>, out: &mut Vec<DemoRecord>) {
    let county = &g.code.as_str()[..6];
    let year = now.year();
    for b in homes {
        let building = b.name.trim_end_matches("号楼").to_string();
        for entrance in 1..=2 {
            for floor in 1..=6 {
                for room in 1..=2 {
                    let address = format!("{}{entrance}单元{floor}{room:02}室", b.name);
                    let roll: f64 = rng.random();
                    let (usage, tags) = match roll {
                        r if r < 0.72 => ("owner_occupied", vec![]),
                        r if r < 0.86 => {
                            ("rented", vec![if rng.random_bool(0.2) { "rental_high_risk" } else { "rental_low_risk" }])
                        }
                        _ => ("vacant", vec![]),
                    };
                    let owner_born = NaiveDate::from_ymd_opt(
                        rng.random_range(1950..=1995),
                        rng.random_range(1..=12),
                        rng.random_range(1..=28),
                    )
                    .expect("a day");
                    let male = rng.random_bool(0.5);
                    let owner = json!({"name": person_name(rng), "phone": mobile(rng),
                        "id_number": id_number(rng, county, owner_born, male)});
                    let mut fields = json!({
                        "address": address, "building": format!("{building}号楼"), "entrance": format!("{entrance}单元"),
                        "floor": floor, "room": format!("{floor}{room:02}"), "use": usage,
                        "floor_area": rng.random_range(45..=140), "owner": owner,
                    });
                    if usage == "rented" {
                        fields["tenants"] = json!(rng.random_range(1..=4));
                    }
                    let created_at = now - Duration::days(rng.random_range(200..700));
                    let visits = tags
                        .iter()
                        .map(|&t| {
                            let days: i64 = if t == "rental_high_risk" { 7 } else { 90 };
                            (
                                t,
                                now - Duration::minutes(rng.random_range(60..days * 24 * 60)),
                                "出租登记信息核对无误，消防通道畅通",
                            )
                        })
                        .collect();
                    out.push(DemoRecord { register: "house", grid: g.code.clone(), fields, tags, created_at, visits });
                    if usage == "vacant" {
                        continue;
                    }
                    for member in 0..rng.random_range(1..=4u32) {
                        let (relation, years) = match member {
                            0 => ("head", (1950, 1995)),
                            1 => ("spouse", (1950, 1995)),
                            _ => ("child", (year - 30, year - 1)),
                        };
                        let relation = if usage == "rented" { "tenant" } else { relation };
                        let mut p = person(rng, county, years, address.clone(), &[]);
                        p["household_relation"] = json!(relation);
                        if usage == "rented" {
                            p["residence"] = json!("migrant");
                            p["arrived_on"] =
                                json!((now - Duration::days(rng.random_range(10..900))).format("%Y-%m-%d").to_string());
                        }
                        out.push(DemoRecord {
                            register: "person",
                            grid: g.code.clone(),
                            fields: p,
                            tags: vec![],
                            created_at,
                            visits: vec![],
                        });
                    }
                }
            }
        }
    }
    const SHOPS: [(&str, &str); 6] = [
        ("便利店", "shop"),
        ("早餐店", "shop"),
        ("理发店", "shop"),
        ("社区卫生服务站", "medical"),
        ("幼儿园", "school"),
        ("物业服务中心", "firm"),
    ];
    for (i, (name, category)) in SHOPS.iter().enumerate() {
        let contact = json!({"name": person_name(rng), "phone": mobile(rng)});
        let tags = if *category == "school" || *category == "medical" {
            vec!["fire_key"]
        } else if i < 2 {
            vec!["food"]
        } else {
            vec![]
        };
        let visits = tags
            .iter()
            .filter(|&&t| t == "fire_key")
            .map(|&t| (t, now - Duration::days(rng.random_range(1..40)), "灭火器在有效期内，安全出口畅通"))
            .collect();
        out.push(DemoRecord {
            register: "org",
            grid: g.code.clone(),
            fields: json!({"name": format!("{}{name}", place(g)), "category": category, "address": format!("{}临街{}号", place(g), i + 1),
                "contact": contact, "employees": rng.random_range(2..=30)}),
            tags,
            created_at: now - Duration::days(rng.random_range(100..900)),
            visits,
        });
    }
}
