// The authoring languages: parsers, slots and item fingerprints. Everything here is pure and never throws
// on any input text.
export * from './ast';
export { parseSurvey } from './survey';
export { parseTemplates } from './templates';
export { findSlots, slotNames } from './slots';
export { itemHash } from './hash';
