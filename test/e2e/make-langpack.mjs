// A stand-in Danish language pack for the VS Code server of the e2e suite. Microsoft publishes no Danish
// language pack for VS Code (and none could be downloaded here anyway), but the server resolves the display
// language only through an installed pack: without one, `--locale da` leaves the workbench, and therefore the
// extension host (vscode.env.language, package.nls.da.json, l10n/bundle.l10n.da.json), in English. This writes
// what the pack install would leave behind — `languagepacks.json` in the server's user data folder and a
// `main.i18n.json` — with a small Danish glossary for the workbench's most visible labels (the project's own
// translation, every occurrence of each English text). Everything else in the workbench stays English.
// Usage: node make-langpack.mjs VSCODE_OUT_DIR USER_DATA_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, userData] = process.argv.slice(2);
if (!outDir || !userData) throw new Error('usage: make-langpack.mjs VSCODE_OUT_DIR USER_DATA_DIR');

const GLOSSARY = {
  Explorer: 'Stifinder',
  Search: 'Søg',
  Extensions: 'Udvidelser',
  Problems: 'Problemer',
  Output: 'Output',
  Outline: 'Disposition',
  Timeline: 'Tidslinje',
  'Open Editors': 'Åbne editorer',
  'Source Control': 'Kildestyring',
  'Run and Debug': 'Kør og fejlfind',
  Settings: 'Indstillinger',
  Manage: 'Administrer',
  Accounts: 'Konti',
  Terminal: 'Terminal',
  Ports: 'Porte',
  'Debug Console': 'Fejlfindingskonsol',
  'Show All Commands': 'Vis alle kommandoer',
  'Go to File': 'Gå til fil',
  'Ln {0}, Col {1}': 'Lin {0}, kol {1}',
  'Spaces: {0}': 'Mellemrum: {0}',
  'No problems have been detected in the workspace.': 'Der er ikke fundet problemer i arbejdsområdet.',
  Details: 'Detaljer',
  Features: 'Funktioner',
  Uninstall: 'Afinstaller',
  Disable: 'Deaktiver',
  Walkthroughs: 'Gennemgange',
};

const keys = JSON.parse(readFileSync(join(outDir, 'nls.keys.json'), 'utf8'));
const messages = JSON.parse(readFileSync(join(outDir, 'nls.messages.json'), 'utf8'));
const contents = {};
let index = 0;
let translated = 0;
for (const [module, moduleKeys] of keys) {
  for (const key of moduleKeys) {
    const english = messages[index++];
    const danish = GLOSSARY[english];
    if (danish === undefined) continue;
    (contents[module] ??= {})[typeof key === 'string' ? key : key.key] = danish;
    translated++;
  }
}
const packDir = join(userData, 'e2e-langpack-da');
mkdirSync(packDir, { recursive: true });
const translations = join(packDir, 'main.i18n.json');
writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents }));
writeFileSync(
  join(userData, 'languagepacks.json'),
  JSON.stringify({
    da: {
      hash: `e2e-${translated}`,
      extensions: [{ extensionIdentifier: { id: 'value-lens-e2e.language-pack-da' }, version: '0.0.0' }],
      translations: { vscode: translations },
      label: 'dansk',
    },
  }),
);
console.log(`stand-in language pack da: ${translated} workbench strings`);
