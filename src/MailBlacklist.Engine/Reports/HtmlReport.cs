using System.IO;
using System.Security.Cryptography;
using System.Text;
using MailBlacklist.Engine.Baseline;

namespace MailBlacklist.Engine.Reports
{
    /// <summary>Writes the rows of a run as one self-contained HTML file: what changed and the
    /// counts at the top, then one section per target. Style and script are inline and named in
    /// the page's Content-Security-Policy by hash, so the page loads nothing and no other script
    /// can run in it, even if a text escaped encoding.</summary>
    public sealed class HtmlReport
    {
        private readonly IReadOnlyList<ReportItem> _items;
        private readonly CultureInfo _culture;
        private readonly DateTime _generatedUtc;
        private readonly StringBuilder _html = new StringBuilder();

        public HtmlReport(IReadOnlyList<ReportItem> items, CultureInfo culture, DateTime generatedUtc)
        {
            _items = items;
            _culture = culture ?? CultureInfo.CurrentUICulture;
            _generatedUtc = generatedUtc;
        }

        private static readonly string[] Columns = { "Change", "Status", "Item", "Cause", "Evidence", "Fix", "Link", "Since" };

        public string Render()
        {
            _html.Clear();
            string css = Asset("report.css"), js = Asset("report.js");
            string lang = _culture.Name.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? "ja" : "en";
            _html.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang).Append("\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '").Append(Hash(css))
                .Append("'; script-src '").Append(Hash(js)).Append("'; img-src data:; base-uri 'none'; form-action 'none'\">\n")
                .Append("<meta name=\"generator\" content=\"MailBlacklist\">\n")
                .Append("<title>").Append(E(T("Report_Title"))).Append("</title>\n<style>").Append(css).Append("</style>\n</head>\n")
                .Append("<body class=\"problems-only\">\n<header>\n<h1>").Append(E(T("Report_Title"))).Append("</h1>\n<p class=\"meta\">")
                .Append(E(F("Report_Generated", Change.FormatSince(_generatedUtc)))).Append("</p>\n</header>\n<main>\n");
            if (_items.Count == 0) _html.Append("<p id=\"empty\">").Append(E(T("Report_Empty"))).Append("</p>\n");
            Changes();
            Counts();
            Controls();
            Targets();
            _html.Append("</main>\n<footer><p>").Append(E(T("Report_Footer"))).Append("</p></footer>\n")
                .Append("<script>").Append(js).Append("</script>\n</body>\n</html>\n");
            return _html.ToString();
        }

        public void Write(string path) => File.WriteAllText(path, Render(), new UTF8Encoding(false));

        private void Changes()
        {
            _html.Append("<section id=\"changes\">\n<h2>").Append(E(T("Report_ChangesHeading"))).Append("</h2>\n");
            bool compared = _items.Any(i => i.Change.Length > 0);
            var notable = _items.Where(i => i.IsNotableChange).OrderBy(i => ChangeRank(i.Change)).ThenBy(i => i.Level)
                .ThenBy(i => i.Target, StringComparer.OrdinalIgnoreCase).ToList();
            if (!compared) _html.Append("<p id=\"no-baseline\">").Append(E(T("Report_NoBaseline"))).Append("</p>\n");
            else if (notable.Count == 0) _html.Append("<p id=\"no-changes\">").Append(E(T("Report_NoChanges"))).Append("</p>\n");
            if (compared)
            {
                _html.Append("<ul class=\"change-counts\">");
                foreach (string change in new[] { Change.New, Change.Delisted, Change.Resolved })
                    _html.Append("<li class=\"change-").Append(change.ToLowerInvariant()).Append("\">").Append(E(ChangeLabel(change)))
                        .Append(": <span id=\"change-count-").Append(change).Append("\">").Append(notable.Count(i => i.Change == change)).Append("</span></li>");
                _html.Append("</ul>\n");
            }
            if (notable.Count == 0) { _html.Append("</section>\n"); return; }
            var cols = new[] { "Change", "Target", "Source", "Status", "Item", "Since" };
            TableStart("changes-table", cols);
            foreach (var i in notable)
            {
                RowStart(i, always: true);
                Cell(cols[0], E(ChangeLabel(i.Change)), ChangeRank(i.Change).ToString(CultureInfo.InvariantCulture));
                Cell(cols[1], "<a href=\"#" + SectionId(i.Target) + "\">" + E(i.Target) + "</a>", E(i.Target));
                Cell(cols[2], E(T("Report_Source_" + i.Source)));
                Cell(cols[3], E(i.Status), ((int)i.Level).ToString(CultureInfo.InvariantCulture));
                Cell(cols[4], E(i.Item));
                Cell(cols[5], E(i.Since));
                _html.Append("</tr>\n");
            }
            _html.Append("</tbody></table></div>\n</section>\n");
        }

