// Parsed documents, cached by URI and version, so lenses, hovers and diagnostics share one parse.
import { parseSurvey, parseTemplates } from '../core/language';
import type { SurveyFile, TemplateFile } from '../core/language/ast';

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

  get(doc: DocumentLike): ParsedDocument | undefined {
    if (doc.languageId !== 'wvs' && doc.languageId !== 'wvt') return undefined;
    const uri = doc.uri.toString();
    const hit = this.cache.get(uri);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
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
