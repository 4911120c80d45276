// SPDX-License-Identifier: GPL-3.0-or-later
//
// ALLO dataset render: a Flamenco 3 job type. Copy this file into the Manager's `scripts/`
// folder (next to flamenco-manager) and restart the Manager; the job type "ALLO Dataset
// Render" then appears to every submitter (README, "Rendering on a cluster").
//
// A job renders one exp_<N> of an ALLO config in `shards` tasks, each
//   <executable> -m allo_addon.headless render --config C --exp_num N … --shard i/K
// and then one task, once all shards are done, that folds the shards' manifest parts into
// manifest.jsonl (`merge`) and, when `postprocess_output` is set, post-processes the exp.
// Shards of one exp may run on any workers at once: ALLO claims each camera-day, renders into
// per-process scratch folders and records into per-process manifest parts, so a shared output
// folder is safe (NFS with locking). A failed shard task can simply be requeued: it resumes.
//
// Flamenco's `exec` command has no working-directory parameter and workers start in a folder
// of their own, so every path here must be absolute (or start with a Flamenco variable such
// as {allo}, which the Manager replaces with an absolute path per platform).

const JOB_TYPE = {
    label: "ALLO Dataset Render",
    description: "Render an ALLO anomaly-detection dataset (one exp_<N>) in shards, then merge and post-process it",
    settings: [
        { key: "config", type: "string", subtype: "file_path", required: true,
          description: "Absolute path of render_config.yaml, as every worker sees it" },
        { key: "exp_num", type: "int32", required: true, default: 0, propargs: { min: 0 },
          description: "Experiment number: images go to <output_dir>/exp_<N>" },
        { key: "anomaly", type: "bool", default: false,
          description: "Render anomalous images (with their normal twins) instead of normal ones" },
        { key: "modes", type: "string", default: "",
          description: "Variation modes, separated by spaces: illumination depth scale colour" },
        { key: "shards", type: "int32", required: true, default: 4, propargs: { min: 1 },
          description: "Number of render tasks; shard i renders every K-th camera-day from i" },
        { key: "executable_kind", type: "string", default: "python", choices: ["python", "blender"],
          description: "python: a Python with the bpy module and ALLO (e.g. ALLO's .venv/bin/python); blender: a Blender with the ALLO extension enabled" },
        { key: "executable", type: "string", subtype: "file_path", required: true,
          description: "Absolute path of that Python or Blender on the workers" },
        { key: "blender_module", type: "string", default: "bl_ext.user_default.allo",
          description: "With a Blender executable: the module Blender installed ALLO as" },
        { key: "exp_dir", type: "string", subtype: "dir_path", required: true,
          description: "Absolute path of the exp_<N> folder the config's output_dir gives (for merge and post-process)" },
        { key: "postprocess_output", type: "string", subtype: "dir_path", default: "",
          description: "Absolute path of the split folder to post-process into (e.g. …/renders/train); empty: no post-process" },
    ],
};

const MODES = ["illumination", "depth", "scale", "colour", "color"];

function compileJob(job) {
    const settings = checkedSettings(job.settings);
    const renderTasks = [];
    for (let shard = 0; shard < settings.shards; shard++) {
        const task = author.Task(`render-shard-${shard}-of-${settings.shards}`, "blender");
        task.addCommand(allo(settings, "render", renderArgs(settings, shard)));
        renderTasks.push(task);
    }
    const finish = author.Task("merge-and-postprocess", "misc");
    finish.addCommand(allo(settings, "merge", ["--exp", settings.exp_dir]));
    if (settings.postprocess_output) {
        const args = ["--input", settings.exp_dir, "--output", settings.postprocess_output];
        finish.addCommand(allo(settings, "postprocess", settings.anomaly ? args.concat(["--anomaly"]) : args));
    }
    // The job keeps a copy of each task as it is added: commands and dependencies come first.
    for (const task of renderTasks) {
        finish.addDependency(task);
        job.addTask(task);
    }
    job.addTask(finish);
}

function renderArgs(settings, shard) {
    let args = ["--config", settings.config, "--exp_num", String(settings.exp_num)];
    if (settings.anomaly) {
        args.push("--anomaly");
    }
    if (settings.modes.length > 0) {
        args = args.concat(["--mode"], settings.modes);
    }
    return args.concat(["--shard", `${shard}/${settings.shards}`]);
}

// One `exec` command running `python -m allo_addon.headless <command> <args>`, or the same
// command inside Blender (ALLO's command line reads the arguments after `--`).
function allo(settings, command, args) {
    let before;
    if (settings.executable_kind === "python") {
        before = ["-m", "allo_addon.headless"];
    } else {
        const run = `import importlib; cli = importlib.import_module('${settings.blender_module}.headless'); cli.exit_now(cli.main())`;
        before = ["-b", "--python-exit-code", "1", "--python-expr", run, "--"];
    }
    return author.Command("exec", { exe: settings.executable, args: before.concat([command], args) });
}

// The settings, checked: a wrong one stops the submission with a message naming it, before
// any task exists.
function checkedSettings(raw) {
    const settings = Object.assign({}, raw);
    settings.shards = wholeNumber(raw.shards, "shards", 1);
    settings.exp_num = wholeNumber(raw.exp_num, "exp_num", 0);
    settings.anomaly = raw.anomaly === true;
    settings.executable_kind = raw.executable_kind || "python";
    if (settings.executable_kind !== "python" && settings.executable_kind !== "blender") {
        throw `setting executable_kind is "${settings.executable_kind}"; expected "python" or "blender"`;
    }
    settings.blender_module = raw.blender_module || "bl_ext.user_default.allo";
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(settings.blender_module)) {
        throw `setting blender_module is "${settings.blender_module}"; expected a Python module name such as bl_ext.user_default.allo`;
    }
    for (const key of ["config", "executable", "exp_dir"]) {
        settings[key] = absolutePath(raw[key], key);
    }
    settings.postprocess_output = raw.postprocess_output ? absolutePath(raw.postprocess_output, "postprocess_output") : "";
    const expName = baseName(settings.exp_dir);
    if (expName !== `exp_${settings.exp_num}`) {
        throw `setting exp_dir is "${settings.exp_dir}", whose last folder is "${expName}"; expected the exp_${settings.exp_num} folder of exp_num ${settings.exp_num} (<output_dir>/exp_${settings.exp_num})`;
    }
    settings.modes = String(raw.modes || "").split(/[\s,]+/).filter((mode) => mode.length > 0);
    for (const mode of settings.modes) {
        if (MODES.indexOf(mode) < 0) {
            throw `setting modes has "${mode}"; expected some of: illumination depth scale colour`;
        }
    }
    return settings;
}

function wholeNumber(value, key, least) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < least) {
        throw `setting ${key} is ${JSON.stringify(value)}; expected a whole number of at least ${least}`;
    }
    return value;
}

// Absolute on the workers: /…, C:\… or C:/…, \\server\share\…, or a Flamenco variable {…}.
function absolutePath(value, key) {
    const text = typeof value === "string" ? value.trim() : "";
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\|\{[^}]+\})/.test(text)) {
        throw `setting ${key} is ${JSON.stringify(value === undefined ? "" : value)}; expected an absolute path (workers run the commands in a folder of their own)`;
    }
    return text;
}

function baseName(folder) {
    const parts = folder.split(/[\\/]+/).filter((part) => part.length > 0);
    return parts.length > 0 ? parts[parts.length - 1] : "";
}
