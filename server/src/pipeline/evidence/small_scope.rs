//! Small-scope inputs: hundreds of small argument lists, for correctness
//! only (they are run once, never timed). Most bugs of a faster rewrite
//! show on small inputs in the corners that typical inputs miss: empty and
//! one-element lists, repeats and triplicates, negatives and zero, ties,
//! extreme values, strings with brackets, separators, upper case and
//! non-ASCII letters, a scalar equal to an element or to a sum of two.
//! Generation is deterministic (a fixed seed), smallest inputs first, so
//! the first failing input is already small; [`SmallScope::shrink`] then
//! makes it smaller still.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::literals::{literal_value, python_type_of};
use super::{InputSource, TestInput};
use crate::analysis::Function;
use crate::builtin::inputs::{ArgType, Scalar, Value, expression, parameter_types, stress_inputs};
use crate::language::Language;

/// How to build small inputs for one function.
#[derive(Debug, Clone)]
pub struct SmallScope {
    language: Language,
    types: Vec<ArgType>,
    /// Pieces of the strings in examples (words, separators), drawn from
    /// as well as single characters.
    tokens: Vec<String>,
    /// Example values per parameter, grown into neighbours.
    seeds: Vec<Vec<Value>>,
    /// Per parameter: its type was not written (Python), so values equal
    /// to an item but of another type (`1.0`, `True` beside `1`) come too.
    untyped: Vec<bool>,
    /// Per parameter: untyped, and its examples show items of several
    /// types, so items of any type (`None`, `[1]`) come too. Not otherwise:
    /// a correct rewrite of a function on numbers may fail on `[1]`.
    polymorphic: Vec<bool>,
    /// A method's objects (expressions that build one), smallest first;
    /// each input is called on one of them in turn. Empty for functions.
    objects: Vec<String>,
    /// A method's object for the large inputs (else its largest object).
    large_object: Option<String>,
}

/// A small input: its values (for shrinking) and its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct SmallInput {
    pub values: Vec<Value>,
    /// Which of the scope's objects a method's input is called on.
    pub object: Option<usize>,
    pub input: TestInput,
}

/// Characters strings are built from: letters in both cases (ASCII and
/// not), digits, space and tab, separators, brackets of every kind.
const ALPHABET: &[char] = &[
    'a', 'b', 'A', 'B', 'z', ' ', ' ', '(', ')', '[', ']', '{', '}', '=', ',', '.', ':', ';', '-',
    '_', '#', '0', '1', '9', '\n', '\t', 'é', 'É', 'ß', 'Ä', 'ä',
];
/// Pieces that make strings look like text users parse.
const TOKENS: &[&str] = &[
    "a", "b", "ab", "Ab", "AB", "a b", "  ", "k=v", "k = v", "x=1", "=", "==", "()", ")(", "((",
    "[)", "{[]}", "a,b", ",", "#", "# c", "\n", "ä", "Ä", "É", "straße", "10", "-1", "0.5",
];

