using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Tests.Spf
{
    /// <summary>One scenario's zonedata of the RFC 7208 suite, answered in memory as the suite's
    /// own drivers do (pyspf's testspf.py): a name not in the zone is NXDOMAIN ("error." names
    /// time out); "TIMEOUT" as a record's value, or in place of records before any of the asked
    /// type, is a timeout; a CNAME is followed once.</summary>
    internal sealed class SuiteZone : IDnsResolver
    {
        private readonly Dictionary<string, List<(string Type, string? Value)>> _names;

        public SuiteZone(Dictionary<string, List<(string Type, string? Value)>> names) { _names = names; }

        public string Description => "rfc7208 suite zone";
        public string CacheKey => "suite";

        public Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken) =>
            Task.FromResult(Answer(name.TrimEnd('.').ToLowerInvariant(), type, followCname: true));

        private DnsAnswer Answer(string name, DnsRecordType type, bool followCname)
        {
            // The root exists (QueryService asks it to tell a real NXDOMAIN from a broken resolver).
            if (name.Length == 0) return new DnsAnswer(DnsOutcome.NoData, null, 300, TimeSpan.Zero, "suite", "NOERROR");
            if (!_names.TryGetValue(name, out var records))
                return name.StartsWith("error.", StringComparison.Ordinal) ? Failed(DnsOutcome.Timeout) : Failed(DnsOutcome.NxDomain);
            // As testspf.py reads a name's list: a bare TIMEOUT times the query out unless a record of
            // the asked type came before it.
            string wanted = type.ToString().ToUpperInvariant();
            var found = new List<DnsRecord>();
            foreach (var (rtype, value) in records)
            {
                if (rtype == "TIMEOUT") { if (found.Count == 0) return Failed(DnsOutcome.Timeout); break; }
                if (rtype != wanted) continue;
                if (value == "TIMEOUT") return Failed(DnsOutcome.Timeout);
                if (value != null) found.Add(new DnsRecord(type, MxTarget(type, value), 300, MxPreference(type, value)));
            }
            if (found.Count == 0 && followCname)
            {
                var cname = records.FirstOrDefault(r => r.Type == "CNAME");
                if (cname.Value != null) return Answer(cname.Value.TrimEnd('.').ToLowerInvariant(), type, followCname: false);
            }
            return found.Count > 0
                ? new DnsAnswer(DnsOutcome.Answer, found, 300, TimeSpan.Zero, "suite", "NOERROR")
                : new DnsAnswer(DnsOutcome.NoData, null, 300, TimeSpan.Zero, "suite", "NOERROR");
        }

        // The suite writes MX as "preference host" after parsing (see SpfSuite.Load).
        private static string MxTarget(DnsRecordType type, string value) =>
            type == DnsRecordType.Mx ? value.Substring(value.IndexOf(' ') + 1) : value;

        private static int MxPreference(DnsRecordType type, string value) =>
            type == DnsRecordType.Mx ? int.Parse(value.Substring(0, value.IndexOf(' ')), System.Globalization.CultureInfo.InvariantCulture) : 0;

        private static DnsAnswer Failed(DnsOutcome outcome) => DnsAnswer.Failed(outcome, TimeSpan.Zero, "suite");
    }
}
