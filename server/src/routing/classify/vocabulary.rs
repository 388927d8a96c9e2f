//! Names that hint at a category, per language: library calls, types, and the node kinds of
//! each grammar that matter to the classifier. Compared in lowercase unless marked otherwise.

use crate::language::Language;

/// Calls and types of string handling, across the five languages' standard libraries.
pub const STRING_WORDS: &[&str] = &[
    "str",
    "string",
    "strings",
    "strconv",
    "stringbuilder",
    "stringbuffer",
    "char",
    "chars",
    "rune",
    "split",
    "join",
    "replace",
    "lower",
    "upper",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "isalpha",
    "isdigit",
    "isupper",
    "islower",
    "isspace",
    "isalnum",
    "isnumeric",
    "capitalize",
    "swapcase",
    "ord",
    "chr",
    "substring",
    "substr",
    "charat",
    "tochararray",
    "tolowercase",
    "touppercase",
    "trim",
    "to_lowercase",
    "to_uppercase",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "push_str",
    "is_alphabetic",
    "is_numeric",
    "is_alphanumeric",
    "is_ascii_digit",
    "is_ascii_alphabetic",
    "is_ascii_lowercase",
    "is_ascii_uppercase",
    "is_whitespace",
    "split_whitespace",
    "char_indices",
    "as_bytes",
    "from_utf8",
    "to_string",
    "tostring",
    "itoa",
    "atoi",
    "sprintf",
    "tolower",
    "toupper",
    "c_str",
    "hasprefix",
    "hassuffix",
    "trimspace",
    "format",
    "stoi",
    "isvowel",
    "reverse_string",
    "codepointat",
];

/// Types, constructors and calls of sequence containers.
pub const ARRAY_WORDS: &[&str] = &[
    "list",
    "vector",
    "vec",
    "arraylist",
    "linkedlist",
    "arrays",
    "array",
    "deque",
    "append",
    "extend",
    "push",
    "push_back",
    "emplace_back",
    "pop_back",
    "tolist",
    "aslist",
    "to_vec",
    "extend_from_slice",
];

/// Elementary mathematical functions and math modules.
pub const MATH_WORDS: &[&str] = &[
    "sqrt",
    "isqrt",
    "cbrt",
    "pow",
    "powi",
    "powf",
    "exp",
    "log",
    "log2",
    "log10",
    "ln",
    "abs",
    "fabs",
    "floor",
    "ceil",
    "round",
    "trunc",
    "hypot",
    "sin",
    "cos",
    "tan",
    "atan",
    "atan2",
    "factorial",
    "comb",
    "perm",
    "math",
    "cmath",
    "signum",
    "fmod",
    "pi",
    "fsum",
    "abs_diff",
    "rem_euclid",
    "div_euclid",
];

/// Substrings of names that mean number theory: primes, divisors, gcd/lcm.
pub const NUMBER_THEORY_PARTS: &[&str] = &[
    "prime", "gcd", "lcm", "divisor", "divmod", "modpow", "sieve",
];

/// Names of counters and counting calls (exact words).
pub const COUNT_WORDS: &[&str] = &[
    "count",
    "cnt",
    "counter",
    "counts",
    "freq",
    "frequency",
    "frequencies",
    "tally",
    "occurrences",
    "count_if",
    "counting",
    "bincount",
];

/// Exhaustive enumeration helpers.
pub const ENUMERATION_WORDS: &[&str] = &[
    "combinations",
    "permutations",
    "combinations_with_replacement",
    "next_permutation",
    "prev_permutation",
    "powerset",
    "subsets",
];

/// Calls whose closure argument runs once per element: a loop written as a call.
pub const ITERATING_CALLS: &[&str] = &[
    "map",
    "filter",
    "for_each",
    "foreach",
    "fold",
    "any",
    "all",
    "flat_map",
    "filter_map",
    "take_while",
    "skip_while",
    "position",
    "find",
    "max_by_key",
    "min_by_key",
    "sum_by",
    "anymatch",
    "allmatch",
    "nonematch",
    "reduce",
    "transform",
    "count_if",
    "find_if",
    "all_of",
    "any_of",
    "none_of",
    "sort_by",
    "sort_by_key",
];