        private void Counts()
        {
            _html.Append("<section id=\"counts\">\n<h2>").Append(E(T("Report_CountsHeading"))).Append("</h2>\n");
            var targets = _items.GroupBy(i => i.Target, StringComparer.OrdinalIgnoreCase).ToList();
            int withProblems = targets.Count(g => g.Any(i => i.Level == ReportLevel.Critical || i.Level == ReportLevel.Warning));
            _html.Append("<p id=\"target-summary\">").Append(E(F("Report_TargetSummary", targets.Count, withProblems))).Append("</p>\n<div class=\"count-groups\">\n");
            foreach (var source in _items.GroupBy(i => i.Source).OrderBy(g => g.Key))
            {
                _html.Append("<table class=\"counts\" id=\"counts-").Append(source.Key).Append("\"><caption>")
                    .Append(E(T("Report_Source_" + source.Key))).Append("</caption><tbody>\n");
                foreach (var status in source.GroupBy(i => i.Status, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Min(i => i.Level)).ThenByDescending(g => g.Count()))
                    _html.Append("<tr class=\"").Append(LevelClass(status.Min(i => i.Level))).Append("\"><th scope=\"row\">").Append(E(status.Key))
                        .Append("</th><td data-count=\"").Append(E(status.Key)).Append("\">").Append(status.Count()).Append("</td></tr>\n");
                _html.Append("<tr class=\"total\"><th scope=\"row\">").Append(E(T("Report_Total"))).Append("</th><td data-count=\"Total\">")
                    .Append(source.Count()).Append("</td></tr>\n</tbody></table>\n");
            }
            _html.Append("</div>\n</section>\n");
        }

        private void Controls()
        {
            _html.Append("<form id=\"controls\" class=\"noprint\" role=\"search\">\n<label>").Append(E(T("Report_Filter")))
                .Append(" <input type=\"search\" id=\"filter\" autocomplete=\"off\"></label>\n")
                .Append("<label><input type=\"checkbox\" id=\"problems-only\" checked> ").Append(E(T("Report_ProblemsOnly"))).Append("</label>\n")
                .Append("<label><input type=\"checkbox\" id=\"changes-only\"> ").Append(E(T("Report_ChangesOnly"))).Append("</label>\n</form>\n");
        }

