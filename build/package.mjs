// `npm run package`: the VSIX from the production build (dist/). VS Code's extension page shows a README
// image only from an absolute https: URL (docs/e2e.md), so a package for publication names the https host
// that serves the package's files: VALUE_LENS_PUBLIC_URL=https://… npm run package rewrites the README's
// relative links against it. Without it the links stay relative: they resolve inside the package and in any
// Markdown viewer, and the extension page shows alt text.
import { createVSIX } from '@vscode/vsce';

const publicUrl = process.env.VALUE_LENS_PUBLIC_URL?.replace(/\/+$/, '');
let links = { rewriteRelativeLinks: false };
if (publicUrl) {
  let url;
  try {
    url = new URL(publicUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    console.error(
      `package: VALUE_LENS_PUBLIC_URL must be an absolute https: URL (VS Code's extension page loads no other images), not "${publicUrl}"`,
    );
    process.exit(2);
  }
  links = { baseContentUrl: publicUrl, baseImagesUrl: publicUrl };
  console.log(`package: README links rebased on ${publicUrl}`);
}
try {
  await createVSIX({ dependencies: false, allowMissingRepository: true, packagePath: 'dist/value-lens.vsix', ...links });
} catch (error) {
  console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
