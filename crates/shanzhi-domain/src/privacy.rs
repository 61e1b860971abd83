//! Personal data in free text and fields: ID numbers, mobile and landline numbers, licence plates
//! and the names that follow a label (`联系人：张三丰`) are masked by default (`138****1234`,
//! `张*丰`, `冀C92***`), however they are written: full-width digits and letters, numbers split by
//! spaces, dots or dashes, a bracketed `+86` or area code, lower-case plates. Only some roles may
//! see them unmasked, and every unmasking is audited (by the application).
//!
//! [`mask_text`] detects on a normalised view of the text (full-width ASCII made half-width,
//! the ideographic and other spaces made spaces, dash and middle-dot look-alikes made `-` and `·`,
//! `【】〔〕` made `[]`, combining marks and zero-width characters folded into the character before
//! them) that keeps, for each of its characters, where it came from; each match replaces the
//! original characters it covers, written in normalised ASCII (`138****5678`, `0315-***5678`,
//! `130202********1232`, `冀C92***`). Everything else is left as it was written.
//!
//! Numbers (ID, mobile, landline) count only when they stand alone: a digit just before or after
//! makes them part of a longer number (case ids), and so does a run of three `*` just before or
//! after, or `-***` after (what is left of a masked number: this keeps masking twice the same as
//! masking once). Within a number any two digits may be separated by up to three of space, tab,
//! `-`, `.` and `·` (but not commas, so amounts stay whole; a landline's area code is one piece).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::people::Role;

/// What may stand between two digits of one number (after normalisation), up to three of them:
/// spaces, tabs, line breaks (a number wrapped in a text box), dashes, dots, slashes, underscores.
const SEP: &str = r"[ \t\r\n\-.·/_]{0,3}";

fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '-' | '.' | '·' | '/' | '_')
}

/// 18-character resident ID numbers (GB 11643): area code, birth date, sequence, check character.
/// The regex only finds 18 such characters standing alone; [`id_plausible`] then checks the birth
/// date and the check character, so other long numbers (case ids) are left alone.
static ID_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:^|[^0-9])([1-8](?:{SEP}[0-9]){{16}}{SEP}[0-9Xx])(?:[^0-9]|$)")).expect("id regex")
});

/// Mobile numbers: 11 digits starting 13–19, optionally after `+86`, `0086` or `86`, which may be
/// bracketed: `(+86)`, `（+86）`, `【+86】`.
static MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    let prefix = r"(?:[(\[] ?(?:\+|00)? ?86 ?[)\]]|(?:\+|00)?86)";
    Regex::new(&format!(r"(?:^|[^0-9])((?:{prefix}{SEP})?1{SEP}[3-9](?:{SEP}[0-9]){{9}})(?:[^0-9]|$)"))
        .expect("mobile regex")
});

/// Landlines with an area code: 0315-2345678, 0315 234 5678, 03152345678, (0315)2345678: an area
/// code of 3 or 4 digits starting with 0, written in one piece (so neither `0.1234567890` nor the
/// `01-2024.01.31` of a date range is one), then 7 or 8 digits; the longest reading that stands
/// alone (a separated last digit may be part of the number, so `0315-2345678 3次` loses its count
/// rather than risk showing a digit).
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| {
    let bracketed = format!(r"[(\[] ?0[0-9]{{2,3}} ?[)\]]{SEP}[0-9](?:{SEP}[0-9]){{6,7}}");
    let plain = format!(r"0[0-9]{{2,3}}{SEP}[0-9](?:{SEP}[0-9]){{6,7}}");
    Regex::new(&format!(r"(?:^|[^0-9])({bracketed}|{plain})(?:[^0-9]|$)")).expect("landline regex")
});

/// Plates: a province character, a letter, then 5 (or 6, new-energy) letters and digits, in either
/// case; a space, dot, dash or `·` may follow the province and the letter. Not followed by another
/// letter, digit or `*`, nor by a dash, dot or `·` and then a digit or `*` (`冀XC0315-2345678` is a
/// landline after some letters, and stays so once masked); [`plate_plausible`] asks for at least
/// two digits among the last 5 or 6.
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    let letter = "A-HJ-NP-Za-hj-np-z";
    let plate = format!(r"[{PROVINCES}][ \-.·]{{0,2}}[{letter}][ \-.·]{{0,2}}[{letter}0-9]{{5,6}}");
    let then = r"(?:[^0-9A-Za-z*\-.·]|[\-.·](?:[^0-9*]|$)|$)";
    Regex::new(&format!("({plate}){then}")).expect("plate regex")
});

