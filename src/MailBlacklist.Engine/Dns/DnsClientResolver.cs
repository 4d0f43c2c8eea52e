using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
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

        /// <summary>The resolvers the operating system is configured with (resolv.conf, or the
        /// adapters on Windows).</summary>
        public static IReadOnlyList<IPEndPoint> SystemServers()
        {
            try
            {
                return NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
                    .Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToArray();
            }
            catch (Exception)
            {
                return new IPEndPoint[0];
            }
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
            return Convert(response, type, watch.Elapsed);
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

        private DnsAnswer Convert(IDnsQueryResponse response, DnsRecordType type, TimeSpan elapsed)
        {
            string server = response.NameServer != null ? FormatServer(response.NameServer) : _fallbackServer;
            var rcode = response.Header.ResponseCode;
            string rcodeName = RcodeName(rcode);
            switch (rcode)
            {
                case DnsHeaderResponseCode.NoError:
                    break;
                case DnsHeaderResponseCode.NotExistentDomain:
                    return new DnsAnswer(DnsOutcome.NxDomain, null, NegativeTtl(response), elapsed, server, rcodeName);
                case DnsHeaderResponseCode.ServerFailure:
                    return new DnsAnswer(DnsOutcome.ServerFailure, null, 0, elapsed, server, rcodeName);
                case DnsHeaderResponseCode.Refused:
                    return new DnsAnswer(DnsOutcome.Refused, null, 0, elapsed, server, rcodeName);
                default:
                    return new DnsAnswer(DnsOutcome.OtherError, null, 0, elapsed, server, rcodeName);
            }

            var records = new List<DnsRecord>();
            foreach (var rr in response.Answers)
            {
                DnsRecord record = ToRecord(rr);
                if (record != null && (record.Type == type || type == DnsRecordType.Cname)) records.Add(record);
            }
            if (records.Count == 0)
                return new DnsAnswer(DnsOutcome.NoData, null, NegativeTtl(response), elapsed, server, rcodeName);
            return new DnsAnswer(DnsOutcome.Answer, records, records.Min(r => r.Ttl), elapsed, server, rcodeName);
        }

        private static DnsRecord ToRecord(DnsResourceRecord rr)
        {
            int ttl = rr.InitialTimeToLive;
            switch (rr)
            {
                case ARecord a: return new DnsRecord(DnsRecordType.A, a.Address.ToString(), ttl);
                case AaaaRecord aaaa: return new DnsRecord(DnsRecordType.Aaaa, aaaa.Address.ToString(), ttl);
                case TxtRecord txt: return new DnsRecord(DnsRecordType.Txt, string.Concat(txt.Text), ttl);
                case MxRecord mx: return new DnsRecord(DnsRecordType.Mx, mx.Exchange.Value.TrimEnd('.'), ttl, mx.Preference);
                case PtrRecord ptr: return new DnsRecord(DnsRecordType.Ptr, ptr.PtrDomainName.Value.TrimEnd('.'), ttl);
                case CNameRecord cname: return new DnsRecord(DnsRecordType.Cname, cname.CanonicalName.Value.TrimEnd('.'), ttl);
                case NsRecord ns: return new DnsRecord(DnsRecordType.Ns, ns.NSDName.Value.TrimEnd('.'), ttl);
                default: return null;
            }
        }

        // RFC 2308: the negative TTL is the smaller of the SOA's TTL and its MINIMUM field.
        private static int NegativeTtl(IDnsQueryResponse response)
        {
            var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
            if (soa == null) return 0;
            return (int)Math.Min((uint)Math.Max(0, soa.InitialTimeToLive), soa.Minimum);
        }

        private static string RcodeName(DnsHeaderResponseCode code)
        {
            switch (code)
            {
                case DnsHeaderResponseCode.NoError: return "NOERROR";
                case DnsHeaderResponseCode.NotExistentDomain: return "NXDOMAIN";
                case DnsHeaderResponseCode.ServerFailure: return "SERVFAIL";
                case DnsHeaderResponseCode.Refused: return "REFUSED";
                case DnsHeaderResponseCode.FormatError: return "FORMERR";
                case DnsHeaderResponseCode.NotImplemented: return "NOTIMP";
                default: return "RCODE" + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        private static string FormatServer(NameServer ns) =>
            IPAddress.TryParse(ns.Address, out var ip) ? ServerEndpoint.Format(new IPEndPoint(ip, ns.Port)) : ns.Address;
    }
}
