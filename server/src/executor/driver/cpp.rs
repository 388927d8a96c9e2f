//! C++ differential driver. Arguments are declared with the parameter
//! types of the original's signature (so `{1, 2, 3}` initialises a
//! `vector<int>`) and passed as lvalues, so reference parameters can be
//! mutated and observed.

use super::signature::{c_style_param_types, find};
use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
#include <bits/stdc++.h>
#include <cxxabi.h>
#include <time.h>
namespace perforch_rt {
inline long long now_ns() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
inline std::string esc(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) { char buf[8]; snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
                else out += (char)c;
        }
    }
    return out + "\"";
}
template <class T> struct is_seq : std::false_type {};
template <class T, class A> struct is_seq<std::vector<T, A>> : std::true_type {};
template <class T, class A> struct is_seq<std::list<T, A>> : std::true_type {};
template <class T, class A> struct is_seq<std::deque<T, A>> : std::true_type {};
template <class T, size_t N> struct is_seq<std::array<T, N>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class K, class V, class C, class A> struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A> struct is_map<std::unordered_map<K, V, H, E, A>> : std::true_type {};
template <class T> struct is_set : std::false_type {};
template <class K, class C, class A> struct is_set<std::set<K, C, A>> : std::true_type {};
template <class K, class C, class A> struct is_set<std::multiset<K, C, A>> : std::true_type {};
template <class K, class H, class E, class A> struct is_set<std::unordered_set<K, H, E, A>> : std::true_type {};
template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T> struct is_tuple : std::false_type {};
template <class... T> struct is_tuple<std::tuple<T...>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

template <class T> std::string ser(const T& v);

inline std::string sorted_join(std::vector<std::string> items, const char* tag) {
    std::sort(items.begin(), items.end());
    std::string out = std::string("{\"") + tag + "\":[";
    for (size_t i = 0; i < items.size(); ++i) { if (i) out += ","; out += items[i]; }
    return out + "]}";
}

template <class T> std::string ser(const T& v) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
        return v ? "true" : "false";
    } else if constexpr (std::is_same_v<D, char>) {
        return esc(std::string(1, v));
    } else if constexpr (std::is_integral_v<D>) {
        return "{\"i\":\"" + std::to_string(v) + "\"}";
    } else if constexpr (std::is_floating_point_v<D>) {
        if (std::isnan(v)) return "{\"f\":\"nan\"}";
        if (std::isinf(v)) return v > 0 ? "{\"f\":\"inf\"}" : "{\"f\":\"-inf\"}";
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", (double)v);
        return std::string("{\"f\":\"") + buf + "\"}";
    } else if constexpr (std::is_same_v<D, std::string>) {
        return esc(v);
    } else if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>) {
        return v ? esc(std::string(v)) : "null";
    } else if constexpr (is_seq<D>::value) {
        std::string out = "[";
        bool first = true;
        for (const auto& x : v) { if (!first) out += ","; first = false; out += ser(x); }
        return out + "]";
    } else if constexpr (is_map<D>::value) {
        std::vector<std::string> items;
        for (const auto& kv : v) items.push_back("[" + ser(kv.first) + "," + ser(kv.second) + "]");
        return sorted_join(items, "m");
    } else if constexpr (is_set<D>::value) {
        std::vector<std::string> items;
        for (const auto& x : v) items.push_back(ser(x));
        return sorted_join(items, "s");
    } else if constexpr (is_pair<D>::value) {
        return "{\"t\":[" + ser(v.first) + "," + ser(v.second) + "]}";
    } else if constexpr (is_tuple<D>::value) {
        std::string out = "{\"t\":[";
        bool first = true;
        std::apply([&](const auto&... xs) { ((out += (first ? "" : ","), out += ser(xs), first = false), ...); }, v);
        return out + "]}";
    } else if constexpr (is_optional<D>::value) {
        return v ? ser(*v) : "null";
    } else {
        return "{\"o\":" + esc(typeid(D).name()) + "}";
    }
}
inline std::string exception_kind(const std::type_info& type) {
    int status = 0;
    char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : type.name();
    free(name);
    return out;
}
template <class T> inline void keep(T& value) { asm volatile("" : : "r"(&value) : "memory"); }
inline void emit(int index, const char* tag, long long ns, const std::string& result, const std::string& exc, const std::string& args) {
    std::string line = std::string(PERFORCH_PREFIX) + "{\"call\":" + std::to_string(index) + ",\"impl\":\"" + tag + "\",\"ns\":" + std::to_string(ns);
    if (!exc.empty()) line += ",\"exc\":" + esc(exc);
    else line += ",\"result\":" + result;
    line += ",\"args\":" + args + "}\n";
    fputs(line.c_str(), stdout);
}
}  // namespace perforch_rt
"#;

