using MailBlacklist.Engine.Text;
using Xunit;

namespace MailBlacklist.Engine.Tests.Text
{
    public sealed class SafeTextTests
    {
        [Theory]
        [InlineData("\u001B[31mred", "\\x1B[31mred")]                 // terminal escape
        [InlineData("a\r\nb", "a\\x0D\\x0Ab")]                        // a forged CSV or log line
        [InlineData("x\u007Fy\u0085z", "x\\x7Fy\\x85z")]              // DEL and C1 controls
        [InlineData("gpj\u202Eexe", "gpj\\u202Eexe")]                 // right-to-left override
        [InlineData("pay\u200Bpal\uFEFF", "pay\\u200Bpal\\uFEFF")]    // zero width, BOM
        [InlineData("\u2066x\u2069\u061C", "\\u2066x\\u2069\\u061C")] // isolates, Arabic letter mark
        public void UnsafeCharactersBecomeVisibleEscapes(string input, string expected)
        {
            Assert.False(SafeText.IsSafe(input));
            Assert.Equal(expected, SafeText.Neutralize(input));
            Assert.True(SafeText.IsSafe(SafeText.Neutralize(input)));
        }

        [Theory]
        [InlineData("ブロックリストに掲載されています")]
        [InlineData("550 5.7.1 Client host [192.0.2.1] blocked using zen.example.test; https://check.example.test/?ip=192.0.2.1")]
        [InlineData("")]
        public void SafeTextIsReturnedUnchanged(string input)
        {
            Assert.True(SafeText.IsSafe(input));
            Assert.Same(input, SafeText.Neutralize(input));
        }

        [Fact]
        public void NullBecomesEmpty()
        {
            Assert.Equal("", SafeText.Neutralize(null));
            Assert.True(SafeText.IsSafe(null));
        }

        [Fact]
        public void LongTextIsCutWithAnEllipsis()
        {
            string cut = SafeText.Neutralize(new string('a', SafeText.MaxLength + 10));
            Assert.Equal(SafeText.MaxLength + 1, cut.Length);
            Assert.EndsWith("…", cut);
            Assert.Equal(new string('a', 20), SafeText.Neutralize(new string('a', 20), int.MaxValue));
            Assert.Equal("abc…", SafeText.Neutralize("abcdef", 3));
        }

        [Fact]
        public void NeutralizingTwiceChangesNothing()
        {
            string once = SafeText.Neutralize("a\u001Bb\u202Ec\\x1B");
            Assert.Equal(once, SafeText.Neutralize(once));
        }
    }
}
