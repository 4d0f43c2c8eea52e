using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.MailServers;
using Xunit;

namespace MailBlacklist.Engine.Tests.Spf
{
    /// <summary>SpfEvaluator and SpfEvaluation.Check against every case of the RFC 7208 test
    /// suite. The evaluator lists a domain's senders without the message's sender, so a case whose
    /// answer depends on ptr, exists or sender macros comes back Unknown: it is skipped with that
    /// reason, never counted as passed.</summary>
    public sealed class SpfSuiteTests
    {
        public static IEnumerable<TheoryDataRow<string>> CaseIds() =>
            SpfSuite.Cases.Value.Select(c => new TheoryDataRow<string>(c.Scenario + ": " + c.Id));

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void Rfc7208Case(string name)
        {
            var c = SpfSuite.Cases.Value.Single(x => x.Scenario + ": " + x.Id == name);
            string result = Evaluate(c);
            if (result == "unknown")
                Assert.Skip($"needs the sender's data (ptr, exists or a sender macro); expected {string.Join("/", c.Results)} (spec {c.Spec})");
            Assert.True(c.Results.Contains(result),
                $"{c.Id} (RFC 7208 {c.Spec}): host {c.Host}, mailfrom '{c.MailFrom}', helo '{c.Helo}': expected {string.Join(" or ", c.Results)}, got {result}");
        }

        /// <summary>check_host() as a receiver runs it: the MAIL FROM domain, or the HELO name when
        /// MAIL FROM is empty (RFC 7208 2.4); a domain that is not a usable name gives "none" (4.3).</summary>
        internal static string Evaluate(SuiteCase c)
        {
            string from = c.MailFrom;
            string domainText = from.Length == 0 ? c.Helo : from.Substring(from.LastIndexOf('@') + 1);
            string? domain = DomainName.Normalize(domainText);
            if (domain == null) return "none";
            using var queries = new QueryService(new SuiteZone(c.Zone), 8, 0, null);
            var evaluation = new SpfEvaluator(queries, CultureInfo.InvariantCulture)
                .EvaluateAsync(domain, CancellationToken.None).GetAwaiter().GetResult();
            return evaluation.Check(IPAddress.Parse(c.Host)).ToString().ToLowerInvariant();
        }
    }
}
