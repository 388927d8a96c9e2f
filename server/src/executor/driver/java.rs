//! Java differential driver. The method lives in a class; the candidate's
//! class is renamed `perforch_candidate_CLASS`. Static methods are called on
//! the class; instance methods on the object the input's first expression
//! builds (the class renamed in it on the candidate's side), whose fields
//! are printed after the call, and which is then called once more with the
//! next input's arguments.

use super::signature::{c_style_param_types, find};
use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
    static String esc(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
            }
        }
        return out.append('"').toString();
    }
    static String floatText(double d) {
        if (Double.isNaN(d)) return "{\"f\":\"nan\"}";
        if (Double.isInfinite(d)) return d > 0 ? "{\"f\":\"inf\"}" : "{\"f\":\"-inf\"}";
        return "{\"f\":\"" + Double.toString(d) + "\"}";
    }
    static String sortedJoin(java.util.List<String> items, String tag) {
        java.util.Collections.sort(items);
        return "{\"" + tag + "\":[" + String.join(",", items) + "]}";
    }
    static String ser(Object v) { return ser(v, 0); }
    static String ser(Object v, int depth) {
        if (v == null) return "null";
        if (depth > 12) return "{\"o\":" + esc(v.getClass().getSimpleName()) + "}";
        if (v instanceof Boolean) return v.toString();
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof java.math.BigInteger) return "{\"i\":\"" + v + "\"}";
        if (v instanceof Float) {
            float f = (Float) v;
            if (Float.isNaN(f) || Float.isInfinite(f)) return floatText(f);
            return "{\"f\":\"" + Float.toString(f) + "\"}";
        }
        if (v instanceof Double) return floatText((Double) v);
        if (v instanceof java.math.BigDecimal) return "{\"f\":\"" + v + "\"}";
        if (v instanceof Character || v instanceof CharSequence) return esc(v.toString());
        if (v instanceof java.util.Optional) {
            java.util.Optional<?> o = (java.util.Optional<?>) v;
            return o.isPresent() ? ser(o.get(), depth + 1) : "null";
        }
        if (v.getClass().isArray()) {
            StringBuilder out = new StringBuilder("[");
            int n = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < n; i++) { if (i > 0) out.append(','); out.append(ser(java.lang.reflect.Array.get(v, i), depth + 1)); }
            return out.append(']').toString();
        }
        if (v instanceof java.util.Map) {
            java.util.List<String> items = new java.util.ArrayList<>();
            for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) v).entrySet())
                items.add("[" + ser(e.getKey(), depth + 1) + "," + ser(e.getValue(), depth + 1) + "]");
            return sortedJoin(items, "m");
        }
        if (v instanceof java.util.Set) {
            java.util.List<String> items = new java.util.ArrayList<>();
            for (Object x : (java.util.Set<?>) v) items.add(ser(x, depth + 1));
            return sortedJoin(items, "s");
        }
        if (v instanceof Iterable) {
            StringBuilder out = new StringBuilder("[");
            boolean first = true;
            for (Object x : (Iterable<?>) v) { if (!first) out.append(','); first = false; out.append(ser(x, depth + 1)); }
            return out.append(']').toString();
        }
        if (v instanceof Enum) return "{\"o\":" + esc(plainName(v.getClass()) + "." + ((Enum<?>) v).name()) + "}";
        String className = v.getClass().getName();
        if (!className.startsWith("java.") && !className.startsWith("javax.") && !className.startsWith("jdk.")
                && !className.startsWith("sun.")) return state(v, depth);
        return "{\"o\":" + esc(v.getClass().getSimpleName()) + "}";
    }
    /** An object of the code under test by its fields, sorted by name. */
    static String state(Object o, int depth) {
        java.util.List<java.lang.reflect.Field> fields = new java.util.ArrayList<>();
        for (Class<?> k = o.getClass(); k != null && k != Object.class; k = k.getSuperclass())
            for (java.lang.reflect.Field f : k.getDeclaredFields())
                if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) fields.add(f);
        fields.sort(java.util.Comparator.comparing(java.lang.reflect.Field::getName));
        StringBuilder out = new StringBuilder("{\"obj\":" + esc(plainName(o.getClass())) + ",\"fields\":[");
        boolean first = true;
        for (java.lang.reflect.Field f : fields) {
            String value;
            try { f.setAccessible(true); value = ser(f.get(o), depth + 1); }
            catch (Throwable e) { value = "{\"o\":\"inaccessible\"}"; }
            if (!first) out.append(',');
            first = false;
            out.append('[').append(esc(f.getName())).append(',').append(value).append(']');
        }
        return out.append("]}").toString();
    }
    static String plainName(Class<?> k) {
        String name = k.getSimpleName();
        return name.startsWith(PERFORCH_CANDIDATE) ? name.substring(PERFORCH_CANDIDATE.length()) : name;
    }
    static final java.lang.management.ThreadMXBean PERFORCH_MX = java.lang.management.ManagementFactory.getThreadMXBean();
    static long cpu() { return PERFORCH_MX.getCurrentThreadCpuTime(); }
    static void emit(int index, String tag, long ns, String result, String exc, String args) {
        emit(index, tag, ns, result, exc, args, "");
    }
    static void emit(int index, String tag, long ns, String result, String exc, String args, String objectParts) {
        StringBuilder line = new StringBuilder(PERFORCH_PREFIX);
        line.append("{\"call\":").append(index).append(",\"impl\":\"").append(tag).append("\",\"ns\":").append(ns);
        if (exc != null) line.append(",\"exc\":").append(esc(exc));
        else line.append(",\"result\":").append(result);
        line.append(",\"args\":").append(args).append(objectParts).append('}');
        PERFORCH_OUT.println(line);
    }
    static final java.io.PrintStream PERFORCH_OUT = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    static volatile Object perforchSink;
    /** An object with a test's calls on it replayed (the state it reached). */
    static <T> T perforchSetup(T object, java.util.function.Consumer<T> steps) { steps.accept(object); return object; }
