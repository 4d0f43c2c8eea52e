// Sorting and filtering of the report's tables; everything works on the DOM already in the page.
(function () {
  'use strict';
  var body = document.body;
  var filter = document.getElementById('filter');
  var problems = document.getElementById('problems-only');
  var changes = document.getElementById('changes-only');

  function apply() {
    body.classList.toggle('problems-only', problems.checked);
    body.classList.toggle('changes-only', changes.checked);
    var query = filter.value.trim().toLowerCase();
    var sections = document.querySelectorAll('section.target');
    for (var s = 0; s < sections.length; s++) {
      var section = sections[s];
      var title = section.querySelector('h3').textContent.toLowerCase();
      var rows = section.querySelectorAll('tbody tr');
      var shown = 0;
      for (var r = 0; r < rows.length; r++) {
        var row = rows[r];
        var match = !query || title.indexOf(query) >= 0 || row.textContent.toLowerCase().indexOf(query) >= 0;
        row.classList.toggle('filtered', !match);
        if (match && !(problems.checked && row.classList.contains('ok')) &&
            !(changes.checked && !row.classList.contains('changed'))) { shown++; }
      }
      section.classList.toggle('filtered', shown === 0 && (query !== '' || changes.checked));
    }
  }

  function key(cell) {
    var k = cell.getAttribute('data-sort');
    return k !== null ? k : cell.textContent.trim();
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) { return x - y; }
    return a.localeCompare(b, document.documentElement.lang, { numeric: true, sensitivity: 'base' });
  }

  function sortBy(th) {
    var table = th.closest('table');
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    var headers = th.parentNode.children;
    for (var h = 0; h < headers.length; h++) { headers[h].removeAttribute('aria-sort'); }
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      return (ascending ? 1 : -1) * compare(key(a.cells[index]), key(b.cells[index]));
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  var heads = document.querySelectorAll('table.sortable th');
  for (var i = 0; i < heads.length; i++) {
    heads[i].addEventListener('click', function (e) { sortBy(e.currentTarget); });
    heads[i].addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(e.currentTarget); }
    });
  }
  filter.addEventListener('input', apply);
  problems.addEventListener('change', apply);
  changes.addEventListener('change', apply);
  document.getElementById('controls').addEventListener('submit', function (e) { e.preventDefault(); });
  body.classList.add('scripted');
  apply();
})();
