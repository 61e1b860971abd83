//! A message in both languages of the console: Chinese first, English beside it.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_carry_is_replaced() {
        assert_eq!(xml_safe("井盖\u{FFFE}缺失\u{FFFF}\u{0}\u{1b}"), "井盖\u{FFFD}缺失\u{FFFD}\u{FFFD}\u{FFFD}");
        assert!(matches!(xml_safe("路口\t暴露\r\n垃圾 😀"), std::borrow::Cow::Borrowed(_)));
        assert!(xml_char('\u{FFFD}') && !xml_char('\u{FFFE}') && !xml_char('\u{8}') && xml_char('\u{10FFFF}'));
    }
}
