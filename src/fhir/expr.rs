//! Scoring expressions: a small FHIRPath parser, the recognition of the common total
//! patterns (a sum of the ordinal values of named items, `iif` over answered items),
//! and the expressions export writes. Anything not recognised is a gap for import to
//! report, never a guessed score.

use std::collections::BTreeMap;

/// A FHIRPath expression, as far as scoring totals need.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `%name`.
    Var(String),
    /// A bare name: `item`, `linkId`.
    Ident(String),
    /// `'text'`.
    Str(String),
    /// A number.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `{}`.
    Empty,
    /// `$this`.
    This,
    /// `target.name` (or `name` at the start).
    Member(Box<Expr>, String),
    /// `target.name(args)`, or `name(args)` without a target.
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    /// `l op r`.
    Bin(String, Box<Expr>, Box<Expr>),
}

/// The deepest nesting the parser follows.
const MAX_DEPTH: usize = 64;

/// Parses `text`; `None` when it is not in the subset.
pub fn parse(text: &str) -> Option<Expr> {
    let tokens = lex(text)?;
    let mut p = Parser {
        t: tokens,
        i: 0,
        depth: 0,
    };
    let e = p.or()?;
    (p.i == p.t.len()).then_some(e)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Var(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn lex(text: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i)? {
                    '\\' => {
                        s.push(*chars.get(i + 1)?);
                        i += 2;
                    }
                    '\'' => {
                        i += 1;
                        break;
                    }
                    ch => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            out.push(Tok::Num(s.parse().ok()?));
        } else if c.is_alphabetic() || c == '_' || c == '%' || c == '$' || c == '`' {
            let var = c == '%';
            i = if matches!(c, '%' | '$' | '`') {
                i + 1
            } else {
                i
            };
            if chars.get(i) == Some(&'`') {
                i += 1;
            }
            let name_start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut name: String = chars[name_start..i].iter().collect();
            if name.is_empty() {
                return None;
            }
            if chars.get(i) == Some(&'`') {
                i += 1;
            }
            if c == '$' {
                name.insert(0, '$');
            }
            out.push(if var {
                Tok::Var(name)
            } else {
                Tok::Ident(name)
            });
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = ["!=", "<=", ">="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| {
                    [
                        "(", ")", "{", "}", ".", ",", "|", "+", "-", "*", "/", "=", "<", ">",
                    ]
                    .into_iter()
                    .find(|s| s.starts_with(c))
                })?;
            i += sym.chars().count();
            out.push(Tok::Sym(sym));
        }
    }
    Some(out)
}

struct Parser {
    t: Vec<Tok>,
    i: usize,
    depth: usize,
}

