/**
 * `phantom bench --lsp`: the built Phantom language server (dist/server.js) against yaml-language-server
 * (with an equivalent JSON schema), both driven over stdio in one run, on Docker's default profile in YAML
 * and on a generated 20,000-line profile. Per server and document: open → first diagnostics, a one-character
 * edit → new diagnostics, completion inside a syscall `names` list, and resident memory after the first
 * diagnostics. Medians over rounds: memory and the cold open in a fresh server process per round, the other
 * figures in one server process per document and server, each round opening the document under a new name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dockerDocument, generatedDocument, writeTheirSchema, type BenchDocument, type BenchFiles } from './benchLspDocuments';
import { LspSession, type LspDiagnostic, type LspServerSpec } from './benchLspSession';

export interface LspServerFigures {
  /** Medians, in milliseconds (memory in MiB). Open → diagnostics in a server that has seen the document kind before. */
  firstDiagnosticsMs: number;
  /** Open → diagnostics as the first thing a freshly started server does (schemas compiled, code not yet optimised). */
  coldFirstDiagnosticsMs: number;
  editDiagnosticsMs: number;
  completionMs: number;
  residentMiB: number;
  /** Diagnostics at the first publication (the document as opened). */
  diagnostics: number;
  completionItems: number;
  samples: { firstDiagnosticsMs: number[]; coldFirstDiagnosticsMs: number[]; editDiagnosticsMs: number[]; completionMs: number[]; residentMiB: number[] };
}

export interface LspDocumentResult {
  document: string;
  lines: number;
  bytes: number;
  phantom: LspServerFigures;
  yamlLanguageServer: LspServerFigures;
  /** ours / theirs per figure: below 1 is better for us. */
  ratios: { firstDiagnostics: number; coldFirstDiagnostics: number; editDiagnostics: number; completion: number; resident: number };
}

export interface LspTarget {
  target: string;
  value: string;
  met: boolean;
}

export interface LspBenchResult {
  rounds: number;
  quick: boolean;
  servers: { phantom: string; yamlLanguageServer: string };
  documents: LspDocumentResult[];
  targets: LspTarget[];
}

/** Lines of the large generated profile (the issue's figure) and of the small one of --quick. */
const LARGE_LINES = 20_000;
const QUICK_LINES = 1_000;
/** Per round: edits (even, so the document ends as it began) and completion requests. */
const EDITS = 4;
const COMPLETIONS = 5;

