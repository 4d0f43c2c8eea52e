using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Commands
{
    [Cmdlet(VerbsCommon.Get, "DnsblZone")]
    [OutputType(typeof(DnsblZone))]
    public sealed class GetDnsblZoneCommand : MailBlacklistCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ZoneCompleter))]
        public string[] Name { get; set; }

        [Parameter]
        [ValidateSet("IPv4", "IPv6", "Domain")]
        public string Kind { get; set; }

        [Parameter]
        public SwitchParameter Default { get; set; }

        [Parameter]
        public string CatalogPath { get; set; }

        private Catalog _catalog;

        protected override void BeginProcessing()
        {
            _catalog = LoadCatalog(CatalogPath);
        }

        protected override void ProcessRecord()
        {
            var zones = _catalog.Zones.AsEnumerable();
            if (Default) zones = zones.Where(z => z.EnabledByDefault);
            if (!string.IsNullOrEmpty(Kind))
            {
                var kind = (InputKinds)Enum.Parse(typeof(InputKinds), Kind, true);
                zones = zones.Where(z => (z.KindSet & kind) != 0);
            }
            if (Name == null || Name.Length == 0)
            {
                foreach (var z in zones) WriteObject(DnsblZone.From(z, Culture));
                return;
            }
            var list = zones.ToList();
            foreach (string name in Name)
            {
                List<CatalogZone> matches;
                try
                {
                    var pattern = WildcardPattern.Get(name ?? string.Empty, WildcardOptions.IgnoreCase);
                    matches = list.Where(z => pattern.IsMatch(z.Name) || pattern.IsMatch(z.DisplayName)).ToList();
                }
                catch (WildcardPatternException)
                {
                    matches = new List<CatalogZone>();
                }
                if (matches.Count == 0 && (string.IsNullOrEmpty(name) || !WildcardPattern.ContainsWildcardCharacters(name) || name.IndexOf('[') >= 0))
                    WriteInputError("ZoneNotFound", ErrorCategory.ObjectNotFound, name, "Error_ZoneNotFound", Shown(name));
                foreach (var z in matches) WriteObject(DnsblZone.From(z, Culture));
            }
        }
    }
}
