//! Go differential driver: `package main`, thread CPU time through
//! `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` with the main goroutine locked
//! to its OS thread, panics recovered and reported by their dynamic type.

use super::signature::{find, go_param_types, split_top_level};
use super::{DiffSpec, DriverError, LINE_PREFIX, candidate_name, rename_identifier};
use crate::executor::gofix;
use crate::executor::toolchain::{ProgramKind, SourceProgram};
use crate::language::Language;

const RUNTIME: &str = r#"
func init() { runtime.LockOSThread() }

func perforchNow() int64 {
	var ts syscall.Timespec
	// CLOCK_THREAD_CPUTIME_ID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Sec*1000000000 + ts.Nsec
}

func perforchEsc(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func perforchFloat(f float64, bits int) string {
	if math.IsNaN(f) {
		return `{"f":"nan"}`
	}
	if math.IsInf(f, 1) {
		return `{"f":"inf"}`
	}
	if math.IsInf(f, -1) {
		return `{"f":"-inf"}`
	}
	return `{"f":"` + strconv.FormatFloat(f, 'g', -1, bits) + `"}`
}

func perforchSer(v interface{}) string {
	if v == nil {
		return "null"
	}
	return perforchSerValue(reflect.ValueOf(v))
}

func perforchSerValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Invalid:
		return "null"
	case reflect.Bool:
		if v.Bool() {
			return "true"
		}
		return "false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		return `{"i":"` + strconv.FormatInt(v.Int(), 10) + `"}`
	case reflect.Int32:
		if v.Type().Name() == "rune" {
			return perforchEsc(string(rune(v.Int())))
		}
		return `{"i":"` + strconv.FormatInt(v.Int(), 10) + `"}`
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return `{"i":"` + strconv.FormatUint(v.Uint(), 10) + `"}`
	case reflect.Float32:
		return perforchFloat(v.Float(), 32)
	case reflect.Float64:
		return perforchFloat(v.Float(), 64)
	case reflect.String:
		return perforchEsc(v.String())
	case reflect.Slice:
		if v.IsNil() {
			return "null"
		}
		fallthrough
	case reflect.Array:
		parts := make([]string, v.Len())
		for i := 0; i < v.Len(); i++ {
			parts[i] = perforchSerValue(v.Index(i))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case reflect.Map:
		if v.IsNil() {
			return "null"
		}
		parts := make([]string, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			parts = append(parts, "["+perforchSerValue(iter.Key())+","+perforchSerValue(iter.Value())+"]")
		}
		sort.Strings(parts)
		return `{"m":[` + strings.Join(parts, ",") + "]}"
	case reflect.Ptr, reflect.Interface:
		if v.IsNil() {
			return "null"
		}
		return perforchSerValue(v.Elem())
	case reflect.Struct:
		parts := make([]string, v.NumField())
		for i := 0; i < v.NumField(); i++ {
			parts[i] = perforchSerValue(v.Field(i))
		}
		return `{"t":[` + strings.Join(parts, ",") + "]}"
	}
	return `{"o":` + perforchEsc(v.Type().String()) + "}"
}

var perforchOut = bufio.NewWriterSize(os.Stdout, 1<<16)
var perforchSink interface{}

func perforchEmit(index int, tag string, ns int64, result string, exc string, args string, self string, again string) {
	line := PerforchPrefix + `{"call":` + strconv.Itoa(index) + `,"impl":"` + tag + `","ns":` + strconv.FormatInt(ns, 10)
	if exc != "" {
		line += `,"exc":` + perforchEsc(exc)
	} else {
		line += `,"result":` + result
	}
	line += `,"args":` + args
	if self != "" {
		line += `,"self":` + self
	}
	if again != "" {
		line += `,"again":` + again
	}
	perforchOut.WriteString(line + "}\n")
}

// perforchObject writes a method's receiver by its fields, named, as
// every driver writes an object: {"obj": Type, "fields": [[name, value]..]}.
func perforchObject(v interface{}) string {
	value := reflect.ValueOf(v)
	for value.Kind() == reflect.Ptr || value.Kind() == reflect.Interface {
		if value.IsNil() {
			return "null"
		}
		value = value.Elem()
	}
	if value.Kind() != reflect.Struct {
		return perforchSerValue(value)
	}
	parts := make([]string, value.NumField())
	for i := 0; i < value.NumField(); i++ {
		parts[i] = "[" + perforchEsc(value.Type().Field(i).Name) + "," + perforchSerValue(value.Field(i)) + "]"
	}
	return `{"obj":` + perforchEsc(value.Type().Name()) + `,"fields":[` + strings.Join(parts, ",") + "]}"
}

