//! The masking's tests: examples, generated variants of each pattern, and any text at all.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;

#[test]
fn fields_are_masked_the_way_people_expect() {
    assert_eq!(mask_mobile("13812341234"), "138****1234");
    assert_eq!(mask_mobile("+8613812341234"), "+86138****1234");
    assert_eq!(mask_landline("0315-2345678"), "0315-***5678");
    // As people type them: spaced or dashed mobiles, landlines without a dash.
    assert_eq!(mask_text("电话138 1234 5678，或138-1234-5678"), "电话138****5678，或138****5678");
    assert_eq!(mask_text("座机03152345678、010 12345678"), "座机0315-***5678、010-****5678");
    assert_eq!(mask_id_number("13020219900101234X"), "130202********234X");
    assert!(id_check_ok("130202199001011232") && id_check_ok("13020219900101234x"));
    assert!(!id_check_ok("130202199001011234"));
    assert_eq!(mask_plate("冀C92345"), "冀C92***");
    assert_eq!(mask_plate("冀BD12345"), "冀BD1****");
    assert_eq!(
        (mask_name("张三丰"), mask_name("张三"), mask_name("欧阳明月")),
        ("张*丰".into(), "张*".into(), "欧**月".into())
    );
    // Whatever they are given, the field maskers do not panic.
    assert_eq!(
        (mask_mobile("123456"), mask_landline("0"), mask_id_number("12"), mask_plate("")),
        ("**3456".into(), "0-".into(), "**".into(), "".into())
    );
}

#[test]
fn free_text_keeps_everything_but_the_personal_data() {
    let text = "市民王先生（电话13812341234，身份证130202199001011232）反映冀C92345长期占道，联系0315-2345678";
    let masked = mask_text(text);
    assert_eq!(masked, "市民王先生（电话138****1234，身份证130202********1232）反映冀C92***长期占道，联系0315-***5678");
    // Case ids and other long numbers are not personal data: they stay whole.
    assert_eq!(mask_text("主案件 116156871475200065 已结案"), "主案件 116156871475200065 已结案");
    assert_eq!(mask_text("编号 130202199001011234"), "编号 130202199001011234", "a wrong check digit");
    assert_eq!(mask_text("编号 130202 19900101 1234"), "编号 130202 19900101 1234", "a wrong check digit");
    assert_eq!(mask_text("路口暴露垃圾 3 处，约 20 平方米"), "路口暴露垃圾 3 处，约 20 平方米");
    assert_eq!(mask_text(&masked), masked, "masking twice changes nothing");
    // Texts where an early version masked more the second time (found by the soup below).
    for text in ["业主张冀C923451", "冀XC(0315)23456781", "1302021 (0315)23456781", "联系人冀姓名冀冀"] {
        let masked = mask_text(text);
        assert_eq!(mask_text(&masked), masked, "{text}");
    }
}

/// What the API's tests expect of texts they send.
#[test]
fn texts_the_api_tests_send() {
    for (text, masked) in [
        ("井盖缺失，电话13812345678", "井盖缺失，电话138****5678"),
        ("冀C92345 长期占用消防通道，车主电话13812341234", "冀C92*** 长期占用消防通道，车主电话138****1234"),
        ("仍然没有修好，电话13700001234", "仍然没有修好，电话137****1234"),
        ("小区门口垃圾堆积，联系13812345678", "小区门口垃圾堆积，联系138****5678"),
        ("已补装井盖，回访电话 13812345678", "已补装井盖，回访电话 138****5678"),
        ("需协调业主", "需协调业主"),
        ("已向来电人解释相关政策规定，直接答复办结", "已向来电人解释相关政策规定，直接答复办结"),
    ] {
        assert_eq!(mask_text(text), masked);
    }
}

