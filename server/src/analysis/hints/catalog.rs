//! Every hint perforch reports: its stable id, the pattern it matches and
//! what that pattern costs. `docs/hints.md` documents the same list (a test
//! keeps the two in step).

use crate::language::Language;

/// One kind of hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HintInfo {
    /// Stable identifier, `<lang>-<pattern>`, e.g. `py-list-membership-in-loop`.
    pub id: &'static str,
    pub language: Language,
    /// The code it matches, in a few words.
    pub pattern: &'static str,
    /// What the pattern costs, and the usual remedy.
    pub cost: &'static str,
}

/// The catalog entry for `id`.
pub fn info(id: &str) -> Option<&'static HintInfo> {
    CATALOG.iter().find(|info| info.id == id)
}

macro_rules! catalog {
    ($($id:literal, $lang:ident, $pattern:literal, $cost:literal;)*) => {
        /// All hints, grouped by language.
        pub const CATALOG: &[HintInfo] = &[
            $(HintInfo { id: $id, language: Language::$lang, pattern: $pattern, cost: $cost },)*
        ];
    };
}

catalog! {
    // Python
    "py-list-membership-in-loop", Python,
        "`x in items` on a list, inside a loop",
        "each test scans the list: O(n) per test, O(n·m) per loop; a set answers in O(1)";
    "py-list-scan-in-loop", Python,
        "`items.count(x)` or `items.index(x)` on a list, inside a loop",
        "each call scans the list: O(n·m) per loop; count once with collections.Counter, or map values to positions in a dict";
    "py-str-concat-in-loop", Python,
        "`s += part`, `s = s + part` or `s = part + s` on a string that outlives the iteration",
        "each step may copy the whole string: O(n²) in all (CPython avoids the copy only in some cases, see PEP 8); collect the parts and ''.join them once";
    "py-list-concat-in-loop", Python,
        "`items = items + [x]` inside a loop",
        "builds a new list and copies every element on each iteration: O(n²); items.append(x) or items += [...] extend in place";
    "py-sort-in-loop", Python,
        "`items.sort()` or `sorted(items)` inside a loop, on a list that outlives the iteration",
        "O(n log n) on every iteration; sort once after the loop, hoist a loop-invariant sort, or keep the list ordered with bisect.insort or heapq";
    "py-sorted-for-min-max", Python,
        "`sorted(items)[0]` or `sorted(items)[-1]`",
        "copies and sorts everything, O(n log n), to take one element; min() or max() is O(n)";
    "py-nested-loop-same-collection", Python,
        "a loop over `items` nested in a loop over `items` that compares elements with `==`",
        "compares all n² pairs; grouping or indexing by key in a dict or set finds equal elements in O(n)";
    "py-repeated-key-lookup", Python,
        "`if key in table:` then an update of `table[key]` (`+= 1`, `= ...`, `.append(...)`), inside a loop",
        "two or three hash lookups per iteration for one update; collections.Counter, defaultdict or setdefault do it in one";
    "py-list-pop-front", Python,
        "`items.pop(0)` or `items.insert(0, x)` on a list, inside a loop",
        "shifts every element: O(n) per call, O(n²) for a queue; collections.deque has O(1) popleft and appendleft";
    "py-sum-list-concat", Python,
        "`sum(lists, [])`",
        "concatenates pairwise, copying the growing result at every step: O(n²); itertools.chain.from_iterable or a comprehension is O(n)";

    // Java
    "java-string-concat-in-loop", Java,
        "`s += x` or `s = s + x` on a String that outlives the iteration",
        "creates a new String and copies all of it on every iteration: O(n²); append to a StringBuilder";
    "java-boxing-in-loop", Java,
        "arithmetic on a boxed `Integer`, `Long`, `Double`... variable inside a loop",
        "unboxes, computes and allocates a new box on every iteration; declare the primitive type";
    "java-list-contains-in-loop", Java,
        "`list.contains(x)`, `indexOf` or `lastIndexOf` on a List, inside a loop",
        "each call scans the list: O(n·m) per loop; a HashSet (or a HashMap to positions) answers in O(1)";
    "java-list-remove-front-in-loop", Java,
        "`list.remove(0)` or `list.add(0, x)` on an ArrayList, inside a loop",
        "shifts every element: O(n) per call; ArrayDeque has O(1) pollFirst and addFirst";
    "java-linkedlist-get-in-loop", Java,
        "`list.get(i)` on a LinkedList, inside a loop",
        "walks the list from one end: O(n) per call, O(n²) per loop; iterate with for-each or an iterator, or use an ArrayList";
    "java-regex-in-loop", Java,
        "`Pattern.compile`, `Pattern.matches` or `String.matches`/`replaceAll`/`replaceFirst`/`split` with a regular expression, inside a loop",
        "compiles the regular expression on every iteration; compile a `static final Pattern` once and reuse it";
    "java-sort-in-loop", Java,
        "`Collections.sort(list)`, `list.sort(...)` or `Arrays.sort(a)` inside a loop, on a collection that outlives the iteration",
        "O(n log n) on every iteration; sort once after the loop, or keep the elements ordered in a PriorityQueue or TreeMap";
    "java-nested-loop-same-collection", Java,
        "a loop over a collection nested in a loop over the same collection that compares elements for equality",
        "compares all n² pairs; a HashMap or HashSet keyed by the compared value finds equal elements in O(n)";
    "java-repeated-key-lookup", Java,
        "`if (map.containsKey(k))` followed by `map.get(k)` or `map.put(k, ...)`, inside a loop",
        "hashes and looks up the key twice; get with a null check, getOrDefault, merge or computeIfAbsent do it once";

    // C++
    "cpp-container-by-value", Cpp,
        "a `std::vector`, `std::string`, `std::map`, `std::set`... parameter taken by value and only read",
        "copies the whole container (allocation and O(n) copying) on every call; take it by `const&`";
    "cpp-push-back-without-reserve", Cpp,
        "`v.push_back(x)` on every iteration of a counted loop, on a vector that was not reserved",
        "the vector reallocates about log2(n) times, moving every element each time; call `v.reserve(n)` before the loop";
    "cpp-endl-in-loop", Cpp,
        "`std::endl` inside a loop",
        "flushes the stream on every iteration (a system call for files and pipes); write '\\n' and let the stream buffer";
    "cpp-string-concat-in-loop", Cpp,
        "`s = s + x` on a std::string that outlives the iteration",
        "builds a temporary string and copies all of `s` on every iteration: O(n²); `s += x` appends in place";
    "cpp-regex-in-loop", Cpp,
        "constructing a `std::regex` inside a loop",
        "compiles the pattern on every iteration, which is slow in every standard library; construct it once (e.g. `static const std::regex`)";
    "cpp-linear-search-in-loop", Cpp,
        "`std::find` or `std::count` over a whole container, inside a loop",
        "each call scans the container: O(n·m) per loop; an std::unordered_set, or sort once and binary_search, is O(1) or O(log n)";
    "cpp-sort-in-loop", Cpp,
        "`std::sort` of a container that outlives the iteration, inside a loop",
        "O(n log n) on every iteration; sort once after the loop, or keep the elements ordered in a std::set or priority_queue";
    "cpp-repeated-key-lookup", Cpp,
        "`if (m.count(k))`, `m.contains(k)` or `m.find(k) != m.end()` followed by `m[k]` or `m.at(k)`, inside a loop",
        "looks the key up twice; keep the iterator `find` returns, or use `try_emplace`/`insert`, which report whether the key was there";
    "cpp-vector-erase-front-in-loop", Cpp,
        "`v.erase(v.begin())` or `v.insert(v.begin(), x)` on a vector, inside a loop",
        "shifts every element: O(n) per call, O(n²) for a queue; std::deque has O(1) pop_front and push_front";
    "cpp-strlen-in-loop-condition", Cpp,
        "`strlen(s)` in a loop condition",
        "rescans the whole string on every iteration: O(n²) for a loop over it; compute the length once before the loop";
    "cpp-nested-loop-same-collection", Cpp,
        "a loop over a container nested in a loop over the same container that compares elements with `==`",
        "compares all n² pairs; an unordered_map or unordered_set keyed by the compared value finds equal elements in O(n)";

    // Go
    "go-append-without-prealloc", Go,
        "`s = append(s, x)` on every iteration of a loop of known length, on a slice made without capacity",
        "the slice is reallocated and copied about log2(n) times as it grows; allocate it once with `make([]T, 0, n)`";
    "go-string-concat-in-loop", Go,
        "`s += x` or `s = s + x` on a string that outlives the iteration",
        "copies the whole string on every iteration: O(n²); build it with a strings.Builder";
    "go-regexp-compile-in-loop", Go,
        "`regexp.MustCompile`, `regexp.Compile` or `regexp.MatchString` with a constant pattern, inside a loop",
        "compiles the pattern on every iteration (the regexp package does not cache); compile once, e.g. in a package-level var";
    "go-defer-in-loop", Go,
        "`defer` on every iteration of a loop (a statement of its body, not under an `if`)",
        "deferred calls run only when the function returns: one record per iteration (O(n) memory) and every resource held until then; move the body into a function or release explicitly";
    "go-sprintf-in-loop", Go,
        "`fmt.Sprintf(\"%d\", n)` or `fmt.Sprintf(\"%s\", s)` inside a loop",
        "parses the format and boxes the argument into an interface on every call; strconv.Itoa, or the string (or its String method) itself";
    "go-sort-in-loop", Go,
        "`sort.Ints`, `sort.Strings`, `sort.Slice`, `slices.Sort`... inside a loop, on a slice that outlives the iteration",
        "O(n log n) on every iteration; sort once after the loop, or keep the slice ordered (binary search and insert, or container/heap)";
    "go-slice-contains-in-loop", Go,
        "`slices.Contains(s, x)` or `slices.Index(s, x)` inside a loop",
        "each call scans the slice: O(n·m) per loop; a `map[T]struct{}` set answers in O(1)";
    "go-repeated-key-lookup", Go,
        "`if _, ok := m[k]; ok { ... m[k] ... }` inside a loop",
        "looks the key up twice; `v, ok := m[k]` keeps the value from the first lookup";
    "go-nested-loop-same-collection", Go,
        "a loop over a slice nested in a loop over the same slice that compares elements with `==`",
        "compares all n² pairs; a map keyed by the compared value finds equal elements in O(n)";

    // Rust
    "rust-clone-in-loop", Rust,
        "`v.clone()` of a Vec, String or map inside a loop, only to borrow it (`&v.clone()`, `v.clone().len()`)",
        "allocates and copies the whole collection on every iteration for a borrow; borrow `v` itself";
    "rust-format-in-loop", Rust,
        "`s.push_str(&format!(..))`, `s += &format!(..)` or `s = format!(\"{s}..\")` inside a loop",
        "allocates a temporary String on every iteration (the last form also copies all of `s`: O(n²)); `write!(s, ..)` appends in place";
    "rust-collect-then-len", Rust,
        "`.collect::<Vec<_>>().len()` or `.is_empty()`",
        "allocates and fills a Vec only to count it; `.count()` counts without allocating (`.next().is_none()` for emptiness)";
    "rust-vec-contains-in-loop", Rust,
        "`v.contains(&x)` on a Vec or slice, inside a loop",
        "each call scans the vector: O(n·m) per loop; a HashSet answers in O(1)";
    "rust-sort-in-loop", Rust,
        "`v.sort()`, `sort_unstable`, `sort_by`... inside a loop, on a Vec that outlives the iteration",
        "O(n log n) on every iteration; sort once after the loop, or keep it ordered (BinaryHeap, BTreeSet, or binary_search + insert)";
    "rust-regex-in-loop", Rust,
        "`Regex::new(\"...\")` inside a loop",
        "compiles the regex on every iteration; build it once, before the loop or in a LazyLock";
    "rust-push-without-capacity", Rust,
        "`v.push(x)` on every iteration of a loop of known length, on a `Vec::new()` or `vec![]`",
        "the vector reallocates about log2(n) times as it grows; `Vec::with_capacity(n)` (or collecting an iterator) allocates once";
    "rust-vec-remove-front-in-loop", Rust,
        "`v.remove(0)` or `v.insert(0, x)` on a Vec or String, inside a loop",
        "shifts every element: O(n) per call, O(n²) for a queue; VecDeque has O(1) pop_front and push_front";
    "rust-repeated-key-lookup", Rust,
        "`if map.contains_key(&k)` followed by `map.get(&k)`, `get_mut`, `map[&k]` or `insert(k, ..)`, inside a loop",
        "hashes and looks up the key twice; `if let Some(v) = map.get_mut(&k)` or the entry API do it once";
    "rust-nested-loop-same-collection", Rust,
        "a loop over a collection nested in a loop over the same collection that compares elements with `==`",
        "compares all n² pairs; a HashMap or HashSet keyed by the compared value finds equal elements in O(n)";
}
