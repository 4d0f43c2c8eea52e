using System.IO;
using System.Net;
using System.Runtime.Serialization;
using System.Text;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>The blocklist catalogue: a JSON data file shipped with the module (Data/catalog.json)
    /// or given by the user. Field names are the file's; see the shipped file for an example.</summary>
    [DataContract]
    public sealed class Catalog
    {
        public const string FileName = "catalog.json";

        [DataMember(Name = "version")] public int Version { get; set; }
        /// <summary>Base of Spamhaus DQS zones: &lt;key&gt;.&lt;dqsZone&gt;.&lt;dqsBase&gt;.</summary>
        [DataMember(Name = "dqsBase")] public string DqsBase { get; set; }
        /// <summary>Well-known public resolvers, through which several lists refuse to answer.</summary>
        [DataMember(Name = "publicResolvers")] public List<string> PublicResolvers { get; set; }
        [DataMember(Name = "zones")] public List<CatalogZone> Zones { get; set; }

        /// <summary>Where the catalogue was read from.</summary>
        public string Path { get; private set; }

        public static Catalog Load(string path)
        {
            Catalog catalog;
            using (var stream = File.OpenRead(path))
                catalog = JsonData.Read<Catalog>(stream);
            if (catalog == null || catalog.Zones == null) throw new InvalidDataException("no zones");
            catalog.Path = path;
            catalog.Normalize();
            return catalog;
        }

        /// <summary>The shipped catalogue, or the one named by MAILBLACKLIST_CATALOG.</summary>
        public static string DefaultPath()
        {
            string env = Environment.GetEnvironmentVariable("MAILBLACKLIST_CATALOG");
            if (!string.IsNullOrWhiteSpace(env)) return env;
            // The installed module keeps the engine in bin/<framework> and the catalogue at its
            // root; a build output keeps them side by side.
            string dir = System.IO.Path.GetDirectoryName(typeof(Catalog).Assembly.Location);
            for (int up = 0; up <= 2 && dir != null; up++, dir = System.IO.Path.GetDirectoryName(dir))
            {
                string path = System.IO.Path.Combine(dir, FileName);
                if (System.IO.File.Exists(path)) return path;
            }
            return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(Catalog).Assembly.Location), FileName);
        }

        private void Normalize()
        {
            DqsBase = string.IsNullOrWhiteSpace(DqsBase) ? "dq.spamhaus.net" : DqsBase.Trim().TrimEnd('.').ToLowerInvariant();
            PublicResolvers = PublicResolvers ?? new List<string>();
            Zones = Zones.Where(z => z != null && !string.IsNullOrWhiteSpace(z.Name)).ToList();
            foreach (var zone in Zones) zone.Normalize();
        }

        public CatalogZone Find(string name)
        {
            string key = (name ?? string.Empty).Trim().TrimEnd('.');
            return Zones.FirstOrDefault(z => string.Equals(z.Name, key, StringComparison.OrdinalIgnoreCase));
        }

        public bool IsPublicResolver(IPAddress address) =>
            PublicResolvers.Any(p => IPAddress.TryParse(p, out var ip) && ip.Equals(address));
    }

    [DataContract]
    public sealed class CatalogZone
    {
        [DataMember(Name = "name")] public string Name { get; set; }
        [DataMember(Name = "displayName")] public string DisplayName { get; set; }
        [DataMember(Name = "kinds")] public List<string> Kinds { get; set; }
        [DataMember(Name = "enabledByDefault")] public bool EnabledByDefault { get; set; }
        [DataMember(Name = "needsKey")] public bool NeedsKey { get; set; }
        [DataMember(Name = "dqsZone")] public string DqsZone { get; set; }
        [DataMember(Name = "lookupUrl")] public string LookupUrl { get; set; }
        [DataMember(Name = "removalInfo")] public string RemovalInfo { get; set; }
        [DataMember(Name = "removalInfoJa")] public string RemovalInfoJa { get; set; }
        [DataMember(Name = "freeQueriesPerDay")] public long FreeQueriesPerDay { get; set; }
        [DataMember(Name = "verified")] public string Verified { get; set; }
        [DataMember(Name = "source")] public string Source { get; set; }
        [DataMember(Name = "testPoints")] public List<CatalogTestPoint> TestPoints { get; set; }
        [DataMember(Name = "codes")] public List<CatalogCode> Codes { get; set; }
        /// <summary>Answers by which the list says "your resolver is refused" (Spamhaus
        /// 127.255.255.254, URIBL and SURBL 127.0.0.1): then its own servers are asked directly.</summary>
        [DataMember(Name = "refusedCodes")] public List<string> RefusedCodes { get; set; }
        /// <summary>Whether the list's terms let a user query its own servers from the user's own
        /// address (within its free-use limits). Absent: allowed unless the list needs a key.</summary>
        [DataMember(Name = "directQueries")] public bool? DirectQueries { get; set; }

        public InputKinds KindSet { get; private set; }
        public IReadOnlyList<IPAddress> RefusedAddresses { get; private set; } = new IPAddress[0];
        public bool AllowsDirectQueries => DirectQueries ?? !NeedsKey;

        internal void Normalize()
        {
            Name = Name.Trim().TrimEnd('.').ToLowerInvariant();
            DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? Name : DisplayName;
            TestPoints = TestPoints ?? new List<CatalogTestPoint>();
            Codes = Codes ?? new List<CatalogCode>();
            KindSet = InputKinds.None;
            foreach (string kind in Kinds ?? new List<string>())
            {
                if (Enum.TryParse(kind, true, out InputKinds k)) KindSet |= k;
            }
            if (KindSet == InputKinds.None) KindSet = InputKinds.IPv4;
            foreach (var code in Codes) code.Normalize();
            RefusedCodes = RefusedCodes ?? new List<string>();
            RefusedAddresses = RefusedCodes.Select(c => IPAddress.TryParse((c ?? string.Empty).Trim(), out var ip) ? ip : null)
                .Where(ip => ip != null).ToArray();
        }

        /// <summary>The catalogue entries that describe one returned address (several for bitmask lists).</summary>
        public IEnumerable<CatalogCode> Match(IPAddress answer)
        {
            byte[] b = answer.GetAddressBytes();
            foreach (var code in Codes)
            {
                if (code.Address != null)
                {
                    if (code.Address.Equals(answer)) yield return code;
                }
                else if (code.Mask > 0 && b.Length == 4 && b[0] == 127 && b[1] == 0 && b[2] == 0 && (b[3] & code.Mask) != 0)
                {
                    yield return code;
                }
            }
        }
    }

    [DataContract]
    public sealed class CatalogTestPoint
    {
        [DataMember(Name = "query")] public string Query { get; set; }
        /// <summary>Listed or NotListed.</summary>
        [DataMember(Name = "expect")] public string Expect { get; set; }
        public bool ExpectListed => string.Equals(Expect, "Listed", StringComparison.OrdinalIgnoreCase);
    }

    [DataContract]
    public sealed class CatalogCode
    {
        [DataMember(Name = "code")] public string Code { get; set; }
        [DataMember(Name = "mask")] public int Mask { get; set; }
        /// <summary>Verdict, Policy, Info or Error.</summary>
        [DataMember(Name = "category")] public string CategoryName { get; set; }
        [DataMember(Name = "list")] public string List { get; set; }
        [DataMember(Name = "tag")] public string Tag { get; set; }
        [DataMember(Name = "meaning")] public string Meaning { get; set; }
        [DataMember(Name = "meaningJa")] public string MeaningJa { get; set; }

        public IPAddress Address { get; private set; }
        public CodeCategory Category { get; private set; }

        internal void Normalize()
        {
            Address = !string.IsNullOrWhiteSpace(Code) && IPAddress.TryParse(Code.Trim(), out var ip) ? ip : null;
            Category = Enum.TryParse(CategoryName, true, out CodeCategory c) ? c : CodeCategory.Verdict;
            Tag = Tag ?? string.Empty;
            List = List ?? string.Empty;
        }
    }

    public enum CodeCategory { Verdict, Policy, Info, Error }

    [Flags]
    public enum InputKinds { None = 0, IPv4 = 1, IPv6 = 2, Domain = 4 }
}

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>Catalogues read in this session, reloaded when the file changes.</summary>
    public static class CatalogCache
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (System.DateTime stamp, Catalog catalog)> Loaded =
            new System.Collections.Concurrent.ConcurrentDictionary<string, (System.DateTime, Catalog)>(System.StringComparer.Ordinal);

        public static Catalog Get(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            var stamp = System.IO.File.GetLastWriteTimeUtc(full);
            if (Loaded.TryGetValue(full, out var hit) && hit.stamp == stamp) return hit.catalog;
            var catalog = Catalog.Load(full);
            Loaded[full] = (stamp, catalog);
            return catalog;
        }
    }
}
