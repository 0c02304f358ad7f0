// A loopback HTTPS stand-in for the public host the extension page's README images and doc links point at
// (the README scenario, docs/e2e.md). VS Code's extension page shows only https: images, so the README is
// packaged with `vsce --baseImagesUrl/--baseContentUrl https://127.0.0.1:PORT` and this server serves the
// unpacked package's own files under those URLs: a request for a file the package lacks is a 404.
// Usage: node serve-package.mjs ROOT PORT CERT KEY LOG   (ROOT = the unpacked `extension/` folder)
import { createReadStream, appendFileSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { extname, join, normalize, sep } from 'node:path';

const [root, port, cert, key, log] = process.argv.slice(2);
if (!root || !port || !cert || !key || !log) {
  console.error('usage: node serve-package.mjs ROOT PORT CERT KEY LOG');
  process.exit(2);
}
// Markdown as plain text: a browser shows it instead of downloading it (text/markdown).
const TYPES = { '.png': 'image/png', '.md': 'text/plain; charset=utf-8', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8' };
const base = normalize(root + sep);

createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname);
  const file = normalize(join(base, path));
  let status = 404;
  try {
    if (file.startsWith(base) && statSync(file).isFile()) status = 200;
  } catch {
    // Missing: 404 below.
  }
  // One line per request, so that the scenario can see the images came from here.
  appendFileSync(log, `${status} ${req.method} ${path}\n`);
  if (status !== 200) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not in the package: ${path}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}).listen(Number(port), '127.0.0.1', () => console.log(`serving ${root} at https://127.0.0.1:${port}/`));
