// The stand-in behaves as Flamenco's job compiler where a job type can tell: checked with
// Flamenco's own built-in job type (fixtures/simple_blender_render.js) against what it
// compiles to in Flamenco, read from that script and Flamenco's author.go.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const nodePath = require("node:path");
const fs = require("node:fs");
const os = require("node:os");
const { load } = require("./flamenco_standin.js");

const SIMPLE = nodePath.join(__dirname, "fixtures", "simple_blender_render.js");

function scriptFile(text) {
    const folder = fs.mkdtempSync(nodePath.join(os.tmpdir(), "standin-"));
    const file = nodePath.join(folder, "job.js");
    fs.writeFileSync(file, `const JOB_TYPE = { label: "t", settings: [] };\n${text}`);
    return file;
}

test("simple_blender_render.js compiles to Flamenco's tasks", () => {
    const created = new Date(2026, 10, 28, 9, 5, 7);   // local time, as formatTimestampLocal
    const job = load(SIMPLE).compile({
        created: created,
        settings: {
            frames: "1-5", chunk_size: 2, format: "PNG", image_file_extension: ".png", fps: 24,
            has_previews: false, scene: "Scene", blendfile: "/projects/shot.flamenco.blend",
            render_output_path: "/render/shot/{timestamp}/######",
        },
    });
    const dir = "/render/shot/2026-11-28_090507";
    assert.equal(job.settings.render_output_path, `${dir}/######`);
    assert.deepEqual(job.tasks.map((t) => [t.name, t.type, t.priority]), [
        ["render-1-2", "blender", 50], ["render-3-4", "blender", 50], ["render-5", "blender", 50],
        ["preview-video", "ffmpeg", 50]]);
    assert.deepEqual(job.tasks[1].commands, [{
        name: "blender-render", totalStepCount: 0,
        parameters: {
            exe: "{blender}", exeArgs: "{blenderArgs}", argsBefore: [],
            blendfile: "/projects/shot.flamenco.blend",
            args: ["--scene", "Scene", "--render-output", `${dir}/######`, "--render-format", "PNG",
                   "--render-frame", "3..4"],
        },
    }]);
    const video = job.tasks[3];
    assert.deepEqual(video.commands[0].parameters, {
        exe: "ffmpeg", fps: 24, inputGlob: `${dir}/*.png`, outputFile: `${dir}/shot-1-5.mp4`,
        args: ["-c:v", "h264", "-crf", "20", "-g", "18", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
               "-pix_fmt", "yuv420p", "-r", 24, "-y"],
    });
    assert.deepEqual(video.dependencies, job.tasks.slice(0, 3).map((t) => t.uuid));
    assert.equal(new Set(job.tasks.map((t) => t.uuid)).size, 4);
});

test("simple_blender_render.js: no video task without a frame rate, and video formats refused", () => {
    const settings = { frames: "1,3", chunk_size: 1, format: "PNG", scene: "",
                       blendfile: "/p/a.blend", render_output_path: "/r/######" };
    const job = load(SIMPLE).compile({ settings: settings });
    assert.deepEqual(job.tasks.map((t) => t.name), ["render-1", "render-3"]);
    assert.deepEqual(job.tasks[0].commands[0].parameters.args.slice(0, 2), ["--render-output", "/r/######"]);
    assert.throws(() => load(SIMPLE).compile({ settings: { ...settings, format: "FFMPEG" } }),
                  (thrown) => thrown === 'This job type only renders images, and not "FFMPEG"');
});

test("author.Task refuses an empty (or blank) name or type", () => {
    const script = load(scriptFile("function compileJob(job) {}"));
    for (const [call, message] of [
        ['author.Task("", "misc")', "author.Task(name, type): name is required"],
        ['author.Task("  ", "misc")', "author.Task(name, type): name is required"],
        ['author.Task("a", "")', "author.Task(name, type): type is required"],
        ['author.Task("a")', "author.Task(name, type): type is required"]]) {
        assert.throws(() => script.run(call), { message: message });
    }
    assert.equal(script.run('author.Task("  a ", " misc ").name'), "a");
});

test("a task added to the job is a copy: what is added to it afterwards is lost", () => {
    const job = load(scriptFile(`
        function compileJob(job) {
            const first = author.Task("first", "misc");
            const second = author.Task("second", "misc");
            second.addCommand(author.Command("exec", { exe: "/bin/true", args: [] }));
            job.addTask(first);
            job.addTask(second);
            second.addCommand(author.Command("exec", { exe: "/bin/false", args: [] }, 3));
            second.addDependency(first);
        }`)).compile({ settings: {} });
    assert.deepEqual(job.tasks[1].commands.map((c) => c.parameters.exe), ["/bin/true"]);
    assert.deepEqual(job.tasks[1].dependencies, []);
});

test("scripts run in strict mode, without console or require", () => {
    const script = load(scriptFile("function compileJob(job) {}"));
    assert.throws(() => script.run("undeclared = 1"), { name: "ReferenceError" });   // another realm's class
    assert.equal(script.run("typeof console"), "undefined");
    assert.equal(script.run("typeof require"), "undefined");
    assert.equal(script.run("(function () { return this; })()"), undefined);
});
