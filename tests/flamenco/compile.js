// node tests/flamenco/compile.js JOB_TYPE_SCRIPT SETTINGS_JSON: the tasks the stand-in
// compiles, as JSON on stdout; a job type's own error on stderr, exit status 2.
"use strict";

const { load } = require("./flamenco_standin.js");

const [script, settings] = process.argv.slice(2);
try {
    const job = load(script).compile({ settings: JSON.parse(settings) });
    process.stdout.write(JSON.stringify(job.tasks, null, 1) + "\n");
} catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 2;
}