"#;

/// Split Java source into import lines (hoisted: they must come first in
/// the file) and the rest; `public class` becomes package-private so
/// several classes can share Main.java.
fn split_imports(source: &str, imports: &mut Vec<String>) -> String {
    let mut rest = String::new();
    for line in source.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("import ") || trimmed.starts_with("package ") {
            if trimmed.starts_with("import ") && !imports.iter().any(|i| i == trimmed) {
                imports.push(trimmed.to_string());
            }
            continue;
        }
        let line = if let Some(after) = line.strip_prefix("public ") {
            if after.trim_start().starts_with("class ")
                || after.trim_start().starts_with("final class ")
            {
                after.to_string()
            } else {
                line.to_string()
            }
        } else {
            line.to_string()
        };
        rest.push_str(&line);
        rest.push('\n');
    }
    rest
}

/// One side's call of one input.
struct CaseCall<'a> {
    /// The class of this side (the candidate's is renamed).
    class: &'a str,
    method: &'a str,
    is_static: bool,
    returns_void: bool,
    tag: &'a str,
    index: usize,
    /// Declared parameter types, one per argument.
    types: &'a [String],
    args: &'a [String],
    /// An instance method's object, and the next input's arguments for
    /// the second call on it.
    receiver: Option<(&'a str, &'a [String])>,
    repeats: u32,
}

fn declarations(types: &[String], args: &[String], prefix: &str) -> (String, Vec<String>) {
    let text = types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, expr))| format!("                {ty} {prefix}{i} = {expr};\n"))
        .collect();
    (
        text,
        (0..args.len()).map(|i| format!("{prefix}{i}")).collect(),
    )
}

fn case_method(case: &CaseCall) -> String {
    let CaseCall {
        class,
        method,
        tag,
        index,
        repeats,
        ..
    } = *case;
    let (mut declared, names) = declarations(case.types, case.args, "a");
    let call_args = names.join(", ");
    let receiver = match case.receiver {
        Some((object, _)) => {
            declared.push_str(&format!(
                "                {class} perforchSelf = {object};\n"
            ));
            "perforchSelf".to_string()
        }
        None if case.is_static => class.to_string(),
        None => format!("new {class}()"),
    };
    let call = format!("{receiver}.{method}({call_args})");
    let invoke = if case.returns_void {
        format!("{call}; t1 = cpu(); result = \"null\";")
    } else {
        format!(
            "Object value = {call}; t1 = cpu(); perforchSink = value; if (r == 0) result = ser(value);"
        )
    };
    let args_json = if names.is_empty() {
        "\"[]\"".to_string()
    } else {
        format!(
            "\"[\" + {} + \"]\"",
            names
                .iter()
                .map(|n| format!("ser({n})"))
                .collect::<Vec<_>>()
                .join(" + \",\" + ")
        )
    };
    let (keep_object, object_parts, again_method) = match case.receiver {
        None => (String::new(), "\"\"".to_string(), String::new()),
        Some((_, next)) => {
            let (next_declared, next_names) = declarations(case.types, next, "b");
            let again_call = format!("firstSelf.{method}({})", next_names.join(", "));
            let again_value = if case.returns_void {
                format!("{again_call}; again = \"{{\\\"result\\\":null}}\";")
            } else {
                format!("again = \"{{\\\"result\\\":\" + ser({again_call}) + \"}}\";")
            };
            (
                "firstSelf = perforchSelf; ".to_string(),
                format!(
                    "\",\\\"self\\\":\" + state(firstSelf, 0) + again_{tag}_{index}(firstSelf)"
                ),
                format!(
                    "    static String again_{tag}_{index}({class} firstSelf) {{\n        String again;\n        try {{\n{next_declared}            {again_value}\n        }} catch (Throwable e) {{\n            again = \"{{\\\"exc\\\":\" + esc(e.getClass().getSimpleName()) + \"}}\";\n        }}\n        return \",\\\"again\\\":\" + again;\n    }}\n"
                ),
            )
        }
    };
    let self_declaration = case.receiver.map_or(String::new(), |_| {
        format!("        {class} firstSelf = null;\n")
    });
    format!(
        r#"    static void case_{tag}_{index}() {{
        long total = 0;
        String firstResult = null, firstExc = null, firstArgs = "[]";
{self_declaration}        for (int r = 0; r < {repeats}; r++) {{
            try {{
{declared}                String result = null, exc = null;
                long t0 = cpu(), t1 = 0;
                try {{
                    {invoke}
                }} catch (Throwable e) {{
                    t1 = cpu();
                    exc = e.getClass().getSimpleName();
                }}
                total += t1 - t0;
                if (r == 0) {{ {keep_object}firstResult = result; firstExc = exc; firstArgs = {args_json}; }}
            }} catch (Throwable e) {{
                // The input's own expressions failed: not the method's doing.
                emit({index}, "{tag}", 0, null, "perforch.BadInput:" + e.getClass().getSimpleName(), "[]");
                return;
            }}
        }}
        emit({index}, "{tag}", total / {repeats}, firstResult, firstExc, firstArgs, {object_parts});
    }}
{again_method}"#
    )
}