/// The type to declare an argument variable with: references dropped (the
/// variable is the referent) and `const` dropped (it is a fresh copy).
fn declared_type(param_type: &str) -> String {
    let mut ty = param_type.trim().trim_end_matches('&').trim().to_string();
    if let Some(rest) = ty.strip_prefix("const ") {
        ty = rest.trim().to_string();
    }
    if let Some(rest) = ty.strip_suffix(" const") {
        ty = rest.trim().to_string();
    }
    if ty.is_empty() {
        "auto".to_string()
    } else {
        ty
    }
}

fn case_function(
    function: &str,
    tag: &str,
    index: usize,
    types: &[String],
    args: &[String],
    repeats: u32,
) -> String {
    let declarations: String = types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, expr))| {
            let ty = declared_type(ty);
            format!("        {ty} a{i} = {expr};\n")
        })
        .collect();
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let call_args = names.join(", ");
    let ser_args: Vec<String> = names
        .iter()
        .map(|n| format!("perforch_rt::ser({n})"))
        .collect();
    let args_json = if ser_args.is_empty() {
        "std::string(\"[]\")".to_string()
    } else {
        format!("\"[\" + {} + \"]\"", ser_args.join(" + \",\" + "))
    };
    format!(
        r#"static void perforch_case_{tag}_{index}() {{
    long long total = 0;
    std::string first_result, first_exc, first_args;
    for (int r = 0; r < {repeats}; ++r) {{
{declarations}        std::string result, exc;
        long long t0 = perforch_rt::now_ns(), t1 = 0;
        try {{
            if constexpr (std::is_void_v<decltype({function}({call_args}))>) {{
                {function}({call_args});
                t1 = perforch_rt::now_ns();
                result = "null";
            }} else {{
                auto value = {function}({call_args});
                t1 = perforch_rt::now_ns();
                perforch_rt::keep(value);
                if (r == 0) result = perforch_rt::ser(value);
            }}
        }} catch (const std::exception& e) {{
            t1 = perforch_rt::now_ns();
            exc = perforch_rt::exception_kind(typeid(e));
        }} catch (...) {{
            t1 = perforch_rt::now_ns();
            exc = "unknown";
        }}
        total += t1 - t0;
        if (r == 0) {{ first_result = result; first_exc = exc; first_args = {args_json}; }}
    }}
    perforch_rt::emit({index}, "{tag}", total / {repeats}, first_result, first_exc, first_args);
}}
"#
    )
}

pub fn generate(spec: &DiffSpec) -> Result<SourceProgram, DriverError> {
    let name = &spec.function;
    let signature =
        find(&spec.original, name).ok_or_else(|| DriverError::FunctionNotFound(name.clone()))?;
    if find(&spec.candidate, name).is_none() {
        return Err(DriverError::FunctionNotFound(name.clone()));
    }
    let types = c_style_param_types(&signature.params);
    let candidate = candidate_name(name);
    let repeats = spec.repeats.max(1);
    let mut out = format!("#define PERFORCH_PREFIX {:?}\n", LINE_PREFIX);
    out.push_str(RUNTIME);
    out.push_str(&spec.prelude);
    out.push('\n');
    out.push_str(&spec.original);
    out.push('\n');
    out.push_str(&rename_identifier(&spec.candidate, name, &candidate));
    // Only the input expressions get `std` unqualified: the candidate must
    // compile in exactly the environment of the user's file, or it would
    // pass here and break there.
    out.push_str("\nusing namespace std;\n");
    let mut main_body = String::new();
    for (index, args) in spec.inputs.iter().enumerate() {
        // Fewer declared types than arguments (variadics): fall back to auto.
        let mut arg_types = types.clone();
        arg_types.resize(args.len(), String::new());
        out.push_str(&case_function(name, "o", index, &arg_types, args, repeats));
        out.push_str(&case_function(
            &candidate, "c", index, &arg_types, args, repeats,
        ));
        main_body.push_str(&format!(
            "    if (cf && c) perforch_case_c_{index}();\n    if (o) perforch_case_o_{index}();\n    if (!cf && c) perforch_case_c_{index}();\n    fflush(stdout);\n"
        ));
    }
    out.push_str(&format!(
        "int main(int argc, char** argv) {{\n    std::string mode = argc > 1 ? argv[1] : \"oc\";\n    bool o = mode.find('o') != std::string::npos, c = mode.find('c') != std::string::npos;\n    bool cf = !mode.empty() && mode[0] == 'c';\n    (void)o; (void)c; (void)cf;\n{main_body}    fflush(stdout);\n    return 0;\n}}\n"
    ));
    Ok(SourceProgram::single(
        Language::Cpp,
        ProgramKind::Executable,
        out,
    ))
}
