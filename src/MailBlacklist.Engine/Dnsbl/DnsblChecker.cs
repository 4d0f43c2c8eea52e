using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
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
                result.Detail = Text.Format("Detail_NotApplicable", _culture, zone.Name, input.Kind);
                return result;
            }
            if (zone.MissingKey)
            {
                result.Status = DnsblStatus.Error;
                result.Detail = Text.Format("Detail_NeedsKey", _culture, zone.Name);
                return result;
            }

            var health = await HealthAsync(zone, input.Kind, cancellationToken).ConfigureAwait(false);
            if (health.State == ZoneHealthState.Unhealthy)
            {
                result.Status = DnsblStatus.ZoneUnhealthy;
                result.Detail = health.Reason;
                result.ZoneMissing = health.ZoneMissing;
                return result;
            }
            if (health.State == ZoneHealthState.Refusing)
            {
                Apply(result, health.Refusal);
                result.Detail = health.Reason;
                return result;
            }

            string name = input.QueryName(zone.QueryZone);
            var answer = await _queries.QueryAsync(name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
            var verdict = Interpreter.Interpret(zone.Entry, answer, _culture);
            Apply(result, verdict);
            result.Outcome = answer.Outcome;
            result.ResponseTimeMs = Math.Round(answer.Elapsed.TotalMilliseconds, 1);
            if (!string.IsNullOrEmpty(answer.Server)) result.Resolver = answer.Server;

            if (verdict.Status == DnsblStatus.Listed || verdict.Status == DnsblStatus.Policy || verdict.Status == DnsblStatus.Info)
            {
                // TXT only for hits (information-only entries too: backscatter lists say why there):
                // it doubles the queries and only a hit has a reason.
                var txt = await _queries.QueryAsync(name, DnsRecordType.Txt, cancellationToken).ConfigureAwait(false);
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
            // A list that has shut down, or a resolver that cannot reach the internet, says the zone
            // itself does not exist; then every "not listed" would be a lie.
            var apex = await _queries.QueryAsync(zone.QueryZone, DnsRecordType.Soa, cancellationToken).ConfigureAwait(false);
            if (apex.Outcome == DnsOutcome.NxDomain)
            {
                var missing = Unhealthy(Text.Format("Unhealthy_ZoneMissing", _culture, zone.Name, apex.Server));
                missing.ZoneMissing = true;
                return missing;
            }

            List<(string, bool)> points;
            if (zone.Entry == null) points = DefaultTestPoints(kind);
            else if (zone.Entry.TestPoints.Count > 0) points = zone.Entry.TestPoints.Select(p => (p.Query, p.ExpectListed)).ToList();
            else
            {
                // No published test points: still ask the RFC 5782 negative one, which no working
                // list ever lists, so that a dead list that lists everything is caught.
                var zoneKind = (zone.Kinds & InputKinds.IPv4) != 0 ? InputKinds.IPv4 : (zone.Kinds & InputKinds.IPv6) != 0 ? InputKinds.IPv6 : InputKinds.Domain;
                points = DefaultTestPoints(zoneKind).Where(p => !p.Item2).ToList();
            }
            if (points.Count == 0) return new ZoneHealth { State = ZoneHealthState.Unknown };

            var probes = points.Select(async p =>
            {
                var input = DnsblInput.ForTestPoint(p.Item1);
                var answer = await _queries.QueryAsync(input.QueryName(zone.QueryZone), DnsRecordType.A, cancellationToken).ConfigureAwait(false);
                return (point: p.Item1, expectListed: p.Item2, answer, verdict: Interpreter.Interpret(zone.Entry, answer, _culture));
            }).ToList();
            var outcomes = await Task.WhenAll(probes).ConfigureAwait(false);

            bool unknown = false;
            foreach (var o in outcomes)
            {
                if (!o.answer.IsDefinite) { unknown = true; continue; }
                if (o.verdict.OutsideLoopback)
                    return Unhealthy(Text.Format("Unhealthy_Outside", _culture, o.point, o.verdict.ReturnCodes));
                if (o.verdict.ErrorCode && o.verdict.Status == DnsblStatus.Error)
                    return new ZoneHealth { State = ZoneHealthState.Refusing, Refusal = o.verdict, Reason = Text.Format("Refusing_TestPoint", _culture, o.point, o.verdict.ReturnCodes, o.verdict.Detail) };
                bool answeredListed = o.answer.Outcome == DnsOutcome.Answer;
                if (o.expectListed && !answeredListed)
                    return Unhealthy(Text.Format("Unhealthy_PositiveMissing", _culture, o.point));
                if (!o.expectListed && answeredListed)
                    return Unhealthy(Text.Format("Unhealthy_NegativeListed", _culture, o.point, o.verdict.ReturnCodes));
            }
            return new ZoneHealth { State = unknown ? ZoneHealthState.Unknown : ZoneHealthState.Healthy };
        }

        private static ZoneHealth Unhealthy(string reason) => new ZoneHealth { State = ZoneHealthState.Unhealthy, Reason = reason };

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
