/** The import rules of eslint.config.mjs (docs/architecture.md): each boundary refuses a real import across it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';
import { REPO } from '../support/fixtures';

const eslint = new ESLint({ cwd: REPO });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file `file` of the repository. */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test("the runtime may not import the language server's files", async () => {
  const found = await refusals('runtime/src/__lintprobe.ts', "import { x } from '../../server/src/x';\nexport const y = x;\n");
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(found[0], /The runtime imports nothing of the language server/);
});

test('the runtime and the server import the model through its index only', async () => {
  assert.deepEqual(await refusals('runtime/src/__lintprobe.ts', "import { x } from '../../model';\nexport const y = x;\n"), []);
  const deep = await refusals('runtime/src/__lintprobe.ts', "import { x } from '../../model/src/x';\nexport const y = x;\n");
  assert.match(deep.join('\n'), /through its index/);
  const data = await refusals('server/src/__lintprobe.ts', "import x from '../../model/data/x.json';\nexport const y = x;\n");
  assert.match(data.join('\n'), /through its index/);
});

test('the server may not import the runtime', async () => {
  const found = await refusals('server/src/__lintprobe.ts', "import { x } from '../../runtime/src/x';\nexport const y = x;\n");
  assert.match(found.join('\n'), /The server imports nothing of the runtime/);
});

test('the model imports none of the server, the runtime, the client, vscode or native code', async () => {
  for (const spec of ['../../server/src/x', '../../runtime/src/x', '../../client/src/x', 'vscode', '../../native/bindings/x', 'koffi']) {
    const found = await refusals('model/src/__lintprobe.ts', `import { x } from '${spec}';\nexport const y = x;\n`);
    assert.equal(found.length, 1, `${spec}: ${JSON.stringify(found)}`);
  }
});
