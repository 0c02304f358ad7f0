// The JSON Schema of `<name>.study.json` (draft-07), for VS Code's JSON language service: completion, hover
// and validation. Built here from the parser's own property lists and defaults so the two cannot drift;
// `schemas/study.schema.json` is this object written out (test/unit/study/study-file-schema.test.ts checks
// they are equal; `UPDATE_SCHEMA=1` on that test rewrites the file).

import { knownCountries } from './countries';
import { STUDY_DEFAULTS, STUDY_PROPERTIES, type StudyObjectKind } from './parse';

type Schema = Record<string, unknown>;

/** A property with the same text as plain description (hover fallback) and markdown. */
function p(markdown: string, body: Schema): Schema {
  return { description: markdown.replace(/[`*]/g, ''), markdownDescription: markdown, ...body };
}

function obj(kind: StudyObjectKind, properties: Record<string, Schema>, extra: Schema = {}): Schema {
  const expected = [...STUDY_PROPERTIES[kind]].sort().join(',');
  const got = Object.keys(properties).sort().join(',');
  if (expected !== got) throw new Error(`schema for ${kind} lists ${got}, parser accepts ${expected}`);
  return { type: 'object', properties, additionalProperties: false, ...extra };
}

const countryCode = (): Schema => ({ type: 'string', enum: knownCountries() });
const language: Schema = { type: 'string', pattern: '^[a-z]{2,3}$' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

export function studySchema(): Schema {
  const d = STUDY_DEFAULTS;
  const a = d.analysis;
  const file = (what: string): Schema =>
    p(`Path of the ${what}, relative to the folder of this study file.`, { type: 'string', minLength: 1 });
  const item = obj(
    'item',
    {
      file: file('`.wvs` items file'),
      ids: p('Only these item ids (e.g. `Q182`). Default: every item of the file.', {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
      }),
      categories: p('Only items of these categories (the `category:` line, e.g. `social systems`).', {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
      }),
    },
    { required: ['file'] },
  );
  const template = obj(
    'template',
    {
      file: file('`.wvt` templates file'),
      names: p('Template names of the file to use. Default: every template of the file.', {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
      }),
      paraphrases: p(
        'Which paraphrases of each template: `"none"` (the template only, default), `"all"` (the template and every paraphrase of its `paraphrases` set), or a list of paraphrase indices (0-based).',
        {
          default: d.paraphrases,
          oneOf: [
            { type: 'string', enum: ['none', 'all'] },
            { type: 'array', items: { type: 'integer', minimum: 0 } },
          ],
        },
      ),
    },
    { required: ['file'] },
  );
  const model = obj(
    'model',
    {
      id: p("The study's own name for the model, unique in the study; every record carries it as `modelId`.", {
        type: 'string',
        minLength: 1,
      }),
      provider: p('Kind of server: `ollama` (native API) or `openai` (any OpenAI-compatible endpoint, e.g. vLLM).', {
        type: 'string',
        enum: ['ollama', 'openai'],
      }),
      model: p('Name the server knows the model by (e.g. `llama3.1:8b`). Default: the `id`.', { type: 'string', minLength: 1 }),
      endpoint: p(
        'Base URL (`http://127.0.0.1:11434`, `https://api.openai.com/v1`) or a name from the top-level `endpoints`. Never put credentials in it. Default: the provider default (Ollama `http://127.0.0.1:11434`, OpenAI `https://api.openai.com/v1`).',
        { type: 'string', minLength: 1 },
      ),
      kind: p('`chat` (chat template, default) or `base` (plain-text completion, no chat template).', {
        type: 'string',
        enum: ['chat', 'base'],
        default: d.kind,
      }),
      attributes: p(
        'What analyses compare models on: `family`, `size` (billions of parameters), `chat` (set from `kind` when absent) and any attribute of your own. Values are strings, numbers or booleans.',
        { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      ),
    },
    { required: ['id', 'provider'] },
  );
  const permutations = obj(
    'permutations',
    {
      permutations: p('How many seeded random permutations of the options.', { type: 'integer', minimum: 1, maximum: 1000 }),
      seed: p('Seed of the permutations. Default: the study `seed`.', { type: 'integer', minimum: 0 }),
    },
    { required: ['permutations'] },
  );
  const human = obj(
    'human',
    {
      file: file('human reference CSV (aggregated table or WVS/EVS microdata)'),
      columns: p(
        "Only when the file's headers are not recognised: role → the file's column name. Roles: `country`, `item`, `language`, `mean`, `share`, `n`, `option`, `weight`.",
        obj(
          'humanColumns',
          Object.fromEntries(
            STUDY_PROPERTIES.humanColumns.map((r) => [r, p(`Column holding the ${r}.`, { type: 'string', minLength: 1 })]),
          ),
        ),
      ),
    },
    { required: ['file'] },
  );
  const importColumns = obj(
    'importColumns',
    {
      model: p('Column with the model name; rows are matched to a model entry by `id`.', { type: 'string', minLength: 1 }),
      language: p('Column with the prompt language.', { type: 'string', minLength: 1 }),
      country: p('Column with the country cue, if any.', { type: 'string', minLength: 1 }),
      item: p("Column with the item id or the item's data key (e.g. `f118` for `key: F118`).", { type: 'string', minLength: 1 }),
      template: p('Column with the template name.', { type: 'string', minLength: 1 }),
      paraphrase: p('Column with the paraphrase index.', { type: 'string', minLength: 1 }),
      sample: p('Column with the sample index.', { type: 'string', minLength: 1 }),
      code: p('Answer as a chosen option code. Exactly one of `code`, `probabilities`, `pro`.', { type: 'string', minLength: 1 }),
      probabilities: p(
        'Answer as per-option probabilities: option code → column. Exactly one of `code`, `probabilities`, `pro`.',
        stringMap,
      ),
      pro: p("Answer as a pro share in 0…1 (the second seed's judged VPS). Exactly one of `code`, `probabilities`, `pro`.", {
        type: 'string',
        minLength: 1,
      }),
      attributes: p('Extra columns copied as model attributes: attribute → column (e.g. `family` → `model_family`).', stringMap),
    },
    { required: ['model', 'language', 'item'] },
  );
  const imp = obj(
    'import',
    {
      file: file('response table (CSV) to import'),
      columns: p('Which column holds what.', importColumns),
      where: p('Only rows whose column equals the value, e.g. `{ "template_type": "survey_hypothetical" }`.', stringMap),
    },
    { required: ['file', 'columns'] },
  );
  const reference = p(
    'What a condition is compared with: `cue` (the country named in the prompt), `language` (each country of the prompt language, `languageCountries`), `pooled` (per-language pooled human rows), or a country code (that country for every condition).',
    { anyOf: [{ type: 'string', enum: ['cue', 'language', 'pooled'] }, countryCode()] },
  );
  const analysis = obj('analysis', {
    levels: p('Alignment levels: `item` (model mean per item vs human) and/or `response` (each response vs human). Default `["item"]`.', {
      type: 'array',
      items: { type: 'string', enum: ['item', 'response'] },
      uniqueItems: true,
      minItems: 1,
      default: a.levels,
    }),
    measures: p('Measures compared: `mean` (mean score) and/or `pro` (pro share). Default `["mean"]`.', {
      type: 'array',
      items: { type: 'string', enum: ['mean', 'pro'] },
      uniqueItems: true,
      minItems: 1,
      default: a.measures,
    }),
    references: p('References compared with. Default `["cue", "language"]` (`cue` dropped when the study has no `countries`).', {
      type: 'array',
      items: reference,
      uniqueItems: true,
      minItems: 1,
      default: a.references,
    }),
    bootstrap: p(
      'Seeded percentile bootstrap for confidence intervals. Default `{ "iterations": 1000, "seed": 1 }`.',
      obj('bootstrap', {
        iterations: p('Bootstrap resamples. Default 1000.', {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: a.bootstrap.iterations,
        }),
        seed: p('Bootstrap seed. Default 1.', { type: 'integer', minimum: 0, default: a.bootstrap.seed }),
      }),
    ),
    rerun: p('Re-runs of one condition: `latest` run wins (default) or `pool` every run.', {
      type: 'string',
      enum: ['latest', 'pool'],
      default: a.rerun,
    }),
    adjust: p('Multiplicity corrections reported with every grid of tests: `holm`, `BH`. Default both.', {
      type: 'array',
      items: { type: 'string', enum: ['holm', 'BH'] },
      uniqueItems: true,
      default: a.adjust,
    }),
    fits: p('Mixed models fitted on the analysis tables (see docs/analyses.md). Default none.', {
      type: 'array',
      default: [],
      items: obj(
        'fit',
        {
          name: p('Name of the fit in the report.', { type: 'string', minLength: 1 }),
          formula: p(
            'lme4-style formula, e.g. `alignment ~ size + chat + (1 | family)`. A model attribute it uses should be set on every model.',
            { type: 'string', pattern: '^[^~]+~[^~]+$' },
          ),
          table: p(
            "Which table the fit runs on: 'alignment' (one row per alignment figure, with the model attributes), 'regression' (the second seed's model × language × bootstrap-round table; needs benchmarks) or the path of a tidy CSV (docs/analyses.md).",
            { type: 'string', minLength: 1 },
          ),
          benchmarks: p(
            "For the 'regression' table: a CSV of model, benchmark, language, score (the second seed's multilingual_benchmarks.csv), relative to the study file.",
            { type: 'string', minLength: 1 },
          ),
        },
        { required: ['name', 'formula', 'table'] },
      ),
    }),
    contrasts: p('Paired differences (bootstrap over items) between two levels of one factor. Default none.', {
      type: 'array',
      default: [],
      items: obj(
        'contrast',
        {
          factor: p('`language`, `model` (a model id) or `reference` (a country code or `pooled:<language>`).', {
            type: 'string',
            enum: ['language', 'model', 'reference'],
          }),
          a: p('First level.', { type: 'string', minLength: 1 }),
          b: p('Second level (the difference is a − b).', { type: 'string', minLength: 1 }),
        },
        { required: ['factor', 'a', 'b'] },
      ),
    }),
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Value Lens study',
    description:
      'A study: items × languages × country cues × templates × paraphrases × option orders × models × samples, its human references and where its results go. See docs/studies.md.',
    ...obj(
      'root',
      {
        $schema: p('Path or URL of this schema (optional; VS Code applies it to `*.study.json` by itself).', { type: 'string' }),
        name: p('Name of the study (used for the results folder). Default: the file name without `.study.json`.', {
          type: 'string',
          minLength: 1,
          pattern: '^[^\\\\/:*?"<>|]+$',
        }),
        description: p('Free text: what the study asks, its sources.', { type: 'string' }),
        items: p('The survey items: one or more `.wvs` files, each optionally narrowed by id or category.', {
          type: 'array',
          items: item,
          minItems: 1,
        }),
        templates: p('The prompt templates: one or more `.wvt` files, with template names and paraphrases.', {
          type: 'array',
          items: template,
          minItems: 1,
        }),
        languages: p('Prompt languages (ISO 639-1, lower case), e.g. `["da", "nl", "en", "pt"]`.', {
          type: 'array',
          items: language,
          minItems: 1,
          uniqueItems: true,
        }),
        countries: p(
          'Country cues for the `{country}` slot (ISO 3166-1 alpha-2, upper case; also the EVS/WVS data code `NIR`). Empty or absent: no cue.',
          {
            type: 'array',
            items: countryCode(),
            uniqueItems: true,
            default: [],
          },
        ),
        languageCountries: p(
          'Prompt language → the countries where it is spoken (for the `language` reference; the first is the local one). Default for da, nl, en, pt: DK; NL; US, GB; PT, BR.',
          {
            type: 'object',
            propertyNames: language,
            additionalProperties: { type: 'array', items: countryCode(), minItems: 1 },
          },
        ),
        endpoints: p('Named endpoint URLs models can refer to by name, e.g. `{ "local": "http://127.0.0.1:11434" }`. Never credentials.', {
          type: 'object',
          additionalProperties: { type: 'string', format: 'uri', pattern: '^https?://' },
        }),
        models: p('The models, each with provider, endpoint and the attributes analyses compare on.', {
          type: 'array',
          items: model,
          minItems: 1,
        }),
        method: p(
          'How answers become a distribution: `auto` (probe for logprobs, default), `logprobs` (first-token logprobs, top 20), `loglik` (the log-likelihood of every option label as a continuation: base models on servers that echo prompt logprobs, such as vLLM), `sample`, `judge` (sampled text judged pro/con).',
          {
            type: 'string',
            enum: ['auto', 'logprobs', 'loglik', 'sample', 'judge'],
            default: d.method,
          },
        ),
        stanceLanguage: p(
          "Method `judge`: judge every prompt language against the items' `pro`/`con` statements in this language (the second seed used English). Default: the prompt language.",
          { type: 'string', pattern: '^[a-z]{2,3}$' },
        ),
        judge: p(
          'Method `judge`: the id of the study model (in `models`) that labels the generated summaries pro/con/neither. Default: each model judges its own answers.',
          { type: 'string', minLength: 1 },
        ),
        samples: p('Samples per cell when sampling. Default 10.', { type: 'integer', minimum: 1, maximum: 1000, default: d.samples }),
        temperature: p('Sampling temperature. Absent: the method default (0 for logprobs).', { type: 'number', minimum: 0, maximum: 2 }),
        seed: p('Seed for sampling and option permutations. Default 0.', { type: 'integer', minimum: 0, default: d.seed }),
        rounds: p('Repeat the whole plan this many times (every round is kept). Default 1.', {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: d.rounds,
        }),
        optionOrders: p(
          'Option orders shown: `original` (default), `reversed`, `cyclic` (every cyclic shift), `{ "permutations": k, "seed": s }`.',
          {
            type: 'array',
            minItems: 1,
            default: d.optionOrders,
            items: { oneOf: [{ type: 'string', enum: ['original', 'reversed', 'cyclic'] }, permutations] },
          },
        ),
        human: p('Human reference files (merged).', { type: 'array', items: human, default: [] }),
        imports: p('Response tables of your own to import into the corpus (`value-lens import`).', {
          type: 'array',
          items: imp,
          default: [],
        }),
        results: p('Folder of the results corpus, relative to this file. Default `<name>.results` beside it.', {
          type: 'string',
          minLength: 1,
        }),
        analysis: p('What the analysis computes; every field optional.', analysis),
        confirmAbove: p('Ask before running more than this many requests. Default 5000.', {
          type: 'integer',
          minimum: 0,
          default: d.confirmAbove,
        }),
        batch: p(
          'Run the requests as provider batch jobs (OpenAI Batch API or a compatible server) instead of live requests; `--no-batch` runs live. Default false.',
          { type: 'boolean', default: false },
        ),
      },
      { required: ['items', 'templates', 'languages', 'models'] },
    ),
  };
}