/// The provinces' one-character names that start a plate.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Whether the character at `at` in `text` (normalised) starts what looks like a plate: a province
/// and, after at most two separators, a letter.
fn plate_head(text: &str, at: usize, c: char) -> bool {
    PROVINCES.contains(c)
        && text[at + c.len_utf8()..].chars().take(3).find(|&c| !is_sep(c)).is_some_and(|c| c.is_ascii_alphabetic())
}

/// The labels after which a person's name is expected.
/// The name is masked when it follows the label directly, after spaces, after a colon (`：`, `:`),
/// an opening bracket, or `为`; see [`name_after`] for how much of what follows is taken as the
/// name. `业主` after `物` (物业主任) and `户主` after `用`, `客`, `账` (用户主动) are not labels.
const LABELS: &[&str] = &[
    "被申请人",
    "被投诉人",
    "被举报人",
    "被反映人",
    "法定代表人",
    "法人代表",
    "联系人",
    "姓名",
    "报案人",
    "报警人",
    "举报人",
    "投诉人",
    "反映人",
    "来电人",
    "求助人",
    "咨询人",
    "当事人",
    "申请人",
    "监护人",
    "承租人",
    "出租人",
    "责任人",
    "负责人",
    "受害人",
    "代理人",
    "委托人",
    "户主",
    "业主",
    "租户",
    "住户",
    "房东",
    "房主",
    "车主",
];

static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(&LABELS.join("|")).expect("label regex"));

/// Common single-character surnames (about 250 of the most frequent, leaving out those that are
/// mostly everyday words: 向, 常, 安, 关, 全, 时, 和, 包, 车, 房, 申, 解, 管, 费, …). A name after a
/// label with no colon must start with one of these (or a [`COMPOUND_SURNAMES`]), which keeps
/// 业主委员会, 当事人已整改, 业主反映 as they are.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜\
叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃\
武戴莫孔汤温康施文牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹欧耿兰焦俞左柳甘祝宁舒阮柯纪梅童凌毕季裴霍涂成苗谷盛曲\
翁冉骆蓝游辛靳柴蒙鲍华喻祁蒲滕屈饶牟艾尤阳穆农司卓古吉缪简麦褚娄窦戚岑景宫卜冷晏席卫米柏宗瞿桂佟臧闵苟邬卞\
姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘查苑迟邝匡鞠惠荆郁胥栗燕楚鄢谌奚粟冼蔺阚帅屠朴廉漆祖綦亓邰赫杭逯茹冀";

const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "澹台", "申屠", "钟离", "濮阳", "淳于", "赫连", "拓跋",
];

/// Words that end a name (from its third character on: `张三电话…` → 张三) and, the words of two
/// characters or more, that cannot start one (`联系人电话…`, `业主反映…`).
const AFTER_NAME: &[&str] = &[
    "电话", "手机", "座机", "号码", "联系", "身份", "证件", "住址", "地址", "家住", "住在", "现住", "居住", "户籍",
    "先生", "女士", "小姐", "师傅", "同志", "老师", "大爷", "大妈", "阿姨", "经理", "主任", "书记", "队长", "反映",
    "表示", "要求", "请求", "投诉", "举报", "报案", "报警", "来电", "致电", "年龄", "性别", "签字", "同意", "本人",
    "家属", "夫妇", "夫妻", "及其", "称", "说", "的", "在", "已", "未", "等", "和", "与", "及", "或", "于", "向", "对",
    "将", "把", "被", "是", "为", "也", "都", "均", "又", "再", "仍", "现", "就", "曾", "因", "从", "到", "去", "来",
    "给", "让", "家", "之", "系",
];

/// What may follow a label and is not a name.
const NOT_A_NAME: &[&str] = &["不详", "未知", "保密", "匿名", "同上", "暂无", "不明", "无名", "见附件", "某某"];

/// A text as the detectors see it, with where each of its characters came from.
struct Normalised {
    text: String,
    /// For each byte of `text`, the byte of the original where its character starts; one more
    /// entry, the original's length. The original characters of `text[a..b]` are
    /// `original[starts[a]..starts[b]]` (characters folded away included).
    starts: Vec<usize>,
}

/// Combining marks, zero-width and bidi controls, variation selectors, the soft hyphen: folded
/// into the character before them, so `1\u{301}38…` or `138\u{200b}1234…` is still a number.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}' | '\u{309A}' | '\u{FE00}'..='\u{FE0F}' | '\u{FE20}'..='\u{FE2F}' | '\u{FEFF}'
        | '\u{E0100}'..='\u{E01EF}')
}

