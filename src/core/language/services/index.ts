// Pure language services used by the editor adapters (and usable by any other front end).
export * from './ranges';
export * from './symbols';
export * from './folding';
export * from './hover';
export * from './completion';
export * from './quickfix';
export * from './lenses';
