// On a narrow screen the wide tables (class "reflow") show each row as a card (style.css), where every
// value needs its column's name beside it: this copies each column header's text into its cells'
// data-label whenever the rows change. A cell spanning several columns (a message) gets no label.
function label(table) {
  const heads = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
  for (const row of table.tBodies[0].rows) {
    let column = 0;
    for (const cell of row.cells) {
      if (cell.colSpan === 1 && heads[column]) cell.dataset.label = heads[column];
      column += cell.colSpan;
    }
  }
}

for (const table of document.querySelectorAll('table.reflow')) {
  label(table);
  new MutationObserver(() => label(table)).observe(table.tBodies[0], { childList: true });
}
