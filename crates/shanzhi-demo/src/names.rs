//! Plausible Chinese personal names and mobile numbers for demo people (never real ones).

use rand::Rng;

const SURNAMES: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕丹凤春梅金凤晓东立新淑珍建华文斌德胜宏亮玉珍秀珍振华永刚雪梅冬梅宝山福林国庆卫东慧敏俊杰子涵浩然雨轩欣怡";

pub fn person_name(rng: &mut impl Rng) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    let mut name = String::new();
    name.push(s[rng.random_range(0..s.len())]);
    for _ in 0..rng.random_range(1..=2) {
        name.push(g[rng.random_range(0..g.len())]);
    }
    name
}

pub fn mobile(rng: &mut impl Rng) -> String {
    const PREFIXES: [&str; 8] = ["133", "135", "138", "139", "151", "158", "177", "186"];
    format!("{}{:08}", PREFIXES[rng.random_range(0..PREFIXES.len())], rng.random_range(0..100_000_000u32))
}
