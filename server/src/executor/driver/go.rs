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

func perforchEmit(index int, tag string, ns int64, result string, exc string, args string) {
	line := PerforchPrefix + `{"call":` + strconv.Itoa(index) + `,"impl":"` + tag + `","ns":` + strconv.FormatInt(ns, 10)
	if exc != "" {
		line += `,"exc":` + perforchEsc(exc)
	} else {
		line += `,"result":` + result
	}
	line += `,"args":` + args + "}\n"
	perforchOut.WriteString(line)
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

fn case_function(
    function: &str,
    tag: &str,
    index: usize,
    types: &[String],
    args: &[String],
    results: usize,
    repeats: u32,
) -> String {
    let declarations: String = types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, expr))| {
            if ty.is_empty() || ty.starts_with("...") {
                format!("\t\ta{i} := {expr}\n")
            } else {
                format!("\t\tvar a{i} {ty} = {expr}\n")
            }
        })
        .collect();
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let mut call_args = names.join(", ");
    if types.last().is_some_and(|t| t.starts_with("...")) {
        call_args.push_str("...");
    }
    let result_names: Vec<String> = (0..results).map(|i| format!("r{i}")).collect();
    let (invoke, serialise) = match results {
        0 => (format!("{function}({call_args})"), "\"null\"".to_string()),
        1 => (
            format!("r0 := {function}({call_args}); t1 = perforchNow(); perforchSink = r0"),
            "perforchSer(r0)".to_string(),
        ),
        _ => (
            format!(
                "{} := {function}({call_args}); t1 = perforchNow(); perforchSink = r0",
                result_names.join(", ")
            ),
            format!(
                "`{{\"t\":[` + {} + `]}}`",
                result_names
                    .iter()
                    .map(|r| format!("perforchSer({r})"))
                    .collect::<Vec<_>>()
                    .join(" + \",\" + ")
            ),
        ),
    };
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
    format!(
        r#"func perforchCase_{tag}_{index}() {{
	var total int64
	var firstResult, firstExc, firstArgs string
	for r := 0; r < {repeats}; r++ {{
{declarations}		var result, exc string
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
		}}
	}}
	perforchEmit({index}, "{tag}", total/{repeats}, firstResult, firstExc, firstArgs)
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
    for (index, args) in spec.inputs.iter().enumerate() {
        let mut arg_types = types.clone();
        arg_types.resize(args.len(), String::new());
        out.push_str(&case_function(
            name, "o", index, &arg_types, args, results, repeats,
        ));
        out.push_str(&case_function(
            &candidate, "c", index, &arg_types, args, results, repeats,
        ));
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
