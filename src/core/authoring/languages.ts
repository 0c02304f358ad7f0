// English names of languages, for instructions to a model ("translate into Danish").
const NAMES: Record<string, string> = {
  da: 'Danish',
  nl: 'Dutch',
  en: 'English',
  pt: 'Portuguese',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  it: 'Italian',
  sv: 'Swedish',
  nb: 'Norwegian Bokmål',
  no: 'Norwegian',
  fi: 'Finnish',
  pl: 'Polish',
  tr: 'Turkish',
  ru: 'Russian',
  uk: 'Ukrainian',
  el: 'Greek',
  cs: 'Czech',
  hu: 'Hungarian',
  ro: 'Romanian',
  ja: 'Japanese',
  zh: 'Chinese',
  ko: 'Korean',
  ar: 'Arabic',
  hi: 'Hindi',
  id: 'Indonesian',
  vi: 'Vietnamese',
};

export function languageName(code: string): string {
  return NAMES[code.toLowerCase()] ?? code;
}