fn normal_char(c: char) -> char {
    match c {
        // Full-width ASCII: ０-９, Ａ-Ｚ, ａ-ｚ, （）, ＋, －, ．, ：, ＊ …
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        '\u{0387}' | '\u{2022}' | '\u{2027}' | '\u{2219}' | '\u{22C5}' | '\u{30FB}' | '\u{FF65}' => '·',
        '【' | '〔' | '〖' => '[',
        '】' | '〕' | '〗' => ']',
        // Mathematical digits (𝟏𝟑𝟖…): five sets of ten.
        '\u{1D7CE}'..='\u{1D7FF}' => char::from(b'0' + ((c as u32 - 0x1D7CE) % 10) as u8),
        _ => c,
    }
}

impl Normalised {
    fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len() + 1);
        for (i, c) in original.char_indices() {
            if is_ignorable(c) && !text.is_empty() {
                continue;
            }
            let n = normal_char(c);
            starts.extend(std::iter::repeat_n(i, n.len_utf8()));
            text.push(n);
        }
        starts.push(original.len());
        Normalised { text, starts }
    }

    fn original(&self, r: Range<usize>) -> Range<usize> {
        self.starts[r.start]..self.starts[r.end]
    }
}

/// The text with full-width characters, dash and space look-alikes made ASCII and ignorable
/// marks dropped: what the masking reads (and what fields check phones and ID numbers on).
pub(crate) fn normalise(s: &str) -> String {
    Normalised::new(s).text
}

/// `13812341234` → `138****1234`; spaced, dotted or full-width, and a `+86`-like prefix is kept
/// without its separators (`+86 138 1234 1234` → `+86138****1234`). With fewer than 11 digits,
/// every digit but the last 4 is masked.
pub fn mask_mobile(s: &str) -> String {
    let s = normalise(s);
    let digits: Vec<(usize, char)> = s.char_indices().filter(|(_, c)| c.is_ascii_digit()).collect();
    let Some(first) = digits.len().checked_sub(11) else { return mask_digits_but_last_4(&s) };
    let prefix: String = s[..digits[first].0].chars().filter(|&c| !is_sep(c)).collect();
    let d: String = digits[first..].iter().map(|&(_, c)| c).collect();
    format!("{prefix}{}****{}", &d[..3], &d[7..])
}

fn mask_digits_but_last_4(s: &str) -> String {
    let n = s.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen + 4 > n { c } else { '*' }
        })
        .collect()
}

/// `0315-2345678` → `0315-***5678`, also from `(0315)2345678`, `0315 234 5678`, `03152345678`.
/// The area code is the bracketed one, else 3 digits for 010 and 02x and 4 for the others (as
/// long as 7 or 8 digits are left).
pub fn mask_landline(s: &str) -> String {
    let s = normalise(s);
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    let fits = |a: usize| a <= n && (7..=8).contains(&(n - a));
    let bracketed = s.find(['(', '[']).and_then(|o| {
        let inner = &s[o + 1..];
        inner.find([')', ']']).map(|c| inner[..c].chars().filter(char::is_ascii_digit).count())
    });
    let by_rule = if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 };
    let area = bracketed
        .filter(|&a| (3..=4).contains(&a) && fits(a))
        .or_else(|| [by_rule, 7 - by_rule].into_iter().find(|&a| fits(a)))
        .unwrap_or(by_rule.min(n));
    let (area, number) = digits.split_at(area);
    let keep = number.len().saturating_sub(4);
    format!("{area}-{}{}", "*".repeat(keep), &number[keep..])
}

/// `130202199001011234` → `130202********1234` (spaced or full-width too; the check `x` is written
/// `X`). Other lengths keep their first 6 and last 4 characters, and at most 10 are masked whole.
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> =
        normalise(s).chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// `冀C92345` → `冀C92***` (also from `冀c 92345`, `冀C·92345`, `冀Ｃ９２３４５`).
