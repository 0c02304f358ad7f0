// The authoring languages: parsers, slots and item fingerprints. Everything here is pure and never throws
// on any input text.
export * from './ast';
export { parseSurvey, MAX_SCALE_OPTIONS } from './survey';
export { parseTemplates } from './templates';
export { findSlots, slotNames, isKnownSlot, type SlotOccurrence } from './slots';
export { itemHash } from './hash';
export { ENGLISH_SCAFFOLDING, findScaffolding } from './scaffolding';
