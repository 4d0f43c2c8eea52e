using System.IO;
using System.Text;
using MailBlacklist.Engine.Bounces;
using Xunit;

namespace MailBlacklist.Engine.Tests.Bounces
{
    /// <summary>The classifier's order of decision (Classifier's summary, bounce-rules.json's
    /// _comment), each step against the one after it, over a small rule set of its own so that a
    /// change in the shipped rules cannot hide a change in the order. Reason names are sisimai's.</summary>
    public sealed class ClassifierOrderTests
    {
        private const string Rules = @"{
          ""reasons"": [ {""name"": ""UserUnknown"", ""hard"": true}, {""name"": ""MailboxFull""}, {""name"": ""Blocked""},
                         {""name"": ""SecurityError""}, {""name"": ""Rejected""}, {""name"": ""SyntaxError""}, {""name"": ""MesgTooBig""},
                         {""name"": ""ExceedLimit""} ],
          ""aliases"": { ""EmailTooLarge"": [""ExceedLimit"", ""MesgTooBig""] },
          ""rules"": [
            { ""reason"": ""MailboxFull"", ""patterns"": [ ""mailbox (?:is )?full"" ] },
            { ""reason"": ""Blocked"", ""whole"": true, ""patterns"": [ ""connection refused by"" ] },
            { ""reason"": ""Blocked"", ""patterns"": [ ""listed (?:at|on|in)"" ] },
            { ""reason"": ""ExceedLimit"", ""patterns"": [ ""message too large"" ] } ],
          ""statusCodes"": { ""5.1.1"": ""UserUnknown"", ""5.3.4"": ""MesgTooBig"", ""5.7.1"": ""Rejected"" },
          ""strongStatusCodes"": [ ""5.1.1"", ""5.3.4"" ],
          ""phraseBeatsStatus"": [ ""MailboxFull"", ""ExceedLimit"" ],
          ""statusClasses"": { ""5.7"": ""SecurityError"" },
          ""commandReasons"": { ""MAIL"": ""Rejected"" },
          ""replyCodes"": { ""501"": ""SyntaxError"" }
        }";

        private static readonly Classifier C =
            new Classifier(BounceRules.Load(new MemoryStream(Encoding.UTF8.GetBytes(Rules))));

        [Fact]
        public void SuccessStatusIsDeliveredWhateverTheWords() =>
            Assert.Equal("Delivered", C.Classify("mailbox full", "2.0.0", "250", "delivered"));

        [Fact]
        public void WordsBeatAnOrdinaryStatusCode() =>
            Assert.Equal("Blocked", C.Classify("550 client host listed at bl.example.test", "5.7.1", "550", "failed"));

        [Fact]
        public void StrongStatusBeatsWords() =>
            Assert.Equal("UserUnknown", C.Classify("550 client host listed at bl.example.test", "5.1.1", "550", "failed"));

        [Fact]
        public void UnmistakableWordsBeatEvenAStrongStatus() =>
            Assert.Equal("MailboxFull", C.Classify("550 mailbox is full", "5.1.1", "550", "failed"));

        [Fact]
        public void WordsOfTheStatusFamilyLeaveTheStatusFinerName() =>
            Assert.Equal("MesgTooBig", C.Classify("552 message too large", "5.3.4", "552", "failed"));

        [Fact]
        public void StatusTableWhenNoWordsMatch() =>
            Assert.Equal("Rejected", C.Classify("550 no thanks", "5.7.1", "550", "failed"));

        [Fact]
        public void StatusClassWhenTheCodeIsNotInTheTable() =>
            Assert.Equal("SecurityError", C.Classify("550 no thanks", "5.7.26", "550", "failed"));

        [Fact]
        public void CommandOfAPermanentRefusalBeforeTheReplyCode()
        {
            Assert.Equal("Rejected", C.Classify("501 no thanks", null, "501", "failed", command: "MAIL"));
            Assert.Equal("SyntaxError", C.Classify("501 no thanks", null, "501", "failed", command: "RCPT"));
        }

        [Fact]
        public void TemporaryRefusalDoesNotUseTheCommand() =>
            Assert.Equal("OnHold", C.Classify("451 try later", "4.0.0", "451", "failed", command: "MAIL"));

        [Fact]
        public void ReporterWordsCountOnlyForWholeRules()
        {
            Assert.Equal("Blocked", C.Classify("550 no thanks", null, null, "failed", wrapper: "connection refused by mx.example.test"));
            Assert.Equal("OnHold", C.Classify("550 no thanks", null, null, "failed", wrapper: "host listed at bl.example.test"));
        }

        [Fact]
        public void DelayedActionWithoutOtherEvidenceIsExpired() =>
            Assert.Equal("Expired", C.Classify("", null, null, "delayed"));

        [Fact]
        public void NothingToGoOnIsUndefinedAndUnknownWordsAreOnHold()
        {
            Assert.Equal("Undefined", C.Classify("   ", null, null, "failed"));
            Assert.Equal("OnHold", C.Classify("something odd happened", null, null, "failed"));
        }

        [Fact]
        public void WhitespaceIsCollapsedBeforeMatching() =>
            Assert.Equal("MailboxFull", C.Classify("550\r\n   mailbox\t is\n full", null, "550", "failed"));

        [Theory]
        [InlineData("a  b", "a b")]
        [InlineData("\t a\r\nb \u00A0", "a b")]
        [InlineData("already normal", "already normal")]
        [InlineData(null, "")]
        public void NormalizeCollapsesEveryWhiteSpaceRun(string? input, string expected) =>
            Assert.Equal(expected, Classifier.Normalize(input));
    }
}
