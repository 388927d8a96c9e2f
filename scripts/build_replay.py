#!/usr/bin/env python3
"""Build the replay file of known-faster Python solutions for HumanEval.

`perforch eval --dataset DATASETS/humaneval-x --lang python --replay FILE`
measures each candidate in FILE against the HumanEval canonical solution.
This script derives FILE from two public benchmarks in ../shared/datasets:

* ENAMEL's expert solutions (enamel-references.json), with heavy inputs from
  ENAMEL's input generators (enamel.csv) where a generator needs nothing but
  the standard library;
* COFFE's fastest ground-truth solutions (best_solutions.json, function
  renamed from `solution` to the entry point), with COFFE's stressful inputs.

Only the solution code and the input expressions are kept, one JSON line per
task:

  {"task_id": "HumanEval/0", "entry_point": "...", "inputs": [[expr, ...]],
   "candidates": [{"source": "enamel", "code": "...", "expected_faster": "why",
                   "same_as_canonical": true}]}

`expected_faster` (only on candidates whose gain is asymptotic, by reading
both solutions) and `same_as_canonical` (the code equals the canonical
solution once docstrings are dropped: a tie is the right answer) are optional.

Input sizes are calibrated so that one call of the canonical solution on all
of a task's inputs costs about --budget-ms of CPU: the canonical solutions
are often quadratic or exponential, and the check must finish in minutes.
An input is kept only if its call prints (result and arguments, as
perforch's driver does) at most MAX_PRINTED_BYTES, and if building its
arguments, which the driver repeats with every call, does not make a
measured run cost more than MAX_RUN_NS; a task whose heavy inputs are all
cheap to run but costly to build keeps none and is measured on its tests.
Calibration runs dataset code (canonical solutions and ENAMEL generators) in
a child process with CPU, memory and file-size limits, no network use and a
throwaway working folder.

Usage: python3 scripts/build_replay.py [--datasets ../shared/datasets]
           [--out fixtures/eval/humaneval_python_fast.jsonl] [--budget-ms 40]
"""

import argparse
import ast
import concurrent.futures
import csv
import gzip
import json
import os
import subprocess
import sys
import symtable
import tempfile

# Tasks where the canonical solution is asymptotically worse than the expert
# one, by reading both: here a measurement that does not find the expert
# solution faster is a failure of the measurement, not a matter of taste.
EXPECTED_FASTER = {
    # HumanEval/0 is left out: the expert sorts the caller's list in place,
    # which perforch rightly refuses (server/data/replay_known_issues.toml).
    "HumanEval/31": "canonical tries every divisor below n; expert stops at sqrt(n)",
    "HumanEval/55": "canonical is the exponential recursion; expert is logarithmic doubling",
    "HumanEval/59": "canonical tests every k up to n for primality by trial division; expert divides n down",
    "HumanEval/63": "canonical is the exponential recursion (three calls per level); expert iterates",
    "HumanEval/75": "canonical tries every triple of numbers below 100 with a primality test; expert factors a",
    "HumanEval/96": "canonical tests primality of every number below n by trial division; expert sieves",
}

# The differential driver prints each call's result and arguments, and a
# run's output is capped at 16 MB (both versions, every input). A heavy input
# is there to cost CPU, not to be big: a few hundred kB of printout per call
# keeps a whole task's run far below the cap and its printing cheap.
MAX_PRINTED_BYTES = 256 * 1024

# perforch repeats each call until a run of all inputs costs about 20 ms of
# calls (pipeline/judge.rs, TARGET_RUN_NS), building the arguments afresh
# each time. Arguments that cost more to build than the call (a random list
# for a linear-time function) would make every measured run mostly argument
# building: a generated input may take GENERATED_BUILD_NS to build, and the
# inputs kept must project a run under MAX_RUN_NS.
TARGET_RUN_NS = 20e6
GENERATED_BUILD_NS = 1e6
MAX_RUN_NS = 80e6
# A generated input whose arguments print in at most this many characters is
# shipped as that literal: cheap to rebuild, so it is kept even for a task
# whose calls are fast, and ENAMEL's edge cases (negative numbers, bools in
# a list of ints, trailing spaces, huge cubes) stay in the check.
MAX_LITERAL_CHARS = 4096

# Module names a generator may use without ENAMEL's own helper library.
ALLOWED_MODULES = ["random", "math", "string", "itertools", "collections", "functools", "heapq"]
SAFE_BUILTINS = set(dir(__builtins__)) if isinstance(__builtins__, type(sys)) else set(__builtins__)

