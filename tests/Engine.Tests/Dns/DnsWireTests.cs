using System;
using System.Linq;
using MailBlacklist.Engine.Dns;
using Xunit;

namespace MailBlacklist.Engine.Tests.Dns
{
    public sealed class DnsWireTests
    {
        private static DnsAnswer Parse(byte[] m, DnsRecordType type) => DnsWire.Parse(m, m.Length, type, TimeSpan.Zero, "test");

        [Fact]
        public void QueryHasHeaderQuestionTypeAndClass()
        {
            var q = DnsWire.BuildQuery(0xBEEF, "2.0.0.127.zen.example.test", DnsRecordType.Txt);
            Assert.Equal(0xBEEF, DnsWire.ReadId(q));
            Assert.Equal(0x01, q[2]);                                   // RD only
            Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 0, 0, 0 }, q.Skip(4).Take(8).ToArray());
            var name = Response.Name("2.0.0.127.zen.example.test");
            Assert.Equal(name, q.Skip(12).Take(name.Length).ToArray());
            Assert.Equal(new byte[] { 0, 16, 0, 1 }, q.Skip(12 + name.Length).ToArray());
            Assert.Equal(0x00, DnsWire.BuildQuery(1, "example.test", DnsRecordType.A, recursionDesired: false)[2]);
        }

        [Theory]
        [InlineData("a..example.test")]
        [InlineData("")]
        [InlineData("b\u00FCcher.example.test")]
        [InlineData("sp ace.example.test")]
        public void QueryRefusesNamesItCannotEncode(string name) =>
            Assert.Null(DnsWire.BuildQuery(1, name, DnsRecordType.A));

        [Fact]
        public void QueryLimitsLabelAndNameLength()
        {
            Assert.NotNull(DnsWire.BuildQuery(1, new string('a', 63) + ".test", DnsRecordType.A));
            Assert.Null(DnsWire.BuildQuery(1, new string('a', 64) + ".test", DnsRecordType.A));
            string longName = string.Join(".", Enumerable.Repeat(new string('b', 62), 4));   // 251 characters
            Assert.NotNull(DnsWire.BuildQuery(1, longName + ".c", DnsRecordType.A));
            Assert.Null(DnsWire.BuildQuery(1, longName + ".cde", DnsRecordType.A));
            Assert.NotNull(DnsWire.BuildQuery(1, ".", DnsRecordType.Ns));
        }

        [Fact]
        public void ResponseMatchesOnlyItsOwnQuestion()
        {
            var q = DnsWire.BuildQuery(7, "Mail.Example.TEST.", DnsRecordType.A);
            var r = new Response(q).ToArray();
            Assert.True(DnsWire.MatchesQuestion(r, r.Length, "mail.example.test", DnsRecordType.A));
            Assert.False(DnsWire.MatchesQuestion(r, r.Length, "mail.example.test", DnsRecordType.Aaaa));
            Assert.False(DnsWire.MatchesQuestion(r, r.Length, "mail.example.tes", DnsRecordType.A));
            Assert.False(DnsWire.MatchesQuestion(r, r.Length, "xmail.example.test", DnsRecordType.A));
            Assert.False(DnsWire.MatchesQuestion(q, q.Length, "mail.example.test", DnsRecordType.A));   // a query, not a response
        }

        [Fact]
        public void ResponseWithoutQuestionIsNeverTaken()
        {
            // RFC 5452: an NXDOMAIN without its question could be forged by anyone who guesses the ID.
            var q = DnsWire.BuildQuery(9, "2.0.0.127.zen.example.test", DnsRecordType.A);
            var r = new byte[12];
            Array.Copy(new Response(q, rcode: 3).ToArray(), r, 12);
            r[5] = 0;                                                   // QDCOUNT = 0
            Assert.False(DnsWire.MatchesQuestion(r, r.Length, "2.0.0.127.zen.example.test", DnsRecordType.A));
            Assert.Equal(DnsOutcome.OtherError, Parse(r, DnsRecordType.A).Outcome);
        }

        [Fact]
        public void AnswerWithCompressedOwnerRoundTrips()
        {
            var q = DnsWire.BuildQuery(1, "2.0.0.127.zen.example.test", DnsRecordType.A);
            var r = new Response(q)
                .Answer(Response.QuestionPointer, DnsRecordType.A, 300, new byte[] { 127, 0, 0, 2 })
                .Answer(Response.QuestionPointer, DnsRecordType.A, 120, new byte[] { 127, 0, 0, 4 }).ToArray();
            var a = Parse(r, DnsRecordType.A);
            Assert.Equal(DnsOutcome.Answer, a.Outcome);
            Assert.Equal(new[] { "127.0.0.2", "127.0.0.4" }, a.Records.Select(x => x.Data));
            Assert.Equal(120, a.Ttl);                                   // the smallest record TTL
            Assert.Equal("NOERROR", a.ResponseCode);
        }

        [Fact]
        public void TxtStringsAreJoinedWithoutSeparator()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.Txt);
            var r = new Response(q).Answer(Response.QuestionPointer, DnsRecordType.Txt, 60,
                Response.Txt("v=spf1 ip4:192.0.2.0/24 ", "-all")).ToArray();
            Assert.Equal("v=spf1 ip4:192.0.2.0/24 -all", Assert.Single(Parse(r, DnsRecordType.Txt).Texts));
        }

        [Fact]
        public void MxExchangeMayPointIntoTheQuestion()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.Mx);
            // "mx1" followed by a pointer to "example.test" at offset 12.
            var exchange = new byte[] { 3, (byte)'m', (byte)'x', (byte)'1', 0xC0, 0x0C };
            var r = new Response(q).Answer(Response.QuestionPointer, DnsRecordType.Mx, 60, Response.Mx(10, exchange)).ToArray();
            var rec = Assert.Single(Parse(r, DnsRecordType.Mx).Records);
            Assert.Equal("mx1.example.test", rec.Data);
            Assert.Equal(10, rec.Preference);
        }

        [Fact]
        public void CnameChainIsFollowedWithinTheAnswer()
        {
            var q = DnsWire.BuildQuery(1, "www.example.test", DnsRecordType.A);
            var r = new Response(q)
                .Answer(Response.QuestionPointer, DnsRecordType.Cname, 60, Response.Name("host.example.test"))
                .Answer(Response.Name("host.example.test"), DnsRecordType.A, 60, new byte[] { 192, 0, 2, 1 })
                .Answer(Response.Name("other.example.test"), DnsRecordType.A, 60, new byte[] { 192, 0, 2, 9 }).ToArray();
            Assert.Equal("192.0.2.1", Assert.Single(Parse(r, DnsRecordType.A).Records).Data);
        }

        [Fact]
        public void NxDomainAndNoDataTakeTheSoaNegativeTtl()
        {
            var q = DnsWire.BuildQuery(1, "2.0.0.127.zen.example.test", DnsRecordType.A);
            var nx = Parse(new Response(q, rcode: 3).Soa(Response.Name("zen.example.test"), ttl: 900, minimum: 60).ToArray(), DnsRecordType.A);
            Assert.Equal(DnsOutcome.NxDomain, nx.Outcome);
            Assert.Equal(60, nx.Ttl);                                   // RFC 2308 5: min(SOA TTL, MINIMUM)
            var nodata = Parse(new Response(q).Soa(Response.Name("zen.example.test"), ttl: 30, minimum: 600).ToArray(), DnsRecordType.A);
            Assert.Equal(DnsOutcome.NoData, nodata.Outcome);
            Assert.Equal(30, nodata.Ttl);
        }

        [Theory]
        [InlineData(2, DnsOutcome.ServerFailure, "SERVFAIL")]
        [InlineData(5, DnsOutcome.Refused, "REFUSED")]
        [InlineData(4, DnsOutcome.OtherError, "NOTIMP")]
        public void ErrorCodesAreNeverAnswers(int rcode, DnsOutcome outcome, string name)
        {
            var q = DnsWire.BuildQuery(1, "2.0.0.127.zen.example.test", DnsRecordType.A);
            var a = Parse(new Response(q, rcode).ToArray(), DnsRecordType.A);
            Assert.Equal(outcome, a.Outcome);
            Assert.Equal(name, a.ResponseCode);
            Assert.False(a.IsDefinite);
        }

        [Fact]
        public void TruncationBitIsSeen()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.Txt);
            Assert.True(DnsWire.IsTruncated(new Response(q, truncated: true).ToArray()));
            Assert.False(DnsWire.IsTruncated(new Response(q).ToArray()));
        }

        [Fact]
        public void MessageCutShortIsAnErrorNotNoRecord()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.A);
            var full = new Response(q).Answer(Response.QuestionPointer, DnsRecordType.A, 60, new byte[] { 192, 0, 2, 1 }).ToArray();
            for (int cut = 12; cut < full.Length; cut++)
                Assert.Equal(DnsOutcome.OtherError, DnsWire.Parse(full, cut, DnsRecordType.A, TimeSpan.Zero, "test").Outcome);
        }

        [Fact]
        public void CompressionLoopIsAnErrorNotAHang()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.A);
            int owner = q.Length;                                       // the answer's owner points at itself
            var r = new Response(q).Answer(new byte[] { (byte)(0xC0 | owner >> 8), (byte)owner }, DnsRecordType.A, 60, new byte[] { 192, 0, 2, 1 }).ToArray();
            Assert.Equal(DnsOutcome.OtherError, Parse(r, DnsRecordType.A).Outcome);
        }

        [Fact]
        public void TtlWithTopBitSetCountsAsZero()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.A);
            var r = new Response(q).Answer(Response.QuestionPointer, DnsRecordType.A, 0x80000000, new byte[] { 192, 0, 2, 1 }).ToArray();
            Assert.Equal(0, Parse(r, DnsRecordType.A).Ttl);             // RFC 2181 8
        }

        [Fact]
        public void ControlBytesInNamesComeOutEscaped()
        {
            var q = DnsWire.BuildQuery(1, "example.test", DnsRecordType.Ptr);
            var target = new byte[] { 4, (byte)'e', 0x1B, (byte)'[', (byte)'m', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0 };
            var r = new Response(q).Answer(Response.QuestionPointer, DnsRecordType.Ptr, 60, target).ToArray();
            Assert.Equal("e\\027[m.test", Assert.Single(Parse(r, DnsRecordType.Ptr).Records).Data);
        }
    }
}
