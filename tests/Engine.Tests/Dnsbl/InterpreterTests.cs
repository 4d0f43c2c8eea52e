using System;
using System.Globalization;
using System.Linq;
using MailBlacklist.Engine.Dns;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.Text;
using Xunit;

namespace MailBlacklist.Engine.Tests.Dnsbl
{
    /// <summary>The return-code rules: a failed lookup is never "not listed", an error code or an
    /// answer outside 127/8 is never "listed" (RFC 5782 for unknown zones, the catalogue's codes for
    /// known ones, as the operators document them).</summary>
    public sealed class InterpreterTests
    {
        private static readonly Catalog Shipped = Catalog.Load(Catalog.DefaultPath());
        private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

        private static DnsAnswer Codes(params string[] addresses) =>
            new(DnsOutcome.Answer, addresses.Select(a => new DnsRecord(DnsRecordType.A, a, 60)).ToList(), 60, TimeSpan.Zero, "127.0.0.1:53", "NOERROR");

        private static Verdict Read(string? zone, params string[] addresses) =>
            Interpreter.Interpret(zone == null ? null : Shipped.Find(zone), Codes(addresses), En);

        [Theory]
        [InlineData(DnsOutcome.NxDomain)]
        [InlineData(DnsOutcome.NoData)]
        public void OnlyADefiniteNoIsNotListed(DnsOutcome outcome) =>
            Assert.Equal(DnsblStatus.NotListed, Interpreter.Interpret(null, DnsAnswer.Failed(outcome, TimeSpan.Zero, "s"), En).Status);

        [Theory]
        [InlineData(DnsOutcome.Timeout)]
        [InlineData(DnsOutcome.Unreachable)]
        [InlineData(DnsOutcome.ServerFailure)]
        [InlineData(DnsOutcome.Refused)]
        [InlineData(DnsOutcome.OtherError)]
        [InlineData(DnsOutcome.BrokenResolver)]
        public void AFailedLookupIsAnErrorWithAReason(DnsOutcome outcome)
        {
            var v = Interpreter.Interpret(Shipped.Find("zen.spamhaus.org"), DnsAnswer.Failed(outcome, TimeSpan.Zero, "192.0.2.53:53"), En);
            Assert.Equal(DnsblStatus.Error, v.Status);
            Assert.Contains("192.0.2.53:53", v.Detail);
        }

        [Fact]
        public void UnknownZoneFollowsRfc5782()
        {
            Assert.Equal(DnsblStatus.Listed, Read(null, "127.0.0.2").Status);
            var one = Read(null, "127.0.0.1");                           // RFC 5782 5: never a listing
            Assert.Equal(DnsblStatus.Error, one.Status);
            Assert.True(one.ErrorCode);
            Assert.Equal(DnsblStatus.Error, Read(null, "127.255.255.254").Status);
        }

        [Fact]
        public void AnswerOutsideLoopbackIsAnErrorNeverAListing()
        {
            var v = Read("zen.spamhaus.org", "192.0.2.1");              // a parked or rewritten zone
            Assert.Equal(DnsblStatus.Error, v.Status);
            Assert.True(v.OutsideLoopback);
            Assert.Equal(DnsblStatus.Error, Read(null, "127.0.0.2", "198.51.100.7").Status);
        }

        [Fact]
        public void KnownZoneReadsItsOwnCodes()
        {
            Assert.Equal(DnsblStatus.Policy, Read("zen.spamhaus.org", "127.0.0.10").Status);
            var xbl = Read("zen.spamhaus.org", "127.0.0.4");
            Assert.Equal(DnsblStatus.Listed, xbl.Status);
            Assert.Contains("Compromise", xbl.Tag);
            var refused = Read("zen.spamhaus.org", "127.255.255.254");  // query through a public resolver
            Assert.Equal(DnsblStatus.Error, refused.Status);
            Assert.True(refused.ErrorCode);
        }

        [Fact]
        public void ErrorBeatsVerdictAndVerdictBeatsPolicy()
        {
            Assert.Equal(DnsblStatus.Listed, Read("zen.spamhaus.org", "127.0.0.10", "127.0.0.2").Status);
            Assert.Equal(DnsblStatus.Error, Read("zen.spamhaus.org", "127.0.0.2", "127.255.255.254").Status);
        }

        [Fact]
        public void UndocumentedCodeOfAKnownZoneIsStillAListing()
        {
            var v = Read("zen.spamhaus.org", "127.0.0.99");
            Assert.Equal(DnsblStatus.Listed, v.Status);
            Assert.Equal(Messages.Get("Meaning_Unrecognised", En), v.Meaning);
        }

        [Fact]
        public void BitmaskZoneCombinesItsBits()
        {
            Assert.Equal(DnsblStatus.Info, Read("multi.uribl.com", "127.0.0.4").Status);   // grey: on the list, not a block
            Assert.Equal(DnsblStatus.Listed, Read("multi.uribl.com", "127.0.0.6").Status); // black and grey
            Assert.Equal(DnsblStatus.Error, Read("multi.uribl.com", "127.0.0.1").Status);  // URIBL's "query refused"
        }
    }
}
