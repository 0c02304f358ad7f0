// `value-lens demo`: the newcomer's first run. Checks the bundled examples, makes sure a model server and
// model are there (or explains how to get them), scores the examples for real, and writes results and an
// HTML report into ./value-lens-demo/. It never invents model output.

import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { flag, parseFlags, str, type Parsed } from './args';
import { runCheck } from './check';
import { DEFAULT_OLLAMA_MODEL, loadConfig } from './config';
import { EXIT_FINDINGS, EXIT_OK, InputError, UsageError } from './errors';
import { print, type Io } from './io';
import { providerFactory, requireOllamaModel, unreachableHelp } from './providers';
import { bundleDir } from './version';
import { analyseAndWrite, scoreStudy } from './run';
import { checkLanguages, resolveScoreSettings, SCORE_OPTIONS } from './score';
import { loadSurvey } from './diagnostics';
import { loadStudyForCli } from './study';
import { ProviderError } from '../core/model';

export const DEMO_HELP = `Usage: value-lens demo [options]

Checks the examples, runs the demo study (examples/demo.study.json: 23 items × 4 languages, one model)
and writes into value-lens-demo/
  records.jsonl, runs/       the study's corpus: one JSON line per request, one manifest per run
  analysis.json, analysis/   the analysis, and every table as tidy CSV
  report.html                the charts, viewable offline in any browser
By default it uses a local Ollama (OLLAMA_HOST or http://127.0.0.1:11434) with the small model
${DEFAULT_OLLAMA_MODEL}; if none is reachable it says how to start one.

Options:
  --out-dir DIR          where to write (default ./value-lens-demo)
  --examples DIR         the examples to use (default: the ones shipped with Value Lens)
  --provider P           ollama (default) or openai (OPENAI_BASE_URL, OPENAI_API_KEY)
  --model M              model (default ${DEFAULT_OLLAMA_MODEL} for ollama)
  --endpoint URL         server URL
  --item ID,...          only these items;  --lang da,nl,en,pt  only these languages
  --method, --samples, --temperature, --seed, --concurrency, --timeout, --fresh, --cache-dir,
  --config, --verbose    as for \`value-lens score\`
  -h, --help             show this help

Exit codes: 0 report written, 1 examples have errors, no server/model, or some requests failed
(the report is still written), 2 bad usage.`;

const { template: _t, 'template-name': _n, out: _o, append: _a, paraphrases: _p, ...DEMO_SCORE_OPTIONS } = SCORE_OPTIONS;

async function pick(dir: string, preferred: string, extension: string): Promise<string> {
  if (
    await fs.stat(join(dir, preferred)).then(
      () => true,
      () => false,
    )
  )
    return join(dir, preferred);
  const names = (await fs.readdir(dir)).filter((n) => n.toLowerCase().endsWith(extension)).sort();
  if (!names.length) throw new InputError(`The examples folder ${dir} has no ${extension} file.`);
  return join(dir, names[0]);
}

const DEMO_OPTIONS = { ...DEMO_SCORE_OPTIONS, 'out-dir': { type: 'string' }, examples: { type: 'string' } } as const;

/**
 * `npm run demo --model X` (no `--`): npm keeps `--model` as its own config (npm_config_model=true) and passes
 * X on as a bare word, so the demo would silently run the default model. Names the flags npm took and the
 * command that passes them (issue 19); undefined when not run by npm or nothing was taken.
 */
export function npmSwallowedFlags(
  env: NodeJS.ProcessEnv,
  argv: string[],
  names: readonly string[] = Object.keys(DEMO_OPTIONS),
): string | undefined {
  if (!env.npm_lifecycle_event) return undefined;
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const taken = names.filter((name) => env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined && !given.has(name));
  if (taken.length === 0) return undefined;
  const words = argv.filter((a) => !a.startsWith('-'));
  const value = (name: string, index: number): string => {
    const set = env[`npm_config_${name.replace(/-/g, '_')}`];
    if (set && set !== 'true') return ` ${set}`;
    const spec = (DEMO_OPTIONS as Record<string, { type: string }>)[name];
    if (spec?.type === 'boolean') return '';
    // One taken flag and one stray word: that word was its value.
    return taken.length === 1 && words.length === 1
      ? ` ${words[0]}`
      : index < words.length && taken.length === words.length
        ? ` ${words[index]}`
        : ' VALUE';
  };
  const suggestion = taken.map((name, index) => `--${name}${value(name, index)}`).join(' ');
  return (
    `npm took ${taken.map((n) => `--${n}`).join(', ')} as its own option${taken.length > 1 ? 's' : ''}${words.length ? ` and passed ${words.join(' ')} on as bare words` : ''}, ` +
    `so the demo would ignore ${taken.length > 1 ? 'them' : 'it'}. Put the demo's options after \`--\`:\n  npm ${env.npm_lifecycle_event === 'demo' ? 'run demo' : `run ${env.npm_lifecycle_event}`} -- ${suggestion}`
  );
}

/**
 * How the user can run this CLI again from their shell: \`value-lens\` is on PATH only after a global
 * install, so a run from a clone (npm run demo, node dist/cli.js) is told \`node dist/cli.js\`, anything
 * else \`npx value-lens\` (issue 19).
 */
export function cliCommand(io: Pick<Io, 'cwd' | 'env' | 'script'>, script: string | undefined = io.script ?? process.argv[1]): string {
  const fromClone = script !== undefined && !script.split(sep).includes('node_modules') && /cli\.js$/.test(script);
  if (!fromClone) return 'npx value-lens';
  const path = relative(io.cwd, script);
  return `node ${path.startsWith('..') || isAbsolute(path) ? script : path}`;
}

