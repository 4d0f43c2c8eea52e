using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>Checks inputs against a fixed set of zones for one command. Thread-safe: many inputs
    /// are checked at once; zone health is established once per zone.</summary>
    public sealed class DnsblChecker
    {
        private static readonly Regex UrlPattern = new Regex(@"https?://[^\s""'<>]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly QueryService _queries;
        private readonly CultureInfo _culture;
        private readonly string _secret;
        private readonly ConcurrentDictionary<string, Lazy<Task<ZoneHealth>>> _health =
            new ConcurrentDictionary<string, Lazy<Task<ZoneHealth>>>(StringComparer.Ordinal);

        public DnsblChecker(IReadOnlyList<ZoneTarget> zones, QueryService queries, CultureInfo culture, string secret)
        {
            Zones = zones;
            _queries = queries;
            _culture = culture;
            _secret = secret;
        }

        public IReadOnlyList<ZoneTarget> Zones { get; }

        /// <summary>Asks a list's own name servers when the resolver is refused; null: never (-NoDirect).</summary>
        public DirectQueries Direct { get; set; }

        /// <summary>One result per zone, in the order of <see cref="Zones"/>.</summary>
        public Task<DnsblResult[]> CheckAsync(DnsblInput input, CancellationToken cancellationToken)
        {
            var checks = new Task<DnsblResult>[Zones.Count];
            for (int i = 0; i < checks.Length; i++) checks[i] = CheckZoneAsync(input, Zones[i], cancellationToken);
            return Task.WhenAll(checks);
        }

        public async Task<DnsblResult> CheckZoneAsync(DnsblInput input, ZoneTarget zone, CancellationToken cancellationToken)
        {
            var result = NewResult(input, zone);
            if (!zone.Accepts(input.Kind))
            {
                result.Status = DnsblStatus.NotApplicable;
                result.Detail = Messages.Format("Detail_NotApplicable", _culture, zone.Name, input.Kind);
                return result;
            }
            if (zone.MissingKey)
            {
                result.Status = DnsblStatus.Error;
                result.Detail = Messages.Format("Detail_NeedsKey", _culture, zone.Name);
                return result;
            }

            var health = await HealthAsync(zone, input.Kind, cancellationToken).ConfigureAwait(false);
            if (health.State == ZoneHealthState.Unhealthy)
            {
                result.Status = DnsblStatus.ZoneUnhealthy;
                result.Detail = health.Reason;
                result.ZoneMissing = health.ZoneMissing;
                result.Forged = health.Forged;
                return result;
            }
            var route = health.Route;
            if (route?.Queries != null)
            {
                result.Via = DnsblVia.Authoritative;
                result.Resolver = string.Join(", ", route.Servers);
            }
            if (health.State == ZoneHealthState.Refusing)
            {
                Apply(result, health.Refusal);
                result.Detail = health.Reason;
                return result;
            }

            string name = input.QueryName(zone.QueryZone);
            var queries = route?.Queries ?? _queries;
            var answer = await queries.QueryAsync(name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
            string refusedDetail = health.RefusedDetail, notAllowed = null;
            if (route == null && Direct != null && !zone.UsesDqs && DirectQueries.Refusal(zone, answer) is string refusal)
            {
                // Refused here although not at the test points (a zone without them, or a resolver
                // that refuses by volume): the zone's own servers, if its terms allow.
                refusedDetail = Interpreter.Interpret(zone.Entry, answer, _culture).Detail;
                if (!DirectQueries.Allowed(zone)) notAllowed = Direct.NotAllowed();
                else
                {
                    route = await Direct.RouteAsync(zone, refusal, cancellationToken).ConfigureAwait(false);
                    if (route.Queries != null)
                    {
                        result.Via = DnsblVia.Authoritative;
                        queries = route.Queries;
                        answer = await queries.QueryAsync(name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            var verdict = Interpreter.Interpret(zone.Entry, answer, _culture);
            Apply(result, verdict);
            result.Outcome = answer.Outcome;
            result.ResponseTimeMs = Math.Round(answer.Elapsed.TotalMilliseconds, 1);
            if (!string.IsNullOrEmpty(answer.Server)) result.Resolver = answer.Server;
            if (route != null && verdict.Status == DnsblStatus.Error)
            {
                // Both reasons: why the resolver could not be used, and why the list's servers gave nothing.
                string direct = route.Queries == null || !answer.IsDefinite ? Direct.Describe(route, answer) : result.Detail;
                result.Detail = Redact(Join(refusedDetail, direct));
            }
            else if (notAllowed != null) result.Detail = Join(result.Detail, notAllowed);

            if (verdict.Status == DnsblStatus.Listed || verdict.Status == DnsblStatus.Policy || verdict.Status == DnsblStatus.Info)
            {
                // TXT only for hits (information-only entries too: backscatter lists say why there):
                // it doubles the queries and only a hit has a reason.
                var txt = await queries.QueryAsync(name, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
                if (txt.Outcome == DnsOutcome.Answer)
                    result.Reason = Redact(SafeText.Neutralize(string.Join(" ", txt.Texts)));
                if (zone.Entry == null || string.IsNullOrEmpty(zone.Entry.LookupUrl))
                {
                    var url = UrlPattern.Match(result.Reason ?? string.Empty);
                    if (url.Success) result.LookupUrl = url.Value;
                }
            }
            return result;
        }

        /// <summary>Asks the zone's test points once per command (per kind, for unknown zones).</summary>
        public Task<ZoneHealth> HealthAsync(ZoneTarget zone, InputKinds kind, CancellationToken cancellationToken)
        {
            string key = zone.Entry != null ? zone.QueryZone : zone.QueryZone + "|" + kind;
            // Known after the first input: no closure for every lookup (the compiler allocates a
            // lambda's captures when the method starts, so the lambda lives in its own method).
            if (_health.TryGetValue(key, out var known)) return known.Value;
            return StartProbe(key, zone, kind, cancellationToken);
        }

        private Task<ZoneHealth> StartProbe(string key, ZoneTarget zone, InputKinds kind, CancellationToken cancellationToken) =>
            _health.GetOrAdd(key, _ => new Lazy<Task<ZoneHealth>>(() => ProbeAsync(zone, kind, cancellationToken))).Value;

        private async Task<ZoneHealth> ProbeAsync(ZoneTarget zone, InputKinds kind, CancellationToken cancellationToken)
        {
            var health = await ProbeThroughAsync(_queries, zone, kind, cancellationToken).ConfigureAwait(false);
            if (health.RefusedBy == null || Direct == null || zone.UsesDqs) return health;
            if (!DirectQueries.Allowed(zone))
            {
                if (health.State == ZoneHealthState.Refusing) health.Reason = Join(health.Reason, Direct.NotAllowed());
                return health;
            }
            // The list refuses the resolver: its own servers answer the test points and every input.
            var route = await Direct.RouteAsync(zone, health.RefusedBy, cancellationToken).ConfigureAwait(false);
            if (route.Queries == null)
            {
                health.Route = route;
                if (health.State == ZoneHealthState.Refusing) health.Reason = Join(health.Reason, Direct.Describe(route, null));
                return health;
            }
            var direct = await ProbeThroughAsync(route.Queries, zone, kind, cancellationToken).ConfigureAwait(false);
            direct.Route = route;
            direct.RefusedBy = health.RefusedBy;
            direct.RefusedDetail = health.RefusedDetail;
            return direct;
        }

        /// <summary>Two sentences of a Detail; a catalogue meaning has no full stop of its own.</summary>
        private string Join(string first, string second)
        {
            if (string.IsNullOrEmpty(first)) return second;
            if (string.IsNullOrEmpty(second)) return first;
            char last = first[first.Length - 1];
            bool ended = last == '.' || last == '\u3002' || last == ')' || last == '\uFF09';
            return first + (ended ? string.Empty : Messages.Pick(".", "\u3002", _culture)) + " " + second;
        }

        private async Task<ZoneHealth> ProbeThroughAsync(QueryService queries, ZoneTarget zone, InputKinds kind, CancellationToken cancellationToken)
        {
            // A list that has shut down, or a resolver that cannot reach the internet, says the zone
            // itself does not exist; then every "not listed" would be a lie. Asked together with the
            // test points, not before them: every input waits for the zone's health, and on a far
            // resolver that is one round trip less (the test points' answers go unused if it is gone).
            var apexQuery = queries.QueryAsync(zone.QueryZone, DnsRecordType.Soa, cancellationToken);
            var probes = TestPoints(zone, kind).Select(async p =>
            {
                var input = DnsblInput.ForTestPoint(p.Item1);
                var answer = await queries.QueryAsync(input.QueryName(zone.QueryZone), DnsRecordType.A, cancellationToken).ConfigureAwait(false);
                return (point: p.Item1, expectListed: p.Item2, answer, verdict: Interpreter.Interpret(zone.Entry, answer, _culture));
            }).ToList();
            var apex = await apexQuery.ConfigureAwait(false);
            if (apex.Outcome == DnsOutcome.NxDomain)
            {
                var missing = Unhealthy(Messages.Format("Unhealthy_ZoneMissing", _culture, zone.Name, apex.Server));
                missing.ZoneMissing = true;
                return missing;
            }
            if (probes.Count == 0) return new ZoneHealth { State = ZoneHealthState.Unknown };
            var outcomes = await Task.WhenAll(probes).ConfigureAwait(false);

            // A refusal of the resolver (REFUSED, or the list's refused code) at any test point.
            string refusedBy = null, refusedDetail = null;
            foreach (var o in outcomes)
            {
                refusedBy = DirectQueries.Refusal(zone, o.answer);
                if (refusedBy != null) { refusedDetail = o.verdict.Detail; break; }
            }
            var health = Judge(zone, outcomes.Select(o => (o.point, o.expectListed, o.answer, o.verdict)).ToList());
            health.RefusedBy = refusedBy;
            health.RefusedDetail = refusedDetail;
            return health;
        }

        /// <summary>The zone's published test points; without them, still the RFC 5782 negative one,
        /// which no working list ever lists, so that a dead list that lists everything is caught.</summary>
        private static List<(string, bool)> TestPoints(ZoneTarget zone, InputKinds kind)
        {
            if (zone.Entry == null) return DefaultTestPoints(kind);
            if (zone.Entry.TestPoints.Count > 0) return zone.Entry.TestPoints.Select(p => (p.Query, p.ExpectListed)).ToList();
            var zoneKind = (zone.Kinds & InputKinds.IPv4) != 0 ? InputKinds.IPv4 : (zone.Kinds & InputKinds.IPv6) != 0 ? InputKinds.IPv6 : InputKinds.Domain;
            return DefaultTestPoints(zoneKind).Where(p => !p.Item2).ToList();
        }

        private ZoneHealth Judge(ZoneTarget zone, List<(string point, bool expectListed, DnsAnswer answer, Verdict verdict)> outcomes)
        {
            bool unknown = false;
            foreach (var o in outcomes)
            {
                if (!o.answer.IsDefinite) { unknown = true; continue; }
                if (o.verdict.OutsideLoopback)
                    return Forged(Messages.Format("Unhealthy_Outside", _culture, o.point, o.verdict.ReturnCodes));
                if (o.verdict.ErrorCode && o.verdict.Status == DnsblStatus.Error)
                    return new ZoneHealth { State = ZoneHealthState.Refusing, Refusal = o.verdict, Reason = Messages.Format("Refusing_TestPoint", _culture, o.point, o.verdict.ReturnCodes, o.verdict.Detail) };
                bool answeredListed = o.answer.Outcome == DnsOutcome.Answer;
                if (o.expectListed && !answeredListed)
                    return Unhealthy(Messages.Format("Unhealthy_PositiveMissing", _culture, o.point));
                if (!o.expectListed && answeredListed)
                    return Forged(Messages.Format("Unhealthy_NegativeListed", _culture, o.point, o.verdict.ReturnCodes));
            }
            return new ZoneHealth { State = unknown ? ZoneHealthState.Unknown : ZoneHealthState.Healthy };
        }

        private static ZoneHealth Unhealthy(string reason) => new ZoneHealth { State = ZoneHealthState.Unhealthy, Reason = reason };

        /// <summary>An address answered where none can exist (a negative test point, or outside 127/8).</summary>
        private static ZoneHealth Forged(string reason) => new ZoneHealth { State = ZoneHealthState.Unhealthy, Reason = reason, Forged = true };

        // RFC 5782 section 5.
        private static List<(string, bool)> DefaultTestPoints(InputKinds kind)
        {
            switch (kind)
            {
                case InputKinds.IPv6: return new List<(string, bool)> { ("::ffff:7f00:2", true), ("::ffff:7f00:1", false) };
                case InputKinds.Domain: return new List<(string, bool)> { ("test", true), ("invalid", false) };
                default: return new List<(string, bool)> { ("127.0.0.2", true), ("127.0.0.1", false) };
            }
        }

        private DnsblResult NewResult(DnsblInput input, ZoneTarget zone)
        {
            return new DnsblResult
            {
                Input = input.Text,
                InputKind = input.KindName,
                Zone = zone.Name,
                ZoneName = zone.DisplayName,
                Status = DnsblStatus.NotListed,
                ReturnCodes = string.Empty,
                Meaning = string.Empty,
                Category = string.Empty,
                Tag = string.Empty,
                Reason = string.Empty,
                LookupUrlTemplate = zone.Entry != null && !string.IsNullOrEmpty(zone.Entry.LookupUrl) ? zone.Entry.LookupUrl : null,
                Resolver = _queries.Resolver.Description,
                Detail = string.Empty,
            };
        }

        private void Apply(DnsblResult result, Verdict verdict)
        {
            result.Status = verdict.Status;
            result.Listed = verdict.Status == DnsblStatus.Listed;
            result.ReturnCodes = verdict.ReturnCodes;
            result.Meaning = verdict.Meaning;
            result.Category = verdict.Category;
            result.Tag = verdict.Tag;
            result.Detail = Redact(verdict.Detail);
        }

        // Belt and braces: nothing we build holds the key, but text from DNS could echo it.
        private string Redact(string text) =>
            string.IsNullOrEmpty(_secret) || string.IsNullOrEmpty(text) ? text
                : Regex.Replace(text, Regex.Escape(_secret), "********", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
