//! Rust differential driver. Arguments are declared with the parameter
//! types; owned arguments are cloned before the timed call (so the value
//! can still be printed afterwards), `&mut` arguments are printed after
//! the call to observe mutation. Panics are caught and reported as `panic`.

use super::signature::{find, rust_param_types};
use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
#[allow(dead_code)]
mod perforch_rt {
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

    pub fn now_ns() -> i64 {
        let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes into a valid Timespec.
        unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }

    pub fn esc(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn float(f: f64, text: String) -> String {
        if f.is_nan() {
            "{\"f\":\"nan\"}".to_string()
        } else if f.is_infinite() {
            if f > 0.0 { "{\"f\":\"inf\"}".to_string() } else { "{\"f\":\"-inf\"}".to_string() }
        } else {
            format!("{{\"f\":\"{}\"}}", text)
        }
    }

    fn sorted(mut items: Vec<String>, tag: &str) -> String {
        items.sort();
        format!("{{\"{}\":[{}]}}", tag, items.join(","))
    }

    pub trait Ser {
        fn ser(&self) -> String;
    }
    macro_rules! ints { ($($t:ty),*) => { $(impl Ser for $t { fn ser(&self) -> String { format!("{{\"i\":\"{}\"}}", self) } })* } }
    ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
    impl Ser for f64 { fn ser(&self) -> String { float(*self, format!("{:?}", self)) } }
    impl Ser for f32 { fn ser(&self) -> String { float(*self as f64, format!("{:?}", self)) } }
    impl Ser for bool { fn ser(&self) -> String { self.to_string() } }
    impl Ser for char { fn ser(&self) -> String { esc(&self.to_string()) } }
    impl Ser for String { fn ser(&self) -> String { esc(self) } }
    impl Ser for str { fn ser(&self) -> String { esc(self) } }
    impl Ser for () { fn ser(&self) -> String { "null".to_string() } }
    impl<T: Ser + ?Sized> Ser for &T { fn ser(&self) -> String { (**self).ser() } }
    impl<T: Ser + ?Sized> Ser for &mut T { fn ser(&self) -> String { (**self).ser() } }
    impl<T: Ser + ?Sized> Ser for Box<T> { fn ser(&self) -> String { (**self).ser() } }
    impl<T: Ser> Ser for Option<T> {
        fn ser(&self) -> String { match self { Some(v) => v.ser(), None => "null".to_string() } }
    }
    impl<T: Ser, E> Ser for Result<T, E> {
        fn ser(&self) -> String { match self { Ok(v) => v.ser(), Err(_) => "{\"o\":\"Err\"}".to_string() } }
    }
    impl<T: Ser> Ser for [T] {
        fn ser(&self) -> String { format!("[{}]", self.iter().map(|x| x.ser()).collect::<Vec<_>>().join(",")) }
    }
    impl<T: Ser, const N: usize> Ser for [T; N] {
        fn ser(&self) -> String { self[..].ser() }
    }
    impl<T: Ser> Ser for Vec<T> { fn ser(&self) -> String { self[..].ser() } }
    impl<T: Ser> Ser for VecDeque<T> {
        fn ser(&self) -> String { format!("[{}]", self.iter().map(|x| x.ser()).collect::<Vec<_>>().join(",")) }
    }
    impl<K: Ser, V: Ser, S> Ser for HashMap<K, V, S> {
        fn ser(&self) -> String { sorted(self.iter().map(|(k, v)| format!("[{},{}]", k.ser(), v.ser())).collect(), "m") }
    }
    impl<K: Ser, V: Ser> Ser for BTreeMap<K, V> {
        fn ser(&self) -> String { sorted(self.iter().map(|(k, v)| format!("[{},{}]", k.ser(), v.ser())).collect(), "m") }
    }
    impl<T: Ser, S> Ser for HashSet<T, S> {
        fn ser(&self) -> String { sorted(self.iter().map(|x| x.ser()).collect(), "s") }
    }
    impl<T: Ser> Ser for BTreeSet<T> {
        fn ser(&self) -> String { sorted(self.iter().map(|x| x.ser()).collect(), "s") }
    }
    macro_rules! tuples { ($(($($n:tt $t:ident),+)),*) => { $(
        impl<$($t: Ser),+> Ser for ($($t,)+) {
            fn ser(&self) -> String { format!("{{\"t\":[{}]}}", vec![$(self.$n.ser()),+].join(",")) }
        }
    )* } }
    tuples!((0 A), (0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D), (0 A, 1 B, 2 C, 3 D, 4 E));

    /// Autoref dispatch: `(&Probe(&v)).perforch_ser()` picks `Ser` when the
    /// type implements it and falls back to its `Debug` text otherwise
    /// (user structs), without specialisation.
    pub struct Probe<'a, T: ?Sized>(pub &'a T);
    pub trait ViaSer {
        fn perforch_ser(&self) -> String;
    }
    impl<T: Ser + ?Sized> ViaSer for Probe<'_, T> {
        fn perforch_ser(&self) -> String { self.0.ser() }
    }
    pub trait ViaDebug {
        fn perforch_ser(&self) -> String;
    }
    impl<T: std::fmt::Debug + ?Sized> ViaDebug for &Probe<'_, T> {
        fn perforch_ser(&self) -> String { format!("{{\"d\":{}}}", esc(&format!("{:?}", self.0))) }
    }

    pub fn emit(out: &mut String, index: usize, tag: &str, ns: i64, result: &Result<String, String>, args: &str) {
        out.push_str(PREFIX);
        out.push_str(&format!("{{\"call\":{},\"impl\":\"{}\",\"ns\":{}", index, tag, ns));
        match result {
            Ok(value) => out.push_str(&format!(",\"result\":{}", value)),
            Err(kind) => out.push_str(&format!(",\"exc\":{}", esc(kind))),
        }
        out.push_str(&format!(",\"args\":{}}}\n", args));
    }
    pub const PREFIX: &str = PERFORCH_PREFIX_VALUE;
}