impl Parser {
    fn peek_sym(&self, s: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Sym(x)) if *x == s)
    }
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Ident(x)) if x == w)
    }
    fn eat_sym(&mut self, s: &str) -> Option<()> {
        self.peek_sym(s).then(|| self.i += 1)
    }
    fn bin(
        &mut self,
        ops: &[&str],
        words: bool,
        next: fn(&mut Self) -> Option<Expr>,
    ) -> Option<Expr> {
        let mut l = next(self)?;
        loop {
            let op = ops.iter().find(|o| {
                if words {
                    self.peek_word(o)
                } else {
                    self.peek_sym(o)
                }
            });
            let Some(op) = op else { return Some(l) };
            let op = (*op).to_owned();
            self.i += 1;
            let r = next(self)?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }
    fn or(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let e = self.bin(&["or"], true, Self::and);
        self.depth -= 1;
        e
    }
    fn and(&mut self) -> Option<Expr> {
        self.bin(&["and"], true, Self::membership)
    }
    fn membership(&mut self) -> Option<Expr> {
        self.bin(&["in"], true, Self::equality)
    }
    fn equality(&mut self) -> Option<Expr> {
        self.bin(&["=", "!=", "<=", ">=", "<", ">"], false, Self::union)
    }
    fn union(&mut self) -> Option<Expr> {
        self.bin(&["|"], false, Self::additive)
    }
    fn additive(&mut self) -> Option<Expr> {
        self.bin(&["+", "-"], false, Self::multiplicative)
    }
    fn multiplicative(&mut self) -> Option<Expr> {
        self.bin(&["*", "/"], false, Self::postfix)
    }
    fn args(&mut self) -> Option<Vec<Expr>> {
        self.eat_sym("(")?;
        let mut args = Vec::new();
        if self.eat_sym(")").is_some() {
            return Some(args);
        }
        loop {
            args.push(self.or()?);
            if self.eat_sym(")").is_some() {
                return Some(args);
            }
            self.eat_sym(",")?;
        }
    }
    fn postfix(&mut self) -> Option<Expr> {
        let mut e = self.primary()?;
        while self.eat_sym(".").is_some() {
            let Some(Tok::Ident(name)) = self.t.get(self.i).cloned() else {
                return None;
            };
            self.i += 1;
            e = if self.peek_sym("(") {
                Expr::Call(Some(Box::new(e)), name, self.args()?)
            } else {
                Expr::Member(Box::new(e), name)
            };
        }
        Some(e)
    }
    fn primary(&mut self) -> Option<Expr> {
        let tok = self.t.get(self.i).cloned()?;
        self.i += 1;
        Some(match tok {
            Tok::Var(v) => Expr::Var(v),
            Tok::Str(s) => Expr::Str(s),
            Tok::Num(n) => Expr::Num(n),
            Tok::Ident(w) if w == "true" => Expr::Bool(true),
            Tok::Ident(w) if w == "false" => Expr::Bool(false),
            Tok::Ident(w) if w == "$this" => Expr::This,
            Tok::Ident(w) => {
                if self.peek_sym("(") {
                    Expr::Call(None, w, self.args()?)
                } else {
                    Expr::Ident(w)
                }
            }
            Tok::Sym("-") => match self.primary()? {
                Expr::Num(n) => Expr::Num(-n),
                _ => return None,
            },
            Tok::Sym("(") => {
                let e = self.or()?;
                self.eat_sym(")")?;
                e
            }
            Tok::Sym("{") => {
                self.eat_sym("}")?;
                Expr::Empty
            }
            Tok::Sym(_) => return None,
        })
    }
}

/// How a term takes an item's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `answer.value.ordinal()` or `weight()`: the option's score.
    Ordinal,
    /// `answer.value`: the number itself.
    Plain,
    /// `answer.value.select(iif($this, 1, 0))`: a boolean as 1 or 0.
    BoolAsNumber,
}

/// A literal in a recognised condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Str(String),
}

/// A recognised condition `item's value op literal`, from an `enableWhen` guard.
#[derive(Clone, Debug, PartialEq)]
pub struct Guard {
    /// The linkId compared.
    pub item: String,
    /// How its value is taken.
    pub kind: ValueKind,
    /// The operator, as in FHIRPath.
    pub op: String,
    /// The literal.
    pub value: Lit,
}

/// When the recognised total is computed.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Always: unanswered items add nothing (a plain sum, or `iif(…exists(), …, 0)`).
    AnsweredOnly,
    /// Only when every listed item is answered, or its guard says it is not shown.
    AllAnswered(BTreeMap<String, Option<Guard>>),
}

/// A recognised total.
#[derive(Clone, Debug, PartialEq)]
pub struct Total {
    /// The summed linkIds, in the expression's order, with how each is taken.
    pub terms: Vec<(String, ValueKind)>,
    /// When it is computed.
    pub rule: Rule,
}

/// Recognises a total; `variables` are the `%name` definitions in scope.
pub fn recognise(text: &str, variables: &BTreeMap<String, String>) -> Option<Total> {
    let e = parse(text)?;
    if let Expr::Call(None, name, args) = &e
        && name == "iif"
        && args.len() == 3
        && args[2] == Expr::Empty
    {
        let terms = sum(&args[1], variables, 0)?;
        let mut required = BTreeMap::new();
        conjunction(&args[0], &mut required)?;
        return Some(Total {
            terms,
            rule: Rule::AllAnswered(required),
        });
    }
    Some(Total {
        terms: sum(&e, variables, 0)?,
        rule: Rule::AnsweredOnly,
    })
}

