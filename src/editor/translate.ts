// vscode.l10n.t as a `Translate`, for the pure text modules (errorAdvice, lensTitles, …) that take the
// translator as a parameter. l10n/injected.mjs collects those modules' literal t('…') messages for the bundle.
import * as vscode from 'vscode';
import type { Translate } from './lensTitles';

export const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
