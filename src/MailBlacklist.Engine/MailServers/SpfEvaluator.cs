using System.Net.Sockets;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    /// <summary>Evaluates a domain's SPF record (RFC 7208) to find the addresses it authorises to
    /// send: follows include and redirect, resolves a and mx, keeps ip4/ip6 networks as written,
    /// counts DNS-querying terms against the limit of 10 and detects loops. DNS failures are
    /// reported as problems, never thrown.</summary>
    public sealed class SpfEvaluator
    {
        /// <summary>Evaluation goes on past the RFC limit to show what the record names, but stops
        /// here so that a hostile record cannot make the command run for ever.</summary>
        public const int HardLookupCap = 40;
        /// <summary>RFC 7208 4.6.4: an mx term looks up at most 10 MX host names.</summary>
        public const int MxHostLimit = 10;

        private readonly QueryService _queries;
        private readonly CultureInfo _culture;

        public SpfEvaluator(QueryService queries, CultureInfo culture)
        {
            _queries = queries ?? throw new ArgumentNullException(nameof(queries));
            _culture = culture;
        }

        /// <summary>Evaluates the SPF record of <paramref name="domain"/> (a normalized domain name).</summary>
        public async Task<SpfEvaluation> EvaluateAsync(string domain, CancellationToken cancellationToken)
        {
            var state = new State(domain);
            var root = await FetchAsync(domain, "SPF " + domain, state, cancellationToken).ConfigureAwait(false);
            switch (root.Status)
            {
                case SpfRecordStatus.None:
                    state.Problem(MailServerProblemCode.SpfNotFound, T("Spf_NotFound", domain));
                    break;
                case SpfRecordStatus.NxDomain:
                    state.Problem(MailServerProblemCode.DomainNotFound, T("MailServer_DomainNotFound", domain), role: null);
                    break;
                case SpfRecordStatus.DnsFailure:
                    state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "TXT", domain, Describe(root.Outcome)));
                    break;
            }
            if (root.Status == SpfRecordStatus.Found)
                await ExpandAsync(root, new List<string> { domain }, state, cancellationToken).ConfigureAwait(false);
            if (state.Voids > SpfEvaluation.VoidLookupLimit)
                state.Problem(MailServerProblemCode.SpfVoidLookupLimitExceeded, T("Spf_VoidLimit", domain, state.Voids, SpfEvaluation.VoidLookupLimit), first: true);
            if (state.Lookups > SpfEvaluation.LookupLimit)
                state.Problem(MailServerProblemCode.SpfLookupLimitExceeded, T("Spf_LookupLimit", domain, state.Lookups, SpfEvaluation.LookupLimit), first: true);
            return new SpfEvaluation(domain, root, state.Lookups, state.Voids, state.Problems);
        }

        private sealed class State
        {
            public State(string domain) { Domain = domain; }
            public string Domain { get; }
            public int Lookups;
            public int Voids;
            public bool CapReached;
            public readonly List<MailServerProblem> Problems = new List<MailServerProblem>();

            public void Problem(MailServerProblemCode code, string message, MailServerRole? role = MailServerRole.Outbound, bool first = false)
            {
                var p = new MailServerProblem(code, role, message);
                if (Problems.Any(x => x.Message == p.Message)) return;
                if (first) Problems.Insert(0, p); else Problems.Add(p);
            }
        }

        private async Task<SpfRecord> FetchAsync(string domain, string chain, State state, CancellationToken ct)
        {
            var record = new SpfRecord(domain, chain);
            var answer = await _queries.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
            record.Outcome = answer.Outcome;
            switch (answer.Outcome)
            {
                case DnsOutcome.Answer:
                    var spf = answer.Texts.Where(IsSpf).ToList();
                    if (spf.Count == 0) record.Status = SpfRecordStatus.None;
                    else if (spf.Count > 1) { record.Status = SpfRecordStatus.Multiple; record.Text = string.Join("; ", spf); }
                    else { record.Status = SpfRecordStatus.Found; record.Text = spf[0].Trim(); }
                    break;
                case DnsOutcome.NoData: record.Status = SpfRecordStatus.None; break;
                case DnsOutcome.NxDomain: record.Status = SpfRecordStatus.NxDomain; break;
                default: record.Status = SpfRecordStatus.DnsFailure; break;
            }
            if (record.Status == SpfRecordStatus.Multiple)
                state.Problem(MailServerProblemCode.SpfMultipleRecords, T("Spf_Multiple", domain, record.Text));
            return record;
        }

        private static bool IsSpf(string text)
        {
            string t = text.TrimStart();
            return t.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || t.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase);
        }

        // Parses the record and resolves its terms in evaluation order. `path` holds the domains of
        // the include/redirect chain that led here, for loop detection.
        private async Task ExpandAsync(SpfRecord record, List<string> path, State state, CancellationToken ct)
        {
            // RFC 7208 4.6.1: terms are separated by spaces only; a tab or non-ASCII byte breaks the term it is in.
            var terms = record.Text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            var mechanisms = new List<SpfMechanism>();
            string redirect = null;
            bool exp = false;
            foreach (string term in terms)
            {
                // A control or non-ASCII character makes the record a permerror (RFC 7208 3.1), but the
                // rest of the record is still shown: its addresses are what the owner meant to list.
                if (!SpfSyntax.IsPrintableAscii(term))
                {
                    record.SyntaxError = record.SyntaxError ?? term;
                    state.Problem(MailServerProblemCode.SpfSyntaxError, T("Spf_Syntax", record.Chain, term));
                }
                int eq = term.IndexOf('=');
                int colon = term.IndexOf(':');
                if (eq > 0 && (colon < 0 || eq < colon))
                {
                    string name = term.Substring(0, eq).ToLowerInvariant();
                    string value = term.Substring(eq + 1);
                    // RFC 7208 6: redirect and exp at most once, each with a domain; every modifier's
                    // name and macro-string well formed, even an unknown one that is then ignored.
                    bool known = name == "redirect" || name == "exp";
                    if (!SpfSyntax.IsModifierName(name) || !SpfSyntax.IsMacroString(value)
                        || (known && (!SpfSyntax.IsDomainSpec(value) || (name == "redirect" ? redirect != null : exp))))
                    { Syntax(record, state, term); return; }
                    if (name == "redirect") redirect = value;
                    if (name == "exp") exp = true;
                    continue;   // exp= and unknown modifiers are otherwise ignored (RFC 7208 6)
                }
                var m = Parse(term, record.Domain);
                if (m == null) { Syntax(record, state, term); return; }
                m.Evidence = record.Chain + " -> " + term;
                mechanisms.Add(m);
            }
            record.Mechanisms = mechanisms;

            foreach (var m in mechanisms)
            {
                ct.ThrowIfCancellationRequested();
                await ResolveAsync(record, m, path, state, ct).ConfigureAwait(false);
            }
            // RFC 7208 6.1: redirect applies only when the record has no "all".
            if (redirect != null && !mechanisms.Any(x => x.Kind == "all"))
            {
                string target = ExpandMacros(redirect, record.Domain, out bool unresolved);
                var m = new SpfMechanism
                {
                    Text = "redirect=" + redirect, Kind = "redirect", Target = target,
                    Evidence = record.Chain + " -> redirect=" + redirect, Unresolvable = unresolved,
                };
                record.Redirect = m;
                await ResolveAsync(record, m, path, state, ct).ConfigureAwait(false);
            }
        }

        private void Syntax(SpfRecord record, State state, string term)
        {
            record.SyntaxError = term;
            record.Mechanisms = new SpfMechanism[0];
            state.Problem(MailServerProblemCode.SpfSyntaxError, T("Spf_Syntax", record.Chain, term));
        }

        private static readonly string[] Known = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };

        private static SpfMechanism Parse(string term, string currentDomain)
        {
            char qualifier = '+';
            string body = term;
            if ("+-~?".IndexOf(body[0]) >= 0) { qualifier = body[0]; body = body.Substring(1); }
            if (body.Length == 0) return null;
            int sep = body.IndexOfAny(new[] { ':', '/' });
            string kind = (sep < 0 ? body : body.Substring(0, sep)).ToLowerInvariant();
            string rest = sep < 0 ? string.Empty : body.Substring(sep);
            if (!Known.Contains(kind)) return null;
            var m = new SpfMechanism { Text = term, Kind = kind, Qualifier = qualifier, Target = currentDomain };
            switch (kind)
            {
                case "all":
                    return rest.Length == 0 ? m : null;
                case "ip4":
                case "ip6":
                    if (!rest.StartsWith(":", StringComparison.Ordinal)) return null;
                    var network = IpNetwork.TryParse(rest.Substring(1), kind == "ip4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6);
                    if (network == null) return null;
                    m.Target = null;
                    m.Networks = new[] { new SpfNetwork(network, null) };
                    return m;
                case "include":
                case "exists":
                    if (!rest.StartsWith(":", StringComparison.Ordinal) || !ValidTarget(rest.Substring(1))) return null;
                    m.Target = rest.Substring(1);
                    return m;
                default: // a, mx, ptr: [:domain][/cidr4][//cidr6]
                    string domainPart = rest, cidr = string.Empty;
                    if (rest.StartsWith(":", StringComparison.Ordinal))
                    {
                        // The CIDR suffix is read from the end: a domain-spec may itself hold '/' (RFC 7208 7.1).
                        var suffix = CidrSuffix.Match(rest);
                        domainPart = rest.Substring(1, suffix.Index - 1);
                        cidr = suffix.Value;
                        if (!ValidTarget(domainPart)) return null;
                        m.Target = domainPart;
                    }
                    else cidr = rest;
                    if (!ParseCidr(cidr, out int v4, out int v6)) return null;
                    if (kind == "ptr" && cidr.Length > 0) return null;
                    m.Cidr4 = v4; m.Cidr6 = v6;
                    return m;
            }
        }

        private static readonly System.Text.RegularExpressions.Regex CidrSuffix =
            new System.Text.RegularExpressions.Regex(@"(/[0-9]+)?(//[0-9]+)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        // A target with a control or non-ASCII character is already a permerror of the record (see
        // ExpandAsync); it is kept as a term so that the record's other terms are still shown.
        private static bool ValidTarget(string target) =>
            target.Length > 0 && (SpfSyntax.IsDomainSpec(target) || !SpfSyntax.IsPrintableAscii(target));

        // "", "/24", "//64", "/24//64"
        private static bool ParseCidr(string text, out int v4, out int v6)
        {
            v4 = 32; v6 = 128;
            if (text.Length == 0) return true;
            int dual = text.IndexOf("//", StringComparison.Ordinal);
            string four = dual < 0 ? text : text.Substring(0, dual);
            string six = dual < 0 ? null : text.Substring(dual + 2);
            if (four.Length > 0)
            {
                if (!four.StartsWith("/", StringComparison.Ordinal) || !IpNetwork.TryParsePrefix(four.Substring(1), 32, out v4)) return false;
            }
            if (six != null && !IpNetwork.TryParsePrefix(six, 128, out v6)) return false;
            return true;
        }

        // Only %{d} and %{o} (the domain itself) can be expanded without the sender's address.
        private static string ExpandMacros(string spec, string currentDomain, out bool unresolved)
        {
            unresolved = false;
            if (spec.IndexOf('%') < 0) return spec.TrimEnd('.');
            string expanded = spec.Replace("%{d}", currentDomain).Replace("%{o}", currentDomain)
                                  .Replace("%%", "%").Replace("%_", " ").Replace("%-", "%20");
            if (expanded.IndexOf('%') >= 0) { unresolved = true; return spec; }
            return expanded.TrimEnd('.');
        }

        private bool CountLookup(SpfMechanism m, State state)
        {
            if (state.Lookups >= HardLookupCap)
            {
                if (!state.CapReached)
                {
                    state.CapReached = true;
                    state.Problem(MailServerProblemCode.SpfLookupLimitExceeded, T("Spf_HardCap", state.Domain, HardLookupCap));
                }
                return false;
            }
            m.LookupNumber = ++state.Lookups;
            return true;
        }

        private async Task ResolveAsync(SpfRecord record, SpfMechanism m, List<string> path, State state, CancellationToken ct)
        {
            switch (m.Kind)
            {
                case "all":
                case "ip4":
                case "ip6":
                    return;
                case "ptr":
                case "exists":
                    CountLookup(m, state);
                    m.Unresolvable = true;
                    state.Problem(MailServerProblemCode.SpfUnresolvableMechanism, T("Spf_Unresolvable", m.Evidence));
                    return;
            }
            if (!CountLookup(m, state)) return;
            string target = ExpandMacros(m.Target, record.Domain, out bool unresolved);
            string name = unresolved ? null : DomainName.Normalize(target) ?? SpfSyntax.NormalizeTarget(target);
            // RFC 7208 7.1: a name without a usable top label ("a:192.0.2.1") is a syntax error (permerror).
            if (!unresolved && (name == null || (m.Target.IndexOf('%') < 0 && !SpfSyntax.HasDomainEnd(m.Target))))
            {
                record.SyntaxError = record.SyntaxError ?? m.Text;
                name = null;
            }
            if (unresolved || name == null)
            {
                m.Unresolvable = true;
                state.Problem(unresolved ? MailServerProblemCode.SpfUnresolvableMechanism : MailServerProblemCode.SpfSyntaxError,
                    unresolved ? T("Spf_Unresolvable", m.Evidence) : T("Spf_Syntax", record.Chain, m.Text));
                return;
            }
            m.Target = name;

            if (m.Kind == "include" || m.Kind == "redirect")
            {
                if (path.Contains(name))
                {
                    m.Loop = true;
                    state.Problem(MailServerProblemCode.SpfLoop, T("Spf_Loop", m.Evidence, name));
                    return;
                }
                var child = await FetchAsync(name, m.Evidence, state, ct).ConfigureAwait(false);
                m.Included = child;
                switch (child.Status)
                {
                    case SpfRecordStatus.Found:
                        path.Add(name);
                        try { await ExpandAsync(child, path, state, ct).ConfigureAwait(false); }
                        finally { path.RemoveAt(path.Count - 1); }
                        break;
                    case SpfRecordStatus.None:
                    case SpfRecordStatus.NxDomain:
                        if (child.Outcome == DnsOutcome.NxDomain || child.Outcome == DnsOutcome.NoData) m.VoidNumber = ++state.Voids;
                        state.Problem(MailServerProblemCode.SpfIncludeNotFound, T("Spf_IncludeNotFound", m.Evidence, name));
                        break;
                    case SpfRecordStatus.DnsFailure:
                        m.DnsFailed = true;
                        state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "TXT", name, Describe(child.Outcome)));
                        break;
                }
                return;
            }

            // a and mx: resolve host names to addresses, keeping the term's CIDR.
            var hosts = new List<(string Host, string Evidence)>();
            if (m.Kind == "mx")
            {
                var mx = await _queries.QueryAsync(name, DnsRecordType.Mx, ct).ConfigureAwait(false);
                if (!mx.IsDefinite)
                {
                    m.DnsFailed = true;
                    state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "MX", name, Describe(mx.Outcome)));
                    return;
                }
                if (mx.Outcome != DnsOutcome.Answer) m.VoidNumber = ++state.Voids;
                // RFC 7208 4.6.4: more than 10 MX names is a permerror, not "the first 10".
                if (mx.Records.Count(r => r.Type == DnsRecordType.Mx) > MxHostLimit)
                {
                    m.MxLimitExceeded = true;
                    state.Problem(MailServerProblemCode.SpfLookupLimitExceeded, T("Spf_MxLimit", m.Evidence, mx.Records.Count, MxHostLimit));
                }
                foreach (var r in mx.Records.Where(r => r.Type == DnsRecordType.Mx && r.Data.Length > 0)
                                            .OrderBy(r => r.Preference).ThenBy(r => r.Data, StringComparer.Ordinal).Take(MxHostLimit))
                    hosts.Add((r.Data, m.Evidence + " -> MX " + r.Preference.ToString(CultureInfo.InvariantCulture) + " " + r.Data));
            }
            else hosts.Add((name, m.Evidence));

            var lookups = hosts.Select(h => LookupHostAsync(h.Host, ct)).ToList();
            var results = await Task.WhenAll(lookups).ConfigureAwait(false);
            var networks = new List<SpfNetwork>();
            for (int i = 0; i < hosts.Count; i++)
            {
                foreach (var answer in results[i])
                {
                    if (!answer.IsDefinite)
                    {
                        m.DnsFailed = true;
                        state.Problem(MailServerProblemCode.SpfDnsFailure, T("Spf_DnsFailure", "A/AAAA", hosts[i].Host, Describe(answer.Outcome)));
                        continue;
                    }
                    foreach (var address in answer.Addresses)
                    {
                        int prefix = address.AddressFamily == AddressFamily.InterNetwork ? m.Cidr4 : m.Cidr6;
                        string evidence = hosts[i].Evidence;
                        networks.Add(new SpfNetwork(new IpNetwork(address, prefix), evidence));
                    }
                }
            }
            m.Networks = networks;
            // An a term whose name has neither A nor AAAA is a void lookup.
            if (m.Kind == "a" && results.All(r => r.All(x => x.Outcome == DnsOutcome.NxDomain || x.Outcome == DnsOutcome.NoData)))
                m.VoidNumber = ++state.Voids;
        }

        private async Task<DnsAnswer[]> LookupHostAsync(string host, CancellationToken ct)
        {
            var a = _queries.QueryAsync(host, DnsRecordType.A, ct);
            var aaaa = _queries.QueryAsync(host, DnsRecordType.Aaaa, ct);
            return await Task.WhenAll(a, aaaa).ConfigureAwait(false);
        }

        private string Describe(DnsOutcome outcome) => DescribeOutcome(outcome, _culture);

        /// <summary>A DNS outcome in words, e.g. "SERVFAIL (server failure)", localized.</summary>
        public static string DescribeOutcome(DnsOutcome outcome, CultureInfo culture) => Messages.Get("MailServer_Outcome_" + outcome, culture);

        private string T(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
