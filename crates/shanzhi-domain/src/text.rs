//! Text as the console says and orders it: a message in both languages (Chinese first, English
//! beside it), text made safe for XML, and names in pinyin order.

use serde::Serialize;

/// One message said in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual { zh: zh.into(), en: en.into() }
    }
}

/// Whether XML 1.0 can carry the character (its `Char` production: tab, line feed, carriage
/// return, U+0020–U+D7FF, U+E000–U+FFFD and U+10000 up; Rust strings hold no surrogates).
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text with every character XML 1.0 cannot carry replaced by U+FFFD, so that whatever a
/// reporter typed is written into XML (Open311's feed, an xlsx workbook) as a valid document.
/// Text is stored as it came; this applies wherever it leaves as XML.
pub fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(xml_char) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.chars().map(|c| if xml_char(c) { c } else { '\u{FFFD}' }).collect())
    }
}

/// A key that orders names as a Chinese reader looks them up: by the plain pinyin of each
/// character (路北区 `lu bei qu` before 路南区 `lu nan qu`, 曹妃甸区 before 路南区), other characters as
/// they are (lower case), each followed by a space so a shorter name comes before a longer one it
/// begins. Characters with one reading in common names are read that way; a heteronym takes the
/// crate's first reading (`pinyin`, the Unicode Han database).
pub fn pinyin_key(s: &str) -> String {
    use pinyin::ToPinyin;
    let mut key = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        match c.to_pinyin() {
            Some(p) => key.push_str(p.plain()),
            None => key.extend(c.to_lowercase()),
        }
        key.push(' ');
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_carry_is_replaced() {
        assert_eq!(xml_safe("井盖\u{FFFE}缺失\u{FFFF}\u{0}\u{1b}"), "井盖\u{FFFD}缺失\u{FFFD}\u{FFFD}\u{FFFD}");
        assert!(matches!(xml_safe("路口\t暴露\r\n垃圾 😀"), std::borrow::Cow::Borrowed(_)));
        assert!(xml_char('\u{FFFD}') && !xml_char('\u{FFFE}') && !xml_char('\u{8}') && xml_char('\u{10FFFF}'));
    }

    #[test]
    fn names_order_by_their_pinyin() {
        let mut names = ["路南区", "曹妃甸区", "路北区", "古冶区", "abc", "迁安市", "丰南区", "路"];
        names.sort_by_cached_key(|n| super::pinyin_key(n));
        assert_eq!(names, ["abc", "曹妃甸区", "丰南区", "古冶区", "路", "路北区", "路南区", "迁安市"]);
        assert_eq!(super::pinyin_key("A路"), "a lu ");
    }
}
