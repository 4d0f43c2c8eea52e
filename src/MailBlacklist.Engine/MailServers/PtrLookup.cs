using System.Net;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
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
}