macro_rules! perforch_ser {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use perforch_rt::{ViaDebug, ViaSer};
        (&perforch_rt::Probe(&$value)).perforch_ser()
    }};
}
"#;

fn case_function(
    function: &str,
    tag: &str,
    index: usize,
    types: &[String],
    args: &[String],
    repeats: u32,
) -> String {
    let mut declarations = String::new();
    let mut call_args = Vec::new();
    for (i, (ty, expr)) in types.iter().zip(args).enumerate() {
        let is_reference = ty.starts_with('&');
        let annotation = if ty.is_empty() {
            String::new()
        } else {
            format!(": {ty}")
        };
        declarations.push_str(&format!(
            "            #[allow(unused_mut)] let mut a{i}{annotation} = {expr};\n"
        ));
        if is_reference {
            // A `&mut` binding is reborrowed so it stays usable after the call.
            if ty.starts_with("&mut") {
                call_args.push(format!("&mut *a{i}"));
            } else {
                call_args.push(format!("a{i}"));
            }
        } else {
            // Owned: clone before the timed region, keep the original to print.
            declarations.push_str(&format!("            let c{i} = a{i}.clone();\n"));
            call_args.push(format!("c{i}"));
        }
    }
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let args_json = format!(
        "format!(\"[{}]\"{})",
        vec!["{}"; names.len()].join(","),
        names
            .iter()
            .map(|n| format!(", perforch_ser!({n})"))
            .collect::<String>()
    );
    let call_args = call_args.join(", ");
    format!(
        r#"#[allow(unused_variables, unused_mut, clippy::all)]
fn perforch_case_{tag}_{index}(out: &mut String) {{
    let mut total: i64 = 0;
    let mut first: Option<(Result<String, String>, String)> = None;
    for r in 0..{repeats} {{
{declarations}            let t0 = perforch_rt::now_ns();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {{
                let value = {function}({call_args});
                let t1 = perforch_rt::now_ns();
                let value = std::hint::black_box(value);
                (t1, if r == 0 {{ perforch_ser!(value) }} else {{ String::new() }})
            }}));
            let (t1, result) = match outcome {{
                Ok((t1, text)) => (t1, Ok(text)),
                Err(_) => (perforch_rt::now_ns(), Err("panic".to_string())),
            }};
            total += t1 - t0;
            if r == 0 {{
                first = Some((result, {args_json}));
            }}
    }}
    let (result, args) = first.expect("at least one repetition");
    perforch_rt::emit(out, {index}, "{tag}", total / {repeats}, &result, &args);
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
    let types = rust_param_types(&signature.params);
    let candidate = candidate_name(name);
    let repeats = spec.repeats.max(1);
    let mut out = String::from("#![allow(unused_imports, dead_code, non_snake_case)]\n");
    out.push_str(&spec.prelude);
    out.push('\n');
    out.push_str(&spec.original);
    out.push('\n');
    out.push_str(&rename_identifier(&spec.candidate, name, &candidate));
    out.push('\n');
    out.push_str(&RUNTIME.replace("PERFORCH_PREFIX_VALUE", &format!("{:?}", LINE_PREFIX)));
    let mut main_body = String::new();
    for (index, args) in spec.inputs.iter().enumerate() {
        let mut arg_types = types.clone();
        arg_types.resize(args.len(), String::new());
        out.push_str(&case_function(name, "o", index, &arg_types, args, repeats));
        out.push_str(&case_function(
            &candidate, "c", index, &arg_types, args, repeats,
        ));
        main_body.push_str(&format!(
            "    if cf && c {{ perforch_case_c_{index}(&mut out); }}\n    if o {{ perforch_case_o_{index}(&mut out); }}\n    if !cf && c {{ perforch_case_c_{index}(&mut out); }}\n    flush(&mut out);\n"
        ));
    }
    out.push_str(&format!(
        "fn main() {{\n    // Panics are reported as results; keep their messages off stderr.\n    std::panic::set_hook(Box::new(|_| {{}}));\n    let mode = std::env::args().nth(1).unwrap_or_else(|| \"oc\".to_string());\n    let (o, c, cf) = (mode.contains('o'), mode.contains('c'), mode.starts_with('c'));\n    let mut out = String::new();\n    // Written per input so a batch that times out still shows what finished.\n    fn flush(out: &mut String) {{ use std::io::Write; let _ = std::io::stdout().write_all(out.as_bytes()); out.clear(); }}\n{main_body}}}\n"
    ));
    Ok(SourceProgram::single(
        Language::Rust,
        ProgramKind::Executable,
        out,
    ))
}
