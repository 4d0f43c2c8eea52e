using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace MailBlacklist.Engine.Tests.Text
{
    /// <summary>The engine's resource files, per culture: file name to its key/text pairs.</summary>
    internal static class Resx
    {
        public const string English = "";
        public const string Japanese = ".ja-JP";

        /// <summary>Every area (resx file without its culture) of the engine, as found on disk.</summary>
        public static readonly string[] Areas =
            Directory.GetFiles(Repo.Path("src", "MailBlacklist.Engine", "Resources"), "*.resx")
                .Select(f => Path.GetFileNameWithoutExtension(f)).Where(n => !n.Contains('.')).OrderBy(n => n).ToArray();

        public static Dictionary<string, string> Read(string area, string culture) =>
            XDocument.Load(Repo.Path("src", "MailBlacklist.Engine", "Resources", area + culture + ".resx"))
                .Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

        /// <summary>All keys of one culture, whatever file holds them.</summary>
        public static Dictionary<string, string> All(string culture) =>
            Areas.SelectMany(a => Read(a, culture)).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value);
    }
}
