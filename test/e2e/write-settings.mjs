// The user settings of the e2e profile: no trust prompt, no telemetry, no welcome page, and Value Lens
// pointed at the loopback fake model server. Usage: node write-settings.mjs SETTINGS_JSON MODEL_URL [HUMAN_CSV]
import { writeFileSync } from 'node:fs';

const [file, modelUrl, humanData] = process.argv.slice(2);
const settings = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'editor.codeLens': true,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'valueLens.provider': 'ollama',
  'valueLens.ollama.host': modelUrl,
  'valueLens.model': 'fake-llm:latest',
  'valueLens.method': 'logprobs',
  'valueLens.template': 'direct',
  'valueLens.concurrency': 4,
  ...(humanData ? { 'valueLens.humanData': humanData } : {}),
};
writeFileSync(file, JSON.stringify(settings, null, 2));
