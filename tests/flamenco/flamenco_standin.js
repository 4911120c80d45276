// A small stand-in for the Flamenco 3 Manager's job compiler, to test job-type scripts with
// Node (Flamenco itself needs a newer Go than Debian has, and no package installs it).
//
// It runs a job-type script the way the Manager does (blender/flamenco,
// internal/manager/job_compilers/: job_compilers.go, author.go, js_globals.go) and keeps
// what matters to a script:
// - the script runs in strict mode, in a runtime of its own with no `console` and no
//   `require`; its globals are `author`, `path`, `print`, `alert`, `frameChunker` and
//   `formatTimestampLocal`;
// - author.Task(name, type) trims both and throws when either is empty; a task gets a UUID,
//   priority 50, no commands and no dependencies;
// - author.Command(name, parameters[, totalStepCount]) makes a command;
// - job.addTask(task) stores a COPY of the task as it is then (Go appends the struct by
//   value): commands or dependencies added to the task afterwards are not in the job;
// - task.addDependency(other) records the other task, which the job finds by its UUID.
// compile() returns what the Manager would store: the tasks as plain data, dependencies as
// UUIDs, and the job's settings (a script may change them, as simple_blender_render.js does).

"use strict";

const fs = require("node:fs");
const nodePath = require("node:path");
const vm = require("node:vm");
const crypto = require("node:crypto");

function makeAuthor() {
    return {
        Task(name, type) {
            name = String(name === undefined ? "" : name).trim();
            type = String(type === undefined ? "" : type).trim();
            if (name === "") {
                throw new Error("author.Task(name, type): name is required");
            }
            if (type === "") {
                throw new Error("author.Task(name, type): type is required");
            }
            return new AuthoredTask(name, type);
        },
        Command(name, parameters, totalStepCount) {
            return { name: name, parameters: parameters, totalStepCount: totalStepCount || 0 };
        },
    };
}

class AuthoredTask {
    constructor(name, type) {
        this.uuid = crypto.randomUUID();
        this.name = name;
        this.type = type;
        this.priority = 50;
        this.commands = [];
        this.dependencies = [];
    }

    addCommand(command) {
        this.commands.push(Object.assign({}, command));
    }

    addDependency(task) {
        this.dependencies.push(task);
    }
}

class AuthoredJob {
    constructor(job) {
        this.name = job.name || "test job";
        this.jobType = job.jobType || "";
        this.priority = job.priority || 50;
        this.created = job.created || new Date();
        this.settings = Object.assign({}, job.settings);
        this.metadata = Object.assign({}, job.metadata);
        this.tasks = [];
    }

    addTask(task) {
        // a copy, as Go's append(aj.Tasks, *at): later additions to the task are lost
        this.tasks.push({
            uuid: task.uuid,
            name: task.name,
            type: task.type,
            priority: task.priority,
            commands: task.commands.map((command) => JSON.parse(JSON.stringify(command))),
            dependencies: task.dependencies.map((dependency) => dependency.uuid),
        });
    }
}

// Flamenco's path module works on forward slashes, whatever the Manager's platform.
const path = {
    join: (...parts) => nodePath.posix.join(...parts),
    dirname: (p) => nodePath.posix.dirname(p),
    basename: (p) => nodePath.posix.basename(p),
    stem: (p) => nodePath.posix.basename(p, nodePath.posix.extname(p)),
};

// "1-5, 8" in chunks of `size` frames: ["1-2", "3-4", "5,8"] (consecutive frames as a range).
function frameChunker(frames, size) {
    const list = [];
    for (const part of String(frames).split(",")) {
        const [first, last] = part.trim().split("-").map((n) => parseInt(n, 10));
        for (let frame = first; frame <= (isNaN(last) ? first : last); frame++) {
            list.push(frame);
        }
    }
    const chunks = [];
    for (let start = 0; start < list.length; start += size) {
        chunks.push(ranges(list.slice(start, start + size)));
    }
    return chunks;
}

function ranges(frames) {
    const out = [];
    let first = frames[0];
    for (let i = 1; i <= frames.length; i++) {
        if (i === frames.length || frames[i] !== frames[i - 1] + 1) {
            const last = frames[i - 1];
            out.push(first === last ? `${first}` : `${first}-${last}`);
            first = frames[i];
        }
    }
    return out.join(",");
}

// Go layout "2006-01-02_150405", local time.
function formatTimestampLocal(date) {
    const two = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}_` +
        `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

// Load a job-type script: its JOB_TYPE, and compile(job) -> {tasks, settings, printed}.
function load(file) {
    const printed = [];
    const context = vm.createContext({
        author: makeAuthor(),
        path: path,
        print: (...values) => printed.push(values.map(String).join(" ")),
        alert: (...values) => printed.push(values.map(String).join(" ")),
        frameChunker: frameChunker,
        formatTimestampLocal: formatTimestampLocal,
    });
    vm.runInContext("delete globalThis.console", context);   // V8 gives every context one; goja none
    const source = fs.readFileSync(file, "utf8");
    // Top-level const/function declarations of a strict script are reachable from later
    // scripts in the same context, as the Manager reaches JOB_TYPE and compileJob.
    vm.runInContext(`"use strict";\n${source}`, context, { filename: file });
    const jobType = vm.runInContext("JOB_TYPE", context);
    return {
        jobType: jobType,
        printed: printed,
        compile(job) {
            const authored = new AuthoredJob(job);
            context.__job = authored;
            vm.runInContext("compileJob(__job)", context);
            return { tasks: authored.tasks, settings: authored.settings, printed: printed };
        },
        run(code) {
            return vm.runInContext(`"use strict";\n${code}`, context);
        },
    };
}

module.exports = { load, frameChunker };