impl SmallScope {
    /// A generator for `function`; `examples` (calls in its docs and tests)
    /// give untyped parameters their type and seed the values. `Err` names
    /// the parameter whose values cannot be built.
    pub fn new(
        language: Language,
        function: &Function,
        examples: &[TestInput],
    ) -> Result<SmallScope, String> {
        let parameters: Vec<&String> = function
            .parameters
            .iter()
            .filter(|p| !is_receiver(language, p))
            .collect();
        let declared = parameter_types(
            language,
            &parameters.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        );
        let example_values: Vec<Vec<Value>> = examples
            .iter()
            .filter(|example| example.args.len() == parameters.len())
            .filter_map(|example| example.args.iter().map(|a| literal_value(a)).collect())
            .collect();
        let mut types = Vec::new();
        let untyped: Vec<bool> = declared.iter().map(Option::is_none).collect();
        for (position, declared) in declared.into_iter().enumerate() {
            let inferred = || {
                let shown: Vec<&Value> = example_values.iter().map(|v| &v[position]).collect();
                (language == Language::Python)
                    .then(|| python_type_of(&shown))
                    .flatten()
            };
            match declared.or_else(inferred) {
                Some(arg) => types.push(arg),
                None => return Err(parameters[position].trim().to_string()),
            }
        }
        // Small inputs grow from small examples: a captured call on 20,000
        // items says what type a parameter has, not what a small one holds
        // (and its neighbours would each be as large).
        let example_values: Vec<Vec<Value>> = example_values
            .into_iter()
            .filter(|values| values.iter().map(size_of).sum::<usize>() <= MAX_SEED_SIZE)
            .collect();
        let mut tokens: Vec<String> = TOKENS.iter().map(|t| t.to_string()).collect();
        for values in &example_values {
            for value in values {
                collect_tokens(value, &mut tokens);
            }
        }
        tokens.sort();
        tokens.dedup();
        let polymorphic = (0..types.len())
            .map(|position| {
                let mut kinds: Vec<std::mem::Discriminant<Value>> = Vec::new();
                for values in &example_values {
                    let items: Vec<&Value> = match &values[position] {
                        Value::List(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for item in items {
                        let kind = std::mem::discriminant(item);
                        if !kinds.contains(&kind) {
                            kinds.push(kind);
                        }
                    }
                }
                untyped[position] && kinds.len() > 1
            })
            .collect();
        Ok(SmallScope {
            language,
            types,
            tokens,
            seeds: example_values,
            untyped,
            polymorphic,
            objects: Vec::new(),
            large_object: None,
        })
    }

    /// The same generator for a method called on `objects` (each input
    /// takes the next one in turn); they are tried smallest first. The
    /// large inputs are called on `large_object`.
    pub fn with_objects(
        mut self,
        mut objects: Vec<String>,
        large_object: Option<String>,
    ) -> SmallScope {
        objects.sort_by_key(String::len);
        objects.dedup();
        self.objects = objects;
        self.large_object = large_object;
        self
    }

    /// The parameters' types (declared, or shown by the examples), a
    /// method's object not among them.
    pub fn types(&self) -> &[ArgType] {
        &self.types
    }

    /// Whether each input starts with the object a method is called on.
    pub fn on_object(&self) -> bool {
        !self.objects.is_empty()
    }

    /// Up to `count` distinct small inputs, smallest first.
    pub fn inputs(&self, count: usize) -> Vec<SmallInput> {
        let mut rng = StdRng::seed_from_u64(0x5eed_5ca1e);
        let mut out: Vec<SmallInput> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut turn = 0;
        let mut push = |values: Vec<Value>, out: &mut Vec<SmallInput>| {
            let object = (!self.objects.is_empty()).then(|| {
                turn += 1;
                (turn - 1) % self.objects.len()
            });
            let input = self.render_on(&values, object);
            if seen.insert(input.args.clone()) {
                out.push(SmallInput {
                    values,
                    object,
                    input,
                });
            }
        };
        // The corners first: every parameter at its emptiest / smallest.
        for level in 0..3 {
            push(
                self.types.iter().map(|t| corner(t, level)).collect(),
                &mut out,
            );
        }
        // Every parameter at the edges of its type together: overflow and
        // NaN bugs need two extremes at once, which chance rarely brings.
        for values in self.extreme_cases() {
            push(values, &mut out);
        }
        // Examples and their neighbours (one element dropped, doubled, negated).
        for seed in &self.seeds {
            push(seed.clone(), &mut out);
            for neighbour in self.neighbours(seed) {
                push(neighbour, &mut out);
            }
        }
        let mut attempts = 0;
        while out.len() < count && attempts < count * 20 {
            attempts += 1;
            // Sizes grow with the attempts: small inputs come first.
            let size = 1 + (attempts * 8 / count.max(1)).min(7);
            let values = self.random_case(&mut rng, size);
            push(values, &mut out);
        }
        out.truncate(count);
        out.sort_by_key(|input| input.input.args.iter().map(String::len).sum::<usize>());
        out
    }

    /// Inputs a little smaller than `failing`: an element or a character
    /// dropped, a half kept, a number moved towards zero, a smaller
    /// object. The caller runs them and keeps the smallest that still fails.
    pub fn shrink(&self, failing: &SmallInput) -> Vec<SmallInput> {
        let (values, object) = (&failing.values, failing.object);
        let mut out = Vec::new();
        let mut offer = |values: Vec<Value>, object: Option<usize>| {
            let input = self.render_on(&values, object);
            if !out.iter().any(|known: &SmallInput| known.input == input) {
                out.push(SmallInput {
                    values,
                    object,
                    input,
                });
            }
        };
        for (position, value) in values.iter().enumerate() {
            for smaller in smaller_values(value) {
                let mut next = values.to_vec();
                next[position] = smaller;
                offer(next, object);
            }
        }
        for smaller_object in 0..object.unwrap_or(0) {
            offer(values.clone(), Some(smaller_object));
        }
        out.sort_by_key(|input| input.input.args.iter().map(String::len).sum::<usize>());
        out
    }

    /// Two large inputs of the parameters' types (declared, or shown by
    /// the examples), to time the function on when nothing else is large.
    /// A string parameter with examples gets its longest example repeated
    /// (a config parser is timed on config text, not on "abab...").
    pub fn stress(&self) -> Vec<TestInput> {
        let flat: Vec<ArgType> = self
            .types
            .iter()
            .map(|arg| ArgType {
                inner: None,
                ..arg.clone()
            })
            .collect();
        let mut lists = stress_inputs(self.language, &flat);
        // A method of scalars only (`Leaders(n)`) is timed on its large
        // object, called as the examples call it.
        if lists.is_empty() && self.large_object.is_some() {
            lists = self
                .seeds
                .iter()
                .take(2)
                .map(|seed| self.render(seed).args)
                .collect();
        }
        lists
            .into_iter()
            .enumerate()
            .map(|(case, mut args)| {
                for (position, arg) in self.types.iter().enumerate() {
                    if arg.inner.is_some() {
                        let long = self.long_nested(arg, case);
                        args[position] = expression(self.language, arg, &long);
                    }
                    if let (false, Scalar::Str, Some(long)) =
                        (arg.list, arg.scalar, self.long_example_string(position))
                    {
                        args[position] = expression(self.language, arg, &Value::Str(long));
                    }
                }
                // The largest object: it holds the most to work on.
                if let Some(object) = self.large_object.as_ref().or(self.objects.last()) {
                    args.insert(0, object.clone());
                }
                TestInput {
                    args,
                    source: InputSource::Stress,
                }
            })
            .collect()
    }

    /// A long nested list written out: element k holds numbers around
    /// 3k, so neighbours overlap now and then (intervals merge, pairs meet).
    fn long_nested(&self, arg: &ArgType, case: usize) -> Value {
        let inner = arg.inner.as_ref().expect("a nested type");
        let len: i64 = if self.language == Language::Python {
            2_000
        } else {
            5_000
        };
        let items = (0..len)
            .map(|k| {
                // The second case comes unsorted: the first element from the end.
                let base = if case == 0 { 3 * k } else { 3 * (len - k) };
                let parts: Vec<Value> = (0..inner.len.unwrap_or(3) as i64)
                    .map(|j| match arg.scalar {
                        Scalar::Float => Value::Float((base + j * (k % 5)) as f64 / 2.0),
                        _ => Value::Int(base + j * (k % 5)),
                    })
                    .collect();
                match inner.len {
                    Some(_) => Value::Tuple(parts),
                    None => Value::List(parts),
                }
            })
            .collect();
        Value::List(items)
    }

    /// Whether [`SmallScope::stress`] builds text from examples, which times
    /// a text-processing function better than other large inputs do.
    pub fn has_example_text(&self) -> bool {
        (0..self.types.len()).any(|position| {
            !self.types[position].list
                && self.types[position].scalar == Scalar::Str
                && self.long_example_string(position).is_some()
        })
    }

    /// The longest example string of a parameter, repeated to about
    /// [`STRESS_TEXT_LEN`] characters.
    fn long_example_string(&self, position: usize) -> Option<String> {
        let longest = self
            .seeds
            .iter()
            .filter_map(|seed| match seed.get(position) {
                Some(Value::Str(text)) if !text.is_empty() => Some(text),
                _ => None,
            })
            .max_by_key(|text| text.len())?;
        let copies = STRESS_TEXT_LEN / (longest.len() + 1) + 1;
        Some(super::scale::grown_text(longest, copies))
    }

    pub fn render(&self, values: &[Value]) -> TestInput {
        self.render_on(values, None)
    }

    /// The input's source text, a method's object first.
    fn render_on(&self, values: &[Value], object: Option<usize>) -> TestInput {
        let object = object.and_then(|index| self.objects.get(index)).cloned();
        TestInput {
            args: object
                .into_iter()
                .chain(
                    values
                        .iter()
                        .zip(&self.types)
                        .map(|(value, arg)| expression(self.language, arg, value)),
                )
                .collect(),
            source: InputSource::SmallScope,
        }
    }

    fn neighbours(&self, seed: &[Value]) -> Vec<Vec<Value>> {
        let mut out = Vec::new();
        for (position, value) in seed.iter().enumerate() {
            let mut variants = smaller_values(value);
            match value {
                Value::List(items) if !items.is_empty() => {
                    let mut doubled = items.clone();
                    doubled.extend(items.iter().cloned());
                    variants.push(Value::List(doubled));
                    let mut reversed = items.clone();
                    reversed.reverse();
                    variants.push(Value::List(reversed));
                }
                Value::Int(n) => variants.extend(
                    [n.checked_neg(), n.checked_add(1)]
                        .into_iter()
                        .flatten()
                        .map(Value::Int),
                ),
                Value::Str(s) => {
                    variants.push(Value::Str(s.to_uppercase()));
                    variants.push(Value::Str(format!("{s}{s}")));
                }
                _ => {}
            }
            for variant in variants {
                if self.fits(position, &variant) {
                    let mut next = seed.to_vec();
                    next[position] = variant;
                    out.push(next);
                }
            }
        }
        out
    }

    /// Argument lists of edge values: each parameter takes values at the
    /// ends of its number type (small lists of them for list parameters),
    /// in every combination; none for parameters of other types.
    fn extreme_cases(&self) -> Vec<Vec<Value>> {
        let options: Vec<Vec<Value>> = self
            .types
            .iter()
            .map(|arg| {
                if arg.inner.is_some() {
                    return vec![corner(arg, 1)];
                }
                let edges: Vec<Value> = match arg.scalar {
                    Scalar::Int => {
                        let (low, high) = if arg.unsigned() {
                            (
                                0,
                                if wide(self.language, arg) {
                                    i64::MAX
                                } else {
                                    i32::MAX as i64
                                },
                            )
                        } else if wide(self.language, arg) {
                            (i64::MIN, i64::MAX)
                        } else {
                            (i32::MIN as i64, i32::MAX as i64)
                        };
                        if matches!(arg.scalar_text.as_str(), "short" | "Short") {
                            return vec![corner(arg, 1)];
                        }
                        [low, high, -1, 0, 1]
                            .into_iter()
                            .filter(|n| in_range(self.language, arg, *n))
                            .map(Value::Int)
                            .collect()
                    }
                    Scalar::Float => [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 1e308]
                        .into_iter()
                        .map(Value::Float)
                        .collect(),
                    _ => return vec![corner(arg, 1)],
                };
                if !arg.list {
                    return edges[..edges.len().min(4)].to_vec();
                }
                let mut lists = Vec::new();
                for (i, a) in edges.iter().enumerate() {
                    for b in &edges[i..] {
                        lists.push(Value::List(vec![a.clone(), b.clone()]));
                    }
                }
                lists
            })
            .collect();
        let mut cases: Vec<Vec<Value>> = vec![Vec::new()];
        for option in &options {
            cases = cases
                .into_iter()
                .flat_map(|case| {
                    option.iter().map(move |value| {
                        let mut next = case.clone();
                        next.push(value.clone());
                        next
                    })
                })
                .collect();
            cases.truncate(120);
        }
        cases
    }

    fn fits(&self, position: usize, value: &Value) -> bool {
        let arg = &self.types[position];
        match value {
            Value::Int(n) => in_range(self.language, arg, *n),
            Value::List(items) => items.iter().all(|item| match item {
                Value::Int(n) => in_range(self.language, arg, *n),
                _ => true,
            }),
            _ => true,
        }
    }

    /// One random argument list whose collections hold up to `size` items.
    fn random_case(&self, rng: &mut StdRng, size: usize) -> Vec<Value> {
        let mut values: Vec<Value> = self
            .types
            .iter()
            .enumerate()
            .map(|(position, arg)| {
                let value = self.random_value(rng, arg, size);
                if self.untyped[position] {
                    mix_other_types(rng, value, self.polymorphic[position])
                } else {
                    value
                }
            })
            .collect();
        // Relational scalars: a scalar argument taken from the collections
        // (an element, a sum or difference of two, a length), so targets,
        // keys and windows hit what is there as often as not.
        for (position, arg) in self.types.iter().enumerate() {
            if arg.list || !rng.random_bool(0.6) {
                continue;
            }
            let related = related_scalars(&values, arg);
            if !related.is_empty() {
                let pick = related[rng.random_range(0..related.len())].clone();
                if self.fits(position, &pick) {
                    values[position] = pick;
                }
            }
        }
        values
    }

    fn random_value(&self, rng: &mut StdRng, arg: &ArgType, size: usize) -> Value {
        if !arg.list {
            return self.random_scalar(rng, arg, size);
        }
        if let Some(inner) = &arg.inner {
            let len = rng.random_range(0..=size.min(6));
            let items = (0..len)
                .map(|_| {
                    let count = inner.len.unwrap_or_else(|| rng.random_range(0..=3));
                    let mut parts: Vec<Value> = (0..count)
                        .map(|_| self.random_scalar(rng, arg, size))
                        .collect();
                    // Intervals, ranges, pairs: ordered as often as not.
                    if rng.random_bool(0.5) {
                        parts.sort_by(compare_values);
                    }
                    match inner.len {
                        Some(_) => Value::Tuple(parts),
                        None => Value::List(parts),
                    }
                })
                .collect();
            return Value::List(items);
        }
        let len = rng.random_range(0..=size.min(8));
        // A few distinct values, drawn with repetition: duplicates and
        // triplicates come naturally.
        let distinct = rng.random_range(1..=len.max(1));
        let pool: Vec<Value> = (0..distinct)
            .map(|_| self.random_scalar(rng, arg, size))
            .collect();
        let mut items: Vec<Value> = (0..len)
            .map(|_| pool[rng.random_range(0..pool.len())].clone())
            .collect();
        match rng.random_range(0..6) {
            0 => items.sort_by(compare_values),
            1 => {
                items.sort_by(compare_values);
                items.reverse();
            }
            _ => {}
        }
        Value::List(items)
    }

    fn random_scalar(&self, rng: &mut StdRng, arg: &ArgType, size: usize) -> Value {
        match arg.scalar {
            Scalar::Int => {
                let extremes = int_extremes(self.language, arg);
                if !extremes.is_empty() && rng.random_bool(0.04) {
                    return Value::Int(extremes[rng.random_range(0..extremes.len())]);
                }
                let span = 3 + size as i64;
                let low = if arg.unsigned() { 0 } else { -span };
                Value::Int(rng.random_range(low..=span))
            }
            Scalar::Float => {
                const SPECIAL: &[f64] = &[f64::NAN, f64::INFINITY, -0.0, 1e-9, 1e18, -1e18];
                if rng.random_bool(0.05) {
                    return Value::Float(SPECIAL[rng.random_range(0..SPECIAL.len())]);
                }
                // Halves and quarters: exact in binary, ties are real ties.
                Value::Float(rng.random_range(-12i64..=12) as f64 / 4.0)
            }
            Scalar::Bool => Value::Bool(rng.random_bool(0.5)),
            Scalar::Char => Value::Char(self.random_char(rng)),
            Scalar::Str => {
                let mut text = String::new();
                for _ in 0..rng.random_range(0..=size.min(4)) {
                    if rng.random_bool(0.5) {
                        text.push_str(&self.tokens[rng.random_range(0..self.tokens.len())]);
                    } else {
                        text.push(ALPHABET[rng.random_range(0..ALPHABET.len())]);
                    }
                }
                Value::Str(text)
            }
        }
    }

    fn random_char(&self, rng: &mut StdRng) -> char {
        loop {
            let c = ALPHABET[rng.random_range(0..ALPHABET.len())];
            // A C++ `char` holds one byte.
            if c.is_ascii() || self.language != Language::Cpp {
                return c;
            }
        }
    }
}

/// The largest example (in list items and string characters together)
/// that seeds small inputs.
const MAX_SEED_SIZE: usize = 256;

/// List items and string characters in `value`, nested ones included.
fn size_of(value: &Value) -> usize {
    match value {
        Value::List(items) | Value::Tuple(items) => items.iter().map(size_of).sum::<usize>() + 1,
        Value::Str(text) => text.chars().count(),
        _ => 1,
    }
}

/// Characters of a large string input built from an example.
const STRESS_TEXT_LEN: usize = 20_000;

/// Values of other types an untyped Python list may hold: equal-hashing
/// numbers of other types, None, unhashable and nested values.
const PYTHON_OTHER_VALUES: &[&str] = &[
    "1.0", "True", "False", "None", "[1]", "(1, 2)", "'1'", "-0.0",
];

/// Now and then, a value of another type in an untyped Python list: one
/// equal to an item but of another type (`1.0` or `True` beside `1`), or,
/// when the examples show several types, one of [`PYTHON_OTHER_VALUES`]
/// in an item's place.
fn mix_other_types(rng: &mut StdRng, value: Value, polymorphic: bool) -> Value {
    match value {
        Value::List(mut items) if !items.is_empty() && rng.random_bool(0.25) => {
            let at = rng.random_range(0..items.len());
            match &items[at] {
                Value::Int(n) if rng.random_bool(0.5) => {
                    let equal = match n {
                        0 => "False".to_string(),
                        1 => "True".to_string(),
                        n => format!("{n}.0"),
                    };
                    items.insert(rng.random_range(0..=items.len()), Value::Raw(equal));
                }
                _ if !polymorphic => {}
                _ if rng.random_bool(0.3) => {
                    // Equal values of three types side by side.
                    items.insert(at, Value::Raw("1.0".into()));
                    items.insert(at, Value::Raw("1".into()));
                    items.insert(at, Value::Raw("True".into()));
                }
                _ => {
                    let other = PYTHON_OTHER_VALUES[rng.random_range(0..PYTHON_OTHER_VALUES.len())];
                    items[at] = Value::Raw(other.to_string());
                }
            }
            Value::List(items)
        }
        other => other,
    }
}

/// Python's `self`/`cls` and Rust's `self` receivers are not arguments.
fn is_receiver(language: Language, parameter: &str) -> bool {
    let name = crate::analysis::parameter_name(parameter);
    match language {
        Language::Python => matches!(name, "self" | "cls"),
        Language::Rust => {
            name.trim_start_matches('&')
                .trim_start_matches("mut ")
                .trim()
                == "self"
        }
        _ => false,
    }
}

/// The `level`-th smallest value of a type: empty, then one element, then two.
fn corner(arg: &ArgType, level: usize) -> Value {
    if let Some(inner) = &arg.inner {
        let element = |n: usize| {
            let scalar = ArgType {
                list: false,
                inner: None,
                ..arg.clone()
            };
            let parts: Vec<Value> = (0..inner.len.unwrap_or(1))
                .map(|j| corner(&scalar, (n + j) % 3))
                .collect();
            match inner.len {
                Some(_) => Value::Tuple(parts),
                None => Value::List(parts),
            }
        };
        return Value::List((0..level).map(element).collect());
    }
    let scalar = |n: i64| match arg.scalar {
        Scalar::Int => Value::Int(n),
        Scalar::Float => Value::Float(n as f64),
        Scalar::Bool => Value::Bool(n != 0),
        Scalar::Char => Value::Char(['a', ' ', '('][n as usize % 3]),
        Scalar::Str => Value::Str(["", "a", "a b"][n as usize % 3].to_string()),
    };
    if arg.list {
        Value::List((0..level as i64).map(scalar).collect())
    } else {
        scalar(level as i64)
    }
}

/// Smaller versions of a value, smallest first.
fn smaller_values(value: &Value) -> Vec<Value> {
    match value {
        Value::List(items) => {
            let mut out = Vec::new();
            if !items.is_empty() {
                out.push(Value::List(Vec::new()));
                out.push(Value::List(items[..items.len() / 2].to_vec()));
                out.push(Value::List(items[items.len() / 2..].to_vec()));
            }
            for skip in 0..items.len() {
                let mut fewer = items.clone();
                fewer.remove(skip);
                out.push(Value::List(fewer));
            }
            for (index, item) in items.iter().enumerate() {
                for smaller in smaller_values(item) {
                    let mut next = items.clone();
                    next[index] = smaller;
                    out.push(Value::List(next));
                }
            }
            out
        }
        Value::Int(n) if *n != 0 => {
            let mut out = vec![Value::Int(0), Value::Int(n / 2), Value::Int(n - n.signum())];
            if let Some(positive) = n.checked_neg().filter(|_| *n < 0) {
                out.push(Value::Int(positive));
            }
            out.dedup();
            out.retain(|v| v != value);
            out
        }
        Value::Tuple(parts) => {
            let mut out = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                for smaller in smaller_values(part) {
                    let mut next = parts.clone();
                    next[index] = smaller;
                    out.push(Value::Tuple(next));
                }
            }
            out
        }
        Value::Float(x) if *x != 0.0 && x.is_finite() => {
            vec![Value::Float(0.0), Value::Float(x.trunc())]
                .into_iter()
                .filter(|v| v != value)
                .collect()
        }
        Value::Str(s) if !s.is_empty() => {
            let chars: Vec<char> = s.chars().collect();
            let mut out = vec![
                Value::Str(String::new()),
                Value::Str(chars[..chars.len() / 2].iter().collect()),
            ];
            for skip in 0..chars.len() {
                let fewer: String = chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect();
                out.push(Value::Str(fewer));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Scalars related to the collections of an argument list: for a number,
/// elements, sums and differences of two, lengths; for a string or char,
/// elements.
fn related_scalars(values: &[Value], arg: &ArgType) -> Vec<Value> {
    let mut out = Vec::new();
    for value in values {
        let Value::List(items) = value else { continue };
        match arg.scalar {
            Scalar::Int => {
                let len = items.len() as i64;
                out.extend([Value::Int(len), Value::Int(len + 1), Value::Int(len - 1)]);
                let numbers: Vec<i64> = items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Int(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                for (i, a) in numbers.iter().enumerate() {
                    out.push(Value::Int(*a));
                    for b in &numbers[i + 1..] {
                        out.push(Value::Int(a.saturating_add(*b)));
                        out.push(Value::Int(a.saturating_sub(*b)));
                    }
                }
            }
            Scalar::Float => out.extend(
                items
                    .iter()
                    .filter(|item| matches!(item, Value::Float(_)))
                    .cloned(),
            ),
            Scalar::Str | Scalar::Char => out.extend(
                items
                    .iter()
                    .filter(|item| {
                        std::mem::discriminant(*item) == std::mem::discriminant(&scalar_kind(arg))
                    })
                    .cloned(),
            ),
            Scalar::Bool => {}
        }
    }
    out
}

fn scalar_kind(arg: &ArgType) -> Value {
    match arg.scalar {
        Scalar::Char => Value::Char('a'),
        _ => Value::Str(String::new()),
    }
}

fn compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Char(x), Value::Char(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// Whether the integer type holds 64 bits or more (`int` is 32 bits in
/// Java and C++, 64 in Go, unbounded in Python).
fn wide(language: Language, arg: &ArgType) -> bool {
    match arg.scalar_text.as_str() {
        "int" => matches!(language, Language::Go | Language::Python),
        "i32" | "u32" | "int32" | "uint32" | "int32_t" | "std::int32_t" | "Integer" | "short"
        | "Short" | "unsigned" | "unsigned int" => false,
        _ => true,
    }
}

/// Values at the edges of the type's range, and sums that pass 2^31 and 2^53.
fn int_extremes(language: Language, arg: &ArgType) -> Vec<i64> {
    if arg.unsigned() || matches!(arg.scalar_text.as_str(), "short" | "Short") {
        return Vec::new();
    }
    let mut out = vec![i32::MAX as i64, i32::MIN as i64];
    if wide(language, arg) {
        out.extend([i64::MAX, i64::MIN, (1 << 53) + 1, 1 << 31]);
    }
    out
}

fn in_range(language: Language, arg: &ArgType, n: i64) -> bool {
    if arg.unsigned() {
        return n >= 0;
    }
    wide(language, arg) || (i32::MIN as i64..=i32::MAX as i64).contains(&n)
}

fn collect_tokens(value: &Value, tokens: &mut Vec<String>) {
    match value {
        Value::Str(text) if text.len() <= 40 => {
            tokens.push(text.clone());
            for piece in text.split_inclusive([' ', '=', ',', ':', '\n']) {
                if !piece.is_empty() {
                    tokens.push(piece.to_string());
                }
            }
        }
        Value::List(items) => {
            for item in items.iter().take(20) {
                collect_tokens(item, tokens);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::functions;
    use crate::document::Document;

    fn scope(language: Language, file: &str, examples: &[&[&str]]) -> Result<SmallScope, String> {
        let function = functions(&Document::new(language, 0, file)).remove(0);
        let examples: Vec<TestInput> = examples
            .iter()
            .map(|args| TestInput {
                args: args.iter().map(|a| a.to_string()).collect(),
                source: InputSource::TestCall,
            })
            .collect();
        SmallScope::new(language, &function, &examples)
    }

    #[test]
    fn small_inputs_reach_the_corners_smallest_first() {
        let scope = scope(
            Language::Python,
            "def count_pairs(xs: list[int], target: int) -> int:\n    return 0\n",
            &[],
        )
        .unwrap();
        let inputs = scope.inputs(400);
        assert_eq!(inputs.len(), 400);
        assert_eq!(inputs[0].input.args, ["[]", "0"]);
        let texts: Vec<String> = inputs.iter().map(|i| i.input.args.join(" | ")).collect();
        // Duplicates and triplicates, negatives, a target that is a sum of
        // two elements, and extreme values all occur.
        let lists: Vec<&Value> = inputs.iter().map(|i| &i.values[0]).collect();
        let has_triplicate = lists.iter().any(|list| match list {
            Value::List(items) => items
                .iter()
                .any(|x| items.iter().filter(|y| *y == x).count() >= 3),
            _ => false,
        });
        assert!(has_triplicate, "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("-")), "negatives");
        assert!(
            inputs.iter().any(|i| match (&i.values[0], &i.values[1]) {
                (Value::List(items), Value::Int(target)) =>
                    items.len() >= 2
                        && items
                            .iter()
                            .enumerate()
                            .any(|(a, x)| items.iter().skip(a + 1).any(|y| match (x, y) {
                                (Value::Int(x), Value::Int(y)) => x + y == *target,
                                _ => false,
                            })),
                _ => false,
            }),
            "a target that two elements sum to"
        );
        assert!(
            texts.iter().any(|t| t.contains("9223372036854775807")),
            "extremes"
        );
        // The same inputs every time.
        assert_eq!(scope.inputs(400), inputs);
    }

    #[test]
    fn strings_hold_brackets_separators_case_and_non_ascii_letters() {
        let scope = scope(
            Language::Java,
            "class P { static boolean balanced(String s) { return true; } }",
            &[],
        )
        .unwrap();
        let texts: Vec<String> = scope
            .inputs(300)
            .into_iter()
            .map(|i| i.input.args[0].clone())
            .collect();
        for needle in ["(", ")", "[", "=", " ", "A", "\\u00", "\\n"] {
            assert!(
                texts.iter().any(|t| t.contains(needle)),
                "{needle} in {texts:?}"
            );
        }
        // Java strings escape non-ASCII, so the source encoding cannot matter.
        assert!(texts.iter().all(|t| t.is_ascii()));
    }

    #[test]
    fn untyped_parameters_follow_their_examples_and_counterexamples_shrink() {
        let scope = scope(
            Language::Python,
            "def dedupe(items):\n    return items\n",
            &[&["[3, 1, 3]"], &["[]"]],
        )
        .unwrap();
        assert!(
            scope
                .inputs(50)
                .iter()
                .all(|i| i.input.args[0].starts_with('['))
        );
        let values = vec![Value::List(vec![
            Value::Int(5),
            Value::Int(-3),
            Value::Int(5),
        ])];
        let failing = SmallInput {
            input: scope.render(&values),
            values,
            object: None,
        };
        let smaller = scope.shrink(&failing);
        assert_eq!(smaller[0].input.args, ["[]"]);
        assert!(smaller.iter().any(|i| i.input.args == ["[5, 5]"]));
        assert!(smaller.iter().any(|i| i.input.args == ["[5, 0, 5]"]));
        assert_eq!(
            self::scope(Language::Python, "def f(items):\n    return items\n", &[]).unwrap_err(),
            "items"
        );
    }

    #[test]
    fn a_method_is_called_on_each_object_in_turn_and_shrinks_to_a_smaller_one() {
        let scope = scope(
            Language::Python,
            "class Ledger:\n    def total(self, account: str) -> int:\n        return 0\n",
            &[],
        )
        .unwrap()
        .with_objects(
            vec!["Ledger([('a', 1), ('b', 2)])".into(), "Ledger([])".into()],
            None,
        );
        let inputs = scope.inputs(40);
        assert!(inputs.iter().any(|i| i.input.args[0] == "Ledger([])"));
        assert!(
            inputs
                .iter()
                .any(|i| i.input.args[0].starts_with("Ledger([('a'"))
        );
        assert!(inputs.iter().all(|i| i.input.args.len() == 2));
        let on_the_larger = inputs.iter().find(|i| i.object == Some(1)).unwrap();
        assert!(
            scope
                .shrink(on_the_larger)
                .iter()
                .any(|i| i.input.args[0] == "Ledger([])")
        );
    }
}

#[cfg(test)]
mod nested_tests {
    use super::*;
    use crate::analysis::functions;
    use crate::document::Document;

    /// The smallest non-empty input of a list of pairs, as each language
    /// writes it.
    #[test]
    fn lists_of_pairs_and_lists_are_written_in_each_language() {
        let cases = [
            (
                Language::Python,
                "def merge(spans: list[tuple[int, int]]):\n    return spans\n",
                "[(0, 1)]",
            ),
            (
                Language::Python,
                "def merge(rows: list[list[int]]):\n    return rows\n",
                "[[0]]",
            ),
            (
                Language::Go,
                "package m\nfunc Merge(spans [][2]int) [][2]int { return spans }\n",
                "[][2]int{{0, 1}}",
            ),
            (
                Language::Java,
                "class M { static int[][] merge(int[][] spans) { return spans; } }",
                "new int[][]{{0}}",
            ),
            (
                Language::Cpp,
                "std::vector<std::pair<int, int>> merge(const std::vector<std::pair<int, int>>& spans) { return spans; }",
                "std::vector<std::pair<int, int>>{{0, 1}}",
            ),
            (
                Language::Rust,
                "fn merge(spans: &[(i64, i64)]) -> usize { spans.len() }",
                "&vec![(0, 1)]",
            ),
            (
                Language::Rust,
                "fn merge(spans: Vec<[i64; 2]>) -> usize { spans.len() }",
                "vec![[0, 1]]",
            ),
        ];
        for (language, file, expected) in cases {
            let function = functions(&Document::new(language, 0, file)).remove(0);
            let scope = SmallScope::new(language, &function, &[]).unwrap();
            let inputs = scope.inputs(50);
            assert!(
                inputs.iter().any(|input| input.input.args[0] == expected),
                "{language:?}: {expected} in {:?}",
                inputs
                    .iter()
                    .take(8)
                    .map(|i| &i.input.args[0])
                    .collect::<Vec<_>>()
            );
            assert!(
                scope.stress()[0].args[0].len() > 1_000,
                "{language:?}: a long list to time"
            );
        }
    }
}
