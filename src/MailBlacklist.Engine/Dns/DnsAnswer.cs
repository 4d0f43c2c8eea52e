using System.Net;

namespace MailBlacklist.Engine.Dns
{
    public enum DnsRecordType { A = 1, Ns = 2, Cname = 5, Soa = 6, Ptr = 12, Mx = 15, Txt = 16, Aaaa = 28 }

    /// <summary>What came back from one question. Failures are outcomes, not exceptions, so that
    /// nobody can mistake a failed lookup for "no record".</summary>
    public enum DnsOutcome
    {
        Answer,        // NOERROR with records of the asked type
        NxDomain,      // the name does not exist
        NoData,        // the name exists, but has no record of that type
        ServerFailure, // SERVFAIL
        Refused,       // REFUSED
        OtherError,    // any other RCODE or a malformed answer
        Timeout,       // no answer in time (also a lost UDP packet)
        Unreachable,   // the resolver could not be contacted at all
        BrokenResolver, // the resolver says even the DNS root does not exist: its NXDOMAIN means nothing
    }

    public sealed class DnsRecord
    {
        public DnsRecord(DnsRecordType type, string data, int ttl, int preference = 0)
        {
            Type = type; Data = data; Ttl = ttl; Preference = preference;
        }
        public DnsRecordType Type { get; }
        /// <summary>Address text for A/AAAA, target name for MX/PTR/CNAME/NS, joined strings for TXT.</summary>
        public string Data { get; }
        public int Ttl { get; }
        /// <summary>MX preference.</summary>
        public int Preference { get; }
    }

    public sealed class DnsAnswer
    {
        private static readonly DnsRecord[] NoRecords = new DnsRecord[0];

        public DnsAnswer(DnsOutcome outcome, IReadOnlyList<DnsRecord> records, int ttl, TimeSpan elapsed, string server, string responseCode,
            bool authoritative = false)
        {
            Authoritative = authoritative;
            Outcome = outcome;
            Records = records ?? NoRecords;
            Ttl = ttl;
            Elapsed = elapsed;
            Server = server;
            ResponseCode = responseCode;
        }

        public DnsOutcome Outcome { get; }
        public IReadOnlyList<DnsRecord> Records { get; }
        /// <summary>Seconds this answer may be reused (the smallest record TTL, or the negative TTL).</summary>
        public int Ttl { get; }
        public TimeSpan Elapsed { get; }
        /// <summary>The resolver that answered, as host:port.</summary>
        public string Server { get; }
        /// <summary>The RCODE name, e.g. NOERROR, NXDOMAIN, SERVFAIL; empty when no answer came.</summary>
        public string ResponseCode { get; }

        /// <summary>The AA bit: the answer came from a server of the zone itself, not from a cache.
        /// Only direct questions to a zone's own servers rely on it.</summary>
        public bool Authoritative { get; }

        /// <summary>For an answer that no server of a zone gave: what each server asked said,
        /// in the order asked (see <see cref="AuthoritativeResolver"/>). Empty otherwise.</summary>
        public IReadOnlyList<DnsAnswer> Attempts { get; internal set; } = NoAttempts;
        private static readonly DnsAnswer[] NoAttempts = new DnsAnswer[0];

        /// <summary>True when the name was answered authoritatively, whether or not records exist.</summary>
        public bool IsDefinite => Outcome == DnsOutcome.Answer || Outcome == DnsOutcome.NxDomain || Outcome == DnsOutcome.NoData;

        public IEnumerable<IPAddress> Addresses =>
            Records.Where(r => r.Type == DnsRecordType.A || r.Type == DnsRecordType.Aaaa)
                   .Select(r => IPAddress.Parse(r.Data));

        public IEnumerable<string> Texts => Records.Where(r => r.Type == DnsRecordType.Txt).Select(r => r.Data);

        public static DnsAnswer Failed(DnsOutcome outcome, TimeSpan elapsed, string server) =>
            new DnsAnswer(outcome, NoRecords, 0, elapsed, server, string.Empty);
    }
}
