using System.IO;
using System.Text;

namespace MailBlacklist.Engine.Baseline
{
    /// <summary>A CSV file as Export-Csv writes it (RFC 4180 quoting, an optional "#TYPE" line from
    /// Windows PowerShell, "," or the culture's separator with -UseCulture), read whole. Anything
    /// else is damage: a baseline is compared all or nothing.</summary>
    public sealed class CsvTable
    {
        public IReadOnlyList<string> Header { get; }
        public IReadOnlyList<string[]> Rows { get; }
        private readonly Dictionary<string, int> _index;

        private CsvTable(List<string> header, List<string[]> rows)
        {
            Header = header;
            Rows = rows;
            _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < header.Count; i++)
                if (!_index.ContainsKey(header[i])) _index[header[i]] = i;
        }

        public bool Has(string column) => _index.ContainsKey(column);

        /// <summary>The cell of a column, or "" when the file has no such column.</summary>
        public string Cell(string[] row, string column) => _index.TryGetValue(column, out int i) ? row[i] : string.Empty;

        /// <summary>Reads a file; BOM-detected encoding, UTF-8 otherwise (Export-Csv's default in
        /// PowerShell 7 and what -Encoding utf8BOM writes).</summary>
        public static CsvTable Read(string path)
        {
            string text;
            using (var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true))
                text = reader.ReadToEnd();
            return Parse(text);
        }

        /// <summary>Parses CSV text; throws <see cref="BaselineException"/> for damage, with the line.</summary>
        public static CsvTable Parse(string text)
        {
            if (text.IndexOf('\0') >= 0) throw new BaselineException(BaselineProblem.Damaged, 1, "NUL");
            int pos = 0, line = 1;
            // Windows PowerShell writes "#TYPE Namespace.Type" first unless -NoTypeInformation.
            if (text.StartsWith("#TYPE", StringComparison.Ordinal))
            {
                int end = text.IndexOf('\n');
                pos = end < 0 ? text.Length : end + 1;
                line = 2;
            }
            char separator = SniffSeparator(text, pos);
            var header = ReadRecord(text, ref pos, ref line, separator);
            if (header == null) throw new BaselineException(BaselineProblem.Empty, line, null);
            var rows = new List<string[]>();
            while (true)
            {
                int recordLine = line;
                var record = ReadRecord(text, ref pos, ref line, separator);
                if (record == null) break;
                if (record.Count == 1 && record[0].Length == 0) continue;   // a blank line
                if (record.Count != header.Count)
                    throw new BaselineException(BaselineProblem.Damaged, recordLine, record.Count + " / " + header.Count);
                rows.Add(record.ToArray());
            }
            return new CsvTable(header, rows);
        }

        // The header is ASCII property names: the first of , ; or tab outside quotes is the separator.
        private static char SniffSeparator(string text, int pos)
        {
            bool quoted = false;
            for (int i = pos; i < text.Length && text[i] != '\n'; i++)
            {
                char c = text[i];
                if (c == '"') quoted = !quoted;
                else if (!quoted && (c == ',' || c == ';' || c == '\t')) return c;
            }
            return ',';
        }

        private static List<string> ReadRecord(string text, ref int pos, ref int line, char separator)
        {
            // Skip blank lines before a record.
            while (pos < text.Length && (text[pos] == '\r' || text[pos] == '\n'))
            {
                if (text[pos] == '\n') line++;
                pos++;
            }
            if (pos >= text.Length) return null;
            var fields = new List<string>();
            var field = new StringBuilder();
            int startLine = line;
            while (true)
            {
                if (pos < text.Length && text[pos] == '"')
                {
                    pos++;
                    while (true)
                    {
                        if (pos >= text.Length) throw new BaselineException(BaselineProblem.Damaged, startLine, "\"");
                        char c = text[pos++];
                        if (c == '"')
                        {
                            if (pos < text.Length && text[pos] == '"') { field.Append('"'); pos++; continue; }
                            break;
                        }
                        if (c == '\n') line++;
                        field.Append(c);
                    }
                    // After a closing quote only a separator or the end of the line may follow.
                    if (pos < text.Length && text[pos] != separator && text[pos] != '\r' && text[pos] != '\n')
                        throw new BaselineException(BaselineProblem.Damaged, line, "\"");
                }
                else
                {
                    while (pos < text.Length && text[pos] != separator && text[pos] != '\r' && text[pos] != '\n')
                    {
                        if (text[pos] == '"') throw new BaselineException(BaselineProblem.Damaged, line, "\"");
                        field.Append(text[pos++]);
                    }
                }
                fields.Add(field.ToString());
                field.Clear();
                if (pos < text.Length && text[pos] == separator) { pos++; continue; }
                // End of record: consume one line break.
                if (pos < text.Length && text[pos] == '\r') pos++;
                if (pos < text.Length && text[pos] == '\n') { pos++; line++; }
                return fields;
            }
        }
    }
}