#[test]
fn numbers_written_every_which_way_are_masked() {
    for (text, masked) in [
        ("１３８１２３４１２３４", "138****1234"),
        ("138.1234.5678", "138****5678"),
        ("138 - 1234 - 5678", "138****5678"),
        ("138-1234 5678", "138****5678"),
        ("138·1234·5678", "138****5678"),
        ("１３８　１２３４　５６７８", "138****5678"),
        ("(+86)13812345678", "(+86)138****5678"),
        ("（+86）138 1234 5678", "(+86)138****5678"),
        ("+86-138-1234-5678", "+86138****5678"),
        ("0086 13812345678", "0086138****5678"),
        ("138\u{200b}1234\u{301}5678", "138****5678"),
        ("(0315)2345678", "0315-***5678"),
        ("（0315）2345678", "0315-***5678"),
        ("【0315】 234 5678", "0315-***5678"),
        ("0315-234-5678", "0315-***5678"),
        ("０３１５－２３４５６７８", "0315-***5678"),
        ("(010)87654321", "010-****4321"),
        ("130202 19900101 1232", "130202********1232"),
        ("130202-1990-0101-1232", "130202********1232"),
        ("１３０２０２１９９００１０１１２３２", "130202********1232"),
        ("13020219900101234x", "130202********234X"),
        ("１３０２０２１９９００１０１２３４ｘ", "130202********234X"),
        ("冀c92345", "冀C92***"),
        ("冀C 92345", "冀C92***"),
        ("冀C·92345", "冀C92***"),
        ("冀 C92345", "冀C92***"),
        ("冀Ｃ９２３４５", "冀C92***"),
        ("冀AD12345", "冀AD1****"),
    ] {
        assert_eq!(mask_text(&format!("联系{text}。")), format!("联系{masked}。"), "{text}");
    }
    // A digit after a landline and a space is read as part of it (it may be); numbers glued to
    // other digits stay whole.
    assert_eq!(mask_text("拨打0315-2345678 3次"), "拨打0315-****6783次");
    assert_eq!(mask_text("拨打0315-2345678，3次"), "拨打0315-***5678，3次");
    assert_eq!(mask_text("单号 1381234567812"), "单号 1381234567812");
    assert_eq!(mask_text("单号 ２１３８１２３４５６７８"), "单号 ２１３８１２３４５６７８");
}

#[test]
fn names_after_a_label_are_masked() {
    for (text, masked) in [
        ("联系人：张三丰", "联系人：张*丰"),
        ("联系人张三，电话13812345678", "联系人张*，电话138****5678"),
        ("姓名:李四", "姓名:李*"),
        ("报案人 王五称门前积水", "报案人 王*称门前积水"),
        ("当事人：欧阳明月", "当事人：欧**月"),
        ("申请人：赵六家住3号楼", "申请人：赵*家住3号楼"),
        ("户主刘德华反映", "户主刘*华反映"),
        ("租户为陈小明", "租户为陈*明"),
        ("被申请人（周杰）", "被申请人（周*）"),
        ("联系人：张三、李四", "联系人：张*、李*"),
        ("举报人：张三丰要求处理", "举报人：张*丰要求处理"),
    ] {
        assert_eq!(mask_text(text), masked, "{text}");
        assert_eq!(mask_text(masked), masked, "{masked}");
    }
    // Labels used as plain words, and labels with no name after them.
    for text in [
        "需协调业主委员会",
        "需协调业主",
        "当事人已整改完毕",
        "业主反映楼道灯不亮",
        "已向来电人解释相关政策规定，直接答复办结",
        "物业主任王五到场",
        "投诉人称噪音扰民",
        "联系人电话13912345678 之外",
        "姓名不详",
        "当事人积极配合整改",
    ] {
        let want = text.replace("13912345678", "139****5678");
        assert_eq!(mask_text(text), want, "{text}");
    }
}

#[test]
fn plain_text_dates_and_amounts_stay() {
    for text in [
        "2023-10-15 13:45 发现",
        "金额 1,234.56 元，面积 12.5 平方米",
        "2024.01.01 至 2024.12.31",
        "编号 20240101001，第 3 网格 12 号楼 2 单元",
        "约0.1234567890",
        "整改期限 2023.12.01-2024.01.31，复查 2024.02.01",
        "13 14 15 16 17 18 19 20",
        "新version 2 上线",
        "路口暴露垃圾 3 处，约 20 平方米",
    ] {
        assert_eq!(mask_text(text), text);
    }
}

/// Long texts of what the detectors look at, each a candidate at every character: masking
/// them takes time in proportion to their length (a quadratic pass would take minutes here;
/// `--nocapture` shows the times), and they too are masked only once.
#[test]
fn long_texts_take_time_in_proportion() {
    let kinds = [
        "1".repeat(100_000),
        "1 ".repeat(50_000),
        "13812345678 ".repeat(10_000),
        "130202 ".repeat(15_000),
        "0-".repeat(50_000),
        "联系人".repeat(30_000),
        "联系人：张".repeat(20_000),
        "冀C9234".repeat(15_000),
        "冀 ".repeat(50_000),
        "***1".repeat(25_000),
        "\u{301}".repeat(50_000),
    ];
    for text in &kinds {
        let t = std::time::Instant::now();
        let masked = mask_text(text);
        eprintln!("{:?}…, {} bytes: {:?}", text.chars().take(6).collect::<String>(), text.len(), t.elapsed());
        assert_eq!(mask_text(&masked), masked);
    }
}

/// `c` in full width (digits and letters).
fn wide(c: char) -> char {
    if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }
}

