// tsconfig.core.json maps the module 'vscode' here, so that an import of it from src/core fails to compile
// with the message below (and with TS6059, since this file is outside src/core).
const layerRule: 'src/core must not import vscode: move the code to src/editor' = 'imported from src/core';
export default layerRule;
