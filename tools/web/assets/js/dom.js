// The two DOM helpers every panel uses.
export const $ = (id) => document.getElementById(id);

// Writes only on change: panels re-render twice a second and most of their text stays put.
export function setText(id, text) { const el = $(id); if (el.textContent !== text) el.textContent = text; }
