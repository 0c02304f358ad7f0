// Moves the user-facing strings of package.json's contributions into package.nls.json and leaves `%key%`
// references behind (VS Code and vsce resolve them against package.nls[.<locale>].json). Idempotent: a
// string that is already a reference is left alone; a new literal gets a key derived from where it sits
// (command id, setting name, view id, walkthrough and step id), so re-running after someone adds a command
// or a setting only adds keys; a literal put back over a reference is taken as the new English text.
// Usage: node l10n/manifest.mjs [--check]   (--check: exit 1 and list literals instead of rewriting)
// The pure part (`localiseManifest`) is exported for test/unit/l10n.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const isRef = (s) => typeof s === 'string' && /^%[^%\s]+%$/.test(s);

/**
 * Replaces literal user-facing strings of `manifest` (a parsed package.json, modified in place) with `%key%`
 * references; returns the texts of the keys it created, `{ key: english }`.
 */
export function localiseManifest(manifest) {
  const added = {};
  const take = (obj, prop, key) => {
    const value = obj?.[prop];
    if (typeof value !== 'string' || value === '' || isRef(value)) return;
    added[key] = value;
    obj[prop] = `%${key}%`;
  };
  const takeList = (obj, prop, keys) => {
    const list = obj?.[prop];
    if (!Array.isArray(list)) return;
    list.forEach((value, i) => {
      if (typeof value !== 'string' || value === '' || isRef(value)) return;
      added[keys[i] ?? `${keys.base}.${i}`] = value;
      list[i] = `%${keys[i] ?? `${keys.base}.${i}`}%`;
    });
  };
  const c = manifest.contributes ?? {};

  take(manifest, 'displayName', 'displayName');
  take(manifest, 'description', 'description');
  take(manifest.capabilities?.untrustedWorkspaces, 'description', 'capabilities.untrustedWorkspaces.description');

  for (const command of c.commands ?? []) {
    take(command, 'title', `${command.command}.title`);
    take(command, 'shortTitle', `${command.command}.shortTitle`);
    // The category stays literal: it is the product name.
  }
  for (const submenu of c.submenus ?? []) take(submenu, 'label', `submenu.${submenu.id}.label`);

  const configurations = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
  configurations.forEach((configuration, n) => {
    take(configuration, 'title', n === 0 ? 'configuration.title' : `configuration.${configuration.id ?? n}.title`);
    for (const [name, property] of Object.entries(configuration.properties ?? {})) {
      for (const field of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage'])
        take(property, field, `${name}.${field}`);
      const values = (property.enum ?? []).map((v) => `${name}.enum.${String(v)}`);
      for (const field of ['enumDescriptions', 'markdownEnumDescriptions'])
        takeList(property, field, Object.assign([...values], { base: `${name}.${field}` }));
    }
  });

  for (const [place, containers] of Object.entries(c.viewsContainers ?? {})) {
    for (const container of containers) take(container, 'title', `viewsContainers.${place}.${container.id}.title`);
  }
  for (const views of Object.values(c.views ?? {})) {
    for (const view of views) {
      take(view, 'name', `view.${view.id}.name`);
      take(view, 'contextualTitle', `view.${view.id}.contextualTitle`);
    }
  }
  const welcomeCount = {};
  for (const welcome of c.viewsWelcome ?? []) {
    const n = (welcomeCount[welcome.view] = (welcomeCount[welcome.view] ?? 0) + 1);
    take(welcome, 'contents', `viewsWelcome.${welcome.view}.${n}`);
  }

  for (const walkthrough of c.walkthroughs ?? []) {
    const base = `walkthrough.${walkthrough.id}`;
    take(walkthrough, 'title', `${base}.title`);
    take(walkthrough, 'description', `${base}.description`);
    for (const step of walkthrough.steps ?? []) {
      take(step, 'title', `${base}.${step.id}.title`);
      take(step, 'description', `${base}.${step.id}.description`);
      take(step.media, 'altText', `${base}.${step.id}.altText`);
    }
  }

  for (const definition of c.taskDefinitions ?? []) {
    for (const [name, property] of Object.entries(definition.properties ?? {}))
      take(property, 'description', `taskDefinition.${definition.type}.${name}.description`);
  }
  for (const matcher of c.problemMatchers ?? []) take(matcher, 'label', `problemMatcher.${matcher.name}.label`);
  return added;
}

function main() {
  const check = process.argv.includes('--check');
  const pkgFile = new URL('../package.json', import.meta.url);
  const nlsFile = new URL('../package.nls.json', import.meta.url);
  const manifest = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const added = localiseManifest(manifest);
  const keys = Object.keys(added);
  if (check) {
    for (const key of keys) console.log(`literal: ${key} = ${JSON.stringify(added[key])}`);
    process.exit(keys.length ? 1 : 0);
  }
  let nls = {};
  try {
    nls = JSON.parse(readFileSync(nlsFile, 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  // A literal where a key already exists is a newer English text: it wins, and its translations are stale.
  for (const key of keys) {
    if (key in nls && nls[key] !== added[key]) console.log(`changed: ${key} (update its translations)`);
    nls[key] = added[key];
  }
  writeFileSync(pkgFile, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(nlsFile, `${JSON.stringify(nls, null, 2)}\n`);
  console.log(`${keys.length} string(s) moved to package.nls.json`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
