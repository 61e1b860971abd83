//! Chinese (and Latin) words for the index: jieba in search mode when indexing, so that every
//! sub-word of a long word is a term (`路南区` → `路南`, `南区`, `路南区`), and in plain mode when
//! querying. Jieba keeps some phrases whole (`路灯不亮` → `路`, `灯不亮`), so the characters and
//! the pairs of adjacent characters of every run of Chinese characters are terms too, and a query
//! word matches either as a word or by all of its pairs (as a substring would). Tokens with no
//! letter or digit (punctuation, spaces) are dropped, and Latin letters are lower-cased.

use tantivy::Index;
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// The tokenizer the index's text fields are registered with.
pub(crate) const INDEXING: &str = "zh_index";

/// Jieba with the tokens that hold no letter or digit left out.
#[derive(Clone)]
struct Words(JiebaTokenizer);

struct WordStream<S>(S);

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<<JiebaTokenizer as Tokenizer>::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordStream(self.0.token_stream(text))
    }
}

impl<S: TokenStream> TokenStream for WordStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

fn analyzer(search_mode: bool) -> TextAnalyzer {
    TextAnalyzer::builder(Words(JiebaTokenizer::with_search_mode(search_mode)))
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .build()
}

/// Chinese characters (CJK unified ideographs and their extensions).
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The characters and the pairs of adjacent characters of each run of Chinese characters, with
/// their byte offsets.
fn grams(text: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if !is_han(c) {
            continue;
        }
        let end = at + c.len_utf8();
        out.push((at, end, c.to_string()));
        if let Some(&(_, next)) = chars.get(i + 1).filter(|(_, n)| is_han(*n)) {
            out.push((at, end + next.len_utf8(), format!("{c}{next}")));
        }
    }
    out
}

/// Jieba's words followed by the characters and pairs of the text (see the module).
#[derive(Clone)]
struct Indexing(TextAnalyzer);

struct Listed {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Indexing {
    type TokenStream<'a> = Listed;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Listed {
        let mut tokens = Vec::new();
        let mut words = self.0.token_stream(text);
        while words.advance() {
            tokens.push(words.token().clone());
        }
        let first = tokens.len();
        for (i, (from, to, gram)) in grams(text).into_iter().enumerate() {
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: first + i,
                text: gram,
                position_length: 1,
            });
        }
        Listed { tokens, next: 0 }
    }
}

impl TokenStream for Listed {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn indexing() -> TextAnalyzer {
    TextAnalyzer::from(Indexing(analyzer(true)))
}

pub(crate) fn register(index: &Index) {
    index.tokenizers().register(INDEXING, indexing());
}

/// The terms a text is indexed under: its words, then its characters and pairs.
pub fn words(text: &str) -> Vec<String> {
    tokens(indexing(), text)
}

/// A word of a query: the term itself, or else (for a word of two or more Chinese characters
/// only) all of its pairs of characters, so that a word jieba kept inside a longer phrase is still
/// found. The pairs may lie anywhere in the case (positions are not kept): close to a substring
/// match, not exactly one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct QueryWord {
    pub word: String,
    pub parts: Vec<String>,
}

/// The distinct words of a query, each of which a case must hold.
pub(crate) fn query_words(query: &str) -> Vec<QueryWord> {
    let mut words = tokens(analyzer(false), query);
    words.sort_unstable();
    words.dedup();
    words
        .into_iter()
        .map(|word| {
            let han = word.chars().all(is_han) && word.chars().count() > 2;
            let mut parts: Vec<String> = if han {
                grams(&word).into_iter().map(|(_, _, g)| g).filter(|g| g.chars().count() == 2).collect()
            } else {
                Vec::new()
            };
            parts.sort_unstable();
            parts.dedup();
            QueryWord { word, parts }
        })
        .collect()
}

fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}