// perforchAgain calls the method once more on the same receiver: its
// result, or the kind of its panic.
func perforchAgain(call func() string) (out string) {
	defer func() {
		if p := recover(); p != nil {
			out = `{"exc":` + perforchEsc(perforchPanicKind(p)) + "}"
		}
	}()
	return `{"result":` + call() + "}"
}

func perforchPanicKind(r interface{}) string {
	return fmt.Sprintf("%T", r)
}
"#;

fn result_count(after: &str) -> usize {
    let after = after.trim();
    if after.is_empty() {
        0
    } else if after.starts_with('(') {
        split_top_level(after.trim_start_matches('(').trim_end_matches(')'), ',').len()
    } else {
        1
    }
}

/// One generated case: the call of `function` on input `index`.
struct GoCase<'a> {
    function: &'a str,
    tag: &'a str,
    index: usize,
    types: &'a [String],
    args: &'a [String],
    results: usize,
    repeats: u32,
    /// A method's object expression (built afresh for each repetition,
    /// outside the timing) and the next input's arguments, with which the
    /// method is called once more on the same object.
    receiver: Option<(&'a str, &'a [String])>,
}

/// `var a0 T = expr` lines declaring `args` with their `types`, named
/// `prefix0`..., each after `indent`.
fn declarations(indent: &str, prefix: &str, types: &[String], args: &[String]) -> String {
    types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, expr))| {
            if ty.is_empty() || ty.starts_with("...") {
                format!("{indent}{prefix}{i} := {expr}\n")
            } else {
                format!("{indent}var {prefix}{i} {ty} = {expr}\n")
            }
        })
        .collect()
}

/// The argument list of a call on `prefix0`..., spread when variadic.
fn call_arguments(prefix: &str, types: &[String], count: usize) -> String {
    let mut call = (0..count)
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    if types.last().is_some_and(|t| t.starts_with("...")) {
        call.push_str("...");
    }
    call
}

/// How the results `r0`.. of a call are written.
fn serialise_results(results: usize) -> String {
    match results {
        0 => "\"null\"".to_string(),
        1 => "perforchSer(r0)".to_string(),
        _ => format!(
            "`{{\"t\":[` + {} + `]}}`",
            (0..results)
                .map(|r| format!("perforchSer(r{r})"))
                .collect::<Vec<_>>()
                .join(" + \",\" + ")
        ),
    }
}

