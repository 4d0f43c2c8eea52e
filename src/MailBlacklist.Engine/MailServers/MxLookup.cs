using System.Net;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    public enum MxStatus
    {
        /// <summary>MX records were found (see Hosts; some may not resolve).</summary>
        Mx,
        /// <summary>No MX: the domain's own A/AAAA receive mail (RFC 5321 5.1, implicit MX).</summary>
        ImplicitMx,
        /// <summary>"MX 0 ." (RFC 7505): the domain accepts no mail.</summary>
        NullMx,
        /// <summary>The domain exists but has neither MX nor A/AAAA: nobody receives its mail.</summary>
        NoMailRecords,
        /// <summary>The domain does not exist.</summary>
        NxDomain,
        /// <summary>The MX (or implicit A/AAAA) query failed.</summary>
        DnsFailure,
    }

    /// <summary>One mail exchanger and its addresses.</summary>
    public sealed class MxHost
    {
        internal MxHost(string name, int preference) { Name = name; Preference = preference; }
        public string Name { get; }
        /// <summary>MX preference; -1 for the implicit MX.</summary>
        public int Preference { get; }
        public IReadOnlyList<IPAddress> Addresses { get; internal set; } = new IPAddress[0];
        /// <summary>True when neither A nor AAAA exists for the name (MX pointing nowhere).</summary>
        public bool Unresolvable { get; internal set; }
        /// <summary>The failed outcome when the A or AAAA query failed; null otherwise.</summary>
        public DnsOutcome? Failure { get; internal set; }
    }

    /// <summary>Where a domain's mail is delivered.</summary>
    public sealed class MxResult
    {
        internal MxResult(string domain) { Domain = domain; }
        public string Domain { get; }
        public MxStatus Status { get; internal set; }
        /// <summary>The failed outcome for DnsFailure.</summary>
        public DnsOutcome Outcome { get; internal set; }
        /// <summary>Mail exchangers sorted by preference (then name); the domain itself for ImplicitMx.</summary>
        public IReadOnlyList<MxHost> Hosts { get; internal set; } = new MxHost[0];
        /// <summary>True when at least one host resolves to an address.</summary>
        public bool Resolves => Hosts.Any(h => h.Addresses.Count > 0);
    }

    /// <summary>MX lookup with RFC 5321 implicit MX and RFC 7505 null MX.</summary>
    public sealed class MxLookup
    {
        private readonly QueryService _queries;

        public MxLookup(QueryService queries) { _queries = queries ?? throw new ArgumentNullException(nameof(queries)); }

        public async Task<MxResult> LookupAsync(string domain, CancellationToken cancellationToken)
        {
            var result = new MxResult(domain);
            var mx = await _queries.QueryAsync(domain, DnsRecordType.Mx, cancellationToken).ConfigureAwait(false);
            switch (mx.Outcome)
            {
                case DnsOutcome.Answer:
                    var records = mx.Records.Where(r => r.Type == DnsRecordType.Mx).ToList();
                    if (records.Count == 1 && records[0].Data.Length == 0)
                    {
                        result.Status = MxStatus.NullMx;
                        return result;
                    }
                    var hosts = records.Where(r => r.Data.Length > 0)
                        .GroupBy(r => r.Data.ToLowerInvariant()).Select(g => g.OrderBy(r => r.Preference).First())
                        .OrderBy(r => r.Preference).ThenBy(r => r.Data, StringComparer.OrdinalIgnoreCase)
                        .Select(r => new MxHost(r.Data.ToLowerInvariant(), r.Preference)).ToList();
                    await Task.WhenAll(hosts.Select(h => ResolveAsync(h, cancellationToken))).ConfigureAwait(false);
                    result.Status = MxStatus.Mx;
                    result.Hosts = hosts;
                    return result;
                case DnsOutcome.NxDomain:
                    result.Status = MxStatus.NxDomain;
                    return result;
                case DnsOutcome.NoData:
                    var self = new MxHost(domain, -1);
                    await ResolveAsync(self, cancellationToken).ConfigureAwait(false);
                    if (self.Failure != null) { result.Status = MxStatus.DnsFailure; result.Outcome = self.Failure.Value; return result; }
                    if (self.Unresolvable) { result.Status = MxStatus.NoMailRecords; return result; }
                    result.Status = MxStatus.ImplicitMx;
                    result.Hosts = new[] { self };
                    return result;
                default:
                    result.Status = MxStatus.DnsFailure;
                    result.Outcome = mx.Outcome;
                    return result;
            }
        }

        private async Task ResolveAsync(MxHost host, CancellationToken ct)
        {
            var a = _queries.QueryAsync(host.Name, DnsRecordType.A, ct);
            var aaaa = _queries.QueryAsync(host.Name, DnsRecordType.Aaaa, ct);
            var answers = await Task.WhenAll(a, aaaa).ConfigureAwait(false);
            host.Addresses = answers.SelectMany(x => x.Outcome == DnsOutcome.Answer ? x.Addresses : Enumerable.Empty<IPAddress>()).ToList();
            var failed = answers.FirstOrDefault(x => !x.IsDefinite);
            if (failed != null) host.Failure = failed.Outcome;
            host.Unresolvable = host.Addresses.Count == 0 && failed == null;
        }
    }
}
