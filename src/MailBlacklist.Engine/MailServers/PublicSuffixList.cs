using System.IO;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>The Public Suffix List (publicsuffix.org, MPL-2.0): which names are registries, so
    /// that a receiver can find a domain's organizational domain (RFC 7489 3.2). The list ships
    /// beside the module DLL (Data/public_suffix_list.dat, from Debian's publicsuffix package); a
    /// newer copy can be named with -PublicSuffixPath or MAILBLACKLIST_PUBLIC_SUFFIX.</summary>
    public sealed class PublicSuffixList
    {
        public const string FileName = "public_suffix_list.dat";

        private readonly HashSet<string> _rules = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _wildcards = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _exceptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public string Path { get; private set; } = string.Empty;
        public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

        public static PublicSuffixList Load(TextReader reader, string path = "")
        {
            var list = new PublicSuffixList { Path = path ?? string.Empty };
            string line;
            while ((line = reader.ReadLine()) != null)
            {
                // A rule is the first whitespace-free word of a line; "//" starts a comment.
                string rule = line.Trim().Split(' ', '\t')[0];
                if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal)) continue;
                rule = ToAscii(rule.TrimEnd('.'));
                if (rule == null) continue;
                if (rule.StartsWith("!", StringComparison.Ordinal)) list._exceptions.Add(rule.Substring(1));
                else if (rule.StartsWith("*.", StringComparison.Ordinal)) list._wildcards.Add(rule.Substring(2));
                else list._rules.Add(rule);
            }
            if (list.RuleCount == 0) throw new InvalidDataException("no public suffix rules");
            return list;
        }

        public static PublicSuffixList LoadFile(string path)
        {
            using (var reader = new StreamReader(path, System.Text.Encoding.UTF8)) return Load(reader, path);
        }

        /// <summary>The shipped list, or the one MAILBLACKLIST_PUBLIC_SUFFIX names.</summary>
        public static string DefaultPath()
        {
            string env = Environment.GetEnvironmentVariable("MAILBLACKLIST_PUBLIC_SUFFIX");
            if (!string.IsNullOrWhiteSpace(env)) return env;
            return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(PublicSuffixList).Assembly.Location), FileName);
        }

        /// <summary>The public suffix of a name (PSL algorithm: an exception rule wins, then the
        /// longest matching rule; with none, the last label, the implicit "*" rule).</summary>
        public string PublicSuffix(string domain)
        {
            var labels = Labels(domain);
            if (labels == null) return null;
            for (int i = 0; i < labels.Length; i++)
            {
                string name = string.Join(".", labels, i, labels.Length - i);
                if (_exceptions.Contains(name)) return string.Join(".", labels, i + 1, labels.Length - i - 1);
            }
            for (int i = 0; i < labels.Length; i++)
            {
                string name = string.Join(".", labels, i, labels.Length - i);
                if (_rules.Contains(name)) return name;
                if (i > 0 && _wildcards.Contains(name)) return string.Join(".", labels, i - 1, labels.Length - i + 1);
            }
            return labels[labels.Length - 1];
        }

        /// <summary>The organizational domain: the public suffix plus one label; null when the name
        /// is itself a public suffix.</summary>
        public string OrganizationalDomain(string domain)
        {
            var labels = Labels(domain);
            string suffix = PublicSuffix(domain);
            if (labels == null || suffix == null) return null;
            int suffixLabels = suffix.Split('.').Length;
            if (labels.Length <= suffixLabels) return null;
            return string.Join(".", labels, labels.Length - suffixLabels - 1, suffixLabels + 1);
        }

        private static string[] Labels(string domain)
        {
            string ascii = ToAscii((domain ?? string.Empty).Trim().TrimEnd('.'));
            if (string.IsNullOrEmpty(ascii)) return null;
            var labels = ascii.Split('.');
            return labels.Any(l => l.Length == 0) ? null : labels;
        }

        // Rules and names compare in their ASCII (punycode) form; "*." and "!" are kept around it.
        private static string ToAscii(string name)
        {
            string prefix = name.StartsWith("*.", StringComparison.Ordinal) ? "*." : name.StartsWith("!", StringComparison.Ordinal) ? "!" : string.Empty;
            string rest = name.Substring(prefix.Length);
            if (rest.Length == 0) return null;
            try { return prefix + new System.Globalization.IdnMapping().GetAscii(rest).ToLowerInvariant(); }
            catch (ArgumentException) { return null; }
        }
    }
}
