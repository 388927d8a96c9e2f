//! Python differential driver.

use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
import sys as __perforch_sys, time as __perforch_time, json as __perforch_json

__perforch_modules = ("perforch_original", "perforch_candidate")

def __perforch_ser(v, depth=0):
    if depth > 12:
        return {"o": type(v).__name__}
    if getattr(type(v), "__module__", None) in __perforch_modules:
        return __perforch_object(v, depth)
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
        return {"t": [__perforch_ser(x, depth + 1) for x in v]}
    if isinstance(v, list):
        return [__perforch_ser(x, depth + 1) for x in v]
    if isinstance(v, dict):
        items = [[__perforch_ser(k, depth + 1), __perforch_ser(x, depth + 1)] for k, x in v.items()]
        items.sort(key=lambda kv: __perforch_json.dumps(kv[0], sort_keys=True))
        return {"m": items}
    if isinstance(v, (set, frozenset)):
        items = [__perforch_ser(x, depth + 1) for x in v]
        items.sort(key=lambda x: __perforch_json.dumps(x, sort_keys=True))
        return {"s": items}
    if isinstance(v, complex):
        return {"t": [__perforch_ser(v.real), __perforch_ser(v.imag)]}
    return {"o": type(v).__name__}

def __perforch_object(v, depth):
    """An instance of a class of the code under test, by its fields (the
    instance dict and the slots), sorted by name."""
    import enum
    if isinstance(v, enum.Enum):
        return {"o": type(v).__qualname__ + "." + v.name}
    if isinstance(v, type) or callable(v) and not hasattr(v, "__dict__"):
        return {"o": getattr(v, "__qualname__", type(v).__name__)}
    names = set(getattr(v, "__dict__", {}).keys())
    for klass in type(v).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
    names.discard("__dict__")
    names.discard("__weakref__")
    fields = []
    for name in sorted(names):
        try:
            value = object.__getattribute__(v, name)
        except AttributeError:
            continue
        fields.append([name, __perforch_ser(value, depth + 1)])
    return {"obj": type(v).__qualname__, "fields": fields}

def __perforch_emit(line):
    __perforch_sys.stdout.write(PREFIX + __perforch_json.dumps(line) + "\n")

def __perforch_timed(fn, tag, index, make_args, repeats):
    """Call `fn` on fresh arguments `repeats` times: the mean thread CPU
    time and the first call's (result, exception kind, arguments); None,
    with its line written, when the input's own expression fails."""
    total = 0
    first = None
    for r in range(repeats):
        try:
            args = make_args()
        except Exception as e:
            # The input's own expression failed: not the function's doing.
            __perforch_emit({"call": index, "impl": tag, "ns": 0, "exc": "perforch.BadInput:" + type(e).__name__, "args": []})
            return None
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
    return total // max(repeats, 1), first

def __perforch_line(index, tag, ns, result, exc, args):
    line = {"call": index, "impl": tag, "ns": ns}
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
    return line

def __perforch_order(mode):
    """The sides to call on each input, in order: "oc" and "co" call both,
    the candidate first in "co", so a measurement can alternate which
    side runs on a warm cache."""
    return [tag for tag in ("co" if mode.startswith("c") else "oc") if tag in mode]

def __perforch_run(fn, tag, index, make_args, repeats):
    timed = __perforch_timed(fn, tag, index, make_args, repeats)
    if timed is not None:
        ns, (result, exc, args) = timed
        __perforch_emit(__perforch_line(index, tag, ns, result, exc, args))
"#;

/// Methods: the original file and the file with the candidate spliced in
/// are loaded as two modules, every input is evaluated in each, and the
/// method is looked up on the object (or the class) of that module, so
/// the candidate's class is the user's class with one method changed.
const METHOD_RUNTIME: &str = r#"
import types as __perforch_types

def __perforch_load(name, source):
    module = __perforch_types.ModuleType(name)
    __perforch_sys.modules[name] = module
    exec(compile(source, "<" + name + ">", "exec"), module.__dict__)
    return module

def __perforch_makers(module):
    makers = []
    for text in __perforch_input_texts:
        try:
            makers.append(eval("lambda: [" + text + "]", module.__dict__))
        except SyntaxError as e:
            def broken(e=e):
                raise e
            makers.append(broken)
    return makers

