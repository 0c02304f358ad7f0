// itemHash memoised per parsed item object: lenses, decorations and hovers ask for it on every refresh, and
// a new parse makes new objects, so an edit is always seen.
import { itemHash } from '../core/language';
import type { Item } from '../core/language/ast';

const hashes = new WeakMap<Item, string>();

export function cachedItemHash(item: Item): string {
  let hash = hashes.get(item);
  if (hash === undefined) hashes.set(item, (hash = itemHash(item)));
  return hash;
}
