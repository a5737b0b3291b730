// Draws popup content with textContent only, so names from imported files can never inject markup.
import type { PopupContent } from './popup';

export function popupElement(content: PopupContent, statusLabel: string, statusColor: string, action?: { label: string; testid: string; run: () => void }): HTMLElement {
  const root = document.createElement('div');
  root.className = 'atlas-popup';
  const h = document.createElement('h3');
  h.textContent = content.title;
  root.append(h);
  const badge = document.createElement('span');
  badge.className = 'status-badge';
  badge.style.background = statusColor;
  badge.textContent = statusLabel;
  root.append(badge);
  const table = document.createElement('table');
  for (const r of content.rows) {
    const tr = document.createElement('tr');
    tr.dataset.key = r.key;
    const th = document.createElement('th');
    th.textContent = r.label;
    const td = document.createElement('td');
    td.textContent = r.value;
    tr.append(th, td);
    table.append(tr);
  }
  root.append(table);
  if (action) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'popup-action';
    button.dataset.testid = action.testid;
    button.textContent = action.label;
    button.addEventListener('click', action.run);
    root.append(button);
  }
  return root;
}