def __perforch_caller(module):
    """What the timed call calls: the method on the input's object, or on
    the module's class (looked up once, outside the timing)."""
    if RECEIVER:
        return lambda obj, *rest: getattr(obj, NAME)(*rest)
    klass = eval(CLASS, module.__dict__)
    return lambda *args: getattr(klass, NAME)(*args)

def __perforch_run_method(module, tag, index, makers, repeats):
    timed = __perforch_timed(__perforch_caller(module), tag, index, makers[index], repeats)
    if timed is None:
        return
    ns, (result, exc, args) = timed
    if not RECEIVER:
        __perforch_emit(__perforch_line(index, tag, ns, result, exc, args))
        return
    receiver = args[0]
    line = __perforch_line(index, tag, ns, result, exc, args[1:])
    try:
        line["self"] = __perforch_ser(receiver)
    except BaseException as e:
        line["self"] = {"o": "perforch.Unserializable:" + type(e).__name__}
    # The same object again, with the next input's arguments: a cache
    # kept on the object, or state the first call consumed, shows here.
    try:
        again_args = makers[(index + 1) % len(makers)]()
    except Exception:
        again_args = None
    if again_args is not None:
        try:
            line["again"] = {"result": __perforch_ser(getattr(receiver, NAME)(*again_args[1:]))}
        except BaseException as e:
            line["again"] = {"exc": type(e).__name__}
    __perforch_emit(line)
"#;

fn generate_method(spec: &DiffSpec, class: &str) -> SourceProgram {
    let literal = |text: &str| serde_json::to_string(text).expect("strings serialise");
    let mut out = String::new();
    out.push_str(&format!("PREFIX = {:?}\n", LINE_PREFIX));
    out.push_str(&format!("NAME = {}\n", literal(&spec.function)));
    out.push_str(&format!("CLASS = {}\n", literal(class)));
    out.push_str(&format!(
        "RECEIVER = {}\n",
        if spec.receiver { "True" } else { "False" }
    ));
    out.push_str(RUNTIME);
    out.push_str(METHOD_RUNTIME);
    out.push_str("\n__perforch_input_texts = [\n");
    for args in &spec.inputs {
        out.push_str(&format!("    {},\n", literal(&args.join(", "))));
    }
    out.push_str("]\n\n");
    let module = |source: &str| literal(&format!("{}\n{}", spec.prelude, source));
    out.push_str(&format!(
        "def __perforch_main():\n    __perforch_sys.setrecursionlimit(100000)\n    mode = __perforch_sys.argv[1] if len(__perforch_sys.argv) > 1 else 'oc'\n    original = __perforch_load('perforch_original', {})\n    candidate = __perforch_load('perforch_candidate', {})\n    sides = {{'o': (original, __perforch_makers(original)), 'c': (candidate, __perforch_makers(candidate))}}\n    for index in range(len(__perforch_input_texts)):\n        for tag in __perforch_order(mode):\n            module, makers = sides[tag]\n            __perforch_run_method(module, tag, index, makers, {repeats})\n        __perforch_sys.stdout.flush()\n\n__perforch_main()\n",
        module(&spec.original),
        module(&spec.candidate),
        repeats = spec.repeats.max(1)
    ));
    SourceProgram::single(Language::Python, ProgramKind::Executable, out)
}

pub fn generate(spec: &DiffSpec) -> Result<SourceProgram, DriverError> {
    if let Some(class) = &spec.class_name {
        let needle = format!("def {}", spec.function);
        if !spec.original.contains(&needle) || !spec.candidate.contains(&needle) {
            return Err(DriverError::FunctionNotFound(spec.function.clone()));
        }
        return Ok(generate_method(spec, class));
    }
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
        "def __perforch_main():\n    __perforch_sys.setrecursionlimit(100000)\n    mode = __perforch_sys.argv[1] if len(__perforch_sys.argv) > 1 else 'oc'\n    sides = {{'o': {name}, 'c': {candidate}}}\n    for index, make in enumerate(__perforch_inputs):\n        for tag in __perforch_order(mode):\n            __perforch_run(sides[tag], tag, index, make, {repeats})\n        __perforch_sys.stdout.flush()\n\n__perforch_main()\n",
        repeats = spec.repeats.max(1)
    ));
    Ok(SourceProgram::single(
        Language::Python,
        ProgramKind::Executable,
        out,
    ))
}