fn case_function(case: &GoCase) -> String {
    let GoCase {
        function,
        tag,
        index,
        types,
        args,
        results,
        repeats,
        receiver,
    } = *case;
    let mut declared = declarations("\t\t", "a", types, args);
    let callee = match receiver {
        Some((object, _)) => {
            declared = format!("\t\trecv := {object}\n{declared}");
            format!("recv.{function}")
        }
        None => function.to_string(),
    };
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let call_args = call_arguments("a", types, args.len());
    let result_names: Vec<String> = (0..results).map(|i| format!("r{i}")).collect();
    let invoke = match results {
        0 => format!("{callee}({call_args})"),
        _ => format!(
            "{} := {callee}({call_args}); t1 = perforchNow(); perforchSink = r0",
            result_names.join(", ")
        ),
    };
    let serialise = serialise_results(results);
    let args_json = if names.is_empty() {
        "\"[]\"".to_string()
    } else {
        format!(
            "\"[\" + {} + \"]\"",
            names
                .iter()
                .map(|n| format!("perforchSer({n})"))
                .collect::<Vec<_>>()
                .join(" + \",\" + ")
        )
    };
    let set_t1 = if results == 0 {
        "t1 = perforchNow(); "
    } else {
        ""
    };
    let object_after = match receiver {
        Some((_, next)) => {
            let again_call = match results {
                0 => format!(
                    "recv.{function}({})",
                    call_arguments("n", types, next.len())
                ),
                _ => format!(
                    "{} := recv.{function}({})",
                    result_names.join(", "),
                    call_arguments("n", types, next.len())
                ),
            };
            format!(
                "\t\t\tfirstSelf = perforchObject(recv)\n\t\t\tfirstAgain = perforchAgain(func() string {{\n{}\t\t\t\t{again_call}\n\t\t\t\treturn {serialise}\n\t\t\t}})\n",
                declarations("\t\t\t\t", "n", types, next),
            )
        }
        None => String::new(),
    };
    format!(
        r#"func perforchCase_{tag}_{index}() {{
	var total int64
	var firstResult, firstExc, firstArgs, firstSelf, firstAgain string
	for r := 0; r < {repeats}; r++ {{
{declared}		var result, exc string
		var t0, t1 int64
		func() {{
			defer func() {{
				if p := recover(); p != nil {{
					t1 = perforchNow()
					exc = perforchPanicKind(p)
				}}
			}}()
			t0 = perforchNow()
			{invoke}
			{set_t1}if r == 0 {{
				result = {serialise}
			}}
		}}()
		total += t1 - t0
		if r == 0 {{
			firstResult, firstExc, firstArgs = result, exc, {args_json}
{object_after}		}}
	}}
	perforchEmit({index}, "{tag}", total/{repeats}, firstResult, firstExc, firstArgs, firstSelf, firstAgain)
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
    let types = go_param_types(&signature.params);
    let results = result_count(&signature.after);
    let candidate = candidate_name(name);
    let repeats = spec.repeats.max(1);
    let mut out = String::from(
        "package main\n\nimport (\n\t\"bufio\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"math\"\n\t\"os\"\n\t\"reflect\"\n\t\"runtime\"\n\t\"sort\"\n\t\"strconv\"\n\t\"strings\"\n\t\"syscall\"\n\t\"unsafe\"\n)\n\n",
    );
    out.push_str(&spec.prelude);
    out.push('\n');
    out.push_str(&spec.original);
    out.push('\n');
    out.push_str(&rename_identifier(&spec.candidate, name, &candidate));
    out.push('\n');
    out.push_str(&format!("const PerforchPrefix = {:?}\n", LINE_PREFIX));
    out.push_str(RUNTIME);
    let mut main_body = String::new();
    // A method's inputs start with the object's expression.
    let split = |args: &'_ [String]| -> (Option<String>, Vec<String>) {
        match args.split_first() {
            Some((object, rest)) if spec.receiver => (Some(object.clone()), rest.to_vec()),
            _ => (None, args.to_vec()),
        }
    };
    for (index, all_args) in spec.inputs.iter().enumerate() {
        let (object, args) = split(all_args);
        let (_, next) = split(&spec.inputs[(index + 1) % spec.inputs.len()]);
        let mut arg_types = types.clone();
        arg_types.resize(args.len().max(next.len()), String::new());
        for (function, tag) in [(name.as_str(), "o"), (candidate.as_str(), "c")] {
            out.push_str(&case_function(&GoCase {
                function,
                tag,
                index,
                types: &arg_types,
                args: &args,
                results,
                repeats,
                receiver: object.as_deref().map(|object| (object, next.as_slice())),
            }));
        }
        main_body.push_str(&format!(
            "\tif cf && c {{\n\t\tperforchCase_c_{index}()\n\t}}\n\tif o {{\n\t\tperforchCase_o_{index}()\n\t}}\n\tif !cf && c {{\n\t\tperforchCase_c_{index}()\n\t}}\n\tperforchOut.Flush()\n"
        ));
    }
    out.push_str(&format!(
        "func main() {{\n\tmode := \"oc\"\n\tif len(os.Args) > 1 {{\n\t\tmode = os.Args[1]\n\t}}\n\to, c := strings.Contains(mode, \"o\"), strings.Contains(mode, \"c\")\n\tcf := strings.HasPrefix(mode, \"c\")\n\t_, _, _ = o, c, cf\n{main_body}\tperforchOut.Flush()\n}}\n"
    ));
    // Merge import blocks of the fragments and drop the unused ones.
    let source = gofix::normalize(&out, "main");
    Ok(SourceProgram::single(
        Language::Go,
        ProgramKind::Executable,
        source,
    ))
}
