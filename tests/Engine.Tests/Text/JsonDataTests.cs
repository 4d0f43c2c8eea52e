using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Serialization;
using System.Runtime.Serialization.Json;
using System.Text;
using MailBlacklist.Engine.Bounces;
using MailBlacklist.Engine.Diagnosis;
using MailBlacklist.Engine.Dnsbl;
using MailBlacklist.Engine.Text;
using Xunit;

namespace MailBlacklist.Engine.Tests.Text
{
    /// <summary>The data files' reader on .NET 8+ (DataMemberJson) against DataContractJsonSerializer,
    /// which read them before and still does on Windows PowerShell: every [DataMember] of every
    /// object of the three shipped files must come out the same.</summary>
    public sealed class JsonDataTests
    {
        public static TheoryData<string, Type> ShippedFiles => new()
        {
            { "catalog.json", typeof(Catalog) },
            { "bounce-rules.json", typeof(BounceRules) },
            { "diagnosis-rules.json", typeof(DiagnosisRules) },
        };

        [Theory, MemberData(nameof(ShippedFiles))]
        public void ShippedFileReadsAsDataContractJsonSerializerReadsIt(string file, Type type)
        {
            byte[] json = File.ReadAllBytes(Repo.Path("src", "MailBlacklist.Engine", "Data", file));
            object expected = Contract(json, type);
            object actual = Read(json, type);
            int compared = Compare(expected, actual, type, "$");
            Assert.True(compared > 50, "only " + compared + " values compared in " + file);
        }

        [Fact]
        public void LenientFormsReadAsBefore()
        {
            // Quoted numbers and booleans, whole numbers written 2.0 or 1e2, a number where text is
            // expected, a trailing comma: DataContractJsonSerializer loaded all of them.
            string json = "{\"version\":\"2\",\"dqsBase\":5,\"zones\":[{\"name\":\"a.test\",\"enabledByDefault\":\"true\"," +
                          "\"freeQueriesPerDay\":1e2,\"codes\":[{\"code\":\"127.0.0.2\",\"mask\":2.0}],\"directQueries\":\"false\"},]}";
            var both = new[] { (Catalog)Contract(Encoding.UTF8.GetBytes(json), typeof(Catalog)), Read<Catalog>(json, Encoding.UTF8) };
            foreach (var c in both)
            {
                Assert.Equal(2, c.Version);
                Assert.Equal("5", c.DqsBase);
                Assert.True(c.Zones[0].EnabledByDefault);
                Assert.Equal(100, c.Zones[0].FreeQueriesPerDay);
                Assert.Equal(2, c.Zones[0].Codes[0].Mask);
                Assert.False(c.Zones[0].DirectQueries);
            }
        }

        [Theory]
        [InlineData("{\"version\":2,\"zones\":[{\"name\":\"a.test\"}")]          // cut short
        [InlineData("{\"version\":2, /* note */ \"zones\":[]}")]                 // comments were never JSON
        [InlineData("{\"version\":null,\"zones\":[]}")]                          // null for a number
        [InlineData("{\"version\":2.5,\"zones\":[]}")]                           // not a whole number
        [InlineData("{\"version\":2,\"zones\":[{\"name\":\"a.test\",\"kinds\":\"IPv6\"}]}")] // a string where a list belongs
        [InlineData("")]
        public void BrokenJsonFailsAsBefore(string json)
        {
            Assert.ThrowsAny<SerializationException>(() => Contract(Encoding.UTF8.GetBytes(json), typeof(Catalog)));
            var ex = Assert.ThrowsAny<Exception>(() => Read<Catalog>(json, Encoding.UTF8));
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }

        [Fact]
        public void NamesMatchExactly()
        {
            // "Version" is not "version": the field stays at its default, as it did.
            var c = Read<Catalog>("{\"Version\":7,\"zones\":[{\"Name\":\"x.test\",\"name\":\"a.test\",\"bogus\":{\"x\":[1]}}]}", Encoding.UTF8);
            Assert.Equal(0, c.Version);
            Assert.Equal("a.test", c.Zones.Single().Name);
        }

        public static TheoryData<string> Encodings => new() { "utf-8 BOM", "utf-16LE BOM", "utf-16BE BOM" };

        [Theory, MemberData(nameof(Encodings))]
        public void FileWithByteOrderMarkLoads(string name)
        {
            // Windows PowerShell writes these (Set-Content -Encoding UTF8, Out-File); they failed before.
            Encoding encoding = name switch
            {
                "utf-8 BOM" => new UTF8Encoding(true),
                "utf-16LE BOM" => new UnicodeEncoding(false, true),
                _ => new UnicodeEncoding(true, true),
            };
            string text = File.ReadAllText(Repo.Path("src", "MailBlacklist.Engine", "Data", "catalog.json"));
            var catalog = Read<Catalog>(text, encoding);
            Assert.Equal(text.Split("\"name\":").Length - 1, catalog.Zones.Count);
            Assert.Contains(catalog.Zones, z => z.RemovalInfoJa != null && z.RemovalInfoJa.Contains("解除"));
        }

        private static T Read<T>(string json, Encoding encoding) where T : class
        {
            var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(json)).ToArray();
            return JsonData.Read<T>(new MemoryStream(bytes));
        }

        private static object Read(byte[] json, Type type) =>
            typeof(JsonData).GetMethod(nameof(JsonData.Read))!.MakeGenericMethod(type).Invoke(null, new object[] { new MemoryStream(json) })!;

        private static object Contract(byte[] json, Type type) =>
            new DataContractJsonSerializer(type, new DataContractJsonSerializerSettings { UseSimpleDictionaryFormat = true })
                .ReadObject(new MemoryStream(json))!;

        // Every [DataMember], recursively through lists and dictionaries; returns how many leaves it compared.
        private static int Compare(object? expected, object? actual, Type type, string path)
        {
            if (expected == null || actual == null)
            {
                Assert.True(expected == null && actual == null, path + ": " + (expected ?? "null") + " vs " + (actual ?? "null"));
                return 1;
            }
            if (type.GetCustomAttribute<DataContractAttribute>() != null)
            {
                int n = 0;
                foreach (var p in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    var member = p.GetCustomAttribute<DataMemberAttribute>();
                    if (member != null) n += Compare(p.GetValue(expected), p.GetValue(actual), p.PropertyType, path + "." + member.Name);
                }
                return n;
            }
            if (expected is IDictionary ed)
            {
                var ad = (IDictionary)actual;
                Assert.Equal(ed.Count, ad.Count);
                int n = 0;
                foreach (DictionaryEntry e in ed)
                {
                    Assert.True(ad.Contains(e.Key), path + ": no key " + e.Key);
                    n += Compare(e.Value, ad[e.Key], e.Value?.GetType() ?? typeof(object), path + "." + e.Key);
                }
                return n;
            }
            if (expected is IList el && !(expected is string))
            {
                var al = (IList)actual;
                Assert.True(el.Count == al.Count, path + ": " + el.Count + " vs " + al.Count + " items");
                int n = 0;
                for (int i = 0; i < el.Count; i++) n += Compare(el[i], al[i], el[i]?.GetType() ?? typeof(object), path + "[" + i + "]");
                return n;
            }
            Assert.True(Equals(expected, actual), path + ": " + expected + " vs " + actual);
            return 1;
        }
    }
}
