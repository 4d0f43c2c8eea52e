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
        private readonly SpfHostTerms _hosts;

        public SpfEvaluator(QueryService queries, CultureInfo culture)
        {
            _queries = queries ?? throw new ArgumentNullException(nameof(queries));
            _culture = culture;
            _hosts = new SpfHostTerms(queries, culture);
        }

        /// <summary>Evaluates the SPF record of <paramref name="domain"/> (a normalized domain name).</summary>
        public async Task<SpfEvaluation> EvaluateAsync(string domain, CancellationToken cancellationToken)
        {
            var state = new SpfLookupState(domain);
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

        private async Task<SpfRecord> FetchAsync(string domain, string chain, SpfLookupState state, CancellationToken ct)
        {
            var record = new SpfRecord(domain, chain);
            var answer = await _queries.QueryAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
            record.Outcome = answer.Outcome;
            switch (answer.Outcome)
            {
                case DnsOutcome.Answer:
                    var spf = answer.Texts.Where(SpfTermParser.IsSpf).ToList();
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

        // Parses the record and resolves its terms in evaluation order. `path` holds the domains of
        // the include/redirect chain that led here, for loop detection.
        private async Task ExpandAsync(SpfRecord record, List<string> path, SpfLookupState state, CancellationToken ct)
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
                var m = SpfTermParser.Parse(term, record.Domain);
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
                string target = SpfTermParser.ExpandMacros(redirect, record.Domain, out bool unresolved);
                var m = new SpfMechanism
                {
                    Text = "redirect=" + redirect, Kind = "redirect", Target = target,
                    Evidence = record.Chain + " -> redirect=" + redirect, Unresolvable = unresolved,
                };
                record.Redirect = m;
                await ResolveAsync(record, m, path, state, ct).ConfigureAwait(false);
            }
        }

        private void Syntax(SpfRecord record, SpfLookupState state, string term)
        {
            record.SyntaxError = term;
            record.Mechanisms = new SpfMechanism[0];
            state.Problem(MailServerProblemCode.SpfSyntaxError, T("Spf_Syntax", record.Chain, term));
        }

        private bool CountLookup(SpfMechanism m, SpfLookupState state)
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

        private async Task ResolveAsync(SpfRecord record, SpfMechanism m, List<string> path, SpfLookupState state, CancellationToken ct)
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
            string target = SpfTermParser.ExpandMacros(m.Target, record.Domain, out bool unresolved);
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

            if (m.Kind != "include" && m.Kind != "redirect")
            {
                // a and mx: host names to addresses, keeping the term's CIDR.
                await _hosts.ResolveAsync(m, name, state, ct).ConfigureAwait(false);
                return;
            }
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
        }

        private string Describe(DnsOutcome outcome) => DescribeOutcome(outcome, _culture);

        /// <summary>A DNS outcome in words, e.g. "SERVFAIL (server failure)", localized.</summary>
        public static string DescribeOutcome(DnsOutcome outcome, CultureInfo culture) => Messages.Get("MailServer_Outcome_" + outcome, culture);

        private string T(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}