CALIBRATE = r'''
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_CPU, (3, 3))
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
sys.setrecursionlimit(100000)
job = json.loads(sys.stdin.read())
MAX_LITERAL_CHARS = job["max_literal_chars"]
scope = {}
exec(job["program"], scope)
fn = scope[job["entry_point"]]


def tagged(v):
    # The differential driver's value encoding (server/src/executor/driver/
    # mod.rs documents it), rebuilt here only to measure its printed size.
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"b": v.hex()}
    if isinstance(v, (list, tuple)):
        return [tagged(x) for x in v]
    if isinstance(v, dict):
        return {"m": [[tagged(k), tagged(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"s": [tagged(x) for x in v]}
    return {"o": type(v).__name__}


for expr in job["inputs"]:
    try:
        # Built twice, timed the second time: the driver builds arguments
        # once per repetition, and only the first pays for imports.
        eval("[" + expr + "]", {})
        t0 = time.thread_time_ns()
        args = eval("[" + expr + "]", {})
        built = time.thread_time_ns() - t0
        # Small arguments as a literal that rebuilds them exactly (before the
        # call, which may change them).
        try:
            literal = repr(args)
            if len(literal) > MAX_LITERAL_CHARS or repr(eval(literal, {})) != literal:
                literal = None
        except Exception:
            literal = None
        t1 = time.thread_time_ns()
        result = fn(*args)
        ns = time.thread_time_ns() - t1
        # The driver prints the result and the arguments after the call.
        printed = len(json.dumps([tagged(result), [tagged(a) for a in args]]))
        print(json.dumps({"ns": ns, "build_ns": built, "printed": printed, "literal": literal}),
              flush=True)
    except BaseException as e:
        print(json.dumps({"error": type(e).__name__}), flush=True)
'''


def argument_list(expr):
    """An argument expression that unpacks EXPR's argument list; one that
    uses `random` is seeded first, so the original and the candidate get the
    same arguments. (Only then: the driver builds the arguments afresh for
    every repetition of a call, and seeding costs more than a small list.)"""
    if "random" in expr:
        return f"*(__import__('random').seed(0), {expr})[1]"
    return f"*({expr})"


def enamel_expr(generator, size, lid, cid):
    """An argument expression that runs an ENAMEL generator (inside the
    sandboxed driver) and unpacks the argument tuple it returns."""
    modules = ", ".join(f"{m!r}: __import__({m!r})" for m in ALLOWED_MODULES)
    return (
        f"*(lambda g: (exec({generator!r}, g), g['random'].seed({lid * 10 + cid}), "
        f"g['generate_input']({size}, {lid}, {cid}))[2])({{{modules}}})"
    )


def projected_run_ns(calls_ns, building_ns):
    """CPU of one measured run of the canonical solution: calls repeated
    to about TARGET_RUN_NS, each repetition building its arguments."""
    repeats = min(max(TARGET_RUN_NS / max(calls_ns, 1), 1), 1000)
    return repeats * (calls_ns + building_ns)


def generator_is_self_contained(source):
    """True when the generator names only builtins, allowed modules and its own locals."""
    try:
        table = symtable.symtable(source, "<generator>", "exec")
    except SyntaxError:
        return False
    allowed = SAFE_BUILTINS | set(ALLOWED_MODULES)
    pending = [table]
    defined = {child.get_name() for child in table.get_children()}
    while pending:
        scope = pending.pop()
        for symbol in scope.get_symbols():
            if symbol.is_global() or (scope is table and symbol.is_referenced() and not symbol.is_assigned()):
                name = symbol.get_name()
                if name not in allowed and name not in defined and not symbol.is_imported():
                    return False
        pending.extend(scope.get_children())
    return True


class Rename(ast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_FunctionDef(self, node):
        if node.name == self.old:
            node.name = self.new
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if node.id == self.old:
            node.id = self.new
        return node


def strip_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def tidy(code, rename=None):
    """The solution without docstrings or module-level string constants (FIX = ...)."""
    tree = ast.parse(code)
    if rename:
        tree = Rename(*rename).visit(tree)
    tree = strip_docstrings(tree)
    tree.body = [
        node for node in tree.body
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str))
    ]
    return ast.unparse(tree) + "\n"


def calibrate(program, entry_point, inputs):
    """Per input expression, (CPU ns of one canonical call, CPU ns of
    building its arguments, the arguments as a literal if small), or None when the call failed, passed the CPU
    limit, or prints more than MAX_PRINTED_BYTES; each input in its own
    process, so one that hits a limit does not take the others with it."""
    # Two at a time: each measures its own thread's CPU time, which another
    # process on the other core does not change.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda expr: calibrate_one(program, entry_point, expr), inputs))