fn sum(
    e: &Expr,
    vars: &BTreeMap<String, String>,
    depth: usize,
) -> Option<Vec<(String, ValueKind)>> {
    if depth > 8 {
        return None;
    }
    match e {
        Expr::Bin(op, l, r) if op == "+" => {
            let mut v = sum(l, vars, depth + 1)?;
            v.extend(sum(r, vars, depth + 1)?);
            Some(v)
        }
        Expr::Var(name) => {
            let def = vars.get(name)?;
            sum(&parse(def)?, vars, depth + 1)
        }
        Expr::Call(None, name, args) if name == "iif" && args.len() == 3 => {
            // iif(<item>.answer.exists(), <item's value>, 0)
            if args[2] != Expr::Num(0.0) {
                return None;
            }
            let (ids, _) = answered(&args[0])?;
            let terms = value_terms(&args[1])?;
            let same = ids.len() == 1 && terms.len() == 1 && terms[0].0 == ids[0];
            same.then_some(terms)
        }
        _ => value_terms(e),
    }
}

/// `<selection>.answer.value[.ordinal()][.sum()]`.
fn value_terms(e: &Expr) -> Option<Vec<(String, ValueKind)>> {
    let e = match e {
        Expr::Call(Some(t), name, args) if name == "sum" && args.is_empty() => t.as_ref(),
        other => other,
    };
    let (kind, value) = match e {
        Expr::Call(Some(t), name, args)
            if (name == "ordinal" || name == "weight") && args.is_empty() =>
        {
            (ValueKind::Ordinal, t.as_ref())
        }
        Expr::Call(Some(t), name, args)
            if name == "select"
                && args.len() == 1
                && args[0]
                    == Expr::Call(
                        None,
                        "iif".into(),
                        vec![Expr::This, Expr::Num(1.0), Expr::Num(0.0)],
                    ) =>
        {
            (ValueKind::BoolAsNumber, t.as_ref())
        }
        other => (ValueKind::Plain, other),
    };
    let Expr::Member(answer, v) = value else {
        return None;
    };
    if !matches!(
        v.as_str(),
        "value" | "valueCoding" | "valueInteger" | "valueDecimal" | "valueBoolean"
    ) {
        return None;
    }
    let Expr::Member(sel, a) = answer.as_ref() else {
        return None;
    };
    if a != "answer" {
        return None;
    }
    let ids = selection(sel)?;
    Some(ids.into_iter().map(|id| (id, kind)).collect())
}

/// `<selection>.answer.exists()`: the selected ids and the selection.
fn answered(e: &Expr) -> Option<(Vec<String>, ())> {
    let Expr::Call(Some(t), name, args) = e else {
        return None;
    };
    if name != "exists" || !args.is_empty() {
        return None;
    }
    let Expr::Member(sel, a) = t.as_ref() else {
        return None;
    };
    (a == "answer").then_some(())?;
    Some((selection(sel)?, ()))
}

/// `%resource(.item|.repeat(item)|.descendants()|.where(linkId…))*.where(<linkIds>)`:
/// the linkIds of the last `where`.
fn selection(e: &Expr) -> Option<Vec<String>> {
    let Expr::Call(Some(target), name, args) = e else {
        return None;
    };
    if name != "where" || args.len() != 1 {
        return None;
    }
    let ids = link_ids(&args[0])?;
    navigation(target)?;
    Some(ids)
}

fn navigation(e: &Expr) -> Option<()> {
    match e {
        Expr::Var(v) if v == "resource" || v == "context" => Some(()),
        Expr::Member(t, m) if m == "item" => navigation(t),
        Expr::Call(Some(t), name, args) => match (name.as_str(), args.as_slice()) {
            ("repeat", [Expr::Ident(i)]) if i == "item" => navigation(t),
            ("descendants", []) => navigation(t),
            ("where", [pred]) => {
                link_ids(pred)?;
                navigation(t)
            }
            _ => None,
        },
        _ => None,
    }
}

