// Parsed documents, cached by URI and version, so lenses, hovers and diagnostics share one parse.
import { parseSurvey, parseTemplates } from '../core/language';
import type { SurveyFile, TemplateFile } from '../core/language/ast';
import { PREVIEW_MARK } from '../core/authoring/preview';

/** The authoring previews' URI scheme (authoring/previews.ts; repeated here so this module stays vscode-free). */
export const PREVIEW_SCHEME = 'value-lens-preview';

export interface DocumentLike {
  uri: { toString(): string };
  version: number;
  languageId: string;
  getText(): string;
}

export interface ParsedDocument {
  uri: string;
  version: number;
  text: string;
  file: SurveyFile | TemplateFile;
}

export class ParsedDocuments {
  private readonly cache = new Map<string, ParsedDocument>();

  constructor(private readonly capacity = 32) {}

  /**
   * The parse of a .wvs/.wvt document; undefined for other languages and for authoring previews (their
   * scheme, or the preview marker on line 1), which get no lenses, hovers or Problems of their own.
   */
  get(doc: DocumentLike): ParsedDocument | undefined {
    if (doc.languageId !== 'wvs' && doc.languageId !== 'wvt') return undefined;
    const uri = doc.uri.toString();
    if (uri.startsWith(`${PREVIEW_SCHEME}:`)) return undefined;
    const hit = this.cache.get(uri);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
    if (text.startsWith(PREVIEW_MARK)) return undefined;
    const file = doc.languageId === 'wvs' ? parseSurvey(text) : parseTemplates(text);
    const parsed = { uri, version: doc.version, text, file };
    this.cache.delete(uri);
    this.cache.set(uri, parsed);
    // Map keeps insertion order: drop the least recently parsed.
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    return parsed;
  }

  survey(doc: DocumentLike): (ParsedDocument & { file: SurveyFile }) | undefined {
    const parsed = this.get(doc);
    return parsed?.file.kind === 'survey' ? (parsed as ParsedDocument & { file: SurveyFile }) : undefined;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
