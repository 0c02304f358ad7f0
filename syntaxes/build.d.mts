/** YAML grammar text → the JSON text checked in next to it. */
export function grammarJson(yamlText: string): string;
/** Every `<name>.tmLanguage.yaml` in `dir` (default: syntaxes/) with its JSON target path. */
export function grammarSources(dir?: string): { yaml: string; json: string }[];
