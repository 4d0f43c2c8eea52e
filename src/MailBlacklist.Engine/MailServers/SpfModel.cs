using System.Net;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>Whether one SPF record could be fetched.</summary>
    public enum SpfRecordStatus
    {
        /// <summary>Exactly one v=spf1 record.</summary>
        Found,
        /// <summary>The name exists but publishes no v=spf1 record (RFC 7208 "none").</summary>
        None,
        /// <summary>The name does not exist.</summary>
        NxDomain,
        /// <summary>More than one v=spf1 record (RFC 7208 4.5: permerror).</summary>
        Multiple,
        /// <summary>The TXT query failed (SERVFAIL, timeout...): RFC 7208 "temperror".</summary>
        DnsFailure,
        /// <summary>Not fetched: a loop, or the lookup budget was spent.</summary>
        NotFollowed,
    }

    /// <summary>RFC 7208 check_host() results, plus Unknown where the record depends on data this
    /// evaluation cannot have (ptr, exists, macros).</summary>
    public enum SpfResult { Pass, Fail, SoftFail, Neutral, None, PermError, TempError, Unknown }

    /// <summary>One fetched SPF record (the domain's, or one reached by include/redirect).</summary>
    public sealed class SpfRecord
    {
        internal SpfRecord(string domain, string chain) { Domain = domain; Chain = chain; }

        public string Domain { get; }
        /// <summary>How this record was reached, e.g. "SPF example.com -> include:_spf.host.test".</summary>
        public string Chain { get; }
        public SpfRecordStatus Status { get; internal set; }
        /// <summary>The DNS outcome of the TXT query.</summary>
        public DnsOutcome Outcome { get; internal set; }
        /// <summary>The record text; all texts "; "-joined for Multiple.</summary>
        public string Text { get; internal set; } = string.Empty;
        public IReadOnlyList<SpfMechanism> Mechanisms { get; internal set; } = new SpfMechanism[0];
        /// <summary>The redirect= target's record, when the redirect applies (no "all" mechanism).</summary>
        public SpfMechanism Redirect { get; internal set; }
        /// <summary>A syntax error that makes the record a permerror; null when none.</summary>
        public string SyntaxError { get; internal set; }
    }

    /// <summary>One term of a record, with what it resolved to.</summary>
    public sealed class SpfMechanism
    {
        /// <summary>The term as written, e.g. "include:_spf.host.test", "ip4:192.0.2.0/24", "redirect=x".</summary>
        public string Text { get; internal set; }
        /// <summary>all, include, a, mx, ptr, ip4, ip6, exists, redirect.</summary>
        public string Kind { get; internal set; }
        /// <summary>'+', '-', '~' or '?'.</summary>
        public char Qualifier { get; internal set; } = '+';
        /// <summary>The domain the mechanism names (the current domain when none is written).</summary>
        public string Target { get; internal set; }
        /// <summary>The evidence chain up to and including this term.</summary>
        public string Evidence { get; internal set; }
        /// <summary>1-based number of this DNS-querying term in evaluation order (RFC 7208 4.6.4);
        /// 0 for terms that query nothing (ip4, ip6, all).</summary>
        public int LookupNumber { get; internal set; }
        /// <summary>1-based number of this term among the void lookups (NXDOMAIN or no records),
        /// RFC 7208 4.6.4 allows 2; 0 when its lookup was not void.</summary>
        public int VoidNumber { get; internal set; }
        /// <summary>Resolved networks (ip4/ip6 as written; a/mx after lookups, with their CIDR).</summary>
        public IReadOnlyList<SpfNetwork> Networks { get; internal set; } = new SpfNetwork[0];
        /// <summary>The record an include or redirect leads to.</summary>
        public SpfRecord Included { get; internal set; }
        /// <summary>A DNS lookup of this term failed (temperror).</summary>
        public bool DnsFailed { get; internal set; }
        /// <summary>The target is already on the include/redirect path.</summary>
        public bool Loop { get; internal set; }
        /// <summary>ptr, exists, or macros that need the sender's address: cannot be listed as addresses.</summary>
        public bool Unresolvable { get; internal set; }
        /// <summary>An mx term whose name has more than 10 MX records (RFC 7208 4.6.4: permerror).</summary>
        public bool MxLimitExceeded { get; internal set; }
        internal int Cidr4 { get; set; } = 32;
        internal int Cidr6 { get; set; } = 128;
    }

    /// <summary>A network an a/mx/ip4/ip6 term authorises, with the host it came from.</summary>
    public sealed class SpfNetwork
    {
        internal SpfNetwork(IpNetwork network, string evidence) { Network = network; Evidence = evidence; }
        public IpNetwork Network { get; }
        public string Evidence { get; }
    }

    /// <summary>A problem found while evaluating or looking up, localized.</summary>
    public sealed class MailServerProblem
    {
        /// <param name="message">Localized text that may quote DNS data (an SPF term, a record, a host
        /// name): its control characters are neutralized here, so neither an error nor a row's Detail
        /// carries them.</param>
        internal MailServerProblem(MailServerProblemCode code, MailServerRole? role, string message)
        {
            Code = code; Role = role; Message = SafeText.Neutralize(message);
        }
        public MailServerProblemCode Code { get; }
        /// <summary>The role the problem is about; null for the domain as a whole.</summary>
        public MailServerRole? Role { get; }
        public string Message { get; }
        public override string ToString() => Message;
    }

    /// <summary>Stable problem codes; the cmdlet uses them as ErrorIds.</summary>
    public enum MailServerProblemCode
    {
        DomainNotFound,
        SpfNotFound,
        SpfMultipleRecords,
        SpfSyntaxError,
        SpfLookupLimitExceeded,
        SpfVoidLookupLimitExceeded,
        SpfLoop,
        SpfIncludeNotFound,
        SpfDnsFailure,
        SpfUnresolvableMechanism,
        SpfNoAddresses,
        NullMx,
        NoMailRecords,
        MxHostUnresolvable,
        MxDnsFailure,
    }

    /// <summary>The SPF evaluation of one domain: the record tree, the lookups counted, the
    /// problems, and the networks it authorises.</summary>
    public sealed class SpfEvaluation
    {
        internal SpfEvaluation(string domain, SpfRecord root, int lookupCount, int voidLookupCount, IReadOnlyList<MailServerProblem> problems)
        {
            Domain = domain; Root = root; LookupCount = lookupCount; VoidLookupCount = voidLookupCount; Problems = problems;
        }

        public const int LookupLimit = 10;
        public const int VoidLookupLimit = 2;

        public string Domain { get; }
        public SpfRecord Root { get; }
        /// <summary>The domain's own record status: Found, None (no SPF), Multiple, NxDomain, DnsFailure.</summary>
        public SpfRecordStatus Status => Root.Status;
        /// <summary>DNS-querying terms (include, a, mx, ptr, exists, redirect) in the whole tree.</summary>
        public int LookupCount { get; }
        public bool LookupLimitExceeded => LookupCount > LookupLimit;
        /// <summary>Lookups that found nothing (NXDOMAIN or no records).</summary>
        public int VoidLookupCount { get; }
        public bool VoidLookupLimitExceeded => VoidLookupCount > VoidLookupLimit;
        public IReadOnlyList<MailServerProblem> Problems { get; }

        /// <summary>Every term of the tree in evaluation order (depth first, includes in place,
        /// redirect last).</summary>
        public IEnumerable<SpfMechanism> AllMechanisms() => Walk(Root);

        private static IEnumerable<SpfMechanism> Walk(SpfRecord record)
        {
            if (record == null) yield break;
            var terms = record.Redirect == null ? record.Mechanisms : record.Mechanisms.Concat(new[] { record.Redirect });
            foreach (var m in terms)
            {
                yield return m;
                foreach (var inner in Walk(m.Included)) yield return inner;
            }
        }

        /// <summary>The networks that pass (qualifier '+', through '+' includes and redirects), in
        /// evaluation order: these are the domain's declared senders.</summary>
        public IEnumerable<(SpfMechanism Mechanism, SpfNetwork Network)> AuthorisedNetworks() => Passing(Root);

        private static IEnumerable<(SpfMechanism, SpfNetwork)> Passing(SpfRecord record)
        {
            if (record == null || record.Status != SpfRecordStatus.Found) yield break;
            foreach (var m in record.Mechanisms)
            {
                if (m.Qualifier != '+') continue;
                foreach (var n in m.Networks) yield return (m, n);
                if (m.Kind == "include" && !m.Loop)
                    foreach (var inner in Passing(m.Included)) yield return inner;
            }
            if (record.Redirect != null && !record.Redirect.Loop)
                foreach (var inner in Passing(record.Redirect.Included)) yield return inner;
        }

        /// <summary>RFC 7208 check_host() for an address, over the evaluated tree (the lookup limit
        /// applies where the 11th lookup falls in evaluation order).</summary>
        public SpfResult Check(IPAddress address)
        {
            // RFC 7208 5: an IPv4-mapped IPv6 address is checked as the IPv4 address it carries.
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            var result = CheckRecord(Root, address, isInclude: false);
            return result;
        }

        /// <summary>Does SPF authorise this address? True for pass; false for fail, softfail and
        /// neutral; null when SPF cannot say (no record, permerror, temperror, ptr/exists/macros).</summary>
        public bool? Authorizes(IPAddress address)
        {
            switch (Check(address))
            {
                case SpfResult.Pass: return true;
                case SpfResult.Fail:
                case SpfResult.SoftFail:
                case SpfResult.Neutral: return false;
                default: return null;
            }
        }

        private static SpfResult CheckRecord(SpfRecord record, IPAddress address, bool isInclude)
        {
            switch (record.Status)
            {
                case SpfRecordStatus.Found: break;
                case SpfRecordStatus.None:
                case SpfRecordStatus.NxDomain: return isInclude ? SpfResult.PermError : SpfResult.None;
                case SpfRecordStatus.DnsFailure: return SpfResult.TempError;
                default: return SpfResult.PermError;
            }
            if (record.SyntaxError != null) return SpfResult.PermError;
            foreach (var m in record.Mechanisms)
            {
                if (m.LookupNumber > LookupLimit || m.VoidNumber > VoidLookupLimit || m.Loop || m.MxLimitExceeded) return SpfResult.PermError;
                if (m.DnsFailed) return SpfResult.TempError;
                switch (m.Kind)
                {
                    case "all":
                        return Qualified(m.Qualifier);
                    case "include":
                        if (m.Unresolvable) return SpfResult.Unknown;
                        // Not fetched: the evaluation stopped at its hard cap, far past the limit of 10.
                        if (m.Included == null) return SpfResult.PermError;
                        var inner = CheckRecord(m.Included, address, isInclude: true);
                        if (inner == SpfResult.Pass) return Qualified(m.Qualifier);
                        if (inner == SpfResult.Fail || inner == SpfResult.SoftFail || inner == SpfResult.Neutral) continue;
                        return inner;   // permerror, temperror, unknown
                    case "ptr":
                    case "exists":
                        return SpfResult.Unknown;
                    default:
                        if (m.Unresolvable) return SpfResult.Unknown;
                        if (m.Networks.Any(n => n.Network.Contains(address))) return Qualified(m.Qualifier);
                        continue;
                }
            }
            if (record.Redirect != null)
            {
                var r = record.Redirect;
                if (r.LookupNumber > LookupLimit || r.VoidNumber > VoidLookupLimit || r.Loop) return SpfResult.PermError;
                if (r.Unresolvable) return SpfResult.Unknown;
                if (r.Included == null) return SpfResult.PermError;
                var result = CheckRecord(r.Included, address, isInclude: true);
                return result;
            }
            return SpfResult.Neutral;
        }

        private static SpfResult Qualified(char qualifier)
        {
            switch (qualifier)
            {
                case '-': return SpfResult.Fail;
                case '~': return SpfResult.SoftFail;
                case '?': return SpfResult.Neutral;
                default: return SpfResult.Pass;
            }
        }
    }
}
