// One accessible data table (caption, column headers, numbers right-aligned), shared by the round-one charts
// and the study views. Long tables render their first `limit` rows and a button for the rest: hundreds of
// visible rows cost more layout than all the charts. The column headers show in the display language
// (webview/columns.ts); the table keeps them in English, as the CSV export writes them.
import { formatRows, type Table } from '../src/shared/tables';
import { columnLabels } from './columns';
import { clear, el } from './dom';
import { t } from './l10n';

/** Table rows rendered at first; the rest on request. */
export const TABLE_ROWS = 200;

export interface TableSlot {
  /** Where the table goes (emptied first). */
  host: HTMLElement;
  /** Rows rendered before the "Show all" button. */
  rowLimit: number;
}

export function renderDataTable(slot: TableSlot, title: string, table: Table, className = 'vl-table'): void {
  const node = el('table', { class: className });
  const shown = Math.min(table.rows.length, slot.rowLimit);
  const caption = `${title} (${shown === table.rows.length ? t('{0} rows', table.rows.length) : t('rows 1–{0} of {1}', shown, table.rows.length)})`;
  node.appendChild(el('caption', {}, caption));
  const head = node.appendChild(el('thead')).appendChild(el('tr'));
  for (const label of columnLabels(table.headers)) head.appendChild(el('th', { scope: 'col' }, label));
  const body = node.appendChild(el('tbody'));
  const fragment = document.createDocumentFragment();
  // One number format per column (src/shared/tables.ts formatRows).
  const text = formatRows({ headers: table.headers, rows: table.rows.slice(0, shown) });
  for (let r = 0; r < shown; r++) {
    const tr = el('tr');
    table.rows[r].forEach((cell, c) => tr.appendChild(el('td', typeof cell === 'number' ? { class: 'vl-num' } : {}, text[r][c])));
    fragment.appendChild(tr);
  }
  body.appendChild(fragment);
  clear(slot.host);
  slot.host.appendChild(node);
  if (shown < table.rows.length) {
    const more = slot.host.appendChild(
      el('button', { type: 'button', class: 'vl-link vl-more' }, t('Show all {0} rows', table.rows.length)),
    );
    more.addEventListener('click', () => {
      slot.rowLimit = Number.POSITIVE_INFINITY;
      renderDataTable(slot, title, table, className);
    });
  }
}