export async function benchLsp(options: { rounds: number; quick: boolean; onProgress?: (text: string) => void }): Promise<LspBenchResult> {
  const files = locateCheckout();
  const ours = path.join(files.root, 'dist/server.js');
  const theirs = path.join(files.root, 'node_modules/yaml-language-server/bin/yaml-language-server');
  if (!fs.existsSync(ours)) throw new Error(`${ours} is missing: build first (node scripts/build.mjs)`);
  if (!fs.existsSync(theirs)) throw new Error(`${theirs} is missing: yaml-language-server is a devDependency (npm ci)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-bench-lsp-'));
  try {
    const schema = writeTheirSchema(files, work);
    const specs: [LspServerSpec, LspServerSpec] = [
      { name: 'phantom', script: ours, languageId: 'seccomp-profile' },
      {
        name: 'yaml-language-server',
        script: theirs,
        languageId: 'yaml',
        settingsSection: 'yaml',
        settings: {
          yaml: {
            schemas: { [pathToFileURL(schema).href]: ['*.seccomp.yaml'] },
            validate: true,
            completion: true,
            hover: true,
            // Nothing from the network: no schema store, no Kubernetes CRDs.
            schemaStore: { enable: false },
            kubernetesCRDStore: { enable: false },
          },
          '[yaml]': {},
          http: {},
          editor: {},
        },
      },
    ];
    const rounds = options.quick ? Math.min(options.rounds, 2) : options.rounds;
    const documents = [dockerDocument(files), generatedDocument(files, options.quick ? QUICK_LINES : LARGE_LINES)];
    const versions = { phantom: '', yamlLanguageServer: '' };
    const results: LspDocumentResult[] = [];
    for (const document of documents) {
      const figures: LspServerFigures[] = [];
      for (const spec of specs) {
        options.onProgress?.(`lsp: ${spec.name} on ${document.name}`);
        const { figures: f, version } = await measure(spec, document, rounds, path.join(work, spec.name));
        figures.push(f);
        if (spec.name === 'phantom') versions.phantom = version;
        else versions.yamlLanguageServer = version;
      }
      const [phantom, yamlLanguageServer] = figures;
      results.push({
        document: document.name,
        lines: document.lines,
        bytes: Buffer.byteLength(document.text),
        phantom,
        yamlLanguageServer,
        ratios: {
          firstDiagnostics: round(phantom.firstDiagnosticsMs / yamlLanguageServer.firstDiagnosticsMs, 3),
          coldFirstDiagnostics: round(phantom.coldFirstDiagnosticsMs / yamlLanguageServer.coldFirstDiagnosticsMs, 3),
          editDiagnostics: round(phantom.editDiagnosticsMs / yamlLanguageServer.editDiagnosticsMs, 3),
          completion: round(phantom.completionMs / yamlLanguageServer.completionMs, 3),
          resident: round(phantom.residentMiB / yamlLanguageServer.residentMiB, 3),
        },
      });
    }
    return { rounds, quick: options.quick, servers: versions, documents: results, targets: targetsOf(results) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function measure(spec: LspServerSpec, document: BenchDocument, rounds: number, dir: string): Promise<{ figures: LspServerFigures; version: string }> {
  const samples: LspServerFigures['samples'] = { firstDiagnosticsMs: [], coldFirstDiagnosticsMs: [], editDiagnosticsMs: [], completionMs: [], residentMiB: [] };
  // Memory and the cold open: one fresh server per round, as an editor starts it for the file.
  for (let r = 0; r < rounds; r++) {
    const fresh = new LspSession(spec);
    try {
      await fresh.initialize();
      const uri = pathToFileURL(path.join(dir, `fresh-${r}`, document.name)).href;
      const opened = performance.now();
      await fresh.open(uri, document.text);
      const first = await fresh.diagnosticsAfter(uri, opened);
      samples.coldFirstDiagnosticsMs.push(first.at - opened);
      samples.residentMiB.push(fresh.residentKiB() / 1024);
    } finally {
      await fresh.dispose();
    }
  }
  const session = new LspSession(spec);
  let diagnostics = 0;
  let completionItems = 0;
  const { line, nameStart, nameEnd } = document.target;
  const onTarget = (d: LspDiagnostic) => d.range.start.line === line;
  try {
    await session.initialize();
    // One unmeasured open, so that every measured round finds the server as a user does after the first file.
    await openAndWait(session, pathToFileURL(path.join(dir, 'warm-up', document.name)).href, document.text, true);
    for (let r = 0; r < rounds; r++) {
      // A new file name per round: nothing cached from the previous round applies.
      const uri = pathToFileURL(path.join(dir, `round-${r}`, document.name)).href;
      const opened = performance.now();
      const first = await openAndWait(session, uri, document.text, false);
      samples.firstDiagnosticsMs.push(first.at - opened);
      diagnostics = first.diagnostics.length;
      const cleanAtTarget = !first.diagnostics.some(onTarget);
      let version = 1;
      for (let e = 0; e < EDITS; e++) {
        // Append one letter to the syscall name (an unknown name), then remove it again.
        const breaking = e % 2 === 0;
        const sent = performance.now();
        await session.edit(uri, ++version, { line, character: nameEnd }, breaking ? 0 : 1, breaking ? 'x' : '');
        await session.diagnosticsAfter(uri, sent, (list) => list.some(onTarget) === (breaking || !cleanAtTarget));
        samples.editDiagnosticsMs.push(performance.now() - sent);
      }
      for (let c = 0; c < COMPLETIONS; c++) {
        const asked = performance.now();
        // In the middle of the name: the first two letters typed.
        completionItems = await session.completion(uri, { line, character: Math.min(nameStart + 2, nameEnd) });
        samples.completionMs.push(performance.now() - asked);
      }
      await session.close(uri);
    }
  } finally {
    await session.dispose();
  }
  return {
    version: session.serverVersion,
    figures: {
      firstDiagnosticsMs: round(median(samples.firstDiagnosticsMs), 1),
      coldFirstDiagnosticsMs: round(median(samples.coldFirstDiagnosticsMs), 1),
      editDiagnosticsMs: round(median(samples.editDiagnosticsMs), 1),
      completionMs: round(median(samples.completionMs), 1),
      residentMiB: round(median(samples.residentMiB), 1),
      diagnostics,
      completionItems,
      samples: {
        firstDiagnosticsMs: samples.firstDiagnosticsMs.map((v) => round(v, 1)),
        coldFirstDiagnosticsMs: samples.coldFirstDiagnosticsMs.map((v) => round(v, 1)),
        editDiagnosticsMs: samples.editDiagnosticsMs.map((v) => round(v, 1)),
        completionMs: samples.completionMs.map((v) => round(v, 1)),
        residentMiB: samples.residentMiB.map((v) => round(v, 1)),
      },
    },
  };
}

async function openAndWait(session: LspSession, uri: string, text: string, close: boolean) {
  const opened = performance.now();
  await session.open(uri, text);
  const first = await session.diagnosticsAfter(uri, opened);
  if (close) await session.close(uri);
  return first;
}

/** The issue's targets; the 20,000-line figures only apply to that document (not to --quick). */
function targetsOf(results: LspDocumentResult[]): LspTarget[] {
  const targets: LspTarget[] = [];
  for (const r of results) {
    const faster = r.yamlLanguageServer.firstDiagnosticsMs / r.phantom.firstDiagnosticsMs;
    targets.push({ target: `first diagnostics ≥ 6× faster than yaml-language-server (${r.document})`, value: `${faster.toFixed(1)}×`, met: faster >= 6 });
  }
  const large = results.find((r) => r.lines >= LARGE_LINES * 0.99);
  if (large) {
    targets.push({ target: `edit → diagnostics ≤ 100 ms (${large.document})`, value: `${large.phantom.editDiagnosticsMs} ms`, met: large.phantom.editDiagnosticsMs <= 100 });
    targets.push({ target: `completion ≤ 30 ms (${large.document})`, value: `${large.phantom.completionMs} ms`, met: large.phantom.completionMs <= 30 });
  }
  const resident = Math.max(...results.map((r) => r.phantom.residentMiB));
  targets.push({ target: 'resident memory ≤ 70 MiB', value: `${resident} MiB`, met: resident <= 70 });
  return targets;
}

export function describeLspBench(result: LspBenchResult): string[] {
  const lines = [
    `Language servers over stdio: phantom ${result.servers.phantom || ''} vs yaml-language-server ${result.servers.yamlLanguageServer || ''}`.replace(/\s+/g, ' ').trim(),
    `(medians of ${result.rounds} round${result.rounds === 1 ? '' : 's'}; ${EDITS} edits and ${COMPLETIONS} completions per round; ours/theirs below 1 is better for us)`,
  ];
  for (const d of result.documents) {
    lines.push('', `${d.document} — ${d.lines.toLocaleString('en-US')} lines, ${(d.bytes / 1024).toFixed(0)} KiB`);
    lines.push(`  ${''.padEnd(34)}${'phantom'.padStart(10)}${'yaml-ls'.padStart(10)}${'ours/theirs'.padStart(13)}`);
    const row = (label: string, ours: number, theirs: number, ratio: number, unit: string) =>
      `  ${label.padEnd(34)}${`${ours} ${unit}`.padStart(10)}${`${theirs} ${unit}`.padStart(10)}${ratio.toFixed(2).padStart(13)}${ours > 0 && unit === 'ms' ? `  (${(theirs / ours).toFixed(1)}× faster)` : ''}`;
    lines.push(row('open → first diagnostics', d.phantom.firstDiagnosticsMs, d.yamlLanguageServer.firstDiagnosticsMs, d.ratios.firstDiagnostics, 'ms'));
    lines.push(row('  … in a just-started server', d.phantom.coldFirstDiagnosticsMs, d.yamlLanguageServer.coldFirstDiagnosticsMs, d.ratios.coldFirstDiagnostics, 'ms'));
    lines.push(row('edit → new diagnostics', d.phantom.editDiagnosticsMs, d.yamlLanguageServer.editDiagnosticsMs, d.ratios.editDiagnostics, 'ms'));
    lines.push(row('completion in a names list', d.phantom.completionMs, d.yamlLanguageServer.completionMs, d.ratios.completion, 'ms'));
    lines.push(row('resident after first diagnostics', d.phantom.residentMiB, d.yamlLanguageServer.residentMiB, d.ratios.resident, 'MiB'));
    lines.push(`  diagnostics on open: ${d.phantom.diagnostics} / ${d.yamlLanguageServer.diagnostics}; completion items: ${d.phantom.completionItems} / ${d.yamlLanguageServer.completionItems}`);
  }
  lines.push('', 'Targets');
  for (const t of result.targets) lines.push(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.value}`);
  return lines;
}

/** The checkout: the folder above this file (runtime/src or dist) whose package.json is ours. */
function locateCheckout(): BenchFiles {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'phantom-fragment') return { root: dir };
  }
  throw new Error(`phantom bench --lsp runs in a checkout of the project (it needs dist/server.js and yaml-language-server); none found above ${__dirname}`);
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
