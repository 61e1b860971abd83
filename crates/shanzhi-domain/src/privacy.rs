//! Personal data in free text and fields: ID numbers, mobile and landline numbers, licence plates
//! and names are masked by default (`138****1234`, `张*丰`, `冀C92***`); only some roles may see
//! them unmasked, and every unmasking is audited (by the application).

use std::sync::LazyLock;

use regex::Regex;

use crate::people::Role;

/// 18-digit resident ID numbers: area code, a birth date, sequence and check character (GB 11643);
/// the check character is verified too, so other long numbers (case ids) are left alone.
static ID_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]").expect("id regex")
});

/// Whether an 18-character ID number's last character is its ISO 7064 MOD 11-2 check.
pub fn id_check_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}
/// Mobile numbers: 11 digits starting 13–19, optionally +86.
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}").expect("mobile regex"));
/// Landlines with an area code: 0315-2345678, also written 0315 2345678 or 03152345678.
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"0\d{2,3}[- ]?\d{7,8}").expect("landline regex"));
/// Plates: a province character, a letter, then 5 (or 6, new-energy) letters and digits.
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}")
        .expect("plate regex")
});

/// `13812341234` → `138****1234` (a `+86` prefix is kept).
pub fn mask_mobile(s: &str) -> String {
    // The number proper is the last eleven digits, however it was spaced (138 1234 5678).
    let positions: Vec<usize> = s.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
    let start = positions[positions.len() - 11];
    let digits: String = s[start..].chars().filter(char::is_ascii_digit).collect();
    format!("{}{}****{}", &s[..start], &digits[..3], &digits[7..])
}

/// `0315-2345678` → `0315-***5678`.
pub fn mask_landline(s: &str) -> String {
    // Without a separator, the area code is 3 digits for 010 and 02x, else 4.
    let (area, number) = s.split_once(['-', ' ']).unwrap_or_else(|| {
        let n = if matches!(s.as_bytes().get(1), Some(b'1' | b'2')) { 3 } else { 4 };
        s.split_at(n)
    });
    let keep = number.len().saturating_sub(4);
    format!("{area}-{}{}", "*".repeat(keep), &number[keep..])
}

/// `130202199001011234` → `130202********1234`.
pub fn mask_id_number(s: &str) -> String {
    format!("{}********{}", &s[..6], &s[s.len() - 4..])
}

/// `冀C92345` → `冀C92***`.
pub fn mask_plate(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let kept: String = chars.iter().take(4).collect();
    format!("{kept}{}", "*".repeat(chars.len().saturating_sub(4)))
}

/// `张三丰` → `张*丰`, `张三` → `张*`, `欧阳明月` → `欧**月`.
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Replaces the matches of `re` that stand alone (no digit just before or after) and that `f`
/// masks (`None`: leave the match as it is).
fn replace_numbers(text: &str, re: &Regex, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in re.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let alone = !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit());
        if let Some(masked) = alone.then(|| f(m.as_str())).flatten() {
            out.push_str(&text[last..m.start()]);
            out.push_str(&masked);
            last = m.end();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Masks every ID number, phone number and plate found in free text (descriptions, opinions).
pub fn mask_text(text: &str) -> String {
    let t = replace_numbers(text, &ID_NUMBER, |m| id_check_ok(m).then(|| mask_id_number(m)));
    let t = replace_numbers(&t, &MOBILE, |m| Some(mask_mobile(m)));
    let t = replace_numbers(&t, &LANDLINE, |m| Some(mask_landline(m)));
    PLATE.replace_all(&t, |c: &regex::Captures| mask_plate(&c[0])).into_owned()
}

/// Whether a role may ask for personal data unmasked (command-centre staff who call people back).
pub fn may_unmask(role: Role) -> bool {
    matches!(role, Role::CityAdmin | Role::ShiftSupervisor | Role::IntakeOperator | Role::Dispatcher)
}

#[cfg(test)]
mod tests {
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
    }

    #[test]
    fn free_text_keeps_everything_but_the_personal_data() {
        let text = "市民王先生（电话13812341234，身份证130202199001011232）反映冀C92345长期占道，联系0315-2345678";
        let masked = mask_text(text);
        assert_eq!(
            masked,
            "市民王先生（电话138****1234，身份证130202********1232）反映冀C92***长期占道，联系0315-***5678"
        );
        // Case ids and other long numbers are not personal data: they stay whole.
        assert_eq!(mask_text("主案件 116156871475200065 已结案"), "主案件 116156871475200065 已结案");
        assert_eq!(mask_text("编号 130202199001011234"), "编号 130202199001011234", "a wrong check digit");
        assert_eq!(mask_text("路口暴露垃圾 3 处，约 20 平方米"), "路口暴露垃圾 3 处，约 20 平方米");
        assert_eq!(mask_text(&masked), masked, "masking twice changes nothing");
    }
}