fn link_ids(pred: &Expr) -> Option<Vec<String>> {
    match pred {
        Expr::Bin(op, l, r) if op == "=" => match (l.as_ref(), r.as_ref()) {
            (Expr::Ident(f), Expr::Str(s)) | (Expr::Str(s), Expr::Ident(f)) if f == "linkId" => {
                Some(vec![s.clone()])
            }
            _ => None,
        },
        Expr::Bin(op, l, r) if op == "in" => {
            let Expr::Ident(f) = l.as_ref() else {
                return None;
            };
            (f == "linkId").then_some(())?;
            let mut out = Vec::new();
            strings(r, &mut out)?;
            Some(out)
        }
        Expr::Bin(op, l, r) if op == "or" => {
            let mut v = link_ids(l)?;
            v.extend(link_ids(r)?);
            Some(v)
        }
        _ => None,
    }
}

fn strings(e: &Expr, out: &mut Vec<String>) -> Option<()> {
    match e {
        Expr::Str(s) => {
            out.push(s.clone());
            Some(())
        }
        Expr::Bin(op, l, r) if op == "|" => {
            strings(l, out)?;
            strings(r, out)
        }
        _ => None,
    }
}

/// `R1 and R2 and …`, each `<item>.answer.exists()` or
/// `iif(<guard>, <item>.answer.exists(), true)`.
fn conjunction(e: &Expr, out: &mut BTreeMap<String, Option<Guard>>) -> Option<()> {
    match e {
        Expr::Bin(op, l, r) if op == "and" => {
            conjunction(l, out)?;
            conjunction(r, out)
        }
        Expr::Call(None, name, args)
            if name == "iif" && args.len() == 3 && args[2] == Expr::Bool(true) =>
        {
            let (ids, ()) = answered(&args[1])?;
            let guard = guard(&args[0])?;
            for id in ids {
                out.insert(id, Some(guard.clone()));
            }
            Some(())
        }
        _ => {
            let (ids, ()) = answered(e)?;
            for id in ids {
                out.insert(id, None);
            }
            Some(())
        }
    }
}

/// Recognises an `enableWhenExpression` of the shape export writes:
/// `<item>.answer.value[.ordinal()] op literal`.
pub fn recognise_guard(text: &str) -> Option<Guard> {
    guard(&parse(text)?)
}

fn guard(e: &Expr) -> Option<Guard> {
    let Expr::Bin(op, l, r) = e else { return None };
    if !matches!(op.as_str(), "=" | "!=" | "<" | "<=" | ">" | ">=") {
        return None;
    }
    let terms = value_terms(l)?;
    let [(item, kind)] = terms.as_slice() else {
        return None;
    };
    let value = match r.as_ref() {
        Expr::Num(n) => Lit::Num(*n),
        Expr::Bool(b) => Lit::Bool(*b),
        Expr::Str(s) => Lit::Str(s.clone()),
        _ => return None,
    };
    Some(Guard {
        item: item.clone(),
        kind: *kind,
        op: op.clone(),
        value,
    })
}

/// `'text'` with quotes and backslashes escaped.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `%resource.repeat(item).where(linkId = 'id')`.
pub fn select(id: &str) -> String {
    format!("%resource.repeat(item).where(linkId = {})", quote(id))
}

/// The term of one item: its answer's value as a number, 0 when unanswered.
pub fn term(id: &str, kind: ValueKind) -> String {
    match kind {
        ValueKind::Ordinal => format!("{}.answer.value.ordinal().sum()", select(id)),
        ValueKind::Plain => format!("{}.answer.value.sum()", select(id)),
        ValueKind::BoolAsNumber => {
            format!("{}.answer.value.select(iif($this, 1, 0)).sum()", select(id))
        }
    }
}

/// The condition `guard` as FHIRPath.
pub fn guard_text(g: &Guard) -> String {
    let value = match &g.value {
        Lit::Num(n) => crate::scoring::fmt_num(*n),
        Lit::Bool(b) => b.to_string(),
        Lit::Str(s) => quote(s),
    };
    let lhs = match g.kind {
        ValueKind::Ordinal => format!("{}.answer.value.ordinal()", select(&g.item)),
        _ => format!("{}.answer.value", select(&g.item)),
    };
    format!("{lhs} {} {value}", g.op)
}