        private void Targets()
        {
            _html.Append("<section id=\"targets\">\n<h2>").Append(E(T("Report_TargetsHeading"))).Append("</h2>\n");
            // Worst first, so the page starts with what needs action.
            var sections = _items.GroupBy(i => i.Target, StringComparer.OrdinalIgnoreCase)
                .OrderBy(g => g.Min(i => i.Level)).ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase);
            foreach (var g in sections)
            {
                var worst = g.Min(i => i.Level);
                _html.Append("<section class=\"target ").Append(LevelClass(worst)).Append("\" id=\"").Append(SectionId(g.Key)).Append("\">\n<h3>")
                    .Append(E(g.Key.Length > 0 ? g.Key : "-")).Append("</h3>\n");
                int quiet = g.Count(i => i.Level == ReportLevel.Ok);
                if (quiet == g.Count()) _html.Append("<p class=\"section-note\">").Append(E(F("Report_SectionOk", quiet))).Append("</p>\n");
                else if (quiet > 0) _html.Append("<p class=\"section-note ok-note\">").Append(E(F("Report_SectionHidden", quiet))).Append("</p>\n");
                TableStart(null, Columns);
                foreach (var i in g.OrderBy(x => x.Level).ThenBy(x => x.Source).ThenBy(x => x.Item, StringComparer.OrdinalIgnoreCase))
                {
                    RowStart(i, always: false);
                    Cell("Change", E(ChangeLabel(i.Change)), ChangeRank(i.Change).ToString(CultureInfo.InvariantCulture));
                    Cell("Status", "<span class=\"badge\">" + E(i.Status) + "</span>", ((int)i.Level).ToString(CultureInfo.InvariantCulture));
                    Cell("Item", E(i.Item));
                    Cell("Cause", E(i.Cause), null, "cause");
                    Cell("Evidence", E(i.Evidence), null, "evidence");
                    Cell("Fix", E(i.Fix), null, "fix");
                    Cell("Link", Link(i.Url), null, "link");
                    Cell("Since", E(i.Since));
                    _html.Append("</tr>\n");
                }
                _html.Append("</tbody></table></div>\n</section>\n");
            }
            _html.Append("</section>\n");
        }

        private void TableStart(string id, string[] columns)
        {
            _html.Append("<div class=\"scroll\"><table class=\"data sortable\"");
            if (id != null) _html.Append(" id=\"").Append(id).Append('"');
            _html.Append("><thead><tr>");
            foreach (string c in columns)
                _html.Append("<th scope=\"col\" data-col=\"").Append(c).Append("\" tabindex=\"0\">").Append(E(T("Report_Col_" + c))).Append("</th>");
            _html.Append("</tr></thead><tbody>\n");
        }

        private void RowStart(ReportItem i, bool always)
        {
            _html.Append("<tr class=\"").Append(LevelClass(i.Level));
            if (i.IsNotableChange) _html.Append(" changed");
            if (always) _html.Append(" keep");
            _html.Append("\" data-source=\"").Append(i.Source).Append("\" data-change=\"").Append(E(i.Change)).Append("\">");
        }

        private void Cell(string column, string html, string sortKey = null, string cssClass = null)
        {
            _html.Append("<td data-label=\"").Append(E(T("Report_Col_" + column))).Append('"');
            if (sortKey != null) _html.Append(" data-sort=\"").Append(sortKey).Append('"');
            if (cssClass != null) _html.Append(" class=\"").Append(cssClass).Append('"');
            _html.Append('>').Append(html).Append("</td>");
        }

        private string Link(string url)
        {
            string href = HtmlText.SafeHref(url);
            if (href == null) return E(url);
            string host = new Uri(url.Trim()).Host;
            return "<a href=\"" + href + "\" rel=\"noopener noreferrer\" target=\"_blank\">" + E(T("Report_LinkText")) + " (" + E(host) + ")</a>";
        }

        private string ChangeLabel(string change) => change.Length == 0 ? string.Empty : T("Report_Change_" + change);

        // New and Delisted first: they are what the reader came for.
        private static int ChangeRank(string change) =>
            change == Change.New ? 0 : change == Change.Delisted ? 1 : change == Change.Resolved ? 2
            : change == Change.Unknown ? 3 : change == Change.Unchanged ? 4 : 5;

        private static string LevelClass(ReportLevel level) => level.ToString().ToLowerInvariant();

        /// <summary>An id from the target's text: a hash, so no target text reaches an attribute
        /// unencoded and two targets never share an id.</summary>
        private static string SectionId(string target)
        {
            using (var sha = SHA256.Create())
            {
                var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes((target ?? string.Empty).ToLowerInvariant()));
                return "t-" + BitConverter.ToString(bytes, 0, 8).Replace("-", string.Empty).ToLowerInvariant();
            }
        }

        private static string Hash(string text)
        {
            using (var sha = SHA256.Create())
                return "sha256-" + Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
        }

        private static string Asset(string name)
        {
            using (var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("MailBlacklist.Engine.Reports." + name))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
                return reader.ReadToEnd();
        }

        private static string E(string text) => HtmlText.Encode(text);
        private string T(string key) => Messages.Get(key, _culture);
        private string F(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
