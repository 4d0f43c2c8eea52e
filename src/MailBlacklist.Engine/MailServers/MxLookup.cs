using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
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

    /// <summary>The PTR name of an address and whether it resolves back (forward-confirmed reverse DNS).</summary>
    public sealed class PtrResult
    {
        internal PtrResult(IPAddress address) { Address = address; }
        public IPAddress Address { get; }
        /// <summary>The PTR name (the forward-confirmed one when there are several); empty when none.</summary>
        public string HostName { get; internal set; } = string.Empty;
        /// <summary>All PTR names.</summary>
        public IReadOnlyList<string> HostNames { get; internal set; } = new string[0];
        /// <summary>True: a PTR name has an A/AAAA equal to the address. False: no PTR, or no PTR
        /// name resolves back. Null: a query failed, so it is not known.</summary>
        public bool? ForwardConfirmed { get; internal set; }
        /// <summary>The failed outcome when a query failed; null otherwise.</summary>
        public DnsOutcome? Failure { get; internal set; }
        /// <summary>The name whose lookup failed (the reverse name or a PTR name).</summary>
        public string FailedName { get; internal set; }
    }

    public sealed class PtrLookup
    {
        private readonly QueryService _queries;

        public PtrLookup(QueryService queries) { _queries = queries ?? throw new ArgumentNullException(nameof(queries)); }

        public async Task<PtrResult> LookupAsync(IPAddress address, CancellationToken cancellationToken)
        {
            var result = new PtrResult(address);
            string reverse = IpNetwork.ReverseName(address);
            var ptr = await _queries.QueryAsync(reverse, DnsRecordType.Ptr, cancellationToken).ConfigureAwait(false);
            if (!ptr.IsDefinite) { result.Failure = ptr.Outcome; result.FailedName = reverse; return result; }
            var names = ptr.Records.Where(r => r.Type == DnsRecordType.Ptr && r.Data.Length > 0)
                           .Select(r => r.Data.ToLowerInvariant()).Distinct().ToList();
            result.HostNames = names;
            if (names.Count == 0) { result.ForwardConfirmed = false; return result; }
            var type = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsRecordType.A : DnsRecordType.Aaaa;
            // RFC 8601 / common practice: look at no more than 10 PTR names.
            var forward = await Task.WhenAll(names.Take(10).Select(n => _queries.QueryAsync(n, type, cancellationToken))).ConfigureAwait(false);
            for (int i = 0; i < forward.Length; i++)
            {
                if (forward[i].Addresses.Any(a => a.Equals(address)))
                {
                    result.HostName = names[i];
                    result.ForwardConfirmed = true;
                    return result;
                }
            }
            result.HostName = names[0];
            int failed = Array.FindIndex(forward, f => !f.IsDefinite);
            if (failed >= 0) { result.Failure = forward[failed].Outcome; result.FailedName = names[failed]; result.ForwardConfirmed = null; }
            else result.ForwardConfirmed = false;
            return result;
        }
    }

    public enum DmarcStatus { Found, None, Multiple, DnsFailure }

    /// <summary>The DMARC record at _dmarc.&lt;domain&gt; (RFC 7489). The organizational-domain
    /// fallback needs the Public Suffix List and is not done here: a subdomain without its own
    /// record reports None.</summary>
    public sealed class DmarcRecord
    {
        internal DmarcRecord(string domain) { Domain = domain; }
        public string Domain { get; }
        public DmarcStatus Status { get; internal set; }
        public DnsOutcome Outcome { get; internal set; }
        public string Text { get; internal set; } = string.Empty;
        /// <summary>p= (none, quarantine, reject); empty when missing or invalid.</summary>
        public string Policy { get; internal set; } = string.Empty;
        /// <summary>sp=; the p= value when sp= is absent (RFC 7489 6.3).</summary>
        public string SubdomainPolicy { get; internal set; } = string.Empty;
        /// <summary>pct= (0-100), 100 when absent.</summary>
        public int Percent { get; internal set; } = 100;
        /// <summary>rua= as written.</summary>
        public string AggregateReportUri { get; internal set; } = string.Empty;
        /// <summary>All tags, lower-case names.</summary>
        public IReadOnlyDictionary<string, string> Tags { get; internal set; } = new Dictionary<string, string>();

        public static async Task<DmarcRecord> LookupAsync(QueryService queries, string domain, CancellationToken cancellationToken)
        {
            var record = new DmarcRecord(domain);
            var answer = await queries.QueryAsync("_dmarc." + domain, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
            record.Outcome = answer.Outcome;
            if (!answer.IsDefinite) { record.Status = DmarcStatus.DnsFailure; return record; }
            var texts = answer.Texts.Where(t => t.TrimStart().StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase)).ToList();
            if (texts.Count == 0) { record.Status = DmarcStatus.None; return record; }
            if (texts.Count > 1) { record.Status = DmarcStatus.Multiple; record.Text = string.Join("; ", texts); return record; }
            record.Status = DmarcStatus.Found;
            record.Text = texts[0].Trim();
            var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string part in record.Text.Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) continue;
                string name = part.Substring(0, eq).Trim().ToLowerInvariant();
                if (!tags.ContainsKey(name)) tags[name] = part.Substring(eq + 1).Trim();
            }
            record.Tags = tags;
            string[] policies = { "none", "quarantine", "reject" };
            if (tags.TryGetValue("p", out var p) && policies.Contains(p.ToLowerInvariant())) record.Policy = p.ToLowerInvariant();
            record.SubdomainPolicy = tags.TryGetValue("sp", out var sp) && policies.Contains(sp.ToLowerInvariant()) ? sp.ToLowerInvariant() : record.Policy;
            if (tags.TryGetValue("pct", out var pct) && int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 100) record.Percent = n;
            if (tags.TryGetValue("rua", out var rua)) record.AggregateReportUri = rua;
            return record;
        }
    }
}