pub fn generate(spec: &DiffSpec) -> Result<SourceProgram, DriverError> {
    let class = spec
        .class_name
        .clone()
        .ok_or(DriverError::MissingClassName)?;
    let method = &spec.function;
    let signature = find(&spec.original, method)
        .ok_or_else(|| DriverError::FunctionNotFound(method.clone()))?;
    if find(&spec.candidate, method).is_none() {
        return Err(DriverError::FunctionNotFound(method.clone()));
    }
    let words: Vec<&str> = signature.before.split_whitespace().collect();
    let is_static = words.contains(&"static");
    let returns_void = words.last() == Some(&"void");
    let types: Vec<String> = c_style_param_types(&signature.params)
        .iter()
        .map(|t| t.replace("final ", ""))
        .collect();
    let candidate_class = candidate_name(&class);
    let mut imports = vec!["import java.util.*;".to_string()];
    let prelude = split_imports(&spec.prelude, &mut imports);
    let original = split_imports(&spec.original, &mut imports);
    let candidate = split_imports(
        &rename_identifier(&spec.candidate, &class, &candidate_class),
        &mut imports,
    );
    let repeats = spec.repeats.max(1);
    let mut out = imports.join("\n");
    out.push_str("\n\n");
    out.push_str(&prelude);
    out.push_str(&original);
    out.push('\n');
    out.push_str(&candidate);
    out.push_str("\npublic class Main {\n");
    out.push_str(&format!(
        "    static final String PERFORCH_PREFIX = {:?};\n",
        LINE_PREFIX
    ));
    out.push_str(RUNTIME);
    out.push_str(&format!(
        "    static final String PERFORCH_CANDIDATE = {:?};\n",
        super::CANDIDATE_PREFIX
    ));
    let mut main_body = String::new();
    let with_object = spec.receiver && !is_static;
    // An instance method's inputs start with the object's expression.
    let split = |args: &'_ [String]| -> (Option<String>, Vec<String>) {
        match args.split_first() {
            Some((object, rest)) if with_object => (Some(object.clone()), rest.to_vec()),
            _ => (None, args.to_vec()),
        }
    };
    for (index, args) in spec.inputs.iter().enumerate() {
        let (object, args) = split(args);
        let (_, next) = split(&spec.inputs[(index + 1) % spec.inputs.len()]);
        let mut arg_types = types.clone();
        arg_types.resize(args.len(), "var".to_string());
        for (side_class, tag) in [(&class, "o"), (&candidate_class, "c")] {
            let on_side = |expr: &String| {
                if tag == "c" {
                    rename_identifier(expr, &class, &candidate_class)
                } else {
                    expr.clone()
                }
            };
            let side_args: Vec<String> = args.iter().map(on_side).collect();
            let side_next: Vec<String> = next.iter().map(on_side).collect();
            let side_object = object.as_ref().map(on_side);
            out.push_str(&case_method(&CaseCall {
                class: side_class,
                method,
                is_static,
                returns_void,
                tag,
                index,
                types: &arg_types,
                args: &side_args,
                receiver: side_object
                    .as_deref()
                    .map(|object| (object, side_next.as_slice())),
                repeats,
            }));
        }
        main_body.push_str(&format!(
            "        if (cf && c) case_c_{index}();\n        if (o) case_o_{index}();\n        if (!cf && c) case_c_{index}();\n        PERFORCH_OUT.flush();\n"
        ));
    }
    out.push_str(&format!(
        "    public static void main(String[] argv) {{\n        String mode = argv.length > 0 ? argv[0] : \"oc\";\n        boolean o = mode.contains(\"o\"), c = mode.contains(\"c\"), cf = mode.startsWith(\"c\");\n{main_body}        PERFORCH_OUT.flush();\n    }}\n}}\n"
    ));
    Ok(SourceProgram::single(
        Language::Java,
        ProgramKind::Executable,
        out,
    ))
}
