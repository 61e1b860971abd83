//! The short follow code (查询码) of a case: 8 symbols of Crockford's base32 (digits and capital
//! letters without I, L, O and U, so no two look or sound alike), 40 bits, shown as `7K3M-9QXD`.
//! Made from random bytes the caller draws (a CSPRNG: the domain does no I/O); read back from what
//! a person typed in any case, with or without the dash or spaces, in full-width characters, and
//! with the letters Crockford reads as digits (O as 0, I and L as 1). A case keeps only
//! [`ShortCode::lookup_key`], a hash of the code, by which it is found.

use sha2::{Digest, Sha256};

use crate::text::Bilingual;

/// The 32 symbols, in the order of their values.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many symbols a code has.
pub const LENGTH: usize = 8;

/// A short follow code: [`LENGTH`] symbols of [`ALPHABET`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortCode([u8; LENGTH]);

/// Why what was typed is not a short code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortCodeError {
    Empty,
    /// A character that is no symbol (after the look-alikes were read as digits).
    Symbol(char),
    /// This many symbols instead of [`LENGTH`]; `digits` when they were all digits (a case number, or the
    /// hotline's 12345).
    Length {
        symbols: usize,
        digits: bool,
    },
}

impl ShortCodeError {
    /// What to tell the person (the caller names the field).
    pub fn explain(&self) -> Bilingual {
        let example = "7K3M-9QXD";
        match self {
            ShortCodeError::Empty => Bilingual::new(
                format!("请输入 8 位查询码，如 {example}"),
                format!("enter the 8-character short code, e.g. {example}"),
            ),
            ShortCodeError::Symbol(c) => Bilingual::new(
                format!("查询码只含数字和字母（不含 U），不能有「{c}」"),
                format!("a short code has only digits and letters (no U), not `{c}`"),
            ),
            ShortCodeError::Length { symbols: 18, digits: true } => Bilingual::new(
                format!("这是 18 位案件编号，不是查询码；查询码为 8 位字母数字，如 {example}"),
                format!(
                    "this is an 18-digit case number, not a short code; a short code has 8 letters and digits, e.g. {example}"
                ),
            ),
            ShortCodeError::Length { symbols, digits: true } => Bilingual::new(
                format!(
                    "查询码为 8 位字母数字（如 {example}），这里是 {symbols} 位数字；案件编号为 18 位数字，12345 是热线电话"
                ),
                format!(
                    "a short code has 8 letters and digits (e.g. {example}), not {symbols} digits; a case number has 18 digits, and 12345 is the hotline's number"
                ),
            ),
            ShortCodeError::Length { symbols, digits: false } => Bilingual::new(
                format!("查询码为 8 位字母数字（如 {example}），这里是 {symbols} 位"),
                format!("a short code has 8 letters and digits (e.g. {example}), not {symbols}"),
            ),
        }
    }
}

impl ShortCode {
    /// The code of 40 random bits (the caller draws them from a CSPRNG).
    pub fn from_random(bytes: [u8; 5]) -> ShortCode {
        let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut out = [0u8; LENGTH];
        for (i, symbol) in out.iter_mut().enumerate() {
            let shift = 5 * (LENGTH - 1 - i);
            *symbol = ALPHABET[((bits >> shift) & 31) as usize];
        }
        ShortCode(out)
    }

    /// What a person typed, read as a code: any case, spaces, dashes and dots anywhere, full-width
    /// characters, and O, I, L read as 0, 1, 1.
    pub fn parse(typed: &str) -> Result<ShortCode, ShortCodeError> {
        let normal = crate::privacy::normalise(typed);
        let mut symbols = Vec::with_capacity(LENGTH);
        for c in normal.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '_' | '.' | '·' | '\t' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(ShortCodeError::Symbol(c));
            }
            symbols.push(c as u8);
        }
        if symbols.is_empty() {
            return Err(ShortCodeError::Empty);
        }
        let digits = symbols.iter().all(u8::is_ascii_digit);
        let code: [u8; LENGTH] =
            symbols.try_into().map_err(|s: Vec<u8>| ShortCodeError::Length { symbols: s.len(), digits })?;
        Ok(ShortCode(code))
    }

    /// The 8 symbols without the dash (`7K3M9QXD`).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("the alphabet is ASCII")
    }

    /// What a case keeps to be found by its code: SHA-256 of the code (under a label of its own),
    /// hex. The code itself is not stored with the case.
    pub fn lookup_key(&self) -> String {
        let digest = Sha256::new().chain_update(b"shanzhi short code 1\0").chain_update(self.0).finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// As people read it: `7K3M-9QXD`.
impl std::fmt::Display for ShortCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(f, "{}-{}", &s[..4], &s[4..])
    }
}