export async function runDemo(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const swallowed = npmSwallowedFlags(io.env, argv);
  if (swallowed) throw new UsageError(swallowed, 'demo');
  const parsed = parseFlags('demo', argv, DEMO_OPTIONS, false);
  if (flag(parsed, 'help')) {
    print(io.stdout, DEMO_HELP);
    return EXIT_OK;
  }
  const examplesFlag = str(parsed, 'examples');
  const examples = examplesFlag ? resolve(io.cwd, examplesFlag) : resolve(bundleDir(), '..', 'examples');
  if (
    !(await fs.stat(examples).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new UsageError(`The examples folder ${examples} does not exist (use --examples DIR).`, 'demo');
  }
  const outDir = resolve(io.cwd, str(parsed, 'out-dir') ?? 'value-lens-demo');

  print(io.stdout, `1. Checking the examples in ${examples}`);
  const checkIo: Io = { ...io, stderr: { write: () => true } as unknown as Io['stderr'] };
  if ((await runCheck([examples], checkIo)) !== EXIT_OK) {
    print(io.stderr, 'The examples have errors (listed above); fix them or pass --examples DIR.');
    return EXIT_FINDINGS;
  }

  const items = await pick(examples, 'wvs7-sample.wvs', '.wvs');
  const templates = await pick(examples, 'prompts.wvt', '.wvt');
  const resultsPath = join(outDir, 'results.jsonl');

  const { config, path: configPath } = await loadConfig(str(parsed, 'config'), io.cwd);
  const settings = resolveScoreSettings(
    { values: { ...parsed.values, template: templates, out: resultsPath }, positionals: [items] },
    config,
    io,
    configPath,
  );
  // A language the items do not have is a usage error before any server is contacted, not 92 failures.
  checkLanguages(settings.languages, await loadSurvey(items, items, checkIo.stderr), items, 'demo', settings.itemIds);

  print(io.stdout, `2. Looking for a model server: ${settings.provider} at ${settings.endpoint}, model ${settings.model}`);
  if (settings.provider === 'openai') await probeOpenAI(settings.endpoint, settings.model, io, signal);
  else {
    const provider = providerFactory(io.env)('ollama', settings.endpoint);
    await requireOllamaModel(provider, settings.model, signal);
  }

  print(io.stdout, '3. Running the demo study (answers are cached; a second run sends nothing)');
  const loaded = await loadStudyForCli(join(examples, 'demo.study.json'), {
    ...io,
    stderr: { write: () => true } as unknown as Io['stderr'],
  });
  const { study } = loaded;
  study.results = outDir;
  // The model and the run choices of the flags (or the config file) replace the study's own.
  const model = study.models[0];
  Object.assign(model, {
    provider: settings.provider,
    model: settings.model,
    endpoint: settings.endpoint,
    kind: settings.kind,
    id: settings.model.replace(/[^\w.-]+/g, '-'),
  });
  model.attributes = settings.model === DEFAULT_OLLAMA_MODEL ? model.attributes : {};
  study.method = settings.method;
  study.samples = settings.samples;
  study.seed = settings.seed;
  if (settings.temperature !== undefined) study.temperature = settings.temperature;
  const runFlags: Parsed = {
    values: {
      yes: true,
      'cache-dir': settings.cacheDir,
      fresh: settings.fresh,
      ...(settings.concurrency !== undefined ? { concurrency: String(settings.concurrency) } : {}),
      ...(settings.timeoutMs !== undefined ? { timeout: String(settings.timeoutMs / 1000) } : {}),
      ...(settings.firstRequestTimeoutMs !== undefined ? { 'first-timeout': String(settings.firstRequestTimeoutMs / 1000) } : {}),
      ...(parsed.values['trust-endpoint'] ? { 'trust-endpoint': true } : {}),
    },
    positionals: [],
  };
  const filter = {
    ...(settings.itemIds ? { items: settings.itemIds } : {}),
    ...(settings.languages ? { languages: settings.languages } : {}),
  };
  // The endpoint was checked against the key policy when the settings were resolved: it is the user's.
  const outcome = await scoreStudy(
    loaded,
    Object.keys(filter).length ? filter : undefined,
    runFlags,
    io,
    signal,
    new Map([[model.id, 'flag']]),
  );
  if (outcome === 'cancelled') return 130;

  print(io.stdout, '4. Comparing with the human reference data and writing the report');
  await analyseAndWrite(loaded, Object.keys(filter).length ? filter : undefined, io);
  print(io.stdout, `\nCorpus:  ${join(outDir, 'records.jsonl')}\nReport:  ${join(outDir, 'report.html')}`);
  print(
    io.stdout,
    `Open the report in a browser, or run: ${cliCommand(io)} analyze ${join(examples, 'demo.study.json')} --corpus ${outDir}`,
  );
  return outcome === 'ok' ? EXIT_OK : EXIT_FINDINGS;
}

/** An OpenAI-compatible server that refuses the connection gets the same guidance as a missing Ollama. */
async function probeOpenAI(endpoint: string, model: string, io: Io, signal: AbortSignal): Promise<void> {
  const provider = providerFactory(io.env)('openai', endpoint);
  try {
    await provider.listModels(AbortSignal.any([signal, AbortSignal.timeout(10_000)]));
  } catch (error) {
    const kind = error instanceof ProviderError ? error.kind : 'network';
    if (kind === 'network' || kind === 'timeout') throw new InputError(unreachableHelp('openai', endpoint, model));
    // Other answers (401, 404 on /models) mean a server is there; scoring reports its own errors.
  }
}
