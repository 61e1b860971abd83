//! Chinese (and Latin) words for the index: jieba in search mode when indexing, so that every
//! sub-word of a long word is a term (`路南区` → `路南`, `南区`, `路南区`), and in plain mode when
//! querying, so that a query word must be a term of the case. Tokens with no letter or digit
//! (punctuation, spaces) are dropped, and Latin letters are lower-cased.

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

pub(crate) fn register(index: &Index) {
    index.tokenizers().register(INDEXING, analyzer(true));
}

/// The terms a text is indexed under, in order (repeats kept).
pub fn words(text: &str) -> Vec<String> {
    tokens(analyzer(true), text)
}

/// The distinct words of a query, each of which a case must hold.
pub(crate) fn query_words(query: &str) -> Vec<String> {
    let mut out = tokens(analyzer(false), query);
    out.sort_unstable();
    out.dedup();
    out
}

fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}