/// Never the code itself in a log line or a panic message.
impl std::fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShortCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forty_bits_make_eight_symbols() {
        assert_eq!(ShortCode::from_random([0; 5]).to_string(), "0000-0000");
        assert_eq!(ShortCode::from_random([0xff; 5]).to_string(), "ZZZZ-ZZZZ");
        // 0x0842_1084_21 is 00001 repeated: every symbol is the value 1.
        assert_eq!(ShortCode::from_random([0x08, 0x42, 0x10, 0x84, 0x21]).as_str(), "11111111");
        assert_eq!(ShortCode::from_random([0x00, 0x00, 0x00, 0x00, 0x1f]).as_str(), "0000000Z");
        assert_eq!(ShortCode::from_random([0xf8, 0x00, 0x00, 0x00, 0x00]).as_str(), "Z0000000");
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        let set: std::collections::BTreeSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32);
        for c in b"ILOU" {
            assert!(!set.contains(c), "{}", *c as char);
        }
    }

    #[test]
    fn what_people_type_is_read_back() {
        let code = ShortCode::parse("7K3M-9QXD").unwrap();
        for typed in [
            "7K3M9QXD",
            "7k3m-9qxd",
            " 7k3m 9qxd ",
            "7K3M 9QXD",
            "７Ｋ３Ｍ－９ＱＸＤ",
            "７ｋ３ｍ　９ｑｘｄ",
            "7K3M—9QXD",
            "7-K-3-M-9-Q-X-D",
        ] {
            assert_eq!(ShortCode::parse(typed), Ok(code), "{typed}");
        }
        // Crockford's readings of the look-alikes.
        assert_eq!(ShortCode::parse("O1LI-ABCD").unwrap().as_str(), "0111ABCD");
    }

    #[test]
    fn what_is_no_code_says_why() {
        assert_eq!(ShortCode::parse(""), Err(ShortCodeError::Empty));
        assert_eq!(ShortCode::parse(" - "), Err(ShortCodeError::Empty));
        assert_eq!(ShortCode::parse("12345"), Err(ShortCodeError::Length { symbols: 5, digits: true }));
        assert_eq!(ShortCode::parse("202603021234567890"), Err(ShortCodeError::Length { symbols: 18, digits: true }));
        assert_eq!(ShortCode::parse("ABCD-EFGH-J"), Err(ShortCodeError::Length { symbols: 9, digits: false }));
        assert_eq!(ShortCode::parse("UUUU-UUUU"), Err(ShortCodeError::Symbol('U')));
        assert_eq!(ShortCode::parse("ABCD/EFGH"), Err(ShortCodeError::Symbol('/')));
        assert_eq!(ShortCode::parse("井盖井盖井盖井盖"), Err(ShortCodeError::Symbol('井')));
        let said = ShortCodeError::Length { symbols: 5, digits: true }.explain();
        assert!(said.zh.contains("12345 是热线电话"), "{}", said.zh);
        assert!(said.en.contains("case number has 18 digits"), "{}", said.en);
        let said = ShortCodeError::Length { symbols: 18, digits: true }.explain();
        assert!(said.en.contains("18-digit case number"), "{}", said.en);
    }

    #[test]
    fn the_lookup_key_is_a_labelled_hash_of_the_code() {
        let a = ShortCode::parse("7K3M9QXD").unwrap();
        let b = ShortCode::parse("7K3M9QXE").unwrap();
        assert_eq!(a.lookup_key().len(), 64);
        assert_eq!(a.lookup_key(), ShortCode::parse("7k3m-9qxd").unwrap().lookup_key());
        assert_ne!(a.lookup_key(), b.lookup_key());
        let plain: String = Sha256::digest(a.as_str()).iter().map(|b| format!("{b:02x}")).collect();
        assert_ne!(a.lookup_key(), plain, "not the bare hash of the code");
        assert!(!format!("{a:?}").contains("7K3M"), "the debug form hides the code");
    }

    proptest! {
        #[test]
        fn every_code_reads_back_however_it_is_written(bytes in any::<[u8; 5]>(), lower in any::<bool>(), spaced in any::<bool>()) {
            let code = ShortCode::from_random(bytes);
            let mut shown = code.to_string();
            prop_assert_eq!(shown.len(), 9);
            if lower { shown = shown.to_lowercase(); }
            if spaced { shown = shown.replace('-', " "); }
            prop_assert_eq!(ShortCode::parse(&shown), Ok(code));
            let wide: String = shown.chars().map(|c| if c == ' ' { '\u{3000}' } else { char::from_u32(c as u32 + 0xFEE0).unwrap() }).collect();
            prop_assert_eq!(ShortCode::parse(&wide), Ok(code));
        }

        #[test]
        fn different_bits_make_different_codes(a in any::<[u8; 5]>(), b in any::<[u8; 5]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(ShortCode::from_random(a), ShortCode::from_random(b));
        }
    }
}