pub fn mask_plate(s: &str) -> String {
    let chars: Vec<char> = normalise(s).chars().filter(|&c| !is_sep(c)).map(|c| c.to_ascii_uppercase()).collect();
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

/// Whether an 18-character ID number's last character is its ISO 7064 MOD 11-2 check (full-width
/// characters are read as their ASCII forms).
pub fn id_check_ok(id: &str) -> bool {
    let id = normalise(id);
    let b = id.as_bytes();
    b.len() == 18 && id.is_ascii() && id_check_char(&id[..17]).is_some_and(|c| b[17].to_ascii_uppercase() == c as u8)
}

/// The check character of an ID number's first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2).
pub fn id_check_char(first17: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

/// An ID number found in text (separators and all): a birth date that can be (years 1900–2099)
/// and the right check character.
fn id_plausible(found: &str) -> bool {
    let id: String = found.chars().filter(char::is_ascii_alphanumeric).collect();
    let num = |r: Range<usize>| id.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    (1900..=2099).contains(&num(6..10))
        && (1..=12).contains(&num(10..12))
        && (1..=31).contains(&num(12..14))
        && id_check_ok(&id)
}

/// A plate found in text: at least two digits after the letter.
fn plate_plausible(found: &str) -> bool {
    let tail: Vec<char> = found.chars().filter(char::is_ascii_alphanumeric).skip(1).collect();
    tail.iter().filter(|c| c.is_ascii_digit()).count() >= 2
}

/// A stretch of the normalised text and what replaces it.
struct Found {
    range: Range<usize>,
    with: String,
}

/// Whether `range` overlaps one of `taken` (sorted, not overlapping each other).
fn overlaps(taken: &[Found], range: &Range<usize>) -> bool {
    let i = taken.partition_point(|f| f.range.end <= range.start);
    taken.get(i).is_some_and(|f| f.range.start < range.end)
}

/// Adds to `taken` the first group of each match of `re` in `text` that overlaps nothing taken,
/// is not glued to what is left of a masked item (`after_masked`, `before_masked`: a bracketed
/// area code loses its brackets) and that `mask` masks (`None`: not personal data); a match turned down is
/// looked for again from its second character.
fn find(text: &str, re: &Regex, taken: &mut Vec<Found>, mask: impl Fn(&str) -> Option<String>) {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(m) = re.captures_at(text, at).and_then(|c| c.get(1)) {
        let range = m.range();
        let after = &text[range.end..];
        let next_to_mask = after_masked(&text[..range.start]) || before_masked(after);
        if !next_to_mask
            && !overlaps(taken, &range)
            && let Some(with) = mask(m.as_str())
        {
            at = range.end;
            found.push(Found { range, with });
            continue;
        }
        at = range.start + text[range.start..].chars().next().map_or(1, char::len_utf8);
    }
    taken.extend(found);
    taken.sort_by_key(|f| f.range.start);
}

/// Whether `before` ends with what is left of a masked item (`冀C92***`, `138****`): a run of
/// `*` right after a letter or digit (or after `-` and a digit). A number right after it was glued
/// to that item before it was masked, and is left alone again, so that masking twice changes
/// nothing; `*` typed by a person (`电话***13812345678`) hides nothing.
fn after_masked(before: &str) -> bool {
    let rest = before.trim_end_matches('*');
    if before.len() - rest.len() < 3 {
        return false;
    }
    let mut back = rest.chars().rev();
    match back.next() {
        Some(c) if c.is_ascii_alphanumeric() => true,
        Some('-') => back.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Whether `after` begins with what is left of a masked number: `***` and more, then a digit
/// (`****5678`), or `-***` (a masked landline's area code). Digits right before it were glued to
/// that number before it was masked.
fn before_masked(after: &str) -> bool {
    let rest = after.strip_prefix('-').unwrap_or(after);
    let stars = rest.len() - rest.trim_start_matches('*').len();
    stars >= 3 && (after.starts_with('-') || rest[stars..].starts_with(|c: char| c.is_ascii_digit()))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// The name that starts at `at` in `text` after a label, as (its range, where to look for the next
/// label). `strong`: the label was followed by a colon or a bracket.
///
/// The candidate is the run of Chinese characters there (stopping at anything already masked, at
/// what looks like a plate, masked or not, and at the next label).
/// It must not start with a word of [`NOT_A_NAME`] or one of two characters or more of
/// [`AFTER_NAME`]; it is cut before a word of [`AFTER_NAME`] found from its third character on;
/// the name is then 2 to 4 characters. Without a colon it must also start with a common surname,
/// and a run of more than 4 characters with nothing to cut it is not a name; after a colon, of such
/// a run the first 3 characters are taken (4 after a compound surname).
fn name_after(text: &str, at: usize, strong: bool, taken: &[Found]) -> Option<(Range<usize>, usize)> {
    let i = taken.partition_point(|f| f.range.end <= at);
    let limit = match taken.get(i) {
        Some(f) if f.range.start <= at => return None,
        Some(f) => f.range.start,
        None => text.len(),
    };
    let mut run: Vec<(usize, char)> = text[at..limit]
        .char_indices()
        .map(|(j, c)| (at + j, c))
        .take_while(|&(j, c)| is_han(c) && !plate_head(text, j, c))
        .take(10)
        .collect();
    let run_end = run.last().map_or(at, |&(j, c)| j + c.len_utf8());
    if let Some(label) = LABEL.find(&text[at..run_end]) {
        run.retain(|&(j, _)| j < at + label.start());
    }
    let chars: Vec<char> = run.iter().map(|&(_, c)| c).collect();
    let starts_with = |p: usize, w: &str| w.chars().enumerate().all(|(k, c)| chars.get(p + k) == Some(&c));
    let r = chars.len();
    if r < 2
        || NOT_A_NAME.iter().any(|w| starts_with(0, w))
        || AFTER_NAME.iter().any(|w| w.chars().count() > 1 && starts_with(0, w))
    {
        return None;
    }
    let compound = COMPOUND_SURNAMES.iter().any(|w| starts_with(0, w));
    let cut = (2..r.min(5)).find(|&p| AFTER_NAME.iter().any(|w| starts_with(p, w)));
    let len = match cut {
        Some(p) => p,
        None if r <= 4 => r,
        None if strong => {
            if compound {
                4
            } else {
                3
            }
        }
        None => return None,
    };
    if !strong && !compound && !SURNAMES.contains(chars[0]) {
        return None;
    }
    let (last, c) = run[len - 1];
    let end = last + c.len_utf8();
    // What is left of a name of 3 or more is its last character, which may start a label.
    Some((at..end, if len >= 3 { last } else { end }))
}

/// Adds to `taken` the names that follow a label ([`LABELS`]), and the ones listed after them with
/// `、` (联系人：张三、李四).
fn find_names(text: &str, taken: &mut Vec<Found>) {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(m) = LABEL.find_at(text, at) {
        at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        let before = &text[..m.start()];
        let not_a_label = match m.as_str() {
            "业主" => before.ends_with('物'),
            "户主" => before.ends_with(['用', '客', '账']),
            _ => false,
        };
        if not_a_label {
            continue;
        }
        let rest = &text[m.end()..];
        let spaced = rest.trim_start_matches([' ', '\t']);
        let (strong, name) = match spaced.strip_prefix([':', '(', '[']) {
            Some(after) => (true, after.trim_start_matches([' ', '\t'])),
            None if spaced.len() == rest.len() => (false, spaced.strip_prefix('为').unwrap_or(spaced)),
            None => (false, spaced),
        };
        let mut start = text.len() - name.len();
        let mut strong = strong;
        while let Some((range, next)) = name_after(text, start, strong, taken) {
            at = at.max(next);
            let end = range.end;
            let with = mask_name(&text[range.clone()]);
            found.push(Found { range, with });
            match text[end..].strip_prefix('、') {
                Some(more) => (start, strong) = (text.len() - more.len(), false),
                None => break,
            }
        }
    }
    taken.extend(found);
    taken.sort_by_key(|f| f.range.start);
}

/// Masks every ID number, phone number, plate and labelled name found in free text (descriptions,
/// opinions, notes), however it is written; the rest of the text is kept as it was.
pub fn mask_text(text: &str) -> String {
    let n = Normalised::new(text);
    let t = n.text.as_str();
    let mut taken = Vec::new();
    find(t, &ID_NUMBER, &mut taken, |m| id_plausible(m).then(|| mask_id_number(m)));
    find(t, &MOBILE, &mut taken, |m| Some(mask_mobile(m)));
    find(t, &LANDLINE, &mut taken, |m| Some(mask_landline(m)));
    find(t, &PLATE, &mut taken, |m| plate_plausible(m).then(|| mask_plate(m)));
    find_names(t, &mut taken);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in &taken {
        let r = n.original(f.range.clone());
        out.push_str(&text[last..r.start]);
        out.push_str(&f.with);
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Whether a role may ask for personal data unmasked (command-centre staff who call people back).
pub fn may_unmask(role: Role) -> bool {
    matches!(role, Role::CityAdmin | Role::ShiftSupervisor | Role::IntakeOperator | Role::Dispatcher)
}

#[cfg(test)]
mod tests;