/// A total computed only when every item is answered or, per its guard, not shown.
pub fn strict_total(terms: &[(String, ValueKind)], guards: &BTreeMap<String, Guard>) -> String {
    let sum = if terms.iter().all(|(_, k)| *k == ValueKind::Ordinal) && terms.len() > 1 {
        let ids: Vec<String> = terms.iter().map(|(id, _)| quote(id)).collect();
        format!(
            "%resource.repeat(item).where(linkId in ({})).answer.value.ordinal().sum()",
            ids.join(" | ")
        )
    } else {
        let parts: Vec<String> = terms.iter().map(|(id, k)| term(id, *k)).collect();
        parts.join(" + ")
    };
    let required: Vec<String> = terms
        .iter()
        .map(|(id, _)| {
            let exists = format!("{}.answer.exists()", select(id));
            match guards.get(id) {
                Some(g) => format!("iif({}, {exists}, true)", guard_text(g)),
                None => exists,
            }
        })
        .collect();
    format!("iif({}, {sum}, {{}})", required.join(" and "))
}

/// A total of the answered items: unanswered ones add nothing.
pub fn plain_total(terms: &[(String, ValueKind)]) -> String {
    let parts: Vec<String> = terms.iter().map(|(id, k)| term(id, *k)).collect();
    parts.join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(t: &Total) -> Vec<&str> {
        t.terms.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn sum_of_ordinals_with_in() {
        let t = recognise(
            "%resource.repeat(item).where(linkId in ('a' | 'b' | 'c')).answer.value.ordinal().sum()",
            &BTreeMap::new(),
        )
        .expect("recognised");
        assert_eq!(ids(&t), ["a", "b", "c"]);
        assert_eq!(t.rule, Rule::AnsweredOnly);
    }

    #[test]
    fn iif_over_answered_items_and_variables() {
        let vars = BTreeMap::from([(
            "q2".to_owned(),
            "%resource.item.where(linkId='g').item.where(linkId='b').answer.value.weight()"
                .to_owned(),
        )]);
        let t = recognise(
            "iif(%resource.item.where(linkId='a').answer.exists(), %resource.item.where(linkId='a').answer.value.ordinal(), 0) + %q2",
            &vars,
        )
        .expect("recognised");
        assert_eq!(ids(&t), ["a", "b"]);
    }

    #[test]
    fn strict_round_trips() {
        let terms = vec![
            ("a".to_owned(), ValueKind::Ordinal),
            ("b".to_owned(), ValueKind::Ordinal),
        ];
        let guard = Guard {
            item: "x".into(),
            kind: ValueKind::Ordinal,
            op: "=".into(),
            value: Lit::Num(1.0),
        };
        let guards = BTreeMap::from([("b".to_owned(), guard.clone())]);
        let text = strict_total(&terms, &guards);
        let t = recognise(&text, &BTreeMap::new()).expect("recognised");
        assert_eq!(t.terms, terms);
        assert_eq!(
            t.rule,
            Rule::AllAnswered(BTreeMap::from([
                ("a".to_owned(), None),
                ("b".to_owned(), Some(guard))
            ]))
        );
    }

    proptest::proptest! {
        /// Any text ends in a result, never a hang or a panic.
        #[test]
        fn any_text_terminates(text in "[%$`'(){}|.a-z0-9 +=<>!-]{0,40}") {
            let _ = recognise(&text, &BTreeMap::new());
            let _ = recognise_guard(&text);
        }
    }

    #[test]
    fn other_expressions_are_not_recognised() {
        for text in [
            "%resource.item.where(linkId='a').answer.value.ordinal().sum() * 2",
            "%resource.item.answer.value.ordinal().sum()",
            "%resource.item.where(linkId='a').answer.value.ordinal().sum() - 1",
            "iif(%resource.item.where(linkId='a').answer.exists(), 1, 0)",
            "%unknown",
            "((((",
            "$",
            "%",
            "`",
            "a.$",
        ] {
            assert!(recognise(text, &BTreeMap::new()).is_none(), "{text}");
        }
    }
}
