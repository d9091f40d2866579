//! Token kinds, produced by the logos lexer in [`crate::lexer`].

use logos::Logos;

/// The kind of a token. Tokens carry no text: the text is the source slice of the token's range.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Kind {
    /// `# ...` to the end of the line. Never reaches the parser; kept for the formatter.
    #[regex(r"#[^\n]*", allow_greedy = true)]
    Comment,

    // ----- keywords -----
    /// `use`
    #[token("use")]
    Use,
    /// `schema`
    #[token("schema")]
    Schema,
    /// `test`
    #[token("test")]
    Test,
    /// `suite`
    #[token("suite")]
    Suite,
    /// `trigger`
    #[token("trigger")]
    Trigger,
    /// `expect`
    #[token("expect")]
    Expect,
    /// `let`
    #[token("let")]
    Let,
    /// `output`
    #[token("output")]
    Output,
    /// `wait`
    #[token("wait")]
    Wait,
    /// `span`
    #[token("span")]
    Span,
    /// `and`
    #[token("and")]
    And,
    /// `or`
    #[token("or")]
    Or,
    /// `not`
    #[token("not")]
    Not,
    /// `in`
    #[token("in")]
    In,
    /// `contains`
    #[token("contains")]
    Contains,
    /// `matches`
    #[token("matches")]
    Matches,
    /// `exists`
    #[token("exists")]
    Exists,
    /// `no`
    #[token("no")]
    No,
    /// `some`
    #[token("some")]
    Some,
    /// `any`
    #[token("any")]
    Any,
    /// `exactly`
    #[token("exactly")]
    Exactly,
    /// `within`
    #[token("within")]
    Within,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,

    // ----- names and literals -----
    /// A name: letters, digits and `_`, with single `-` between them (`order-service`).
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")]
    Ident,
    /// An integer or float literal: `42`, `1_000`, `0.25`, `1e-3`.
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?")]
    #[regex(r"\.[0-9][0-9_]*", priority = 3)]
    Number,
    /// A number directly followed by letters: a duration (`200ms`) or a bad unit (`5sec`).
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?[A-Za-zµ_]+([0-9][0-9_]*(\.[0-9][0-9_]*)?[A-Za-zµ_]+)*")]
    NumberWithSuffix,
    /// A string literal, possibly with `${...}` interpolations.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    String,
    /// A string literal without its closing quote (reported, then treated as a string).
    #[regex(r#""([^"\\\n]|\\[^\n])*\\?"#)]
    UnterminatedString,
    /// A regex literal `/.../flags`. Only lexed right after `matches` (see [`crate::lexer`]).
    Regex,
    /// A regex literal without its closing slash.
    UnterminatedRegex,

    // ----- punctuation -----
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `,`
    #[token(",")]
    Comma,
    /// `.`
    #[token(".")]
    Dot,
    /// `:`
    #[token(":")]
    Colon,
    /// `=`
    #[token("=")]
    Eq,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    LtEq,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    GtEq,
    /// `>>`
    #[token(">>")]
    GtGt,
    /// `->`
    #[token("->")]
    Arrow,
    /// `=>`
    #[token("=>")]
    FatArrow,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `|`
    #[token("|")]
    Pipe,

    // ----- operators from other languages, lexed to give a precise fix -----
    /// `&&` (write `and`)
    #[token("&&")]
    AmpAmp,
    /// `||` (write `or`)
    #[token("||")]
    PipePipe,
    /// `!` (write `not`)
    #[token("!")]
    Bang,
    /// `=~` (write `matches`)
    #[token("=~")]
    EqTilde,

    /// Anything else, or a region the lexer or delimiter pass already reported.
    Error,
}

impl Kind {
    /// Every keyword with its text. The TextMate and tree-sitter grammars are checked against it.
    pub const KEYWORDS: &'static [(&'static str, Kind)] = &[
        ("use", Kind::Use),
        ("schema", Kind::Schema),
        ("test", Kind::Test),
        ("suite", Kind::Suite),
        ("trigger", Kind::Trigger),
        ("expect", Kind::Expect),
        ("let", Kind::Let),
        ("output", Kind::Output),
        ("wait", Kind::Wait),
        ("span", Kind::Span),
        ("and", Kind::And),
        ("or", Kind::Or),
        ("not", Kind::Not),
        ("in", Kind::In),
        ("contains", Kind::Contains),
        ("matches", Kind::Matches),
        ("exists", Kind::Exists),
        ("no", Kind::No),
        ("some", Kind::Some),
        ("any", Kind::Any),
        ("exactly", Kind::Exactly),
        ("within", Kind::Within),
        ("true", Kind::True),
        ("false", Kind::False),
    ];

    /// Every operator and punctuation token with its text.
    pub const PUNCTUATION: &'static [(&'static str, Kind)] = &[
        ("{", Kind::LBrace),
        ("}", Kind::RBrace),
        ("[", Kind::LBracket),
        ("]", Kind::RBracket),
        ("(", Kind::LParen),
        (")", Kind::RParen),
        (",", Kind::Comma),
        (".", Kind::Dot),
        (":", Kind::Colon),
        ("=", Kind::Eq),
        ("==", Kind::EqEq),
        ("!=", Kind::NotEq),
        ("<", Kind::Lt),
        ("<=", Kind::LtEq),
        (">", Kind::Gt),
        (">=", Kind::GtEq),
        (">>", Kind::GtGt),
        ("->", Kind::Arrow),
        ("=>", Kind::FatArrow),
        ("+", Kind::Plus),
        ("-", Kind::Minus),
        ("*", Kind::Star),
        ("/", Kind::Slash),
        ("%", Kind::Percent),
        ("|", Kind::Pipe),
    ];

    /// Whether this kind is a keyword.
    pub fn is_keyword(self) -> bool {
        Kind::KEYWORDS.iter().any(|&(_, k)| k == self)
    }

    /// The keyword spelled `text`, if any.
    pub fn keyword(text: &str) -> Option<Kind> {
        Kind::KEYWORDS
            .iter()
            .find(|&&(t, _)| t == text)
            .map(|&(_, k)| k)
    }

    /// Whether a token of this kind can begin a statement inside a test or a span block.
    pub fn starts_statement(self) -> bool {
        matches!(
            self,
            Kind::Trigger
                | Kind::Expect
                | Kind::Let
                | Kind::Output
                | Kind::Wait
                | Kind::Span
                | Kind::No
                | Kind::Some
                | Kind::Any
                | Kind::Exactly
                | Kind::Test
                | Kind::Suite
                | Kind::Use
                | Kind::Schema
        )
    }

    /// How a token of this kind reads in "expected ..., found ..." messages.
    pub fn describe(self) -> &'static str {
        if let Some(&(text, _)) = Kind::KEYWORDS.iter().find(|&&(_, k)| k == self) {
            return text;
        }
        if let Some(&(text, _)) = Kind::PUNCTUATION.iter().find(|&&(_, k)| k == self) {
            return text;
        }
        match self {
            Kind::Comment => "comment",
            Kind::Ident => "name",
            Kind::Number => "number",
            Kind::NumberWithSuffix => "duration",
            Kind::String | Kind::UnterminatedString => "string",
            Kind::Regex | Kind::UnterminatedRegex => "regex",
            Kind::AmpAmp => "&&",
            Kind::PipePipe => "||",
            Kind::Bang => "!",
            Kind::EqTilde => "=~",
            _ => "invalid token",
        }
    }
}