/// `chars` with each char in full width where `wide_at` says so and `gaps[i]` (if any) between
/// chars `i` and `i + 1`.
fn render(chars: &str, wide_at: &[bool], gaps: &[Option<&str>]) -> String {
    let mut s = String::new();
    for (i, c) in chars.chars().enumerate() {
        if let Some(Some(gap)) = i.checked_sub(1).and_then(|g| gaps.get(g)) {
            s.push_str(gap);
        }
        s.push(if wide_at.get(i) == Some(&true) { wide(c) } else { c });
    }
    s
}

const SEPS: &[&str] = &[" ", "-", ".", "·", " - ", "　", "－", "．", "・", "—", "\t"];
const BEFORE: &[&str] = &["", "电话", "市民反映，联系电话：", "请拨打", "（", "热线", "联系人：", "X"];
const AFTER: &[&str] = &["", "。", "，谢谢", "）", "反映问题", " 尽快处理", "\n"];

fn gaps(n: usize, seps: &'static [&'static str]) -> impl Strategy<Value = Vec<Option<&'static str>>> {
    prop::collection::vec(prop::option::weighted(0.3, select(seps)), n)
}

fn check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PRIVACY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400)))]

    // Each test renders a random number in a random way, puts it in text and checks that the
    // output is exactly the text with the number's masked form in its place: the surrounding
    // text is kept and the masked digits (a mobile's middle four, an ID's birth date and
    // sequence, …) are gone, whatever other digits they happen to equal.

    #[test]
    fn mobiles_are_masked_however_written(
        second in 3u8..=9,
        rest in "[0-9]{9}",
        wide_at in prop::collection::vec(any::<bool>(), 11),
        gaps in gaps(10, SEPS),
        prefix in select(&[
            ("", ""), ("+86", "+86"), ("86", "86"), ("(+86)", "(+86)"), ("（+86）", "(+86)"),
            ("（＋８６）", "(+86)"), ("+86-", "+86"), ("+86 ", "+86"), ("0086 ", "0086"),
            ("【+86】", "[+86]"), ("＋86　", "+86"), ("(86) ", "(86)"),
        ][..]),
        before in select(BEFORE),
        after in select(AFTER),
    ) {
        let digits = format!("1{second}{rest}");
        let text = format!("{before}{}{}{after}", prefix.0, render(&digits, &wide_at, &gaps));
        let want = format!("{before}{}{}****{}{after}", prefix.1, &digits[..3], &digits[7..]);
        prop_assert_eq!(mask_text(&text), want, "{}", text);
    }

    #[test]
    fn landlines_are_masked_however_written(
        area in prop_oneof![Just("010".to_string()), "02[0-9]", "0[3-9][0-9]{2}"],
        number in "[2-9][0-9]{6,7}",
        wide_at in prop::collection::vec(any::<bool>(), 12),
        gaps in gaps(11, SEPS),
        brackets in prop::option::of(select(&[("(", ")"), ("（", "）"), ("[", "]"), ("【", "】")][..])),
        after_bracket in select(&["", " ", "-", "　"][..]),
        before in select(BEFORE),
        after in select(AFTER),
    ) {
        let rendered = match brackets {
            Some((open, close)) => {
                let local = render(&number, &wide_at, &gaps);
                format!("{open}{}{close}{after_bracket}{local}", render(&area, &wide_at[4..], &[]))
            }
            None => {
                // The area code is written in one piece.
                let mut gaps = gaps;
                gaps[..area.len() - 1].fill(None);
                render(&format!("{area}{number}"), &wide_at, &gaps)
            }
        };
        let text = format!("{before}{rendered}{after}");
        let keep = number.len() - 4;
        let want = format!("{before}{area}-{}{}{after}", "*".repeat(keep), &number[keep..]);
        prop_assert_eq!(mask_text(&text), want, "{}", text);
    }

    #[test]
    fn id_numbers_are_masked_however_written(
        area in "[1-8][0-9]{5}",
        (year, month, day) in (1900u32..2026, 1u32..=12, 1u32..=28),
        sequence in "[0-9]{3}",
        wide_at in prop::collection::vec(any::<bool>(), 18),
        gaps in gaps(17, SEPS),
        x in select(&['X', 'x', 'Ｘ', 'ｘ'][..]),
        before in select(BEFORE),
        after in select(AFTER),
    ) {
        let first17 = format!("{area}{year}{month:02}{day:02}{sequence}");
        let check = check_char(&first17);
        let mut rendered = render(&format!("{first17}{check}"), &wide_at, &gaps);
        if check == 'X' {
            rendered.pop();
            rendered.push(x);
        }
        let text = format!("{before}{rendered}{after}");
        let want = format!("{before}{area}********{}{check}{after}", &sequence);
        prop_assert_eq!(mask_text(&text), want, "{}", text);
    }

    #[test]
    fn plates_are_masked_however_written(
        province in select(&['京', '津', '沪', '冀', '豫', '云', '黑', '新', '川', '粤', '琼'][..]),
        letter in "[A-HJ-NP-Z]",
        tail in "[A-HJ-NP-Z0-9]{5}|[DF][0-9]{5}"
            .prop_filter("two digits", |t| t.bytes().filter(u8::is_ascii_digit).count() >= 2),
        lower in prop::collection::vec(any::<bool>(), 7),
        wide_at in prop::collection::vec(any::<bool>(), 7),
        seps in (select(&["", "", " ", "·", "-", "．", "　", "・", "."][..]), select(&["", "", " ", "·", "-", "・"][..])),
        before in select(&["", "车辆", "反映", "车主", "停放的", "（"][..]),
        after in select(&["", "长期占道", "，", "。", " 违停", "）", "停在路边"][..]),
    ) {
        let cased: String = format!("{letter}{tail}")
            .chars()
            .zip(&lower)
            .map(|(c, &l)| if l { c.to_ascii_lowercase() } else { c })
            .collect();
        let rendered = render(&cased, &wide_at, &[Some(seps.1)]);
        let text = format!("{before}{province}{}{rendered}{after}", seps.0);
        let want = format!("{before}{province}{letter}{}{}{after}", &tail[..2], "*".repeat(tail.len() - 2));
        prop_assert_eq!(mask_text(&text), want, "{}", text);
    }

    #[test]
    fn names_after_labels_are_masked(
        label in select(LABELS),
        sep in select(&["", "：", ":", " ", "　", "： ", " ：", "为"][..]),
        surname in prop_oneof![
            4 => select(&["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"][..]),
            1 => select(&["欧阳", "司马", "诸葛"][..]),
        ],
        given in prop::collection::vec(
            select(&['伟', '芳', '娜', '敏', '静', '丽', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '超', '霞', '刚', '英', '玉', '兰', '萍', '红', '辉', '鹏', '飞', '燕', '婷', '宇', '浩', '斌'][..]),
            1..=3,
        ),
        before in select(&["", "经核实，", "案件描述：", "来电反映，", "。"][..]),
        after in select(&[
            ("", ""), ("，", "，"), ("。", "。"), ("，电话13812345678", "，电话138****5678"), ("称", "称"),
            ("反映情况", "反映情况"), ("家门口漏水", "家门口漏水"), ("）", "）"), (" 称", " 称"), ("、", "、"),
        ][..]),
    ) {
        let name: String = surname.chars().chain(given).take(4).collect();
        let text = format!("{before}{label}{sep}{name}{}", after.0);
        let want = format!("{before}{label}{sep}{}{}", mask_name(&name), after.1);
        let masked = mask_text(&text);
        prop_assert_eq!(&masked, &want, "{}", text);
        prop_assert_eq!(mask_text(&masked), masked);
    }

    #[test]
    fn any_text_is_masked_without_panic_and_only_once(text in any::<String>()) {
        let masked = mask_text(&text);
        prop_assert_eq!(mask_text(&masked), masked);
    }

    #[test]
    fn number_soup_is_masked_only_once(
        parts in prop::collection::vec(select(&[
            "1", "3", "8", "0", "5", "9", "2", "X", "x", " ", "-", ".", "·", "(", ")", "（", "）", "+", "86",
            "*", "***", "１", "３", "８", "冀", "C", "c", "联系人", "姓名", "：", "张", "三", "王", "业主", "、",
            "电话", "\u{301}", "\u{200b}", "　", "138", "0315", "130202", "19900101", "1232", "13812345678",
            "(0315)2345678", "冀C92345", "称", "户主", "物", "为", "(+86)", "0086", "D", "12345", "-***",
            "【", "】", "欧阳",
        ][..]), 0..40),
    ) {
        let text = parts.concat();
        let masked = mask_text(&text);
        prop_assert_eq!(mask_text(&masked), masked.clone(), "{}", text);
    }
}

#[test]
fn stars_typed_by_a_person_hide_nothing() {
    for text in [
        "电话***13812345678",
        "***13812345678",
        "＊＊＊13812345678",
        "联系：*** 13812345678",
        "13812345678***",
        "13812345678＊＊＊号",
    ] {
        let masked = mask_text(text);
        assert!(masked.contains("138****5678"), "{text} → {masked}");
        assert_eq!(mask_text(&masked), masked, "masking twice changes nothing: {text}");
    }
}

#[test]
fn numbers_broken_over_lines_or_by_slashes_are_masked() {
    for text in ["电话138\n1234\n5678", "电话138\r\n1234\r\n5678", "电话138/1234/5678", "电话138_1234_5678"] {
        assert!(mask_text(text).contains("138****5678"), "{text:?} → {}", mask_text(text));
    }
    // Dates and ranges written with slashes stay as they are.
    assert_eq!(mask_text("2023/12/01-2024/01/31 共 3 次"), "2023/12/01-2024/01/31 共 3 次");
}
