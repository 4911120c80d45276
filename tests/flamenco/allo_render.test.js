// extras/flamenco/allo_render.js, compiled by the Flamenco stand-in: K shard tasks running
// ALLO's command line with absolute paths, then one task after all of them.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const nodePath = require("node:path");
const { load } = require("./flamenco_standin.js");

const SCRIPT = nodePath.join(__dirname, "..", "..", "extras", "flamenco", "allo_render.js");

const SETTINGS = {
    config: "/farm/allo/render_config.yaml", exp_num: 3, anomaly: true, modes: "illumination depth",
    shards: 3, executable_kind: "python", executable: "/farm/allo/.venv/bin/python",
    exp_dir: "/farm/allo/renders/exp_3", postprocess_output: "/farm/allo/renders/test",
};

function compile(overrides) {
    return load(SCRIPT).compile({ settings: { ...SETTINGS, ...overrides } });
}

function commandLines(task) {
    return task.commands.map((c) => [c.name, c.parameters.exe, ...c.parameters.args]);
}

test("one render task per shard, then merge and post-process after all of them", () => {
    const job = compile({});
    assert.deepEqual(job.tasks.map((t) => [t.name, t.type]), [
        ["render-shard-0-of-3", "blender"], ["render-shard-1-of-3", "blender"],
        ["render-shard-2-of-3", "blender"], ["merge-and-postprocess", "misc"]]);
    const python = SETTINGS.executable;
    job.tasks.slice(0, 3).forEach((task, shard) => {
        assert.deepEqual(commandLines(task), [[
            "exec", python, "-m", "allo_addon.headless", "render",
            "--config", "/farm/allo/render_config.yaml", "--exp_num", "3", "--anomaly",
            "--mode", "illumination", "depth", "--shard", `${shard}/3`]]);
        assert.deepEqual(task.dependencies, []);
    });
    const finish = job.tasks[3];
    assert.deepEqual(commandLines(finish), [
        ["exec", python, "-m", "allo_addon.headless", "merge", "--exp", "/farm/allo/renders/exp_3"],
        ["exec", python, "-m", "allo_addon.headless", "postprocess", "--input",
         "/farm/allo/renders/exp_3", "--output", "/farm/allo/renders/test", "--anomaly"]]);
    assert.deepEqual(finish.dependencies, job.tasks.slice(0, 3).map((t) => t.uuid));
});

test("a normal batch without modes or post-process: plain shards and a merge", () => {
    const job = compile({ anomaly: false, modes: "", shards: 1, postprocess_output: "" });
    assert.deepEqual(commandLines(job.tasks[0])[0].slice(4), [
        "render", "--config", "/farm/allo/render_config.yaml", "--exp_num", "3", "--shard", "0/1"]);
    assert.deepEqual(commandLines(job.tasks[1]).map((line) => line[4]), ["merge"]);
    assert.deepEqual(job.tasks[1].dependencies, [job.tasks[0].uuid]);
});

test("with a Blender executable, the same commands run inside Blender", () => {
    const job = compile({ executable_kind: "blender", executable: "C:\\Blender\\blender.exe",
                          shards: 2, blender_module: "bl_ext.studio.allo" });
    const [line] = commandLines(job.tasks[1]);
    assert.deepEqual(line.slice(0, 8), [
        "exec", "C:\\Blender\\blender.exe", "-b", "--python-exit-code", "1", "--python-expr",
        "import importlib; cli = importlib.import_module('bl_ext.studio.allo.headless'); " +
        "cli.exit_now(cli.main())", "--"]);
    assert.deepEqual(line.slice(8, 9).concat(line.slice(-2)), ["render", "--shard", "1/2"]);
});

test("every path handed to a worker is absolute", () => {
    for (const task of compile({}).tasks) {
        for (const command of task.commands) {
            const args = command.parameters.args;
            const paths = [command.parameters.exe].concat(
                args.filter((arg, i) => ["--config", "--exp", "--input", "--output"].includes(args[i - 1])));
            assert.ok(paths.length > 1);
            for (const p of paths) {
                assert.ok(nodePath.isAbsolute(p), `${task.name}: ${p}`);
            }
        }
    }
});

test("a wrong setting stops the job with a message naming it, before any task", () => {
    const cases = [
        [{ shards: 0 }, "setting shards is 0; expected a whole number of at least 1"],
        [{ shards: 2.5 }, "setting shards is 2.5; expected a whole number of at least 1"],
        [{ shards: "4" }, 'setting shards is "4"; expected a whole number of at least 1'],
        [{ exp_num: -1 }, "setting exp_num is -1; expected a whole number of at least 0"],
        [{ config: "render_config.yaml" }, 'setting config is "render_config.yaml"; expected an absolute path (workers run the commands in a folder of their own)'],
        [{ executable: "python3" }, 'setting executable is "python3"; expected an absolute path (workers run the commands in a folder of their own)'],
        [{ exp_dir: "" }, 'setting exp_dir is ""; expected an absolute path (workers run the commands in a folder of their own)'],
        [{ postprocess_output: "renders/test" }, 'setting postprocess_output is "renders/test"; expected an absolute path (workers run the commands in a folder of their own)'],
        [{ exp_dir: "/farm/allo/renders/exp_4" }, 'setting exp_dir is "/farm/allo/renders/exp_4", whose last folder is "exp_4"; expected the exp_3 folder of exp_num 3 (<output_dir>/exp_3)'],
        [{ modes: "illumination lighting" }, 'setting modes has "lighting"; expected some of: illumination depth scale colour'],
        [{ executable_kind: "conda" }, 'setting executable_kind is "conda"; expected "python" or "blender"'],
        [{ executable_kind: "blender", blender_module: "bl_ext.user default" }, 'setting blender_module is "bl_ext.user default"; expected a Python module name such as bl_ext.user_default.allo'],
    ];
    for (const [overrides, message] of cases) {
        assert.throws(() => compile(overrides), (thrown) => {
            assert.equal(thrown, message);
            return true;
        });
    }
});

test("paths may start with a Flamenco variable, and modes with commas", () => {
    const job = compile({ config: "{allo}/render_config.yaml", modes: "scale,colour" });
    const args = job.tasks[0].commands[0].parameters.args;
    assert.equal(args[args.indexOf("--config") + 1], "{allo}/render_config.yaml");
    assert.deepEqual(args.slice(args.indexOf("--mode") + 1, args.indexOf("--shard")), ["scale", "colour"]);
});

test("JOB_TYPE offers every setting compileJob reads", () => {
    const keys = Array.from(load(SCRIPT).jobType.settings, (s) => s.key);   // into this realm
    assert.deepEqual(keys.slice().sort(), ["anomaly", "blender_module", "config", "executable",
        "executable_kind", "exp_dir", "exp_num", "modes", "postprocess_output", "shards"]);
});