def calibrate_one(program, entry_point, expr):
    job = json.dumps({"program": program, "entry_point": entry_point, "inputs": [expr],
                      "max_literal_chars": MAX_LITERAL_CHARS})
    with tempfile.TemporaryDirectory() as work:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", CALIBRATE], input=job, capture_output=True,
                text=True, timeout=10, cwd=work, env={"PATH": "/usr/bin:/bin"},
            )
            lines = done.stdout.splitlines()
        except subprocess.TimeoutExpired as timeout:
            out = timeout.stdout or b""
            lines = (out.decode() if isinstance(out, bytes) else out).splitlines()
    if not lines:
        return None
    result = json.loads(lines[0])
    if "ns" not in result or result["printed"] > MAX_PRINTED_BYTES:
        return None
    return result["ns"], result["build_ns"], result["literal"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=os.path.join(here, "..", "..", "shared", "datasets"))
    parser.add_argument("--out", default=os.path.join(here, "..", "fixtures", "eval", "humaneval_python_fast.jsonl"))
    parser.add_argument("--budget-ms", type=float, default=40.0)
    args = parser.parse_args()
    datasets = args.datasets
    budget_ns = args.budget_ms * 1e6

    humaneval = [json.loads(line) for line in gzip.open(os.path.join(datasets, "humaneval-x", "humaneval_python.jsonl.gz"))]
    csv.field_size_limit(1 << 30)
    with open(os.path.join(datasets, "enamel", "enamel.csv"), newline="") as f:
        enamel = {row["task_id"]: row for row in csv.DictReader(f)}
    experts = json.load(open(os.path.join(datasets, "enamel", "enamel-references.json")))
    coffe_dir = os.path.join(datasets, "coffe", "function")
    coffe = {row["task_id"]: row for row in json.load(open(os.path.join(coffe_dir, "data.json")))
             if row["dataset"] == "openai_humaneval"}
    best = json.load(open(os.path.join(coffe_dir, "best_solutions.json")))
    stressful = json.load(open(os.path.join(coffe_dir, "stressful_testcases.json")))

    lines = []
    for index, task in enumerate(humaneval):
        task_id = f"HumanEval/{index}"
        row = enamel[task_id]
        entry_point = row["entry_point"]
        canonical = task["prompt"] + task["canonical_solution"]
        # The claim of an asymptotic gain is about ENAMEL's expert solution;
        # COFFE's fastest ground truth is often the canonical solution itself.
        canonical_tidy = tidy(canonical)
        candidates = []
        for source, code in [
            ("enamel", tidy(experts[index][0])),
            ("coffe", tidy(best[coffe[task_id]["final_prompt"]][0], rename=("solution", entry_point))),
        ]:
            candidate = {"source": source, "code": code}
            if source == "enamel" and task_id in EXPECTED_FASTER:
                candidate["expected_faster"] = EXPECTED_FASTER[task_id]
            if code == canonical_tidy:
                candidate["same_as_canonical"] = True
            candidates.append(candidate)
        coffe_row = coffe[task_id]

        # Heavy inputs: COFFE's stressful cases, ENAMEL's generator at the
        # largest level the canonical solution handles within the budget.
        # Each stressful case is the expression of a whole argument list.
        pool = [argument_list(case["input"].strip()) for case in stressful[coffe_row["final_prompt"]]
                if case["input"].strip()]
        if generator_is_self_contained(row["input_generator"]):
            sizes = [int(s) for s in row["input_levels"].split()]
            # Smallest level first: the largest ones can take the canonical
            # solution minutes.
            chosen = None

            def fits(size, lid):
                trial = [enamel_expr(row["input_generator"], size, lid, cid) for cid in (0, 1)]
                timings = calibrate(canonical, entry_point, trial)
                if not all(
                    t is not None and t[0] <= budget_ns / 2 and (t[2] or t[1] <= GENERATED_BUILD_NS)
                    for t in timings
                ):
                    return None
                return [f"*{t[2]}" if t[2] else expr for t, expr in zip(timings, trial)]

            for lid, size in enumerate(sizes):
                trial = fits(size, lid)
                if trial is None:
                    # Between the last level that fits and this one: double
                    # the size while it still fits (fib(30) is too slow for
                    # the naive recursion, fib(20) is not).
                    low = sizes[lid - 1] if lid > 0 else 1
                    step = low * 2
                    while step < size:
                        bigger = fits(step, lid)
                        if bigger is None:
                            break
                        chosen = bigger
                        step *= 2
                    break
                chosen = trial
            # ENAMEL's first level holds its hand-written edge cases.
            for expr in (fits(sizes[0], 0) or []) + (chosen or []):
                if expr not in pool:
                    pool.append(expr)
        timings = calibrate(canonical, entry_point, pool)
        usable = sorted(
            (t[0], t[1], expr) for t, expr in zip(timings, pool) if t is not None and t[0] <= budget_ns
        )
        inputs, spent, building = [], 0, 0
        # Heaviest first, while the budget lasts: heavy inputs show complexity.
        for ns, build_ns, expr in reversed(usable):
            if spent + ns <= budget_ns and projected_run_ns(spent + ns, building + build_ns) <= MAX_RUN_NS:
                inputs.append([expr])
                spent += ns
                building += build_ns
        lines.append({
            "task_id": task_id,
            "entry_point": entry_point,
            "inputs": inputs,
            "canonical_ms": round(spent / 1e6, 3),
            "candidates": candidates,
        })
        print(f"{task_id}: {len(inputs)} inputs, canonical {spent / 1e6:.1f} ms, "
              f"arguments built in {building / 1e6:.1f} ms", file=sys.stderr)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        for line in lines:
            f.write(json.dumps(line, sort_keys=True) + "\n")
    print(f"wrote {len(lines)} tasks to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
