using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>A resolver on top of DnsClient.NET, reporting every failure as an outcome.</summary>
    public sealed class DnsClientResolver : IDnsResolver
    {
        private readonly LookupClient _client;
        private readonly string _fallbackServer;

        /// <param name="servers">Resolvers to ask; empty means the system's resolvers.</param>
        public DnsClientResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, int retries)
        {
            bool system = servers == null || servers.Count == 0;
            IReadOnlyList<IPEndPoint> endpoints = system ? SystemServers() : servers;
            var options = new LookupClientOptions(endpoints.Select(e => new NameServer(e)).ToArray())
            {
                UseCache = false,                // caching is ours: per TTL, errors never cached
                Timeout = timeout,
                Retries = retries,
                ThrowDnsErrors = false,
                ContinueOnDnsError = false,      // a SERVFAIL is an answer to report, not to hide
                ContinueOnEmptyResponse = false,
                UseTcpFallback = true,
                EnableAuditTrail = false,
                UseRandomNameServer = false,
            };
            _client = new LookupClient(options);
            string list = string.Join(", ", endpoints.Select(ServerEndpoint.Format));
            Description = system ? "system (" + list + ")" : list;
            CacheKey = list;
            _fallbackServer = endpoints.Count > 0 ? ServerEndpoint.Format(endpoints[0]) : string.Empty;
            Servers = endpoints;
        }

        public string Description { get; }
        public string CacheKey { get; }
        public IReadOnlyList<IPEndPoint> Servers { get; }

        /// <summary>The resolvers the operating system is configured with (the adapters, then
        /// resolv.conf itself where the adapters name none).</summary>
        public static IReadOnlyList<IPEndPoint> SystemServers()
        {
            IReadOnlyList<IPEndPoint> found;
            try
            {
                found = NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
                    .Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToArray();
            }
            catch (Exception)
            {
                found = new IPEndPoint[0];
            }
            return found.Count > 0 || Path.DirectorySeparatorChar == '\\' ? found : ResolvConf.Read(ResolvConf.DefaultPath);
        }

        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            if (Servers.Count == 0) return DnsAnswer.Failed(DnsOutcome.Unreachable, watch.Elapsed, string.Empty);
            IDnsQueryResponse response;
            try
            {
                response = await _client.QueryAsync(name, (QueryType)(int)type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Never pass the exception text on: it names the query, which may hold a DQS key.
                return DnsAnswer.Failed(Classify(ex), watch.Elapsed, _fallbackServer);
            }
            watch.Stop();
            return Convert(response, name, type, watch.Elapsed);
        }

        private static DnsOutcome Classify(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException se)
                    return se.SocketErrorCode == SocketError.TimedOut ? DnsOutcome.Timeout : DnsOutcome.Unreachable;
                if (e is DnsResponseException dre)
                {
                    if (dre.Code == DnsResponseCode.ConnectionTimeout) return DnsOutcome.Timeout;
                    if (dre.Code == DnsResponseCode.ServerFailure) return DnsOutcome.ServerFailure;
                    if (dre.Code == DnsResponseCode.Refused) return DnsOutcome.Refused;
                    if (dre.InnerException == null) return DnsOutcome.OtherError;
                }
                if (e is TimeoutException || e is OperationCanceledException) return DnsOutcome.Timeout;
            }
            return DnsOutcome.OtherError;
        }

        private DnsAnswer Convert(IDnsQueryResponse response, string name, DnsRecordType type, TimeSpan elapsed)
        {
            string server = response.NameServer != null ? FormatServer(response.NameServer) : _fallbackServer;
            int rcode = (int)response.Header.ResponseCode;
            var records = new List<WireRecord>();
            foreach (var rr in response.Answers)
            {
                var record = ToRecord(rr);
                if (record.Data != null) records.Add(record);
            }
            var question = response.Questions.Count > 0 ? response.Questions[0].QueryName.Value : name;
            bool referral = AnswerBuilder.IsReferral(response.Answers.Count, response.Authorities.OfType<SoaRecord>().Any(),
                response.Authorities.OfType<NsRecord>().Any(), response.Header.HasAuthorityAnswer);
            return AnswerBuilder.Build(question, type, rcode, records, NegativeTtl(response), elapsed, server, referral, response.Header.HasAuthorityAnswer);
        }

        private static WireRecord ToRecord(DnsResourceRecord rr)
        {
            int ttl = rr.InitialTimeToLive;
            string owner = rr.DomainName.Value;
            switch (rr)
            {
                case ARecord a: return new WireRecord(owner, DnsRecordType.A, ttl, a.Address.ToString());
                case AaaaRecord aaaa: return new WireRecord(owner, DnsRecordType.Aaaa, ttl, aaaa.Address.ToString());
                case TxtRecord txt: return new WireRecord(owner, DnsRecordType.Txt, ttl, string.Concat(txt.Text));
                case MxRecord mx: return new WireRecord(owner, DnsRecordType.Mx, ttl, mx.Exchange.Value.TrimEnd('.'), mx.Preference);
                case PtrRecord ptr: return new WireRecord(owner, DnsRecordType.Ptr, ttl, ptr.PtrDomainName.Value.TrimEnd('.'));
                case CNameRecord cname: return new WireRecord(owner, DnsRecordType.Cname, ttl, cname.CanonicalName.Value.TrimEnd('.'));
                case NsRecord ns: return new WireRecord(owner, DnsRecordType.Ns, ttl, ns.NSDName.Value.TrimEnd('.'));
                default: return default;
            }
        }

        private static int NegativeTtl(IDnsQueryResponse response)
        {
            var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
            return soa == null ? 0 : AnswerBuilder.NegativeTtl(soa.InitialTimeToLive, soa.Minimum);
        }

        private static string FormatServer(NameServer ns) =>
            IPAddress.TryParse(ns.Address, out var ip) ? ServerEndpoint.Format(new IPEndPoint(ip, ns.Port)) : ns.Address;
    }
}
