//! `routing::classify` on real functions in each of the five languages: the categories a user
//! would expect PerfOrch's routing to key on.

use perforch::language::Language;
use perforch::routing::{Category, classify, extract_features};

use Category::*;

#[track_caller]
fn check(language: Language, source: &str, expected: &[Category], absent: &[Category]) {
    let categories = classify(language, source);
    let explain = || {
        format!(
            "{language}: got {categories:?}\nfeatures: {:#?}\n{source}",
            extract_features(language, source)
        )
    };
    for category in expected {
        assert!(
            categories.contains(category),
            "missing {category}; {}",
            explain()
        );
    }
    for category in absent {
        assert!(
            !categories.contains(category),
            "unexpected {category}; {}",
            explain()
        );
    }
    let mut sorted = categories.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted, categories,
        "classify returns sorted, unique categories"
    );
}

mod python {
    use super::*;
    const L: Language = Language::Python;

    #[test]
    fn sorting() {
        check(
            L,
            r#"def median(values: list[float]) -> float:
    """Return the median of values."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
"#,
            &[Sorting, Array],
            &[String, HashTable, Simulation],
        );
    }

    #[test]
    fn dict_counter() {
        check(
            L,
            r#"def most_common_word(text):
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return max(counts, key=counts.get)
"#,
            &[Counting, HashTable, String],
            &[Sorting, NumberTheory],
        );
    }

    #[test]
    fn modular_arithmetic() {
        check(
            L,
            r#"def power_mod(base: int, exponent: int, modulus: int) -> int:
    result = 1
    base %= modulus
    while exponent > 0:
        if exponent & 1:
            result = result * base % modulus
        base = base * base % modulus
        exponent >>= 1
    return result
"#,
            &[Math, NumberTheory],
            &[String, Array, HashTable, Sorting],
        );
    }

    #[test]
    fn string_builder() {
        check(
            L,
            r#"def shout(words: list[str]) -> str:
    parts = []
    for word in words:
        parts.append(word.upper() + "!")
    return " ".join(parts)
"#,
            &[String],
            &[Sorting, NumberTheory, HashTable, Counting, Math],
        );
    }

    #[test]
    fn manual_sort_and_pairs() {
        check(
            L,
            r#"def bubble(xs):
    n = len(xs)
    for i in range(n):
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
    return xs
"#,
            &[Sorting, Enumeration],
            &[String, HashTable],
        );
    }

    #[test]
    fn collatz_simulation() {
        check(
            L,
            r#"def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps
"#,
            &[Simulation, NumberTheory, Math, Counting],
            &[String, Sorting, HashTable],
        );
    }

    #[test]
    fn running_best_is_greedy() {
        check(
            L,
            r#"def max_profit(prices: list[int]) -> int:
    best, lowest = 0, prices[0]
    for price in prices:
        lowest = min(lowest, price)
        best = max(best, price - lowest)
    return best
"#,
            &[Greedy, Array],
            &[String, HashTable, Sorting],
        );
    }
}

mod java {
    use super::*;
    const L: Language = Language::Java;

    #[test]
    fn sorting() {
        check(
            L,
            r#"public static List<String> byLength(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        copy.sort(Comparator.comparing(String::length));
        return copy;
    }"#,
            &[Sorting, Array],
            &[HashTable, NumberTheory, Simulation],
        );
    }

    #[test]
    fn dict_counter() {
        check(
            L,
            r#"static Map<Character, Integer> letterCounts(String text) {
        Map<Character, Integer> counts = new HashMap<>();
        for (char c : text.toCharArray()) {
            counts.put(c, counts.getOrDefault(c, 0) + 1);
        }
        return counts;
    }"#,
            &[Counting, HashTable, String],
            &[Sorting, NumberTheory],
        );
    }

    #[test]
    fn modular_arithmetic() {
        check(
            L,
            r#"static int digitSum(int n) {
        int sum = 0;
        while (n > 0) {
            sum += n % 10;
            n /= 10;
        }
        return sum;
    }"#,
            &[Math, NumberTheory],
            &[String, Array, HashTable, Sorting],
        );
    }

    #[test]
    fn string_builder() {
        check(
            L,
            r#"public String repeatWithDashes(String word, int times) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < times; i++) {
            if (i > 0) {
                out.append('-');
            }
            out.append(word);
        }
        return out.toString();
    }"#,
            &[String],
            &[Sorting, NumberTheory, HashTable, Counting, Enumeration],
        );
    }

    #[test]
    fn pairs_are_enumeration() {
        check(
            L,
            r#"int countPairs(int[] nums, int target) {
        int pairs = 0;
        for (int i = 0; i < nums.length; i++) {
            for (int j = i + 1; j < nums.length; j++) {
                if (nums[i] + nums[j] == target) {
                    pairs++;
                }
            }
        }
        return pairs;
    }"#,
            &[Enumeration, Counting, Array],
            &[String, HashTable, Sorting],
        );
    }
}

mod cpp {
    use super::*;
    const L: Language = Language::Cpp;

    #[test]
    fn sorting() {
        check(
            L,
            r#"std::vector<int> top_k(std::vector<int> values, std::size_t k) {
    std::sort(values.begin(), values.end(), std::greater<int>());
    values.resize(std::min(k, values.size()));
    return values;
}"#,
            &[Sorting, Array],
            &[String, HashTable, NumberTheory],
        );
    }

    #[test]
    fn dict_counter() {
        check(
            L,
            r#"int most_frequent(const std::vector<int>& xs) {
    std::unordered_map<int, int> seen;
    int best = xs.front();
    for (int x : xs) {
        if (++seen[x] > seen[best]) {
            best = x;
        }
    }
    return best;
}"#,
            &[Counting, HashTable, Array],
            &[String, Sorting, NumberTheory],
        );
    }

    #[test]
    fn modular_arithmetic() {
        check(
            L,
            r#"long long gcd_of(long long a, long long b) {
    while (b != 0) {
        long long r = a % b;
        a = b;
        b = r;
    }
    return a;
}"#,
            &[Math, NumberTheory],
            &[String, Array, HashTable, Sorting],
        );
    }

    #[test]
    fn string_builder() {
        check(
            L,
            r#"std::string join_words(const std::vector<std::string>& words, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += sep;
        out += words[i];
    }
    return out;
}"#,
            &[String],
            &[Sorting, NumberTheory, HashTable, Counting],
        );
    }

    #[test]
    fn manual_sort() {
        check(
            L,
            r#"void selection_sort(int* a, int n) {
    for (int i = 0; i < n; ++i) {
        int smallest = i;
        for (int j = i + 1; j < n; ++j) {
            if (a[j] < a[smallest]) smallest = j;
        }
        std::swap(a[i], a[smallest]);
    }
}"#,
            &[Sorting, Enumeration],
            &[String, HashTable, Counting],
        );
    }
}

mod go {
    use super::*;
    const L: Language = Language::Go;

    #[test]
    fn sorting() {
        check(
            L,
            r#"func SortedCopy(xs []int) []int {
	out := make([]int, len(xs))
	copy(out, xs)
	sort.Ints(out)
	return out
}"#,
            &[Sorting, Array],
            &[String, HashTable, NumberTheory],
        );
    }

    #[test]
    fn dict_counter() {
        check(
            L,
            r#"func WordCounts(text string) map[string]int {
	counts := make(map[string]int)
	for _, word := range strings.Fields(text) {
		counts[word]++
	}
	return counts
}"#,
            &[Counting, HashTable, String],
            &[Sorting, NumberTheory],
        );
    }

    #[test]
    fn modular_arithmetic() {
        check(
            L,
            r#"func IsPrime(n int) bool {
	if n < 2 {
		return false
	}
	for i := 2; i*i <= n; i++ {
		if n%i == 0 {
			return false
		}
	}
	return true
}"#,
            &[Math, NumberTheory],
            &[String, Array, HashTable, Sorting],
        );
    }

    #[test]
    fn string_builder() {
        check(
            L,
            r#"func Initials(names []string) string {
	var b strings.Builder
	for _, name := range names {
		if len(name) > 0 {
			b.WriteByte(name[0])
			b.WriteString(".")
		}
	}
	return b.String()
}"#,
            &[String],
            &[Sorting, NumberTheory, HashTable, Counting],
        );
    }

    #[test]
    fn step_simulation() {
        check(
            L,
            r#"func Josephus(n, k int) int {
	alive := make([]bool, n)
	for i := range alive {
		alive[i] = true
	}
	left, pos := n, 0
	for left > 1 {
		count := 0
		for count < k {
			if alive[pos] {
				count++
			}
			if count < k {
				pos = (pos + 1) % n
			}
		}
		alive[pos] = false
		left--
	}
	for i, a := range alive {
		if a {
			return i
		}
	}
	return -1
}"#,
            &[Simulation, Array],
            &[String, Sorting, HashTable],
        );
    }
}

mod rust {
    use super::*;
    const L: Language = Language::Rust;

    #[test]
    fn sorting() {
        check(
            L,
            r#"pub fn by_score(mut players: Vec<(String, u32)>) -> Vec<(String, u32)> {
    players.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    players
}"#,
            &[Sorting, Array],
            &[HashTable, NumberTheory, Simulation],
        );
    }

    #[test]
    fn dict_counter() {
        check(
            L,
            r#"fn char_histogram(text: &str) -> HashMap<char, usize> {
    let mut counts = HashMap::new();
    for c in text.chars() {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}"#,
            &[Counting, HashTable, String],
            &[Sorting, NumberTheory],
        );
    }

    #[test]
    fn modular_arithmetic() {
        check(
            L,
            r#"fn lcm(a: u64, b: u64) -> u64 {
    fn gcd(mut a: u64, mut b: u64) -> u64 {
        while b != 0 {
            let t = a % b;
            a = b;
            b = t;
        }
        a
    }
    a / gcd(a, b) * b
}"#,
            &[Math, NumberTheory],
            &[String, Array, HashTable, Sorting],
        );
    }

    #[test]
    fn string_builder() {
        check(
            L,
            r#"fn kebab_case(words: &[&str]) -> String {
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}"#,
            &[String],
            &[Sorting, NumberTheory, HashTable, Counting, Math],
        );
    }

    #[test]
    fn iterator_pairs_and_running_max() {
        check(
            L,
            r#"fn best_pair_sum(xs: &[i64]) -> i64 {
    let mut best = i64::MIN;
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            best = best.max(xs[i] + xs[j]);
        }
    }
    best
}"#,
            &[Enumeration, Greedy, Array],
            &[String, HashTable, Sorting],
        );
    }
}

/// The rules say nothing about a function with no telling structure.
#[test]
fn a_trivial_function_has_no_category() {
    assert_eq!(
        classify(Language::Rust, "fn id(x: bool) -> bool { x }"),
        Vec::<Category>::new()
    );
    assert_eq!(
        classify(Language::Python, "def noop():\n    pass\n"),
        Vec::<Category>::new()
    );
}

/// Unparseable text must not panic; it yields whatever little it shows.
#[test]
fn broken_source_does_not_panic() {
    for language in Language::ALL {
        let _ = classify(language, "}}}{{{ ((( sort( %% \"");
        let _ = classify(language, "");
        let deep = format!("fn f() -> i32 {{ {} 1 }}", "1 + ".repeat(5000));
        let _ = classify(language, &deep);
    }
}
