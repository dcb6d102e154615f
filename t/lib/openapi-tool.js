// lectern — t/lib/openapi-tool.js: docs/openapi.yaml for the tests.
//
//   node t/lib/openapi-tool.js validate FILE   checks FILE against the
//                                              OpenAPI 3.0 schema
//   node t/lib/openapi-tool.js json FILE OUT   writes FILE as JSON to OUT
//
// The modules come from the project's package.json (scripts/test runs
// npm ci when node_modules is missing or stale).
'use strict';

const fs = require('fs');
const yaml = require('js-yaml');
const SwaggerParser = require('@apidevtools/swagger-parser');

const [cmd, file, out] = process.argv.slice(2);

function fail(msg) {
	process.stderr.write(`openapi-tool: ${msg}\n`);
	process.exit(1);
}

if (cmd === 'validate' && file) {
	SwaggerParser.validate(file).then((api) => {
		process.stdout.write(`${file}: valid OpenAPI ${api.openapi}\n`);
	}).catch((e) => fail(e.message));
} else if (cmd === 'json' && file && out) {
	let doc;
	try {
		doc = yaml.load(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		fail(`${file}: ${e.message}`);
	}
	fs.writeFileSync(`${out}.tmp`, JSON.stringify(doc));
	fs.renameSync(`${out}.tmp`, out);
} else {
	fail('usage: openapi-tool.js validate FILE | json FILE OUT');
}