/// Hash map and set types or constructors; exact spelling (case matters: Java's `Map` type is
/// not Java's `.map` call).
pub fn hash_words(language: Language) -> &'static [&'static str] {
    match language {
        Language::Python => &[
            "dict",
            "set",
            "frozenset",
            "Counter",
            "defaultdict",
            "OrderedDict",
            "Dict",
            "Set",
            "DefaultDict",
            "FrozenSet",
            "Mapping",
        ],
        Language::Java => &[
            "HashMap",
            "HashSet",
            "Map",
            "Set",
            "TreeMap",
            "TreeSet",
            "LinkedHashMap",
            "LinkedHashSet",
            "Hashtable",
            "EnumMap",
            "ConcurrentHashMap",
            "groupingBy",
            "toMap",
            "toSet",
        ],
        Language::Cpp => &[
            "unordered_map",
            "unordered_set",
            "map",
            "set",
            "multimap",
            "multiset",
            "unordered_multimap",
            "unordered_multiset",
        ],
        // Go's maps are a type constructor (`map[K]V`), recognised by node kind.
        Language::Go => &[],
        Language::Rust => &[
            "HashMap",
            "HashSet",
            "BTreeMap",
            "BTreeSet",
            "IndexMap",
            "IndexSet",
            "FxHashMap",
            "FxHashSet",
        ],
    }
}

/// Only type positions count in C++, where `set` and `map` are also common member names.
pub fn hash_words_in_types_only(language: Language) -> bool {
    language == Language::Cpp
}

/// Numeric scalar types, for telling a purely numeric signature.
pub const NUMERIC_TYPES: &[&str] = &[
    "int",
    "float",
    "long",
    "double",
    "short",
    "unsigned",
    "signed",
    "size_t",
    "integer",
    "number",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "bigint",
    "biginteger",
    "int64_t",
    "int32_t",
    "uint64_t",
    "uint32_t",
];

/// Node kinds, named after what they are for the classifier.
pub mod kinds {
    /// Statement loops whose body runs per element or per step.
    pub const FOR_LOOPS: &[&str] = &[
        "for_statement",
        "enhanced_for_statement",
        "for_range_loop",
        "for_expression",
    ];
    /// Loops that run until a condition changes: the shape of a simulation.
    pub const CONDITION_LOOPS: &[&str] = &[
        "while_statement",
        "do_statement",
        "while_expression",
        "loop_expression",
    ];
    pub const COMPREHENSIONS: &[&str] = &[
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
        "generator_expression",
    ];
    pub const CALLS: &[&str] = &[
        "call",
        "call_expression",
        "method_invocation",
        "macro_invocation",
    ];
    pub const CLOSURES: &[&str] = &[
        "lambda",
        "lambda_expression",
        "closure_expression",
        "func_literal",
    ];
    pub const BINARY: &[&str] = &["binary_operator", "binary_expression"];
    pub const COMPARISONS: &[&str] = &["comparison_operator", "binary_expression"];
    /// Assignments, plain or compound (`=`, `+=`, ...).
    pub const ASSIGNMENTS: &[&str] = &[
        "assignment",
        "augmented_assignment",
        "assignment_expression",
        "assignment_statement",
        "compound_assignment_expr",
    ];
    /// `x++`, `++x`.
    pub const INCREMENTS: &[&str] = &["update_expression", "inc_statement"];
    /// `a[i]` in each grammar.
    pub const INDEXING: &[&str] = &[
        "subscript",
        "array_access",
        "subscript_expression",
        "index_expression",
    ];
    pub const BRANCHES: &[&str] = &[
        "if_statement",
        "if_expression",
        "match_expression",
        "match_statement",
        "switch_statement",
        "switch_expression",
        "expression_switch_statement",
        "conditional_expression",
        "ternary_expression",
    ];
    pub const IFS: &[&str] = &["if_statement", "if_expression"];
    /// Literal values a branch can dispatch on.
    pub const LITERALS: &[&str] = &[
        "string",
        "string_literal",
        "interpreted_string_literal",
        "raw_string_literal",
        "char_literal",
        "character_literal",
        "rune_literal",
        "integer",
        "integer_literal",
        "int_literal",
        "number_literal",
        "decimal_integer_literal",
    ];
    pub const STRING_LITERALS: &[&str] = &[
        "string",
        "string_literal",
        "interpreted_string_literal",
        "raw_string_literal",
        "concatenated_string",
        "char_literal",
        "character_literal",
        "rune_literal",
    ];
    /// Sequence literals and types.
    pub const ARRAY_NODES: &[&str] = &[
        "list",
        "list_comprehension",
        "array_type",
        "slice_type",
        "array_creation_expression",
        "array_initializer",
        "array_expression",
        "implicit_length_array_type",
    ];
    /// Map and set literals and types.
    pub const HASH_NODES: &[&str] = &[
        "dictionary",
        "set",
        "dictionary_comprehension",
        "set_comprehension",
        "map_type",
    ];
    /// Leaves that carry a name: variables, functions, fields, types, packages.
    pub const NAMES: &[&str] = &[
        "identifier",
        "type_identifier",
        "field_identifier",
        "property_identifier",
        "package_identifier",
        "namespace_identifier",
        "primitive_type",
        "integral_type",
        "floating_point_type",
        "shorthand_field_identifier",
    ];
}
