"""The Kubernetes and HTCondor samples (examples/cluster/) are not run on those engines; this
checks that their commands are ones our command line accepts, with one shard per index."""

import re
import shlex

import yaml

from allo_addon.headless import build_parser
from conftest import REPO

SAMPLES = REPO / "examples" / "cluster"


def headless_commands(shell: str) -> list[list[str]]:
    """The argument lists after `-m allo_addon.headless` in a shell command line."""
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, current = [], None
    for word in lexer:
        if word in (";", "&&"):
            current = None
        elif word == "allo_addon.headless":
            current = []
            commands.append(current)
        elif current is not None:
            current.append(word)
    return commands


def parse(args):
    return build_parser(args).parse_args(args)


def test_kubernetes_indexed_job_renders_one_shard_per_index():
    job = yaml.safe_load((SAMPLES / "kubernetes" / "render-job.yaml").read_text())
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    [render] = headless_commands(container["args"][0])
    for index in range(spec["completions"]):
        shell = [a.replace("${JOB_COMPLETION_INDEX}", str(index)) for a in render]
        args = parse(shell)
        assert args.command == "render" and args.shard == f"{index}/{spec['completions']}"


def test_kubernetes_postprocess_checks_status_first():
    job = yaml.safe_load((SAMPLES / "kubernetes" / "postprocess-job.yaml").read_text())
    container = job["spec"]["template"]["spec"]["containers"][0]
    status, postprocess = headless_commands(container["args"][0])
    assert parse(status).command == "status" and parse(postprocess).command == "postprocess"
    assert "&&" in container["args"][0]   # no post-process when status exits 1


def submit_values(name: str) -> dict:
    text = (SAMPLES / "htcondor" / name).read_text()
    values = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", text, re.M))
    values["queue"] = re.search(r"^queue\s*(\d*)$", text, re.M)[1] or "1"
    return values


def test_htcondor_procs_render_one_shard_each():
    values = submit_values("render.sub")
    arguments = shlex.split(values["arguments"].strip('"'))
    assert arguments[:2] == ["-m", "allo_addon.headless"]
    count = int(values["queue"])
    for proc in range(count):
        args = parse([a.replace("$(ProcId)", str(proc)) for a in arguments[2:]])
        assert args.command == "render" and args.shard == f"{proc}/{count}"


def test_htcondor_dag_postprocesses_after_the_shards():
    values = submit_values("postprocess.sub")
    script = shlex.split(values["arguments"].strip('"'))[1]   # bash -c '<script>'
    status, postprocess = headless_commands(script)
    assert parse(status).command == "status" and parse(postprocess).command == "postprocess"
    assert script.startswith("set -e;")
    dag = (SAMPLES / "htcondor" / "allo.dag").read_text()
    assert re.search(r"^PARENT render CHILD postprocess$", dag, re.M)
