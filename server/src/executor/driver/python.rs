//! Python differential driver.

use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
import sys as __perforch_sys, time as __perforch_time, json as __perforch_json

def __perforch_ser(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        if v != v:
            return {"f": "nan"}
        if v in (float("inf"), float("-inf")):
            return {"f": "inf" if v > 0 else "-inf"}
        return {"f": repr(v)}
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"b": v.hex()}
    if isinstance(v, tuple):
        return {"t": [__perforch_ser(x) for x in v]}
    if isinstance(v, list):
        return [__perforch_ser(x) for x in v]
    if isinstance(v, dict):
        items = [[__perforch_ser(k), __perforch_ser(x)] for k, x in v.items()]
        items.sort(key=lambda kv: __perforch_json.dumps(kv[0], sort_keys=True))
        return {"m": items}
    if isinstance(v, (set, frozenset)):
        items = [__perforch_ser(x) for x in v]
        items.sort(key=lambda x: __perforch_json.dumps(x, sort_keys=True))
        return {"s": items}
    if isinstance(v, complex):
        return {"t": [__perforch_ser(v.real), __perforch_ser(v.imag)]}
    return {"o": type(v).__name__}

def __perforch_run(fn, tag, index, make_args, repeats):
    total = 0
    first = None
    for r in range(repeats):
        try:
            args = make_args()
        except Exception as e:
            # The input's own expression failed: not the function's doing.
            line = {"call": index, "impl": tag, "ns": 0, "exc": "perforch.BadInput:" + type(e).__name__, "args": []}
            __perforch_sys.stdout.write(PREFIX + __perforch_json.dumps(line) + "\n")
            return
        exc = None
        result = None
        t0 = __perforch_time.thread_time_ns()
        try:
            result = fn(*args)
        except BaseException as e:
            exc = type(e).__name__
        total += __perforch_time.thread_time_ns() - t0
        if r == 0:
            first = (result, exc, args)
    result, exc, args = first
    line = {"call": index, "impl": tag, "ns": total // max(repeats, 1)}
    if exc is not None:
        line["exc"] = exc
    else:
        try:
            line["result"] = __perforch_ser(result)
        except BaseException as e:
            line["exc"] = "perforch.Unserializable:" + type(e).__name__
    try:
        line["args"] = [__perforch_ser(a) for a in args]
    except BaseException:
        line["args"] = []
    __perforch_sys.stdout.write(PREFIX + __perforch_json.dumps(line) + "\n")
"#;

pub fn generate(spec: &DiffSpec) -> Result<SourceProgram, DriverError> {
    let name = &spec.function;
    let needle = format!("def {name}");
    if !spec.original.contains(&needle) || !spec.candidate.contains(&needle) {
        return Err(DriverError::FunctionNotFound(name.clone()));
    }
    let candidate = candidate_name(name);
    let mut out = String::new();
    out.push_str(&spec.prelude);
    out.push('\n');
    out.push_str(&spec.original);
    out.push_str("\n\n");
    out.push_str(&rename_identifier(&spec.candidate, name, &candidate));
    out.push_str("\n\n");
    out.push_str(&format!("PREFIX = {:?}\n", LINE_PREFIX));
    out.push_str(RUNTIME);
    out.push_str("\n__perforch_inputs = [\n");
    for args in &spec.inputs {
        out.push_str(&format!("    lambda: [{}],\n", args.join(", ")));
    }
    out.push_str("]\n\n");
    out.push_str(&format!(
        "def __perforch_main():\n    __perforch_sys.setrecursionlimit(100000)\n    mode = __perforch_sys.argv[1] if len(__perforch_sys.argv) > 1 else 'oc'\n    for index, make in enumerate(__perforch_inputs):\n        if 'o' in mode:\n            __perforch_run({name}, 'o', index, make, {repeats})\n        if 'c' in mode:\n            __perforch_run({candidate}, 'c', index, make, {repeats})\n        __perforch_sys.stdout.flush()\n\n__perforch_main()\n",
        repeats = spec.repeats.max(1)
    ));
    Ok(SourceProgram::single(
        Language::Python,
        ProgramKind::Executable,
        out,
    ))
}
