namespace MailBlacklist.Engine.Dns
{
    /// <summary>One resource record as read from an answer section, before interpretation.</summary>
    internal readonly struct WireRecord
    {
        public WireRecord(string owner, DnsRecordType type, int ttl, string data, int preference = 0)
        {
            Owner = owner; Type = type; Ttl = ttl; Data = data; Preference = preference;
        }
        public string Owner { get; }
        public DnsRecordType Type { get; }
        public int Ttl { get; }
        public string Data { get; }
        public int Preference { get; }
    }

    /// <summary>The one place where a response becomes a <see cref="DnsAnswer"/>: response-code names
    /// and outcomes, the CNAME chain and the negative TTL. The module's UDP client and the
    /// DnsClient.NET resolver both go through it, so they cannot disagree.</summary>
    internal static class AnswerBuilder
    {
        private const int MaxAliases = 16;

        public static string RcodeName(int code)
        {
            switch (code)
            {
                case 0: return "NOERROR";
                case 1: return "FORMERR";
                case 2: return "SERVFAIL";
                case 3: return "NXDOMAIN";
                case 4: return "NOTIMP";
                case 5: return "REFUSED";
                default: return "RCODE" + code.ToString(CultureInfo.InvariantCulture);
            }
        }

        /// <summary>RFC 2308 5: the negative TTL is the smaller of the SOA's own TTL and its MINIMUM.</summary>
        public static int NegativeTtl(long soaTtl, long minimum) =>
            (int)Math.Max(0, Math.Min(Math.Min(soaTtl, minimum), int.MaxValue));

        /// <summary>A referral (RFC 1034 4.3.2; RFC 2308 2.2 tells it from NODATA): no answer records,
        /// NS records and no SOA in the authority section, and not authoritative. A server that
        /// is not the zone's (or a lame delegation) says "ask elsewhere", which is not "no record".</summary>
        public static bool IsReferral(int answerCount, bool hasSoa, bool hasNs, bool authoritative) =>
            answerCount == 0 && hasNs && !hasSoa && !authoritative;

        /// <summary>A malformed response: an error, never "no record".</summary>
        public static DnsAnswer Malformed(int rcode, TimeSpan elapsed, string server) =>
            new DnsAnswer(DnsOutcome.OtherError, null, 0, elapsed, server, rcode == 0 ? "FORMERR" : RcodeName(rcode));

        /// <param name="question">The name asked, as matched against the response's question.</param>
        /// <param name="answers">The answer section, records of class IN.</param>
        /// <param name="negativeTtl">From the authority section's SOA; 0 when there is none.</param>
        public static DnsAnswer Build(string question, DnsRecordType type, int rcode, IReadOnlyList<WireRecord> answers,
            int negativeTtl, TimeSpan elapsed, string server, bool referral = false, bool authoritative = false)
        {
            string rcodeName = RcodeName(rcode);
            switch (rcode)
            {
                case 0: break;
                case 3: return new DnsAnswer(DnsOutcome.NxDomain, null, negativeTtl, elapsed, server, rcodeName, authoritative);
                case 2: return new DnsAnswer(DnsOutcome.ServerFailure, null, 0, elapsed, server, rcodeName);
                case 5: return new DnsAnswer(DnsOutcome.Refused, null, 0, elapsed, server, rcodeName);
                default: return new DnsAnswer(DnsOutcome.OtherError, null, 0, elapsed, server, rcodeName);
            }

            // Records of the asked type owned by the question name or, through CNAMEs, by a name the
            // chain leads to; anything else in the section (glue, unrelated names) is ignored.
            var records = new List<DnsRecord>();
            string current = Trim(question);
            int hops;
            for (hops = 0; hops < MaxAliases && current != null; hops++)
            {
                string next = null;
                foreach (var rr in answers)
                {
                    if (!string.Equals(Trim(rr.Owner), current, StringComparison.OrdinalIgnoreCase)) continue;
                    if (rr.Type == type) records.Add(new DnsRecord(type, rr.Data, rr.Ttl, rr.Preference));
                    else if (rr.Type == DnsRecordType.Cname && next == null) next = Trim(rr.Data);
                }
                if (records.Count > 0 || type == DnsRecordType.Cname) break;
                current = next;
            }
            // A chain still going after 16 aliases is a loop, not "no record".
            if (records.Count == 0 && current != null && hops >= MaxAliases) return Malformed(rcode, elapsed, server);
            if (records.Count == 0 && referral) return new DnsAnswer(DnsOutcome.OtherError, null, 0, elapsed, server, "NOERROR (referral)");
            if (records.Count == 0) return new DnsAnswer(DnsOutcome.NoData, null, negativeTtl, elapsed, server, rcodeName, authoritative);
            int min = int.MaxValue;
            foreach (var r in records) min = Math.Min(min, r.Ttl);
            return new DnsAnswer(DnsOutcome.Answer, records, min, elapsed, server, rcodeName, authoritative);
        }

        private static string Trim(string name) =>
            name != null && name.Length > 1 && name[name.Length - 1] == '.' ? name.Substring(0, name.Length - 1) : name;
    }
}
